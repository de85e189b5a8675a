/* Neighbourhood collective bindings: Neighbor_allgather(v), Neighbor_alltoall(v/w) and their
 * nonblocking forms, on Cartesian, graph and distributed-graph communicators. */
#include <stdlib.h>

#include "dwcp_bind.h"
#include "dwcp_coll_nbr.h"
#include "dwcp_topo.h"

enum { NB_ALLGATHER, NB_ALLGATHERV, NB_ALLTOALL, NB_ALLTOALLV, NB_ALLTOALLW };

/* The arguments of any neighbourhood collective. */
typedef struct nbr_args {
    int kind;
    const void *sendbuf;
    int scount;
    const int *scounts;
    const int *sdispls;        /* v: elements */
    const MPI_Aint *sdispls_w; /* w: bytes */
    const MPI_Datatype *stypes;
    void *recvbuf;
    int rcount;
    const int *rcounts;
    const int *rdispls;
    const MPI_Aint *rdispls_w;
    const MPI_Datatype *rtypes;
} nbr_args_t;

/* Per-neighbour count, byte displacement and type of one side. @p n neighbours; @p send
 * selects the sending side. Returns an MPI error class. */
static int side(const nbr_args_t *a, int send, int n, size_t *cnt, MPI_Aint *dsp, dwcp_dt_t **dt)
{
    int i;
    int k = a->kind;
    for (i = 0; i < n; i++) {
        MPI_Datatype h = (k == NB_ALLTOALLW) ? (send ? a->stypes[i] : a->rtypes[i])
                                             : (send ? a->stypes[0] : a->rtypes[0]);
        if (dwcp_dt_check(h, &dt[i]) != DWCS_OK) {
            return MPI_ERR_TYPE;
        }
        int c;
        MPI_Aint d;
        if (send) {
            switch (k) {
            case NB_ALLGATHER:
            case NB_ALLGATHERV:
                c = a->scount;
                d = 0;
                break;
            case NB_ALLTOALL:
                c = a->scount;
                d = (MPI_Aint)i * a->scount * dt[i]->extent;
                break;
            case NB_ALLTOALLV:
                c = a->scounts[i];
                d = (MPI_Aint)a->sdispls[i] * dt[i]->extent;
                break;
            default:
                c = a->scounts[i];
                d = a->sdispls_w[i];
                break;
            }
        } else {
            switch (k) {
            case NB_ALLGATHER:
            case NB_ALLTOALL:
                c = a->rcount;
                d = (MPI_Aint)i * a->rcount * dt[i]->extent;
                break;
            case NB_ALLGATHERV:
            case NB_ALLTOALLV:
                c = a->rcounts[i];
                d = (MPI_Aint)a->rdispls[i] * dt[i]->extent;
                break;
            default:
                c = a->rcounts[i];
                d = a->rdispls_w[i];
                break;
            }
        }
        if (c < 0) {
            return MPI_ERR_COUNT;
        }
        cnt[i] = (size_t)c;
        dsp[i] = d;
    }
    return MPI_SUCCESS;
}

static int nbr_impl(const char *fn, const nbr_args_t *a, MPI_Comm comm, MPI_Request *req, int nb)
{
    DWCP_CHECK_INIT(fn);
    DWCP_GET_COMM(fn, comm, c);
    dwcp_topo_t *t = dwcp_topo_get(c);
    if (t == NULL) {
        return dwcp_err_comm(comm, MPI_ERR_TOPOLOGY, fn, "the communicator has no topology");
    }
    if (nb && req == NULL) {
        return dwcp_err_comm(comm, MPI_ERR_ARG, fn, "NULL request");
    }
    if (a->sendbuf == MPI_IN_PLACE || a->recvbuf == MPI_IN_PLACE) {
        return dwcp_err_comm(comm, MPI_ERR_BUFFER, fn, "MPI_IN_PLACE is not allowed");
    }
    int nin, nout, *in = NULL, *out = NULL, rc;
    dwcs_status_t st = dwcp_topo_neighbors(c, &nin, &in, &nout, &out);
    if (st != DWCS_OK) {
        return dwcp_err_comm(comm, MPI_ERR_NO_MEM, fn, "no memory");
    }
    int n = nin + nout + 1;
    size_t *cnt = malloc(sizeof(size_t) * (size_t)n);
    MPI_Aint *dsp = malloc(sizeof(MPI_Aint) * (size_t)n);
    dwcp_dt_t **dt = malloc(sizeof(dwcp_dt_t *) * (size_t)n);
    dwcp_sched_t *s = NULL;
    if (cnt == NULL || dsp == NULL || dt == NULL) {
        rc = dwcp_err_comm(comm, MPI_ERR_NO_MEM, fn, "no memory");
        goto out;
    }
    int vec = a->kind != NB_ALLGATHER && a->kind != NB_ALLTOALL;
    if (vec && ((nin > 0 && (a->rcounts == NULL || (a->rdispls == NULL && a->rdispls_w == NULL))) ||
                (nout > 0 && a->kind != NB_ALLGATHERV &&
                 (a->scounts == NULL || (a->sdispls == NULL && a->sdispls_w == NULL))))) {
        rc = dwcp_err_comm(comm, MPI_ERR_ARG, fn, "NULL counts or displacements");
        goto out;
    }
    if (a->kind == NB_ALLTOALLW &&
        ((nin > 0 && a->rtypes == NULL) || (nout > 0 && a->stypes == NULL))) {
        rc = dwcp_err_comm(comm, MPI_ERR_ARG, fn, "NULL datatype array");
        goto out;
    }
    rc = side(a, 0, nin, cnt, dsp, dt);
    if (rc == MPI_SUCCESS) {
        rc = side(a, 1, nout, cnt + nin, dsp + nin, dt + nin);
    }
    if (rc != MPI_SUCCESS) {
        rc = dwcp_err_comm(comm, rc, fn, "invalid count or datatype");
        goto out;
    }
    s = dwcp_sched_new(c);
    if (s == NULL) {
        rc = dwcp_err_comm(comm, MPI_ERR_NO_MEM, fn, "no memory");
        goto out;
    }
    st = dwcp_coll_neighbor(s, t->kind == MPI_CART, nin, in, nout, out, a->sendbuf, cnt + nin,
                            dsp + nin, dt + nin, a->recvbuf, cnt, dsp, dt);
    if (st != DWCS_OK) {
        dwcp_sched_discard(s);
        rc = dwcp_err_comm(comm, dwcp_status_to_class(st), fn, "%s", dwcs_status_string(st));
        goto out;
    }
    if (req == NULL) {
        rc = dwcp_sched_run(s);
        if (rc != MPI_SUCCESS) {
            rc = dwcp_err_comm(comm, rc, fn, "collective failed");
        }
        goto out;
    }
    dwcp_req_t *r = dwcp_req_alloc(DWCP_REQ_COLL);
    if (r == NULL || dwcp_req_publish(r, req) != DWCS_OK) {
        dwcp_req_free(r);
        dwcp_sched_discard(s);
        rc = dwcp_err_comm(comm, MPI_ERR_NO_MEM, fn, "no memory");
        goto out;
    }
    st = dwcp_sched_start(s, r);
    rc = st == DWCS_OK ? MPI_SUCCESS
                       : dwcp_err_comm(comm, dwcp_status_to_class(st), fn, "cannot start");
out:
    free(in);
    free(out);
    free(cnt);
    free(dsp);
    free(dt);
    return rc;
}

int PMPI_Neighbor_allgather(const void *sendbuf, int sendcount, MPI_Datatype sendtype,
                            void *recvbuf, int recvcount, MPI_Datatype recvtype, MPI_Comm comm)
{
    nbr_args_t a = {.kind = NB_ALLGATHER,
                    .sendbuf = sendbuf,
                    .scount = sendcount,
                    .stypes = &sendtype,
                    .recvbuf = recvbuf,
                    .rcount = recvcount,
                    .rtypes = &recvtype};
    return nbr_impl("MPI_Neighbor_allgather", &a, comm, NULL, 0);
}
DWCP_WEAK(Neighbor_allgather)

int PMPI_Ineighbor_allgather(const void *sendbuf, int sendcount, MPI_Datatype sendtype,
                             void *recvbuf, int recvcount, MPI_Datatype recvtype, MPI_Comm comm,
                             MPI_Request *request)
{
    nbr_args_t a = {.kind = NB_ALLGATHER,
                    .sendbuf = sendbuf,
                    .scount = sendcount,
                    .stypes = &sendtype,
                    .recvbuf = recvbuf,
                    .rcount = recvcount,
                    .rtypes = &recvtype};
    return nbr_impl("MPI_Ineighbor_allgather", &a, comm, request, 1);
}
DWCP_WEAK(Ineighbor_allgather)

int PMPI_Neighbor_allgatherv(const void *sendbuf, int sendcount, MPI_Datatype sendtype,
                             void *recvbuf, const int recvcounts[], const int displs[],
                             MPI_Datatype recvtype, MPI_Comm comm)
{
    nbr_args_t a = {.kind = NB_ALLGATHERV,
                    .sendbuf = sendbuf,
                    .scount = sendcount,
                    .stypes = &sendtype,
                    .recvbuf = recvbuf,
                    .rcounts = recvcounts,
                    .rdispls = displs,
                    .rtypes = &recvtype};
    return nbr_impl("MPI_Neighbor_allgatherv", &a, comm, NULL, 0);
}
DWCP_WEAK(Neighbor_allgatherv)

int PMPI_Ineighbor_allgatherv(const void *sendbuf, int sendcount, MPI_Datatype sendtype,
                              void *recvbuf, const int recvcounts[], const int displs[],
                              MPI_Datatype recvtype, MPI_Comm comm, MPI_Request *request)
{
    nbr_args_t a = {.kind = NB_ALLGATHERV,
                    .sendbuf = sendbuf,
                    .scount = sendcount,
                    .stypes = &sendtype,
                    .recvbuf = recvbuf,
                    .rcounts = recvcounts,
                    .rdispls = displs,
                    .rtypes = &recvtype};
    return nbr_impl("MPI_Ineighbor_allgatherv", &a, comm, request, 1);
}
DWCP_WEAK(Ineighbor_allgatherv)

int PMPI_Neighbor_alltoall(const void *sendbuf, int sendcount, MPI_Datatype sendtype, void *recvbuf,
                           int recvcount, MPI_Datatype recvtype, MPI_Comm comm)
{
    nbr_args_t a = {.kind = NB_ALLTOALL,
                    .sendbuf = sendbuf,
                    .scount = sendcount,
                    .stypes = &sendtype,
                    .recvbuf = recvbuf,
                    .rcount = recvcount,
                    .rtypes = &recvtype};
    return nbr_impl("MPI_Neighbor_alltoall", &a, comm, NULL, 0);
}
DWCP_WEAK(Neighbor_alltoall)

int PMPI_Ineighbor_alltoall(const void *sendbuf, int sendcount, MPI_Datatype sendtype,
                            void *recvbuf, int recvcount, MPI_Datatype recvtype, MPI_Comm comm,
                            MPI_Request *request)
{
    nbr_args_t a = {.kind = NB_ALLTOALL,
                    .sendbuf = sendbuf,
                    .scount = sendcount,
                    .stypes = &sendtype,
                    .recvbuf = recvbuf,
                    .rcount = recvcount,
                    .rtypes = &recvtype};
    return nbr_impl("MPI_Ineighbor_alltoall", &a, comm, request, 1);
}
DWCP_WEAK(Ineighbor_alltoall)

int PMPI_Neighbor_alltoallv(const void *sendbuf, const int sendcounts[], const int sdispls[],
                            MPI_Datatype sendtype, void *recvbuf, const int recvcounts[],
                            const int rdispls[], MPI_Datatype recvtype, MPI_Comm comm)
{
    nbr_args_t a = {.kind = NB_ALLTOALLV,
                    .sendbuf = sendbuf,
                    .scounts = sendcounts,
                    .sdispls = sdispls,
                    .stypes = &sendtype,
                    .recvbuf = recvbuf,
                    .rcounts = recvcounts,
                    .rdispls = rdispls,
                    .rtypes = &recvtype};
    return nbr_impl("MPI_Neighbor_alltoallv", &a, comm, NULL, 0);
}
DWCP_WEAK(Neighbor_alltoallv)

int PMPI_Ineighbor_alltoallv(const void *sendbuf, const int sendcounts[], const int sdispls[],
                             MPI_Datatype sendtype, void *recvbuf, const int recvcounts[],
                             const int rdispls[], MPI_Datatype recvtype, MPI_Comm comm,
                             MPI_Request *request)
{
    nbr_args_t a = {.kind = NB_ALLTOALLV,
                    .sendbuf = sendbuf,
                    .scounts = sendcounts,
                    .sdispls = sdispls,
                    .stypes = &sendtype,
                    .recvbuf = recvbuf,
                    .rcounts = recvcounts,
                    .rdispls = rdispls,
                    .rtypes = &recvtype};
    return nbr_impl("MPI_Ineighbor_alltoallv", &a, comm, request, 1);
}
DWCP_WEAK(Ineighbor_alltoallv)

int PMPI_Neighbor_alltoallw(const void *sendbuf, const int sendcounts[], const MPI_Aint sdispls[],
                            const MPI_Datatype sendtypes[], void *recvbuf, const int recvcounts[],
                            const MPI_Aint rdispls[], const MPI_Datatype recvtypes[], MPI_Comm comm)
{
    nbr_args_t a = {.kind = NB_ALLTOALLW,
                    .sendbuf = sendbuf,
                    .scounts = sendcounts,
                    .sdispls_w = sdispls,
                    .stypes = sendtypes,
                    .recvbuf = recvbuf,
                    .rcounts = recvcounts,
                    .rdispls_w = rdispls,
                    .rtypes = recvtypes};
    return nbr_impl("MPI_Neighbor_alltoallw", &a, comm, NULL, 0);
}
DWCP_WEAK(Neighbor_alltoallw)

int PMPI_Ineighbor_alltoallw(const void *sendbuf, const int sendcounts[], const MPI_Aint sdispls[],
                             const MPI_Datatype sendtypes[], void *recvbuf, const int recvcounts[],
                             const MPI_Aint rdispls[], const MPI_Datatype recvtypes[],
                             MPI_Comm comm, MPI_Request *request)
{
    nbr_args_t a = {.kind = NB_ALLTOALLW,
                    .sendbuf = sendbuf,
                    .scounts = sendcounts,
                    .sdispls_w = sdispls,
                    .stypes = sendtypes,
                    .recvbuf = recvbuf,
                    .rcounts = recvcounts,
                    .rdispls_w = rdispls,
                    .rtypes = recvtypes};
    return nbr_impl("MPI_Ineighbor_alltoallw", &a, comm, request, 1);
}
DWCP_WEAK(Ineighbor_alltoallw)
