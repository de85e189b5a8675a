/* Completion (Wait/Test families), request objects, persistent and generalized requests. */
#include <stdlib.h>

#include "dwcp_bind.h"
#include "p2p.h"
#include "coll_bind.h"

typedef struct greq {
    MPI_Grequest_query_function *query;
    MPI_Grequest_free_function *free_fn;
    MPI_Grequest_cancel_function *cancel;
    void *extra;
} greq_t;

/* The communicator whose error handler reports a request's errors. */
static MPI_Comm req_comm(const dwcp_req_t *r)
{
    return r->comm ? r->comm->handle : MPI_COMM_WORLD;
}

/* Is this handle something that can complete? (non-null, and if persistent, started) */
static int req_active(const dwcp_req_t *r)
{
    return r != NULL && (!r->persistent || r->active);
}

/*
 * A request was found complete: produce its status, then free it (or make a persistent one
 * inactive). Returns the operation's error code.
 */
static int req_finish(dwcp_req_t *r, MPI_Request *h, MPI_Status *out)
{
    int err = r->status.MPI_ERROR;
    if (r->kind == DWCP_REQ_GREQ) {
        greq_t *g = r->extra;
        r->status.MPI_ERROR = MPI_SUCCESS;
        int qrc = g->query(g->extra, &r->status);
        err = qrc != MPI_SUCCESS ? qrc : r->status.MPI_ERROR;
    }
    if (out != MPI_STATUS_IGNORE && out != NULL) {
        int keep = out->MPI_ERROR;
        *out = r->status;
        out->MPI_ERROR = err != MPI_SUCCESS ? err : keep;
    }
    if (r->persistent) {
        r->active = 0;
    } else {
        dwcp_req_free(r);
        *h = MPI_REQUEST_NULL;
    }
    return err;
}

static void greq_cleanup(dwcp_req_t *r)
{
    greq_t *g = r->extra;
    if (g != NULL) {
        g->free_fn(g->extra);
        free(g);
        r->extra = NULL;
    }
}

static void empty_out(MPI_Status *out)
{
    if (out != MPI_STATUS_IGNORE && out != NULL) {
        MPI_Status e;
        dwcp_status_empty(&e);
        int keep = out->MPI_ERROR;
        *out = e;
        out->MPI_ERROR = keep;
    }
}

/* Resolve @p h: NULL/inactive → *r = NULL. Invalid → error. */
static int resolve(const char *fn, MPI_Request h, dwcp_req_t **r)
{
    *r = NULL;
    if (h == MPI_REQUEST_NULL) {
        return MPI_SUCCESS;
    }
    dwcp_req_t *q = dwcp_req_get(h);
    if (q == NULL) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_REQUEST, fn, "invalid request handle");
    }
    *r = req_active(q) ? q : NULL;
    return MPI_SUCCESS;
}

static int resolve_all(const char *fn, int count, MPI_Request reqs[], dwcp_req_t **rs)
{
    int i;
    for (i = 0; i < count; i++) {
        int rc = resolve(fn, reqs[i], &rs[i]);
        if (rc != MPI_SUCCESS) {
            return rc;
        }
    }
    return MPI_SUCCESS;
}

static int check_array(const char *fn, int count, MPI_Request reqs[])
{
    if (count < 0) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_COUNT, fn, "negative count %d", count);
    }
    if (count > 0 && reqs == NULL) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_REQUEST, fn, "NULL request array");
    }
    return MPI_SUCCESS;
}

/* Small arrays on the stack, larger on the heap. */
#define RS_LOCAL 32
#define RS_ALLOC(n) ((n) <= RS_LOCAL ? rs_local : malloc((size_t)(n) * sizeof(dwcp_req_t *)))
#define RS_FREE(p) ((p) != rs_local ? free(p) : (void)0)

static int report(const char *fn, MPI_Comm comm, int err)
{
    return dwcp_err_comm(comm, err, fn, "the completed operation failed");
}

int PMPI_Wait(MPI_Request *request, MPI_Status *status)
{
    dwcp_req_t *r;
    DWCP_CHECK_INIT("MPI_Wait");
    if (request == NULL) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_REQUEST, "MPI_Wait", "NULL request pointer");
    }
    int rc = resolve("MPI_Wait", *request, &r);
    if (rc != MPI_SUCCESS) {
        return rc;
    }
    if (r == NULL) {
        empty_out(status);
        return MPI_SUCCESS;
    }
    dwcp_req_wait(r);
    MPI_Comm comm = req_comm(r);
    rc = req_finish(r, request, status);
    return rc == MPI_SUCCESS ? rc : report("MPI_Wait", comm, rc);
}
DWCP_WEAK(Wait)

int PMPI_Test(MPI_Request *request, int *flag, MPI_Status *status)
{
    dwcp_req_t *r;
    DWCP_CHECK_INIT("MPI_Test");
    if (request == NULL || flag == NULL) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_ARG, "MPI_Test", "NULL argument");
    }
    int rc = resolve("MPI_Test", *request, &r);
    if (rc != MPI_SUCCESS) {
        return rc;
    }
    if (r == NULL) {
        *flag = 1;
        empty_out(status);
        return MPI_SUCCESS;
    }
    *flag = dwcp_req_test(r);
    if (!*flag) {
        return MPI_SUCCESS;
    }
    MPI_Comm comm = req_comm(r);
    rc = req_finish(r, request, status);
    return rc == MPI_SUCCESS ? rc : report("MPI_Test", comm, rc);
}
DWCP_WEAK(Test)

/* Finish every completed request of the array; returns MPI_ERR_IN_STATUS if any failed. */
static int finish_all(int count, MPI_Request reqs[], dwcp_req_t **rs, MPI_Status statuses[],
                      MPI_Comm *errcomm)
{
    int i, any_err = 0;
    for (i = 0; i < count; i++) {
        MPI_Status *st = statuses == MPI_STATUSES_IGNORE ? MPI_STATUS_IGNORE : &statuses[i];
        int e = MPI_SUCCESS;
        if (rs[i] == NULL) {
            empty_out(st);
        } else {
            MPI_Comm comm = req_comm(rs[i]);
            e = req_finish(rs[i], &reqs[i], st);
            if (e != MPI_SUCCESS && !any_err) {
                *errcomm = comm;
            }
        }
        if (e != MPI_SUCCESS) {
            any_err = 1;
        }
        if (st != MPI_STATUS_IGNORE) {
            st->MPI_ERROR = e;
        }
    }
    return any_err ? MPI_ERR_IN_STATUS : MPI_SUCCESS;
}

int PMPI_Waitall(int count, MPI_Request array_of_requests[], MPI_Status array_of_statuses[])
{
    const char *fn = "MPI_Waitall";
    dwcp_req_t *rs_local[RS_LOCAL];
    int i;
    DWCP_CHECK_INIT(fn);
    int rc = check_array(fn, count, array_of_requests);
    if (rc != MPI_SUCCESS) {
        return rc;
    }
    dwcp_req_t **rs = RS_ALLOC(count);
    if (rs == NULL) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_NO_MEM, fn, "no memory");
    }
    rc = resolve_all(fn, count, array_of_requests, rs);
    if (rc == MPI_SUCCESS) {
        for (i = 0; i < count; i++) {
            if (rs[i] != NULL) {
                dwcp_req_wait(rs[i]);
            }
        }
        MPI_Comm errcomm = MPI_COMM_WORLD;
        rc = finish_all(count, array_of_requests, rs, array_of_statuses, &errcomm);
        if (rc != MPI_SUCCESS) {
            rc = dwcp_err_comm(errcomm, rc, fn, "at least one operation failed (see statuses)");
        }
    }
    RS_FREE(rs);
    return rc;
}
DWCP_WEAK(Waitall)

int PMPI_Testall(int count, MPI_Request array_of_requests[], int *flag,
                 MPI_Status array_of_statuses[])
{
    const char *fn = "MPI_Testall";
    dwcp_req_t *rs_local[RS_LOCAL];
    int i;
    DWCP_CHECK_INIT(fn);
    int rc = check_array(fn, count, array_of_requests);
    if (rc != MPI_SUCCESS) {
        return rc;
    }
    if (flag == NULL) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_ARG, fn, "NULL flag");
    }
    dwcp_req_t **rs = RS_ALLOC(count);
    if (rs == NULL) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_NO_MEM, fn, "no memory");
    }
    rc = resolve_all(fn, count, array_of_requests, rs);
    if (rc == MPI_SUCCESS) {
        dwcp_progress();
        *flag = 1;
        for (i = 0; i < count && *flag; i++) {
            if (rs[i] != NULL && !(rs[i]->complete || (rs[i]->poll && dwcp_req_test(rs[i])))) {
                *flag = 0;
            }
        }
        if (*flag) {
            MPI_Comm errcomm = MPI_COMM_WORLD;
            rc = finish_all(count, array_of_requests, rs, array_of_statuses, &errcomm);
            if (rc != MPI_SUCCESS) {
                rc = dwcp_err_comm(errcomm, rc, fn, "at least one operation failed");
            }
        }
    }
    RS_FREE(rs);
    return rc;
}
DWCP_WEAK(Testall)

/* One pass of Testany: index of a completed active request, -1 none, -2 no active ones. */
/*
 * Index of a completed request of @p rs (-1: none yet, -2: all null/inactive). When several
 * are complete, the receive whose message was matched first wins (requests that are not
 * matched receives come first, in index order): a program that re-posts ANY_SOURCE receives
 * into several slots (HPCC's MPIRandomAccess) then sees each sender's messages in the order
 * they were sent, e.g. its "finished" message only after its last data message.
 */
static int any_complete(int count, dwcp_req_t **rs)
{
    int i, active = 0, best = -1;
    for (i = 0; i < count; i++) {
        if (rs[i] != NULL) {
            active = 1;
            if (rs[i]->complete || (rs[i]->poll && rs[i]->poll(rs[i]))) {
                rs[i]->complete = 1;
                if (best == -1 || rs[i]->match_seq < rs[best]->match_seq) {
                    best = i;
                }
            }
        }
    }
    if (best != -1) {
        return best;
    }
    return active ? -1 : -2;
}

static int any_impl(const char *fn, int count, MPI_Request reqs[], int *indx, int *flag,
                    MPI_Status *status, int block)
{
    dwcp_req_t *rs_local[RS_LOCAL];
    unsigned idle = 0;
    DWCP_CHECK_INIT(fn);
    int rc = check_array(fn, count, reqs);
    if (rc != MPI_SUCCESS) {
        return rc;
    }
    if (indx == NULL) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_ARG, fn, "NULL index");
    }
    dwcp_req_t **rs = RS_ALLOC(count);
    if (rs == NULL) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_NO_MEM, fn, "no memory");
    }
    rc = resolve_all(fn, count, reqs, rs);
    if (rc == MPI_SUCCESS) {
        int i = any_complete(count, rs);
        if (i == -1) {
            dwcp_progress();
            i = any_complete(count, rs);
        }
        while (block && i == -1) {
            dwcp_wait_idle(dwcp_progress(), &idle);
            i = any_complete(count, rs);
        }
        if (flag != NULL) {
            *flag = i != -1;
        }
        if (i == -2) {
            *indx = MPI_UNDEFINED;
            empty_out(status);
        } else if (i >= 0) {
            *indx = i;
            MPI_Comm comm = req_comm(rs[i]);
            rc = req_finish(rs[i], &reqs[i], status);
            if (rc != MPI_SUCCESS) {
                rc = report(fn, comm, rc);
            }
        } else {
            *indx = MPI_UNDEFINED;
        }
    }
    RS_FREE(rs);
    return rc;
}

int PMPI_Waitany(int count, MPI_Request array_of_requests[], int *indx, MPI_Status *status)
{
    return any_impl("MPI_Waitany", count, array_of_requests, indx, NULL, status, 1);
}
DWCP_WEAK(Waitany)

int PMPI_Testany(int count, MPI_Request array_of_requests[], int *indx, int *flag,
                 MPI_Status *status)
{
    if (flag == NULL) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_ARG, "MPI_Testany", "NULL flag");
    }
    return any_impl("MPI_Testany", count, array_of_requests, indx, flag, status, 0);
}
DWCP_WEAK(Testany)

static int some_impl(const char *fn, int incount, MPI_Request reqs[], int *outcount,
                     int indices[], MPI_Status statuses[], int block)
{
    dwcp_req_t *rs_local[RS_LOCAL];
    unsigned idle = 0;
    int i;
    DWCP_CHECK_INIT(fn);
    int rc = check_array(fn, incount, reqs);
    if (rc != MPI_SUCCESS) {
        return rc;
    }
    if (outcount == NULL || (incount > 0 && indices == NULL)) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_ARG, fn, "NULL outcount or indices");
    }
    dwcp_req_t **rs = RS_ALLOC(incount);
    if (rs == NULL) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_NO_MEM, fn, "no memory");
    }
    rc = resolve_all(fn, incount, reqs, rs);
    if (rc == MPI_SUCCESS) {
        int active = 0, n = 0, pass = 0;
        for (i = 0; i < incount; i++) {
            active += rs[i] != NULL;
        }
        while (active > 0) {
            for (i = 0; i < incount; i++) {
                if (rs[i] != NULL && (rs[i]->complete || (rs[i]->poll && rs[i]->poll(rs[i])))) {
                    rs[i]->complete = 1;
                    n++;
                }
            }
            if (n > 0 || (!block && pass > 0)) {
                break;
            }
            pass++;
            dwcp_wait_idle(dwcp_progress(), &idle);
        }
        if (active == 0) {
            *outcount = MPI_UNDEFINED;
        } else {
            int k = 0, any_err = 0;
            MPI_Comm errcomm = MPI_COMM_WORLD;
            for (i = 0; i < incount; i++) {
                if (rs[i] != NULL && rs[i]->complete) {
                    MPI_Status *st = statuses == MPI_STATUSES_IGNORE ? MPI_STATUS_IGNORE
                                                                     : &statuses[k];
                    MPI_Comm comm = req_comm(rs[i]);
                    int e = req_finish(rs[i], &reqs[i], st);
                    if (st != MPI_STATUS_IGNORE) {
                        st->MPI_ERROR = e;
                    }
                    if (e != MPI_SUCCESS && !any_err) {
                        any_err = 1;
                        errcomm = comm;
                    }
                    indices[k++] = i;
                }
            }
            *outcount = k;
            if (any_err) {
                rc = dwcp_err_comm(errcomm, MPI_ERR_IN_STATUS, fn, "an operation failed");
            }
        }
    }
    RS_FREE(rs);
    return rc;
}

int PMPI_Waitsome(int incount, MPI_Request array_of_requests[], int *outcount,
                  int array_of_indices[], MPI_Status array_of_statuses[])
{
    return some_impl("MPI_Waitsome", incount, array_of_requests, outcount, array_of_indices,
                     array_of_statuses, 1);
}
DWCP_WEAK(Waitsome)

int PMPI_Testsome(int incount, MPI_Request array_of_requests[], int *outcount,
                  int array_of_indices[], MPI_Status array_of_statuses[])
{
    return some_impl("MPI_Testsome", incount, array_of_requests, outcount, array_of_indices,
                     array_of_statuses, 0);
}
DWCP_WEAK(Testsome)

int PMPI_Request_free(MPI_Request *request)
{
    DWCP_CHECK_INIT("MPI_Request_free");
    if (request == NULL || *request == MPI_REQUEST_NULL) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_REQUEST, "MPI_Request_free",
                             "MPI_REQUEST_NULL cannot be freed");
    }
    dwcp_req_t *r = dwcp_req_get(*request);
    if (r == NULL) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_REQUEST, "MPI_Request_free",
                             "invalid request handle");
    }
    if (r->persistent && !r->active) {
        r->complete = 1;
    } else if (dwcp_pcoll_is(r)) {
        return dwcp_err_comm(req_comm(r), MPI_ERR_REQUEST, "MPI_Request_free",
                             "an active persistent collective request cannot be freed (wait for "
                             "it first)");
    }
    dwcp_req_detach(r);
    *request = MPI_REQUEST_NULL;
    return MPI_SUCCESS;
}
DWCP_WEAK(Request_free)

int PMPI_Request_get_status(MPI_Request request, int *flag, MPI_Status *status)
{
    dwcp_req_t *r;
    DWCP_CHECK_INIT("MPI_Request_get_status");
    if (flag == NULL) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_ARG, "MPI_Request_get_status", "NULL flag");
    }
    int rc = resolve("MPI_Request_get_status", request, &r);
    if (rc != MPI_SUCCESS) {
        return rc;
    }
    if (r == NULL) {
        *flag = 1;
        empty_out(status);
        if (status != MPI_STATUS_IGNORE && status != NULL) {
            status->MPI_ERROR = MPI_SUCCESS; /* the empty status (MPI-3.1 3.7.3) */
        }
        return MPI_SUCCESS;
    }
    *flag = dwcp_req_test(r);
    if (*flag) {
        MPI_Status st = r->status;
        if (r->kind == DWCP_REQ_GREQ) {
            greq_t *g = r->extra;
            g->query(g->extra, &st);
        }
        dwcp_status_out(status, &st);
    }
    return MPI_SUCCESS;
}
DWCP_WEAK(Request_get_status)

int PMPI_Cancel(MPI_Request *request)
{
    DWCP_CHECK_INIT("MPI_Cancel");
    if (request == NULL || *request == MPI_REQUEST_NULL) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_REQUEST, "MPI_Cancel", "MPI_REQUEST_NULL");
    }
    dwcp_req_t *r = dwcp_req_get(*request);
    if (r == NULL) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_REQUEST, "MPI_Cancel", "invalid request");
    }
    if (!req_active(r)) {
        return MPI_SUCCESS;
    }
    if (r->kind == DWCP_REQ_RECV) {
        dwcp_p2p_cancel_recv(r); /* fails quietly if already matched */
    } else if (r->kind == DWCP_REQ_SEND) {
        /* Asks the receiver; MPI_Wait/Test then report whether the message was cancelled. */
        dwcs_status_t st = dwcp_p2p_cancel_send(r);
        if (st != DWCS_OK) {
            return dwcp_err_comm(req_comm(r), dwcp_status_to_class(st), "MPI_Cancel",
                                 "cannot reach the destination: %s", dwcs_status_string(st));
        }
    } else if (r->kind == DWCP_REQ_GREQ) {
        greq_t *g = r->extra;
        int rc = g->cancel(g->extra, r->complete);
        if (rc != MPI_SUCCESS) {
            return dwcp_err_comm(MPI_COMM_WORLD, rc, "MPI_Cancel", "cancel callback failed");
        }
    }
    return MPI_SUCCESS;
}
DWCP_WEAK(Cancel)

int PMPI_Test_cancelled(const MPI_Status *status, int *flag)
{
    if (status == NULL || status == MPI_STATUS_IGNORE || flag == NULL) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_ARG, "MPI_Test_cancelled", "NULL argument");
    }
    *flag = status->dwcp_cancelled;
    return MPI_SUCCESS;
}
DWCP_WEAK(Test_cancelled)

int PMPI_Status_set_cancelled(MPI_Status *status, int flag)
{
    if (status == NULL || status == MPI_STATUS_IGNORE) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_ARG, "MPI_Status_set_cancelled", "NULL");
    }
    status->dwcp_cancelled = flag ? 1 : 0;
    return MPI_SUCCESS;
}
DWCP_WEAK(Status_set_cancelled)

/* ---- Persistent requests ------------------------------------------------------------------ */

static int persistent_init(const char *fn, void *buf, int count, MPI_Datatype datatype, int peer,
                           int tag, MPI_Comm comm, dwcp_req_kind_t kind, dwcp_send_mode_t mode,
                           MPI_Request *request)
{
    DWCP_CHECK_INIT(fn);
    DWCP_GET_COMM(fn, comm, c);
    DWCP_CHECK_COUNT(fn, comm, count);
    DWCP_GET_DT(fn, comm, datatype, dt);
    if (request == NULL) {
        return dwcp_err_comm(comm, MPI_ERR_ARG, fn, "NULL request pointer");
    }
    int psize = dwcp_comm_peer_size(c);
    int okrank = peer == MPI_PROC_NULL || (peer >= 0 && peer < psize) ||
                 (kind == DWCP_REQ_RECV && peer == MPI_ANY_SOURCE);
    if (!okrank) {
        return dwcp_err_comm(comm, MPI_ERR_RANK, fn, "invalid rank %d (size %d)", peer, psize);
    }
    if (!(tag >= 0 && tag <= DWCP_TAG_UB) && !(kind == DWCP_REQ_RECV && tag == MPI_ANY_TAG)) {
        return dwcp_err_comm(comm, MPI_ERR_TAG, fn, "invalid tag %d", tag);
    }
    dwcp_req_t *r = dwcp_req_alloc(kind);
    if (r == NULL || dwcp_req_publish(r, request) != DWCS_OK) {
        dwcp_req_free(r);
        return dwcp_err_comm(comm, MPI_ERR_NO_MEM, fn, "no memory");
    }
    r->persistent = 1;
    r->active = 0;
    r->complete = 1;
    r->buf = buf;
    r->count = (size_t)count;
    r->dt = dt;
    dwcp_dt_retain(dt);
    r->peer = peer;
    r->tag = tag;
    r->comm = c;
    c->refcount++; /* held until the request is freed (Comm_free may come first) */
    r->comm_held = 1;
    r->mode = mode;
    return MPI_SUCCESS;
}

int PMPI_Send_init(const void *buf, int count, MPI_Datatype datatype, int dest, int tag,
                   MPI_Comm comm, MPI_Request *request)
{
    return persistent_init("MPI_Send_init", (void *)buf, count, datatype, dest, tag, comm,
                           DWCP_REQ_SEND, DWCP_SEND_STANDARD, request);
}
DWCP_WEAK(Send_init)

int PMPI_Ssend_init(const void *buf, int count, MPI_Datatype datatype, int dest, int tag,
                    MPI_Comm comm, MPI_Request *request)
{
    return persistent_init("MPI_Ssend_init", (void *)buf, count, datatype, dest, tag, comm,
                           DWCP_REQ_SEND, DWCP_SEND_SYNC, request);
}
DWCP_WEAK(Ssend_init)

int PMPI_Rsend_init(const void *buf, int count, MPI_Datatype datatype, int dest, int tag,
                    MPI_Comm comm, MPI_Request *request)
{
    return persistent_init("MPI_Rsend_init", (void *)buf, count, datatype, dest, tag, comm,
                           DWCP_REQ_SEND, DWCP_SEND_READY, request);
}
DWCP_WEAK(Rsend_init)

int PMPI_Bsend_init(const void *buf, int count, MPI_Datatype datatype, int dest, int tag,
                    MPI_Comm comm, MPI_Request *request)
{
    return persistent_init("MPI_Bsend_init", (void *)buf, count, datatype, dest, tag, comm,
                           DWCP_REQ_SEND, DWCP_SEND_BUFFERED, request);
}
DWCP_WEAK(Bsend_init)

int PMPI_Recv_init(void *buf, int count, MPI_Datatype datatype, int source, int tag,
                   MPI_Comm comm, MPI_Request *request)
{
    return persistent_init("MPI_Recv_init", buf, count, datatype, source, tag, comm,
                           DWCP_REQ_RECV, DWCP_SEND_STANDARD, request);
}
DWCP_WEAK(Recv_init)

static int start_one(const char *fn, MPI_Request h)
{
    dwcp_req_t *r = dwcp_req_get(h);
    dwcs_status_t st;
    if (r == NULL || !r->persistent) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_REQUEST, fn, "not a persistent request");
    }
    if (r->active) {
        return dwcp_err_comm(r->comm->handle, MPI_ERR_REQUEST, fn, "request is already active");
    }
    if (dwcp_pcoll_is(r)) {
        return dwcp_pcoll_start(fn, r);
    }
    r->active = 1;
    r->complete = 0;
    if (r->kind == DWCP_REQ_RECV) {
        st = dwcp_p2p_irecv(r->buf, r->count, r->dt, r->peer, r->tag, r->comm, r->comm->ctx, r);
    } else if (r->mode == DWCP_SEND_BUFFERED && r->peer != MPI_PROC_NULL) {
        st = dwcp_bsend_start(r->buf, r->count, r->dt, r->peer, r->tag, r->comm, r);
        if (st == DWCS_ERR_OVERFLOW) {
            r->active = 0;
            r->complete = 1;
            return dwcp_err_comm(r->comm->handle, MPI_ERR_BUFFER, fn, "attached buffer too small");
        }
    } else {
        st = dwcp_p2p_isend(r->buf, r->count, r->dt, r->peer, r->tag, r->comm, r->comm->ctx,
                            r->mode, r);
    }
    if (st != DWCS_OK) {
        return dwcp_err_comm(r->comm->handle, dwcp_status_to_class(st), fn, "%s",
                             dwcs_status_string(st));
    }
    return MPI_SUCCESS;
}

int PMPI_Start(MPI_Request *request)
{
    DWCP_CHECK_INIT("MPI_Start");
    if (request == NULL) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_REQUEST, "MPI_Start", "NULL request");
    }
    return start_one("MPI_Start", *request);
}
DWCP_WEAK(Start)

int PMPI_Startall(int count, MPI_Request array_of_requests[])
{
    int i;
    DWCP_CHECK_INIT("MPI_Startall");
    int rc = check_array("MPI_Startall", count, array_of_requests);
    for (i = 0; rc == MPI_SUCCESS && i < count; i++) {
        rc = start_one("MPI_Startall", array_of_requests[i]);
    }
    return rc;
}
DWCP_WEAK(Startall)

/* ---- Generalized requests ----------------------------------------------------------------- */

int PMPI_Grequest_start(MPI_Grequest_query_function *query_fn,
                        MPI_Grequest_free_function *free_fn,
                        MPI_Grequest_cancel_function *cancel_fn, void *extra_state,
                        MPI_Request *request)
{
    DWCP_CHECK_INIT("MPI_Grequest_start");
    if (query_fn == NULL || free_fn == NULL || cancel_fn == NULL || request == NULL) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_ARG, "MPI_Grequest_start", "NULL argument");
    }
    dwcp_req_t *r = dwcp_req_alloc(DWCP_REQ_GREQ);
    greq_t *g = calloc(1, sizeof(*g));
    if (r == NULL || g == NULL || dwcp_req_publish(r, request) != DWCS_OK) {
        free(g);
        dwcp_req_free(r);
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_NO_MEM, "MPI_Grequest_start", "no memory");
    }
    g->query = query_fn;
    g->free_fn = free_fn;
    g->cancel = cancel_fn;
    g->extra = extra_state;
    r->extra = g;
    r->cleanup = greq_cleanup;
    return MPI_SUCCESS;
}
DWCP_WEAK(Grequest_start)

int PMPI_Grequest_complete(MPI_Request request)
{
    DWCP_CHECK_INIT("MPI_Grequest_complete");
    dwcp_req_t *r = dwcp_req_get(request);
    if (r == NULL || r->kind != DWCP_REQ_GREQ) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_REQUEST, "MPI_Grequest_complete",
                             "not a generalized request");
    }
    dwcp_req_complete(r);
    return MPI_SUCCESS;
}
DWCP_WEAK(Grequest_complete)
