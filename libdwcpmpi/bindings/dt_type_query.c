/*
 * dt_type_query.c — MPI bindings: commit/free, sizes and extents, envelope/contents, names,
 * MPI_Type_match_size.
 */
#include <limits.h>
#include <string.h>

#include "dwcp.h"
#include "dwcp_attr.h"
#include "dt_impl.h"

#define ERR(code, fn, ...) dwcp_err_comm(MPI_COMM_WORLD, code, fn, __VA_ARGS__)

#define GET_TYPE(fn, h, t)                                                                         \
    dt_impl_t *t = dt_lookup(h);                                                                   \
    if (t == NULL) {                                                                               \
        return ERR(MPI_ERR_TYPE, fn, "%#x is not a valid datatype", (unsigned)(h));               \
    }

#define NONNULL(fn, p)                                                                             \
    if ((p) == NULL) {                                                                             \
        return ERR(MPI_ERR_ARG, fn, "%s is NULL", #p);                                             \
    }

int PMPI_Type_commit(MPI_Datatype *datatype)
{
    const char *fn = "MPI_Type_commit";
    DWCP_CHECK_INIT(fn);
    NONNULL(fn, datatype);
    GET_TYPE(fn, *datatype, t);
    if (!t->pub.committed) {
        dt_flatten(t);
        t->pub.committed = 1;
    }
    return MPI_SUCCESS;
}
#pragma weak MPI_Type_commit = PMPI_Type_commit

int PMPI_Type_free(MPI_Datatype *datatype)
{
    const char *fn = "MPI_Type_free";
    DWCP_CHECK_INIT(fn);
    NONNULL(fn, datatype);
    GET_TYPE(fn, *datatype, t);
    if (t->pub.builtin) {
        return ERR(MPI_ERR_TYPE, fn, "cannot free the predefined datatype %s", t->name);
    }
    int rc = dwcp_attr_delete_all(DWCP_KIND_DATATYPE, *datatype, &t->attrs);
    if (rc != MPI_SUCCESS) {
        return ERR(rc, fn, "an attribute delete callback failed");
    }
    dwcp_htab_remove(&dwcp_g.dts, *datatype);
    t->pub.handle = MPI_DATATYPE_NULL;
    t->pub.user_freed = 1;
    dt_unref(t);
    *datatype = MPI_DATATYPE_NULL;
    return MPI_SUCCESS;
}
#pragma weak MPI_Type_free = PMPI_Type_free

int PMPI_Type_size(MPI_Datatype datatype, int *size)
{
    const char *fn = "MPI_Type_size";
    DWCP_CHECK_INIT(fn);
    NONNULL(fn, size);
    GET_TYPE(fn, datatype, t);
    *size = t->pub.size > INT_MAX ? MPI_UNDEFINED : (int)t->pub.size;
    return MPI_SUCCESS;
}
#pragma weak MPI_Type_size = PMPI_Type_size

int PMPI_Type_size_x(MPI_Datatype datatype, MPI_Count *size)
{
    const char *fn = "MPI_Type_size_x";
    DWCP_CHECK_INIT(fn);
    NONNULL(fn, size);
    GET_TYPE(fn, datatype, t);
    *size = (MPI_Count)t->pub.size;
    return MPI_SUCCESS;
}
#pragma weak MPI_Type_size_x = PMPI_Type_size_x

int PMPI_Type_get_extent(MPI_Datatype datatype, MPI_Aint *lb, MPI_Aint *extent)
{
    const char *fn = "MPI_Type_get_extent";
    DWCP_CHECK_INIT(fn);
    NONNULL(fn, lb);
    NONNULL(fn, extent);
    GET_TYPE(fn, datatype, t);
    *lb = t->pub.lb;
    *extent = t->pub.extent;
    return MPI_SUCCESS;
}
#pragma weak MPI_Type_get_extent = PMPI_Type_get_extent

int PMPI_Type_get_extent_x(MPI_Datatype datatype, MPI_Count *lb, MPI_Count *extent)
{
    const char *fn = "MPI_Type_get_extent_x";
    DWCP_CHECK_INIT(fn);
    NONNULL(fn, lb);
    NONNULL(fn, extent);
    GET_TYPE(fn, datatype, t);
    *lb = t->pub.lb;
    *extent = t->pub.extent;
    return MPI_SUCCESS;
}
#pragma weak MPI_Type_get_extent_x = PMPI_Type_get_extent_x

int PMPI_Type_get_true_extent(MPI_Datatype datatype, MPI_Aint *true_lb, MPI_Aint *true_extent)
{
    const char *fn = "MPI_Type_get_true_extent";
    DWCP_CHECK_INIT(fn);
    NONNULL(fn, true_lb);
    NONNULL(fn, true_extent);
    GET_TYPE(fn, datatype, t);
    *true_lb = t->pub.true_lb;
    *true_extent = t->pub.true_ub - t->pub.true_lb;
    return MPI_SUCCESS;
}
#pragma weak MPI_Type_get_true_extent = PMPI_Type_get_true_extent

int PMPI_Type_get_true_extent_x(MPI_Datatype datatype, MPI_Count *true_lb,
                                MPI_Count *true_extent)
{
    const char *fn = "MPI_Type_get_true_extent_x";
    DWCP_CHECK_INIT(fn);
    NONNULL(fn, true_lb);
    NONNULL(fn, true_extent);
    GET_TYPE(fn, datatype, t);
    *true_lb = t->pub.true_lb;
    *true_extent = t->pub.true_ub - t->pub.true_lb;
    return MPI_SUCCESS;
}
#pragma weak MPI_Type_get_true_extent_x = PMPI_Type_get_true_extent_x

int PMPI_Type_get_envelope(MPI_Datatype datatype, int *num_integers, int *num_addresses,
                           int *num_datatypes, int *combiner)
{
    const char *fn = "MPI_Type_get_envelope";
    DWCP_CHECK_INIT(fn);
    NONNULL(fn, num_integers);
    NONNULL(fn, num_addresses);
    NONNULL(fn, num_datatypes);
    NONNULL(fn, combiner);
    GET_TYPE(fn, datatype, t);
    *num_integers = t->ni;
    *num_addresses = t->na;
    *num_datatypes = t->nd;
    *combiner = t->combiner;
    return MPI_SUCCESS;
}
#pragma weak MPI_Type_get_envelope = PMPI_Type_get_envelope

int PMPI_Type_get_contents(MPI_Datatype datatype, int max_integers, int max_addresses,
                           int max_datatypes, int array_of_integers[],
                           MPI_Aint array_of_addresses[], MPI_Datatype array_of_datatypes[])
{
    const char *fn = "MPI_Type_get_contents";
    DWCP_CHECK_INIT(fn);
    GET_TYPE(fn, datatype, t);
    if (t->combiner == MPI_COMBINER_NAMED) {
        return ERR(MPI_ERR_TYPE, fn, "%s is a named predefined datatype", t->name);
    }
    if (max_integers < t->ni || max_addresses < t->na || max_datatypes < t->nd) {
        return ERR(MPI_ERR_ARG, fn,
                   "arrays too small: need %d integers, %d addresses, %d datatypes (got %d, %d, "
                   "%d)",
                   t->ni, t->na, t->nd, max_integers, max_addresses, max_datatypes);
    }
    if ((t->ni > 0 && array_of_integers == NULL) || (t->na > 0 && array_of_addresses == NULL) ||
        (t->nd > 0 && array_of_datatypes == NULL)) {
        return ERR(MPI_ERR_ARG, fn, "NULL array argument");
    }
    /* derived inputs come back as new handles the caller frees */
    for (int i = 0; i < t->nd; i++) {
        dt_impl_t *c = t->types[i];
        if (c->pub.builtin) {
            array_of_datatypes[i] = c->pub.handle;
            continue;
        }
        dt_impl_t *k = dt_clone(c);
        if (k == NULL || dt_publish(k, &array_of_datatypes[i]) != DWCS_OK) {
            dt_unref(k);
            for (int j = 0; j < i; j++) {
                dt_impl_t *o = dt_lookup(array_of_datatypes[j]);
                if (o != NULL && !o->pub.builtin) {
                    dwcp_htab_remove(&dwcp_g.dts, array_of_datatypes[j]);
                    dt_unref(o);
                }
            }
            return ERR(MPI_ERR_NO_MEM, fn, "cannot allocate datatype handles");
        }
    }
    if (t->ni > 0) {
        memcpy(array_of_integers, t->ints, (size_t)t->ni * sizeof(int));
    }
    if (t->na > 0) {
        memcpy(array_of_addresses, t->aints, (size_t)t->na * sizeof(MPI_Aint));
    }
    return MPI_SUCCESS;
}
#pragma weak MPI_Type_get_contents = PMPI_Type_get_contents

int PMPI_Type_set_name(MPI_Datatype datatype, const char *type_name)
{
    const char *fn = "MPI_Type_set_name";
    DWCP_CHECK_INIT(fn);
    NONNULL(fn, type_name);
    GET_TYPE(fn, datatype, t);
    size_t n = strlen(type_name);
    if (n > MPI_MAX_OBJECT_NAME - 1) {
        n = MPI_MAX_OBJECT_NAME - 1;
    }
    memcpy(t->name, type_name, n);
    t->name[n] = '\0';
    return MPI_SUCCESS;
}
#pragma weak MPI_Type_set_name = PMPI_Type_set_name

int PMPI_Type_get_name(MPI_Datatype datatype, char *type_name, int *resultlen)
{
    const char *fn = "MPI_Type_get_name";
    DWCP_CHECK_INIT(fn);
    NONNULL(fn, type_name);
    NONNULL(fn, resultlen);
    GET_TYPE(fn, datatype, t);
    size_t n = strlen(t->name);
    memcpy(type_name, t->name, n + 1);
    *resultlen = (int)n;
    return MPI_SUCCESS;
}
#pragma weak MPI_Type_get_name = PMPI_Type_get_name

int PMPI_Type_match_size(int typeclass, int size, MPI_Datatype *datatype)
{
    const char *fn = "MPI_Type_match_size";
    DWCP_CHECK_INIT(fn);
    NONNULL(fn, datatype);
    static const MPI_Datatype reals[] = {MPI_FLOAT, MPI_DOUBLE, MPI_LONG_DOUBLE};
    static const MPI_Datatype ints[] = {MPI_SIGNED_CHAR, MPI_SHORT, MPI_INT, MPI_LONG,
                                        MPI_LONG_LONG};
    static const MPI_Datatype cplx[] = {MPI_C_FLOAT_COMPLEX, MPI_C_DOUBLE_COMPLEX,
                                        MPI_C_LONG_DOUBLE_COMPLEX};
    const MPI_Datatype *list;
    size_t n;
    switch (typeclass) {
    case MPI_TYPECLASS_REAL:
        list = reals;
        n = sizeof(reals) / sizeof(reals[0]);
        break;
    case MPI_TYPECLASS_INTEGER:
        list = ints;
        n = sizeof(ints) / sizeof(ints[0]);
        break;
    case MPI_TYPECLASS_COMPLEX:
        list = cplx;
        n = sizeof(cplx) / sizeof(cplx[0]);
        break;
    default:
        return ERR(MPI_ERR_ARG, fn, "typeclass %d is not MPI_TYPECLASS_REAL/INTEGER/COMPLEX",
                   typeclass);
    }
    for (size_t i = 0; i < n; i++) {
        if (size >= 0 && dwcp_dt_get(list[i])->size == (size_t)size) {
            *datatype = list[i];
            return MPI_SUCCESS;
        }
    }
    return ERR(MPI_ERR_ARG, fn, "no datatype of typeclass %d has size %d", typeclass, size);
}
#pragma weak MPI_Type_match_size = PMPI_Type_match_size

/* ---- MPI-4 large-count queries ------------------------------------------------------------- */

int PMPI_Type_size_c(MPI_Datatype datatype, MPI_Count *size)
{
    return PMPI_Type_size_x(datatype, size);
}
#pragma weak MPI_Type_size_c = PMPI_Type_size_c

int PMPI_Type_get_extent_c(MPI_Datatype datatype, MPI_Count *lb, MPI_Count *extent)
{
    return PMPI_Type_get_extent_x(datatype, lb, extent);
}
#pragma weak MPI_Type_get_extent_c = PMPI_Type_get_extent_c

int PMPI_Type_get_true_extent_c(MPI_Datatype datatype, MPI_Count *true_lb, MPI_Count *true_extent)
{
    return PMPI_Type_get_true_extent_x(datatype, true_lb, true_extent);
}
#pragma weak MPI_Type_get_true_extent_c = PMPI_Type_get_true_extent_c
