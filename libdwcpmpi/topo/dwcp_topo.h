/*
 * dwcp_topo.h — process topologies (Cartesian, graph, distributed graph) cached on
 * communicators (comm->topo), and the neighbour lists the neighbourhood collectives use.
 *
 * A topology is created with the communicator that carries it, copied by MPI_Comm_dup
 * (dwcp_topo_dup_hook) and freed with the communicator (a comm free hook). Ranks are never
 * reordered: the rank in the new communicator is the rank in the old one.
 */
#ifndef DWCP_TOPO_H
#define DWCP_TOPO_H

#include "dwcp.h"

typedef struct dwcp_topo {
    int kind; /* MPI_CART, MPI_GRAPH or MPI_DIST_GRAPH */
    /* Cartesian */
    int ndims;
    int *dims, *periods; /* ndims entries each */
    int *coords;         /* of this process */
    /* graph (MPI_Graph_create arguments, whole graph) */
    int nnodes, nedges;
    int *index, *edges;
    /* distributed graph (this process's adjacency) */
    int indegree, outdegree;
    int *sources, *dests;
    int *sweights, *dweights; /* NULL when unweighted */
    int weighted;
} dwcp_topo_t;

/** The topology of @p c or NULL. */
static inline dwcp_topo_t *dwcp_topo_get(const dwcp_comm_t *c)
{
    return (dwcp_topo_t *)c->topo;
}

/** New Cartesian topology (arrays copied); coordinates computed for @p rank. NULL: no memory. */
dwcp_topo_t *dwcp_topo_cart_new(int ndims, const int *dims, const int *periods, int rank);

/** New graph topology (arrays copied). NULL: no memory. */
dwcp_topo_t *dwcp_topo_graph_new(int nnodes, const int *index, const int *edges);

/** New distributed-graph topology; weight arrays NULL when unweighted. NULL: no memory. */
dwcp_topo_t *dwcp_topo_dist_new(int indegree, const int *sources, const int *sweights,
                                int outdegree, const int *dests, const int *dweights, int weighted);

/** Free a topology not (or no longer) attached. */
void dwcp_topo_free(dwcp_topo_t *t);

/** Attach @p t to @p c (c takes ownership); installs the dup and free hooks. */
dwcs_status_t dwcp_topo_attach(dwcp_comm_t *c, dwcp_topo_t *t);

/** Coordinates of @p rank in Cartesian topology @p t (ndims entries). */
void dwcp_topo_cart_coords(const dwcp_topo_t *t, int rank, int *coords);

/** Rank at @p coords; periodic dimensions wrap. -1 if a non-periodic coordinate is out of
 *  range. */
int dwcp_topo_cart_rank(const dwcp_topo_t *t, const int *coords);

/** Source and destination of a shift by @p disp along @p dir (MPI_PROC_NULL off an edge). */
void dwcp_topo_cart_shift(const dwcp_topo_t *t, int dir, int disp, int *src, int *dst);

/**
 * Neighbour lists of the calling process in the order neighbourhood collectives use:
 * Cartesian: for each dimension the -1 then the +1 neighbour (MPI_PROC_NULL off an edge), the
 * same list for sources and destinations; graph: the adjacency list for both; distributed
 * graph: sources and destinations. *in and *out are malloc'd (free both).
 */
dwcs_status_t dwcp_topo_neighbors(const dwcp_comm_t *c, int *indeg, int **in, int *outdeg,
                                  int **out);

/**
 * Factor @p nnodes over @p ndims dimensions (MPI_Dims_create): non-zero entries of @p dims
 * are kept, zeros are filled in non-increasing order as evenly as possible. Returns an MPI
 * error class (MPI_ERR_DIMS when impossible).
 */
int dwcp_topo_dims_create(int nnodes, int ndims, int *dims);

/**
 * Exchange the edges of MPI_Dist_graph_create over @p parent (collective): each process
 * gives @p n sources with their degrees, destinations and weights (NULL = unweighted) and
 * gets its own adjacency as a new topology in *out. Edges appear ordered by the rank that
 * specified them, then by their position in its arguments.
 */
dwcs_status_t dwcp_topo_dist_exchange(dwcp_comm_t *parent, int n, const int *sources,
                                      const int *degrees, const int *dests, const int *weights,
                                      int weighted, dwcp_topo_t **out);

/**
 * Binding helper (bindings/topo_cart.c): a communicator over the first @p n ranks of @p c
 * (same order) carrying the topology @p mk builds for its rank; MPI_COMM_NULL in *out for the
 * other callers. Collective over @p c. Returns an MPI error code (reported on @p c as @p fn).
 */
int dwcp_topo_comm_create(const char *fn, dwcp_comm_t *c, int n,
                          dwcp_topo_t *(*mk)(void *arg, int rank), void *arg, MPI_Comm *out);

#endif
