/*
 * Collective bindings. Each collective has one implementation taking an optional request:
 * NULL runs the schedule to completion (MPI_Bcast), non-NULL starts it and returns the request
 * (MPI_Ibcast), which then progresses in the background of any MPI call.
 */
#include <stdlib.h>
#include <string.h>

#include "coll_bind.h"
#include "dwcp_coll_table.h"

/* ---- Barrier, Bcast ----------------------------------------------------------------------- */

static int barrier_impl(const char *fn, MPI_Comm comm, MPI_Request *req, int nb)
{
    dwcp_comm_t *c;
    DWCP_CHECK_INIT(fn);
    CK(dwcp_cb_comm(fn, comm, &c));
    REQ_CHECK(fn, comm, req);
    NEW_SCHED(fn, c, s);
    return dwcp_cb_finish(fn, c, s, dwcp_coll_table(c)->barrier(s), req);
}

int PMPI_Barrier(MPI_Comm comm)
{
    return barrier_impl("MPI_Barrier", comm, NULL, 0);
}
DWCP_WEAK(Barrier)

int PMPI_Ibarrier(MPI_Comm comm, MPI_Request *request)
{
    return barrier_impl("MPI_Ibarrier", comm, request, 1);
}
DWCP_WEAK(Ibarrier)

static int bcast_impl(const char *fn, void *buf, int count, MPI_Datatype datatype, int root,
                      MPI_Comm comm, MPI_Request *req, int nb)
{
    dwcp_comm_t *c;
    dwcp_dt_t *dt;
    DWCP_CHECK_INIT(fn);
    CK(dwcp_cb_comm(fn, comm, &c));
    CK(dwcp_cb_dt(fn, comm, datatype, count, &dt));
    CK(dwcp_cb_root(fn, c, root));
    REQ_CHECK(fn, comm, req);
    NEW_SCHED(fn, c, s);
    return dwcp_cb_finish(fn, c, s, dwcp_coll_table(c)->bcast(s, buf, (size_t)count, dt, root), req);
}

int PMPI_Bcast(void *buffer, int count, MPI_Datatype datatype, int root, MPI_Comm comm)
{
    return bcast_impl("MPI_Bcast", buffer, count, datatype, root, comm, NULL, 0);
}
DWCP_WEAK(Bcast)

int PMPI_Ibcast(void *buffer, int count, MPI_Datatype datatype, int root, MPI_Comm comm,
                MPI_Request *request)
{
    return bcast_impl("MPI_Ibcast", buffer, count, datatype, root, comm, request, 1);
}
DWCP_WEAK(Ibcast)

/* ---- Reductions --------------------------------------------------------------------------- */

static int reduce_impl(const char *fn, const void *sendbuf, void *recvbuf, int count,
                       MPI_Datatype datatype, MPI_Op op, int root, MPI_Comm comm,
                       MPI_Request *req, int nb)
{
    dwcp_comm_t *c;
    dwcp_dt_t *dt;
    dwcp_op_t *o;
    DWCP_CHECK_INIT(fn);
    CK(dwcp_cb_comm(fn, comm, &c));
    CK(dwcp_cb_dt(fn, comm, datatype, count, &dt));
    CK(dwcp_cb_op(fn, comm, op, dt, &o));
    CK(dwcp_cb_root(fn, c, root));
    REQ_CHECK(fn, comm, req);
    if (c->remote != NULL) {
        CK(dwcp_cb_inter_inplace(fn, c, sendbuf));
        if (root == MPI_ROOT) {
            CK(dwcp_cb_alias(fn, c, sendbuf, recvbuf, count));
        }
    } else if (c->rank == root) {
        CK(dwcp_cb_alias(fn, c, sendbuf, recvbuf, count));
    } else if (INPLACE(sendbuf)) {
        return dwcp_err_comm(comm, MPI_ERR_BUFFER, fn, "MPI_IN_PLACE is only valid at the root");
    }
    NEW_SCHED(fn, c, s);
    return dwcp_cb_finish(fn, c, s,
                  dwcp_coll_table(c)->reduce(s, INPLACE(sendbuf) ? NULL : sendbuf, recvbuf,
                                             (size_t)count, dt, o, root),
                  req);
}

int PMPI_Reduce(const void *sendbuf, void *recvbuf, int count, MPI_Datatype datatype, MPI_Op op,
                int root, MPI_Comm comm)
{
    return reduce_impl("MPI_Reduce", sendbuf, recvbuf, count, datatype, op, root, comm, NULL, 0);
}
DWCP_WEAK(Reduce)

int PMPI_Ireduce(const void *sendbuf, void *recvbuf, int count, MPI_Datatype datatype, MPI_Op op,
                 int root, MPI_Comm comm, MPI_Request *request)
{
    return reduce_impl("MPI_Ireduce", sendbuf, recvbuf, count, datatype, op, root, comm, request,
                       1);
}
DWCP_WEAK(Ireduce)

static int allreduce_impl(const char *fn, const void *sendbuf, void *recvbuf, int count,
                          MPI_Datatype datatype, MPI_Op op, MPI_Comm comm, MPI_Request *req,
                          int nb)
{
    dwcp_comm_t *c;
    dwcp_dt_t *dt;
    dwcp_op_t *o;
    DWCP_CHECK_INIT(fn);
    CK(dwcp_cb_comm(fn, comm, &c));
    CK(dwcp_cb_dt(fn, comm, datatype, count, &dt));
    CK(dwcp_cb_op(fn, comm, op, dt, &o));
    CK(dwcp_cb_alias(fn, c, sendbuf, recvbuf, count));
    CK(dwcp_cb_inter_inplace(fn, c, sendbuf));
    REQ_CHECK(fn, comm, req);
    NEW_SCHED(fn, c, s);
    return dwcp_cb_finish(fn, c, s,
                  dwcp_coll_table(c)->allreduce(s, INPLACE(sendbuf) ? NULL : sendbuf, recvbuf,
                                      (size_t)count, dt, o),
                  req);
}

int PMPI_Allreduce(const void *sendbuf, void *recvbuf, int count, MPI_Datatype datatype,
                   MPI_Op op, MPI_Comm comm)
{
    return allreduce_impl("MPI_Allreduce", sendbuf, recvbuf, count, datatype, op, comm, NULL, 0);
}
DWCP_WEAK(Allreduce)

int PMPI_Iallreduce(const void *sendbuf, void *recvbuf, int count, MPI_Datatype datatype,
                    MPI_Op op, MPI_Comm comm, MPI_Request *request)
{
    return allreduce_impl("MPI_Iallreduce", sendbuf, recvbuf, count, datatype, op, comm,
                          request, 1);
}
DWCP_WEAK(Iallreduce)

static int rs_impl(const char *fn, const void *sendbuf, void *recvbuf, const int *recvcounts,
                   int block, MPI_Datatype datatype, MPI_Op op, MPI_Comm comm, MPI_Request *req,
                   int nb)
{
    dwcp_comm_t *c;
    dwcp_dt_t *dt;
    dwcp_op_t *o;
    int i;
    DWCP_CHECK_INIT(fn);
    CK(dwcp_cb_comm(fn, comm, &c));
    CK(dwcp_cb_inter_inplace(fn, c, sendbuf));
    int *counts = malloc(sizeof(int) * (size_t)c->size);
    if (counts == NULL) {
        return dwcp_err_comm(comm, MPI_ERR_NO_MEM, fn, "no memory");
    }
    for (i = 0; i < c->size; i++) {
        counts[i] = recvcounts ? recvcounts[i] : block;
        if (counts[i] < 0) {
            free(counts);
            return dwcp_err_comm(comm, MPI_ERR_COUNT, fn, "negative count %d for rank %d",
                                 counts[i], i);
        }
    }
    int rc = dwcp_cb_dt(fn, comm, datatype, 0, &dt);
    if (rc == MPI_SUCCESS) {
        rc = dwcp_cb_op(fn, comm, op, dt, &o);
    }
    if (rc == MPI_SUCCESS && req == NULL && nb) {
        rc = dwcp_err_comm(comm, MPI_ERR_ARG, fn, "NULL request");
    }
    if (rc != MPI_SUCCESS) {
        free(counts);
        return rc;
    }
    dwcp_sched_t *s = dwcp_sched_new(c);
    int *kept = s ? dwcp_sched_alloc(s, sizeof(int) * (size_t)c->size) : NULL;
    if (kept == NULL) {
        dwcp_sched_discard(s);
        free(counts);
        return dwcp_err_comm(comm, MPI_ERR_NO_MEM, fn, "no memory");
    }
    memcpy(kept, counts, sizeof(int) * (size_t)c->size);
    free(counts);
    return dwcp_cb_finish(fn, c, s,
                  dwcp_coll_table(c)->reduce_scatter(s, INPLACE(sendbuf) ? NULL : sendbuf, recvbuf,
                                                     kept, dt, o),
                  req);
}

int PMPI_Reduce_scatter(const void *sendbuf, void *recvbuf, const int *recvcounts,
                        MPI_Datatype datatype, MPI_Op op, MPI_Comm comm)
{
    if (recvcounts == NULL) {
        return dwcp_err_comm(comm, MPI_ERR_ARG, "MPI_Reduce_scatter", "NULL recvcounts");
    }
    return rs_impl("MPI_Reduce_scatter", sendbuf, recvbuf, recvcounts, 0, datatype, op, comm,
                   NULL, 0);
}
DWCP_WEAK(Reduce_scatter)

int PMPI_Ireduce_scatter(const void *sendbuf, void *recvbuf, const int *recvcounts,
                         MPI_Datatype datatype, MPI_Op op, MPI_Comm comm, MPI_Request *request)
{
    if (recvcounts == NULL) {
        return dwcp_err_comm(comm, MPI_ERR_ARG, "MPI_Ireduce_scatter", "NULL recvcounts");
    }
    return rs_impl("MPI_Ireduce_scatter", sendbuf, recvbuf, recvcounts, 0, datatype, op, comm,
                   request, 1);
}
DWCP_WEAK(Ireduce_scatter)

int PMPI_Reduce_scatter_block(const void *sendbuf, void *recvbuf, int recvcount,
                              MPI_Datatype datatype, MPI_Op op, MPI_Comm comm)
{
    return rs_impl("MPI_Reduce_scatter_block", sendbuf, recvbuf, NULL, recvcount, datatype, op,
                   comm, NULL, 0);
}
DWCP_WEAK(Reduce_scatter_block)

int PMPI_Ireduce_scatter_block(const void *sendbuf, void *recvbuf, int recvcount,
                               MPI_Datatype datatype, MPI_Op op, MPI_Comm comm,
                               MPI_Request *request)
{
    return rs_impl("MPI_Ireduce_scatter_block", sendbuf, recvbuf, NULL, recvcount, datatype, op,
                   comm, request, 1);
}
DWCP_WEAK(Ireduce_scatter_block)

static int scan_impl(const char *fn, const void *sendbuf, void *recvbuf, int count,
                     MPI_Datatype datatype, MPI_Op op, MPI_Comm comm, int exclusive,
                     MPI_Request *req, int nb)
{
    dwcp_comm_t *c;
    dwcp_dt_t *dt;
    dwcp_op_t *o;
    DWCP_CHECK_INIT(fn);
    CK(dwcp_cb_comm(fn, comm, &c));
    if (dwcp_coll_table(c)->scan == NULL) {
        return dwcp_err_comm(comm, MPI_ERR_COMM, fn, "not defined on intercommunicators");
    }
    CK(dwcp_cb_dt(fn, comm, datatype, count, &dt));
    CK(dwcp_cb_op(fn, comm, op, dt, &o));
    CK(dwcp_cb_alias(fn, c, sendbuf, recvbuf, count));
    REQ_CHECK(fn, comm, req);
    NEW_SCHED(fn, c, s);
    return dwcp_cb_finish(fn, c, s,
                  dwcp_coll_table(c)->scan(s, INPLACE(sendbuf) ? NULL : sendbuf, recvbuf,
                                           (size_t)count, dt, o, exclusive),
                  req);
}

int PMPI_Scan(const void *sendbuf, void *recvbuf, int count, MPI_Datatype datatype, MPI_Op op,
              MPI_Comm comm)
{
    return scan_impl("MPI_Scan", sendbuf, recvbuf, count, datatype, op, comm, 0, NULL, 0);
}
DWCP_WEAK(Scan)

int PMPI_Iscan(const void *sendbuf, void *recvbuf, int count, MPI_Datatype datatype, MPI_Op op,
               MPI_Comm comm, MPI_Request *request)
{
    return scan_impl("MPI_Iscan", sendbuf, recvbuf, count, datatype, op, comm, 0, request, 1);
}
DWCP_WEAK(Iscan)

int PMPI_Exscan(const void *sendbuf, void *recvbuf, int count, MPI_Datatype datatype, MPI_Op op,
                MPI_Comm comm)
{
    return scan_impl("MPI_Exscan", sendbuf, recvbuf, count, datatype, op, comm, 1, NULL, 0);
}
DWCP_WEAK(Exscan)

int PMPI_Iexscan(const void *sendbuf, void *recvbuf, int count, MPI_Datatype datatype, MPI_Op op,
                 MPI_Comm comm, MPI_Request *request)
{
    return scan_impl("MPI_Iexscan", sendbuf, recvbuf, count, datatype, op, comm, 1, request, 1);
}
DWCP_WEAK(Iexscan)

/* ---- MPI-4 persistent collectives (see coll_persist.c) ------------------------------------ */

int PMPI_Barrier_init(MPI_Comm comm, MPI_Info info, MPI_Request *request)
{
    const char *fn = "MPI_Barrier_init";
    (void)info; /* no hints are used */
    PCOLL_INIT(fn, comm, barrier_impl(fn, comm, request, 1));
}
DWCP_WEAK(Barrier_init)

int PMPI_Bcast_init(void *buffer, int count, MPI_Datatype datatype, int root, MPI_Comm comm,
                    MPI_Info info, MPI_Request *request)
{
    const char *fn = "MPI_Bcast_init";
    (void)info; /* no hints are used */
    PCOLL_INIT(fn, comm, bcast_impl(fn, buffer, count, datatype, root, comm, request, 1));
}
DWCP_WEAK(Bcast_init)

int PMPI_Reduce_init(const void *sendbuf, void *recvbuf, int count, MPI_Datatype datatype,
                     MPI_Op op, int root, MPI_Comm comm, MPI_Info info, MPI_Request *request)
{
    const char *fn = "MPI_Reduce_init";
    (void)info; /* no hints are used */
    PCOLL_INIT(fn, comm, reduce_impl(fn, sendbuf, recvbuf, count, datatype, op, root, comm,
                                     request, 1));
}
DWCP_WEAK(Reduce_init)

int PMPI_Allreduce_init(const void *sendbuf, void *recvbuf, int count, MPI_Datatype datatype,
                        MPI_Op op, MPI_Comm comm, MPI_Info info, MPI_Request *request)
{
    const char *fn = "MPI_Allreduce_init";
    (void)info; /* no hints are used */
    PCOLL_INIT(fn, comm, allreduce_impl(fn, sendbuf, recvbuf, count, datatype, op, comm, request,
                                        1));
}
DWCP_WEAK(Allreduce_init)

int PMPI_Reduce_scatter_init(const void *sendbuf, void *recvbuf, const int recvcounts[],
                             MPI_Datatype datatype, MPI_Op op, MPI_Comm comm, MPI_Info info,
                             MPI_Request *request)
{
    const char *fn = "MPI_Reduce_scatter_init";
    (void)info; /* no hints are used */
    if (recvcounts == NULL) {
        return dwcp_err_comm(comm, MPI_ERR_ARG, fn, "NULL recvcounts");
    }
    PCOLL_INIT(fn, comm, rs_impl(fn, sendbuf, recvbuf, recvcounts, 0, datatype, op, comm, request,
                                 1));
}
DWCP_WEAK(Reduce_scatter_init)

int PMPI_Reduce_scatter_block_init(const void *sendbuf, void *recvbuf, int recvcount,
                                   MPI_Datatype datatype, MPI_Op op, MPI_Comm comm, MPI_Info info,
                                   MPI_Request *request)
{
    const char *fn = "MPI_Reduce_scatter_block_init";
    (void)info; /* no hints are used */
    PCOLL_INIT(fn, comm, rs_impl(fn, sendbuf, recvbuf, NULL, recvcount, datatype, op, comm,
                                 request, 1));
}
DWCP_WEAK(Reduce_scatter_block_init)

int PMPI_Scan_init(const void *sendbuf, void *recvbuf, int count, MPI_Datatype datatype, MPI_Op op,
                   MPI_Comm comm, MPI_Info info, MPI_Request *request)
{
    const char *fn = "MPI_Scan_init";
    (void)info; /* no hints are used */
    PCOLL_INIT(fn, comm, scan_impl(fn, sendbuf, recvbuf, count, datatype, op, comm, 0, request,
                                   1));
}
DWCP_WEAK(Scan_init)

int PMPI_Exscan_init(const void *sendbuf, void *recvbuf, int count, MPI_Datatype datatype,
                     MPI_Op op, MPI_Comm comm, MPI_Info info, MPI_Request *request)
{
    const char *fn = "MPI_Exscan_init";
    (void)info; /* no hints are used */
    PCOLL_INIT(fn, comm, scan_impl(fn, sendbuf, recvbuf, count, datatype, op, comm, 1, request,
                                   1));
}
DWCP_WEAK(Exscan_init)
