/*
 * rma_contend.c - lock contention: every rank takes MPI_LOCK_EXCLUSIVE on rank 0 NITER times
 * and does a non-atomic get / increment / put of one counter; the final value must be exact
 * (mutual exclusion) and everything must finish within a time bound (every request is granted:
 * no starvation). Rank 0 takes part too. Optional argument: iterations.
 */
#include "mptest.h"

int main(int argc, char **argv)
{
    mpt_init(&argc, &argv, 1);
    int niter = argc > 1 ? atoi(argv[1]) : 100;
    int me = mpt_rank, n = mpt_size, i;
    long *base;
    MPI_Win win;
    CHECK_MPI(MPI_Win_allocate(sizeof(long) * 2, sizeof(long), MPI_INFO_NULL, MPI_COMM_WORLD,
                               &base, &win));
    base[0] = base[1] = 0;
    MPI_Barrier(MPI_COMM_WORLD);
    double t0 = MPI_Wtime(), worst = 0;
    for (i = 0; i < niter; i++) {
        long v = -1, one = 1;
        double a = MPI_Wtime();
        CHECK_MPI(MPI_Win_lock(MPI_LOCK_EXCLUSIVE, 0, 0, win));
        double waited = MPI_Wtime() - a;
        if (waited > worst) {
            worst = waited;
        }
        CHECK_MPI(MPI_Get(&v, 1, MPI_LONG, 0, 0, 1, MPI_LONG, win));
        CHECK_MPI(MPI_Win_flush(0, win));
        v++;
        CHECK_MPI(MPI_Put(&v, 1, MPI_LONG, 0, 0, 1, MPI_LONG, win));
        CHECK_MPI(MPI_Accumulate(&one, 1, MPI_LONG, 0, 1, 1, MPI_LONG, MPI_SUM, win));
        CHECK_MPI(MPI_Win_unlock(0, win));
        CHECK(MPI_Wtime() - t0 < 50, "iteration %d not reached within 50 s", i);
    }
    double total = MPI_Wtime() - t0;
    MPI_Barrier(MPI_COMM_WORLD);
    if (me == 0) {
        CHECK_MPI(MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, win));
        CHECK_EQ(base[0], (long)n * niter, "counter incremented under exclusive locks");
        CHECK_EQ(base[1], (long)n * niter, "accumulated counter");
        CHECK_MPI(MPI_Win_unlock(0, win));
    }
    double maxtotal, maxworst;
    MPI_Reduce(&total, &maxtotal, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
    MPI_Reduce(&worst, &maxworst, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
    if (me == 0) {
        fprintf(stderr,
                "rma_contend: %d ranks x %d lock epochs in %.2f s, longest lock wait %.3f s\n",
                n, niter, maxtotal, maxworst);
    }
    CHECK_MPI(MPI_Win_free(&win));
    return mpt_finish();
}
