/*
 * dt_vector: MPI_Type_contiguous, MPI_Type_vector (positive, negative
 * and zero-gap strides, blocklength > stride is not allowed so skipped),
 * MPI_Type_create_hvector (byte strides, negative too), count > 1 of
 * each (extent rules: a vector's extent ends at its last block), nested
 * contiguous-of-vector, and committed-type extents. Layout checked with
 * dt_check (pack, unpack, typed send/receive across ranks).
 */
#include "dtcheck.h"

static void vec_positions(long *p, int count, int bl, long stride)
{
    int k = 0;
    for (int c = 0; c < count; c++) {
        for (int b = 0; b < bl; b++) {
            p[k++] = c * stride + b;
        }
    }
}

static void one_vector(int count, int bl, long stride, int reps, int hv)
{
    MPI_Datatype t;
    long p1[256], *p;
    char what[96];
    MPI_Aint lb, ext;
    long exp_lb, exp_ext;

    if (hv) {
        CHECK_MPI(MPI_Type_create_hvector(count, bl, (MPI_Aint)stride * 4,
                                          MPI_INT, &t));
    } else {
        CHECK_MPI(MPI_Type_vector(count, bl, (int)stride, MPI_INT, &t));
    }
    CHECK_MPI(MPI_Type_commit(&t));
    vec_positions(p1, count, bl, stride);
    /* lb/extent in ints: span of all positions. */
    exp_lb = stride < 0 ? (count - 1) * stride : 0;
    exp_ext = (stride < 0 ? -(count - 1) * stride : (count - 1) * stride) + bl;
    CHECK_MPI(MPI_Type_get_extent(t, &lb, &ext));
    snprintf(what, sizeof(what), "%s(%d,%d,%ld) x%d",
             hv ? "hvector" : "vector", count, bl, stride, reps);
    CHECK(lb == exp_lb * 4 && ext == exp_ext * 4,
          "%s: lb %ld extent %ld, want %ld %ld", what, (long)lb, (long)ext,
          exp_lb * 4, exp_ext * 4);
    p = dt_repeat(p1, count * bl, reps, exp_ext);
    dt_check(t, reps, p, count * bl * reps, what);
    free(p);
    CHECK_MPI(MPI_Type_free(&t));
    CHECK(t == MPI_DATATYPE_NULL, "Type_free did not set DATATYPE_NULL");
}

int main(int argc, char **argv)
{
    MPI_Datatype c, v, cv;
    long p[4096];
    int i;

    mpt_init(&argc, &argv, 1);

    /* contiguous */
    CHECK_MPI(MPI_Type_contiguous(7, MPI_INT, &c));
    CHECK_MPI(MPI_Type_commit(&c));
    for (i = 0; i < 21; i++) {
        p[i] = i;
    }
    dt_check(c, 3, p, 21, "contiguous(7) x3");
    CHECK_MPI(MPI_Type_free(&c));
    CHECK_MPI(MPI_Type_contiguous(0, MPI_INT, &c));
    CHECK_MPI(MPI_Type_commit(&c));
    dt_check(c, 5, p, 0, "contiguous(0) x5");
    CHECK_MPI(MPI_Type_free(&c));

    one_vector(4, 2, 5, 1, 0);
    one_vector(4, 2, 5, 3, 0);
    one_vector(10, 1, 3, 2, 0);
    one_vector(3, 3, 3, 2, 0);  /* stride == blocklength: contiguous */
    one_vector(5, 2, -4, 1, 0); /* negative stride */
    one_vector(5, 2, -4, 3, 0);
    one_vector(4, 2, 5, 2, 1);
    one_vector(5, 3, -7, 2, 1);
    one_vector(1, 4, 100, 3, 0);

    /* contiguous(2) of vector(3,1,4): extent of vector is 9 ints. */
    CHECK_MPI(MPI_Type_vector(3, 1, 4, MPI_INT, &v));
    CHECK_MPI(MPI_Type_contiguous(2, v, &cv));
    CHECK_MPI(MPI_Type_commit(&cv));
    {
        long q[6] = {0, 4, 8, 9, 13, 17};
        dt_check(cv, 1, q, 6, "contiguous(2, vector(3,1,4))");
    }
    /* vector of vectors: vector(2, 1, 2) of the vector: stride in
     * extents (9 ints) -> starts at 0 and 18. */
    {
        MPI_Datatype vv;
        long q[6] = {0, 4, 8, 18, 22, 26};
        CHECK_MPI(MPI_Type_vector(2, 1, 2, v, &vv));
        CHECK_MPI(MPI_Type_commit(&vv));
        dt_check(vv, 1, q, 6, "vector(2,1,2, vector(3,1,4))");
        CHECK_MPI(MPI_Type_free(&vv));
    }
    CHECK_MPI(MPI_Type_free(&cv));
    CHECK_MPI(MPI_Type_free(&v));
    return mpt_finish();
}
