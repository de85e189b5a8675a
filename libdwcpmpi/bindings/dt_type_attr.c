/*
 * dt_type_attr.c — MPI bindings: datatype keyvals and attributes (stored by core/attr.c).
 */
#include "dwcp.h"
#include "dwcp_attr.h"
#include "dt_impl.h"

#define ERR(code, fn, ...) dwcp_err_comm(MPI_COMM_WORLD, code, fn, __VA_ARGS__)

#define GET_TYPE(fn, h, t)                                                                         \
    dt_impl_t *t = dt_lookup(h);                                                                   \
    if (t == NULL) {                                                                               \
        return ERR(MPI_ERR_TYPE, fn, "%#x is not a valid datatype", (unsigned)(h));               \
    }

int PMPI_Type_create_keyval(MPI_Type_copy_attr_function *type_copy_attr_fn,
                            MPI_Type_delete_attr_function *type_delete_attr_fn,
                            int *type_keyval, void *extra_state)
{
    const char *fn = "MPI_Type_create_keyval";
    DWCP_CHECK_INIT(fn);
    if (type_keyval == NULL) {
        return ERR(MPI_ERR_ARG, fn, "type_keyval is NULL");
    }
    int rc = dwcp_keyval_create(DWCP_KIND_DATATYPE, (void (*)(void))type_copy_attr_fn,
                                (void (*)(void))type_delete_attr_fn, extra_state, type_keyval);
    if (rc != MPI_SUCCESS) {
        return ERR(rc, fn, "cannot create a keyval");
    }
    return MPI_SUCCESS;
}
#pragma weak MPI_Type_create_keyval = PMPI_Type_create_keyval

int PMPI_Type_free_keyval(int *type_keyval)
{
    const char *fn = "MPI_Type_free_keyval";
    DWCP_CHECK_INIT(fn);
    if (type_keyval == NULL) {
        return ERR(MPI_ERR_ARG, fn, "type_keyval is NULL");
    }
    int k = *type_keyval;
    int rc = dwcp_keyval_free(DWCP_KIND_DATATYPE, type_keyval);
    if (rc != MPI_SUCCESS) {
        return ERR(rc, fn, "%d is not a datatype keyval", k);
    }
    return MPI_SUCCESS;
}
#pragma weak MPI_Type_free_keyval = PMPI_Type_free_keyval

int PMPI_Type_set_attr(MPI_Datatype datatype, int type_keyval, void *attribute_val)
{
    const char *fn = "MPI_Type_set_attr";
    DWCP_CHECK_INIT(fn);
    GET_TYPE(fn, datatype, t);
    int rc = dwcp_attr_set(DWCP_KIND_DATATYPE, datatype, &t->attrs, type_keyval, attribute_val);
    if (rc != MPI_SUCCESS) {
        return ERR(rc, fn, "cannot set attribute of keyval %d", type_keyval);
    }
    return MPI_SUCCESS;
}
#pragma weak MPI_Type_set_attr = PMPI_Type_set_attr

int PMPI_Type_get_attr(MPI_Datatype datatype, int type_keyval, void *attribute_val, int *flag)
{
    const char *fn = "MPI_Type_get_attr";
    DWCP_CHECK_INIT(fn);
    GET_TYPE(fn, datatype, t);
    if (attribute_val == NULL || flag == NULL) {
        return ERR(MPI_ERR_ARG, fn, "attribute_val or flag is NULL");
    }
    int rc = dwcp_attr_get(DWCP_KIND_DATATYPE, datatype, t->attrs, type_keyval,
                           (void **)attribute_val, flag);
    if (rc != MPI_SUCCESS) {
        return ERR(rc, fn, "%d is not a datatype keyval", type_keyval);
    }
    return MPI_SUCCESS;
}
#pragma weak MPI_Type_get_attr = PMPI_Type_get_attr

int PMPI_Type_delete_attr(MPI_Datatype datatype, int type_keyval)
{
    const char *fn = "MPI_Type_delete_attr";
    DWCP_CHECK_INIT(fn);
    GET_TYPE(fn, datatype, t);
    int rc = dwcp_attr_delete(DWCP_KIND_DATATYPE, datatype, &t->attrs, type_keyval);
    if (rc != MPI_SUCCESS) {
        return ERR(rc, fn, "cannot delete attribute of keyval %d", type_keyval);
    }
    return MPI_SUCCESS;
}
#pragma weak MPI_Type_delete_attr = PMPI_Type_delete_attr
