/*
 * rma_am.c — RMA frames: sending, per-origin ordering at the target, and the target handler
 * that applies operations.
 *
 * Frame payload of an operation (PUT/GET/ACC/GACC/CAS):
 *   rma_wire_t, then npieces rma_piece_t, then the origin data (packed, type-map order).
 * Pieces are relative to the target address (window base + disp, or disp itself on dynamic
 * windows): (offset, bytes) for PUT/GET, (offset, elements of wire.elem) for ACC/GACC/CAS.
 *
 * Ordering: request frames carry a per-(origin, target) sequence number in hdr->seq; the target
 * handles them strictly in that order, stashing early ones. A request whose payload must be
 * fetched (rendezvous) blocks later requests from the same origin until the fetch completes.
 * Replies (data, acks, grants) are not ordered: each is matched by its cookie or counter.
 *
 * A contiguous GET is answered straight from window memory (no copy). Such a reply may still
 * be read by the transport after its handler returned, so an UNLOCK or COMPLETE from the same
 * origin is held back (with the rest of that origin's stream) until those replies have left:
 * only then may the target or another origin change the memory.
 */
#include <stdlib.h>
#include <string.h>

#include "dwcp_rma.h"
#include "p2p.h"
#include "rma_wire.h"

/* ---- Per-origin-process receive state ----------------------------------------------------- */

typedef struct stash {
    dwct_hdr_t hdr;
    void *data;          /* copied eager payload, or NULL with kept rx */
    dwct_rx_t rx;
    struct stash *next;
} stash_t;

typedef struct rpeer {
    uint64_t send_seq;   /* next request sequence number to this process */
    uint64_t recv_seq;   /* next request sequence number expected from it */
    int busy;            /* a request's payload is being fetched, or the stream waits */
    stash_t *head;       /* early requests, sorted by seq */
    int zc_out;          /* replies to it sent straight from window memory, not yet done */
    int deferred;        /* an UNLOCK/COMPLETE from it waits for zc_out == 0 (in dhdr) */
    dwct_hdr_t dhdr;
} rpeer_t;

static rpeer_t *rpeers;

/* A payload fetch in progress (rendezvous request or reply). */
typedef struct rfetch {
    dwct_comp_t comp;
    dwct_hdr_t hdr;
    void *buf;
} rfetch_t;

/* A reply being sent (frees its staging buffer on completion). */
typedef struct rsend {
    dwct_comp_t comp;
    void *buf;
    int zc_src;          /* >= 0: a zero-copy reply to this process (rpeer.zc_out) */
} rsend_t;

static int handle_request(const dwct_hdr_t *hdr, const void *data);
static void handle_reply(const dwct_hdr_t *hdr, const void *data);
static void drain(int src);

dwcs_status_t dwcp_rma_send(dwcp_win_t *w, int target, int opcode, int tag, uint64_t cookie,
                            const struct iovec *iov, size_t iovcnt, size_t len,
                            dwct_comp_t *comp)
{
    int world = dwcp_comm_peer_world(w->comm, target);
    dwcp_peer_t *p = dwcp_peer(world);
    dwct_hdr_t h;
    memset(&h, 0, sizeof(h));
    h.type = DWCT_MSG_RMA;
    h.src = (uint32_t)dwcp_g.rank;
    h.ctx = w->id;
    h.tag = tag;
    h.crank = w->comm->rank;
    h.aux = (uint32_t)opcode;
    h.seq = opcode <= DWCP_RMA_REQ_LAST ? rpeers[world].send_seq++ : 0;
    h.len = len;
    h.sreq = cookie;
    dwcs_status_t st;
    if (iovcnt == 0 || len == 0) {
        st = p->ops->send(p->iface, world, &h, NULL, 0, comp);
    } else if (iovcnt == 1) {
        st = p->ops->send(p->iface, world, &h, iov[0].iov_base, iov[0].iov_len, comp);
    } else {
        st = p->ops->sendv(p->iface, world, &h, iov, iovcnt, comp);
    }
    if (st != DWCS_OK && st != DWCS_INPROGRESS) {
        DWCS_ERROR("RMA: cannot send operation %d to rank %d: %s", opcode, world,
                   dwcs_status_string(st));
    }
    return st;
}

static void rsend_done(dwct_comp_t *c, dwcs_status_t st)
{
    rsend_t *r = (rsend_t *)c;
    int src = r->zc_src;
    (void)st;
    free(r->buf);
    free(r);
    if (src >= 0 && --rpeers[src].zc_out == 0 && rpeers[src].deferred) {
        /* the origin's UNLOCK/COMPLETE waited for this data to leave: run it now */
        rpeer_t *rp = &rpeers[src];
        rp->deferred = 0;
        rp->busy = 0;
        if (handle_request(&rp->dhdr, NULL)) {
            rp->recv_seq++;
        }
        drain(src);
    }
}

/* Send a reply; @p buf (malloc'd, may be NULL) is freed once sent. */
static void reply_zc(dwcp_win_t *w, int rank, int opcode, int err, uint64_t cookie, void *buf,
                     const void *data, size_t len, int zc_src)
{
    rsend_t *r = calloc(1, sizeof(*r));
    if (r == NULL) {
        DWCS_ERROR("RMA: out of memory for a reply");
        free(buf);
        return;
    }
    r->comp.cb = rsend_done;
    r->buf = buf;
    r->zc_src = zc_src;
    if (zc_src >= 0) {
        rpeers[zc_src].zc_out++;
    }
    struct iovec iov = {(void *)data, len};
    dwcs_status_t st = dwcp_rma_send(w, rank, opcode, err, cookie, &iov, 1, len, &r->comp);
    if (st != DWCS_INPROGRESS) {
        rsend_done(&r->comp, st);
    }
}

static void reply(dwcp_win_t *w, int rank, int opcode, int err, uint64_t cookie, void *buf,
                  const void *data, size_t len)
{
    reply_zc(w, rank, opcode, err, cookie, buf, data, len, -1);
}

int dwcp_rma_send_ctrl(dwcp_win_t *w, int target, int opcode, int tag)
{
    /* a completion even for header-only frames: a transport may finish them later */
    rsend_t *r = calloc(1, sizeof(*r));
    if (r == NULL) {
        return MPI_ERR_NO_MEM;
    }
    r->comp.cb = rsend_done;
    r->zc_src = -1;
    dwcs_status_t st = dwcp_rma_send(w, target, opcode, tag, 0, NULL, 0, 0, &r->comp);
    if (st != DWCS_INPROGRESS) {
        rsend_done(&r->comp, st);
    }
    return st == DWCS_OK || st == DWCS_INPROGRESS ? MPI_SUCCESS : dwcp_status_to_class(st);
}

/* ---- Target: applying operations ------------------------------------------------------------ */

/* Is [addr, addr + len) inside the window's memory at this rank? */
static int in_window(dwcp_win_t *w, uintptr_t addr, size_t len)
{
    if (w->flavor == MPI_WIN_FLAVOR_DYNAMIC) {
        /* The range may span adjacent attached regions (MPICH test
         * rma/win_dynamic_rma_flush_get attaches two halves of one array and accesses both):
         * covered if each byte is in some region. Bounded: each step moves past one region. */
        uintptr_t end = addr + len;
        int steps = 0;
        while (addr < end) {
            dwcp_rma_region_t *r;
            for (r = w->regions; r != NULL; r = r->next) {
                if (addr >= r->base && addr < r->base + r->len) {
                    break;
                }
            }
            if (r == NULL || ++steps > 1000000) {
                return 0;
            }
            addr = r->base + r->len;
        }
        return 1;
    }
    uintptr_t b = (uintptr_t)w->base;
    return addr >= b && addr + len <= b + (uintptr_t)w->size;
}

/* Check every piece; returns 0 (and logs) if one leaves the window. */
static int pieces_ok(dwcp_win_t *w, uintptr_t tbase, const rma_piece_t *pc, uint32_t n,
                     size_t unit, size_t ext)
{
    uint32_t i;
    for (i = 0; i < n; i++) {
        size_t len = unit ? (size_t)(pc[i].len - 1) * ext + unit : (size_t)pc[i].len;
        if (pc[i].len == 0) {
            continue;
        }
        if (!in_window(w, tbase + (uintptr_t)pc[i].off, len)) {
            DWCS_ERROR("RMA: access of %zu bytes at %p is outside window memory", len,
                       (void *)(tbase + (uintptr_t)pc[i].off));
            return 0;
        }
    }
    return 1;
}

static void do_data_op(dwcp_win_t *w, const dwct_hdr_t *hdr, const void *data)
{
    const rma_wire_t *wi = data;
    const rma_piece_t *pc = (const rma_piece_t *)(wi + 1);
    const char *in = (const char *)(pc + wi->npieces);
    size_t inlen = (size_t)hdr->len - sizeof(*wi) - wi->npieces * sizeof(*pc);
    uintptr_t tbase = (w->flavor == MPI_WIN_FLAVOR_DYNAMIC ? 0 : (uintptr_t)w->base) +
                      (uintptr_t)wi->disp;
    int opc = (int)hdr->aux;
    uint32_t i;
    size_t pos = 0;

    if (opc == DWCP_RMA_PUT || opc == DWCP_RMA_GET) {
        if (!pieces_ok(w, tbase, pc, wi->npieces, 0, 0)) {
            if (opc == DWCP_RMA_GET) {
                reply(w, hdr->crank, DWCP_RMA_R_DATA, MPI_ERR_RMA_RANGE, hdr->sreq, NULL, NULL, 0);
            }
            return;
        }
        if (opc == DWCP_RMA_PUT) {
            for (i = 0; i < wi->npieces && pos < inlen; i++) {
                size_t n = (size_t)pc[i].len <= inlen - pos ? (size_t)pc[i].len : inlen - pos;
                memcpy((void *)(tbase + (uintptr_t)pc[i].off), in + pos, n);
                pos += n;
            }
            return;
        }
        if (wi->npieces == 1) {
            /* Straight from window memory, no copy. A large reply may be read (rendezvous)
             * after this handler returns, so the origin's next UNLOCK or COMPLETE waits until
             * it has left (see defer_release): until then neither this process nor another
             * origin may change the window (MPICH test rma/at_complete). */
            reply_zc(w, hdr->crank, DWCP_RMA_R_DATA, 0, hdr->sreq, NULL,
                     (void *)(tbase + (uintptr_t)pc[0].off), (size_t)wi->total, (int)hdr->src);
            return;
        }
        char *out = malloc(wi->total ? wi->total : 1);
        if (out == NULL) {
            reply(w, hdr->crank, DWCP_RMA_R_DATA, MPI_ERR_NO_MEM, hdr->sreq, NULL, NULL, 0);
            return;
        }
        for (i = 0; i < wi->npieces; i++) {
            memcpy(out + pos, (void *)(tbase + (uintptr_t)pc[i].off), (size_t)pc[i].len);
            pos += (size_t)pc[i].len;
        }
        reply(w, hdr->crank, DWCP_RMA_R_DATA, 0, hdr->sreq, out, out, pos);
        return;
    }

    /* Accumulates: element runs of builtin type wi->elem. */
    dwcp_dt_t *edt = dwcp_dt_get(wi->elem);
    dwcp_op_t *op = dwcp_op_get(wi->op);
    int fetch = opc == DWCP_RMA_GACC || opc == DWCP_RMA_CAS;
    if (edt == NULL || op == NULL ||
        !pieces_ok(w, tbase, pc, wi->npieces, edt->size, (size_t)edt->extent)) {
        DWCS_ERROR("RMA: dropping an accumulate from rank %d (bad type, op or range)",
                   (int)hdr->crank);
        if (fetch) {
            reply(w, hdr->crank, DWCP_RMA_R_DATA, MPI_ERR_RMA_RANGE, hdr->sreq, NULL, NULL, 0);
        }
        return;
    }
    size_t bsz = edt->size;
    char *out = NULL;
    if (fetch) {
        out = malloc(wi->total ? wi->total : 1);
        if (out == NULL) {
            reply(w, hdr->crank, DWCP_RMA_R_DATA, MPI_ERR_NO_MEM, hdr->sreq, NULL, NULL, 0);
            return;
        }
    }
    if (opc == DWCP_RMA_CAS) {
        void *t = (void *)(tbase + (uintptr_t)pc[0].off);
        memcpy(out, t, bsz);
        if (inlen >= 2 * bsz && memcmp(t, in + bsz, bsz) == 0) {
            memcpy(t, in, bsz);
        }
        reply(w, hdr->crank, DWCP_RMA_R_DATA, 0, hdr->sreq, out, out, bsz);
        return;
    }
    int noop = op->builtin && op->index == 14;
    char *native = NULL;
    int err = 0;
    for (i = 0; i < wi->npieces; i++) {
        size_t k = (size_t)pc[i].len, nb = k * bsz;
        void *t = (void *)(tbase + (uintptr_t)pc[i].off);
        if (fetch) {
            if (edt->contig) {
                memcpy(out + pos, t, nb);
            } else {
                dwcp_dt_pack(t, k, edt, 0, out + pos, nb);
            }
        }
        if (!noop && pos + nb <= inlen) {
            const void *src = in + pos;
            if (!edt->contig) {
                free(native);
                native = malloc(k * (size_t)edt->extent);
                if (native == NULL) {
                    err = MPI_ERR_NO_MEM;
                    break;
                }
                dwcp_dt_unpack(in + pos, nb, native, k, edt, 0);
                src = native;
            }
            int rc = dwcp_op_apply(op, src, t, k, edt);
            if (rc != MPI_SUCCESS) {
                err = rc;
            }
        }
        pos += nb;
    }
    free(native);
    if (err) {
        DWCS_ERROR("RMA: accumulate from rank %d failed (error class %d)", (int)hdr->crank, err);
    }
    if (fetch) {
        reply(w, hdr->crank, DWCP_RMA_R_DATA, err, hdr->sreq, out, out, pos);
    }
}

static int grantable(const dwcp_win_t *w, int type)
{
    return !w->lock_excl && (type != MPI_LOCK_EXCLUSIVE || w->lock_shared == 0);
}

static void take_lock(dwcp_win_t *w, int type)
{
    if (type == MPI_LOCK_EXCLUSIVE) {
        w->lock_excl = 1;
    } else {
        w->lock_shared++;
    }
}

/*
 * A lock request. Granted at once if possible (and nobody queues before it); otherwise queued
 * and the origin's request stream stops here (returns 0) until the grant: origins send their
 * operations right behind the request without waiting (lazy locking), and those must not be
 * applied before the lock is held.
 */
static int do_lock(dwcp_win_t *w, int rank, int src, int type)
{
    if (w->lockq_head == NULL && grantable(w, type)) {
        take_lock(w, type);
        reply(w, rank, DWCP_RMA_R_GRANT, 0, 0, NULL, NULL, 0);
        return 1;
    }
    dwcp_rma_lockq_t *q = calloc(1, sizeof(*q));
    if (q == NULL) {
        DWCS_ERROR("RMA: out of memory queueing a lock request");
        return 1;
    }
    q->rank = rank;
    q->src = src;
    q->type = type;
    if (w->lockq_tail) {
        w->lockq_tail->next = q;
    } else {
        w->lockq_head = q;
    }
    w->lockq_tail = q;
    rpeers[src].busy = 1;
    return 0;
}

void dwcp_rma_lock_grant(dwcp_win_t *w)
{
    while (w->lockq_head != NULL && grantable(w, w->lockq_head->type)) {
        dwcp_rma_lockq_t *q = w->lockq_head;
        w->lockq_head = q->next;
        if (w->lockq_head == NULL) {
            w->lockq_tail = NULL;
        }
        take_lock(w, q->type);
        reply(w, q->rank, DWCP_RMA_R_GRANT, 0, 0, NULL, NULL, 0);
        /* the origin's stream resumes after its lock request */
        int src = q->src;
        free(q);
        rpeers[src].busy = 0;
        rpeers[src].recv_seq++;
        drain(src);
    }
}

/*
 * An UNLOCK or COMPLETE ends the origin's right to the window; while zero-copy replies to it
 * are still being sent from window memory, hold it (and the origin's stream) back.
 * Returns 1 when deferred.
 */
static int defer_release(const dwct_hdr_t *hdr)
{
    rpeer_t *rp = &rpeers[hdr->src];
    if (rp->zc_out == 0) {
        return 0;
    }
    rp->deferred = 1;
    rp->dhdr = *hdr;
    rp->busy = 1;
    return 1;
}

/* Apply one in-order request. Returns 1 when done, 0 when the stream must wait (lock). */
static int handle_request(const dwct_hdr_t *hdr, const void *data)
{
    dwcp_win_t *w = dwcp_win_find(hdr->ctx);
    if (w == NULL || hdr->crank < 0 || hdr->crank >= w->comm->size) {
        DWCS_ERROR("RMA: dropping operation %u from rank %u for unknown window %u", hdr->aux,
                   hdr->src, hdr->ctx);
        return 1;
    }
    switch (hdr->aux) {
    case DWCP_RMA_PUT:
    case DWCP_RMA_GET:
    case DWCP_RMA_ACC:
    case DWCP_RMA_GACC:
    case DWCP_RMA_CAS:
        if (hdr->len < sizeof(rma_wire_t) ||
            hdr->len < sizeof(rma_wire_t) +
                           ((const rma_wire_t *)data)->npieces * sizeof(rma_piece_t)) {
            DWCS_ERROR("RMA: malformed operation from rank %u", hdr->src);
            return 1;
        }
        do_data_op(w, hdr, data);
        return 1;
    case DWCP_RMA_LOCK: return do_lock(w, hdr->crank, (int)hdr->src, hdr->tag);
    case DWCP_RMA_UNLOCK:
        if (defer_release(hdr)) {
            return 0;
        }
        if (hdr->tag == MPI_LOCK_EXCLUSIVE) {
            w->lock_excl = 0;
        } else if (hdr->tag == MPI_LOCK_SHARED && w->lock_shared > 0) {
            w->lock_shared--;
        }
        reply(w, hdr->crank, DWCP_RMA_R_ACK, 0, 0, NULL, NULL, 0);
        /* Grants resume other origins' streams (never this one: a stream with a queued lock
         * request delivers nothing behind it, so this origin has none queued). */
        dwcp_rma_lock_grant(w);
        return 1;
    case DWCP_RMA_FLUSH: reply(w, hdr->crank, DWCP_RMA_R_ACK, 0, 0, NULL, NULL, 0); return 1;
    case DWCP_RMA_POST: w->post_recv[hdr->crank]++; return 1;
    case DWCP_RMA_COMPLETE:
        if (defer_release(hdr)) {
            return 0;
        }
        w->complete_recv++;
        return 1;
    default:
        DWCS_ERROR("RMA: unknown operation %u from rank %u", hdr->aux, hdr->src);
        return 1;
    }
}

/* ---- Target: ordering ------------------------------------------------------------------------ */

static void req_fetch_done(dwct_comp_t *c, dwcs_status_t st)
{
    rfetch_t *f = (rfetch_t *)c;
    int src = (int)f->hdr.src;
    if (st == DWCS_OK) {
        handle_request(&f->hdr, f->buf);
    } else {
        DWCS_ERROR("RMA: fetching an operation's data from rank %d failed: %s", src,
                   dwcs_status_string(st));
    }
    free(f->buf);
    free(f);
    rpeers[src].busy = 0;
    rpeers[src].recv_seq++;
    drain(src);
}

/*
 * Handle the in-order request @p hdr whose payload is @p data, or (data NULL, len > 0) kept in
 * @p rx. Returns 1 if it completed now, 0 if its payload is being fetched (peer busy).
 */
static int run_request(const dwct_hdr_t *hdr, const void *data, dwct_rx_t *rx)
{
    if (data != NULL || hdr->len == 0) {
        return handle_request(hdr, data);
    }
    dwcp_peer_t *p = dwcp_peer((int)hdr->src);
    rfetch_t *f = calloc(1, sizeof(*f));
    void *buf = malloc(hdr->len);
    if (f == NULL || buf == NULL) {
        DWCS_ERROR("RMA: out of memory for a %llu-byte operation", (unsigned long long)hdr->len);
        free(f);
        free(buf);
        p->ops->rx_release(p->iface, rx);
        return 1;
    }
    f->comp.cb = req_fetch_done;
    f->hdr = *hdr;
    f->buf = buf;
    rpeers[hdr->src].busy = 1;
    dwcs_status_t st = p->ops->rx_fetch(p->iface, rx, buf, hdr->len, &f->comp);
    if (st == DWCS_INPROGRESS) {
        return 0;
    }
    rpeers[hdr->src].busy = 0;
    if (st == DWCS_OK) {
        handle_request(hdr, buf);
    } else {
        DWCS_ERROR("RMA: fetching an operation from rank %u failed: %s", hdr->src,
                   dwcs_status_string(st));
    }
    free(buf);
    free(f);
    return 1;
}

static void drain(int src)
{
    rpeer_t *rp = &rpeers[src];
    while (!rp->busy && rp->head != NULL && rp->head->hdr.seq == rp->recv_seq) {
        stash_t *s = rp->head;
        rp->head = s->next;
        if (s->data != NULL || s->hdr.len == 0) {
            if (handle_request(&s->hdr, s->data)) {
                rp->recv_seq++;
            }
        } else if (run_request(&s->hdr, NULL, &s->rx)) {
            rp->recv_seq++;
        }
        free(s->data);
        free(s);
    }
}

static dwct_rx_action_t stash_request(const dwct_hdr_t *hdr, dwct_rx_t *rx)
{
    rpeer_t *rp = &rpeers[hdr->src];
    stash_t *s = calloc(1, sizeof(*s));
    dwct_rx_action_t act = DWCT_RX_DONE;
    if (s == NULL) {
        DWCS_ERROR("RMA: out of memory reordering an operation from rank %u", hdr->src);
        return DWCT_RX_DONE;
    }
    s->hdr = *hdr;
    if (rx->data != NULL && hdr->len > 0) {
        s->data = malloc(hdr->len);
        if (s->data == NULL) {
            free(s);
            DWCS_ERROR("RMA: out of memory reordering an operation from rank %u", hdr->src);
            return DWCT_RX_DONE;
        }
        memcpy(s->data, rx->data, hdr->len);
    } else if (hdr->len > 0) {
        s->rx = *rx;
        act = DWCT_RX_KEEP;
    }
    stash_t **pp = &rp->head;
    while (*pp != NULL && (*pp)->hdr.seq < hdr->seq) {
        pp = &(*pp)->next;
    }
    s->next = *pp;
    *pp = s;
    return act;
}

/* ---- Origin: replies ------------------------------------------------------------------------- */

static void reply_fetch_done(dwct_comp_t *c, dwcs_status_t st)
{
    rfetch_t *f = (rfetch_t *)c;
    if (st != DWCS_OK) {
        DWCS_ERROR("RMA: fetching reply data failed: %s", dwcs_status_string(st));
        f->hdr.tag = MPI_ERR_OTHER;
    }
    handle_reply(&f->hdr, f->buf);
    free(f->buf);
    free(f);
}

extern void dwcp_rma_op_reply(uint64_t cookie, int err, const void *data, size_t len);

static void handle_reply(const dwct_hdr_t *hdr, const void *data)
{
    if (hdr->aux == DWCP_RMA_R_DATA) {
        dwcp_rma_op_reply(hdr->sreq, hdr->tag, data, (size_t)hdr->len);
        return;
    }
    dwcp_win_t *w = dwcp_win_find(hdr->ctx);
    if (w == NULL || hdr->crank < 0 || hdr->crank >= w->comm->size) {
        DWCS_ERROR("RMA: reply %u from rank %u for unknown window %u", hdr->aux, hdr->src,
                   hdr->ctx);
        return;
    }
    if (hdr->aux == DWCP_RMA_R_ACK) {
        w->ack_wait[hdr->crank]--;
    } else if (hdr->aux == DWCP_RMA_R_GRANT) {
        w->grant_wait[hdr->crank]--;
    }
}

static dwct_rx_action_t rx_reply(const dwct_hdr_t *hdr, dwct_rx_t *rx)
{
    if (rx->data != NULL || hdr->len == 0) {
        handle_reply(hdr, rx->data);
        return DWCT_RX_DONE;
    }
    dwcp_peer_t *p = dwcp_peer((int)hdr->src);
    rfetch_t *f = calloc(1, sizeof(*f));
    void *buf = malloc(hdr->len);
    if (f == NULL || buf == NULL) {
        free(f);
        free(buf);
        dwct_hdr_t h = *hdr;
        h.tag = MPI_ERR_NO_MEM;
        h.len = 0;
        handle_reply(&h, NULL);
        return DWCT_RX_DONE;
    }
    f->comp.cb = reply_fetch_done;
    f->hdr = *hdr;
    f->buf = buf;
    dwcs_status_t st = p->ops->rx_fetch(p->iface, rx, buf, hdr->len, &f->comp);
    if (st != DWCS_INPROGRESS) {
        reply_fetch_done(&f->comp, st);
    }
    return DWCT_RX_KEEP;
}

/* ---- Entry from the matching engine --------------------------------------------------------- */

static dwct_rx_action_t rma_rx(const dwct_hdr_t *hdr, dwct_rx_t *rx)
{
    if (hdr->type != DWCT_MSG_RMA) {
        DWCS_ERROR("dropping a message of unknown type %u from rank %u", hdr->type, hdr->src);
        return DWCT_RX_DONE;
    }
    if (rpeers == NULL) {
        DWCS_ERROR("RMA: operation from rank %u before any window exists here", hdr->src);
        return DWCT_RX_DONE;
    }
    if (hdr->aux > DWCP_RMA_REQ_LAST) {
        return rx_reply(hdr, rx);
    }
    rpeer_t *rp = &rpeers[hdr->src];
    if (hdr->seq < rp->recv_seq) {
        DWCS_ERROR("RMA: dropping a duplicate operation (seq %llu) from rank %u",
                   (unsigned long long)hdr->seq, hdr->src);
        return DWCT_RX_DONE;
    }
    if (hdr->seq != rp->recv_seq || rp->busy) {
        return stash_request(hdr, rx);
    }
    if (rx->data != NULL || hdr->len == 0) {
        if (handle_request(hdr, rx->data)) {
            rp->recv_seq++;
            drain((int)hdr->src);
        }
        return DWCT_RX_DONE;
    }
    if (run_request(hdr, NULL, rx)) {
        rp->recv_seq++;
        drain((int)hdr->src);
    }
    return DWCT_RX_KEEP;
}

void dwcp_rma_module_init(void)
{
    if (rpeers == NULL) {
        rpeers = calloc((size_t)dwcp_g.size, sizeof(*rpeers));
        if (rpeers == NULL) {
            DWCS_ERROR("RMA: out of memory for per-rank state");
            return;
        }
    }
    dwcp_p2p_rx_other = rma_rx;
}
