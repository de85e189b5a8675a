/*
 * Matching: arriving messages are put in per-peer sequence order, then matched against the
 * posted receives (in posting order) or queued as unexpected (in arrival order).
 */
#include <stdlib.h>
#include <string.h>

#include "p2p.h"

dwcp_p2p_state_t dwcp_p2p;

static void posted_remove(dwcp_req_t *r)
{
    if (r->prev) {
        r->prev->next = r->next;
    } else {
        dwcp_p2p.posted_head = r->next;
    }
    if (r->next) {
        r->next->prev = r->prev;
    } else {
        dwcp_p2p.posted_tail = r->prev;
    }
    r->next = r->prev = NULL;
}

static void unexp_append(dwcp_umsg_t *m)
{
    m->next = NULL;
    m->prev = dwcp_p2p.unexp_tail;
    if (dwcp_p2p.unexp_tail) {
        dwcp_p2p.unexp_tail->next = m;
    } else {
        dwcp_p2p.unexp_head = m;
    }
    dwcp_p2p.unexp_tail = m;
}

static void unexp_remove(dwcp_umsg_t *m)
{
    if (m->prev) {
        m->prev->next = m->next;
    } else {
        dwcp_p2p.unexp_head = m->next;
    }
    if (m->next) {
        m->next->prev = m->prev;
    } else {
        dwcp_p2p.unexp_tail = m->prev;
    }
    m->next = m->prev = NULL;
}

dwcp_umsg_t *dwcp_unexp_find(uint32_t ctx, int src, int tag, int remove)
{
    dwcp_umsg_t *m;
    for (m = dwcp_p2p.unexp_head; m != NULL; m = m->next) {
        if (m->hdr.ctx == ctx && (src == MPI_ANY_SOURCE || src == m->hdr.crank) &&
            (tag == MPI_ANY_TAG || tag == m->hdr.tag)) {
            if (remove) {
                unexp_remove(m);
            }
            return m;
        }
    }
    return NULL;
}

dwcp_umsg_t *dwcp_unexp_take_seq(int src, uint64_t seq)
{
    dwcp_umsg_t *m;
    for (m = dwcp_p2p.unexp_head; m != NULL; m = m->next) {
        if ((int)m->hdr.src == src && m->hdr.seq == seq) {
            unexp_remove(m);
            return m;
        }
    }
    return NULL;
}

/*
 * Unexpected-message records are recycled through a short free list, and payloads of up to
 * DWCP_UMSG_INLINE bytes are copied into the record: a small message that arrives before its
 * receive (the common case for collectives on oversubscribed cores) costs no malloc.
 */
#define UMSG_POOL_MAX 64
static dwcp_umsg_t *umsg_pool;
static int umsg_npool;

static dwcp_umsg_t *umsg_new(const dwct_hdr_t *hdr)
{
    dwcp_umsg_t *m = umsg_pool;
    if (m != NULL) {
        umsg_pool = m->next;
        umsg_npool--;
    } else {
        m = malloc(sizeof(*m));
        if (m == NULL) {
            return NULL;
        }
    }
    m->hdr = *hdr;
    m->data = NULL;
    memset(&m->rx, 0, sizeof(m->rx));
    m->ops = NULL;
    m->iface = NULL;
    m->next = m->prev = NULL;
    m->handle = 0;
    return m;
}

/* Copy an eager payload into @p m; 0 when out of memory. */
static int umsg_copy(dwcp_umsg_t *m, const void *data, size_t len)
{
    m->data = len <= DWCP_UMSG_INLINE ? (void *)m->inl : malloc(len);
    if (m->data == NULL) {
        return 0;
    }
    memcpy(m->data, data, len);
    return 1;
}

/* Release the record (and a malloc'd payload copy). */
static void umsg_put(dwcp_umsg_t *m)
{
    if (m->data != NULL && m->data != (void *)m->inl) {
        free(m->data);
    }
    m->data = NULL;
    if (umsg_npool < UMSG_POOL_MAX) {
        m->next = umsg_pool;
        umsg_pool = m;
        umsg_npool++;
    } else {
        free(m);
    }
}

void dwcp_umsg_pool_free(void)
{
    while (umsg_pool != NULL) {
        dwcp_umsg_t *m = umsg_pool;
        umsg_pool = m->next;
        free(m);
    }
    umsg_npool = 0;
}

void dwcp_umsg_free(dwcp_umsg_t *m)
{
    if (m == NULL) {
        return;
    }
    if (m->data == NULL && m->ops != NULL) {
        m->ops->rx_release(m->iface, &m->rx);
    }
    umsg_put(m);
}

void dwcp_umsg_strip(dwcp_umsg_t *m)
{
    if (m->data == NULL && m->ops != NULL) {
        m->ops->rx_release(m->iface, &m->rx);
    }
    if (m->data != NULL && m->data != (void *)m->inl) {
        free(m->data);
    }
    m->data = NULL;
    m->ops = NULL;
    m->iface = NULL;
    memset(&m->rx, 0, sizeof(m->rx));
    m->hdr.len = 0;
}

/* ---- Delivery into a receive request ------------------------------------------------------ */

static void recv_finish(dwcp_req_t *r)
{
    if (r->tmp != NULL) {
        size_t cap = r->count * r->dt->size;
        size_t n = r->tmp_len < cap ? r->tmp_len : cap;
        dwcp_dt_unpack(r->tmp, n, r->buf, r->count, r->dt, 0);
        free(r->tmp);
        r->tmp = NULL;
    }
    dwcp_req_complete(r);
}

static void recv_fetch_done(dwct_comp_t *comp, dwcs_status_t st)
{
    dwcp_req_t *r = (dwcp_req_t *)((char *)comp - offsetof(dwcp_req_t, comp));
    if (st != DWCS_OK && r->status.MPI_ERROR == MPI_SUCCESS) {
        r->status.MPI_ERROR = dwcp_status_to_class(st);
    }
    recv_finish(r);
}

/* Copy an eager payload into the receive buffer. */
static void deliver_data(dwcp_req_t *r, const void *data, size_t n)
{
    if (n == 0) {
        return;
    }
    if (r->dt->contig) {
        memcpy((char *)r->buf + r->dt->true_lb, data, n);
    } else {
        dwcp_dt_unpack(data, n, r->buf, r->count, r->dt, 0);
    }
}

/*
 * Deliver a message (envelope @p hdr, payload either @p data or kept @p rx on @p ops) into
 * the matched receive @p r. Sends the synchronous-send ACK if asked.
 */
static void deliver(dwcp_req_t *r, const dwct_hdr_t *hdr, const void *data, dwct_rx_t *rx,
                    const dwct_ops_t *ops, dwct_iface_t *iface)
{
    size_t cap = r->count * r->dt->size;
    size_t len = hdr->len;
    size_t n = len <= cap ? len : cap;
    int err = len <= cap ? MPI_SUCCESS : MPI_ERR_TRUNCATE;

    dwcp_status_set(&r->status, hdr->crank, hdr->tag, n, err);
    r->match_seq = ++dwcp_p2p.match_counter;
    if (hdr->flags & DWCT_HDR_SYNC) {
        dwcp_send_ctrl((int)hdr->src, DWCT_MSG_ACK, hdr->sreq);
    }
    if (data != NULL || len == 0) {
        deliver_data(r, data, n);
        if (data == NULL && rx != NULL && ops != NULL) {
            ops->rx_release(iface, rx);
        }
        dwcp_req_complete(r);
        return;
    }
    /* Rendezvous (or kept) payload: pull it, straight into the user buffer when possible. */
    void *dst;
    if (r->dt->contig && len <= cap) {
        dst = (char *)r->buf + r->dt->true_lb;
    } else {
        r->tmp = malloc(len);
        if (r->tmp == NULL) {
            ops->rx_release(iface, rx);
            r->status.MPI_ERROR = MPI_ERR_NO_MEM;
            r->status.dwcp_count = 0;
            dwcp_req_complete(r);
            return;
        }
        r->tmp_len = n;
        dst = r->tmp;
    }
    r->comp.cb = recv_fetch_done;
    dwcs_status_t st = ops->rx_fetch(iface, rx, dst, len, &r->comp);
    if (st == DWCS_INPROGRESS) {
        return;
    }
    if (st != DWCS_OK) {
        r->status.MPI_ERROR = dwcp_status_to_class(st);
    }
    recv_finish(r);
}

void dwcp_umsg_deliver(dwcp_umsg_t *m, dwcp_req_t *r)
{
    if (m->data != NULL || m->hdr.len == 0) {
        deliver(r, &m->hdr, m->data, NULL, NULL, NULL);
    } else if (m->rx.data != NULL) {
        /* kept eager payload: copy, then release */
        deliver(r, &m->hdr, m->rx.data, NULL, NULL, NULL);
        m->ops->rx_release(m->iface, &m->rx);
    } else {
        deliver(r, &m->hdr, NULL, &m->rx, m->ops, m->iface);
    }
    umsg_put(m);
}

/* ---- Arrival ------------------------------------------------------------------------------ */

/* Which transport delivered: rx callbacks get the peer's transport via dwcp_g.peers[src]. */
static dwct_rx_action_t arrive(const dwct_hdr_t *hdr, dwct_rx_t *rx, dwcp_umsg_t *stashed)
{
    dwcp_peer_t *p = dwcp_peer((int)hdr->src);
    dwcp_req_t *r;
    DWCS_TRACE("arrive: from %u (comm rank %d) ctx %u tag %d seq %llu len %llu", hdr->src,
               hdr->crank, hdr->ctx, hdr->tag, (unsigned long long)hdr->seq,
               (unsigned long long)hdr->len);
    for (r = dwcp_p2p.posted_head; r != NULL; r = r->next) {
        if (dwcp_match(r, hdr->ctx, hdr->crank, hdr->tag)) {
            posted_remove(r);
            if (stashed != NULL) {
                dwcp_umsg_deliver(stashed, r);
                return DWCT_RX_DONE;
            }
            if (rx->data != NULL || hdr->len == 0) {
                deliver(r, hdr, rx->data, NULL, NULL, NULL);
                return DWCT_RX_DONE;
            }
            deliver(r, hdr, NULL, rx, p->ops, p->iface);
            return DWCT_RX_KEEP;
        }
    }
    if (stashed != NULL) {
        if (dwcp_p2p.finalizing) {
            dwcp_umsg_strip(stashed);
        }
        unexp_append(stashed);
        return DWCT_RX_DONE;
    }
    dwcp_umsg_t *m = umsg_new(hdr);
    if (m == NULL) {
        DWCS_ERROR("out of memory queueing an unexpected message from rank %u", hdr->src);
        return DWCT_RX_DONE;
    }
    if (dwcp_p2p.finalizing) {
        /* Nobody will receive it now: keep only the envelope (a cancel may still name it). */
        m->hdr.len = 0;
        unexp_append(m);
        return DWCT_RX_DONE;
    }
    if (rx->data != NULL && hdr->len > 0) {
        if (!umsg_copy(m, rx->data, hdr->len)) {
            DWCS_ERROR("out of memory queueing %zu bytes from rank %u", (size_t)hdr->len,
                       hdr->src);
            umsg_put(m);
            return DWCT_RX_DONE;
        }
        unexp_append(m);
        return DWCT_RX_DONE;
    }
    if (hdr->len > 0) {
        m->rx = *rx;
        m->ops = p->ops;
        m->iface = p->iface;
    }
    unexp_append(m);
    return hdr->len > 0 ? DWCT_RX_KEEP : DWCT_RX_DONE;
}

/* Stash an early message; keeps eager bytes by copying them. */
static dwct_rx_action_t stash(const dwct_hdr_t *hdr, dwct_rx_t *rx)
{
    dwcp_peer_t *p = dwcp_peer((int)hdr->src);
    dwcp_ooo_t *q = &dwcp_p2p.ooo[hdr->src];
    dwcp_umsg_t *m = umsg_new(hdr);
    dwct_rx_action_t act = DWCT_RX_DONE;
    if (m == NULL) {
        DWCS_ERROR("out of memory reordering a message from rank %u", hdr->src);
        return DWCT_RX_DONE;
    }
    if (rx->data != NULL && hdr->len > 0) {
        if (!umsg_copy(m, rx->data, hdr->len)) {
            DWCS_ERROR("out of memory reordering %zu bytes from rank %u", (size_t)hdr->len,
                       hdr->src);
            umsg_put(m);
            return DWCT_RX_DONE;
        }
    } else if (hdr->len > 0) {
        m->rx = *rx;
        m->ops = p->ops;
        m->iface = p->iface;
        act = DWCT_RX_KEEP;
    }
    dwcp_umsg_t **pp = &q->head;
    while (*pp != NULL && (*pp)->hdr.seq < hdr->seq) {
        pp = &(*pp)->next;
    }
    m->next = *pp;
    *pp = m;
    return act;
}

static void ack_arrived(const dwct_hdr_t *hdr)
{
    dwcp_req_t *r = (dwcp_req_t *)(uintptr_t)hdr->sreq;
    if (r != NULL && r->ack_wait && r->pending > 0) {
        r->ack_wait = 0;
        dwcp_send_pending_done(r);
    }
}

dwct_rx_action_t dwcp_p2p_rx(void *arg, const dwct_hdr_t *hdr, dwct_rx_t *rx)
{
    (void)arg;
    if ((int)hdr->src < 0 || (int)hdr->src >= dwcp_g.size) {
        DWCS_ERROR("dropping a message claiming to come from rank %u (job size %d)", hdr->src,
                   dwcp_g.size);
        return DWCT_RX_DONE;
    }
    switch (hdr->type) {
    case DWCT_MSG_P2P: break;
    case DWCT_MSG_ACK: ack_arrived(hdr); return DWCT_RX_DONE;
    case DWCT_MSG_CANCEL:
    case DWCT_MSG_CANCEL_REPLY: dwcp_cancel_rx(hdr); return DWCT_RX_DONE;
    default:
        if (dwcp_p2p_rx_other != NULL) {
            return dwcp_p2p_rx_other(hdr, rx);
        }
        DWCS_ERROR("dropping a message of unknown type %u from rank %u", hdr->type, hdr->src);
        return DWCT_RX_DONE;
    }
    dwcp_peer_t *p = dwcp_peer((int)hdr->src);
    if (hdr->seq != p->recv_seq) {
        if (hdr->seq < p->recv_seq) {
            DWCS_ERROR("dropping a duplicate message (seq %llu) from rank %u",
                       (unsigned long long)hdr->seq, hdr->src);
            return DWCT_RX_DONE;
        }
        return stash(hdr, rx);
    }
    /* A message its sender cancelled is dropped (DONE releases a rendezvous payload). */
    dwct_rx_action_t act = dwcp_cancel_check(hdr) ? DWCT_RX_DONE : arrive(hdr, rx, NULL);
    p->recv_seq++;
    /* Release stashed successors that are now in order. */
    dwcp_ooo_t *q = &dwcp_p2p.ooo[hdr->src];
    while (q->head != NULL && q->head->hdr.seq == p->recv_seq) {
        dwcp_umsg_t *m = q->head;
        q->head = m->next;
        m->next = NULL;
        if (dwcp_cancel_check(&m->hdr)) {
            dwcp_umsg_free(m);
        } else {
            arrive(&m->hdr, &m->rx, m);
        }
        p->recv_seq++;
    }
    return act;
}

/* ---- Posting receives --------------------------------------------------------------------- */

dwcs_status_t dwcp_p2p_irecv(void *buf, size_t count, dwcp_dt_t *dt, int src, int tag,
                             dwcp_comm_t *comm, uint32_t ctx, dwcp_req_t *r)
{
    r->kind = DWCP_REQ_RECV;
    r->buf = buf;
    r->count = count;
    r->dt = dt;
    r->peer = src;
    r->tag = tag;
    r->comm = comm;
    r->ctx = ctx;
    r->complete = 0;
    r->tmp = NULL;
    dwcp_dt_retain(dt);
    r->dt_held = 1;
    if (!r->comm_held) { /* the user may free comm while this is pending */
        comm->refcount++;
        r->comm_held = 1;
    }
    if (src == MPI_PROC_NULL) {
        dwcp_status_empty(&r->status);
        r->status.MPI_SOURCE = MPI_PROC_NULL;
        dwcp_req_complete(r);
        return DWCS_OK;
    }
    dwcp_umsg_t *m = dwcp_unexp_find(ctx, src, tag, 1);
    DWCS_TRACE("irecv: ctx %u src %d tag %d: %s", ctx, src, tag,
               m ? "matched an unexpected message" : "posted");
    if (m != NULL) {
        dwcp_umsg_deliver(m, r);
        return DWCS_OK;
    }
    r->post_seq = dwcp_p2p.post_counter++;
    r->next = NULL;
    r->prev = dwcp_p2p.posted_tail;
    if (dwcp_p2p.posted_tail) {
        dwcp_p2p.posted_tail->next = r;
    } else {
        dwcp_p2p.posted_head = r;
    }
    dwcp_p2p.posted_tail = r;
    return DWCS_OK;
}

int dwcp_p2p_cancel_recv(dwcp_req_t *r)
{
    dwcp_req_t *q;
    for (q = dwcp_p2p.posted_head; q != NULL; q = q->next) {
        if (q == r) {
            posted_remove(r);
            dwcp_status_empty(&r->status);
            r->status.dwcp_cancelled = 1;
            dwcp_req_complete(r);
            return 1;
        }
    }
    return 0;
}
