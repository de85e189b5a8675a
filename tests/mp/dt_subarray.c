/*
 * dt_subarray: MPI_Type_create_subarray in C and Fortran order for 1-D,
 * 2-D and 3-D arrays (extent = the whole array, lb 0), checked with
 * dt_check (two consecutive arrays for count 2), plus a halo exchange
 * pattern: a 2-D array's boundary column sent as a subarray and
 * received into a ghost column.
 */
#include "dtcheck.h"

static void one(int nd, const int *sz, const int *sub, const int *st,
                int order, int reps, const char *name)
{
    MPI_Datatype t;
    MPI_Aint lb, ext;
    long total = 1, *p, *q;
    int n = 1, k = 0, idx[3] = {0, 0, 0};

    for (int d = 0; d < nd; d++) {
        total *= sz[d];
        n *= sub[d];
    }
    CHECK_MPI(MPI_Type_create_subarray(nd, sz, sub, st, order, MPI_INT, &t));
    CHECK_MPI(MPI_Type_commit(&t));
    CHECK_MPI(MPI_Type_get_extent(t, &lb, &ext));
    CHECK(lb == 0 && ext == total * 4, "%s: lb %ld extent %ld, want 0 %ld",
          name, (long)lb, (long)ext, total * 4);
    p = mpt_malloc(sizeof(long) * (size_t)n);
    /* Enumerate sub-indices with the fastest dimension last (C) or
     * first (Fortran); map to a linear offset. */
    for (int c = 0; c < n; c++) {
        long off = 0, mul = 1;
        int rem = c;
        if (order == MPI_ORDER_C) {
            for (int d = nd - 1; d >= 0; d--) {
                idx[d] = rem % sub[d];
                rem /= sub[d];
            }
            for (int d = nd - 1; d >= 0; d--) {
                off += (idx[d] + st[d]) * mul;
                mul *= sz[d];
            }
        } else {
            for (int d = 0; d < nd; d++) {
                idx[d] = rem % sub[d];
                rem /= sub[d];
            }
            for (int d = 0; d < nd; d++) {
                off += (idx[d] + st[d]) * mul;
                mul *= sz[d];
            }
        }
        p[k++] = off;
    }
    q = dt_repeat(p, n, reps, total);
    dt_check(t, reps, q, n * reps, name);
    free(q);
    free(p);
    CHECK_MPI(MPI_Type_free(&t));
}

int main(int argc, char **argv)
{
    mpt_init(&argc, &argv, 1);
    {
        int sz[1] = {20}, sub[1] = {7}, st[1] = {5};
        one(1, sz, sub, st, MPI_ORDER_C, 2, "1-D C");
        one(1, sz, sub, st, MPI_ORDER_FORTRAN, 1, "1-D Fortran");
    }
    {
        int sz[2] = {6, 9}, sub[2] = {3, 4}, st[2] = {2, 1};
        one(2, sz, sub, st, MPI_ORDER_C, 1, "2-D C");
        one(2, sz, sub, st, MPI_ORDER_C, 2, "2-D C x2");
        one(2, sz, sub, st, MPI_ORDER_FORTRAN, 1, "2-D Fortran");
        one(2, sz, sub, st, MPI_ORDER_FORTRAN, 2, "2-D Fortran x2");
    }
    {
        int sz[3] = {6, 5, 4}, sub[3] = {2, 3, 2}, st[3] = {1, 1, 2};
        one(3, sz, sub, st, MPI_ORDER_C, 1, "3-D C");
        one(3, sz, sub, st, MPI_ORDER_FORTRAN, 2, "3-D Fortran x2");
    }
    {
        int sz[3] = {4, 4, 4}, sub[3] = {4, 4, 4}, st[3] = {0, 0, 0};
        one(3, sz, sub, st, MPI_ORDER_C, 1, "3-D full array");
    }
    /* Halo exchange: 8x10 grid (C order) with ghost columns 0 and 9;
     * send my column 8 to the peer's ghost column 0. */
    {
        int g[8][10], i, j, peer;
        int sz[2] = {8, 10}, sub[2] = {8, 1}, s_st[2] = {0, 8},
            r_st[2] = {0, 0};
        MPI_Datatype sc, rc;
        MPI_Status stt;
        peer = (mpt_rank ^ 1) < mpt_size ? (mpt_rank ^ 1) : mpt_rank;
        for (i = 0; i < 8; i++) {
            for (j = 0; j < 10; j++) {
                g[i][j] = mpt_rank * 1000 + i * 10 + j;
            }
        }
        CHECK_MPI(MPI_Type_create_subarray(2, sz, sub, s_st, MPI_ORDER_C,
                                           MPI_INT, &sc));
        CHECK_MPI(MPI_Type_create_subarray(2, sz, sub, r_st, MPI_ORDER_C,
                                           MPI_INT, &rc));
        CHECK_MPI(MPI_Type_commit(&sc));
        CHECK_MPI(MPI_Type_commit(&rc));
        CHECK_MPI(MPI_Sendrecv(g, 1, sc, peer, 7, g, 1, rc, peer, 7,
                               MPI_COMM_WORLD, &stt));
        for (i = 0; i < 8; i++) {
            for (j = 0; j < 10; j++) {
                int want = (j == 0) ? peer * 1000 + i * 10 + 8
                                    : mpt_rank * 1000 + i * 10 + j;
                CHECK(g[i][j] == want, "halo g[%d][%d] = %d, want %d", i, j,
                      g[i][j], want);
            }
        }
        CHECK_MPI(MPI_Type_free(&sc));
        CHECK_MPI(MPI_Type_free(&rc));
    }
    return mpt_finish();
}
