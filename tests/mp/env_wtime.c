/*
 * env_wtime: MPI_Wtick > 0 and sane, MPI_Wtime monotonic over many calls,
 * and a 200 ms sleep measures between 0.19 s and 5 s.
 */
#include "mptest.h"

int main(int argc, char **argv)
{
    double tick, t0, t1, prev, now;
    int i;

    mpt_init(&argc, &argv, 1);
    tick = MPI_Wtick();
    CHECK(tick > 0.0 && tick <= 0.01, "MPI_Wtick = %g, want (0, 0.01]", tick);

    prev = MPI_Wtime();
    for (i = 0; i < 1000000; i++) {
        now = MPI_Wtime();
        CHECK(now >= prev, "MPI_Wtime went backwards: %.9f after %.9f", now,
              prev);
        prev = now;
    }
    t0 = MPI_Wtime();
    mpt_msleep(200);
    t1 = MPI_Wtime();
    CHECK(t1 - t0 >= 0.19 && t1 - t0 < 5.0,
          "200 ms sleep measured as %.6f s", t1 - t0);
    /* Wtime is seconds, not something else: compare with the clock. */
    {
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        t0 = MPI_Wtime();
        mpt_msleep(100);
        t1 = MPI_Wtime();
        clock_gettime(CLOCK_MONOTONIC, &b);
        double ref = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) * 1e-9;
        CHECK(t1 - t0 <= ref + 0.01 && t1 - t0 >= ref - 0.05,
              "Wtime interval %.6f vs clock interval %.6f", t1 - t0, ref);
    }
    return mpt_finish();
}
