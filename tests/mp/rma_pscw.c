/*
 * rma_pscw.c - general active target synchronisation: each rank exposes its window to its
 * left neighbour (MPI_Win_post/MPI_Win_wait) and accesses its right neighbour
 * (MPI_Win_start/MPI_Win_complete); then rank 0 exposes to everyone and polls with
 * MPI_Win_test while all others put into it.
 */
#include "mptest.h"

#define N 32

int main(int argc, char **argv)
{
    mpt_init(&argc, &argv, 1);
    int me = mpt_rank, n = mpt_size, i, it;
    int right = (me + 1) % n, left = (me - 1 + n) % n;
    int *base;
    MPI_Win win;
    MPI_Group world, gl, gr;
    CHECK_MPI(MPI_Win_allocate((MPI_Aint)(sizeof(int) * N * n), sizeof(int), MPI_INFO_NULL,
                               MPI_COMM_WORLD, &base, &win));
    CHECK_MPI(MPI_Comm_group(MPI_COMM_WORLD, &world));
    CHECK_MPI(MPI_Group_incl(world, 1, &left, &gl));
    CHECK_MPI(MPI_Group_incl(world, 1, &right, &gr));
    for (it = 0; it < 5; it++) {
        int buf[N], got[N];
        for (i = 0; i < N; i++) {
            base[i] = -1;
            buf[i] = me * 1000 + i + it;
            got[i] = -2;
        }
        CHECK_MPI(MPI_Win_post(gl, 0, win));
        CHECK_MPI(MPI_Win_start(gr, 0, win));
        CHECK_MPI(MPI_Put(buf, N, MPI_INT, right, 0, N, MPI_INT, win));
        CHECK_MPI(MPI_Win_complete(win));
        CHECK_MPI(MPI_Win_wait(win));
        for (i = 0; i < N; i++) {
            CHECK_EQ(base[i], left * 1000 + i + it, "value put by the left neighbour");
        }
        /* second epoch: get it back from the right neighbour */
        CHECK_MPI(MPI_Win_post(gl, MPI_MODE_NOPUT, win));
        CHECK_MPI(MPI_Win_start(gr, 0, win));
        CHECK_MPI(MPI_Get(got, N, MPI_INT, right, 0, N, MPI_INT, win));
        CHECK_MPI(MPI_Win_complete(win));
        for (i = 0; i < N; i++) {
            CHECK_EQ(got[i], me * 1000 + i + it, "value read back from the right neighbour");
        }
        CHECK_MPI(MPI_Win_wait(win));
    }
    /* rank 0 exposes to all others, waits with MPI_Win_test */
    if (n > 1) {
        MPI_Group others, g0;
        int zero = 0;
        CHECK_MPI(MPI_Group_excl(world, 1, &zero, &others));
        CHECK_MPI(MPI_Group_incl(world, 1, &zero, &g0));
        if (me == 0) {
            for (i = 0; i < N * n; i++) {
                base[i] = 0;
            }
            CHECK_MPI(MPI_Win_post(others, 0, win));
            int flag = 0;
            long polls = 0;
            double t0 = MPI_Wtime();
            while (!flag) {
                CHECK_MPI(MPI_Win_test(win, &flag));
                polls++;
                CHECK(MPI_Wtime() - t0 < 30, "Win_test never succeeded");
            }
            for (i = 1; i < n; i++) {
                CHECK_EQ(base[i * N], i + 77, "value put during the Win_test epoch");
            }
        } else {
            int v = me + 77;
            mpt_msleep(20);
            CHECK_MPI(MPI_Win_start(g0, 0, win));
            CHECK_MPI(MPI_Put(&v, 1, MPI_INT, 0, (MPI_Aint)me * N, 1, MPI_INT, win));
            CHECK_MPI(MPI_Win_complete(win));
        }
        CHECK_MPI(MPI_Group_free(&others));
        CHECK_MPI(MPI_Group_free(&g0));
    }
    CHECK_MPI(MPI_Group_free(&gl));
    CHECK_MPI(MPI_Group_free(&gr));
    CHECK_MPI(MPI_Group_free(&world));
    CHECK_MPI(MPI_Win_free(&win));
    return mpt_finish();
}
