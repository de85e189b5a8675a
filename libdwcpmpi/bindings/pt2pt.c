/* Point-to-point bindings: sends, receives, probes, sendrecv. */
#include <stdlib.h>
#include <string.h>

#include "dwcp_bind.h"
#include "p2p.h"

/* Validate the arguments of a send; on error returns the error code (already reported). */
static int check_send(const char *fn, dwcp_comm_t *c, const void *buf, MPI_Count count, int dest,
                      int tag)
{
    MPI_Comm h = c->handle;
    if (count < 0) {
        return dwcp_err_comm(h, MPI_ERR_COUNT, fn, "negative count %lld", (long long)count);
    }
    if (dest != MPI_PROC_NULL && (dest < 0 || dest >= dwcp_comm_peer_size(c))) {
        return dwcp_err_comm(h, MPI_ERR_RANK, fn, "invalid destination rank %d (communicator size %d)",
                             dest, dwcp_comm_peer_size(c));
    }
    if (tag < 0 || tag > DWCP_TAG_UB) {
        return dwcp_err_comm(h, MPI_ERR_TAG, fn, "invalid tag %d (valid: 0..%d)", tag, DWCP_TAG_UB);
    }
    if (buf == NULL && count > 0 && buf != MPI_BOTTOM) {
        return dwcp_err_comm(h, MPI_ERR_BUFFER, fn, "NULL buffer with count %lld",
                             (long long)count);
    }
    return MPI_SUCCESS;
}

static int check_recv(const char *fn, dwcp_comm_t *c, MPI_Count count, int src, int tag)
{
    MPI_Comm h = c->handle;
    if (count < 0) {
        return dwcp_err_comm(h, MPI_ERR_COUNT, fn, "negative count %lld", (long long)count);
    }
    if (src != MPI_PROC_NULL && src != MPI_ANY_SOURCE &&
        (src < 0 || src >= dwcp_comm_peer_size(c))) {
        return dwcp_err_comm(h, MPI_ERR_RANK, fn, "invalid source rank %d (communicator size %d)",
                             src, dwcp_comm_peer_size(c));
    }
    if (tag != MPI_ANY_TAG && (tag < 0 || tag > DWCP_TAG_UB)) {
        return dwcp_err_comm(h, MPI_ERR_TAG, fn, "invalid tag %d (valid: 0..%d or MPI_ANY_TAG)",
                             tag, DWCP_TAG_UB);
    }
    return MPI_SUCCESS;
}

/* Start a send of any mode into @p r (allocated by the caller). */
static int start_send(const char *fn, const void *buf, MPI_Count count, MPI_Datatype datatype,
                      int dest, int tag, MPI_Comm comm, dwcp_send_mode_t mode, dwcp_req_t *r)
{
    dwcp_comm_t *c = dwcp_comm_get(comm);
    dwcp_dt_t *dt;
    if (c == NULL) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_COMM, fn, "invalid communicator");
    }
    if (dwcp_dt_check(datatype, &dt) != DWCS_OK) {
        return dwcp_err_comm(comm, MPI_ERR_TYPE, fn, "invalid or uncommitted datatype");
    }
    int rc = check_send(fn, c, buf, count, dest, tag);
    if (rc != MPI_SUCCESS) {
        return rc;
    }
    dwcs_status_t st;
    if (mode == DWCP_SEND_BUFFERED && dest != MPI_PROC_NULL) {
        st = dwcp_bsend_start(buf, (size_t)count, dt, dest, tag, c, r);
        if (st == DWCS_ERR_OVERFLOW) {
            return dwcp_err_comm(comm, MPI_ERR_BUFFER, fn,
                                 "attached buffer too small for %zu bytes (+%d overhead); use "
                                 "MPI_Buffer_attach with more space",
                                 (size_t)count * dt->size, MPI_BSEND_OVERHEAD);
        }
    } else {
        st = dwcp_p2p_isend(buf, (size_t)count, dt, dest, tag, c, c->ctx, mode, r);
    }
    if (st != DWCS_OK) {
        return dwcp_err_comm(comm, dwcp_status_to_class(st), fn, "%s", dwcs_status_string(st));
    }
    return MPI_SUCCESS;
}

static int blocking_send(const char *fn, const void *buf, MPI_Count count, MPI_Datatype datatype,
                         int dest, int tag, MPI_Comm comm, dwcp_send_mode_t mode)
{
    DWCP_CHECK_INIT(fn);
    dwcp_req_t *r = dwcp_req_alloc(DWCP_REQ_SEND);
    if (r == NULL) {
        return dwcp_err_comm(comm, MPI_ERR_NO_MEM, fn, "cannot allocate a request");
    }
    int rc = start_send(fn, buf, count, datatype, dest, tag, comm, mode, r);
    if (rc == MPI_SUCCESS) {
        dwcp_req_wait(r);
        rc = r->status.MPI_ERROR;
        if (rc != MPI_SUCCESS) {
            rc = dwcp_err_comm(comm, rc, fn, "send to rank %d failed", dest);
        }
    }
    dwcp_req_free(r);
    return rc;
}

static int nonblocking_send(const char *fn, const void *buf, int count, MPI_Datatype datatype,
                            int dest, int tag, MPI_Comm comm, dwcp_send_mode_t mode,
                            MPI_Request *request)
{
    DWCP_CHECK_INIT(fn);
    if (request == NULL) {
        return dwcp_err_comm(comm, MPI_ERR_ARG, fn, "NULL request pointer");
    }
    dwcp_req_t *r = dwcp_req_alloc(DWCP_REQ_SEND);
    if (r == NULL || dwcp_req_publish(r, request) != DWCS_OK) {
        dwcp_req_free(r);
        return dwcp_err_comm(comm, MPI_ERR_NO_MEM, fn, "cannot allocate a request");
    }
    int rc = start_send(fn, buf, count, datatype, dest, tag, comm, mode, r);
    if (rc != MPI_SUCCESS) {
        dwcp_req_free(r);
        *request = MPI_REQUEST_NULL;
    }
    return rc;
}

int PMPI_Send(const void *buf, int count, MPI_Datatype datatype, int dest, int tag, MPI_Comm comm)
{
    return blocking_send("MPI_Send", buf, count, datatype, dest, tag, comm, DWCP_SEND_STANDARD);
}
DWCP_WEAK(Send)

int PMPI_Ssend(const void *buf, int count, MPI_Datatype datatype, int dest, int tag, MPI_Comm comm)
{
    return blocking_send("MPI_Ssend", buf, count, datatype, dest, tag, comm, DWCP_SEND_SYNC);
}
DWCP_WEAK(Ssend)

int PMPI_Rsend(const void *buf, int count, MPI_Datatype datatype, int dest, int tag, MPI_Comm comm)
{
    return blocking_send("MPI_Rsend", buf, count, datatype, dest, tag, comm, DWCP_SEND_READY);
}
DWCP_WEAK(Rsend)

int PMPI_Bsend(const void *buf, int count, MPI_Datatype datatype, int dest, int tag, MPI_Comm comm)
{
    return blocking_send("MPI_Bsend", buf, count, datatype, dest, tag, comm, DWCP_SEND_BUFFERED);
}
DWCP_WEAK(Bsend)

int PMPI_Isend(const void *buf, int count, MPI_Datatype datatype, int dest, int tag,
               MPI_Comm comm, MPI_Request *request)
{
    return nonblocking_send("MPI_Isend", buf, count, datatype, dest, tag, comm,
                            DWCP_SEND_STANDARD, request);
}
DWCP_WEAK(Isend)

int PMPI_Issend(const void *buf, int count, MPI_Datatype datatype, int dest, int tag,
                MPI_Comm comm, MPI_Request *request)
{
    return nonblocking_send("MPI_Issend", buf, count, datatype, dest, tag, comm, DWCP_SEND_SYNC,
                            request);
}
DWCP_WEAK(Issend)

int PMPI_Irsend(const void *buf, int count, MPI_Datatype datatype, int dest, int tag,
                MPI_Comm comm, MPI_Request *request)
{
    return nonblocking_send("MPI_Irsend", buf, count, datatype, dest, tag, comm,
                            DWCP_SEND_READY, request);
}
DWCP_WEAK(Irsend)

int PMPI_Ibsend(const void *buf, int count, MPI_Datatype datatype, int dest, int tag,
                MPI_Comm comm, MPI_Request *request)
{
    return nonblocking_send("MPI_Ibsend", buf, count, datatype, dest, tag, comm,
                            DWCP_SEND_BUFFERED, request);
}
DWCP_WEAK(Ibsend)

int PMPI_Buffer_attach(void *buffer, int size)
{
    DWCP_CHECK_INIT("MPI_Buffer_attach");
    if (size < 0) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_ARG, "MPI_Buffer_attach", "negative size %d",
                             size);
    }
    if (buffer == NULL && size > 0) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_BUFFER, "MPI_Buffer_attach", "NULL buffer");
    }
    int rc = dwcp_bsend_attach(buffer, (size_t)size);
    if (rc != MPI_SUCCESS) {
        return dwcp_err_comm(MPI_COMM_WORLD, rc, "MPI_Buffer_attach",
                             "a buffer is already attached");
    }
    return MPI_SUCCESS;
}
DWCP_WEAK(Buffer_attach)

int PMPI_Buffer_detach(void *buffer_addr, int *size)
{
    DWCP_CHECK_INIT("MPI_Buffer_detach");
    void *b;
    size_t s;
    if (buffer_addr == NULL || size == NULL) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_ARG, "MPI_Buffer_detach", "NULL argument");
    }
    int rc = dwcp_bsend_detach(&b, &s);
    if (rc != MPI_SUCCESS) {
        return dwcp_err_comm(MPI_COMM_WORLD, rc, "MPI_Buffer_detach", "no buffer is attached");
    }
    *(void **)buffer_addr = b;
    *size = (int)s;
    return MPI_SUCCESS;
}
DWCP_WEAK(Buffer_detach)

/* ---- Receives ----------------------------------------------------------------------------- */

static int start_recv(const char *fn, void *buf, MPI_Count count, MPI_Datatype datatype, int source,
                      int tag, MPI_Comm comm, dwcp_req_t *r)
{
    dwcp_comm_t *c = dwcp_comm_get(comm);
    dwcp_dt_t *dt;
    if (c == NULL) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_COMM, fn, "invalid communicator");
    }
    if (dwcp_dt_check(datatype, &dt) != DWCS_OK) {
        return dwcp_err_comm(comm, MPI_ERR_TYPE, fn, "invalid or uncommitted datatype");
    }
    int rc = check_recv(fn, c, count, source, tag);
    if (rc != MPI_SUCCESS) {
        return rc;
    }
    dwcs_status_t st = dwcp_p2p_irecv(buf, (size_t)count, dt, source, tag, c, c->ctx, r);
    if (st != DWCS_OK) {
        return dwcp_err_comm(comm, dwcp_status_to_class(st), fn, "%s", dwcs_status_string(st));
    }
    return MPI_SUCCESS;
}

/* Report the outcome of a completed receive; returns its error code. */
static int recv_outcome(const char *fn, dwcp_req_t *r, MPI_Comm comm, MPI_Status *status)
{
    dwcp_status_out(status, &r->status);
    int rc = r->status.MPI_ERROR;
    if (rc != MPI_SUCCESS) {
        if (status != MPI_STATUS_IGNORE && status != NULL) {
            status->MPI_ERROR = rc;
        }
        rc = dwcp_err_comm(comm, rc, fn, "message of %lld bytes from rank %d does not fit the "
                           "receive buffer (%zu bytes)",
                           (long long)r->status.dwcp_count, r->status.MPI_SOURCE,
                           r->count * (r->dt ? r->dt->size : 0));
    }
    return rc;
}

int PMPI_Recv(void *buf, int count, MPI_Datatype datatype, int source, int tag, MPI_Comm comm,
              MPI_Status *status)
{
    DWCP_CHECK_INIT("MPI_Recv");
    dwcp_req_t *r = dwcp_req_alloc(DWCP_REQ_RECV);
    if (r == NULL) {
        return dwcp_err_comm(comm, MPI_ERR_NO_MEM, "MPI_Recv", "cannot allocate a request");
    }
    int rc = start_recv("MPI_Recv", buf, count, datatype, source, tag, comm, r);
    if (rc == MPI_SUCCESS) {
        dwcp_req_wait(r);
        rc = recv_outcome("MPI_Recv", r, comm, status);
    }
    dwcp_req_free(r);
    return rc;
}
DWCP_WEAK(Recv)

int PMPI_Irecv(void *buf, int count, MPI_Datatype datatype, int source, int tag, MPI_Comm comm,
               MPI_Request *request)
{
    DWCP_CHECK_INIT("MPI_Irecv");
    if (request == NULL) {
        return dwcp_err_comm(comm, MPI_ERR_ARG, "MPI_Irecv", "NULL request pointer");
    }
    dwcp_req_t *r = dwcp_req_alloc(DWCP_REQ_RECV);
    if (r == NULL || dwcp_req_publish(r, request) != DWCS_OK) {
        dwcp_req_free(r);
        return dwcp_err_comm(comm, MPI_ERR_NO_MEM, "MPI_Irecv", "cannot allocate a request");
    }
    int rc = start_recv("MPI_Irecv", buf, count, datatype, source, tag, comm, r);
    if (rc != MPI_SUCCESS) {
        dwcp_req_free(r);
        *request = MPI_REQUEST_NULL;
    }
    return rc;
}
DWCP_WEAK(Irecv)

int PMPI_Sendrecv(const void *sendbuf, int sendcount, MPI_Datatype sendtype, int dest,
                  int sendtag, void *recvbuf, int recvcount, MPI_Datatype recvtype, int source,
                  int recvtag, MPI_Comm comm, MPI_Status *status)
{
    const char *fn = "MPI_Sendrecv";
    DWCP_CHECK_INIT(fn);
    dwcp_req_t *rr = dwcp_req_alloc(DWCP_REQ_RECV);
    dwcp_req_t *sr = dwcp_req_alloc(DWCP_REQ_SEND);
    int rc;
    if (rr == NULL || sr == NULL) {
        dwcp_req_free(rr);
        dwcp_req_free(sr);
        return dwcp_err_comm(comm, MPI_ERR_NO_MEM, fn, "cannot allocate requests");
    }
    rc = start_recv(fn, recvbuf, recvcount, recvtype, source, recvtag, comm, rr);
    if (rc != MPI_SUCCESS) {
        dwcp_req_free(rr);
        dwcp_req_free(sr);
        return rc;
    }
    rc = start_send(fn, sendbuf, sendcount, sendtype, dest, sendtag, comm, DWCP_SEND_STANDARD, sr);
    if (rc != MPI_SUCCESS) {
        dwcp_p2p_cancel_recv(rr);
        dwcp_req_wait(rr);
        dwcp_req_free(rr);
        dwcp_req_free(sr);
        return rc;
    }
    dwcp_req_wait(sr);
    dwcp_req_wait(rr);
    rc = sr->status.MPI_ERROR;
    if (rc != MPI_SUCCESS) {
        rc = dwcp_err_comm(comm, rc, fn, "send to rank %d failed", dest);
    } else {
        rc = recv_outcome(fn, rr, comm, status);
    }
    dwcp_req_free(rr);
    dwcp_req_free(sr);
    return rc;
}
DWCP_WEAK(Sendrecv)

int PMPI_Sendrecv_replace(void *buf, int count, MPI_Datatype datatype, int dest, int sendtag,
                          int source, int recvtag, MPI_Comm comm, MPI_Status *status)
{
    const char *fn = "MPI_Sendrecv_replace";
    DWCP_CHECK_INIT(fn);
    DWCP_GET_COMM(fn, comm, c);
    DWCP_CHECK_COUNT(fn, comm, count);
    DWCP_GET_DT(fn, comm, datatype, dt);
    int rc = check_send(fn, c, buf, count, dest, sendtag);
    if (rc != MPI_SUCCESS) {
        return rc;
    }
    /* Pack what we send first, then receive into the same buffer. */
    size_t len = (size_t)count * dt->size;
    void *tmp = malloc(len ? len : 1);
    dwcp_req_t *rr = dwcp_req_alloc(DWCP_REQ_RECV);
    dwcp_req_t *sr = dwcp_req_alloc(DWCP_REQ_SEND);
    if (tmp == NULL || rr == NULL || sr == NULL) {
        free(tmp);
        dwcp_req_free(rr);
        dwcp_req_free(sr);
        return dwcp_err_comm(comm, MPI_ERR_NO_MEM, fn, "cannot allocate %zu bytes", len);
    }
    dwcp_dt_pack(buf, (size_t)count, dt, 0, tmp, len);
    rc = start_recv(fn, buf, count, datatype, source, recvtag, comm, rr);
    if (rc == MPI_SUCCESS) {
        dwcp_p2p_isend(tmp, len, dwcp_dt_get(MPI_BYTE), dest, sendtag, c, c->ctx,
                       DWCP_SEND_STANDARD, sr);
        dwcp_req_wait(sr);
        dwcp_req_wait(rr);
        rc = sr->status.MPI_ERROR;
        if (rc != MPI_SUCCESS) {
            rc = dwcp_err_comm(comm, rc, fn, "send to rank %d failed", dest);
        } else {
            rc = recv_outcome(fn, rr, comm, status);
        }
    }
    free(tmp);
    dwcp_req_free(rr);
    dwcp_req_free(sr);
    return rc;
}
DWCP_WEAK(Sendrecv_replace)

/* ---- MPI-4 nonblocking send-receive --------------------------------------------------------- */

/* An Isendrecv request: completes when both halves have; its status is the receive's. */
typedef struct sendrecv_req {
    dwcp_req_t *rr, *sr;
    void *tmp; /* Isendrecv_replace: the packed outgoing data */
} sendrecv_req_t;

static int sendrecv_poll(dwcp_req_t *r)
{
    sendrecv_req_t *q = r->extra;
    if (q == NULL) {
        return 1;
    }
    if (!q->rr->complete || !q->sr->complete) {
        return 0;
    }
    r->status = q->rr->status;
    if (r->status.MPI_ERROR == MPI_SUCCESS) {
        r->status.MPI_ERROR = q->sr->status.MPI_ERROR;
    }
    return 1;
}

/* Drop a half: free it if done, else let it free itself when it completes. */
static void sendrecv_drop(dwcp_req_t *h)
{
    if (h->complete) {
        dwcp_req_free(h);
    } else {
        dwcp_req_detach(h);
    }
}

static void sendrecv_cleanup(dwcp_req_t *r)
{
    sendrecv_req_t *q = r->extra;
    if (q == NULL) {
        return;
    }
    if (q->tmp != NULL && !q->sr->complete && q->sr->tmp == NULL) {
        q->sr->tmp = q->tmp; /* freed with the send when it completes */
        q->tmp = NULL;
    }
    sendrecv_drop(q->rr);
    sendrecv_drop(q->sr);
    free(q->tmp);
    free(q);
    r->extra = NULL;
}

/* Allocate the outer request and both halves; MPI_ERR_NO_MEM on failure. */
static int sendrecv_alloc(dwcp_req_t **out, sendrecv_req_t **qout)
{
    dwcp_req_t *r = dwcp_req_alloc(DWCP_REQ_COLL);
    sendrecv_req_t *q = calloc(1, sizeof(*q));
    if (q != NULL) {
        q->rr = dwcp_req_alloc(DWCP_REQ_RECV);
        q->sr = dwcp_req_alloc(DWCP_REQ_SEND);
    }
    if (r == NULL || q == NULL || q->rr == NULL || q->sr == NULL) {
        if (q != NULL) {
            dwcp_req_free(q->rr);
            dwcp_req_free(q->sr);
        }
        free(q);
        dwcp_req_free(r);
        return MPI_ERR_NO_MEM;
    }
    r->extra = q;
    r->poll = sendrecv_poll;
    r->cleanup = sendrecv_cleanup;
    *out = r;
    *qout = q;
    return MPI_SUCCESS;
}

/* Free @p r after a failed start: cancel / finish the halves that were started. */
static void sendrecv_abort(dwcp_req_t *r)
{
    sendrecv_req_t *q = r->extra;
    if (q->rr->dt_held && !q->rr->complete) {
        dwcp_p2p_cancel_recv(q->rr);
        dwcp_req_wait(q->rr);
    }
    if (q->sr->dt_held && !q->sr->complete) {
        dwcp_req_wait(q->sr);
    }
    q->rr->complete = 1; /* a half never started has nothing pending */
    q->sr->complete = 1;
    dwcp_req_free(r);
}

/* Publish @p r as *request, or undo everything after a failed start of a half. */
static int sendrecv_finish(const char *fn, MPI_Comm comm, dwcp_req_t *r, int rc,
                           MPI_Request *request)
{
    sendrecv_req_t *q = r->extra;
    if (rc != MPI_SUCCESS) {
        sendrecv_abort(r);
        return rc;
    }
    r->comm = q->rr->comm;
    if (dwcp_req_publish(r, request) != DWCS_OK) {
        dwcp_req_wait(q->rr);
        dwcp_req_wait(q->sr);
        dwcp_req_free(r);
        return dwcp_err_comm(comm, MPI_ERR_NO_MEM, fn, "no memory");
    }
    return MPI_SUCCESS;
}

int PMPI_Isendrecv(const void *sendbuf, int sendcount, MPI_Datatype sendtype, int dest,
                   int sendtag, void *recvbuf, int recvcount, MPI_Datatype recvtype, int source,
                   int recvtag, MPI_Comm comm, MPI_Request *request)
{
    const char *fn = "MPI_Isendrecv";
    dwcp_req_t *r;
    sendrecv_req_t *q;
    DWCP_CHECK_INIT(fn);
    if (request == NULL) {
        return dwcp_err_comm(comm, MPI_ERR_ARG, fn, "NULL request");
    }
    if (sendrecv_alloc(&r, &q) != MPI_SUCCESS) {
        return dwcp_err_comm(comm, MPI_ERR_NO_MEM, fn, "cannot allocate requests");
    }
    int rc = start_recv(fn, recvbuf, recvcount, recvtype, source, recvtag, comm, q->rr);
    if (rc == MPI_SUCCESS) {
        rc = start_send(fn, sendbuf, sendcount, sendtype, dest, sendtag, comm,
                        DWCP_SEND_STANDARD, q->sr);
    }
    return sendrecv_finish(fn, comm, r, rc, request);
}
DWCP_WEAK(Isendrecv)

int PMPI_Isendrecv_replace(void *buf, int count, MPI_Datatype datatype, int dest, int sendtag,
                           int source, int recvtag, MPI_Comm comm, MPI_Request *request)
{
    const char *fn = "MPI_Isendrecv_replace";
    dwcp_req_t *r;
    sendrecv_req_t *q;
    DWCP_CHECK_INIT(fn);
    DWCP_GET_COMM(fn, comm, c);
    DWCP_CHECK_COUNT(fn, comm, count);
    DWCP_GET_DT(fn, comm, datatype, dt);
    if (request == NULL) {
        return dwcp_err_comm(comm, MPI_ERR_ARG, fn, "NULL request");
    }
    int rc = check_send(fn, c, buf, count, dest, sendtag);
    if (rc != MPI_SUCCESS) {
        return rc;
    }
    if (sendrecv_alloc(&r, &q) != MPI_SUCCESS) {
        return dwcp_err_comm(comm, MPI_ERR_NO_MEM, fn, "cannot allocate requests");
    }
    /* Pack what we send first; the receive then lands in the same buffer. */
    size_t len = (size_t)count * dt->size;
    q->tmp = malloc(len ? len : 1);
    if (q->tmp == NULL) {
        sendrecv_abort(r);
        return dwcp_err_comm(comm, MPI_ERR_NO_MEM, fn, "cannot allocate %zu bytes", len);
    }
    dwcp_dt_pack(buf, (size_t)count, dt, 0, q->tmp, len);
    rc = start_recv(fn, buf, count, datatype, source, recvtag, comm, q->rr);
    if (rc == MPI_SUCCESS) {
        dwcs_status_t st = dwcp_p2p_isend(q->tmp, len, dwcp_dt_get(MPI_BYTE), dest, sendtag, c,
                                          c->ctx, DWCP_SEND_STANDARD, q->sr);
        if (st != DWCS_OK) {
            rc = dwcp_err_comm(comm, dwcp_status_to_class(st), fn, "%s", dwcs_status_string(st));
        }
    }
    return sendrecv_finish(fn, comm, r, rc, request);
}
DWCP_WEAK(Isendrecv_replace)

/* ---- MPI-4 large-count point-to-point ----------------------------------------------------- */

int PMPI_Send_c(const void *buf, MPI_Count count, MPI_Datatype datatype, int dest, int tag,
                MPI_Comm comm)
{
    return blocking_send("MPI_Send_c", buf, count, datatype, dest, tag, comm, DWCP_SEND_STANDARD);
}
DWCP_WEAK(Send_c)

int PMPI_Recv_c(void *buf, MPI_Count count, MPI_Datatype datatype, int source, int tag,
                MPI_Comm comm, MPI_Status *status)
{
    const char *fn = "MPI_Recv_c";
    DWCP_CHECK_INIT(fn);
    dwcp_req_t *r = dwcp_req_alloc(DWCP_REQ_RECV);
    if (r == NULL) {
        return dwcp_err_comm(comm, MPI_ERR_NO_MEM, fn, "cannot allocate a request");
    }
    int rc = start_recv(fn, buf, count, datatype, source, tag, comm, r);
    if (rc == MPI_SUCCESS) {
        dwcp_req_wait(r);
        rc = recv_outcome(fn, r, comm, status);
    }
    dwcp_req_free(r);
    return rc;
}
DWCP_WEAK(Recv_c)
