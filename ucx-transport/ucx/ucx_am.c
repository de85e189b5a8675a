/*
 * ucx_am.c — framed messages over UCP active messages: send/sendv, the receive handler and
 * kept payloads (rx_fetch / rx_release).
 *
 * A frame is one active message (id DWCT_UCX_AM_ID) whose user header is the dwct_hdr_t and
 * whose data is the payload. Small payloads arrive eagerly and, thanks to
 * UCP_AM_FLAG_PERSISTENT_DATA, can be kept without a copy; large ones arrive as a rendezvous
 * descriptor that rx_fetch pulls straight into the user's buffer (ucp_am_recv_data_nbx).
 *
 * rx->desc encodes the payload kind for rx_fetch/rx_release:
 *   desc == NULL                    empty payload, nothing to release
 *   data == NULL                    rendezvous descriptor
 *   desc == data                    eager data kept by UCX (ucp_am_data_release)
 *   otherwise                       our own copy (dwct_ucx_copy_t, data follows it)
 */
#include <stdlib.h>
#include <string.h>

#include "dwcs_log.h"
#include "ucx_internal.h"

/* rx.data for empty payloads (never dereferenced for 0 bytes, but not NULL). */
static const char empty_payload[1];

/* Values of iface->cur_consumed. */
#define CONSUMED_NONE 0
#define CONSUMED_FETCH 1   /* data copied out or rendezvous receive started */
#define CONSUMED_RELEASE 2 /* rx_release called */

/* ---- Sending ------------------------------------------------------------------------------- */

static uint32_t send_flags(const dwct_iface_t *iface, size_t len)
{
    if (iface->cfg.rndv_thresh != 0 && len >= iface->cfg.rndv_thresh) {
        return UCP_AM_SEND_FLAG_RNDV;
    }
    if (iface->cfg.eager_max != 0 && len <= iface->cfg.eager_max) {
        return UCP_AM_SEND_FLAG_EAGER;
    }
    return 0;
}

/* Start the AM send of an op already holding the header (and iov, if any). */
static dwcs_status_t am_start(dwct_iface_t *iface, ucp_ep_h ep, dwct_ucx_op_t *op,
                              const void *buffer, size_t count, ucp_datatype_t dt, size_t total)
{
    ucp_request_param_t param;
    dwct_ucx_param_send(&param, iface, op);
    param.op_attr_mask |= UCP_OP_ATTR_FIELD_DATATYPE | UCP_OP_ATTR_FIELD_FLAGS;
    param.datatype = dt;
    param.flags = send_flags(iface, total);
    ucs_status_ptr_t sp =
        ucp_am_send_nbx(ep, DWCT_UCX_AM_ID, &op->hdr, sizeof(op->hdr), buffer, count, &param);
    return dwct_ucx_op_started(iface, op, sp);
}

dwcs_status_t dwct_ucx_send(dwct_iface_t *iface, int peer, const dwct_hdr_t *hdr, const void *buf,
                            size_t len, dwct_comp_t *comp)
{
    dwcs_status_t st;
    ucp_ep_h ep = dwct_ucx_ep_get(iface, peer, &st);
    if (ep == NULL) {
        return st;
    }
    dwct_ucx_op_t *op = dwct_ucx_op_get(iface, DWCT_UCX_OP_SEND, peer, comp);
    if (op == NULL) {
        return DWCS_ERR_NO_MEMORY;
    }
    op->hdr = *hdr;
    return am_start(iface, ep, op, buf, len, ucp_dt_make_contig(1), len);
}

dwcs_status_t dwct_ucx_sendv(dwct_iface_t *iface, int peer, const dwct_hdr_t *hdr,
                             const struct iovec *iov, size_t iovcnt, dwct_comp_t *comp)
{
    dwcs_status_t st;
    size_t i, n = 0, total = 0, first = 0;
    for (i = 0; i < iovcnt; i++) {
        if (iov[i].iov_len != 0) {
            if (n == 0) {
                first = i;
            }
            n++;
            total += iov[i].iov_len;
        }
    }
    if (n <= 1) {
        return dwct_ucx_send(iface, peer, hdr, n == 1 ? iov[first].iov_base : NULL, total, comp);
    }
    ucp_ep_h ep = dwct_ucx_ep_get(iface, peer, &st);
    if (ep == NULL) {
        return st;
    }
    dwct_ucx_op_t *op = dwct_ucx_op_get(iface, DWCT_UCX_OP_SEND, peer, comp);
    if (op == NULL) {
        return DWCS_ERR_NO_MEMORY;
    }
    op->hdr = *hdr;
    if (n <= DWCT_UCX_IOV_INLINE) {
        op->iov = op->iov_inline;
    } else {
        op->iov = malloc(n * sizeof(*op->iov));
        if (op->iov == NULL) {
            DWCS_ERROR("ucx: out of memory for %zu iovec pieces", n);
            dwct_ucx_op_put(iface, op);
            return DWCS_ERR_NO_MEMORY;
        }
    }
    n = 0;
    for (i = 0; i < iovcnt; i++) {
        if (iov[i].iov_len != 0) {
            op->iov[n].buffer = iov[i].iov_base;
            op->iov[n].length = iov[i].iov_len;
            n++;
        }
    }
    return am_start(iface, ep, op, op->iov, n, ucp_dt_make_iov(), total);
}

/* ---- Receiving ----------------------------------------------------------------------------- */

/* Release a payload the transport holds (outside the AM callback). */
static void payload_release(dwct_iface_t *iface, dwct_ucx_rx_kind_t kind, void *ptr)
{
    switch (kind) {
    case DWCT_UCX_RX_UCX:
    case DWCT_UCX_RX_RNDV: /* an unfetched rendezvous: UCX completes the sender with OK */
        ucp_am_data_release(iface->worker, ptr);
        break;
    case DWCT_UCX_RX_COPY:
        free(ptr);
        break;
    case DWCT_UCX_RX_EMPTY:
        break;
    }
}

/*
 * Hand one message to rx_cb. @p live: called from inside the UCX AM callback (UCX still owns
 * UCX/RNDV payloads unless we return UCS_INPROGRESS) rather than from the queue (we own them).
 * Returns 1 if the upper layer kept the payload (it will call rx_fetch/rx_release).
 */
static int deliver(dwct_iface_t *iface, const dwct_hdr_t *hdr, dwct_ucx_rx_kind_t kind, void *ptr,
                   size_t len, int live)
{
    dwct_rx_t rx;
    rx.len = len;
    switch (kind) {
    case DWCT_UCX_RX_EMPTY:
        rx.data = empty_payload;
        rx.desc = NULL;
        break;
    case DWCT_UCX_RX_UCX:
        rx.data = ptr;
        rx.desc = ptr;
        break;
    case DWCT_UCX_RX_COPY:
        rx.data = (dwct_ucx_copy_t *)ptr + 1;
        rx.desc = ptr;
        break;
    case DWCT_UCX_RX_RNDV:
    default:
        rx.data = NULL;
        rx.desc = ptr;
        break;
    }
    int saved = iface->deliver_ok;
    iface->deliver_ok = 0; /* anything arriving while rx_cb runs is queued behind */
    iface->cur_desc = rx.desc;
    iface->cur_consumed = CONSUMED_NONE;
    dwct_rx_action_t action = iface->rx_cb(iface->rx_arg, hdr, &rx);
    int consumed = iface->cur_consumed;
    iface->cur_desc = NULL;
    iface->cur_consumed = CONSUMED_NONE;
    iface->deliver_ok = saved;

    if (kind == DWCT_UCX_RX_EMPTY) {
        return 0;
    }
    if (action == DWCT_RX_KEEP && consumed == CONSUMED_NONE) {
        return 1;
    }
    if (live) {
        /* Returning UCS_OK lets UCX free eager data / drop an unfetched rendezvous. */
        if (kind == DWCT_UCX_RX_COPY) {
            free(ptr);
        }
        return 0;
    }
    if (kind == DWCT_UCX_RX_RNDV && consumed == CONSUMED_FETCH) {
        return 0; /* the receive owns the descriptor now */
    }
    payload_release(iface, kind, ptr);
    return 0;
}

/* Our own copy of a payload UCX will not keep. */
static dwct_ucx_copy_t *copy_make(const void *data, size_t len)
{
    dwct_ucx_copy_t *c = malloc(sizeof(*c) + len);
    if (c == NULL) {
        return NULL;
    }
    c->magic = DWCT_UCX_COPY_MAGIC;
    c->len = len;
    memcpy(c + 1, data, len);
    return c;
}

ucs_status_t dwct_ucx_am_cb(void *arg, const void *header, size_t header_length, void *data,
                            size_t length, const ucp_am_recv_param_t *param)
{
    dwct_iface_t *iface = arg;
    dwct_hdr_t hdr;
    if (header_length != sizeof(hdr)) {
        DWCS_ERROR("ucx: dropping an active message with a %zu-byte header (expected %zu)",
                   header_length, sizeof(hdr));
        return UCS_OK;
    }
    memcpy(&hdr, header, sizeof(hdr));

    dwct_ucx_rx_kind_t kind;
    void *ptr = data;
    if (param->recv_attr & UCP_AM_RECV_ATTR_FLAG_RNDV) {
        kind = DWCT_UCX_RX_RNDV;
    } else if (length == 0) {
        kind = DWCT_UCX_RX_EMPTY;
    } else if (param->recv_attr & UCP_AM_RECV_ATTR_FLAG_DATA) {
        kind = DWCT_UCX_RX_UCX;
    } else {
        kind = DWCT_UCX_RX_COPY;
        ptr = copy_make(data, length);
        if (ptr == NULL) {
            DWCS_ERROR("ucx: out of memory copying a %zu-byte message from rank %u; dropped",
                       length, hdr.src);
            return UCS_OK;
        }
    }
    int keeps = kind == DWCT_UCX_RX_UCX || kind == DWCT_UCX_RX_RNDV;

    if (iface->deliver_ok && iface->rxq_head == NULL) {
        int held = deliver(iface, &hdr, kind, ptr, length, 1);
        return (keeps && held) ? UCS_INPROGRESS : UCS_OK;
    }

    /* Not inside progress() (or older messages are waiting): queue it. */
    dwct_ucx_pending_rx_t *r = malloc(sizeof(*r));
    if (r == NULL) {
        DWCS_ERROR("ucx: out of memory queueing a message from rank %u; dropped", hdr.src);
        if (kind == DWCT_UCX_RX_COPY) {
            free(ptr);
        }
        return UCS_OK;
    }
    r->next = NULL;
    r->hdr = hdr;
    r->kind = kind;
    r->data = ptr;
    r->len = length;
    *iface->rxq_tail = r;
    iface->rxq_tail = &r->next;
    return keeps ? UCS_INPROGRESS : UCS_OK;
}

unsigned dwct_ucx_rxq_deliver(dwct_iface_t *iface)
{
    unsigned n = 0;
    /* Bounded: rx_cb may send to our own rank, which queues more. */
    while (iface->rxq_head != NULL && n < 4096) {
        dwct_ucx_pending_rx_t *r = iface->rxq_head;
        iface->rxq_head = r->next;
        if (iface->rxq_head == NULL) {
            iface->rxq_tail = &iface->rxq_head;
        }
        (void)deliver(iface, &r->hdr, r->kind, r->data, r->len, 0);
        free(r);
        n++;
    }
    return n;
}

void dwct_ucx_rxq_drop(dwct_iface_t *iface)
{
    while (iface->rxq_head != NULL) {
        dwct_ucx_pending_rx_t *r = iface->rxq_head;
        iface->rxq_head = r->next;
        payload_release(iface, r->kind, r->data);
        free(r);
    }
    iface->rxq_tail = &iface->rxq_head;
}

/* Kind of a payload from the rx the upper layer handed back. */
static dwct_ucx_rx_kind_t rx_kind(const dwct_rx_t *rx)
{
    if (rx->desc == NULL) {
        return DWCT_UCX_RX_EMPTY;
    }
    if (rx->data == NULL) {
        return DWCT_UCX_RX_RNDV;
    }
    if (rx->data == rx->desc) {
        return DWCT_UCX_RX_UCX;
    }
    return DWCT_UCX_RX_COPY;
}

dwcs_status_t dwct_ucx_rx_fetch(dwct_iface_t *iface, dwct_rx_t *rx, void *buf, size_t len,
                                dwct_comp_t *comp)
{
    dwct_ucx_rx_kind_t kind = rx_kind(rx);
    int in_cb = rx->desc != NULL && rx->desc == iface->cur_desc;
    if (kind == DWCT_UCX_RX_EMPTY) {
        return DWCS_OK;
    }
    if (kind != DWCT_UCX_RX_RNDV) {
        size_t n = len < rx->len ? len : rx->len;
        memcpy(buf, rx->data, n);
        if (in_cb) {
            iface->cur_consumed = CONSUMED_FETCH;
        } else {
            payload_release(iface, kind, rx->desc);
        }
        return len < rx->len ? DWCS_ERR_TRUNCATE : DWCS_OK;
    }
    if (len < rx->len) {
        DWCS_ERROR("ucx: %zu-byte buffer for a %zu-byte message", len, rx->len);
        dwct_ucx_rx_release(iface, rx);
        return DWCS_ERR_TRUNCATE;
    }
    dwct_ucx_op_t *op = dwct_ucx_op_get(iface, DWCT_UCX_OP_FETCH, -1, comp);
    if (op == NULL) {
        dwct_ucx_rx_release(iface, rx);
        return DWCS_ERR_NO_MEMORY;
    }
    ucp_request_param_t param;
    memset(&param, 0, sizeof(param));
    param.op_attr_mask =
        UCP_OP_ATTR_FIELD_CALLBACK | UCP_OP_ATTR_FIELD_REQUEST | UCP_OP_ATTR_FIELD_USER_DATA;
    param.cb.recv_am = dwct_ucx_recv_am_cb;
    param.request = op;
    param.user_data = iface;
    /* UCX owns the descriptor from here on, whatever the outcome. */
    ucs_status_ptr_t sp = ucp_am_recv_data_nbx(iface->worker, rx->desc, buf, rx->len, &param);
    if (in_cb) {
        iface->cur_consumed = CONSUMED_FETCH;
    }
    return dwct_ucx_op_started(iface, op, sp);
}

void dwct_ucx_rx_release(dwct_iface_t *iface, dwct_rx_t *rx)
{
    dwct_ucx_rx_kind_t kind = rx_kind(rx);
    if (kind == DWCT_UCX_RX_EMPTY) {
        return;
    }
    if (rx->desc == iface->cur_desc) {
        iface->cur_consumed = CONSUMED_RELEASE; /* deliver() or UCX frees it after rx_cb */
        return;
    }
    payload_release(iface, kind, rx->desc);
}
