/* Data-movement collectives: gather, scatter, allgather, alltoall and their v/w forms. */
#include <limits.h>
#include <stdlib.h>

#include "coll_bind.h"
#include "dwcp_coll_table.h"

static int get_counts(const char *fn, dwcp_comm_t *c, const int *counts, const int *displs,
                      MPI_Datatype h, dwcp_dt_t **dt)
{
    int i;
    if (counts == NULL || displs == NULL) {
        return dwcp_err_comm(c->handle, MPI_ERR_ARG, fn, "NULL counts or displacements");
    }
    for (i = 0; i < dwcp_comm_peer_size(c); i++) {
        if (counts[i] < 0) {
            return dwcp_err_comm(c->handle, MPI_ERR_COUNT, fn, "negative count %d for rank %d",
                                 counts[i], i);
        }
    }
    return dwcp_cb_dt(fn, c->handle, h, 0, dt);
}


/* ---- Gather(v) ---------------------------------------------------------------------------- */

static int gather_impl(const char *fn, const void *sendbuf, int sendcount, MPI_Datatype sendtype,
                       void *recvbuf, int recvcount, const int *recvcounts, const int *displs,
                       MPI_Datatype recvtype, int root, MPI_Comm comm, MPI_Request *req, int nb)
{
    dwcp_comm_t *c;
    dwcp_dt_t *sdt = NULL, *rdt = NULL;
    DWCP_CHECK_INIT(fn);
    CK(dwcp_cb_comm(fn, comm, &c));
    CK(dwcp_cb_root(fn, c, root));
    int inter = c->remote != NULL;
    int me_root = inter ? root == MPI_ROOT : c->rank == root;
    CK(dwcp_cb_inter_inplace(fn, c, sendbuf));
    if (inter && root < 0) {
        sendcount = 0; /* the root's group sends nothing */
    } else if (!(me_root && INPLACE(sendbuf))) {
        CK(dwcp_cb_dt(fn, comm, sendtype, sendcount, &sdt));
    } else {
        sendcount = 0;
    }
    if (me_root) {
        if (recvcounts != NULL || displs != NULL) {
            CK(get_counts(fn, c, recvcounts, displs, recvtype, &rdt));
        } else {
            CK(dwcp_cb_dt(fn, comm, recvtype, recvcount, &rdt));
        }
    } else if (INPLACE(sendbuf)) {
        return dwcp_err_comm(comm, MPI_ERR_BUFFER, fn, "MPI_IN_PLACE is only valid at the root");
    }
    if (nb && req == NULL) {
        return dwcp_err_comm(comm, MPI_ERR_ARG, fn, "NULL request");
    }
    NEW_SCHED(fn, c, s);
    return dwcp_cb_finish(fn, c, s,
               dwcp_coll_table(c)->gatherv(s, INPLACE(sendbuf) ? NULL : sendbuf, (size_t)sendcount,
                                           sdt, recvbuf, recvcounts, displs, (size_t)recvcount, rdt,
                                           root),
               req);
}

int PMPI_Gather(const void *sendbuf, int sendcount, MPI_Datatype sendtype, void *recvbuf,
                int recvcount, MPI_Datatype recvtype, int root, MPI_Comm comm)
{
    return gather_impl("MPI_Gather", sendbuf, sendcount, sendtype, recvbuf, recvcount, NULL, NULL,
                       recvtype, root, comm, NULL, 0);
}
DWCP_WEAK(Gather)

int PMPI_Igather(const void *sendbuf, int sendcount, MPI_Datatype sendtype, void *recvbuf,
                 int recvcount, MPI_Datatype recvtype, int root, MPI_Comm comm,
                 MPI_Request *request)
{
    return gather_impl("MPI_Igather", sendbuf, sendcount, sendtype, recvbuf, recvcount, NULL,
                       NULL, recvtype, root, comm, request, 1);
}
DWCP_WEAK(Igather)

int PMPI_Gatherv(const void *sendbuf, int sendcount, MPI_Datatype sendtype, void *recvbuf,
                 const int *recvcounts, const int *displs, MPI_Datatype recvtype, int root,
                 MPI_Comm comm)
{
    return gather_impl("MPI_Gatherv", sendbuf, sendcount, sendtype, recvbuf, 0, recvcounts,
                       displs, recvtype, root, comm, NULL, 0);
}
DWCP_WEAK(Gatherv)

int PMPI_Igatherv(const void *sendbuf, int sendcount, MPI_Datatype sendtype, void *recvbuf,
                  const int *recvcounts, const int *displs, MPI_Datatype recvtype, int root,
                  MPI_Comm comm, MPI_Request *request)
{
    return gather_impl("MPI_Igatherv", sendbuf, sendcount, sendtype, recvbuf, 0, recvcounts,
                       displs, recvtype, root, comm, request, 1);
}
DWCP_WEAK(Igatherv)

/* ---- Scatter(v) --------------------------------------------------------------------------- */

static int scatter_impl(const char *fn, const void *sendbuf, int sendcount, const int *sendcounts,
                        const int *displs, MPI_Datatype sendtype, void *recvbuf, int recvcount,
                        MPI_Datatype recvtype, int root, MPI_Comm comm, MPI_Request *req, int nb)
{
    dwcp_comm_t *c;
    dwcp_dt_t *sdt = NULL, *rdt = NULL;
    DWCP_CHECK_INIT(fn);
    CK(dwcp_cb_comm(fn, comm, &c));
    CK(dwcp_cb_root(fn, c, root));
    int inter = c->remote != NULL;
    int me_root = inter ? root == MPI_ROOT : c->rank == root;
    CK(dwcp_cb_inter_inplace(fn, c, recvbuf));
    if (me_root) {
        if (sendcounts != NULL || displs != NULL) {
            CK(get_counts(fn, c, sendcounts, displs, sendtype, &sdt));
        } else {
            CK(dwcp_cb_dt(fn, comm, sendtype, sendcount, &sdt));
        }
    }
    if (inter && root < 0) {
        recvcount = 0; /* the root's group receives nothing */
    } else if (!(me_root && INPLACE(recvbuf))) {
        CK(dwcp_cb_dt(fn, comm, recvtype, recvcount, &rdt));
    } else {
        recvcount = 0;
    }
    if (!me_root && INPLACE(recvbuf)) {
        return dwcp_err_comm(comm, MPI_ERR_BUFFER, fn, "MPI_IN_PLACE is only valid at the root");
    }
    if (nb && req == NULL) {
        return dwcp_err_comm(comm, MPI_ERR_ARG, fn, "NULL request");
    }
    NEW_SCHED(fn, c, s);
    return dwcp_cb_finish(fn, c, s,
               dwcp_coll_table(c)->scatterv(s, sendbuf, sendcounts, displs, (size_t)sendcount, sdt,
                                  INPLACE(recvbuf) ? NULL : recvbuf, (size_t)recvcount, rdt, root),
               req);
}

int PMPI_Scatter(const void *sendbuf, int sendcount, MPI_Datatype sendtype, void *recvbuf,
                 int recvcount, MPI_Datatype recvtype, int root, MPI_Comm comm)
{
    return scatter_impl("MPI_Scatter", sendbuf, sendcount, NULL, NULL, sendtype, recvbuf,
                        recvcount, recvtype, root, comm, NULL, 0);
}
DWCP_WEAK(Scatter)

int PMPI_Iscatter(const void *sendbuf, int sendcount, MPI_Datatype sendtype, void *recvbuf,
                  int recvcount, MPI_Datatype recvtype, int root, MPI_Comm comm,
                  MPI_Request *request)
{
    return scatter_impl("MPI_Iscatter", sendbuf, sendcount, NULL, NULL, sendtype, recvbuf,
                        recvcount, recvtype, root, comm, request, 1);
}
DWCP_WEAK(Iscatter)

int PMPI_Scatterv(const void *sendbuf, const int *sendcounts, const int *displs,
                  MPI_Datatype sendtype, void *recvbuf, int recvcount, MPI_Datatype recvtype,
                  int root, MPI_Comm comm)
{
    return scatter_impl("MPI_Scatterv", sendbuf, 0, sendcounts, displs, sendtype, recvbuf,
                        recvcount, recvtype, root, comm, NULL, 0);
}
DWCP_WEAK(Scatterv)

int PMPI_Iscatterv(const void *sendbuf, const int *sendcounts, const int *displs,
                   MPI_Datatype sendtype, void *recvbuf, int recvcount, MPI_Datatype recvtype,
                   int root, MPI_Comm comm, MPI_Request *request)
{
    return scatter_impl("MPI_Iscatterv", sendbuf, 0, sendcounts, displs, sendtype, recvbuf,
                        recvcount, recvtype, root, comm, request, 1);
}
DWCP_WEAK(Iscatterv)

/* ---- Allgather(v) ------------------------------------------------------------------------- */

static int allgather_impl(const char *fn, const void *sendbuf, int sendcount,
                          MPI_Datatype sendtype, void *recvbuf, int recvcount,
                          const int *recvcounts, const int *displs, MPI_Datatype recvtype,
                          MPI_Comm comm, MPI_Request *req, int nb)
{
    dwcp_comm_t *c;
    dwcp_dt_t *sdt = NULL, *rdt = NULL;
    DWCP_CHECK_INIT(fn);
    CK(dwcp_cb_comm(fn, comm, &c));
    CK(dwcp_cb_inter_inplace(fn, c, sendbuf));
    if (!INPLACE(sendbuf)) {
        CK(dwcp_cb_dt(fn, comm, sendtype, sendcount, &sdt));
    } else {
        sendcount = 0;
    }
    if (recvcounts != NULL || displs != NULL) {
        CK(get_counts(fn, c, recvcounts, displs, recvtype, &rdt));
    } else {
        CK(dwcp_cb_dt(fn, comm, recvtype, recvcount, &rdt));
    }
    if (nb && req == NULL) {
        return dwcp_err_comm(comm, MPI_ERR_ARG, fn, "NULL request");
    }
    NEW_SCHED(fn, c, s);
    return dwcp_cb_finish(fn, c, s,
               dwcp_coll_table(c)->allgatherv(s, INPLACE(sendbuf) ? NULL : sendbuf,
                                              (size_t)sendcount, sdt, recvbuf, recvcounts, displs,
                                              (size_t)recvcount, rdt),
               req);
}

int PMPI_Allgather(const void *sendbuf, int sendcount, MPI_Datatype sendtype, void *recvbuf,
                   int recvcount, MPI_Datatype recvtype, MPI_Comm comm)
{
    return allgather_impl("MPI_Allgather", sendbuf, sendcount, sendtype, recvbuf, recvcount, NULL,
                          NULL, recvtype, comm, NULL, 0);
}
DWCP_WEAK(Allgather)

int PMPI_Iallgather(const void *sendbuf, int sendcount, MPI_Datatype sendtype, void *recvbuf,
                    int recvcount, MPI_Datatype recvtype, MPI_Comm comm, MPI_Request *request)
{
    return allgather_impl("MPI_Iallgather", sendbuf, sendcount, sendtype, recvbuf, recvcount,
                          NULL, NULL, recvtype, comm, request, 1);
}
DWCP_WEAK(Iallgather)

int PMPI_Allgatherv(const void *sendbuf, int sendcount, MPI_Datatype sendtype, void *recvbuf,
                    const int *recvcounts, const int *displs, MPI_Datatype recvtype,
                    MPI_Comm comm)
{
    return allgather_impl("MPI_Allgatherv", sendbuf, sendcount, sendtype, recvbuf, 0, recvcounts,
                          displs, recvtype, comm, NULL, 0);
}
DWCP_WEAK(Allgatherv)

int PMPI_Iallgatherv(const void *sendbuf, int sendcount, MPI_Datatype sendtype, void *recvbuf,
                     const int *recvcounts, const int *displs, MPI_Datatype recvtype,
                     MPI_Comm comm, MPI_Request *request)
{
    return allgather_impl("MPI_Iallgatherv", sendbuf, sendcount, sendtype, recvbuf, 0,
                          recvcounts, displs, recvtype, comm, request, 1);
}
DWCP_WEAK(Iallgatherv)

/* ---- Alltoall(v/w) ------------------------------------------------------------------------ */

/*
 * Common path: per-peer counts, byte displacements and types. @p kind: 0 alltoall,
 * 1 alltoallv (element displacements), 2 alltoallw (byte displacements, per-peer types).
 */
static int alltoall_impl(const char *fn, int kind, const void *sendbuf, int scount,
                         const int *scounts, const int *sdispls, const MPI_Datatype *stypes,
                         void *recvbuf, int rcount, const int *rcounts, const int *rdispls,
                         const MPI_Datatype *rtypes, MPI_Comm comm, MPI_Request *req, int nb)
{
    dwcp_comm_t *c;
    int i, rc = MPI_SUCCESS;
    DWCP_CHECK_INIT(fn);
    CK(dwcp_cb_comm(fn, comm, &c));
    CK(dwcp_cb_inter_inplace(fn, c, sendbuf));
    int p = dwcp_comm_peer_size(c), inplace = INPLACE(sendbuf);
    if (nb && req == NULL) {
        return dwcp_err_comm(comm, MPI_ERR_ARG, fn, "NULL request");
    }
    if (kind > 0 && (rcounts == NULL || rdispls == NULL || (!inplace && (scounts == NULL ||
                                                                         sdispls == NULL)))) {
        return dwcp_err_comm(comm, MPI_ERR_ARG, fn, "NULL counts or displacements");
    }
    if (kind == 2 && (rtypes == NULL || (!inplace && stypes == NULL))) {
        return dwcp_err_comm(comm, MPI_ERR_ARG, fn, "NULL datatype array");
    }
    size_t *sc = malloc(sizeof(size_t) * (size_t)p * 2);
    MPI_Aint *sd = malloc(sizeof(MPI_Aint) * (size_t)p * 2);
    dwcp_dt_t **st = malloc(sizeof(dwcp_dt_t *) * (size_t)p * 2);
    if (sc == NULL || sd == NULL || st == NULL) {
        free(sc);
        free(sd);
        free(st);
        return dwcp_err_comm(comm, MPI_ERR_NO_MEM, fn, "no memory");
    }
    size_t *rc_ = sc + p;
    MPI_Aint *rd = sd + p;
    dwcp_dt_t **rt = st + p;
    for (i = 0; i < p && rc == MPI_SUCCESS; i++) {
        MPI_Datatype rth = kind == 2 ? rtypes[i] : rtypes[0];
        int n = kind == 0 ? rcount : rcounts[i];
        rc = dwcp_cb_dt(fn, comm, rth, n, &rt[i]);
        if (rc == MPI_SUCCESS) {
            rc_[i] = (size_t)n;
            rd[i] = kind == 0   ? (MPI_Aint)i * rcount * rt[i]->extent
                    : kind == 1 ? (MPI_Aint)rdispls[i] * rt[i]->extent
                                : (MPI_Aint)rdispls[i];
        }
        if (!inplace && rc == MPI_SUCCESS) {
            MPI_Datatype sth = kind == 2 ? stypes[i] : stypes[0];
            int m = kind == 0 ? scount : scounts[i];
            rc = dwcp_cb_dt(fn, comm, sth, m, &st[i]);
            if (rc == MPI_SUCCESS) {
                sc[i] = (size_t)m;
                sd[i] = kind == 0   ? (MPI_Aint)i * scount * st[i]->extent
                        : kind == 1 ? (MPI_Aint)sdispls[i] * st[i]->extent
                                    : (MPI_Aint)sdispls[i];
            }
        }
    }
    if (rc != MPI_SUCCESS) {
        free(sc);
        free(sd);
        free(st);
        return rc;
    }
    dwcp_sched_t *s = dwcp_sched_new(c);
    if (s == NULL) {
        free(sc);
        free(sd);
        free(st);
        return dwcp_err_comm(comm, MPI_ERR_NO_MEM, fn, "no memory");
    }
    dwcs_status_t bst = dwcp_coll_table(c)->alltoallw(s, inplace ? NULL : sendbuf, sc, sd, st,
                                                      recvbuf, rc_, rd, rt);
    free(sc);
    free(sd);
    free(st);
    return dwcp_cb_finish(fn, c, s, bst, req);
}

int PMPI_Alltoall(const void *sendbuf, int sendcount, MPI_Datatype sendtype, void *recvbuf,
                  int recvcount, MPI_Datatype recvtype, MPI_Comm comm)
{
    return alltoall_impl("MPI_Alltoall", 0, sendbuf, sendcount, NULL, NULL, &sendtype, recvbuf,
                         recvcount, NULL, NULL, &recvtype, comm, NULL, 0);
}
DWCP_WEAK(Alltoall)

int PMPI_Ialltoall(const void *sendbuf, int sendcount, MPI_Datatype sendtype, void *recvbuf,
                   int recvcount, MPI_Datatype recvtype, MPI_Comm comm, MPI_Request *request)
{
    return alltoall_impl("MPI_Ialltoall", 0, sendbuf, sendcount, NULL, NULL, &sendtype, recvbuf,
                         recvcount, NULL, NULL, &recvtype, comm, request, 1);
}
DWCP_WEAK(Ialltoall)

int PMPI_Alltoallv(const void *sendbuf, const int *sendcounts, const int *sdispls,
                   MPI_Datatype sendtype, void *recvbuf, const int *recvcounts,
                   const int *rdispls, MPI_Datatype recvtype, MPI_Comm comm)
{
    return alltoall_impl("MPI_Alltoallv", 1, sendbuf, 0, sendcounts, sdispls, &sendtype, recvbuf,
                         0, recvcounts, rdispls, &recvtype, comm, NULL, 0);
}
DWCP_WEAK(Alltoallv)

int PMPI_Ialltoallv(const void *sendbuf, const int *sendcounts, const int *sdispls,
                    MPI_Datatype sendtype, void *recvbuf, const int *recvcounts,
                    const int *rdispls, MPI_Datatype recvtype, MPI_Comm comm,
                    MPI_Request *request)
{
    return alltoall_impl("MPI_Ialltoallv", 1, sendbuf, 0, sendcounts, sdispls, &sendtype,
                         recvbuf, 0, recvcounts, rdispls, &recvtype, comm, request, 1);
}
DWCP_WEAK(Ialltoallv)

int PMPI_Alltoallw(const void *sendbuf, const int *sendcounts, const int *sdispls,
                   const MPI_Datatype *sendtypes, void *recvbuf, const int *recvcounts,
                   const int *rdispls, const MPI_Datatype *recvtypes, MPI_Comm comm)
{
    return alltoall_impl("MPI_Alltoallw", 2, sendbuf, 0, sendcounts, sdispls, sendtypes, recvbuf,
                         0, recvcounts, rdispls, recvtypes, comm, NULL, 0);
}
DWCP_WEAK(Alltoallw)

int PMPI_Ialltoallw(const void *sendbuf, const int *sendcounts, const int *sdispls,
                    const MPI_Datatype *sendtypes, void *recvbuf, const int *recvcounts,
                    const int *rdispls, const MPI_Datatype *recvtypes, MPI_Comm comm,
                    MPI_Request *request)
{
    return alltoall_impl("MPI_Ialltoallw", 2, sendbuf, 0, sendcounts, sdispls, sendtypes,
                         recvbuf, 0, recvcounts, rdispls, recvtypes, comm, request, 1);
}
DWCP_WEAK(Ialltoallw)

/* ---- MPI-4 persistent collectives (see coll_persist.c) ------------------------------------ */

int PMPI_Gather_init(const void *sendbuf, int sendcount, MPI_Datatype sendtype, void *recvbuf,
                     int recvcount, MPI_Datatype recvtype, int root, MPI_Comm comm, MPI_Info info,
                     MPI_Request *request)
{
    const char *fn = "MPI_Gather_init";
    (void)info; /* no hints are used */
    PCOLL_INIT(fn, comm, gather_impl(fn, sendbuf, sendcount, sendtype, recvbuf, recvcount, NULL,
                                     NULL, recvtype, root, comm, request, 1));
}
DWCP_WEAK(Gather_init)

int PMPI_Gatherv_init(const void *sendbuf, int sendcount, MPI_Datatype sendtype, void *recvbuf,
                      const int recvcounts[], const int displs[], MPI_Datatype recvtype, int root,
                      MPI_Comm comm, MPI_Info info, MPI_Request *request)
{
    const char *fn = "MPI_Gatherv_init";
    (void)info; /* no hints are used */
    PCOLL_INIT(fn, comm, gather_impl(fn, sendbuf, sendcount, sendtype, recvbuf, 0, recvcounts,
                                     displs, recvtype, root, comm, request, 1));
}
DWCP_WEAK(Gatherv_init)

int PMPI_Scatter_init(const void *sendbuf, int sendcount, MPI_Datatype sendtype, void *recvbuf,
                      int recvcount, MPI_Datatype recvtype, int root, MPI_Comm comm, MPI_Info info,
                      MPI_Request *request)
{
    const char *fn = "MPI_Scatter_init";
    (void)info; /* no hints are used */
    PCOLL_INIT(fn, comm, scatter_impl(fn, sendbuf, sendcount, NULL, NULL, sendtype, recvbuf,
                                      recvcount, recvtype, root, comm, request, 1));
}
DWCP_WEAK(Scatter_init)

int PMPI_Scatterv_init(const void *sendbuf, const int sendcounts[], const int displs[],
                       MPI_Datatype sendtype, void *recvbuf, int recvcount, MPI_Datatype recvtype,
                       int root, MPI_Comm comm, MPI_Info info, MPI_Request *request)
{
    const char *fn = "MPI_Scatterv_init";
    (void)info; /* no hints are used */
    PCOLL_INIT(fn, comm, scatter_impl(fn, sendbuf, 0, sendcounts, displs, sendtype, recvbuf,
                                      recvcount, recvtype, root, comm, request, 1));
}
DWCP_WEAK(Scatterv_init)

int PMPI_Allgather_init(const void *sendbuf, int sendcount, MPI_Datatype sendtype, void *recvbuf,
                        int recvcount, MPI_Datatype recvtype, MPI_Comm comm, MPI_Info info,
                        MPI_Request *request)
{
    const char *fn = "MPI_Allgather_init";
    (void)info; /* no hints are used */
    PCOLL_INIT(fn, comm, allgather_impl(fn, sendbuf, sendcount, sendtype, recvbuf, recvcount, NULL,
                                        NULL, recvtype, comm, request, 1));
}
DWCP_WEAK(Allgather_init)

int PMPI_Allgatherv_init(const void *sendbuf, int sendcount, MPI_Datatype sendtype, void *recvbuf,
                         const int recvcounts[], const int displs[], MPI_Datatype recvtype,
                         MPI_Comm comm, MPI_Info info, MPI_Request *request)
{
    const char *fn = "MPI_Allgatherv_init";
    (void)info; /* no hints are used */
    PCOLL_INIT(fn, comm, allgather_impl(fn, sendbuf, sendcount, sendtype, recvbuf, 0, recvcounts,
                                        displs, recvtype, comm, request, 1));
}
DWCP_WEAK(Allgatherv_init)

int PMPI_Alltoall_init(const void *sendbuf, int sendcount, MPI_Datatype sendtype, void *recvbuf,
                       int recvcount, MPI_Datatype recvtype, MPI_Comm comm, MPI_Info info,
                       MPI_Request *request)
{
    const char *fn = "MPI_Alltoall_init";
    (void)info; /* no hints are used */
    PCOLL_INIT(fn, comm, alltoall_impl(fn, 0, sendbuf, sendcount, NULL, NULL, &sendtype, recvbuf,
                                       recvcount, NULL, NULL, &recvtype, comm, request, 1));
}
DWCP_WEAK(Alltoall_init)

int PMPI_Alltoallv_init(const void *sendbuf, const int sendcounts[], const int sdispls[],
                        MPI_Datatype sendtype, void *recvbuf, const int recvcounts[],
                        const int rdispls[], MPI_Datatype recvtype, MPI_Comm comm, MPI_Info info,
                        MPI_Request *request)
{
    const char *fn = "MPI_Alltoallv_init";
    (void)info; /* no hints are used */
    PCOLL_INIT(fn, comm, alltoall_impl(fn, 1, sendbuf, 0, sendcounts, sdispls, &sendtype, recvbuf,
                                       0, recvcounts, rdispls, &recvtype, comm, request, 1));
}
DWCP_WEAK(Alltoallv_init)

int PMPI_Alltoallw_init(const void *sendbuf, const int sendcounts[], const int sdispls[],
                        const MPI_Datatype sendtypes[], void *recvbuf, const int recvcounts[],
                        const int rdispls[], const MPI_Datatype recvtypes[], MPI_Comm comm,
                        MPI_Info info, MPI_Request *request)
{
    const char *fn = "MPI_Alltoallw_init";
    (void)info; /* no hints are used */
    PCOLL_INIT(fn, comm, alltoall_impl(fn, 2, sendbuf, 0, sendcounts, sdispls, sendtypes, recvbuf,
                                       0, recvcounts, rdispls, recvtypes, comm, request, 1));
}
DWCP_WEAK(Alltoallw_init)

/* ---- MPI-4 large-count Alltoallv -------------------------------------------------------------
 * Counts and displacements must fit in an int (they take the int path); larger ones are
 * refused with MPI_ERR_COUNT for now. */

/* Copy @p n counts/displacements into ints; 0 if one does not fit. */
static int to_ints(int n, const MPI_Count *c, const MPI_Aint *d, int *ci, int *di)
{
    for (int i = 0; i < n; i++) {
        if (c[i] < 0 || c[i] > INT_MAX || d[i] < INT_MIN || d[i] > INT_MAX) {
            return 0;
        }
        ci[i] = (int)c[i];
        di[i] = (int)d[i];
    }
    return 1;
}

int PMPI_Alltoallv_c(const void *sendbuf, const MPI_Count sendcounts[], const MPI_Aint sdispls[],
                     MPI_Datatype sendtype, void *recvbuf, const MPI_Count recvcounts[],
                     const MPI_Aint rdispls[], MPI_Datatype recvtype, MPI_Comm comm)
{
    const char *fn = "MPI_Alltoallv_c";
    dwcp_comm_t *c;
    DWCP_CHECK_INIT(fn);
    CK(dwcp_cb_comm(fn, comm, &c));
    int p = dwcp_comm_peer_size(c), inplace = INPLACE(sendbuf);
    if (recvcounts == NULL || rdispls == NULL || (!inplace && (sendcounts == NULL ||
                                                                 sdispls == NULL))) {
        return dwcp_err_comm(comm, MPI_ERR_ARG, fn, "NULL counts or displacements");
    }
    int *a = malloc(sizeof(int) * 4 * (size_t)p + 1);
    if (a == NULL) {
        return dwcp_err_comm(comm, MPI_ERR_NO_MEM, fn, "no memory");
    }
    int *sc = a, *sd = a + p, *rc = a + 2 * p, *rd = a + 3 * p;
    int ok = to_ints(p, recvcounts, rdispls, rc, rd) &&
             (inplace || to_ints(p, sendcounts, sdispls, sc, sd));
    int ret = ok ? PMPI_Alltoallv(sendbuf, sc, sd, sendtype, recvbuf, rc, rd, recvtype, comm)
                 : dwcp_err_comm(comm, MPI_ERR_COUNT, fn,
                                 "counts or displacements above INT_MAX are not supported yet");
    free(a);
    return ret;
}
DWCP_WEAK(Alltoallv_c)
