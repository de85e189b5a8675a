/*
 * rma_req.c - request-based RMA: MPI_Rput, MPI_Rget, MPI_Raccumulate and
 * MPI_Rget_accumulate inside a lock_all epoch, completed with MPI_Wait/MPI_Waitall/MPI_Test.
 */
#include "mptest.h"

#define N 128

int main(int argc, char **argv)
{
    mpt_init(&argc, &argv, 1);
    int me = mpt_rank, n = mpt_size, i;
    int *base;
    MPI_Win win;
    CHECK_MPI(MPI_Win_allocate(sizeof(int) * 2 * N, sizeof(int), MPI_INFO_NULL, MPI_COMM_WORLD,
                               &base, &win));
    for (i = 0; i < 2 * N; i++) {
        base[i] = 0;
    }
    MPI_Barrier(MPI_COMM_WORLD);
    int tgt = (me + 1) % n, from = (me - 1 + n) % n;
    int buf[N], got[N];
    for (i = 0; i < N; i++) {
        buf[i] = me * 1000 + i;
    }
    CHECK_MPI(MPI_Win_lock_all(0, win));
    MPI_Request rq[4];
    CHECK_MPI(MPI_Rput(buf, N, MPI_INT, tgt, 0, N, MPI_INT, win, &rq[0]));
    CHECK_MPI(MPI_Wait(&rq[0], MPI_STATUS_IGNORE));
    CHECK(rq[0] == MPI_REQUEST_NULL, "request freed by Wait");
    for (i = 0; i < N; i++) {
        buf[i] = -1; /* origin buffer reusable after the Rput request completes */
    }
    CHECK_MPI(MPI_Win_flush(tgt, win));
    CHECK_MPI(MPI_Rget(got, N, MPI_INT, tgt, 0, N, MPI_INT, win, &rq[1]));
    int flag = 0;
    double t0 = MPI_Wtime();
    while (!flag) {
        CHECK_MPI(MPI_Test(&rq[1], &flag, MPI_STATUS_IGNORE));
        CHECK(MPI_Wtime() - t0 < 30, "Rget never completed");
    }
    for (i = 0; i < N; i++) {
        CHECK_EQ(got[i], me * 1000 + i, "Rget after Rput");
    }
    int ones[N], old[N];
    for (i = 0; i < N; i++) {
        ones[i] = 1;
        old[i] = -9;
    }
    CHECK_MPI(MPI_Raccumulate(ones, N, MPI_INT, tgt, N, N, MPI_INT, MPI_SUM, win, &rq[2]));
    CHECK_MPI(MPI_Win_flush(tgt, win));
    CHECK_MPI(MPI_Rget_accumulate(ones, N, MPI_INT, old, N, MPI_INT, tgt, N, N, MPI_INT, MPI_SUM,
                                  win, &rq[3]));
    CHECK_MPI(MPI_Waitall(2, &rq[2], MPI_STATUSES_IGNORE));
    for (i = 0; i < N; i++) {
        CHECK_EQ(old[i], 1, "Rget_accumulate returns the value after Raccumulate");
    }
    CHECK_MPI(MPI_Win_unlock_all(win));
    MPI_Barrier(MPI_COMM_WORLD);
    for (i = 0; i < N; i++) {
        CHECK_EQ(base[i], from * 1000 + i, "Rput data from the left neighbour");
        CHECK_EQ(base[N + i], 2, "two accumulates from the left neighbour");
    }
    CHECK_MPI(MPI_Win_free(&win));
    return mpt_finish();
}
