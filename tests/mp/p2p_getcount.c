/*
 * p2p_getcount: MPI_Get_count and MPI_Get_elements(_x) on received
 * statuses: basic types, a derived type (struct of int+double) received
 * whole and partially (Get_count gives MPI_UNDEFINED, Get_elements the
 * number of basic elements), byte counts of a typed message, count 0,
 * and MPI_Status_set_elements(_x) / MPI_Status_set_cancelled on a local
 * status. Needs 2 ranks.
 */
#include "mptest.h"

struct rec {
    int i;
    double d;
};

int main(int argc, char **argv)
{
    MPI_Datatype rt, tmp;
    int bl[2] = {1, 1}, cnt;
    MPI_Aint disp[2] = {offsetof(struct rec, i), offsetof(struct rec, d)};
    MPI_Datatype types[2] = {MPI_INT, MPI_DOUBLE};
    MPI_Count cx;
    MPI_Status st;
    struct rec r[10];
    int ibuf[100], i;

    mpt_init(&argc, &argv, 2);
    CHECK_MPI(MPI_Type_create_struct(2, bl, disp, types, &tmp));
    CHECK_MPI(MPI_Type_create_resized(tmp, 0, sizeof(struct rec), &rt));
    CHECK_MPI(MPI_Type_free(&tmp));
    CHECK_MPI(MPI_Type_commit(&rt));

    if (mpt_rank == 0) {
        for (i = 0; i < 10; i++) {
            r[i].i = i;
            r[i].d = i * 0.5;
        }
        for (i = 0; i < 100; i++) {
            ibuf[i] = i;
        }
        CHECK_MPI(MPI_Send(r, 10, rt, 1, 1, MPI_COMM_WORLD));
        CHECK_MPI(MPI_Send(ibuf, 7, MPI_INT, 1, 2, MPI_COMM_WORLD));
        CHECK_MPI(MPI_Send(ibuf, 0, MPI_INT, 1, 3, MPI_COMM_WORLD));
        /* 3 ints + 1 double worth of bytes: 2 whole records would be
         * 2*(4+8) = 24 bytes; send int,double,int = 16 bytes. */
        {
            char raw[16];
            int a = 11, c = 13;
            double b = 12.0;
            memcpy(raw, &a, 4);
            memcpy(raw + 4, &b, 8);
            memcpy(raw + 12, &c, 4);
            CHECK_MPI(MPI_Send(raw, 16, MPI_BYTE, 1, 4, MPI_COMM_WORLD));
        }
    } else if (mpt_rank == 1) {
        memset(r, 0, sizeof(r));
        CHECK_MPI(MPI_Recv(r, 10, rt, 0, 1, MPI_COMM_WORLD, &st));
        CHECK_MPI(MPI_Get_count(&st, rt, &cnt));
        CHECK_EQ(cnt, 10, "Get_count of struct type");
        CHECK_MPI(MPI_Get_elements(&st, rt, &cnt));
        CHECK_EQ(cnt, 20, "Get_elements of 10 {int,double}");
        CHECK_MPI(MPI_Get_elements_x(&st, rt, &cx));
        CHECK_EQ(cx, 20, "Get_elements_x");
        CHECK_MPI(MPI_Get_count(&st, MPI_BYTE, &cnt));
        CHECK_EQ(cnt, 10 * 12, "Get_count in bytes of packed struct data");
        for (i = 0; i < 10; i++) {
            CHECK_EQ(r[i].i, i, "struct int field");
            CHECK(r[i].d == i * 0.5, "struct double field %g", r[i].d);
        }

        CHECK_MPI(MPI_Recv(ibuf, 100, MPI_INT, 0, 2, MPI_COMM_WORLD, &st));
        CHECK_MPI(MPI_Get_count(&st, MPI_INT, &cnt));
        CHECK_EQ(cnt, 7, "Get_count MPI_INT");
        CHECK_MPI(MPI_Get_count(&st, MPI_BYTE, &cnt));
        CHECK_EQ(cnt, 28, "Get_count MPI_BYTE of 7 ints");
        CHECK_MPI(MPI_Get_count(&st, MPI_SHORT, &cnt));
        CHECK_EQ(cnt, 14, "Get_count MPI_SHORT of 7 ints");
        CHECK_MPI(MPI_Get_count(&st, MPI_DOUBLE, &cnt));
        CHECK_EQ(cnt, MPI_UNDEFINED, "Get_count MPI_DOUBLE of 28 bytes");
        CHECK_MPI(MPI_Get_elements(&st, MPI_INT, &cnt));
        CHECK_EQ(cnt, 7, "Get_elements MPI_INT");

        CHECK_MPI(MPI_Recv(ibuf, 100, MPI_INT, 0, 3, MPI_COMM_WORLD, &st));
        CHECK_MPI(MPI_Get_count(&st, MPI_INT, &cnt));
        CHECK_EQ(cnt, 0, "Get_count of empty message");
        CHECK_MPI(MPI_Get_elements(&st, MPI_INT, &cnt));
        CHECK_EQ(cnt, 0, "Get_elements of empty message");
        CHECK_MPI(MPI_Get_count(&st, rt, &cnt));
        CHECK_EQ(cnt, 0, "Get_count struct of empty message");

        /* Partial record: int,double,int received as 2 records. */
        memset(r, 0, sizeof(r));
        CHECK_MPI(MPI_Recv(r, 2, rt, 0, 4, MPI_COMM_WORLD, &st));
        CHECK_MPI(MPI_Get_count(&st, rt, &cnt));
        CHECK_EQ(cnt, MPI_UNDEFINED, "Get_count of 1.5 records");
        CHECK_MPI(MPI_Get_elements(&st, rt, &cnt));
        CHECK_EQ(cnt, 3, "Get_elements of 1.5 records");
        CHECK_MPI(MPI_Get_elements_x(&st, rt, &cx));
        CHECK_EQ(cx, 3, "Get_elements_x of 1.5 records");
        CHECK_EQ(r[0].i, 11, "partial record int");
        CHECK(r[0].d == 12.0, "partial record double %g", r[0].d);
        CHECK_EQ(r[1].i, 13, "partial record second int");
    }

    /* Status_set_elements on a local status. */
    CHECK_MPI(MPI_Status_set_elements(&st, MPI_INT, 5));
    CHECK_MPI(MPI_Get_count(&st, MPI_INT, &cnt));
    CHECK_EQ(cnt, 5, "count after Status_set_elements");
    CHECK_MPI(MPI_Get_count(&st, MPI_BYTE, &cnt));
    CHECK_EQ(cnt, 20, "bytes after Status_set_elements");
    CHECK_MPI(MPI_Status_set_elements_x(&st, rt, 4));
    CHECK_MPI(MPI_Get_elements_x(&st, rt, &cx));
    CHECK_EQ(cx, 4, "elements after Status_set_elements_x");
    CHECK_MPI(MPI_Get_count(&st, rt, &cnt));
    CHECK_EQ(cnt, 2, "records after setting 4 elements");
    /* Status_set_cancelled / Test_cancelled on a local status. */
    {
        int flag = -1;
        CHECK_MPI(MPI_Status_set_cancelled(&st, 1));
        CHECK_MPI(MPI_Test_cancelled(&st, &flag));
        CHECK_EQ(flag, 1, "Test_cancelled after Status_set_cancelled(1)");
        CHECK_MPI(MPI_Status_set_cancelled(&st, 0));
        CHECK_MPI(MPI_Test_cancelled(&st, &flag));
        CHECK_EQ(flag, 0, "Test_cancelled after Status_set_cancelled(0)");
    }
    CHECK_MPI(MPI_Type_free(&rt));
    return mpt_finish();
}
