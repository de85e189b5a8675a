/* Graph and distributed-graph topologies: Graph_create (ring with chords, duplicate edges on
 * tiny rings, fewer nodes than processes), Graphdims_get, Graph_get, Graph_neighbors(_count),
 * Graph_map, Topo_test, dup; Dist_graph_create_adjacent weighted / MPI_UNWEIGHTED,
 * Dist_graph_create with edges given by other processes, and a star where most processes
 * pass MPI_WEIGHTS_EMPTY; Dist_graph_neighbors(_count) with weights. Any number of ranks. */
#include "mptest.h"

/* GCC sees MPI_UNWEIGHTED / MPI_WEIGHTS_EMPTY (small pointer constants) as zero-sized arrays. */
#pragma GCC diagnostic ignored "-Wstringop-overflow"
#pragma GCC diagnostic ignored "-Wstringop-overread"

static int n, me;

static int mod(int a)
{
    return ((a % n) + n) % n;
}

static int cmp_int(const void *a, const void *b)
{
    return *(const int *)a - *(const int *)b;
}

/* Ring i-1, i+1 plus chord i+n/2 when n is even and >= 4. */
static int ring_nbrs(int i, int *out)
{
    int k = 0;
    out[k++] = mod(i - 1);
    out[k++] = mod(i + 1);
    if (n % 2 == 0 && n >= 4) {
        out[k++] = mod(i + n / 2);
    }
    return k;
}

static void t_graph(int nnodes)
{
    int *index = mpt_malloc(sizeof(int) * (size_t)nnodes),
        *edges = mpt_malloc(sizeof(int) * 3 * (size_t)nnodes);
    int i, k, e = 0, save = n;
    n = nnodes;
    for (i = 0; i < nnodes; i++) {
        e += ring_nbrs(i, edges + e);
        index[i] = e;
    }
    MPI_Comm g, d;
    CHECK_MPI(MPI_Graph_create(MPI_COMM_WORLD, nnodes, index, edges, 0, &g));
    if (me >= nnodes) {
        CHECK(g == MPI_COMM_NULL, "rank %d outside the %d-node graph got a communicator", me,
              nnodes);
        n = save;
        free(index);
        free(edges);
        return;
    }
    int type, nn, ne, cnt, nb[3], gi[64], ge[256], r;
    CHECK_MPI(MPI_Topo_test(g, &type));
    CHECK_EQ(type, MPI_GRAPH, "topo_test graph");
    CHECK_MPI(MPI_Graphdims_get(g, &nn, &ne));
    CHECK_EQ(nn, nnodes, "graphdims nnodes");
    CHECK_EQ(ne, e, "graphdims nedges");
    if (nnodes <= 64) {
        CHECK_MPI(MPI_Graph_get(g, 64, 256, gi, ge));
        for (i = 0; i < nnodes; i++) {
            CHECK_EQ(gi[i], index[i], "graph_get index");
        }
        for (i = 0; i < e; i++) {
            CHECK_EQ(ge[i], edges[i], "graph_get edges");
        }
    }
    for (r = 0; r < nnodes; r++) {
        int exp[3], ke = ring_nbrs(r, exp);
        CHECK_MPI(MPI_Graph_neighbors_count(g, r, &cnt));
        CHECK_EQ(cnt, ke, "graph_neighbors_count");
        CHECK_MPI(MPI_Graph_neighbors(g, r, 3, nb));
        for (k = 0; k < ke; k++) {
            CHECK_EQ(nb[k], exp[k], "graph_neighbors (order as given)");
        }
    }
    CHECK_MPI(MPI_Comm_dup(g, &d));
    CHECK_MPI(MPI_Topo_test(d, &type));
    CHECK_EQ(type, MPI_GRAPH, "topo_test of dup");
    CHECK_MPI(MPI_Graph_neighbors_count(d, me, &cnt));
    CHECK_EQ(cnt, ring_nbrs(me, nb), "dup neighbours");
    CHECK_MPI(MPI_Graph_map(MPI_COMM_WORLD, nnodes, index, edges, &r));
    CHECK_EQ(r, me, "graph_map");
    MPI_Comm_set_errhandler(g, MPI_ERRORS_RETURN);
    int nd;
    CHECK_ERRCLASS(MPI_Cartdim_get(g, &nd), MPI_ERR_TOPOLOGY);
    CHECK_MPI(MPI_Comm_free(&d));
    CHECK_MPI(MPI_Comm_free(&g));
    n = save;
    free(index);
    free(edges);
}

static void t_dist_adjacent(int weighted)
{
    int src[2] = {mod(me - 1), mod(me + 2)}, dst[2] = {mod(me + 1), mod(me - 2)};
    int sw[2] = {100 * src[0] + me, 100 * src[1] + me},
        dw[2] = {100 * me + dst[0], 100 * me + dst[1]};
    MPI_Comm dg;
    CHECK_MPI(MPI_Dist_graph_create_adjacent(MPI_COMM_WORLD, 2, src, weighted ? sw : MPI_UNWEIGHTED,
                                             2, dst, weighted ? dw : MPI_UNWEIGHTED, MPI_INFO_NULL,
                                             0, &dg));
    int type, in, out, w, gs[2], gsw[2], gd[2], gdw[2], i;
    CHECK_MPI(MPI_Topo_test(dg, &type));
    CHECK_EQ(type, MPI_DIST_GRAPH, "topo_test dist graph");
    CHECK_MPI(MPI_Dist_graph_neighbors_count(dg, &in, &out, &w));
    CHECK_EQ(in, 2, "indegree");
    CHECK_EQ(out, 2, "outdegree");
    CHECK_EQ(!!w, weighted, "weighted flag");
    if (weighted) {
        CHECK_MPI(MPI_Dist_graph_neighbors(dg, 2, gs, gsw, 2, gd, gdw));
    } else {
        CHECK_MPI(MPI_Dist_graph_neighbors(dg, 2, gs, MPI_UNWEIGHTED, 2, gd, MPI_UNWEIGHTED));
    }
    for (i = 0; i < 2; i++) {
        CHECK_EQ(gs[i], src[i], "adjacent sources keep their order");
        CHECK_EQ(gd[i], dst[i], "adjacent destinations keep their order");
        if (weighted) {
            CHECK_EQ(gsw[i], sw[i], "source weight");
            CHECK_EQ(gdw[i], dw[i], "destination weight");
        }
    }
    MPI_Comm dup;
    CHECK_MPI(MPI_Comm_dup(dg, &dup));
    CHECK_MPI(MPI_Dist_graph_neighbors_count(dup, &in, &out, &w));
    CHECK(in == 2 && out == 2 && !!w == weighted, "dist graph after dup: %d %d %d", in, out, w);
    CHECK_MPI(MPI_Comm_free(&dup));
    CHECK_MPI(MPI_Comm_free(&dg));
}

/* Rank r specifies the edges of node r+1: to r+2 and r+4 (weights 100 * src + dst). */
static void t_dist_general(void)
{
    int s = mod(me + 1), deg = 2, d[2] = {mod(me + 2), mod(me + 4)};
    int wt[2] = {100 * s + d[0], 100 * s + d[1]};
    MPI_Comm dg;
    CHECK_MPI(MPI_Dist_graph_create(MPI_COMM_WORLD, 1, &s, &deg, d, wt, MPI_INFO_NULL, 0, &dg));
    int in, out, w, gs[2], gsw[2], gd[2], gdw[2], i;
    CHECK_MPI(MPI_Dist_graph_neighbors_count(dg, &in, &out, &w));
    CHECK(in == 2 && out == 2 && w, "dist graph counts %d %d %d", in, out, w);
    CHECK_MPI(MPI_Dist_graph_neighbors(dg, 2, gs, gsw, 2, gd, gdw));
    /* my out-edges: to me+1, me+3; in-edges: from me-1, me-3 (any order) */
    for (i = 0; i < 2; i++) {
        CHECK_EQ(gsw[i], 100 * gs[i] + me, "in weight matches its edge");
        CHECK_EQ(gdw[i], 100 * me + gd[i], "out weight matches its edge");
    }
    int es[2] = {mod(me - 1), mod(me - 3)}, ed[2] = {mod(me + 1), mod(me + 3)};
    qsort(gs, 2, sizeof(int), cmp_int);
    qsort(gd, 2, sizeof(int), cmp_int);
    qsort(es, 2, sizeof(int), cmp_int);
    qsort(ed, 2, sizeof(int), cmp_int);
    for (i = 0; i < 2; i++) {
        CHECK_EQ(gs[i], es[i], "sources (sorted)");
        CHECK_EQ(gd[i], ed[i], "destinations (sorted)");
    }
    CHECK_MPI(MPI_Comm_free(&dg));

    /* star: rank 0 gives all edges 0 -> i; everyone else passes nothing */
    int *dd = mpt_malloc(sizeof(int) * (size_t)n), *ww = mpt_malloc(sizeof(int) * (size_t)n);
    for (i = 1; i < n; i++) {
        dd[i - 1] = i;
        ww[i - 1] = 7 * i;
    }
    int zero = 0, star_deg = n - 1;
    if (me == 0) {
        CHECK_MPI(MPI_Dist_graph_create(MPI_COMM_WORLD, 1, &zero, &star_deg, dd, ww, MPI_INFO_NULL,
                                        0, &dg));
    } else {
        CHECK_MPI(MPI_Dist_graph_create(MPI_COMM_WORLD, 0, NULL, NULL, NULL, MPI_WEIGHTS_EMPTY,
                                        MPI_INFO_NULL, 0, &dg));
    }
    CHECK_MPI(MPI_Dist_graph_neighbors_count(dg, &in, &out, &w));
    CHECK_EQ(in, me == 0 ? 0 : 1, "star indegree");
    CHECK_EQ(out, me == 0 ? n - 1 : 0, "star outdegree");
    if (me > 0) {
        CHECK_MPI(MPI_Dist_graph_neighbors(dg, 1, gs, gsw, 0, gd, gdw));
        CHECK_EQ(gs[0], 0, "star source");
        CHECK_EQ(gsw[0], 7 * me, "star weight");
    }
    CHECK_MPI(MPI_Comm_free(&dg));
    free(dd);
    free(ww);
}

int main(int argc, char **argv)
{
    mpt_init(&argc, &argv, 1);
    n = mpt_size;
    me = mpt_rank;
    t_graph(n);
    if (n > 1) {
        t_graph(n - 1);
    }
    t_dist_adjacent(1);
    t_dist_adjacent(0);
    t_dist_general();
    return mpt_finish();
}
