/*
 * p2p.h — the matching engine's private state (shared by the p2p/ files and the p2p bindings).
 *
 * One posted-receive queue and one unexpected-message queue for the process, both in order
 * (posting order / arrival order after per-peer sequence reordering), so wildcard receives see
 * every transport's arrivals in MPI's non-overtaking order.
 */
#ifndef DWCP_P2P_H
#define DWCP_P2P_H

#include "dwcp.h"

/** Eager payloads up to this size are kept inside the unexpected-message record. */
#define DWCP_UMSG_INLINE 64

/** A message that arrived before its receive was posted (or one taken by MPI_Mprobe). */
typedef struct dwcp_umsg {
    dwct_hdr_t hdr;
    void *data;                 /* eager payload copy (inl, or malloc'd) or NULL */
    dwct_rx_t rx;               /* kept transport payload when data == NULL and hdr.len > 0 */
    const dwct_ops_t *ops;      /* transport that holds rx */
    dwct_iface_t *iface;
    struct dwcp_umsg *next;
    struct dwcp_umsg *prev;
    int handle;                 /* MPI_Message handle when taken by Mprobe */
    _Alignas(16) unsigned char inl[DWCP_UMSG_INLINE]; /* small eager payloads */
} dwcp_umsg_t;

/** A peer's request to cancel a message that has not been delivered in order yet. */
typedef struct dwcp_pcancel {
    uint64_t seq;               /* the message's sequence number */
    uint64_t cookie;            /* the sender's request, echoed in the reply */
    struct dwcp_pcancel *next;
} dwcp_pcancel_t;

/** Per-peer stash of messages that arrived ahead of their sequence number. */
typedef struct dwcp_ooo {
    dwcp_umsg_t *head;          /* sorted by hdr.seq */
    dwcp_pcancel_t *cancels;    /* cancel requests for messages not delivered in order yet */
} dwcp_ooo_t;

typedef struct dwcp_p2p_state {
    dwcp_req_t *posted_head, *posted_tail;
    dwcp_umsg_t *unexp_head, *unexp_tail;
    dwcp_ooo_t *ooo;            /* per world rank */
    uint64_t post_counter;
    uint64_t match_counter;   /* last dwcp_req_t.match_seq given */
    dwcp_req_t *free_reqs;      /* request freelist */
    size_t n_active;            /* allocated requests */
    size_t n_detached;          /* requests freed by the user before completing */
    size_t n_cancels;           /* entries in all ooo[].cancels lists */
    int finalizing;             /* MPI_Finalize dropped the payloads of unreceived messages */
} dwcp_p2p_state_t;

extern dwcp_p2p_state_t dwcp_p2p;

/** Transport and instance used to reach world rank @p w. */
static inline dwcp_peer_t *dwcp_peer(int w)
{
    return &dwcp_g.peers[w];
}

/** Does a message with this envelope match receive @p r? */
static inline int dwcp_match(const dwcp_req_t *r, uint32_t ctx, int crank, int tag)
{
    return r->ctx == ctx && (r->peer == MPI_ANY_SOURCE || r->peer == crank) &&
           (r->tag == MPI_ANY_TAG || r->tag == tag);
}

/** Find (and optionally remove) the first unexpected message matching (ctx, src, tag). */
dwcp_umsg_t *dwcp_unexp_find(uint32_t ctx, int src, int tag, int remove);

/** Deliver unexpected message @p m into receive @p r (frees @p m). */
void dwcp_umsg_deliver(dwcp_umsg_t *m, dwcp_req_t *r);

/** Free an unexpected message without delivering it. */
void dwcp_umsg_free(dwcp_umsg_t *m);

/** Release the payload of @p m, keeping its envelope (with len 0): finalize. */
void dwcp_umsg_strip(dwcp_umsg_t *m);

/** Remove and return the unexpected message sequence @p seq from world rank @p src, or NULL. */
dwcp_umsg_t *dwcp_unexp_take_seq(int src, uint64_t seq);

/* Send cancellation (p2p/cancel.c). */

/** A DWCT_MSG_CANCEL or DWCT_MSG_CANCEL_REPLY arrived. */
void dwcp_cancel_rx(const dwct_hdr_t *hdr);

/**
 * Called for every message in sequence order before it is matched: 1 if its sender cancelled
 * it (it is answered and must be dropped), 0 otherwise.
 */
int dwcp_cancel_check(const dwct_hdr_t *hdr);

/** Free the pending cancel requests (finalize). */
void dwcp_cancel_finalize(void);

/** A sub-operation of send @p r finished (transport send, ACK, cancel reply). */
void dwcp_send_pending_done(dwcp_req_t *r);

/** Free the cache of unexpected-message records (finalize). */
void dwcp_umsg_pool_free(void);

/** Send a control message (ACK) with no payload. */
dwcs_status_t dwcp_send_ctrl(int world_dst, uint16_t type, uint64_t cookie);

/** Send a control message with no payload and the given aux and seq fields. */
dwcs_status_t dwcp_send_ctrl_ex(int world_dst, uint16_t type, uint32_t aux, uint64_t seq,
                                uint64_t cookie);

/** Fill @p st from a message envelope (count in bytes). */
static inline void dwcp_status_set(MPI_Status *st, int src, int tag, size_t bytes, int err)
{
    st->MPI_SOURCE = src;
    st->MPI_TAG = tag;
    st->MPI_ERROR = err;
    st->dwcp_count = (long long)bytes;
    st->dwcp_cancelled = 0;
}

/** The empty status (PROC_NULL receives, inactive requests). */
static inline void dwcp_status_empty(MPI_Status *st)
{
    dwcp_status_set(st, MPI_ANY_SOURCE, MPI_ANY_TAG, 0, MPI_SUCCESS);
}

/* Buffered-send buffer (p2p/bsend.c). */
int dwcp_bsend_attach(void *buf, size_t size);
int dwcp_bsend_detach(void **buf, size_t *size);
dwcs_status_t dwcp_bsend_start(const void *buf, size_t count, dwcp_dt_t *dt, int dst, int tag,
                               dwcp_comm_t *comm, dwcp_req_t *user_req);
void dwcp_bsend_finalize(void);
/**
 * A buffered send's message was cancelled: make @p user_req (one more pending sub-operation)
 * wait until the transport is done with the message's space in the attached buffer.
 * Returns 1 if it must wait, 0 if the space is already free.
 */
int dwcp_bsend_wait_space(dwcp_req_t *user_req);

/** Idle-aware spin: call between unsuccessful progress passes of a blocking wait. */
void dwcp_wait_idle(unsigned events, unsigned *idle);

#endif
