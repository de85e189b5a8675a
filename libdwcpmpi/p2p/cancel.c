/*
 * Cancelling sends (MPI 3.1 3.8.4): a request/reply with the receiver.
 *
 * MPI_Cancel of an active send sends DWCT_MSG_CANCEL naming the message by (sender's world
 * rank, per-peer sequence number) to the destination, with the send request as the cookie, and
 * adds the reply to the request's pending sub-operations, so MPI_Wait/Test return once the
 * receiver has answered (any MPI call there makes progress, MPI_Finalize included).
 *
 * The receiver answers from its progress engine:
 *   - the message was delivered in order and still sits unmatched in the unexpected queue: it is
 *     removed and its payload released (a kept rendezvous payload completes the sender's
 *     transport send: UCX drops it and completes the sender, AMST discards the chunks and still
 *     acknowledges the message, self frees its copy) — reply "cancelled";
 *   - it was delivered in order and matched (by a receive or taken by MPI_Mprobe) — reply "not
 *     cancelled": the send completes normally;
 *   - it has not been delivered in order yet (still in flight or in the out-of-order stash): the
 *     request is remembered and the message is dropped when its turn comes (the per-peer
 *     sequence still advances past it) — reply "cancelled" then.
 * Either way the message is received by nobody or the send completes normally, never both.
 */
#include <stdlib.h>

#include "p2p.h"

dwcs_status_t dwcp_p2p_cancel_send(dwcp_req_t *r)
{
    if (r->kind != DWCP_REQ_SEND || r->msg_dst < 0 || r->cancel_state != DWCP_CANCEL_NONE) {
        return DWCS_OK;
    }
    dwcs_status_t st =
        dwcp_send_ctrl_ex(r->msg_dst, DWCT_MSG_CANCEL, 0, r->msg_seq, (uint64_t)(uintptr_t)r);
    if (st != DWCS_OK) {
        return st;
    }
    DWCS_TRACE("cancel: asked rank %d to cancel message %llu", r->msg_dst,
               (unsigned long long)r->msg_seq);
    r->cancel_state = DWCP_CANCEL_ASKED;
    r->pending++;
    r->complete = 0;
    return DWCS_OK;
}

/* The receiver's answer to our cancel request. */
static void reply_arrived(const dwct_hdr_t *hdr)
{
    dwcp_req_t *r = (dwcp_req_t *)(uintptr_t)hdr->sreq;
    if (r == NULL || r->cancel_state != DWCP_CANCEL_ASKED || r->pending <= 0) {
        DWCS_ERROR("dropping a cancel reply from rank %u for no pending cancellation", hdr->src);
        return;
    }
    r->cancel_state = DWCP_CANCEL_DONE;
    DWCS_TRACE("cancel: rank %u %s message %llu", hdr->src,
               hdr->aux ? "cancelled" : "had already received", (unsigned long long)hdr->seq);
    if (hdr->aux) {
        r->status.dwcp_cancelled = 1;
        if (r->ack_wait) {
            r->ack_wait = 0; /* nobody will acknowledge a cancelled synchronous send */
            r->pending--;
        }
        if (r->buffered) {
            dwcp_bsend_wait_space(r); /* complete once its attached-buffer space is free */
        }
    }
    dwcp_send_pending_done(r);
}

static void reply(int src, uint64_t seq, uint64_t cookie, int cancelled)
{
    dwcp_send_ctrl_ex(src, DWCT_MSG_CANCEL_REPLY, cancelled ? 1u : 0u, seq, cookie);
}

/* A sender asks us to cancel its message hdr->seq. */
static void request_arrived(const dwct_hdr_t *hdr)
{
    int src = (int)hdr->src;
    dwcp_peer_t *p = dwcp_peer(src);
    if (hdr->seq < p->recv_seq) {
        /* Delivered in order: cancellable only while nothing has matched it. */
        dwcp_umsg_t *m = dwcp_unexp_take_seq(src, hdr->seq);
        if (m != NULL) {
            dwcp_umsg_free(m);
        }
        reply(src, hdr->seq, hdr->sreq, m != NULL);
        return;
    }
    dwcp_pcancel_t *c = malloc(sizeof(*c));
    if (c == NULL) {
        DWCS_ERROR("out of memory recording a cancel request of rank %d; the message will be "
                   "delivered",
                   src);
        reply(src, hdr->seq, hdr->sreq, 0);
        return;
    }
    c->seq = hdr->seq;
    c->cookie = hdr->sreq;
    c->next = dwcp_p2p.ooo[src].cancels;
    dwcp_p2p.ooo[src].cancels = c;
    dwcp_p2p.n_cancels++;
}

void dwcp_cancel_rx(const dwct_hdr_t *hdr)
{
    if (hdr->type == DWCT_MSG_CANCEL) {
        request_arrived(hdr);
    } else {
        reply_arrived(hdr);
    }
}

int dwcp_cancel_check(const dwct_hdr_t *hdr)
{
    if (dwcp_p2p.n_cancels == 0) {
        return 0;
    }
    dwcp_pcancel_t **pp = &dwcp_p2p.ooo[hdr->src].cancels;
    for (; *pp != NULL; pp = &(*pp)->next) {
        dwcp_pcancel_t *c = *pp;
        if (c->seq == hdr->seq) {
            *pp = c->next;
            dwcp_p2p.n_cancels--;
            reply((int)hdr->src, c->seq, c->cookie, 1);
            free(c);
            return 1;
        }
    }
    return 0;
}

void dwcp_cancel_finalize(void)
{
    int i;
    for (i = 0; dwcp_p2p.ooo != NULL && i < dwcp_g.size; i++) {
        while (dwcp_p2p.ooo[i].cancels != NULL) {
            dwcp_pcancel_t *c = dwcp_p2p.ooo[i].cancels;
            dwcp_p2p.ooo[i].cancels = c->next;
            free(c);
        }
    }
    dwcp_p2p.n_cancels = 0;
}
