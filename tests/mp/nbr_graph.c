/* Neighbourhood collectives on graph and distributed-graph communicators, blocking and
 * nonblocking: allgather(v), alltoall(v/w). Graph: ring with chords (duplicate edges on tiny
 * rings, where the k-th message between two processes must land in the k-th block);
 * dist graph from Dist_graph_create_adjacent (weighted) and from Dist_graph_create (edges
 * given by other processes, weighted, order read back with Dist_graph_neighbors).
 * Any number of ranks. */
#include "mptest.h"

#pragma GCC diagnostic ignored "-Wstringop-overflow"
#pragma GCC diagnostic ignored "-Wstringop-overread"

#define SENT (-77)
static int n, me;

static int mod(int a)
{
    return ((a % n) + n) % n;
}

static int val(int from, int block)
{
    return 1000 * from + block;
}

/* Block of sender q's list (qlist, qn entries) that arrives as my i-th in-block, when my
 * in-list is mylist: the m-th message from q, m = earlier occurrences of q in my list. */
static int which_block(const int *mylist, int i, const int *qlist, int qn)
{
    int q = mylist[i], m = 0, k;
    for (k = 0; k < i; k++) {
        m += mylist[k] == q;
    }
    for (k = 0; k < qn; k++) {
        if (qlist[k] == me && m-- == 0) {
            return k;
        }
    }
    MPT_FAIL("process %d does not list %d as a neighbour", q, me);
    return -1;
}

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

/* alltoall and allgather on @p comm whose in-list is @p in (nin) and out-list @p out;
 * @p qlist_of(q, buf) gives q's out-list. @p exact: messages between a pair may be told
 * apart by order (else every block between a pair carries the same value). */
static void exchange(MPI_Comm comm, int nin, const int *in, int nout, const int *out,
                     int (*qlist_of)(int q, int *buf), int nb)
{
    int sb[8], rb[8], i, ql[8];
    MPI_Request rq;
    for (i = 0; i < nout; i++) {
        sb[i] = qlist_of ? val(me, i) : val(me, out[i]);
    }
    for (i = 0; i < 8; i++) {
        rb[i] = SENT;
    }
    if (nb) {
        CHECK_MPI(MPI_Ineighbor_alltoall(sb, 1, MPI_INT, rb, 1, MPI_INT, comm, &rq));
        CHECK_MPI(MPI_Wait(&rq, MPI_STATUS_IGNORE));
    } else {
        CHECK_MPI(MPI_Neighbor_alltoall(sb, 1, MPI_INT, rb, 1, MPI_INT, comm));
    }
    for (i = 0; i < nin; i++) {
        int exp;
        if (qlist_of) {
            int qn = qlist_of(in[i], ql);
            exp = val(in[i], which_block(in, i, ql, qn));
        } else {
            exp = val(in[i], me);
        }
        CHECK_EQ(rb[i], exp, "neighbor_alltoall block");
    }
    CHECK_EQ(rb[nin], SENT, "beyond the last block untouched");
    /* allgather: everyone sends its rank */
    int mine = val(me, 99);
    for (i = 0; i < 8; i++) {
        rb[i] = SENT;
    }
    if (nb) {
        CHECK_MPI(MPI_Ineighbor_allgather(&mine, 1, MPI_INT, rb, 1, MPI_INT, comm, &rq));
        CHECK_MPI(MPI_Wait(&rq, MPI_STATUS_IGNORE));
    } else {
        CHECK_MPI(MPI_Neighbor_allgather(&mine, 1, MPI_INT, rb, 1, MPI_INT, comm));
    }
    for (i = 0; i < nin; i++) {
        CHECK_EQ(rb[i], val(in[i], 99), "neighbor_allgather block");
    }
    /* allgatherv: sender s sends 1 + s % 3 ints; placed in reverse order, stride 3 */
    int big[3] = {val(me, 0), val(me, 1), val(me, 2)}, rc[8], rd[8], rbig[24];
    for (i = 0; i < nin; i++) {
        rc[i] = 1 + in[i] % 3;
        rd[i] = 3 * (nin - 1 - i);
    }
    for (i = 0; i < 24; i++) {
        rbig[i] = SENT;
    }
    if (nb) {
        CHECK_MPI(
            MPI_Ineighbor_allgatherv(big, 1 + me % 3, MPI_INT, rbig, rc, rd, MPI_INT, comm, &rq));
        CHECK_MPI(MPI_Wait(&rq, MPI_STATUS_IGNORE));
    } else {
        CHECK_MPI(MPI_Neighbor_allgatherv(big, 1 + me % 3, MPI_INT, rbig, rc, rd, MPI_INT, comm));
    }
    for (i = 0; i < nin; i++) {
        int k;
        for (k = 0; k < 3; k++) {
            CHECK_EQ(rbig[rd[i] + k], k < rc[i] ? val(in[i], k) : SENT, "neighbor_allgatherv");
        }
    }
    /* alltoallv / alltoallw: to destination d send 1 + (me + d) % 3 ints val(me, d) */
    int sc[8], sd[8], vsb[24], vrb[24];
    MPI_Aint sdw[8], rdw[8];
    MPI_Datatype sty[8], rty[8], pair;
    CHECK_MPI(MPI_Type_contiguous(2, MPI_INT, &pair));
    CHECK_MPI(MPI_Type_commit(&pair));
    for (i = 0; i < nout; i++) {
        int k;
        sc[i] = 1 + (me + out[i]) % 3;
        sd[i] = 3 * i;
        for (k = 0; k < 3; k++) {
            vsb[3 * i + k] = val(me, out[i]) + 100 * k;
        }
        sdw[i] = (MPI_Aint)sd[i] * (MPI_Aint)sizeof(int);
        sty[i] = MPI_INT;
    }
    for (i = 0; i < nin; i++) {
        rc[i] = 1 + (in[i] + me) % 3;
        rd[i] = 3 * (nin - 1 - i);
        rdw[i] = (MPI_Aint)rd[i] * (MPI_Aint)sizeof(int);
        rty[i] = MPI_INT;
    }
    int pass;
    for (pass = 0; pass < 2; pass++) {
        for (i = 0; i < 24; i++) {
            vrb[i] = SENT;
        }
        if (pass == 0) {
            if (nb) {
                CHECK_MPI(
                    MPI_Ineighbor_alltoallv(vsb, sc, sd, MPI_INT, vrb, rc, rd, MPI_INT, comm, &rq));
                CHECK_MPI(MPI_Wait(&rq, MPI_STATUS_IGNORE));
            } else {
                CHECK_MPI(MPI_Neighbor_alltoallv(vsb, sc, sd, MPI_INT, vrb, rc, rd, MPI_INT, comm));
            }
        } else {
            /* receive 2-int blocks as one "pair" element (same type signature) */
            int rcw[8];
            for (i = 0; i < nin; i++) {
                rcw[i] = rc[i];
                rty[i] = MPI_INT;
                if (rc[i] == 2) {
                    rcw[i] = 1;
                    rty[i] = pair;
                }
            }
            if (nb) {
                CHECK_MPI(
                    MPI_Ineighbor_alltoallw(vsb, sc, sdw, sty, vrb, rcw, rdw, rty, comm, &rq));
                CHECK_MPI(MPI_Wait(&rq, MPI_STATUS_IGNORE));
            } else {
                CHECK_MPI(MPI_Neighbor_alltoallw(vsb, sc, sdw, sty, vrb, rcw, rdw, rty, comm));
            }
        }
        for (i = 0; i < nin; i++) {
            int k;
            for (k = 0; k < 3; k++) {
                int exp = k < rc[i] ? val(in[i], me) + 100 * k : SENT;
                CHECK_EQ(vrb[rd[i] + k], exp, pass ? "neighbor_alltoallw" : "neighbor_alltoallv");
            }
        }
    }
    MPI_Type_free(&pair);
}

static int ring_list(int q, int *buf)
{
    return ring_nbrs(q, buf);
}

static int adj_dests(int q, int *buf)
{
    buf[0] = mod(q + 1);
    buf[1] = mod(q - 2);
    return 2;
}

int main(int argc, char **argv)
{
    int nb, i;
    mpt_init(&argc, &argv, 1);
    n = mpt_size;
    me = mpt_rank;
    for (nb = 0; nb < 2; nb++) {
        /* graph */
        int *index = mpt_malloc(sizeof(int) * (size_t)n),
            *edges = mpt_malloc(sizeof(int) * 3 * (size_t)n), e = 0;
        for (i = 0; i < n; i++) {
            e += ring_nbrs(i, edges + e);
            index[i] = e;
        }
        MPI_Comm g;
        CHECK_MPI(MPI_Graph_create(MPI_COMM_WORLD, n, index, edges, 0, &g));
        int mine[3], k = ring_nbrs(me, mine);
        exchange(g, k, mine, k, mine, ring_list, nb);
        CHECK_MPI(MPI_Comm_free(&g));
        free(index);
        free(edges);

        /* dist graph, adjacent, weighted */
        int src[2] = {mod(me - 1), mod(me + 2)}, dst[2] = {mod(me + 1), mod(me - 2)};
        int sw[2] = {1, 2}, dw[2] = {3, 4};
        MPI_Comm dg;
        CHECK_MPI(MPI_Dist_graph_create_adjacent(MPI_COMM_WORLD, 2, src, sw, 2, dst, dw,
                                                 MPI_INFO_NULL, 0, &dg));
        exchange(dg, 2, src, 2, dst, adj_dests, nb);
        CHECK_MPI(MPI_Comm_free(&dg));

        /* dist graph from edges given elsewhere: rank r gives node r+1 edges to r+2, r+4 */
        int s = mod(me + 1), deg = 2, d[2] = {mod(me + 2), mod(me + 4)}, wt[2] = {5, 6};
        CHECK_MPI(MPI_Dist_graph_create(MPI_COMM_WORLD, 1, &s, &deg, d, wt, MPI_INFO_NULL, 0, &dg));
        int in[2], inw[2], out[2], outw[2];
        CHECK_MPI(MPI_Dist_graph_neighbors(dg, 2, in, inw, 2, out, outw));
        exchange(dg, 2, in, 2, out, NULL, nb);
        CHECK_MPI(MPI_Comm_free(&dg));
    }
    /* no topology: neighbourhood collectives are erroneous (Open MPI 4.1.4 reports
     * MPI_ERR_INTERN, DWCP-MPI MPI_ERR_TOPOLOGY; the standard names no class) */
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    int x = 0, y[4];
#ifdef OPEN_MPI
    CHECK(MPI_Neighbor_allgather(&x, 1, MPI_INT, y, 1, MPI_INT, MPI_COMM_WORLD) != MPI_SUCCESS,
          "neighbor_allgather without a topology succeeded");
#else
    CHECK_ERRCLASS(MPI_Neighbor_allgather(&x, 1, MPI_INT, y, 1, MPI_INT, MPI_COMM_WORLD),
                   MPI_ERR_TOPOLOGY);
#endif
    return mpt_finish();
}
