/*
 * rma_atomic.c - atomics: a distributed counter at rank 0 incremented NITER times by every
 * rank with MPI_Fetch_and_op (final value and the set of fetched values must be exact), a
 * spin lock built with MPI_Compare_and_swap protecting a non-atomic read-modify-write, and
 * MPI_Get_accumulate/Fetch_and_op with MPI_NO_OP and MPI_REPLACE.
 */
#include "mptest.h"

#define NITER 200

int main(int argc, char **argv)
{
    mpt_init(&argc, &argv, 1);
    int me = mpt_rank, n = mpt_size, i;
    long long *base;
    MPI_Win win;
    CHECK_MPI(MPI_Win_allocate(sizeof(long long) * 4, sizeof(long long), MPI_INFO_NULL,
                               MPI_COMM_WORLD, &base, &win));
    for (i = 0; i < 4; i++) {
        base[i] = 0;
    }
    MPI_Barrier(MPI_COMM_WORLD);

    /* 1. counter: every fetched value is distinct, final = n * NITER */
    long long one = 1, old, *mine = mpt_malloc(sizeof(long long) * NITER);
    CHECK_MPI(MPI_Win_lock_all(0, win));
    for (i = 0; i < NITER; i++) {
        CHECK_MPI(MPI_Fetch_and_op(&one, &old, MPI_LONG_LONG, 0, 0, MPI_SUM, win));
        CHECK_MPI(MPI_Win_flush(0, win));
        mine[i] = old;
        if (i > 0) {
            CHECK(mine[i] > mine[i - 1], "fetched values increase: %lld then %lld", mine[i - 1],
                  mine[i]);
        }
    }
    CHECK_MPI(MPI_Win_unlock_all(win));
    MPI_Barrier(MPI_COMM_WORLD);
    /* all fetched values together are exactly 0 .. n*NITER-1 */
    long long *all = mpt_malloc(sizeof(long long) * NITER * n);
    CHECK_MPI(MPI_Gather(mine, NITER, MPI_LONG_LONG, all, NITER, MPI_LONG_LONG, 0,
                         MPI_COMM_WORLD));
    if (me == 0) {
        char *seen = calloc((size_t)(NITER * n), 1);
        for (i = 0; i < NITER * n; i++) {
            CHECK(all[i] >= 0 && all[i] < NITER * n, "fetched value %lld out of range", all[i]);
            CHECK(!seen[all[i]], "value %lld fetched twice", all[i]);
            seen[all[i]] = 1;
        }
        free(seen);
        CHECK_MPI(MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, win));
        CHECK_EQ(base[0], (long long)n * NITER, "counter after all increments");
        CHECK_MPI(MPI_Win_unlock(0, win));
    }
    MPI_Barrier(MPI_COMM_WORLD);

    /* 2. spin lock with CAS on base[1] of rank 0 protecting base[2] (get, +1, put) */
    CHECK_MPI(MPI_Win_lock_all(0, win));
    for (i = 0; i < 50; i++) {
        long long zero = 0, id = me + 1, prev = -1;
        double t0 = MPI_Wtime();
        do {
            CHECK_MPI(MPI_Compare_and_swap(&id, &zero, &prev, MPI_LONG_LONG, 0, 1, win));
            CHECK_MPI(MPI_Win_flush(0, win));
            CHECK(MPI_Wtime() - t0 < 60, "spin lock not acquired in 60 s");
        } while (prev != 0);
        long long v = -1;
        CHECK_MPI(MPI_Get(&v, 1, MPI_LONG_LONG, 0, 2, 1, MPI_LONG_LONG, win));
        CHECK_MPI(MPI_Win_flush(0, win));
        v++;
        CHECK_MPI(MPI_Put(&v, 1, MPI_LONG_LONG, 0, 2, 1, MPI_LONG_LONG, win));
        CHECK_MPI(MPI_Win_flush(0, win));
        /* release: swap back to 0, must have held it */
        CHECK_MPI(MPI_Compare_and_swap(&zero, &id, &prev, MPI_LONG_LONG, 0, 1, win));
        CHECK_MPI(MPI_Win_flush(0, win));
        CHECK_EQ(prev, id, "lock word while holding the lock");
    }
    CHECK_MPI(MPI_Win_unlock_all(win));
    MPI_Barrier(MPI_COMM_WORLD);
    if (me == 0) {
        CHECK_EQ(base[2], 50LL * n, "count protected by the CAS spin lock");
        CHECK_EQ(base[1], 0, "lock word released");
    }
    MPI_Barrier(MPI_COMM_WORLD);

    /* 3. NO_OP fetch and REPLACE swap on one's own right neighbour */
    int tgt = (me + 1) % n;
    CHECK_MPI(MPI_Win_lock(MPI_LOCK_EXCLUSIVE, tgt, 0, win));
    long long newv = 1000 + me, got = -1, dummy = 0;
    CHECK_MPI(MPI_Fetch_and_op(&newv, &got, MPI_LONG_LONG, tgt, 3, MPI_REPLACE, win));
    CHECK_MPI(MPI_Win_flush(tgt, win));
    CHECK_EQ(got, 0, "old value swapped out");
    CHECK_MPI(MPI_Fetch_and_op(&dummy, &got, MPI_LONG_LONG, tgt, 3, MPI_NO_OP, win));
    CHECK_MPI(MPI_Win_unlock(tgt, win));
    CHECK_EQ(got, 1000 + me, "NO_OP fetch reads the swapped-in value");
    long long g2[2] = {-1, -1};
    MPI_Barrier(MPI_COMM_WORLD);
    CHECK_MPI(MPI_Win_lock(MPI_LOCK_SHARED, tgt, 0, win));
    CHECK_MPI(MPI_Get_accumulate(NULL, 0, MPI_LONG_LONG, g2, 2, MPI_LONG_LONG, tgt, 2, 2,
                                 MPI_LONG_LONG, MPI_NO_OP, win));
    CHECK_MPI(MPI_Win_unlock(tgt, win));
    CHECK_EQ(g2[1], 1000 + me, "Get_accumulate(NO_OP) element 1");
    CHECK_EQ(g2[0], tgt == 0 ? 50LL * n : 0, "Get_accumulate(NO_OP) element 0");
    MPI_Barrier(MPI_COMM_WORLD);
    free(mine);
    free(all);
    CHECK_MPI(MPI_Win_free(&win));
    return mpt_finish();
}
