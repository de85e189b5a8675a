/*
 * dt_type_create.c — MPI bindings of the datatype constructors.
 */
#include <limits.h>
#include <stdlib.h>

#include "dwcp.h"
#include "dwcp_attr.h"
#include "dt_impl.h"

#define ERR(code, fn, ...) dwcp_err_comm(MPI_COMM_WORLD, code, fn, __VA_ARGS__)

/* Record the envelope and give the new type a handle; consumes @p t on failure. */
static int finish(dt_impl_t *t, const char *fn, int combiner, int ni, const int *ints, int na,
                  const MPI_Aint *aints, int nd, dt_impl_t *const *types, MPI_Datatype *newtype)
{
    if (t == NULL) {
        return ERR(MPI_ERR_NO_MEM, fn, "cannot allocate the new datatype");
    }
    if (dt_set_contents(t, combiner, ni, ints, na, aints, nd, types) != DWCS_OK ||
        dt_publish(t, newtype) != DWCS_OK) {
        dt_unref(t);
        return ERR(MPI_ERR_NO_MEM, fn, "cannot allocate the new datatype");
    }
    return MPI_SUCCESS;
}

/* Common checks: old type live, newtype pointer set. */
#define CHECK_OLD(fn, oldtype, old, newtype)                                                      \
    dt_impl_t *old = dt_lookup(oldtype);                                                           \
    if (old == NULL) {                                                                             \
        return ERR(MPI_ERR_TYPE, fn, "oldtype %#x is not a valid datatype", (unsigned)oldtype);   \
    }                                                                                              \
    if (newtype == NULL) {                                                                         \
        return ERR(MPI_ERR_ARG, fn, "newtype is NULL");                                            \
    }

int PMPI_Type_contiguous(int count, MPI_Datatype oldtype, MPI_Datatype *newtype)
{
    const char *fn = "MPI_Type_contiguous";
    DWCP_CHECK_INIT(fn);
    if (count < 0) {
        return ERR(MPI_ERR_COUNT, fn, "count %d is negative", count);
    }
    CHECK_OLD(fn, oldtype, old, newtype);
    dt_impl_t *t = dt_new_vector(1, (size_t)count, 0, old);
    return finish(t, fn, MPI_COMBINER_CONTIGUOUS, 1, &count, 0, NULL, 1, &old, newtype);
}
#pragma weak MPI_Type_contiguous = PMPI_Type_contiguous

static int vector(const char *fn, int count, int bl, MPI_Aint stride, int bytes,
                  MPI_Datatype oldtype, MPI_Datatype *newtype)
{
    if (count < 0) {
        return ERR(MPI_ERR_COUNT, fn, "count %d is negative", count);
    }
    if (bl < 0) {
        return ERR(MPI_ERR_COUNT, fn, "blocklength %d is negative", bl);
    }
    CHECK_OLD(fn, oldtype, old, newtype);
    MPI_Aint s = bytes ? stride : stride * old->pub.extent;
    dt_impl_t *t = dt_new_vector((size_t)count, (size_t)bl, s, old);
    if (bytes) {
        int ints[2] = {count, bl};
        return finish(t, fn, MPI_COMBINER_HVECTOR, 2, ints, 1, &stride, 1, &old, newtype);
    }
    int ints[3] = {count, bl, (int)stride};
    return finish(t, fn, MPI_COMBINER_VECTOR, 3, ints, 0, NULL, 1, &old, newtype);
}

int PMPI_Type_vector(int count, int blocklength, int stride, MPI_Datatype oldtype,
                     MPI_Datatype *newtype)
{
    DWCP_CHECK_INIT("MPI_Type_vector");
    return vector("MPI_Type_vector", count, blocklength, stride, 0, oldtype, newtype);
}
#pragma weak MPI_Type_vector = PMPI_Type_vector

int PMPI_Type_create_hvector(int count, int blocklength, MPI_Aint stride, MPI_Datatype oldtype,
                             MPI_Datatype *newtype)
{
    DWCP_CHECK_INIT("MPI_Type_create_hvector");
    return vector("MPI_Type_create_hvector", count, blocklength, stride, 1, oldtype, newtype);
}
#pragma weak MPI_Type_create_hvector = PMPI_Type_create_hvector

/*
 * Indexed family. @p blens (NULL: every block @p bl long), displacements as ints (@p idisp,
 * scaled by the old extent) or bytes (@p adisp).
 */
static int indexed(const char *fn, int combiner, int count, const int *blens, int bl,
                   const int *idisp, const MPI_Aint *adisp, MPI_Datatype oldtype,
                   MPI_Datatype *newtype)
{
    if (count < 0) {
        return ERR(MPI_ERR_COUNT, fn, "count %d is negative", count);
    }
    if (count > 0 && ((combiner != MPI_COMBINER_INDEXED_BLOCK &&
                       combiner != MPI_COMBINER_HINDEXED_BLOCK && blens == NULL) ||
                      (idisp == NULL && adisp == NULL))) {
        return ERR(MPI_ERR_ARG, fn, "NULL array argument");
    }
    if ((combiner == MPI_COMBINER_INDEXED_BLOCK || combiner == MPI_COMBINER_HINDEXED_BLOCK) &&
        bl < 0) {
        return ERR(MPI_ERR_ARG, fn, "blocklength %d is negative", bl);
    }
    CHECK_OLD(fn, oldtype, old, newtype);
    size_t n = (size_t)count;
    size_t *sb = malloc((n + 1) * sizeof(*sb));
    MPI_Aint *sd = malloc((n + 1) * sizeof(*sd));
    int *ints = malloc((2 * n + 2) * sizeof(*ints));
    if (sb == NULL || sd == NULL || ints == NULL) {
        free(sb);
        free(sd);
        free(ints);
        return ERR(MPI_ERR_NO_MEM, fn, "cannot allocate %d blocks", count);
    }
    int is_block =
        combiner == MPI_COMBINER_INDEXED_BLOCK || combiner == MPI_COMBINER_HINDEXED_BLOCK;
    int ni = 0;
    ints[ni++] = count;
    if (is_block) {
        ints[ni++] = bl;
    }
    for (size_t i = 0; i < n; i++) {
        int b = !is_block ? blens[i] : bl;
        if (b < 0) {
            free(sb);
            free(sd);
            free(ints);
            return ERR(MPI_ERR_ARG, fn, "block length %d of block %zu is negative", b, i);
        }
        sb[i] = (size_t)b;
        sd[i] = idisp != NULL ? (MPI_Aint)idisp[i] * old->pub.extent : adisp[i];
        if (!is_block) {
            ints[ni++] = b;
        }
    }
    if (idisp != NULL) {
        for (size_t i = 0; i < n; i++) {
            ints[ni++] = idisp[i];
        }
    }
    dt_impl_t *t = dt_new_blocks(n, sb, sd, old, NULL);
    int rc = finish(t, fn, combiner, ni, ints, idisp != NULL ? 0 : count, adisp, 1, &old,
                    newtype);
    free(sb);
    free(sd);
    free(ints);
    return rc;
}

int PMPI_Type_indexed(int count, const int array_of_blocklengths[],
                      const int array_of_displacements[], MPI_Datatype oldtype,
                      MPI_Datatype *newtype)
{
    DWCP_CHECK_INIT("MPI_Type_indexed");
    return indexed("MPI_Type_indexed", MPI_COMBINER_INDEXED, count, array_of_blocklengths, 0,
                   array_of_displacements, NULL, oldtype, newtype);
}
#pragma weak MPI_Type_indexed = PMPI_Type_indexed

int PMPI_Type_create_hindexed(int count, const int array_of_blocklengths[],
                              const MPI_Aint array_of_displacements[], MPI_Datatype oldtype,
                              MPI_Datatype *newtype)
{
    DWCP_CHECK_INIT("MPI_Type_create_hindexed");
    return indexed("MPI_Type_create_hindexed", MPI_COMBINER_HINDEXED, count,
                   array_of_blocklengths, 0, NULL, array_of_displacements, oldtype, newtype);
}
#pragma weak MPI_Type_create_hindexed = PMPI_Type_create_hindexed

int PMPI_Type_create_indexed_block(int count, int blocklength, const int array_of_displacements[],
                                   MPI_Datatype oldtype, MPI_Datatype *newtype)
{
    DWCP_CHECK_INIT("MPI_Type_create_indexed_block");
    return indexed("MPI_Type_create_indexed_block", MPI_COMBINER_INDEXED_BLOCK, count, NULL,
                   blocklength, array_of_displacements, NULL, oldtype, newtype);
}
#pragma weak MPI_Type_create_indexed_block = PMPI_Type_create_indexed_block

int PMPI_Type_create_hindexed_block(int count, int blocklength,
                                    const MPI_Aint array_of_displacements[],
                                    MPI_Datatype oldtype, MPI_Datatype *newtype)
{
    DWCP_CHECK_INIT("MPI_Type_create_hindexed_block");
    return indexed("MPI_Type_create_hindexed_block", MPI_COMBINER_HINDEXED_BLOCK, count, NULL,
                   blocklength, NULL, array_of_displacements, oldtype, newtype);
}
#pragma weak MPI_Type_create_hindexed_block = PMPI_Type_create_hindexed_block

int PMPI_Type_create_struct(int count, const int array_of_blocklengths[],
                            const MPI_Aint array_of_displacements[],
                            const MPI_Datatype array_of_types[], MPI_Datatype *newtype)
{
    const char *fn = "MPI_Type_create_struct";
    DWCP_CHECK_INIT(fn);
    if (count < 0) {
        return ERR(MPI_ERR_COUNT, fn, "count %d is negative", count);
    }
    if (count > 0 && (array_of_blocklengths == NULL || array_of_displacements == NULL ||
                      array_of_types == NULL)) {
        return ERR(MPI_ERR_ARG, fn, "NULL array argument");
    }
    if (newtype == NULL) {
        return ERR(MPI_ERR_ARG, fn, "newtype is NULL");
    }
    size_t n = (size_t)count;
    size_t *sb = malloc((n + 1) * sizeof(*sb));
    dt_impl_t **types = malloc((n + 1) * sizeof(*types));
    int *ints = malloc((n + 1) * sizeof(*ints));
    int rc = MPI_SUCCESS;
    if (sb == NULL || types == NULL || ints == NULL) {
        rc = ERR(MPI_ERR_NO_MEM, fn, "cannot allocate %d blocks", count);
        goto out;
    }
    ints[0] = count;
    for (size_t i = 0; i < n; i++) {
        if (array_of_blocklengths[i] < 0) {
            rc = ERR(MPI_ERR_ARG, fn, "block length %d of block %zu is negative",
                     array_of_blocklengths[i], i);
            goto out;
        }
        types[i] = dt_lookup(array_of_types[i]);
        if (types[i] == NULL) {
            rc = ERR(MPI_ERR_TYPE, fn, "array_of_types[%zu] = %#x is not a valid datatype", i,
                     (unsigned)array_of_types[i]);
            goto out;
        }
        sb[i] = (size_t)array_of_blocklengths[i];
        ints[i + 1] = array_of_blocklengths[i];
    }
    dt_impl_t *t = dt_new_blocks(n, sb, array_of_displacements, NULL, types);
    rc = finish(t, fn, MPI_COMBINER_STRUCT, count + 1, ints, count, array_of_displacements,
                count, types, newtype);
out:
    free(sb);
    free(types);
    free(ints);
    return rc;
}
#pragma weak MPI_Type_create_struct = PMPI_Type_create_struct

int PMPI_Type_create_resized(MPI_Datatype oldtype, MPI_Aint lb, MPI_Aint extent,
                             MPI_Datatype *newtype)
{
    const char *fn = "MPI_Type_create_resized";
    DWCP_CHECK_INIT(fn);
    CHECK_OLD(fn, oldtype, old, newtype);
    dt_impl_t *t = dt_new_alias(old, lb, extent, 1);
    MPI_Aint a[2] = {lb, extent};
    return finish(t, fn, MPI_COMBINER_RESIZED, 0, NULL, 2, a, 1, &old, newtype);
}
#pragma weak MPI_Type_create_resized = PMPI_Type_create_resized

int PMPI_Type_create_subarray(int ndims, const int array_of_sizes[], const int array_of_subsizes[],
                              const int array_of_starts[], int order, MPI_Datatype oldtype,
                              MPI_Datatype *newtype)
{
    const char *fn = "MPI_Type_create_subarray";
    DWCP_CHECK_INIT(fn);
    if (ndims <= 0) {
        return ERR(MPI_ERR_DIMS, fn, "ndims %d must be positive", ndims);
    }
    if (array_of_sizes == NULL || array_of_subsizes == NULL || array_of_starts == NULL) {
        return ERR(MPI_ERR_ARG, fn, "NULL array argument");
    }
    CHECK_OLD(fn, oldtype, old, newtype);
    dt_impl_t *t = NULL;
    int rc = dt_create_subarray(ndims, array_of_sizes, array_of_subsizes, array_of_starts, order,
                                old, &t);
    if (rc != MPI_SUCCESS) {
        return ERR(rc, fn, rc == MPI_ERR_ARG ? "bad order, sizes, subsizes or starts "
                                               "(need 0 <= start, 1 <= subsize, "
                                               "start + subsize <= size)"
                                             : "cannot allocate the new datatype");
    }
    if (dt_publish(t, newtype) != DWCS_OK) {
        dt_unref(t);
        return ERR(MPI_ERR_NO_MEM, fn, "cannot allocate a handle");
    }
    return MPI_SUCCESS;
}
#pragma weak MPI_Type_create_subarray = PMPI_Type_create_subarray

int PMPI_Type_create_darray(int size, int rank, int ndims, const int array_of_gsizes[],
                            const int array_of_distribs[], const int array_of_dargs[],
                            const int array_of_psizes[], int order, MPI_Datatype oldtype,
                            MPI_Datatype *newtype)
{
    const char *fn = "MPI_Type_create_darray";
    DWCP_CHECK_INIT(fn);
    if (ndims <= 0) {
        return ERR(MPI_ERR_DIMS, fn, "ndims %d must be positive", ndims);
    }
    if (array_of_gsizes == NULL || array_of_distribs == NULL || array_of_dargs == NULL ||
        array_of_psizes == NULL) {
        return ERR(MPI_ERR_ARG, fn, "NULL array argument");
    }
    if (size <= 0 || rank < 0 || rank >= size) {
        return ERR(MPI_ERR_ARG, fn, "rank %d not in [0, size %d)", rank, size);
    }
    CHECK_OLD(fn, oldtype, old, newtype);
    dt_impl_t *t = NULL;
    int rc = dt_create_darray(size, rank, ndims, array_of_gsizes, array_of_distribs,
                              array_of_dargs, array_of_psizes, order, old, &t);
    if (rc != MPI_SUCCESS) {
        return ERR(rc, fn, rc == MPI_ERR_ARG ? "bad distribution (psizes must multiply to size; "
                                               "NONE needs psize 1; BLOCK needs darg * psize "
                                               ">= gsize; dargs > 0; order C or Fortran)"
                                             : "cannot allocate the new datatype");
    }
    if (dt_publish(t, newtype) != DWCS_OK) {
        dt_unref(t);
        return ERR(MPI_ERR_NO_MEM, fn, "cannot allocate a handle");
    }
    return MPI_SUCCESS;
}
#pragma weak MPI_Type_create_darray = PMPI_Type_create_darray

int PMPI_Type_dup(MPI_Datatype oldtype, MPI_Datatype *newtype)
{
    const char *fn = "MPI_Type_dup";
    DWCP_CHECK_INIT(fn);
    CHECK_OLD(fn, oldtype, old, newtype);
    dt_impl_t *t = dt_new_alias(old, old->pub.lb, old->pub.extent, 0);
    if (t != NULL) {
        t->pub.committed = old->pub.committed;
    }
    MPI_Datatype h;
    int rc = finish(t, fn, MPI_COMBINER_DUP, 0, NULL, 0, NULL, 1, &old, &h);
    if (rc != MPI_SUCCESS) {
        return rc;
    }
    rc = dwcp_attr_copy_all(DWCP_KIND_DATATYPE, oldtype, old->attrs, &t->attrs);
    if (rc != MPI_SUCCESS) {
        dwcp_attr_delete_all(DWCP_KIND_DATATYPE, h, &t->attrs);
        dwcp_htab_remove(&dwcp_g.dts, h);
        dt_unref(t);
        return ERR(rc, fn, "an attribute copy callback failed");
    }
    *newtype = h;
    return MPI_SUCCESS;
}
#pragma weak MPI_Type_dup = PMPI_Type_dup

/* ---- MPI-4 large-count constructors --------------------------------------------------------
 * Counts that fit in an int take the int constructor (same envelope). Larger ones build the
 * type directly; their envelope then records the counts as addresses (ni 0), since there is
 * no MPI_Type_get_envelope_c yet. */

int PMPI_Type_contiguous_c(MPI_Count count, MPI_Datatype oldtype, MPI_Datatype *newtype)
{
    const char *fn = "MPI_Type_contiguous_c";
    DWCP_CHECK_INIT(fn);
    if (count < 0) {
        return ERR(MPI_ERR_COUNT, fn, "count %lld is negative", (long long)count);
    }
    if (count <= INT_MAX) {
        return PMPI_Type_contiguous((int)count, oldtype, newtype);
    }
    CHECK_OLD(fn, oldtype, old, newtype);
    MPI_Aint a = (MPI_Aint)count;
    dt_impl_t *t = dt_new_vector(1, (size_t)count, 0, old);
    return finish(t, fn, MPI_COMBINER_CONTIGUOUS, 0, NULL, 1, &a, 1, &old, newtype);
}
#pragma weak MPI_Type_contiguous_c = PMPI_Type_contiguous_c

/* Blocks of blens[i] (or bl) elements at disps[i] elements (or bytes); large-count form. */
static int indexed_c(const char *fn, int combiner, MPI_Count count, const MPI_Count *blens,
                     MPI_Count bl, const MPI_Count *disps, int bytes, MPI_Datatype oldtype,
                     MPI_Datatype *newtype)
{
    if (count < 0 || count > INT_MAX) {
        return ERR(MPI_ERR_COUNT, fn, "count %lld is out of range", (long long)count);
    }
    if (count > 0 && ((blens == NULL && combiner != MPI_COMBINER_INDEXED_BLOCK) || disps == NULL)) {
        return ERR(MPI_ERR_ARG, fn, "NULL array argument");
    }
    CHECK_OLD(fn, oldtype, old, newtype);
    size_t n = (size_t)count;
    size_t *sb = malloc((n + 1) * sizeof(*sb));
    MPI_Aint *sd = malloc((2 * n + 2) * sizeof(*sd));
    if (sb == NULL || sd == NULL) {
        free(sb);
        free(sd);
        return ERR(MPI_ERR_NO_MEM, fn, "cannot allocate %lld blocks", (long long)count);
    }
    MPI_Aint *env = sd + n + 1; /* envelope: count, block length(s), displacements */
    for (size_t i = 0; i < n; i++) {
        MPI_Count b = blens != NULL ? blens[i] : bl;
        if (b < 0) {
            free(sb);
            free(sd);
            return ERR(MPI_ERR_ARG, fn, "block length %lld of block %zu is negative",
                       (long long)b, i);
        }
        sb[i] = (size_t)b;
        sd[i] = bytes ? (MPI_Aint)disps[i] : (MPI_Aint)disps[i] * old->pub.extent;
        env[i] = (MPI_Aint)disps[i];
    }
    dt_impl_t *t = dt_new_blocks(n, sb, sd, old, NULL);
    int rc = finish(t, fn, combiner, 0, NULL, (int)n, env, 1, &old, newtype);
    free(sb);
    free(sd);
    return rc;
}

int PMPI_Type_create_indexed_block_c(MPI_Count count, MPI_Count blocklength,
                                     const MPI_Count array_of_displacements[],
                                     MPI_Datatype oldtype, MPI_Datatype *newtype)
{
    const char *fn = "MPI_Type_create_indexed_block_c";
    DWCP_CHECK_INIT(fn);
    int small = count >= 0 && count <= INT_MAX && blocklength <= INT_MAX &&
                (count == 0 || array_of_displacements != NULL);
    for (MPI_Count i = 0; small && i < count; i++) {
        small = array_of_displacements[i] >= INT_MIN && array_of_displacements[i] <= INT_MAX;
    }
    if (small && blocklength >= 0) {
        int *d = malloc(sizeof(int) * (size_t)(count + 1));
        if (d == NULL) {
            return ERR(MPI_ERR_NO_MEM, fn, "no memory");
        }
        for (MPI_Count i = 0; i < count; i++) {
            d[i] = (int)array_of_displacements[i];
        }
        int rc = PMPI_Type_create_indexed_block((int)count, (int)blocklength, d, oldtype, newtype);
        free(d);
        return rc;
    }
    if (blocklength < 0) {
        return ERR(MPI_ERR_ARG, fn, "blocklength %lld is negative", (long long)blocklength);
    }
    return indexed_c(fn, MPI_COMBINER_INDEXED_BLOCK, count, NULL, blocklength,
                     array_of_displacements, 0, oldtype, newtype);
}
#pragma weak MPI_Type_create_indexed_block_c = PMPI_Type_create_indexed_block_c

int PMPI_Type_create_hindexed_c(MPI_Count count, const MPI_Count array_of_blocklengths[],
                                const MPI_Count array_of_displacements[], MPI_Datatype oldtype,
                                MPI_Datatype *newtype)
{
    const char *fn = "MPI_Type_create_hindexed_c";
    DWCP_CHECK_INIT(fn);
    int small = count >= 0 && count <= INT_MAX &&
                (count == 0 || (array_of_blocklengths != NULL && array_of_displacements != NULL));
    for (MPI_Count i = 0; small && i < count; i++) {
        small = array_of_blocklengths[i] >= 0 && array_of_blocklengths[i] <= INT_MAX;
    }
    if (small) {
        int *b = malloc(sizeof(int) * (size_t)(count + 1));
        MPI_Aint *d = malloc(sizeof(MPI_Aint) * (size_t)(count + 1));
        if (b == NULL || d == NULL) {
            free(b);
            free(d);
            return ERR(MPI_ERR_NO_MEM, fn, "no memory");
        }
        for (MPI_Count i = 0; i < count; i++) {
            b[i] = (int)array_of_blocklengths[i];
            d[i] = (MPI_Aint)array_of_displacements[i];
        }
        int rc = PMPI_Type_create_hindexed((int)count, b, d, oldtype, newtype);
        free(b);
        free(d);
        return rc;
    }
    return indexed_c(fn, MPI_COMBINER_HINDEXED, count, array_of_blocklengths, 0,
                     array_of_displacements, 1, oldtype, newtype);
}
#pragma weak MPI_Type_create_hindexed_c = PMPI_Type_create_hindexed_c
