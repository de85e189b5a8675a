/*
 * coll_persist: MPI-4 persistent collectives. Bcast/Reduce/Allreduce/
 * Gatherv/Scatter/Allgather/Alltoallv/Alltoallw/Reduce_scatter_block/Scan/
 * Exscan/Barrier _init once, then restarted many times with new data each
 * time (MPI_Start and MPI_Startall), results checked every time. Ranks start
 * two requests in different orders (matching is by init order), the derived
 * datatype, user op and dup'ed communicator are freed right after init, the
 * count arrays are overwritten after init (the request keeps its copy), and
 * an active request cannot be freed (MPI_ERR_REQUEST with ERRORS_RETURN).
 * Needs >= 2 ranks.
 */
#include "mptest.h"

#define N 5
#define ITERS 20

static void my_prod(void *in, void *inout, int *len, MPI_Datatype *dt)
{
    int *a = in, *b = inout, i;
    (void)dt;
    for (i = 0; i < *len; i++) {
        b[i] = (int)((long long)a[i] * b[i] % 1000003);
    }
}

int main(int argc, char **argv)
{
    int p, me, it, i, j;
    MPI_Comm comm;
    MPI_Datatype pair; /* two ints, derived */
    MPI_Op prod;
    enum { BC, RED, ALLRED, GATHERV, SCAT, ALLG, A2AV, A2AW, RSB, SCAN, EXSCAN, BAR, NREQ };
    MPI_Request rq[NREQ];

    mpt_init(&argc, &argv, 2);
    p = mpt_size;
    me = mpt_rank;
    CHECK_MPI(MPI_Comm_dup(MPI_COMM_WORLD, &comm));
    CHECK_MPI(MPI_Type_contiguous(2, MPI_INT, &pair));
    CHECK_MPI(MPI_Type_commit(&pair));
    CHECK_MPI(MPI_Op_create(my_prod, 1, &prod));

    int bc[2 * N], rsend[N], rrecv[N], arecv[N];
    int *gsend = mpt_malloc(sizeof(int) * N), *grecv = mpt_malloc(sizeof(int) * N * (size_t)p);
    int *gcounts = mpt_malloc(sizeof(int) * (size_t)p), *gdispls = mpt_malloc(sizeof(int) * (size_t)p);
    int *ssend = mpt_malloc(sizeof(int) * 2 * (size_t)p), srecv[2];
    int *agrecv = mpt_malloc(sizeof(int) * (size_t)p);
    int *a2s = mpt_malloc(sizeof(int) * (size_t)p), *a2r = mpt_malloc(sizeof(int) * (size_t)p);
    int *ones = mpt_malloc(sizeof(int) * (size_t)p), *idx = mpt_malloc(sizeof(int) * (size_t)p);
    int *wsd = mpt_malloc(sizeof(int) * (size_t)p), *wrd = mpt_malloc(sizeof(int) * (size_t)p);
    MPI_Datatype *wt = mpt_malloc(sizeof(MPI_Datatype) * (size_t)p);
    int *w2s = mpt_malloc(sizeof(int) * (size_t)p), *w2r = mpt_malloc(sizeof(int) * (size_t)p);
    int *rssend = mpt_malloc(sizeof(int) * (size_t)p), rsrecv, scs, scr, exr;
    for (i = 0; i < p; i++) {
        gcounts[i] = 1 + i % N;
        gdispls[i] = i * N;
        ones[i] = 1;
        idx[i] = i;
        wsd[i] = wrd[i] = i * (int)sizeof(int);
        wt[i] = MPI_INT;
    }

    CHECK_MPI(MPI_Bcast_init(bc, N, pair, p - 1, comm, MPI_INFO_NULL, &rq[BC]));
    CHECK_MPI(MPI_Reduce_init(rsend, rrecv, N, MPI_INT, prod, 0, comm, MPI_INFO_NULL, &rq[RED]));
    CHECK_MPI(MPI_Allreduce_init(rsend, arecv, N, MPI_INT, MPI_SUM, comm, MPI_INFO_NULL,
                                 &rq[ALLRED]));
    CHECK_MPI(MPI_Gatherv_init(gsend, 1 + me % N, MPI_INT, grecv, gcounts, gdispls, MPI_INT, 0,
                               comm, MPI_INFO_NULL, &rq[GATHERV]));
    CHECK_MPI(MPI_Scatter_init(ssend, 1, pair, srecv, 2, MPI_INT, 1, comm, MPI_INFO_NULL,
                               &rq[SCAT]));
    CHECK_MPI(MPI_Allgather_init(&me, 1, MPI_INT, agrecv, 1, MPI_INT, comm, MPI_INFO_NULL,
                                 &rq[ALLG]));
    CHECK_MPI(MPI_Alltoallv_init(a2s, ones, idx, MPI_INT, a2r, ones, idx, MPI_INT, comm,
                                 MPI_INFO_NULL, &rq[A2AV]));
    CHECK_MPI(MPI_Alltoallw_init(w2s, ones, wsd, wt, w2r, ones, wrd, wt, comm, MPI_INFO_NULL,
                                 &rq[A2AW]));
    CHECK_MPI(MPI_Reduce_scatter_block_init(rssend, &rsrecv, 1, MPI_INT, MPI_SUM, comm,
                                            MPI_INFO_NULL, &rq[RSB]));
    CHECK_MPI(MPI_Scan_init(&scs, &scr, 1, MPI_INT, MPI_SUM, comm, MPI_INFO_NULL, &rq[SCAN]));
    CHECK_MPI(MPI_Exscan_init(&scs, &exr, 1, MPI_INT, MPI_SUM, comm, MPI_INFO_NULL,
                              &rq[EXSCAN]));
    CHECK_MPI(MPI_Barrier_init(comm, MPI_INFO_NULL, &rq[BAR]));

    /* The objects and arrays given to *_init may go away: the requests keep what they need. */
    CHECK_MPI(MPI_Type_free(&pair));
    CHECK_MPI(MPI_Op_free(&prod));
    CHECK_MPI(MPI_Comm_free(&comm));
    for (i = 0; i < p; i++) {
        gcounts[i] = gdispls[i] = ones[i] = idx[i] = wsd[i] = wrd[i] = -99;
        wt[i] = MPI_DATATYPE_NULL;
    }

    for (it = 0; it < ITERS; it++) {
        for (i = 0; i < 2 * N; i++) {
            bc[i] = me == p - 1 ? it * 100 + i : -1;
        }
        for (i = 0; i < N; i++) {
            rsend[i] = me + it + i + 1;
            rrecv[i] = arecv[i] = -1;
            gsend[i] = me * 1000 + it * 10 + i;
        }
        for (i = 0; i < N * p; i++) {
            grecv[i] = -1;
        }
        for (i = 0; i < 2 * p; i++) {
            ssend[i] = me == 1 ? it * 1000 + i : -1;
        }
        for (i = 0; i < p; i++) {
            agrecv[i] = a2r[i] = w2r[i] = -1;
            a2s[i] = me * 100 + i + it;
            w2s[i] = -(me * 100 + i + it);
            rssend[i] = i + me + it;
        }
        scs = me + it;
        scr = exr = -1;
        srecv[0] = srecv[1] = -1;

        /* Start order differs between ranks and iterations. */
        if ((me + it) % 2) {
            CHECK_MPI(MPI_Startall(NREQ, rq));
        } else {
            for (j = NREQ - 1; j >= 0; j--) {
                CHECK_MPI(MPI_Start(&rq[j]));
            }
        }
        if (it == 0) {
            int rc;
            MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
            MPI_Request keep = rq[BAR];
            rc = MPI_Request_free(&rq[BAR]);
            CHECK(rc != MPI_SUCCESS, "freeing an active persistent collective returned success");
            CHECK(rq[BAR] == keep, "refused Request_free changed the handle");
            MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_ARE_FATAL);
        }
        CHECK_MPI(MPI_Waitall(NREQ, rq, MPI_STATUSES_IGNORE));
        for (j = 0; j < NREQ; j++) {
            CHECK(rq[j] != MPI_REQUEST_NULL, "persistent request %d freed by Waitall", j);
        }

        for (i = 0; i < 2 * N; i++) {
            CHECK_EQ(bc[i], it * 100 + i, "bcast");
        }
        for (i = 0; i < N; i++) {
            long long prodv = 1, sum = 0;
            for (j = 0; j < p; j++) {
                prodv = prodv * (j + it + i + 1) % 1000003;
                sum += j + it + i + 1;
            }
            if (me == 0) {
                CHECK_EQ(rrecv[i], prodv, "reduce with user op");
            }
            CHECK_EQ(arecv[i], sum, "allreduce");
        }
        if (me == 0) {
            for (j = 0; j < p; j++) {
                for (i = 0; i < N; i++) {
                    int exp = i < 1 + j % N ? j * 1000 + it * 10 + i : -1;
                    CHECK_EQ(grecv[j * N + i], exp, "gatherv");
                }
            }
        }
        CHECK_EQ(srecv[0], it * 1000 + 2 * me, "scatter first");
        CHECK_EQ(srecv[1], it * 1000 + 2 * me + 1, "scatter second");
        for (i = 0; i < p; i++) {
            CHECK_EQ(agrecv[i], i, "allgather");
            CHECK_EQ(a2r[i], i * 100 + me + it, "alltoallv");
            CHECK_EQ(w2r[i], -(i * 100 + me + it), "alltoallw");
        }
        CHECK_EQ(rsrecv, p * (me + it) + p * (p - 1) / 2, "reduce_scatter_block");
        CHECK_EQ(scr, (me + 1) * it + me * (me + 1) / 2, "scan");
        if (me > 0) {
            CHECK_EQ(exr, me * it + me * (me - 1) / 2, "exscan");
        }
    }
    for (j = 0; j < NREQ; j++) {
        CHECK_MPI(MPI_Request_free(&rq[j]));
        CHECK(rq[j] == MPI_REQUEST_NULL, "Request_free did not reset the handle");
    }
    free(gsend);
    free(grecv);
    free(gcounts);
    free(gdispls);
    free(ssend);
    free(agrecv);
    free(a2s);
    free(a2r);
    free(ones);
    free(idx);
    free(wsd);
    free(wrd);
    free(wt);
    free(w2s);
    free(w2r);
    free(rssend);
    mpt_finish();
    return 0;
}
