/*
 * dt_pack_api.c — MPI bindings: MPI_Pack/Unpack/Pack_size, the external32 variants and the
 * address helpers. The packed format of MPI_Pack is the native packed byte stream (no header),
 * so MPI_Pack_size is exactly count * size.
 */
#include <limits.h>
#include <string.h>

#include "dwcp.h"
#include "dt_impl.h"

#define ERR(code, fn, ...) dwcp_err_comm(MPI_COMM_WORLD, code, fn, __VA_ARGS__)

/* Resolve a committed datatype argument or report MPI_ERR_TYPE. */
#define GET_COMMITTED(fn, h, t)                                                                    \
    dt_impl_t *t = dt_lookup(h);                                                                   \
    if (t == NULL) {                                                                               \
        return ERR(MPI_ERR_TYPE, fn, "%#x is not a valid datatype", (unsigned)(h));               \
    }                                                                                              \
    if (!t->pub.committed) {                                                                       \
        return ERR(MPI_ERR_TYPE, fn, "datatype %#x is not committed", (unsigned)(h));             \
    }

int PMPI_Pack(const void *inbuf, int incount, MPI_Datatype datatype, void *outbuf, int outsize,
              int *position, MPI_Comm comm)
{
    const char *fn = "MPI_Pack";
    DWCP_CHECK_INIT(fn);
    if (dwcp_comm_get(comm) == NULL) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_COMM, fn, "%#x is not a communicator",
                             (unsigned)comm);
    }
    if (incount < 0) {
        return ERR(MPI_ERR_COUNT, fn, "incount %d is negative", incount);
    }
    GET_COMMITTED(fn, datatype, t);
    if (position == NULL || *position < 0 || outsize < 0) {
        return ERR(MPI_ERR_ARG, fn, "bad position or outsize");
    }
    size_t need = (size_t)incount * t->pub.size;
    if ((size_t)*position + need > (size_t)outsize) {
        return dwcp_err_comm(comm, MPI_ERR_TRUNCATE, fn,
                             "%zu packed bytes do not fit at position %d of %d bytes", need,
                             *position, outsize);
    }
    if (need > 0 && (outbuf == NULL)) {
        return ERR(MPI_ERR_BUFFER, fn, "outbuf is NULL");
    }
    dwcp_dt_pack(inbuf, (size_t)incount, &t->pub, 0, (char *)outbuf + *position, need);
    *position += (int)need;
    return MPI_SUCCESS;
}
#pragma weak MPI_Pack = PMPI_Pack

int PMPI_Unpack(const void *inbuf, int insize, int *position, void *outbuf, int outcount,
                MPI_Datatype datatype, MPI_Comm comm)
{
    const char *fn = "MPI_Unpack";
    DWCP_CHECK_INIT(fn);
    if (dwcp_comm_get(comm) == NULL) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_COMM, fn, "%#x is not a communicator",
                             (unsigned)comm);
    }
    if (outcount < 0) {
        return ERR(MPI_ERR_COUNT, fn, "outcount %d is negative", outcount);
    }
    GET_COMMITTED(fn, datatype, t);
    if (position == NULL || *position < 0 || insize < 0) {
        return ERR(MPI_ERR_ARG, fn, "bad position or insize");
    }
    size_t need = (size_t)outcount * t->pub.size;
    if ((size_t)*position + need > (size_t)insize) {
        return dwcp_err_comm(comm, MPI_ERR_TRUNCATE, fn,
                             "unpacking %zu bytes at position %d overruns the %d-byte input",
                             need, *position, insize);
    }
    if (need > 0 && inbuf == NULL) {
        return ERR(MPI_ERR_BUFFER, fn, "inbuf is NULL");
    }
    dwcp_dt_unpack((const char *)inbuf + *position, need, outbuf, (size_t)outcount, &t->pub, 0);
    *position += (int)need;
    return MPI_SUCCESS;
}
#pragma weak MPI_Unpack = PMPI_Unpack

int PMPI_Pack_size(int incount, MPI_Datatype datatype, MPI_Comm comm, int *size)
{
    const char *fn = "MPI_Pack_size";
    DWCP_CHECK_INIT(fn);
    if (dwcp_comm_get(comm) == NULL) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_COMM, fn, "%#x is not a communicator",
                             (unsigned)comm);
    }
    if (incount < 0) {
        return ERR(MPI_ERR_COUNT, fn, "incount %d is negative", incount);
    }
    if (size == NULL) {
        return ERR(MPI_ERR_ARG, fn, "size is NULL");
    }
    dt_impl_t *t = dt_lookup(datatype);
    if (t == NULL) {
        return ERR(MPI_ERR_TYPE, fn, "%#x is not a valid datatype", (unsigned)datatype);
    }
    size_t need = (size_t)incount * t->pub.size;
    if (need > INT_MAX) {
        return ERR(MPI_ERR_COUNT, fn, "%zu packed bytes do not fit in an int", need);
    }
    *size = (int)need;
    return MPI_SUCCESS;
}
#pragma weak MPI_Pack_size = PMPI_Pack_size

static int check_datarep(const char *fn, const char *datarep)
{
    if (datarep == NULL || strcmp(datarep, "external32") != 0) {
        return ERR(MPI_ERR_UNSUPPORTED_DATAREP, fn, "data representation \"%s\" (only "
                   "\"external32\" is supported)", datarep ? datarep : "(null)");
    }
    return MPI_SUCCESS;
}

int PMPI_Pack_external(const char datarep[], const void *inbuf, int incount,
                       MPI_Datatype datatype, void *outbuf, MPI_Aint outsize,
                       MPI_Aint *position)
{
    const char *fn = "MPI_Pack_external";
    DWCP_CHECK_INIT(fn);
    int rc = check_datarep(fn, datarep);
    if (rc != MPI_SUCCESS) {
        return rc;
    }
    if (incount < 0) {
        return ERR(MPI_ERR_COUNT, fn, "incount %d is negative", incount);
    }
    GET_COMMITTED(fn, datatype, t);
    if (position == NULL || *position < 0 || outsize < 0) {
        return ERR(MPI_ERR_ARG, fn, "bad position or outsize");
    }
    size_t need = (size_t)incount * t->xsize;
    if ((size_t)*position + need > (size_t)outsize) {
        return ERR(MPI_ERR_TRUNCATE, fn,
                   "%zu external32 bytes do not fit at position %ld of %ld bytes", need,
                   (long)*position, (long)outsize);
    }
    if (need > 0 && outbuf == NULL) {
        return ERR(MPI_ERR_BUFFER, fn, "outbuf is NULL");
    }
    dt_external_pack(inbuf, (size_t)incount, t, (char *)outbuf + *position);
    *position += (MPI_Aint)need;
    return MPI_SUCCESS;
}
#pragma weak MPI_Pack_external = PMPI_Pack_external

int PMPI_Unpack_external(const char datarep[], const void *inbuf, MPI_Aint insize,
                         MPI_Aint *position, void *outbuf, int outcount, MPI_Datatype datatype)
{
    const char *fn = "MPI_Unpack_external";
    DWCP_CHECK_INIT(fn);
    int rc = check_datarep(fn, datarep);
    if (rc != MPI_SUCCESS) {
        return rc;
    }
    if (outcount < 0) {
        return ERR(MPI_ERR_COUNT, fn, "outcount %d is negative", outcount);
    }
    GET_COMMITTED(fn, datatype, t);
    if (position == NULL || *position < 0 || insize < 0) {
        return ERR(MPI_ERR_ARG, fn, "bad position or insize");
    }
    size_t need = (size_t)outcount * t->xsize;
    if ((size_t)*position + need > (size_t)insize) {
        return ERR(MPI_ERR_TRUNCATE, fn,
                   "unpacking %zu external32 bytes at position %ld overruns %ld bytes", need,
                   (long)*position, (long)insize);
    }
    if (need > 0 && inbuf == NULL) {
        return ERR(MPI_ERR_BUFFER, fn, "inbuf is NULL");
    }
    dt_external_unpack((const char *)inbuf + *position, outbuf, (size_t)outcount, t);
    *position += (MPI_Aint)need;
    return MPI_SUCCESS;
}
#pragma weak MPI_Unpack_external = PMPI_Unpack_external

int PMPI_Pack_external_size(const char datarep[], int incount, MPI_Datatype datatype,
                            MPI_Aint *size)
{
    const char *fn = "MPI_Pack_external_size";
    DWCP_CHECK_INIT(fn);
    int rc = check_datarep(fn, datarep);
    if (rc != MPI_SUCCESS) {
        return rc;
    }
    if (incount < 0) {
        return ERR(MPI_ERR_COUNT, fn, "incount %d is negative", incount);
    }
    if (size == NULL) {
        return ERR(MPI_ERR_ARG, fn, "size is NULL");
    }
    dt_impl_t *t = dt_lookup(datatype);
    if (t == NULL) {
        return ERR(MPI_ERR_TYPE, fn, "%#x is not a valid datatype", (unsigned)datatype);
    }
    *size = (MPI_Aint)((size_t)incount * t->xsize);
    return MPI_SUCCESS;
}
#pragma weak MPI_Pack_external_size = PMPI_Pack_external_size

/* The address helpers work before MPI_Init and after MPI_Finalize. */
int PMPI_Get_address(const void *location, MPI_Aint *address)
{
    if (address == NULL) {
        return ERR(MPI_ERR_ARG, "MPI_Get_address", "address is NULL");
    }
    *address = (MPI_Aint)location;
    return MPI_SUCCESS;
}
#pragma weak MPI_Get_address = PMPI_Get_address

MPI_Aint PMPI_Aint_add(MPI_Aint base, MPI_Aint disp)
{
    return (MPI_Aint)((uintptr_t)base + (uintptr_t)disp);
}
#pragma weak MPI_Aint_add = PMPI_Aint_add

MPI_Aint PMPI_Aint_diff(MPI_Aint addr1, MPI_Aint addr2)
{
    return (MPI_Aint)((uintptr_t)addr1 - (uintptr_t)addr2);
}
#pragma weak MPI_Aint_diff = PMPI_Aint_diff
