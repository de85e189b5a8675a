/*
 * rma_lock.c - passive target: shared locks for concurrent reads, exclusive locks for
 * read-modify-write of a slot at every rank, MPI_MODE_NOCHECK, and locks on oneself.
 */
#include "mptest.h"

#define N 16

int main(int argc, char **argv)
{
    mpt_init(&argc, &argv, 1);
    int me = mpt_rank, n = mpt_size, i, p;
    int *base;
    MPI_Win win;
    CHECK_MPI(MPI_Win_allocate((MPI_Aint)(sizeof(int) * (N + n)), sizeof(int), MPI_INFO_NULL,
                               MPI_COMM_WORLD, &base, &win));
    for (i = 0; i < N; i++) {
        base[i] = me * 100 + i;
    }
    for (i = 0; i < n; i++) {
        base[N + i] = 0;
    }
    MPI_Barrier(MPI_COMM_WORLD);

    /* shared locks: read everybody's data */
    for (p = 0; p < n; p++) {
        int got[N];
        CHECK_MPI(MPI_Win_lock(MPI_LOCK_SHARED, p, 0, win));
        CHECK_MPI(MPI_Get(got, N, MPI_INT, p, 0, N, MPI_INT, win));
        CHECK_MPI(MPI_Win_unlock(p, win));
        for (i = 0; i < N; i++) {
            CHECK_EQ(got[i], p * 100 + i, "data read under a shared lock");
        }
    }
    MPI_Barrier(MPI_COMM_WORLD);

    /* exclusive locks: every rank writes its slot at every target, then reads it back */
    for (p = 0; p < n; p++) {
        int v = me + 1, back = -1;
        CHECK_MPI(MPI_Win_lock(MPI_LOCK_EXCLUSIVE, p, 0, win));
        CHECK_MPI(MPI_Put(&v, 1, MPI_INT, p, N + me, 1, MPI_INT, win));
        CHECK_MPI(MPI_Win_unlock(p, win));
        CHECK_MPI(MPI_Win_lock(MPI_LOCK_EXCLUSIVE, p, 0, win));
        CHECK_MPI(MPI_Get(&back, 1, MPI_INT, p, N + me, 1, MPI_INT, win));
        CHECK_MPI(MPI_Win_unlock(p, win));
        CHECK_EQ(back, me + 1, "slot read back under an exclusive lock");
    }
    MPI_Barrier(MPI_COMM_WORLD);
    /* local view after everybody's unlock + barrier */
    CHECK_MPI(MPI_Win_lock(MPI_LOCK_SHARED, me, 0, win));
    for (i = 0; i < n; i++) {
        CHECK_EQ(base[N + i], i + 1, "slot written by rank i");
    }
    CHECK_MPI(MPI_Win_unlock(me, win));
    MPI_Barrier(MPI_COMM_WORLD);

    /* NOCHECK: disjoint slots, no lock traffic needed */
    int tgt = (me + 1) % n, v = 1000 + me;
    CHECK_MPI(MPI_Win_lock(MPI_LOCK_SHARED, tgt, MPI_MODE_NOCHECK, win));
    CHECK_MPI(MPI_Put(&v, 1, MPI_INT, tgt, N + me, 1, MPI_INT, win));
    CHECK_MPI(MPI_Win_unlock(tgt, win));
    MPI_Barrier(MPI_COMM_WORLD);
    int from = (me - 1 + n) % n;
    CHECK_EQ(base[N + from], 1000 + from, "put under a NOCHECK lock");

    /* a rank may hold locks on several targets at once */
    if (n > 1) {
        int a = -1, b = -1;
        CHECK_MPI(MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, win));
        CHECK_MPI(MPI_Win_lock(MPI_LOCK_SHARED, n - 1, 0, win));
        CHECK_MPI(MPI_Get(&a, 1, MPI_INT, 0, 1, 1, MPI_INT, win));
        CHECK_MPI(MPI_Get(&b, 1, MPI_INT, n - 1, 1, 1, MPI_INT, win));
        CHECK_MPI(MPI_Win_unlock(n - 1, win));
        CHECK_MPI(MPI_Win_unlock(0, win));
        CHECK_EQ(a, 1, "rank 0 element 1");
        CHECK_EQ(b, (n - 1) * 100 + 1, "last rank element 1");
    }
    MPI_Barrier(MPI_COMM_WORLD);
    CHECK_MPI(MPI_Win_free(&win));
    return mpt_finish();
}
