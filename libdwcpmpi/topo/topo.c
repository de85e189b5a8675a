/* Topology objects, Cartesian arithmetic and MPI_Dims_create (see dwcp_topo.h). */
#include <stdlib.h>
#include <string.h>

#include "dwcp_topo.h"

/* Copy of @p n ints (at least one slot so a 0-dimensional topology has non-NULL arrays). */
static int *dup_ints(const int *src, int n)
{
    int *d = malloc(sizeof(int) * (size_t)(n > 0 ? n : 1));
    if (d != NULL && src != NULL && n > 0) {
        memcpy(d, src, sizeof(int) * (size_t)n);
    }
    return d;
}

void dwcp_topo_free(dwcp_topo_t *t)
{
    if (t == NULL) {
        return;
    }
    free(t->dims);
    free(t->periods);
    free(t->coords);
    free(t->index);
    free(t->edges);
    free(t->sources);
    free(t->dests);
    free(t->sweights);
    free(t->dweights);
    free(t);
}

dwcp_topo_t *dwcp_topo_cart_new(int ndims, const int *dims, const int *periods, int rank)
{
    dwcp_topo_t *t = calloc(1, sizeof(*t));
    int i;
    if (t == NULL) {
        return NULL;
    }
    t->kind = MPI_CART;
    t->ndims = ndims;
    t->dims = dup_ints(dims, ndims);
    t->periods = dup_ints(periods, ndims);
    t->coords = dup_ints(NULL, ndims);
    if (t->dims == NULL || t->periods == NULL || t->coords == NULL) {
        dwcp_topo_free(t);
        return NULL;
    }
    for (i = 0; i < ndims; i++) {
        t->periods[i] = t->periods[i] != 0;
    }
    dwcp_topo_cart_coords(t, rank, t->coords);
    return t;
}

dwcp_topo_t *dwcp_topo_graph_new(int nnodes, const int *index, const int *edges)
{
    dwcp_topo_t *t = calloc(1, sizeof(*t));
    if (t == NULL) {
        return NULL;
    }
    t->kind = MPI_GRAPH;
    t->nnodes = nnodes;
    t->nedges = nnodes > 0 ? index[nnodes - 1] : 0;
    t->index = dup_ints(index, nnodes);
    t->edges = dup_ints(edges, t->nedges);
    if (t->index == NULL || t->edges == NULL) {
        dwcp_topo_free(t);
        return NULL;
    }
    return t;
}

dwcp_topo_t *dwcp_topo_dist_new(int indegree, const int *sources, const int *sweights,
                                int outdegree, const int *dests, const int *dweights, int weighted)
{
    dwcp_topo_t *t = calloc(1, sizeof(*t));
    if (t == NULL) {
        return NULL;
    }
    t->kind = MPI_DIST_GRAPH;
    t->indegree = indegree;
    t->outdegree = outdegree;
    t->weighted = weighted;
    t->sources = dup_ints(sources, indegree);
    t->dests = dup_ints(dests, outdegree);
    if (weighted) {
        t->sweights = dup_ints(sweights, indegree);
        t->dweights = dup_ints(dweights, outdegree);
    }
    if (t->sources == NULL || t->dests == NULL ||
        (weighted && (t->sweights == NULL || t->dweights == NULL))) {
        dwcp_topo_free(t);
        return NULL;
    }
    return t;
}

static dwcp_topo_t *clone(const dwcp_topo_t *t)
{
    dwcp_topo_t *n = NULL;
    switch (t->kind) {
    case MPI_CART:
        n = dwcp_topo_cart_new(t->ndims, t->dims, t->periods, 0);
        if (n != NULL && t->ndims > 0) {
            memcpy(n->coords, t->coords, sizeof(int) * (size_t)t->ndims);
        }
        break;
    case MPI_GRAPH:
        n = dwcp_topo_graph_new(t->nnodes, t->index, t->edges);
        break;
    default:
        n = dwcp_topo_dist_new(t->indegree, t->sources, t->sweights, t->outdegree, t->dests,
                               t->dweights, t->weighted);
        break;
    }
    return n;
}

/* Communicator free hook: drop the topology. */
static void topo_free_hook(dwcp_comm_t *c)
{
    dwcp_topo_free(c->topo);
    c->topo = NULL;
}

/* MPI_Comm_dup: the copy carries the same topology. */
static void topo_dup_hook(dwcp_comm_t *from, dwcp_comm_t *to)
{
    if (from->topo != NULL && to->topo == NULL) {
        to->topo = clone(from->topo);
        if (to->topo == NULL) {
            DWCS_ERROR("no memory to copy a topology in MPI_Comm_dup");
        }
    }
}

dwcs_status_t dwcp_topo_attach(dwcp_comm_t *c, dwcp_topo_t *t)
{
    dwcs_status_t st = dwcp_comm_free_hook_add(topo_free_hook);
    if (st != DWCS_OK) {
        dwcp_topo_free(t);
        return st;
    }
    dwcp_topo_dup_hook = topo_dup_hook;
    dwcp_topo_free(c->topo);
    c->topo = t;
    return DWCS_OK;
}

void dwcp_topo_cart_coords(const dwcp_topo_t *t, int rank, int *coords)
{
    int i;
    /* row-major: the last dimension varies fastest */
    for (i = t->ndims - 1; i >= 0; i--) {
        coords[i] = t->dims[i] > 0 ? rank % t->dims[i] : 0;
        rank = t->dims[i] > 0 ? rank / t->dims[i] : 0;
    }
}

int dwcp_topo_cart_rank(const dwcp_topo_t *t, const int *coords)
{
    int i, r = 0;
    for (i = 0; i < t->ndims; i++) {
        int x = coords[i], d = t->dims[i];
        if (x < 0 || x >= d) {
            if (!t->periods[i]) {
                return -1;
            }
            x %= d;
            if (x < 0) {
                x += d;
            }
        }
        r = r * d + x;
    }
    return r;
}

void dwcp_topo_cart_shift(const dwcp_topo_t *t, int dir, int disp, int *src, int *dst)
{
    int *c = malloc(sizeof(int) * (size_t)(t->ndims > 0 ? t->ndims : 1));
    if (c == NULL) {
        *src = *dst = MPI_PROC_NULL;
        return;
    }
    memcpy(c, t->coords, sizeof(int) * (size_t)t->ndims);
    c[dir] = t->coords[dir] + disp;
    *dst = dwcp_topo_cart_rank(t, c);
    c[dir] = t->coords[dir] - disp;
    *src = dwcp_topo_cart_rank(t, c);
    if (*dst < 0) {
        *dst = MPI_PROC_NULL;
    }
    if (*src < 0) {
        *src = MPI_PROC_NULL;
    }
    free(c);
}

dwcs_status_t dwcp_topo_neighbors(const dwcp_comm_t *c, int *indeg, int **in, int *outdeg,
                                  int **out)
{
    const dwcp_topo_t *t = dwcp_topo_get(c);
    int i, nin, nout;
    const int *src = NULL, *dst = NULL;
    if (t == NULL) {
        return DWCS_ERR_INVALID_PARAM;
    }
    if (t->kind == MPI_CART) {
        nin = nout = 2 * t->ndims;
    } else if (t->kind == MPI_GRAPH) {
        int lo = c->rank > 0 ? t->index[c->rank - 1] : 0;
        nin = nout = t->index[c->rank] - lo;
        src = dst = t->edges + lo;
    } else {
        nin = t->indegree;
        nout = t->outdegree;
        src = t->sources;
        dst = t->dests;
    }
    *in = dup_ints(src, nin);
    *out = dup_ints(dst, nout);
    if (*in == NULL || *out == NULL) {
        free(*in);
        free(*out);
        return DWCS_ERR_NO_MEMORY;
    }
    if (t->kind == MPI_CART) {
        for (i = 0; i < t->ndims; i++) {
            dwcp_topo_cart_shift(t, i, 1, &(*in)[2 * i], &(*in)[2 * i + 1]);
            (*out)[2 * i] = (*in)[2 * i];
            (*out)[2 * i + 1] = (*in)[2 * i + 1];
        }
    }
    *indeg = nin;
    *outdeg = nout;
    return DWCS_OK;
}

int dwcp_topo_dims_create(int nnodes, int ndims, int *dims)
{
    int i, fixed = 1, nfree = 0;
    if (nnodes <= 0 || ndims < 0) {
        return MPI_ERR_DIMS;
    }
    for (i = 0; i < ndims; i++) {
        if (dims[i] < 0) {
            return MPI_ERR_DIMS;
        }
        if (dims[i] > 0) {
            fixed *= dims[i];
        } else {
            nfree++;
        }
    }
    if (nnodes % fixed != 0) {
        return MPI_ERR_DIMS;
    }
    int rem = nnodes / fixed;
    if (nfree == 0) {
        return rem == 1 ? MPI_SUCCESS : MPI_ERR_DIMS;
    }
    /* prime factors, largest first, each to the free dimension with the smallest product */
    int *f = malloc(sizeof(int) * 32), nf = 0, p;
    int *prod = malloc(sizeof(int) * (size_t)nfree);
    if (f == NULL || prod == NULL) {
        free(f);
        free(prod);
        return MPI_ERR_NO_MEM;
    }
    for (p = 2; (long)p * p <= rem; p++) {
        while (rem % p == 0) {
            f[nf++] = p;
            rem /= p;
        }
    }
    if (rem > 1) {
        f[nf++] = rem;
    }
    for (i = 0; i < nfree; i++) {
        prod[i] = 1;
    }
    for (p = nf - 1; p >= 0; p--) {
        int k, best = 0;
        for (k = 1; k < nfree; k++) {
            if (prod[k] < prod[best]) {
                best = k;
            }
        }
        prod[best] *= f[p];
    }
    /* non-increasing order */
    int a, b;
    for (a = 0; a < nfree; a++) {
        for (b = a + 1; b < nfree; b++) {
            if (prod[b] > prod[a]) {
                int x = prod[a];
                prod[a] = prod[b];
                prod[b] = x;
            }
        }
    }
    for (i = 0, p = 0; i < ndims; i++) {
        if (dims[i] == 0) {
            dims[i] = prod[p++];
        }
    }
    free(f);
    free(prod);
    return MPI_SUCCESS;
}
