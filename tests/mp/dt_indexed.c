/*
 * dt_indexed: MPI_Type_indexed (unordered and negative displacements, a
 * zero-length block in the middle), MPI_Type_create_hindexed (byte
 * displacements), MPI_Type_create_indexed_block and
 * MPI_Type_create_hindexed_block, single and repeated (count > 1 uses
 * the extent = highest minus lowest byte touched), plus an indexed type
 * of a vector. Layout checked with dt_check.
 */
#include "dtcheck.h"

/* Positions of an indexed type (block lengths bl, int displacements d)
 * in type-map order; returns how many; sets lo/hi (in ints). */
static int idx_positions(long *p, int nb, const int *bl, const long *d,
                         long *lo, long *hi)
{
    int k = 0;
    *lo = 1L << 40;
    *hi = -(1L << 40);
    for (int i = 0; i < nb; i++) {
        for (int j = 0; j < bl[i]; j++) {
            p[k++] = d[i] + j;
        }
        if (bl[i] > 0) {
            if (d[i] < *lo) {
                *lo = d[i];
            }
            if (d[i] + bl[i] > *hi) {
                *hi = d[i] + bl[i];
            }
        }
    }
    return k;
}

enum kind { K_INDEXED, K_HINDEXED, K_IBLOCK, K_HIBLOCK };

static void one(enum kind kd, int nb, const int *bl, const long *d, int reps,
                const char *name)
{
    MPI_Datatype t;
    int id[64], i, n;
    MPI_Aint ad[64], lb, ext;
    long p1[512], lo, hi, *p;
    int bl2[64];

    for (i = 0; i < nb; i++) {
        id[i] = (int)d[i];
        ad[i] = (MPI_Aint)d[i] * 4;
        bl2[i] = (kd == K_IBLOCK || kd == K_HIBLOCK) ? bl[0] : bl[i];
    }
    switch (kd) {
    case K_INDEXED:
        CHECK_MPI(MPI_Type_indexed(nb, bl, id, MPI_INT, &t));
        break;
    case K_HINDEXED:
        CHECK_MPI(MPI_Type_create_hindexed(nb, bl, ad, MPI_INT, &t));
        break;
    case K_IBLOCK:
        CHECK_MPI(MPI_Type_create_indexed_block(nb, bl[0], id, MPI_INT, &t));
        break;
    default:
        CHECK_MPI(MPI_Type_create_hindexed_block(nb, bl[0], ad, MPI_INT,
                                                 &t));
        break;
    }
    CHECK_MPI(MPI_Type_commit(&t));
    n = idx_positions(p1, nb, bl2, d, &lo, &hi);
    CHECK_MPI(MPI_Type_get_extent(t, &lb, &ext));
    CHECK(lb == lo * 4 && ext == (hi - lo) * 4,
          "%s: lb %ld extent %ld, want %ld %ld", name, (long)lb, (long)ext,
          lo * 4, (hi - lo) * 4);
    p = dt_repeat(p1, n, reps, hi - lo);
    dt_check(t, reps, p, n * reps, name);
    free(p);
    CHECK_MPI(MPI_Type_free(&t));
}

int main(int argc, char **argv)
{
    mpt_init(&argc, &argv, 1);
    {
        int bl[] = {2, 1, 3, 1};
        long d[] = {10, 0, 4, 20};
        one(K_INDEXED, 4, bl, d, 1, "indexed unordered");
        one(K_INDEXED, 4, bl, d, 3, "indexed unordered x3");
        one(K_HINDEXED, 4, bl, d, 2, "hindexed unordered x2");
    }
    {
        int bl[] = {1, 2, 0, 2};
        long d[] = {-8, 3, 5, -3};
        one(K_INDEXED, 4, bl, d, 1, "indexed negative + empty block");
        one(K_INDEXED, 4, bl, d, 2, "indexed negative + empty block x2");
        one(K_HINDEXED, 4, bl, d, 2, "hindexed negative x2");
    }
    {
        int bl[] = {3};
        long d[] = {0, 7, 3 + 20, -12};
        one(K_IBLOCK, 4, bl, d, 1, "indexed_block");
        one(K_IBLOCK, 4, bl, d, 2, "indexed_block x2");
        one(K_HIBLOCK, 4, bl, d, 1, "hindexed_block");
        one(K_HIBLOCK, 4, bl, d, 3, "hindexed_block x3");
    }
    {
        int bl[] = {1};
        long d[64];
        for (int i = 0; i < 64; i++) {
            d[i] = (i * 37) % 64 * 2; /* a permutation of even slots */
        }
        one(K_IBLOCK, 64, bl, d, 2, "indexed_block permutation x2");
    }
    /* indexed of a vector(2,1,3) (extent 4 ints): block of 2 vectors at
     * displacement 1 (in extents) and 1 vector at displacement -2. */
    {
        MPI_Datatype v, t;
        int bl[] = {2, 1}, disp[] = {1, -2};
        long p[] = {4, 7, 8, 11, -8, -5};
        CHECK_MPI(MPI_Type_vector(2, 1, 3, MPI_INT, &v));
        CHECK_MPI(MPI_Type_indexed(2, bl, disp, v, &t));
        CHECK_MPI(MPI_Type_commit(&t));
        dt_check(t, 1, p, 6, "indexed of vector");
        CHECK_MPI(MPI_Type_free(&t));
        CHECK_MPI(MPI_Type_free(&v));
    }
    return mpt_finish();
}
