/* Probe, Iprobe, Mprobe, Improbe, Mrecv, Imrecv. */
#include <stdlib.h>

#include "dwcp_bind.h"
#include "p2p.h"

static int check_probe(const char *fn, MPI_Comm comm, int source, int tag, dwcp_comm_t **out)
{
    dwcp_comm_t *c = dwcp_comm_get(comm);
    if (c == NULL) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_COMM, fn, "invalid communicator");
    }
    if (source != MPI_PROC_NULL && source != MPI_ANY_SOURCE &&
        (source < 0 || source >= dwcp_comm_peer_size(c))) {
        return dwcp_err_comm(comm, MPI_ERR_RANK, fn, "invalid source rank %d", source);
    }
    if (tag != MPI_ANY_TAG && (tag < 0 || tag > DWCP_TAG_UB)) {
        return dwcp_err_comm(comm, MPI_ERR_TAG, fn, "invalid tag %d", tag);
    }
    *out = c;
    return MPI_SUCCESS;
}

static void probe_status(MPI_Status *status, const dwcp_umsg_t *m)
{
    MPI_Status st;
    dwcp_status_set(&st, m->hdr.crank, m->hdr.tag, m->hdr.len, MPI_SUCCESS);
    dwcp_status_out(status, &st);
}

static void proc_null_status(MPI_Status *status)
{
    MPI_Status st;
    dwcp_status_empty(&st);
    st.MPI_SOURCE = MPI_PROC_NULL;
    dwcp_status_out(status, &st);
}

/* Find a matching message, progressing once first; take it out of the queue if @p take. */
static dwcp_umsg_t *probe_once(dwcp_comm_t *c, int source, int tag, int take)
{
    dwcp_umsg_t *m = dwcp_unexp_find(c->ctx, source, tag, take);
    if (m == NULL) {
        dwcp_progress();
        m = dwcp_unexp_find(c->ctx, source, tag, take);
    }
    return m;
}

int PMPI_Iprobe(int source, int tag, MPI_Comm comm, int *flag, MPI_Status *status)
{
    dwcp_comm_t *c;
    DWCP_CHECK_INIT("MPI_Iprobe");
    int rc = check_probe("MPI_Iprobe", comm, source, tag, &c);
    if (rc != MPI_SUCCESS) {
        return rc;
    }
    if (flag == NULL) {
        return dwcp_err_comm(comm, MPI_ERR_ARG, "MPI_Iprobe", "NULL flag");
    }
    if (source == MPI_PROC_NULL) {
        *flag = 1;
        proc_null_status(status);
        return MPI_SUCCESS;
    }
    dwcp_umsg_t *m = probe_once(c, source, tag, 0);
    *flag = m != NULL;
    if (m != NULL) {
        probe_status(status, m);
    }
    return MPI_SUCCESS;
}
DWCP_WEAK(Iprobe)

int PMPI_Probe(int source, int tag, MPI_Comm comm, MPI_Status *status)
{
    dwcp_comm_t *c;
    unsigned idle = 0;
    DWCP_CHECK_INIT("MPI_Probe");
    int rc = check_probe("MPI_Probe", comm, source, tag, &c);
    if (rc != MPI_SUCCESS) {
        return rc;
    }
    if (source == MPI_PROC_NULL) {
        proc_null_status(status);
        return MPI_SUCCESS;
    }
    dwcp_umsg_t *m;
    while ((m = dwcp_unexp_find(c->ctx, source, tag, 0)) == NULL) {
        dwcp_wait_idle(dwcp_progress(), &idle);
    }
    probe_status(status, m);
    return MPI_SUCCESS;
}
DWCP_WEAK(Probe)

/* Give a taken message a handle. */
static int message_publish(const char *fn, MPI_Comm comm, dwcp_umsg_t *m, MPI_Message *message)
{
    if (dwcp_htab_add(&dwcp_g.msgs, m, &m->handle) != DWCS_OK) {
        dwcp_umsg_free(m);
        return dwcp_err_comm(comm, MPI_ERR_NO_MEM, fn, "cannot allocate a message handle");
    }
    *message = m->handle;
    return MPI_SUCCESS;
}

int PMPI_Improbe(int source, int tag, MPI_Comm comm, int *flag, MPI_Message *message,
                 MPI_Status *status)
{
    dwcp_comm_t *c;
    DWCP_CHECK_INIT("MPI_Improbe");
    int rc = check_probe("MPI_Improbe", comm, source, tag, &c);
    if (rc != MPI_SUCCESS) {
        return rc;
    }
    if (flag == NULL || message == NULL) {
        return dwcp_err_comm(comm, MPI_ERR_ARG, "MPI_Improbe", "NULL flag or message");
    }
    if (source == MPI_PROC_NULL) {
        *flag = 1;
        *message = MPI_MESSAGE_NO_PROC;
        proc_null_status(status);
        return MPI_SUCCESS;
    }
    dwcp_umsg_t *m = probe_once(c, source, tag, 1);
    *flag = m != NULL;
    if (m == NULL) {
        return MPI_SUCCESS;
    }
    probe_status(status, m);
    return message_publish("MPI_Improbe", comm, m, message);
}
DWCP_WEAK(Improbe)

int PMPI_Mprobe(int source, int tag, MPI_Comm comm, MPI_Message *message, MPI_Status *status)
{
    dwcp_comm_t *c;
    unsigned idle = 0;
    DWCP_CHECK_INIT("MPI_Mprobe");
    int rc = check_probe("MPI_Mprobe", comm, source, tag, &c);
    if (rc != MPI_SUCCESS) {
        return rc;
    }
    if (message == NULL) {
        return dwcp_err_comm(comm, MPI_ERR_ARG, "MPI_Mprobe", "NULL message");
    }
    if (source == MPI_PROC_NULL) {
        *message = MPI_MESSAGE_NO_PROC;
        proc_null_status(status);
        return MPI_SUCCESS;
    }
    dwcp_umsg_t *m;
    while ((m = dwcp_unexp_find(c->ctx, source, tag, 1)) == NULL) {
        dwcp_wait_idle(dwcp_progress(), &idle);
    }
    probe_status(status, m);
    return message_publish("MPI_Mprobe", comm, m, message);
}
DWCP_WEAK(Mprobe)

/* Start receiving message *message into r; NO_PROC gives the PROC_NULL status. */
static int mrecv_start(const char *fn, void *buf, int count, MPI_Datatype datatype,
                       MPI_Message *message, dwcp_req_t *r)
{
    dwcp_dt_t *dt;
    if (message == NULL) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_ARG, fn, "NULL message");
    }
    if (count < 0) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_COUNT, fn, "negative count %d", count);
    }
    if (dwcp_dt_check(datatype, &dt) != DWCS_OK) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_TYPE, fn, "invalid or uncommitted datatype");
    }
    r->kind = DWCP_REQ_RECV;
    r->buf = buf;
    r->count = (size_t)count;
    r->dt = dt;
    if (*message == MPI_MESSAGE_NO_PROC) {
        dwcp_status_empty(&r->status);
        r->status.MPI_SOURCE = MPI_PROC_NULL;
        r->complete = 1;
        *message = MPI_MESSAGE_NULL;
        return MPI_SUCCESS;
    }
    dwcp_umsg_t *m = dwcp_htab_get(&dwcp_g.msgs, *message);
    if (m == NULL) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_REQUEST, fn, "invalid message handle");
    }
    dwcp_htab_remove(&dwcp_g.msgs, *message);
    *message = MPI_MESSAGE_NULL;
    r->comm = dwcp_g.world;
    dwcp_dt_retain(dt);
    r->dt_held = 1;
    dwcp_umsg_deliver(m, r);
    return MPI_SUCCESS;
}

int PMPI_Mrecv(void *buf, int count, MPI_Datatype datatype, MPI_Message *message,
               MPI_Status *status)
{
    DWCP_CHECK_INIT("MPI_Mrecv");
    dwcp_req_t *r = dwcp_req_alloc(DWCP_REQ_RECV);
    if (r == NULL) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_NO_MEM, "MPI_Mrecv", "no memory");
    }
    int rc = mrecv_start("MPI_Mrecv", buf, count, datatype, message, r);
    if (rc == MPI_SUCCESS) {
        dwcp_req_wait(r);
        dwcp_status_out(status, &r->status);
        rc = r->status.MPI_ERROR;
        if (rc != MPI_SUCCESS) {
            if (status != MPI_STATUS_IGNORE && status != NULL) {
                status->MPI_ERROR = rc;
            }
            rc = dwcp_err_comm(MPI_COMM_WORLD, rc, "MPI_Mrecv", "message truncated");
        }
    }
    dwcp_req_free(r);
    return rc;
}
DWCP_WEAK(Mrecv)

int PMPI_Imrecv(void *buf, int count, MPI_Datatype datatype, MPI_Message *message,
                MPI_Request *request)
{
    DWCP_CHECK_INIT("MPI_Imrecv");
    if (request == NULL) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_ARG, "MPI_Imrecv", "NULL request");
    }
    dwcp_req_t *r = dwcp_req_alloc(DWCP_REQ_RECV);
    if (r == NULL || dwcp_req_publish(r, request) != DWCS_OK) {
        dwcp_req_free(r);
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_NO_MEM, "MPI_Imrecv", "no memory");
    }
    int rc = mrecv_start("MPI_Imrecv", buf, count, datatype, message, r);
    if (rc != MPI_SUCCESS) {
        dwcp_req_free(r);
        *request = MPI_REQUEST_NULL;
    }
    return rc;
}
DWCP_WEAK(Imrecv)
