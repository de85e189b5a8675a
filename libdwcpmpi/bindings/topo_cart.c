/* Cartesian topology bindings, MPI_Dims_create and MPI_Topo_test. */
#include <stdlib.h>
#include <string.h>

#include "dwcp_bind.h"
#include "dwcp_comm.h"
#include "dwcp_topo.h"

/* Resolve @p comm and its Cartesian topology. */
static int get_cart(const char *fn, MPI_Comm comm, dwcp_comm_t **c, dwcp_topo_t **t)
{
    *c = dwcp_comm_get(comm);
    if (*c == NULL) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_COMM, fn, "invalid communicator");
    }
    *t = dwcp_topo_get(*c);
    if (*t == NULL || (*t)->kind != MPI_CART) {
        return dwcp_err_comm(comm, MPI_ERR_TOPOLOGY, fn,
                             "the communicator has no Cartesian topology");
    }
    return MPI_SUCCESS;
}

/* See dwcp_topo.h (shared with the graph bindings). */
int dwcp_topo_comm_create(const char *fn, dwcp_comm_t *c, int n,
                          dwcp_topo_t *(*mk)(void *arg, int rank), void *arg, MPI_Comm *out)
{
    dwcp_comm_t *nc = NULL;
    dwcs_status_t st = dwcp_comm_split(c, c->rank < n ? 0 : MPI_UNDEFINED, c->rank, &nc);
    if (st != DWCS_OK) {
        return dwcp_err_comm(c->handle, dwcp_status_to_class(st), fn, "%s", dwcs_status_string(st));
    }
    if (nc == NULL) {
        *out = MPI_COMM_NULL;
        return MPI_SUCCESS;
    }
    dwcp_topo_t *t = mk(arg, nc->rank);
    st = t != NULL ? dwcp_topo_attach(nc, t) : DWCS_ERR_NO_MEMORY;
    if (st != DWCS_OK) {
        dwcp_ctx_release(nc->ctx);
        dwcp_comm_release(nc);
        return dwcp_err_comm(c->handle, dwcp_status_to_class(st), fn, "cannot attach topology");
    }
    *out = nc->handle;
    return MPI_SUCCESS;
}

int PMPI_Dims_create(int nnodes, int ndims, int dims[])
{
    DWCP_CHECK_INIT("MPI_Dims_create");
    if (ndims > 0 && dims == NULL) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_ARG, "MPI_Dims_create", "NULL dims");
    }
    int rc = dwcp_topo_dims_create(nnodes, ndims, dims);
    if (rc != MPI_SUCCESS) {
        return dwcp_err_comm(MPI_COMM_WORLD, rc, "MPI_Dims_create",
                             "cannot spread %d nodes over %d dimensions with the given fixed "
                             "sizes (or a negative size or count)",
                             nnodes, ndims);
    }
    return MPI_SUCCESS;
}
DWCP_WEAK(Dims_create)

typedef struct {
    int ndims;
    const int *dims, *periods;
} cart_args_t;

static dwcp_topo_t *mk_cart(void *arg, int rank)
{
    cart_args_t *a = arg;
    return dwcp_topo_cart_new(a->ndims, a->dims, a->periods, rank);
}

int PMPI_Cart_create(MPI_Comm comm_old, int ndims, const int dims[], const int periods[],
                     int reorder, MPI_Comm *comm_cart)
{
    const char *fn = "MPI_Cart_create";
    int i;
    long n = 1;
    (void)reorder; /* ranks are never reordered */
    DWCP_CHECK_INIT(fn);
    DWCP_GET_COMM(fn, comm_old, c);
    if (c->remote != NULL) {
        return dwcp_err_comm(comm_old, MPI_ERR_COMM, fn, "not defined on intercommunicators");
    }
    if (ndims < 0) {
        return dwcp_err_comm(comm_old, MPI_ERR_DIMS, fn, "negative ndims %d", ndims);
    }
    if (comm_cart == NULL || (ndims > 0 && (dims == NULL || periods == NULL))) {
        return dwcp_err_comm(comm_old, MPI_ERR_ARG, fn, "NULL argument");
    }
    for (i = 0; i < ndims; i++) {
        if (dims[i] <= 0) {
            return dwcp_err_comm(comm_old, MPI_ERR_DIMS, fn, "dims[%d] = %d is not positive", i,
                                 dims[i]);
        }
        n *= dims[i];
        if (n > c->size) {
            break;
        }
    }
    if (n > c->size) {
        return dwcp_err_comm(comm_old, MPI_ERR_ARG, fn,
                             "the grid needs more processes than the %d of the communicator",
                             c->size);
    }
    cart_args_t a = {ndims, dims, periods};
    return dwcp_topo_comm_create(fn, c, (int)n, mk_cart, &a, comm_cart);
}
DWCP_WEAK(Cart_create)

int PMPI_Cartdim_get(MPI_Comm comm, int *ndims)
{
    dwcp_comm_t *c;
    dwcp_topo_t *t;
    DWCP_CHECK_INIT("MPI_Cartdim_get");
    int rc = get_cart("MPI_Cartdim_get", comm, &c, &t);
    if (rc == MPI_SUCCESS) {
        *ndims = t->ndims;
    }
    return rc;
}
DWCP_WEAK(Cartdim_get)

int PMPI_Cart_get(MPI_Comm comm, int maxdims, int dims[], int periods[], int coords[])
{
    dwcp_comm_t *c;
    dwcp_topo_t *t;
    int i;
    DWCP_CHECK_INIT("MPI_Cart_get");
    int rc = get_cart("MPI_Cart_get", comm, &c, &t);
    if (rc != MPI_SUCCESS) {
        return rc;
    }
    if (maxdims < 0) {
        return dwcp_err_comm(comm, MPI_ERR_ARG, "MPI_Cart_get", "negative maxdims");
    }
    for (i = 0; i < t->ndims && i < maxdims; i++) {
        dims[i] = t->dims[i];
        periods[i] = t->periods[i];
        coords[i] = t->coords[i];
    }
    return MPI_SUCCESS;
}
DWCP_WEAK(Cart_get)

int PMPI_Cart_rank(MPI_Comm comm, const int coords[], int *rank)
{
    dwcp_comm_t *c;
    dwcp_topo_t *t;
    DWCP_CHECK_INIT("MPI_Cart_rank");
    int rc = get_cart("MPI_Cart_rank", comm, &c, &t);
    if (rc != MPI_SUCCESS) {
        return rc;
    }
    if (rank == NULL || (t->ndims > 0 && coords == NULL)) {
        return dwcp_err_comm(comm, MPI_ERR_ARG, "MPI_Cart_rank", "NULL argument");
    }
    int r = dwcp_topo_cart_rank(t, coords);
    if (r < 0) {
        return dwcp_err_comm(comm, MPI_ERR_RANK, "MPI_Cart_rank",
                             "coordinate out of range in a non-periodic dimension");
    }
    *rank = r;
    return MPI_SUCCESS;
}
DWCP_WEAK(Cart_rank)

int PMPI_Cart_coords(MPI_Comm comm, int rank, int maxdims, int coords[])
{
    dwcp_comm_t *c;
    dwcp_topo_t *t;
    DWCP_CHECK_INIT("MPI_Cart_coords");
    int rc = get_cart("MPI_Cart_coords", comm, &c, &t);
    if (rc != MPI_SUCCESS) {
        return rc;
    }
    if (rank < 0 || rank >= c->size) {
        return dwcp_err_comm(comm, MPI_ERR_RANK, "MPI_Cart_coords", "invalid rank %d (size %d)",
                             rank, c->size);
    }
    if (maxdims < t->ndims) {
        return dwcp_err_comm(comm, MPI_ERR_ARG, "MPI_Cart_coords",
                             "maxdims %d is less than the %d dimensions", maxdims, t->ndims);
    }
    dwcp_topo_cart_coords(t, rank, coords);
    return MPI_SUCCESS;
}
DWCP_WEAK(Cart_coords)

int PMPI_Cart_shift(MPI_Comm comm, int direction, int disp, int *rank_source, int *rank_dest)
{
    dwcp_comm_t *c;
    dwcp_topo_t *t;
    DWCP_CHECK_INIT("MPI_Cart_shift");
    int rc = get_cart("MPI_Cart_shift", comm, &c, &t);
    if (rc != MPI_SUCCESS) {
        return rc;
    }
    if (direction < 0 || direction >= t->ndims) {
        return dwcp_err_comm(comm, MPI_ERR_ARG, "MPI_Cart_shift", "direction %d outside 0..%d",
                             direction, t->ndims - 1);
    }
    if (rank_source == NULL || rank_dest == NULL) {
        return dwcp_err_comm(comm, MPI_ERR_ARG, "MPI_Cart_shift", "NULL argument");
    }
    dwcp_topo_cart_shift(t, direction, disp, rank_source, rank_dest);
    return MPI_SUCCESS;
}
DWCP_WEAK(Cart_shift)

int PMPI_Cart_sub(MPI_Comm comm, const int remain_dims[], MPI_Comm *newcomm)
{
    const char *fn = "MPI_Cart_sub";
    dwcp_comm_t *c;
    dwcp_topo_t *t;
    int i, k = 0, color = 0, key = 0;
    DWCP_CHECK_INIT(fn);
    int rc = get_cart(fn, comm, &c, &t);
    if (rc != MPI_SUCCESS) {
        return rc;
    }
    if (newcomm == NULL || (t->ndims > 0 && remain_dims == NULL)) {
        return dwcp_err_comm(comm, MPI_ERR_ARG, fn, "NULL argument");
    }
    int *dims = malloc(sizeof(int) * (size_t)(t->ndims + 1));
    int *periods = malloc(sizeof(int) * (size_t)(t->ndims + 1));
    if (dims == NULL || periods == NULL) {
        free(dims);
        free(periods);
        return dwcp_err_comm(comm, MPI_ERR_NO_MEM, fn, "no memory");
    }
    /* color: coordinates in the dropped dimensions; key: those in the kept ones */
    for (i = 0; i < t->ndims; i++) {
        if (remain_dims[i]) {
            dims[k] = t->dims[i];
            periods[k++] = t->periods[i];
            key = key * t->dims[i] + t->coords[i];
        } else {
            color = color * t->dims[i] + t->coords[i];
        }
    }
    dwcp_comm_t *nc = NULL;
    dwcs_status_t st = dwcp_comm_split(c, color, key, &nc);
    if (st == DWCS_OK) {
        dwcp_topo_t *nt = dwcp_topo_cart_new(k, dims, periods, nc->rank);
        st = nt != NULL ? dwcp_topo_attach(nc, nt) : DWCS_ERR_NO_MEMORY;
        if (st != DWCS_OK) {
            dwcp_ctx_release(nc->ctx);
            dwcp_comm_release(nc);
        }
    }
    free(dims);
    free(periods);
    if (st != DWCS_OK) {
        return dwcp_err_comm(comm, dwcp_status_to_class(st), fn, "%s", dwcs_status_string(st));
    }
    *newcomm = nc->handle;
    return MPI_SUCCESS;
}
DWCP_WEAK(Cart_sub)

int PMPI_Cart_map(MPI_Comm comm, int ndims, const int dims[], const int periods[], int *newrank)
{
    int i;
    long n = 1;
    (void)periods;
    DWCP_CHECK_INIT("MPI_Cart_map");
    DWCP_GET_COMM("MPI_Cart_map", comm, c);
    if (ndims < 0 || (ndims > 0 && dims == NULL) || newrank == NULL) {
        return dwcp_err_comm(comm, MPI_ERR_ARG, "MPI_Cart_map", "invalid argument");
    }
    for (i = 0; i < ndims; i++) {
        if (dims[i] <= 0) {
            return dwcp_err_comm(comm, MPI_ERR_DIMS, "MPI_Cart_map", "dims[%d] = %d", i, dims[i]);
        }
        n *= dims[i];
        if (n > c->size) {
            return dwcp_err_comm(comm, MPI_ERR_ARG, "MPI_Cart_map",
                                 "the grid needs more than %d processes", c->size);
        }
    }
    *newrank = c->rank < n ? c->rank : MPI_UNDEFINED;
    return MPI_SUCCESS;
}
DWCP_WEAK(Cart_map)

int PMPI_Topo_test(MPI_Comm comm, int *status)
{
    DWCP_CHECK_INIT("MPI_Topo_test");
    DWCP_GET_COMM("MPI_Topo_test", comm, c);
    if (status == NULL) {
        return dwcp_err_comm(comm, MPI_ERR_ARG, "MPI_Topo_test", "NULL status");
    }
    dwcp_topo_t *t = dwcp_topo_get(c);
    *status = t != NULL ? t->kind : MPI_UNDEFINED;
    return MPI_SUCCESS;
}
DWCP_WEAK(Topo_test)
