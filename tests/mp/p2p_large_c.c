/*
 * p2p_large_c: MPI-4 large-count entry points with ordinary counts:
 * MPI_Send_c/MPI_Recv_c around a ring (status count checked with
 * MPI_Get_count), and MPI_Alltoallv_c with per-peer counts and MPI_Aint
 * displacements. Needs >= 2 ranks.
 */
#include "mptest.h"

#define N 1000

int main(int argc, char **argv)
{
    int i, cnt;
    MPI_Status st;
    mpt_init(&argc, &argv, 2);
    int right = (mpt_rank + 1) % mpt_size, left = (mpt_rank + mpt_size - 1) % mpt_size;
    int *sb = mpt_malloc(sizeof(int) * N), *rb = mpt_malloc(sizeof(int) * N);
    for (i = 0; i < N; i++) {
        sb[i] = mpt_rank * N + i;
        rb[i] = -1;
    }
    if (mpt_rank % 2 == 0) {
        CHECK_MPI(MPI_Send_c(sb, (MPI_Count)N, MPI_INT, right, 1, MPI_COMM_WORLD));
        CHECK_MPI(MPI_Recv_c(rb, (MPI_Count)N, MPI_INT, left, 1, MPI_COMM_WORLD, &st));
    } else {
        CHECK_MPI(MPI_Recv_c(rb, (MPI_Count)N, MPI_INT, left, 1, MPI_COMM_WORLD, &st));
        CHECK_MPI(MPI_Send_c(sb, (MPI_Count)N, MPI_INT, right, 1, MPI_COMM_WORLD));
    }
    CHECK_MPI(MPI_Get_count(&st, MPI_INT, &cnt));
    CHECK_EQ(cnt, N, "Recv_c count");
    for (i = 0; i < N; i++) {
        CHECK_EQ(rb[i], left * N + i, "Recv_c data");
    }

    /* Alltoallv_c: rank r sends r + 1 ints to every peer. */
    int p = mpt_size;
    MPI_Count *sc = mpt_malloc(sizeof(MPI_Count) * (size_t)p);
    MPI_Count *rc = mpt_malloc(sizeof(MPI_Count) * (size_t)p);
    MPI_Aint *sd = mpt_malloc(sizeof(MPI_Aint) * (size_t)p);
    MPI_Aint *rd = mpt_malloc(sizeof(MPI_Aint) * (size_t)p);
    int *as = mpt_malloc(sizeof(int) * (size_t)(p * p + p)), *ar = mpt_malloc(sizeof(int) * (size_t)(p * p + p));
    MPI_Aint off = 0;
    for (i = 0; i < p; i++) {
        sc[i] = mpt_rank + 1;
        sd[i] = (MPI_Aint)i * (mpt_rank + 1);
        rc[i] = i + 1;
        rd[i] = off;
        off += i + 1;
    }
    for (i = 0; i < p * (mpt_rank + 1); i++) {
        as[i] = mpt_rank * 10000 + i;
    }
    for (i = 0; i < off; i++) {
        ar[i] = -1;
    }
    CHECK_MPI(MPI_Alltoallv_c(as, sc, sd, MPI_INT, ar, rc, rd, MPI_INT, MPI_COMM_WORLD));
    for (int src = 0; src < p; src++) {
        for (int k = 0; k <= src; k++) {
            CHECK_EQ(ar[rd[src] + k], src * 10000 + mpt_rank * (src + 1) + k, "Alltoallv_c");
        }
    }
    free(sb);
    free(rb);
    free(sc);
    free(rc);
    free(sd);
    free(rd);
    free(as);
    free(ar);
    mpt_finish();
    return 0;
}
