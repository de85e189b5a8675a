/*
 * rma_flush.c - MPI_Win_lock_all with MPI_Win_flush, MPI_Win_flush_all,
 * MPI_Win_flush_local and MPI_Win_flush_local_all: data put before a flush must be visible
 * to a later get by any rank; origin buffers are reusable after the local flushes.
 */
#include "mptest.h"

#define N 8

int main(int argc, char **argv)
{
    mpt_init(&argc, &argv, 1);
    int me = mpt_rank, n = mpt_size, i, p, it;
    int *base;
    MPI_Win win;
    CHECK_MPI(MPI_Win_allocate((MPI_Aint)(sizeof(int) * N * n), sizeof(int), MPI_INFO_NULL,
                               MPI_COMM_WORLD, &base, &win));
    for (i = 0; i < N * n; i++) {
        base[i] = -1;
    }
    MPI_Barrier(MPI_COMM_WORLD);
    CHECK_MPI(MPI_Win_lock_all(0, win));
    for (it = 0; it < 3; it++) {
        int buf[N];
        /* put to each target, flush that target, read it back */
        for (p = 0; p < n; p++) {
            for (i = 0; i < N; i++) {
                buf[i] = it * 10000 + me * 100 + p + i;
            }
            CHECK_MPI(MPI_Put(buf, N, MPI_INT, p, (MPI_Aint)me * N, N, MPI_INT, win));
            CHECK_MPI(MPI_Win_flush_local(p, win)); /* buf reusable now */
            for (i = 0; i < N; i++) {
                buf[i] = -5;
            }
            CHECK_MPI(MPI_Win_flush(p, win));
            int got[N];
            CHECK_MPI(MPI_Get(got, N, MPI_INT, p, (MPI_Aint)me * N, N, MPI_INT, win));
            CHECK_MPI(MPI_Win_flush(p, win));
            for (i = 0; i < N; i++) {
                CHECK_EQ(got[i], it * 10000 + me * 100 + p + i, "read back after flush");
            }
        }
        /* puts to all, one flush_all */
        int *all = mpt_malloc(sizeof(int) * n);
        for (p = 0; p < n; p++) {
            all[p] = it * 7 + me + p;
            CHECK_MPI(MPI_Put(&all[p], 1, MPI_INT, p, (MPI_Aint)me * N, 1, MPI_INT, win));
        }
        CHECK_MPI(MPI_Win_flush_local_all(win));
        CHECK_MPI(MPI_Win_flush_all(win));
        for (p = 0; p < n; p++) {
            int g = -1;
            CHECK_MPI(MPI_Get(&g, 1, MPI_INT, p, (MPI_Aint)me * N, 1, MPI_INT, win));
            CHECK_MPI(MPI_Win_flush_local(p, win));
            CHECK_EQ(g, it * 7 + me + p, "read back after flush_all");
        }
        free(all);
    }
    CHECK_MPI(MPI_Win_unlock_all(win));
    MPI_Barrier(MPI_COMM_WORLD);
    /* after unlock_all + barrier the local memory shows the last round */
    CHECK_MPI(MPI_Win_lock(MPI_LOCK_SHARED, me, 0, win));
    for (p = 0; p < n; p++) {
        CHECK_EQ(base[p * N], 2 * 7 + p + me, "final value from rank p");
    }
    CHECK_MPI(MPI_Win_unlock(me, win));
    /* lock_all with NOCHECK */
    MPI_Barrier(MPI_COMM_WORLD);
    CHECK_MPI(MPI_Win_lock_all(MPI_MODE_NOCHECK, win));
    int v = 4242 + me;
    CHECK_MPI(MPI_Put(&v, 1, MPI_INT, (me + 1) % n, (MPI_Aint)me * N + 1, 1, MPI_INT, win));
    CHECK_MPI(MPI_Win_unlock_all(win));
    MPI_Barrier(MPI_COMM_WORLD);
    CHECK_MPI(MPI_Win_sync(win));
    int from = (me - 1 + n) % n;
    CHECK_EQ(base[from * N + 1], 4242 + from, "put under lock_all(NOCHECK)");
    CHECK_MPI(MPI_Win_free(&win));
    return mpt_finish();
}
