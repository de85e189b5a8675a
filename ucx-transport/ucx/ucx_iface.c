/*
 * ucx_iface.c — the "ucx" transport: parameters, instance life cycle, endpoints, the op pool,
 * progress and flush. See ucx_internal.h for the callback discipline.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dwcs_log.h"
#include "ucx_internal.h"

/* ---- Parameters ---------------------------------------------------------------------------- */

static const dwcs_param_t ucx_params[] = {
    {"ucx_rndv_thresh", DWCS_PARAM_SIZE, "64k",
     "UCX transport: messages of at least this size use UCX rendezvous (zero copy); 0 lets UCX "
     "choose",
     DWCS_PARAM_LEVEL_TUNER, NULL, offsetof(dwct_ucx_config_t, rndv_thresh)},
    {"ucx_eager_max", DWCS_PARAM_SIZE, "0",
     "UCX transport: messages up to this size are forced onto the eager protocol; 0 lets UCX "
     "choose",
     DWCS_PARAM_LEVEL_DEV, NULL, offsetof(dwct_ucx_config_t, eager_max)},
    {"ucx_tls", DWCS_PARAM_STRING, "",
     "UCX transport: value of UCX_TLS for DWCP's UCX context (e.g. shm,self or tcp); empty "
     "keeps UCX's default",
     DWCS_PARAM_LEVEL_TUNER, NULL, offsetof(dwct_ucx_config_t, tls)},
    {"ucx_progress_loops", DWCS_PARAM_INT, "8",
     "UCX transport: at most this many ucp_worker_progress calls per progress()",
     DWCS_PARAM_LEVEL_DEV, NULL, offsetof(dwct_ucx_config_t, progress_loops)},
    {"ucx_close_timeout", DWCS_PARAM_TIME, "5s",
     "UCX transport: bound on flushing and closing endpoints at finalize", DWCS_PARAM_LEVEL_TUNER,
     NULL, offsetof(dwct_ucx_config_t, close_timeout)},
    {"ucx_err_mode", DWCS_PARAM_ENUM, "auto",
     "UCX transport: peer-failure handling; peer = UCX error handling (TCP only within a host "
     "in UCX 1.13), none = shared memory with our own liveness check, auto = none within a "
     "host and peer across hosts",
     DWCS_PARAM_LEVEL_TUNER, "auto,peer,none", offsetof(dwct_ucx_config_t, err_mode)},
    {"ucx_liveness_interval", DWCS_PARAM_TIME, "200ms",
     "UCX transport: how often progress() checks that same-host peers are still alive",
     DWCS_PARAM_LEVEL_DEV, NULL, offsetof(dwct_ucx_config_t, liveness_interval)},
};

/** The UCX plugin's parameter table (listed by dwcp_info once registered). */
dwcs_param_table_t dwct_ucx_param_table = {"ucx", ucx_params,
                                           sizeof(ucx_params) / sizeof(ucx_params[0]), NULL};

/* ---- Small helpers ------------------------------------------------------------------------- */

double dwct_ucx_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

dwcs_status_t dwct_ucx_status(ucs_status_t st)
{
    switch (st) {
    case UCS_OK:
        return DWCS_OK;
    case UCS_INPROGRESS:
        return DWCS_INPROGRESS;
    case UCS_ERR_NO_MEMORY:
    case UCS_ERR_NO_RESOURCE:
        return DWCS_ERR_NO_MEMORY;
    case UCS_ERR_INVALID_PARAM:
    case UCS_ERR_INVALID_ADDR:
        return DWCS_ERR_INVALID_PARAM;
    case UCS_ERR_UNSUPPORTED:
    case UCS_ERR_NO_DEVICE:
        return DWCS_ERR_UNSUPPORTED;
    case UCS_ERR_MESSAGE_TRUNCATED:
        return DWCS_ERR_TRUNCATE;
    case UCS_ERR_TIMED_OUT:
        return DWCS_ERR_TIMEOUT;
    case UCS_ERR_CANCELED:
        return DWCS_ERR_CANCELED;
    case UCS_ERR_BUSY:
        return DWCS_ERR_BUSY;
    case UCS_ERR_UNREACHABLE:
        return DWCS_ERR_UNREACHABLE;
    case UCS_ERR_ENDPOINT_TIMEOUT:
    case UCS_ERR_CONNECTION_RESET:
    case UCS_ERR_NOT_CONNECTED:
    case UCS_ERR_REJECTED:
    case UCS_ERR_IO_ERROR:
        return DWCS_ERR_PEER_FAILED;
    default:
        return DWCS_ERR_INTERNAL;
    }
}

/* ---- Op pool and completions --------------------------------------------------------------- */

dwct_ucx_op_t *dwct_ucx_op_get(dwct_iface_t *iface, dwct_ucx_op_kind_t kind, int peer,
                               dwct_comp_t *comp)
{
    dwct_ucx_op_t *op = iface->op_free;
    if (op != NULL) {
        iface->op_free = op->next;
    } else {
        void *mem = NULL;
        if (posix_memalign(&mem, 64, iface->req_size + sizeof(*op)) != 0) {
            DWCS_ERROR("ucx: out of memory for an operation record");
            return NULL;
        }
        op = (dwct_ucx_op_t *)((char *)mem + iface->req_size);
        op->all_next = iface->op_all;
        iface->op_all = op;
        iface->op_count++;
    }
    op->next = NULL;
    op->kind = kind;
    op->peer = peer;
    op->done = 0;
    op->status = UCS_INPROGRESS;
    op->comp = comp;
    op->result = NULL;
    op->result_size = 0;
    op->iov = NULL;
    op->iprev = op->inext = NULL;
    op->inflight = 0;
    op->abandoned = 0;
    op->ucx_done = 0;
    return op;
}

void dwct_ucx_op_put(dwct_iface_t *iface, dwct_ucx_op_t *op)
{
    if (op->iov != NULL && op->iov != op->iov_inline) {
        free(op->iov);
    }
    op->iov = NULL;
    op->next = iface->op_free;
    iface->op_free = op;
}

static void inflight_unlink(dwct_iface_t *iface, dwct_ucx_op_t *op)
{
    if (!op->inflight) {
        return;
    }
    if (op->iprev != NULL) {
        op->iprev->inext = op->inext;
    } else {
        iface->inflight_head = op->inext;
    }
    if (op->inext != NULL) {
        op->inext->iprev = op->iprev;
    }
    op->iprev = op->inext = NULL;
    op->inflight = 0;
}

static void done_enqueue(dwct_iface_t *iface, dwct_ucx_op_t *op)
{
    op->next = NULL;
    *iface->done_tail = op;
    iface->done_tail = &op->next;
}

/* Record a completion; ops with an upper completion are queued for progress(). */
static void op_complete(dwct_ucx_op_t *op, ucs_status_t status, dwct_iface_t *iface)
{
    if (op->abandoned) {
        /* The upper layer already got PEER_FAILED; UCX is done with the memory now. */
        op->ucx_done = 1;
        if (op->done) {
            dwct_ucx_op_put(iface, op); /* already drained */
        }
        return;
    }
    inflight_unlink(iface, op);
    op->status = status;
    op->done = 1;
    if (op->kind == DWCT_UCX_OP_INTERNAL) {
        return;
    }
    done_enqueue(iface, op);
}

void dwct_ucx_ops_abandon(dwct_iface_t *iface, int peer)
{
    dwct_ucx_op_t *op = iface->inflight_head;
    while (op != NULL) {
        dwct_ucx_op_t *next = op->inext;
        if (op->peer == peer) {
            inflight_unlink(iface, op);
            op->abandoned = 1;
            op->status = UCS_ERR_CONNECTION_RESET;
            done_enqueue(iface, op);
        }
        op = next;
    }
}

void dwct_ucx_send_cb(void *request, ucs_status_t status, void *user_data)
{
    op_complete((dwct_ucx_op_t *)request, status, (dwct_iface_t *)user_data);
}

void dwct_ucx_recv_am_cb(void *request, ucs_status_t status, size_t length, void *user_data)
{
    op_complete((dwct_ucx_op_t *)request, status, (dwct_iface_t *)user_data);
}

void dwct_ucx_param_send(ucp_request_param_t *param, dwct_iface_t *iface, dwct_ucx_op_t *op)
{
    memset(param, 0, sizeof(*param));
    param->op_attr_mask =
        UCP_OP_ATTR_FIELD_CALLBACK | UCP_OP_ATTR_FIELD_REQUEST | UCP_OP_ATTR_FIELD_USER_DATA;
    param->cb.send = dwct_ucx_send_cb;
    param->request = op;
    param->user_data = iface;
}

dwcs_status_t dwct_ucx_op_started(dwct_iface_t *iface, dwct_ucx_op_t *op, ucs_status_ptr_t sp)
{
    if (sp == NULL) {
        dwct_ucx_op_put(iface, op);
        return DWCS_OK;
    }
    if (UCS_PTR_IS_ERR(sp)) {
        ucs_status_t st = UCS_PTR_STATUS(sp);
        int peer = op->peer;
        dwct_ucx_op_put(iface, op);
        if (peer >= 0 && iface->peers[peer].state == DWCT_UCX_PEER_FAILED) {
            return DWCS_ERR_PEER_FAILED;
        }
        DWCS_DEBUG("ucx: operation to rank %d failed at start: %s", peer, ucs_status_string(st));
        return dwct_ucx_status(st);
    }
    if (op->peer >= 0 && op->kind != DWCT_UCX_OP_INTERNAL && !op->done) {
        op->inext = iface->inflight_head;
        op->iprev = NULL;
        if (op->inext != NULL) {
            op->inext->iprev = op;
        }
        iface->inflight_head = op;
        op->inflight = 1;
    }
    return DWCS_INPROGRESS;
}

/* Run the upper completion of every queued op. */
static unsigned done_drain(dwct_iface_t *iface)
{
    unsigned n = 0;
    while (iface->done_head != NULL) {
        dwct_ucx_op_t *op = iface->done_head;
        iface->done_head = op->next;
        if (iface->done_head == NULL) {
            iface->done_tail = &iface->done_head;
        }
        dwcs_status_t st = dwct_ucx_status(op->status);
        if (st != DWCS_OK && op->peer >= 0 &&
            iface->peers[op->peer].state == DWCT_UCX_PEER_FAILED) {
            st = DWCS_ERR_PEER_FAILED;
        }
        if (op->kind == DWCT_UCX_OP_FETCH && st != DWCS_OK && st != DWCS_ERR_TRUNCATE &&
            st != DWCS_ERR_NO_MEMORY) {
            /* A rendezvous pull fails (or is canceled by UCX) only when its sender is gone. */
            st = DWCS_ERR_PEER_FAILED;
        }
        if (op->kind == DWCT_UCX_OP_ATOMIC && st == DWCS_OK && op->result != NULL) {
            if (op->result_size == 4) {
                memcpy(op->result, &op->reply, 4); /* the first 4 bytes hold the value */
            } else {
                memcpy(op->result, &op->reply, 8);
            }
        }
        dwct_comp_t *comp = op->comp;
        if (!op->abandoned || op->ucx_done) {
            dwct_ucx_op_put(iface, op);
        } else {
            op->done = 1; /* UCX still holds it: its callback returns it to the pool */
        }
        if (comp != NULL) {
            comp->cb(comp, st);
        }
        n++;
    }
    return n;
}

dwcs_status_t dwct_ucx_op_wait(dwct_iface_t *iface, dwct_ucx_op_t *op, ucs_status_ptr_t sp,
                               double timeout_s)
{
    if (sp == NULL) {
        dwct_ucx_op_put(iface, op);
        return DWCS_OK;
    }
    if (UCS_PTR_IS_ERR(sp)) {
        dwct_ucx_op_put(iface, op);
        return dwct_ucx_status(UCS_PTR_STATUS(sp));
    }
    int saved = iface->deliver_ok;
    iface->deliver_ok = 0; /* arrivals are queued, never delivered from here */
    double deadline = dwct_ucx_now() + timeout_s;
    while (!op->done && dwct_ucx_now() < deadline) {
        ucp_worker_progress(iface->worker);
    }
    if (!op->done) {
        /* Ask UCX to give the request back, then wait a little more. */
        ucp_request_cancel(iface->worker, op);
        deadline = dwct_ucx_now() + 1.0;
        while (!op->done && dwct_ucx_now() < deadline) {
            ucp_worker_progress(iface->worker);
        }
    }
    iface->deliver_ok = saved;
    if (!op->done) {
        /* UCX still owns it: leave it off the free list (freed with the instance). */
        DWCS_WARN("ucx: internal operation did not finish within %.1f s", timeout_s);
        return DWCS_ERR_TIMEOUT;
    }
    dwcs_status_t st = dwct_ucx_status(op->status);
    dwct_ucx_op_put(iface, op);
    return st;
}

/* ---- Life cycle ---------------------------------------------------------------------------- */

static void ucx_finalize(dwct_iface_t *iface);

static dwcs_status_t ucx_init(const dwct_init_params_t *params, dwct_iface_t **iface_p)
{
    char err[256];
    ucp_config_t *config = NULL;
    ucs_status_t ust;
    dwcs_status_t st;

    dwcs_params_register(&dwct_ucx_param_table);
    dwct_iface_t *iface = calloc(1, sizeof(*iface));
    if (iface == NULL) {
        DWCS_ERROR("ucx: out of memory for the instance");
        return DWCS_ERR_NO_MEMORY;
    }
    iface->done_tail = &iface->done_head;
    iface->rxq_tail = &iface->rxq_head;
    st = dwcs_params_load(&dwct_ucx_param_table, &iface->cfg, err, sizeof(err));
    if (st != DWCS_OK) {
        DWCS_ERROR("ucx: %s", err);
        dwcs_params_release(&dwct_ucx_param_table, &iface->cfg);
        free(iface);
        return st;
    }
    if (iface->cfg.progress_loops < 1) {
        iface->cfg.progress_loops = 1;
    }
    iface->rank = params->rank;
    iface->size = params->size;
    iface->bootstrap = params->bootstrap;
    iface->rx_cb = params->rx_cb;
    iface->rx_arg = params->rx_arg;
    iface->peers = calloc((size_t)params->size, sizeof(*iface->peers));
    if (iface->peers == NULL) {
        DWCS_ERROR("ucx: out of memory for %d peers", params->size);
        st = DWCS_ERR_NO_MEMORY;
        goto fail;
    }
    for (int i = 0; i < params->size; i++) {
        iface->peers[i].iface = iface;
        iface->peers[i].rank = i;
    }

    ust = ucp_config_read(NULL, NULL, &config);
    if (ust != UCS_OK) {
        DWCS_ERROR("ucx: ucp_config_read failed: %s", ucs_status_string(ust));
        st = dwct_ucx_status(ust);
        goto fail;
    }
    if (iface->cfg.tls != NULL && iface->cfg.tls[0] != '\0') {
        ust = ucp_config_modify(config, "TLS", iface->cfg.tls);
        if (ust != UCS_OK) {
            DWCS_ERROR("ucx: invalid dwcp_ucx_tls '%s': %s", iface->cfg.tls,
                       ucs_status_string(ust));
            ucp_config_release(config);
            st = DWCS_ERR_INVALID_PARAM;
            goto fail;
        }
    }
    ucp_params_t ucp_params;
    memset(&ucp_params, 0, sizeof(ucp_params));
    ucp_params.field_mask =
        UCP_PARAM_FIELD_FEATURES | UCP_PARAM_FIELD_NAME | UCP_PARAM_FIELD_ESTIMATED_NUM_EPS;
    ucp_params.features = UCP_FEATURE_AM | UCP_FEATURE_RMA | UCP_FEATURE_AMO32 | UCP_FEATURE_AMO64;
    ucp_params.name = "dwcp";
    ucp_params.estimated_num_eps = (size_t)params->size;
    ust = ucp_init(&ucp_params, config, &iface->context);
    ucp_config_release(config);
    if (ust != UCS_OK) {
        const char *tls = iface->cfg.tls != NULL ? iface->cfg.tls : "";
        DWCS_ERROR("ucx: ucp_init failed: %s%s%s%s", ucs_status_string(ust),
                   tls[0] != '\0' ? " (UCX_TLS=" : "", tls,
                   tls[0] != '\0' ? " from dwcp_ucx_tls)" : "");
        st = dwct_ucx_status(ust);
        goto fail;
    }
    ucp_context_attr_t cattr;
    memset(&cattr, 0, sizeof(cattr));
    cattr.field_mask = UCP_ATTR_FIELD_REQUEST_SIZE;
    ust = ucp_context_query(iface->context, &cattr);
    if (ust != UCS_OK) {
        DWCS_ERROR("ucx: ucp_context_query failed: %s", ucs_status_string(ust));
        st = dwct_ucx_status(ust);
        goto fail;
    }
    iface->req_size = (cattr.request_size + 63) & ~(size_t)63;

    ucp_worker_params_t wparams;
    memset(&wparams, 0, sizeof(wparams));
    wparams.field_mask = UCP_WORKER_PARAM_FIELD_THREAD_MODE;
    wparams.thread_mode = params->threaded ? UCS_THREAD_MODE_SERIALIZED : UCS_THREAD_MODE_SINGLE;
    ust = ucp_worker_create(iface->context, &wparams, &iface->worker);
    if (ust != UCS_OK) {
        DWCS_ERROR("ucx: ucp_worker_create failed: %s", ucs_status_string(ust));
        st = dwct_ucx_status(ust);
        goto fail;
    }

    ucp_am_handler_param_t am;
    memset(&am, 0, sizeof(am));
    am.field_mask = UCP_AM_HANDLER_PARAM_FIELD_ID | UCP_AM_HANDLER_PARAM_FIELD_FLAGS |
                    UCP_AM_HANDLER_PARAM_FIELD_CB | UCP_AM_HANDLER_PARAM_FIELD_ARG;
    am.id = DWCT_UCX_AM_ID;
    am.flags = UCP_AM_FLAG_WHOLE_MSG | UCP_AM_FLAG_PERSISTENT_DATA;
    am.cb = dwct_ucx_am_cb;
    am.arg = iface;
    ust = ucp_worker_set_am_recv_handler(iface->worker, &am);
    if (ust != UCS_OK) {
        DWCS_ERROR("ucx: cannot register the active-message handler: %s", ucs_status_string(ust));
        st = dwct_ucx_status(ust);
        goto fail;
    }

    ucp_address_t *addr = NULL;
    size_t addr_len = 0;
    ust = ucp_worker_get_address(iface->worker, &addr, &addr_len);
    if (ust != UCS_OK) {
        DWCS_ERROR("ucx: ucp_worker_get_address failed: %s", ucs_status_string(ust));
        st = dwct_ucx_status(ust);
        goto fail;
    }
    st = params->bootstrap->publish(params->bootstrap->arg, DWCT_UCX_ADDR_KEY, addr, addr_len);
    ucp_worker_release_address(iface->worker, addr);
    if (st != DWCS_OK) {
        DWCS_ERROR("ucx: cannot publish the worker address: %s", dwcs_status_string(st));
        goto fail;
    }
    dwct_ucx_proc_self(&iface->proc);
    st = params->bootstrap->publish(params->bootstrap->arg, DWCT_UCX_PROC_KEY, &iface->proc,
                                    sizeof(iface->proc));
    if (st != DWCS_OK) {
        DWCS_ERROR("ucx: cannot publish the process identity: %s", dwcs_status_string(st));
        goto fail;
    }
    DWCS_DEBUG("ucx: rank %d ready (request size %zu, rndv threshold %zu)", iface->rank,
               (size_t)cattr.request_size, iface->cfg.rndv_thresh);
    *iface_p = iface;
    return DWCS_OK;

fail:
    ucx_finalize(iface);
    return st;
}

static unsigned ucx_progress(dwct_iface_t *iface)
{
    unsigned n = dwct_ucx_rxq_deliver(iface);
    int i;
    iface->deliver_ok = 1;
    for (i = 0; i < iface->cfg.progress_loops; i++) {
        unsigned k = ucp_worker_progress(iface->worker);
        n += k;
        if (k == 0) {
            break;
        }
    }
    iface->deliver_ok = 0;
    n += dwct_ucx_rxq_deliver(iface);
    dwct_ucx_peers_check(iface);
    n += done_drain(iface);
    return n;
}

static dwcs_status_t ucx_flush(dwct_iface_t *iface, double timeout_s)
{
    dwct_ucx_op_t *op = dwct_ucx_op_get(iface, DWCT_UCX_OP_INTERNAL, -1, NULL);
    if (op == NULL) {
        return DWCS_ERR_NO_MEMORY;
    }
    ucp_request_param_t param;
    dwct_ucx_param_send(&param, iface, op);
    ucs_status_ptr_t sp = ucp_worker_flush_nbx(iface->worker, &param);
    dwcs_status_t st = dwct_ucx_op_wait(iface, op, sp, timeout_s);
    if (st == DWCS_ERR_TIMEOUT) {
        DWCS_WARN("ucx: flush not complete after %.1f s", timeout_s);
    }
    return st;
}

static void ucx_finalize(dwct_iface_t *iface)
{
    if (iface == NULL) {
        return;
    }
    if (iface->worker != NULL) {
        if (iface->peers != NULL) {
            dwct_ucx_eps_close(iface);
        }
        /* Kept payloads the upper layer never fetched, and queued arrivals. */
        dwct_ucx_rxq_drop(iface);
        ucp_worker_destroy(iface->worker);
        iface->worker = NULL;
    }
    if (iface->context != NULL) {
        ucp_cleanup(iface->context);
        iface->context = NULL;
    }
    while (iface->op_all != NULL) {
        dwct_ucx_op_t *op = iface->op_all;
        iface->op_all = op->all_next;
        if (op->iov != NULL && op->iov != op->iov_inline) {
            free(op->iov);
        }
        free((char *)op - iface->req_size);
    }
    dwcs_params_release(&dwct_ucx_param_table, &iface->cfg);
    free(iface->peers);
    free(iface);
}

/* ---- The ops table ------------------------------------------------------------------------- */

const dwct_ops_t dwct_ucx_ops = {
    .name = "ucx",
    .init = ucx_init,
    .send = dwct_ucx_send,
    .sendv = dwct_ucx_sendv,
    .rx_fetch = dwct_ucx_rx_fetch,
    .rx_release = dwct_ucx_rx_release,
    .progress = ucx_progress,
    .flush = ucx_flush,
    .finalize = ucx_finalize,
    .mem_map = dwct_ucx_mem_map,
    .mem_unmap = dwct_ucx_mem_unmap,
    .rkey_unpack = dwct_ucx_rkey_unpack,
    .rkey_destroy = dwct_ucx_rkey_destroy,
    .put = dwct_ucx_put,
    .get = dwct_ucx_get,
    .atomic = dwct_ucx_atomic,
    .rma_flush = dwct_ucx_rma_flush,
};
