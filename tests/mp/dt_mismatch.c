/*
 * dt_mismatch: send and receive with different datatypes of the same
 * type signature: vector send / contiguous receive and back, indexed
 * send / vector receive, struct of doubles / contiguous doubles,
 * contiguous(3) x 4 sent / 12 basic elements received (and a partial
 * count: Get_count on the derived type is MPI_UNDEFINED, Get_elements
 * exact), large (rendezvous-size) vector messages; and freeing a
 * datatype while a nonblocking send and receive using it are pending
 * (the operations must still complete correctly). Needs 2 ranks.
 */
#include "mptest.h"

#define NV 100000

int main(int argc, char **argv)
{
    MPI_Datatype vec, con, t3, idx;
    double *a, *b;
    int i, cnt;
    MPI_Status st;
    MPI_Request rq[2];

    mpt_init(&argc, &argv, 2);
    if (mpt_rank > 1) {
        return mpt_finish();
    }
    a = mpt_malloc(sizeof(double) * 3 * NV);
    b = mpt_malloc(sizeof(double) * 3 * NV);
    for (i = 0; i < 3 * NV; i++) {
        a[i] = i + 0.5;
    }

    /* vector(NV, 1, 3) send <-> NV contiguous doubles receive. */
    CHECK_MPI(MPI_Type_vector(NV, 1, 3, MPI_DOUBLE, &vec));
    CHECK_MPI(MPI_Type_commit(&vec));
    if (mpt_rank == 0) {
        CHECK_MPI(MPI_Send(a + 1, 1, vec, 1, 1, MPI_COMM_WORLD));
        for (i = 0; i < 3 * NV; i++) {
            b[i] = -1;
        }
        CHECK_MPI(MPI_Recv(b + 2, 1, vec, 1, 2, MPI_COMM_WORLD, &st));
        for (i = 0; i < 3 * NV; i++) {
            double want = (i % 3 == 2) ? 1000.0 + i / 3 : -1;
            CHECK(b[i] == want, "vector receive b[%d] = %g, want %g", i, b[i],
                  want);
        }
    } else {
        memset(b, 0, sizeof(double) * NV);
        CHECK_MPI(MPI_Recv(b, NV, MPI_DOUBLE, 0, 1, MPI_COMM_WORLD, &st));
        CHECK_MPI(MPI_Get_count(&st, MPI_DOUBLE, &cnt));
        CHECK_EQ(cnt, NV, "contiguous count of vector message");
        for (i = 0; i < NV; i++) {
            CHECK(b[i] == 3 * i + 1.5, "contig receive b[%d] = %g", i, b[i]);
        }
        for (i = 0; i < NV; i++) {
            b[i] = 1000.0 + i;
        }
        CHECK_MPI(MPI_Send(b, NV, MPI_DOUBLE, 0, 2, MPI_COMM_WORLD));
    }

    /* indexed send -> vector receive (both 6 doubles). */
    {
        int bl[3] = {2, 1, 3}, di[3] = {10, 0, 4};
        CHECK_MPI(MPI_Type_indexed(3, bl, di, MPI_DOUBLE, &idx));
        CHECK_MPI(MPI_Type_commit(&idx));
        CHECK_MPI(MPI_Type_vector(3, 2, 5, MPI_DOUBLE, &con));
        CHECK_MPI(MPI_Type_commit(&con));
        if (mpt_rank == 0) {
            CHECK_MPI(MPI_Send(a, 1, idx, 1, 3, MPI_COMM_WORLD));
        } else {
            double want[6] = {10.5, 11.5, 0.5, 4.5, 5.5, 6.5};
            int at[6] = {0, 1, 5, 6, 10, 11};
            for (i = 0; i < 20; i++) {
                b[i] = -7;
            }
            CHECK_MPI(MPI_Recv(b, 1, con, 0, 3, MPI_COMM_WORLD, &st));
            for (i = 0; i < 6; i++) {
                CHECK(b[at[i]] == want[i], "indexed->vector: b[%d] = %g, "
                      "want %g", at[i], b[at[i]], want[i]);
            }
            CHECK(b[2] == -7 && b[4] == -7 && b[12] == -7,
                  "vector receive wrote into its gaps");
        }
        CHECK_MPI(MPI_Type_free(&idx));
        CHECK_MPI(MPI_Type_free(&con));
    }

    /* contiguous(3) x 4 -> 12 doubles; 11 doubles -> contiguous(3). */
    CHECK_MPI(MPI_Type_contiguous(3, MPI_DOUBLE, &t3));
    CHECK_MPI(MPI_Type_commit(&t3));
    if (mpt_rank == 0) {
        CHECK_MPI(MPI_Send(a, 4, t3, 1, 4, MPI_COMM_WORLD));
        CHECK_MPI(MPI_Send(a, 11, MPI_DOUBLE, 1, 5, MPI_COMM_WORLD));
    } else {
        CHECK_MPI(MPI_Recv(b, 12, MPI_DOUBLE, 0, 4, MPI_COMM_WORLD, &st));
        CHECK_MPI(MPI_Get_count(&st, MPI_DOUBLE, &cnt));
        CHECK_EQ(cnt, 12, "count of contiguous(3)x4 as doubles");
        CHECK(b[11] == 11.5, "b[11] = %g", b[11]);
        CHECK_MPI(MPI_Recv(b, 4, t3, 0, 5, MPI_COMM_WORLD, &st));
        CHECK_MPI(MPI_Get_count(&st, t3, &cnt));
        CHECK_EQ(cnt, MPI_UNDEFINED, "Get_count of 11 doubles as triples");
        CHECK_MPI(MPI_Get_elements(&st, t3, &cnt));
        CHECK_EQ(cnt, 11, "Get_elements of 11 doubles as triples");
        CHECK(b[10] == 10.5, "b[10] = %g", b[10]);
    }
    CHECK_MPI(MPI_Type_free(&t3));

    /* Free a datatype while operations using it are pending. */
    if (mpt_rank == 0) {
        MPI_Datatype tmp;
        CHECK_MPI(MPI_Type_dup(vec, &tmp));
        CHECK_MPI(MPI_Irecv(b, 1, tmp, 1, 6, MPI_COMM_WORLD, &rq[0]));
        CHECK_MPI(MPI_Isend(a, 1, tmp, 1, 7, MPI_COMM_WORLD, &rq[1]));
        CHECK_MPI(MPI_Type_free(&tmp));
        CHECK(tmp == MPI_DATATYPE_NULL, "Type_free did not set NULL");
        /* Tell rank 1 to go only now, so both are really pending. */
        CHECK_MPI(MPI_Send(&i, 1, MPI_INT, 1, 8, MPI_COMM_WORLD));
        for (i = 0; i < 3 * NV; i++) {
            b[i] = -3;
        }
        CHECK_MPI(MPI_Waitall(2, rq, MPI_STATUSES_IGNORE));
        for (i = 0; i < 3 * NV; i++) {
            double want = (i % 3 == 0) ? 2.0 * (i / 3) : -3;
            CHECK(b[i] == want, "receive with freed type: b[%d] = %g", i,
                  b[i]);
        }
    } else {
        CHECK_MPI(MPI_Recv(&i, 1, MPI_INT, 0, 8, MPI_COMM_WORLD, &st));
        mpt_msleep(100);
        for (i = 0; i < NV; i++) {
            b[i] = 2.0 * i;
        }
        CHECK_MPI(MPI_Send(b, NV, MPI_DOUBLE, 0, 6, MPI_COMM_WORLD));
        CHECK_MPI(MPI_Recv(b, NV, MPI_DOUBLE, 0, 7, MPI_COMM_WORLD, &st));
        for (i = 0; i < NV; i++) {
            CHECK(b[i] == 3 * i + 0.5, "send with freed type: b[%d] = %g", i,
                  b[i]);
        }
    }
    CHECK_MPI(MPI_Type_free(&vec));
    free(a);
    free(b);
    return mpt_finish();
}
