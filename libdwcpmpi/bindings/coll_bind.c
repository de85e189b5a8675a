/* Argument checks and run/start shared by the collective bindings (see coll_bind.h). */
#include "coll_bind.h"

/* Common checks; sets *c. */
int dwcp_cb_comm(const char *fn, MPI_Comm comm, dwcp_comm_t **c)
{
    *c = dwcp_comm_get(comm);
    if (*c == NULL) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_COMM, fn, "invalid communicator");
    }
    return MPI_SUCCESS;
}

/* MPI_IN_PLACE is not allowed on intercommunicators. */
int dwcp_cb_inter_inplace(const char *fn, dwcp_comm_t *c, const void *sendbuf)
{
    if (c->remote != NULL && INPLACE(sendbuf)) {
        return dwcp_err_comm(c->handle, MPI_ERR_BUFFER, fn,
                             "MPI_IN_PLACE is not valid on an intercommunicator");
    }
    return MPI_SUCCESS;
}

int dwcp_cb_dt(const char *fn, MPI_Comm comm, MPI_Datatype h, int count, dwcp_dt_t **dt)
{
    if (count < 0) {
        return dwcp_err_comm(comm, MPI_ERR_COUNT, fn, "negative count %d", count);
    }
    if (dwcp_dt_check(h, dt) != DWCS_OK) {
        return dwcp_err_comm(comm, MPI_ERR_TYPE, fn, "invalid or uncommitted datatype");
    }
    return MPI_SUCCESS;
}

int dwcp_cb_op(const char *fn, MPI_Comm comm, MPI_Op h, dwcp_dt_t *dt, dwcp_op_t **op)
{
    *op = dwcp_op_get(h);
    if (*op == NULL) {
        return dwcp_err_comm(comm, MPI_ERR_OP, fn, "invalid operation");
    }
    if (dwcp_op_check(*op, dt) != MPI_SUCCESS) {
        return dwcp_err_comm(comm, MPI_ERR_OP, fn, "%s is not defined for this datatype",
                             dwcp_op_name(*op));
    }
    return MPI_SUCCESS;
}

int dwcp_cb_root(const char *fn, dwcp_comm_t *c, int root)
{
    if (c->remote != NULL) {
        if (root == MPI_ROOT || root == MPI_PROC_NULL || (root >= 0 && root < c->remote->size)) {
            return MPI_SUCCESS;
        }
        return dwcp_err_comm(c->handle, MPI_ERR_ROOT, fn,
                             "invalid root %d on an intercommunicator (remote size %d)", root,
                             c->remote->size);
    }
    if (root < 0 || root >= c->size) {
        return dwcp_err_comm(c->handle, MPI_ERR_ROOT, fn, "invalid root %d (size %d)", root,
                             c->size);
    }
    return MPI_SUCCESS;
}

int dwcp_cb_alias(const char *fn, dwcp_comm_t *c, const void *s, const void *r, int n)
{
    if (s == r && s != NULL && n > 0 && !INPLACE(s)) {
        return dwcp_err_comm(c->handle, MPI_ERR_BUFFER, fn,
                             "send and receive buffers alias (use MPI_IN_PLACE)");
    }
    return MPI_SUCCESS;
}

/* Run or start schedule @p s whose building ended with @p st. */
int dwcp_cb_finish(const char *fn, dwcp_comm_t *c, dwcp_sched_t *s, dwcs_status_t st,
                  MPI_Request *request)
{
    if (st != DWCS_OK) {
        dwcp_sched_discard(s);
        return dwcp_err_comm(c->handle, dwcp_status_to_class(st), fn, "%s",
                             dwcs_status_string(st));
    }
    if (dwcp_pcoll_recording() && request != NULL) {
        return dwcp_pcoll_finish(fn, c, s, request);
    }
    if (request == NULL) {
        int rc = dwcp_sched_run(s);
        return rc == MPI_SUCCESS ? rc : dwcp_err_comm(c->handle, rc, fn, "collective failed");
    }
    dwcp_req_t *r = dwcp_req_alloc(DWCP_REQ_COLL);
    if (r == NULL || dwcp_req_publish(r, request) != DWCS_OK) {
        dwcp_req_free(r);
        dwcp_sched_discard(s);
        return dwcp_err_comm(c->handle, MPI_ERR_NO_MEM, fn, "no memory");
    }
    st = dwcp_sched_start(s, r);
    if (st != DWCS_OK) {
        return dwcp_err_comm(c->handle, dwcp_status_to_class(st), fn, "cannot start");
    }
    return MPI_SUCCESS;
}
