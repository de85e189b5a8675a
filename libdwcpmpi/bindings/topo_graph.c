/* Graph and distributed-graph topology bindings. */
#include <stdlib.h>
#include <string.h>

#include "dwcp_bind.h"
#include "dwcp_comm.h"
#include "dwcp_topo.h"

/* Resolve @p comm and its topology of @p kind. */
static int get_topo(const char *fn, MPI_Comm comm, int kind, dwcp_comm_t **c, dwcp_topo_t **t)
{
    *c = dwcp_comm_get(comm);
    if (*c == NULL) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_COMM, fn, "invalid communicator");
    }
    *t = dwcp_topo_get(*c);
    if (*t == NULL || (*t)->kind != kind) {
        return dwcp_err_comm(comm, MPI_ERR_TOPOLOGY, fn, "the communicator has no %s topology",
                             kind == MPI_GRAPH ? "graph" : "distributed graph");
    }
    return MPI_SUCCESS;
}

typedef struct {
    int nnodes;
    const int *index, *edges;
} graph_args_t;

static dwcp_topo_t *mk_graph(void *arg, int rank)
{
    graph_args_t *a = arg;
    (void)rank;
    return dwcp_topo_graph_new(a->nnodes, a->index, a->edges);
}

int PMPI_Graph_create(MPI_Comm comm_old, int nnodes, const int index[], const int edges[],
                      int reorder, MPI_Comm *comm_graph)
{
    const char *fn = "MPI_Graph_create";
    int i;
    (void)reorder;
    DWCP_CHECK_INIT(fn);
    DWCP_GET_COMM(fn, comm_old, c);
    if (c->remote != NULL) {
        return dwcp_err_comm(comm_old, MPI_ERR_COMM, fn, "not defined on intercommunicators");
    }
    if (comm_graph == NULL || (nnodes > 0 && (index == NULL || edges == NULL))) {
        return dwcp_err_comm(comm_old, MPI_ERR_ARG, fn, "NULL argument");
    }
    if (nnodes < 0 || nnodes > c->size) {
        return dwcp_err_comm(comm_old, MPI_ERR_ARG, fn, "nnodes %d outside 0..%d", nnodes, c->size);
    }
    for (i = 0; i < nnodes; i++) {
        if (index[i] < (i > 0 ? index[i - 1] : 0)) {
            return dwcp_err_comm(comm_old, MPI_ERR_ARG, fn, "index[%d] = %d decreases", i,
                                 index[i]);
        }
    }
    for (i = 0; i < (nnodes > 0 ? index[nnodes - 1] : 0); i++) {
        if (edges[i] < 0 || edges[i] >= nnodes) {
            return dwcp_err_comm(comm_old, MPI_ERR_ARG, fn, "edges[%d] = %d is not a node", i,
                                 edges[i]);
        }
    }
    graph_args_t a = {nnodes, index, edges};
    return dwcp_topo_comm_create(fn, c, nnodes, mk_graph, &a, comm_graph);
}
DWCP_WEAK(Graph_create)

int PMPI_Graphdims_get(MPI_Comm comm, int *nnodes, int *nedges)
{
    dwcp_comm_t *c;
    dwcp_topo_t *t;
    DWCP_CHECK_INIT("MPI_Graphdims_get");
    int rc = get_topo("MPI_Graphdims_get", comm, MPI_GRAPH, &c, &t);
    if (rc == MPI_SUCCESS) {
        *nnodes = t->nnodes;
        *nedges = t->nedges;
    }
    return rc;
}
DWCP_WEAK(Graphdims_get)

int PMPI_Graph_get(MPI_Comm comm, int maxindex, int maxedges, int index[], int edges[])
{
    dwcp_comm_t *c;
    dwcp_topo_t *t;
    int i;
    DWCP_CHECK_INIT("MPI_Graph_get");
    int rc = get_topo("MPI_Graph_get", comm, MPI_GRAPH, &c, &t);
    if (rc != MPI_SUCCESS) {
        return rc;
    }
    for (i = 0; i < t->nnodes && i < maxindex; i++) {
        index[i] = t->index[i];
    }
    for (i = 0; i < t->nedges && i < maxedges; i++) {
        edges[i] = t->edges[i];
    }
    return MPI_SUCCESS;
}
DWCP_WEAK(Graph_get)

int PMPI_Graph_neighbors_count(MPI_Comm comm, int rank, int *nneighbors)
{
    dwcp_comm_t *c;
    dwcp_topo_t *t;
    DWCP_CHECK_INIT("MPI_Graph_neighbors_count");
    int rc = get_topo("MPI_Graph_neighbors_count", comm, MPI_GRAPH, &c, &t);
    if (rc != MPI_SUCCESS) {
        return rc;
    }
    if (rank < 0 || rank >= t->nnodes) {
        return dwcp_err_comm(comm, MPI_ERR_RANK, "MPI_Graph_neighbors_count", "invalid rank %d",
                             rank);
    }
    *nneighbors = t->index[rank] - (rank > 0 ? t->index[rank - 1] : 0);
    return MPI_SUCCESS;
}
DWCP_WEAK(Graph_neighbors_count)

int PMPI_Graph_neighbors(MPI_Comm comm, int rank, int maxneighbors, int neighbors[])
{
    dwcp_comm_t *c;
    dwcp_topo_t *t;
    int i;
    DWCP_CHECK_INIT("MPI_Graph_neighbors");
    int rc = get_topo("MPI_Graph_neighbors", comm, MPI_GRAPH, &c, &t);
    if (rc != MPI_SUCCESS) {
        return rc;
    }
    if (rank < 0 || rank >= t->nnodes) {
        return dwcp_err_comm(comm, MPI_ERR_RANK, "MPI_Graph_neighbors", "invalid rank %d", rank);
    }
    int lo = rank > 0 ? t->index[rank - 1] : 0;
    for (i = 0; i < t->index[rank] - lo && i < maxneighbors; i++) {
        neighbors[i] = t->edges[lo + i];
    }
    return MPI_SUCCESS;
}
DWCP_WEAK(Graph_neighbors)

int PMPI_Graph_map(MPI_Comm comm, int nnodes, const int index[], const int edges[], int *newrank)
{
    (void)index;
    (void)edges;
    DWCP_CHECK_INIT("MPI_Graph_map");
    DWCP_GET_COMM("MPI_Graph_map", comm, c);
    if (nnodes < 0 || nnodes > c->size || newrank == NULL) {
        return dwcp_err_comm(comm, MPI_ERR_ARG, "MPI_Graph_map", "invalid nnodes %d", nnodes);
    }
    *newrank = c->rank < nnodes ? c->rank : MPI_UNDEFINED;
    return MPI_SUCCESS;
}
DWCP_WEAK(Graph_map)

/* ---- Distributed graphs ------------------------------------------------------------------- */

/* Check @p n ranks of @p c; weights must be given unless unweighted. */
static int check_ranks(const char *fn, dwcp_comm_t *c, int n, const int *r, const int *w)
{
    int i;
    if (n < 0) {
        return dwcp_err_comm(c->handle, MPI_ERR_ARG, fn, "negative degree %d", n);
    }
    if (n > 0 && (r == NULL || w == NULL || w == MPI_WEIGHTS_EMPTY)) {
        return dwcp_err_comm(c->handle, MPI_ERR_ARG, fn, "NULL neighbour or weight array");
    }
    for (i = 0; i < n; i++) {
        if (r[i] < 0 || r[i] >= c->size) {
            return dwcp_err_comm(c->handle, MPI_ERR_RANK, fn, "neighbour rank %d (size %d)", r[i],
                                 c->size);
        }
        if (w != MPI_UNWEIGHTED && w[i] < 0) {
            return dwcp_err_comm(c->handle, MPI_ERR_ARG, fn, "negative weight %d", w[i]);
        }
    }
    return MPI_SUCCESS;
}

/* Duplicate @p c with topology @p t attached. */
static int dup_with(const char *fn, dwcp_comm_t *c, dwcp_topo_t *t, MPI_Comm *out)
{
    dwcp_comm_t *nc = NULL;
    dwcs_status_t st = t != NULL ? dwcp_comm_dup(c, &nc) : DWCS_ERR_NO_MEMORY;
    if (st != DWCS_OK) {
        dwcp_topo_free(t);
        return dwcp_err_comm(c->handle, dwcp_status_to_class(st), fn, "%s", dwcs_status_string(st));
    }
    st = dwcp_topo_attach(nc, t);
    if (st != DWCS_OK) {
        dwcp_ctx_release(nc->ctx);
        dwcp_comm_release(nc);
        return dwcp_err_comm(c->handle, dwcp_status_to_class(st), fn, "cannot attach topology");
    }
    *out = nc->handle;
    return MPI_SUCCESS;
}

int PMPI_Dist_graph_create_adjacent(MPI_Comm comm_old, int indegree, const int sources[],
                                    const int sourceweights[], int outdegree,
                                    const int destinations[], const int destweights[],
                                    MPI_Info info, int reorder, MPI_Comm *comm_dist_graph)
{
    const char *fn = "MPI_Dist_graph_create_adjacent";
    (void)info;
    (void)reorder;
    DWCP_CHECK_INIT(fn);
    DWCP_GET_COMM(fn, comm_old, c);
    if (c->remote != NULL) {
        return dwcp_err_comm(comm_old, MPI_ERR_COMM, fn, "not defined on intercommunicators");
    }
    if (comm_dist_graph == NULL) {
        return dwcp_err_comm(comm_old, MPI_ERR_ARG, fn, "NULL newcomm");
    }
    int rc = check_ranks(fn, c, indegree, sources, sourceweights);
    if (rc == MPI_SUCCESS) {
        rc = check_ranks(fn, c, outdegree, destinations, destweights);
    }
    if (rc != MPI_SUCCESS) {
        return rc;
    }
    int weighted = sourceweights != MPI_UNWEIGHTED && destweights != MPI_UNWEIGHTED;
    const int *sw = weighted && indegree > 0 ? sourceweights : NULL;
    const int *dw = weighted && outdegree > 0 ? destweights : NULL;
    dwcp_topo_t *t =
        dwcp_topo_dist_new(indegree, sources, sw, outdegree, destinations, dw, weighted);
    return dup_with(fn, c, t, comm_dist_graph);
}
DWCP_WEAK(Dist_graph_create_adjacent)

int PMPI_Dist_graph_create(MPI_Comm comm_old, int n, const int sources[], const int degrees[],
                           const int destinations[], const int weights[], MPI_Info info,
                           int reorder, MPI_Comm *comm_dist_graph)
{
    const char *fn = "MPI_Dist_graph_create";
    int i, total = 0;
    (void)info;
    (void)reorder;
    DWCP_CHECK_INIT(fn);
    DWCP_GET_COMM(fn, comm_old, c);
    if (c->remote != NULL) {
        return dwcp_err_comm(comm_old, MPI_ERR_COMM, fn, "not defined on intercommunicators");
    }
    if (comm_dist_graph == NULL || n < 0 || (n > 0 && (sources == NULL || degrees == NULL))) {
        return dwcp_err_comm(comm_old, MPI_ERR_ARG, fn, "invalid n or NULL argument");
    }
    for (i = 0; i < n; i++) {
        if (sources[i] < 0 || sources[i] >= c->size || degrees[i] < 0) {
            return dwcp_err_comm(comm_old, MPI_ERR_ARG, fn, "bad source %d or degree %d",
                                 sources[i], degrees[i]);
        }
        total += degrees[i];
    }
    int rc = check_ranks(fn, c, total, destinations, weights);
    if (rc != MPI_SUCCESS) {
        return rc;
    }
    int weighted = weights != MPI_UNWEIGHTED;
    dwcp_topo_t *t = NULL;
    dwcs_status_t st = dwcp_topo_dist_exchange(
        c, n, sources, degrees, destinations, weighted && total > 0 ? weights : NULL, weighted, &t);
    if (st != DWCS_OK) {
        return dwcp_err_comm(comm_old, dwcp_status_to_class(st), fn, "edge exchange: %s",
                             dwcs_status_string(st));
    }
    return dup_with(fn, c, t, comm_dist_graph);
}
DWCP_WEAK(Dist_graph_create)

int PMPI_Dist_graph_neighbors_count(MPI_Comm comm, int *indegree, int *outdegree, int *weighted)
{
    dwcp_comm_t *c;
    dwcp_topo_t *t;
    DWCP_CHECK_INIT("MPI_Dist_graph_neighbors_count");
    int rc = get_topo("MPI_Dist_graph_neighbors_count", comm, MPI_DIST_GRAPH, &c, &t);
    if (rc == MPI_SUCCESS) {
        *indegree = t->indegree;
        *outdegree = t->outdegree;
        *weighted = t->weighted;
    }
    return rc;
}
DWCP_WEAK(Dist_graph_neighbors_count)

int PMPI_Dist_graph_neighbors(MPI_Comm comm, int maxindegree, int sources[], int sourceweights[],
                              int maxoutdegree, int destinations[], int destweights[])
{
    dwcp_comm_t *c;
    dwcp_topo_t *t;
    int i;
    DWCP_CHECK_INIT("MPI_Dist_graph_neighbors");
    int rc = get_topo("MPI_Dist_graph_neighbors", comm, MPI_DIST_GRAPH, &c, &t);
    if (rc != MPI_SUCCESS) {
        return rc;
    }
    int sw = t->weighted && sourceweights != MPI_UNWEIGHTED && sourceweights != NULL;
    int dw = t->weighted && destweights != MPI_UNWEIGHTED && destweights != NULL;
    for (i = 0; i < t->indegree && i < maxindegree; i++) {
        sources[i] = t->sources[i];
        if (sw) {
            sourceweights[i] = t->sweights[i];
        }
    }
    for (i = 0; i < t->outdegree && i < maxoutdegree; i++) {
        destinations[i] = t->dests[i];
        if (dw) {
            destweights[i] = t->dweights[i];
        }
    }
    return MPI_SUCCESS;
}
DWCP_WEAK(Dist_graph_neighbors)
