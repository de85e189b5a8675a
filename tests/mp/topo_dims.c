/* MPI_Dims_create balance: the free dimensions must be as close to each other as possible
 * (smallest spread max - min), in non-increasing order, also with fixed entries. Known
 * decompositions, an exhaustive check of the spread for small sizes, and large inputs that
 * must finish quickly. One rank is enough. */
#include <time.h>

#include "mptest.h"

static void check_dims(int nnodes, int ndims, const int *in, const int *exp)
{
    int d[32], i;
    memcpy(d, in, sizeof(int) * (size_t)ndims);
    CHECK_MPI(MPI_Dims_create(nnodes, ndims, d));
    for (i = 0; i < ndims; i++) {
        if (d[i] != exp[i]) {
            MPT_FAIL("Dims_create(%d, %d): dims[%d] = %d, expected %d", nnodes, ndims, i, d[i],
                     exp[i]);
        }
    }
}

/* Smallest spread over all non-increasing factorisations of n into k factors <= maxf. */
static int min_spread(int n, int k, int maxf, int top)
{
    int d, best = -1;
    if (k == 1) {
        return n <= maxf ? top - n : -1;
    }
    for (d = maxf < n ? maxf : n; d >= 1; d--) {
        if (n % d == 0) {
            int s = min_spread(n / d, k - 1, d, top > 0 ? top : d);
            if (s >= 0 && (best < 0 || s < best)) {
                best = s;
            }
        }
    }
    return best;
}

static void t_known(void)
{
    check_dims(72, 2, (int[]){0, 0}, (int[]){9, 8});
    check_dims(180, 2, (int[]){0, 0}, (int[]){15, 12});
    check_dims(240, 2, (int[]){0, 0}, (int[]){16, 15});
    check_dims(720, 3, (int[]){0, 0, 0}, (int[]){10, 9, 8});
    check_dims(1800, 4, (int[]){0, 0, 0, 0}, (int[]){9, 8, 5, 5});
    /* equal spread: the candidate with the larger small factors wins */
    check_dims(233280, 6, (int[]){0, 0, 0, 0, 0, 0}, (int[]){10, 9, 9, 8, 6, 6});
    check_dims(451008, 6, (int[]){0, 0, 0, 0, 0, 0}, (int[]){29, 9, 8, 6, 6, 6});
    /* fixed entries stay, the free ones are balanced over the rest */
    check_dims(360, 3, (int[]){0, 2, 0}, (int[]){15, 2, 12});
    check_dims(64, 4, (int[]){0, 0, 16, 0}, (int[]){2, 2, 16, 1});
    check_dims(1, 2, (int[]){0, 0}, (int[]){1, 1});
    check_dims(97, 3, (int[]){0, 0, 0}, (int[]){97, 1, 1});
}

static void t_exhaustive(void)
{
    int n, k, i;
    for (k = 2; k <= 4; k++) {
        for (n = 1; n <= 400; n++) {
            int d[4] = {0, 0, 0, 0}, prod = 1;
            CHECK_MPI(MPI_Dims_create(n, k, d));
            for (i = 0; i < k; i++) {
                prod *= d[i];
                CHECK(i == 0 || d[i - 1] >= d[i], "dims for %d in %dd not non-increasing", n, k);
            }
            CHECK_EQ(prod, n, "product of dims");
            int want = min_spread(n, k, n, 0);
            CHECK(d[0] - d[k - 1] == want, "%d in %dd: spread %d (%d..%d), best possible %d", n, k,
                  d[0] - d[k - 1], d[0], d[k - 1], want);
        }
    }
}

static void t_large(void)
{
    int d[32], i, k;
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    static const int sizes[] = {735134400, 1073741824, 2147483647, 963761198, 1000000000};
    for (i = 0; i < (int)(sizeof(sizes) / sizeof(sizes[0])); i++) {
        for (k = 1; k <= 32; k *= 2) {
            long long prod = 1;
            int j;
            memset(d, 0, sizeof(d));
            CHECK_MPI(MPI_Dims_create(sizes[i], k, d));
            for (j = 0; j < k; j++) {
                prod *= d[j];
            }
            CHECK(prod == sizes[i], "product for %d in %dd", sizes[i], k);
        }
    }
    check_dims(1073741824, 2, (int[]){0, 0}, (int[]){32768, 32768});
    check_dims(1073741824, 3, (int[]){0, 0, 0}, (int[]){1024, 1024, 1024});
    clock_gettime(CLOCK_MONOTONIC, &b);
    double s = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) * 1e-9;
    CHECK(s < 10.0, "large Dims_create inputs took %.1f s", s);
}

int main(int argc, char **argv)
{
    mpt_init(&argc, &argv, 1);
    if (mpt_rank == 0) {
        t_known();
        t_exhaustive();
        t_large();
    }
    return mpt_finish();
}
