/*
 * p2p_isendrecv: MPI-4 MPI_Isendrecv and MPI_Isendrecv_replace. Ring shifts
 * in both directions (small and large messages, a strided datatype for
 * _replace), statuses (source, tag, count) from the receive half, a late
 * peer so the request is really pending at MPI_Test, MPI_PROC_NULL halves,
 * and mixing with other requests in MPI_Waitall. Needs >= 2 ranks.
 */
#include "mptest.h"

#define BIG 100000

static void ring(int n)
{
    int right = (mpt_rank + 1) % mpt_size, left = (mpt_rank + mpt_size - 1) % mpt_size;
    int *sb = mpt_malloc(sizeof(int) * (size_t)n), *rb = mpt_malloc(sizeof(int) * (size_t)n);
    int i, cnt, flag = 0;
    MPI_Request rq;
    MPI_Status st;
    for (i = 0; i < n; i++) {
        sb[i] = mpt_rank * 7 + i;
        rb[i] = -1;
    }
    if (mpt_rank == 0) {
        usleep(50000); /* the others' requests stay pending for a while */
    }
    CHECK_MPI(MPI_Isendrecv(sb, n, MPI_INT, right, 3, rb, n, MPI_INT, left, 3, MPI_COMM_WORLD,
                            &rq));
    CHECK_MPI(MPI_Test(&rq, &flag, &st));
    if (!flag) {
        CHECK_MPI(MPI_Wait(&rq, &st));
    }
    CHECK(rq == MPI_REQUEST_NULL, "request not freed by completion");
    CHECK_EQ(st.MPI_SOURCE, left, "source");
    CHECK_EQ(st.MPI_TAG, 3, "tag");
    CHECK_MPI(MPI_Get_count(&st, MPI_INT, &cnt));
    CHECK_EQ(cnt, n, "count");
    for (i = 0; i < n; i++) {
        CHECK_EQ(rb[i], left * 7 + i, "isendrecv data");
    }
    free(sb);
    free(rb);
}

static void replace(int n)
{
    int right = (mpt_rank + 1) % mpt_size, left = (mpt_rank + mpt_size - 1) % mpt_size;
    int *b = mpt_malloc(sizeof(int) * 2 * (size_t)n), i, cnt;
    MPI_Datatype v;
    MPI_Request rq;
    MPI_Status st;
    CHECK_MPI(MPI_Type_vector(n, 1, 2, MPI_INT, &v));
    CHECK_MPI(MPI_Type_commit(&v));
    for (i = 0; i < 2 * n; i++) {
        b[i] = (i % 2) ? -5 : mpt_rank * 1000 + i;
    }
    CHECK_MPI(MPI_Isendrecv_replace(b, 1, v, left, 4, right, 4, MPI_COMM_WORLD, &rq));
    CHECK_MPI(MPI_Type_free(&v));
    CHECK_MPI(MPI_Wait(&rq, &st));
    CHECK_EQ(st.MPI_SOURCE, right, "replace source");
    CHECK_MPI(MPI_Get_count(&st, MPI_INT, &cnt));
    CHECK_EQ(cnt, n, "replace count");
    for (i = 0; i < 2 * n; i++) {
        CHECK_EQ(b[i], (i % 2) ? -5 : right * 1000 + i, "replace data");
    }
    free(b);
}

static void procnull_and_mix(void)
{
    int right = (mpt_rank + 1) % mpt_size, left = (mpt_rank + mpt_size - 1) % mpt_size;
    int a = mpt_rank, b = -1, c = -1, d = 100 + mpt_rank;
    MPI_Request rq[3];
    MPI_Status st[3];
    CHECK_MPI(MPI_Isendrecv(&a, 1, MPI_INT, MPI_PROC_NULL, 1, &b, 1, MPI_INT, MPI_PROC_NULL, 1,
                            MPI_COMM_WORLD, &rq[0]));
    CHECK_MPI(MPI_Irecv(&c, 1, MPI_INT, left, 9, MPI_COMM_WORLD, &rq[1]));
    CHECK_MPI(MPI_Isendrecv_replace(&d, 1, MPI_INT, right, 8, left, 8, MPI_COMM_WORLD, &rq[2]));
    CHECK_MPI(MPI_Send(&a, 1, MPI_INT, right, 9, MPI_COMM_WORLD));
    CHECK_MPI(MPI_Waitall(3, rq, st));
    CHECK_EQ(st[0].MPI_SOURCE, MPI_PROC_NULL, "proc_null source");
    CHECK_EQ(b, -1, "proc_null buffer untouched");
    CHECK_EQ(c, left, "mixed irecv");
    CHECK_EQ(d, 100 + left, "mixed replace");
    CHECK_EQ(st[2].MPI_TAG, 8, "mixed replace tag");
}

int main(int argc, char **argv)
{
    int rep;
    mpt_init(&argc, &argv, 2);
    for (rep = 0; rep < 5; rep++) {
        ring(1 + rep);
        ring(BIG);
        replace(10 + rep);
        replace(BIG);
        procnull_and_mix();
    }
    mpt_finish();
    return 0;
}
