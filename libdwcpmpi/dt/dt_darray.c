/*
 * dt_darray.c — MPI_Type_create_subarray and MPI_Type_create_darray.
 *
 * Both are built from the engine's own nodes following the standard's definitions: one node per
 * dimension, innermost dimension first (the last for MPI_ORDER_C, the first for
 * MPI_ORDER_FORTRAN), each resized to the full dimension so the next one strides over it. The
 * result has lb 0 and extent prod(sizes) * extent(oldtype).
 */
#include <stdlib.h>

#include "dt_impl.h"

/* Place @p inner at byte displacement @p disp inside [0, extent): hindexed(1) + resized. */
static dt_impl_t *place(dt_impl_t *inner, MPI_Aint disp, MPI_Aint extent)
{
    size_t one = 1;
    dt_impl_t *b = dt_new_blocks(1, &one, &disp, inner, NULL);
    if (b == NULL) {
        return NULL;
    }
    dt_impl_t *a = dt_new_alias(b, 0, extent, 1);
    dt_unref(b);
    return a;
}

int dt_create_subarray(int ndims, const int *sizes, const int *subsizes, const int *starts,
                       int order, dt_impl_t *old, dt_impl_t **out)
{
    if (ndims <= 0 || (order != MPI_ORDER_C && order != MPI_ORDER_FORTRAN)) {
        return MPI_ERR_ARG;
    }
    for (int i = 0; i < ndims; i++) {
        if (sizes[i] <= 0 || subsizes[i] <= 0 || starts[i] < 0 ||
            (long)starts[i] + subsizes[i] > sizes[i]) {
            return MPI_ERR_ARG;
        }
    }
    MPI_Aint ext = old->pub.extent;
    /* dims from innermost to outermost */
    int dim0 = order == MPI_ORDER_C ? ndims - 1 : 0;
    int step = order == MPI_ORDER_C ? -1 : 1;
    dt_impl_t *t = dt_new_vector(1, (size_t)subsizes[dim0], 0, old);
    if (t == NULL) {
        return MPI_ERR_NO_MEM;
    }
    MPI_Aint stride = ext * sizes[dim0];
    MPI_Aint disp = ext * starts[dim0];
    for (int k = 1; k < ndims; k++) {
        int i = dim0 + step * k;
        dt_impl_t *v = dt_new_vector((size_t)subsizes[i], 1, stride, t);
        dt_unref(t);
        if (v == NULL) {
            return MPI_ERR_NO_MEM;
        }
        t = v;
        disp += stride * starts[i];
        stride *= sizes[i];
    }
    dt_impl_t *r = place(t, disp, stride);
    dt_unref(t);
    if (r == NULL) {
        return MPI_ERR_NO_MEM;
    }
    int *ints = malloc(((size_t)3 * ndims + 2) * sizeof(int));
    if (ints == NULL) {
        dt_unref(r);
        return MPI_ERR_NO_MEM;
    }
    ints[0] = ndims;
    for (int i = 0; i < ndims; i++) {
        ints[1 + i] = sizes[i];
        ints[1 + ndims + i] = subsizes[i];
        ints[1 + 2 * ndims + i] = starts[i];
    }
    ints[1 + 3 * ndims] = order;
    dwcs_status_t st =
        dt_set_contents(r, MPI_COMBINER_SUBARRAY, 3 * ndims + 2, ints, 0, NULL, 1, &old);
    free(ints);
    if (st != DWCS_OK) {
        dt_unref(r);
        return MPI_ERR_NO_MEM;
    }
    *out = r;
    return MPI_SUCCESS;
}

/*
 * The local part of one dimension of @p g elements of @p c distributed over @p p processes,
 * this one having coordinate @p r; extent g * extent(c), lb 0.
 */
static dt_impl_t *dim_type(int distrib, int darg, int g, int p, int r, dt_impl_t *c)
{
    MPI_Aint ext = c->pub.extent;
    if (distrib == MPI_DISTRIBUTE_NONE || distrib == MPI_DISTRIBUTE_BLOCK) {
        long b = distrib == MPI_DISTRIBUTE_NONE ? g
                 : darg == MPI_DISTRIBUTE_DFLT_DARG ? ((long)g + p - 1) / p
                                                    : darg;
        long start = (long)r * b;
        long len = g - start;
        if (len > b) {
            len = b;
        }
        if (len < 0) {
            len = 0;
            start = 0;
        }
        dt_impl_t *run = dt_new_vector(1, (size_t)len, 0, c);
        if (run == NULL) {
            return NULL;
        }
        dt_impl_t *t = place(run, (MPI_Aint)start * ext, (MPI_Aint)g * ext);
        dt_unref(run);
        return t;
    }
    /* cyclic(b): blocks r, r + p, r + 2p, ... of b elements; the last may be short */
    long b = darg == MPI_DISTRIBUTE_DFLT_DARG ? 1 : darg;
    long nb = ((long)g + b - 1) / b;
    long count = nb > r ? (nb - r + p - 1) / p : 0;
    size_t blens[2];
    MPI_Aint disps[2];
    dt_impl_t *parts[2];
    size_t n = 0;
    if (count > 0) {
        long last = r + (count - 1) * (long)p;
        long lastlen = g - last * b < b ? g - last * b : b;
        long full = lastlen == b ? count : count - 1;
        if (full > 0) {
            parts[n] = dt_new_vector((size_t)full, (size_t)b, (MPI_Aint)p * b * ext, c);
            disps[n] = (MPI_Aint)r * b * ext;
            blens[n++] = 1;
        }
        if (lastlen < b) {
            parts[n] = dt_new_vector(1, (size_t)lastlen, 0, c);
            disps[n] = (MPI_Aint)last * b * ext;
            blens[n++] = 1;
        }
    }
    dt_impl_t *t = NULL, *blk = NULL;
    int ok = 1;
    for (size_t i = 0; i < n; i++) {
        ok &= parts[i] != NULL;
    }
    if (ok) {
        blk = n > 0 ? dt_new_blocks(n, blens, disps, NULL, parts)
                    : dt_new_vector(0, 0, 0, c);
    }
    if (blk != NULL) {
        t = dt_new_alias(blk, 0, (MPI_Aint)g * ext, 1);
        dt_unref(blk);
    }
    for (size_t i = 0; i < n; i++) {
        dt_unref(parts[i]);
    }
    return t;
}

int dt_create_darray(int size, int rank, int ndims, const int *gsizes, const int *distribs,
                     const int *dargs, const int *psizes, int order, dt_impl_t *old,
                     dt_impl_t **out)
{
    if (ndims <= 0 || (order != MPI_ORDER_C && order != MPI_ORDER_FORTRAN) || size <= 0 ||
        rank < 0 || rank >= size) {
        return MPI_ERR_ARG;
    }
    long prod = 1;
    for (int i = 0; i < ndims; i++) {
        if (gsizes[i] <= 0 || psizes[i] <= 0) {
            return MPI_ERR_ARG;
        }
        int d = distribs[i];
        if (d != MPI_DISTRIBUTE_BLOCK && d != MPI_DISTRIBUTE_CYCLIC &&
            d != MPI_DISTRIBUTE_NONE) {
            return MPI_ERR_ARG;
        }
        if (dargs[i] != MPI_DISTRIBUTE_DFLT_DARG && dargs[i] <= 0 && d != MPI_DISTRIBUTE_NONE) {
            return MPI_ERR_ARG;
        }
        if (d == MPI_DISTRIBUTE_NONE && psizes[i] != 1) {
            return MPI_ERR_ARG;
        }
        if (d == MPI_DISTRIBUTE_BLOCK && dargs[i] != MPI_DISTRIBUTE_DFLT_DARG &&
            (long)dargs[i] * psizes[i] < gsizes[i]) {
            return MPI_ERR_ARG;
        }
        prod *= psizes[i];
        if (prod > size) {
            return MPI_ERR_ARG;
        }
    }
    if (prod != size) {
        return MPI_ERR_ARG;
    }
    int *coord = malloc((size_t)ndims * sizeof(int));
    int *ints = malloc(((size_t)4 * ndims + 4) * sizeof(int));
    if (coord == NULL || ints == NULL) {
        free(coord);
        free(ints);
        return MPI_ERR_NO_MEM;
    }
    /* the process grid is row-major whatever the array order */
    int rem = rank;
    for (int i = ndims - 1; i >= 0; i--) {
        coord[i] = rem % psizes[i];
        rem /= psizes[i];
    }
    int dim0 = order == MPI_ORDER_C ? ndims - 1 : 0;
    int step = order == MPI_ORDER_C ? -1 : 1;
    dt_impl_t *t = old;
    int rc = MPI_SUCCESS;
    for (int k = 0; k < ndims; k++) {
        int i = dim0 + step * k;
        dt_impl_t *n = dim_type(distribs[i], dargs[i], gsizes[i], psizes[i], coord[i], t);
        if (t != old) {
            dt_unref(t);
        }
        t = n;
        if (t == NULL) {
            rc = MPI_ERR_NO_MEM;
            break;
        }
    }
    free(coord);
    if (rc == MPI_SUCCESS) {
        dt_impl_t *r = dt_new_alias(t, 0, t->pub.extent, 1);
        dt_unref(t);
        if (r == NULL) {
            rc = MPI_ERR_NO_MEM;
        } else {
            ints[0] = size;
            ints[1] = rank;
            ints[2] = ndims;
            for (int i = 0; i < ndims; i++) {
                ints[3 + i] = gsizes[i];
                ints[3 + ndims + i] = distribs[i];
                ints[3 + 2 * ndims + i] = dargs[i];
                ints[3 + 3 * ndims + i] = psizes[i];
            }
            ints[3 + 4 * ndims] = order;
            if (dt_set_contents(r, MPI_COMBINER_DARRAY, 4 * ndims + 4, ints, 0, NULL, 1, &old) !=
                DWCS_OK) {
                dt_unref(r);
                rc = MPI_ERR_NO_MEM;
            } else {
                *out = r;
            }
        }
    }
    free(ints);
    return rc;
}
