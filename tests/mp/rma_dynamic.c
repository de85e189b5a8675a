/*
 * rma_dynamic.c - dynamic windows: each rank attaches a buffer, publishes its address
 * (MPI_Get_address, then an allgather), and the others put/get at those absolute addresses;
 * a second buffer is attached later and the first detached.
 */
#include "mptest.h"

#define N 40

int main(int argc, char **argv)
{
    mpt_init(&argc, &argv, 1);
    int me = mpt_rank, n = mpt_size, i;
    MPI_Win win;
    CHECK_MPI(MPI_Win_create_dynamic(MPI_INFO_NULL, MPI_COMM_WORLD, &win));
    int flavor_ok = 0, *fl = NULL;
    CHECK_MPI(MPI_Win_get_attr(win, MPI_WIN_CREATE_FLAVOR, &fl, &flavor_ok));
    CHECK(flavor_ok && *fl == MPI_WIN_FLAVOR_DYNAMIC, "flavor attribute of a dynamic window");

    int *mem = mpt_malloc(sizeof(int) * N);
    for (i = 0; i < N; i++) {
        mem[i] = me * 1000 + i;
    }
    CHECK_MPI(MPI_Win_attach(win, mem, sizeof(int) * N));
    MPI_Aint mine, *addr = mpt_malloc(sizeof(MPI_Aint) * n);
    CHECK_MPI(MPI_Get_address(mem, &mine));
    CHECK_MPI(MPI_Allgather(&mine, 1, MPI_AINT, addr, 1, MPI_AINT, MPI_COMM_WORLD));

    int tgt = (me + 1) % n, from = (me - 1 + n) % n;
    int got[N];
    CHECK_MPI(MPI_Win_lock(MPI_LOCK_SHARED, tgt, 0, win));
    CHECK_MPI(MPI_Get(got, N, MPI_INT, tgt, addr[tgt], N, MPI_INT, win));
    CHECK_MPI(MPI_Win_unlock(tgt, win));
    for (i = 0; i < N; i++) {
        CHECK_EQ(got[i], tgt * 1000 + i, "get from the neighbour's attached memory");
    }
    MPI_Barrier(MPI_COMM_WORLD);
    /* put into the middle of the neighbour's buffer */
    int v[4] = {-1, -2, -3, -4 - me};
    CHECK_MPI(MPI_Win_lock(MPI_LOCK_EXCLUSIVE, tgt, 0, win));
    CHECK_MPI(MPI_Put(v, 4, MPI_INT, tgt, MPI_Aint_add(addr[tgt], 10 * sizeof(int)), 4, MPI_INT,
                      win));
    CHECK_MPI(MPI_Win_unlock(tgt, win));
    MPI_Barrier(MPI_COMM_WORLD);
    for (i = 0; i < N; i++) {
        int exp = i >= 10 && i < 14 ? (i < 13 ? -(i - 9) : -4 - from) : me * 1000 + i;
        CHECK_EQ(mem[i], exp, "attached memory after the neighbour's put");
    }

    /* attach a second region, detach the first, use the second with fence */
    double *mem2 = mpt_malloc(sizeof(double) * N);
    for (i = 0; i < N; i++) {
        mem2[i] = 0.0;
    }
    CHECK_MPI(MPI_Win_attach(win, mem2, sizeof(double) * N));
    MPI_Barrier(MPI_COMM_WORLD);
    CHECK_MPI(MPI_Win_detach(win, mem));
    CHECK_MPI(MPI_Get_address(mem2, &mine));
    CHECK_MPI(MPI_Allgather(&mine, 1, MPI_AINT, addr, 1, MPI_AINT, MPI_COMM_WORLD));
    double d[N];
    for (i = 0; i < N; i++) {
        d[i] = me + 0.5 * i;
    }
    CHECK_MPI(MPI_Win_fence(0, win));
    CHECK_MPI(MPI_Accumulate(d, N, MPI_DOUBLE, tgt, addr[tgt], N, MPI_DOUBLE, MPI_SUM, win));
    CHECK_MPI(MPI_Win_fence(0, win));
    for (i = 0; i < N; i++) {
        CHECK(mem2[i] == from + 0.5 * i, "accumulate into the second region: %g", mem2[i]);
    }
    CHECK_MPI(MPI_Win_fence(MPI_MODE_NOSUCCEED, win));
    CHECK_MPI(MPI_Win_detach(win, mem2));
    CHECK_MPI(MPI_Win_free(&win));
    free(mem);
    free(mem2);
    free(addr);
    return mpt_finish();
}
