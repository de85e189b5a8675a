/*
 * rma_fence.c - active-target RMA with MPI_Win_fence: every rank puts a block into every
 * other rank's window (all-to-all), then gets every block back from every rank, both with
 * contiguous and strided (vector) types on either side; MPI_Win_allocate and MPI_Win_create.
 */
#include "mptest.h"

#define N 64

static int val(int src, int dst, int i)
{
    return src * 100000 + dst * 1000 + i;
}

static void run(MPI_Win win, int *base)
{
    int p, i, n = mpt_size, me = mpt_rank;
    int *got = mpt_malloc(sizeof(int) * N * n);

    /* 1. all-to-all put of contiguous blocks: rank me writes block me at every target */
    for (i = 0; i < N * n; i++) {
        base[i] = -1;
    }
    CHECK_MPI(MPI_Win_fence(MPI_MODE_NOPRECEDE, win));
    for (p = 0; p < n; p++) {
        /* the origin buffer may be reused only after the fence: one block per target */
        int *blk = got + (size_t)p * N;
        for (i = 0; i < N; i++) {
            blk[i] = val(me, p, i);
        }
        CHECK_MPI(MPI_Put(blk, N, MPI_INT, p, (MPI_Aint)me * N, N, MPI_INT, win));
    }
    CHECK_MPI(MPI_Win_fence(0, win));
    for (p = 0; p < n; p++) {
        for (i = 0; i < N; i++) {
            CHECK_EQ(base[p * N + i], val(p, me, i), "put block element");
        }
    }

    /* 2. get every rank's block addressed to me, into a strided origin buffer */
    MPI_Datatype vec;
    CHECK_MPI(MPI_Type_vector(N, 1, 2, MPI_INT, &vec));
    CHECK_MPI(MPI_Type_commit(&vec));
    int *strided = mpt_malloc(sizeof(int) * 2 * N * n);
    for (i = 0; i < 2 * N * n; i++) {
        strided[i] = -7;
    }
    for (p = 0; p < n; p++) {
        CHECK_MPI(MPI_Get(strided + (size_t)p * 2 * N, 1, vec, p, (MPI_Aint)me * N, N, MPI_INT,
                          win));
    }
    CHECK_MPI(MPI_Win_fence(0, win));
    for (p = 0; p < n; p++) {
        for (i = 0; i < N; i++) {
            CHECK_EQ(strided[p * 2 * N + 2 * i], val(me, p, i), "strided get element");
            CHECK_EQ(strided[p * 2 * N + 2 * i + 1], -7, "gap of strided get untouched");
        }
    }

    /* 3. put with a strided target type: even slots of rank (me+1)'s region */
    int tgt = (me + 1) % n;
    int tmp[N / 2];
    for (i = 0; i < N / 2; i++) {
        tmp[i] = val(me, tgt, i) + 7;
    }
    MPI_Datatype tvec;
    CHECK_MPI(MPI_Type_vector(N / 2, 1, 2, MPI_INT, &tvec));
    CHECK_MPI(MPI_Type_commit(&tvec));
    CHECK_MPI(MPI_Put(tmp, N / 2, MPI_INT, tgt, (MPI_Aint)me * N, 1, tvec, win));
    CHECK_MPI(MPI_Win_fence(0, win));
    int from = (me - 1 + n) % n;
    for (i = 0; i < N; i++) {
        int exp = i % 2 == 0 ? val(from, me, i / 2) + 7 : val(from, me, i);
        CHECK_EQ(base[from * N + i], exp, "strided-target put element");
    }
    /* 4. large get (1 MiB) from the next rank */
    CHECK_MPI(MPI_Win_fence(MPI_MODE_NOSUCCEED, win));
    CHECK_MPI(MPI_Type_free(&vec));
    CHECK_MPI(MPI_Type_free(&tvec));
    free(strided);
    free(got);
}

static void run_large(void)
{
    size_t n = 1 << 18; /* ints: 1 MiB */
    int *buf, *dst = mpt_malloc(n * sizeof(int));
    size_t i;
    MPI_Win win;
    CHECK_MPI(MPI_Win_allocate((MPI_Aint)(n * sizeof(int)), sizeof(int), MPI_INFO_NULL,
                               MPI_COMM_WORLD, &buf, &win));
    for (i = 0; i < n; i++) {
        buf[i] = (int)(i * 3) + mpt_rank;
    }
    CHECK_MPI(MPI_Win_fence(0, win));
    int tgt = (mpt_rank + 1) % mpt_size;
    CHECK_MPI(MPI_Get(dst, (int)n, MPI_INT, tgt, 0, (int)n, MPI_INT, win));
    CHECK_MPI(MPI_Win_fence(0, win));
    for (i = 0; i < n; i++) {
        CHECK_EQ(dst[i], (int)(i * 3) + tgt, "large get element");
    }
    /* large put back (the neighbour's buffer becomes dst + 1) */
    for (i = 0; i < n; i++) {
        dst[i] += 1;
    }
    CHECK_MPI(MPI_Put(dst, (int)n, MPI_INT, tgt, 0, (int)n, MPI_INT, win));
    CHECK_MPI(MPI_Win_fence(0, win));
    for (i = 0; i < n; i++) {
        CHECK_EQ(buf[i], (int)(i * 3) + mpt_rank + 1, "large put element");
    }
    CHECK_MPI(MPI_Win_free(&win));
    free(dst);
}

int main(int argc, char **argv)
{
    mpt_init(&argc, &argv, 1);
    int *base;
    MPI_Win win;
    /* Win_allocate */
    CHECK_MPI(MPI_Win_allocate((MPI_Aint)(sizeof(int) * N * mpt_size), sizeof(int),
                               MPI_INFO_NULL, MPI_COMM_WORLD, &base, &win));
    run(win, base);
    CHECK_MPI(MPI_Win_free(&win));
    CHECK(win == MPI_WIN_NULL, "Win_free sets MPI_WIN_NULL");
    /* Win_create on user memory */
    base = mpt_malloc(sizeof(int) * N * mpt_size);
    CHECK_MPI(MPI_Win_create(base, (MPI_Aint)(sizeof(int) * N * mpt_size), sizeof(int),
                             MPI_INFO_NULL, MPI_COMM_WORLD, &win));
    run(win, base);
    CHECK_MPI(MPI_Win_free(&win));
    free(base);
    run_large();
    return mpt_finish();
}
