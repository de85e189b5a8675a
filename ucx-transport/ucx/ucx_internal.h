/*
 * ucx_internal.h — private state of the "ucx" transport plugin (UCP active messages + RMA).
 *
 * Structure of the plugin:
 *   ucx_iface.c  parameters, init/finalize, progress, flush, endpoints, the op pool and the
 *                deferred completion / receive queues, the ops table
 *   ucx_am.c     send/sendv, the active-message handler, rx_fetch/rx_release
 *   ucx_rma.c    mem_map/unmap, rkeys, put/get/atomic, rma_flush
 *
 * Callback discipline (dwct.h): upper-layer callbacks run only from progress(). Every UCX
 * completion callback therefore only records the status and queues the op; progress() drains
 * that queue. Active messages that UCX delivers while we are not inside progress() (e.g. from
 * ucp_am_send_nbx to our own rank over the UCT self transport, or from the worker progress
 * inside flush/finalize) are kept (UCS_INPROGRESS) and queued for the next progress().
 */
#ifndef DWCT_UCX_INTERNAL_H
#define DWCT_UCX_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <ucp/api/ucp.h>

#include "dwcs_params.h"
#include "dwct.h"

/** Active-message id used for every DWCT frame. */
#define DWCT_UCX_AM_ID 17

/** Key under which each rank publishes its UCP worker address. */
#define DWCT_UCX_ADDR_KEY "ucx.addr"

/** Key under which each rank publishes its process identity (dwct_ucx_proc_t). */
#define DWCT_UCX_PROC_KEY "ucx.proc"

/** Values of the ucx_err_mode parameter (see ucx_ep.c). */
enum { DWCT_UCX_ERR_AUTO = 0, DWCT_UCX_ERR_PEER = 1, DWCT_UCX_ERR_NONE = 2 };

/** A process's identity, published so peers can tell same-host peers and watch them. */
typedef struct dwct_ucx_proc {
    char boot_id[40]; /* /proc/sys/kernel/random/boot_id */
    char pidns[40];   /* readlink /proc/self/ns/pid */
    uint32_t pid;
    uint32_t pad;
    uint64_t starttime; /* field 22 of /proc/<pid>/stat (detects pid reuse) */
} dwct_ucx_proc_t;

/** iovec pieces kept inside an op without a separate allocation. */
#define DWCT_UCX_IOV_INLINE 8

/** The plugin's parameters (filled from dwct_ucx_param_table). */
typedef struct dwct_ucx_config {
    size_t rndv_thresh;       /* force UCX rendezvous at or above this size; 0: UCX decides */
    size_t eager_max;         /* force the eager protocol at or below this size; 0: UCX decides */
    char *tls;                /* UCX_TLS for our context, "" to leave UCX's choice */
    int progress_loops;       /* max ucp_worker_progress calls per progress() */
    double close_timeout;     /* bound on endpoint close and flush in finalize (seconds) */
    int err_mode;             /* DWCT_UCX_ERR_* */
    double liveness_interval; /* seconds between checks of same-host peers */
} dwct_ucx_config_t;

/** State of the connection to one peer. */
typedef enum dwct_ucx_peer_state {
    DWCT_UCX_PEER_NONE = 0,   /* no endpoint yet */
    DWCT_UCX_PEER_OK = 1,     /* endpoint created */
    DWCT_UCX_PEER_FAILED = 2, /* error handler fired: every operation fails with PEER_FAILED */
} dwct_ucx_peer_state_t;

struct dwct_iface;

/** One peer's endpoint. */
typedef struct dwct_ucx_peer {
    struct dwct_iface *iface;
    int rank;
    dwct_ucx_peer_state_t state;
    ucp_ep_h ep;
    ucs_status_t fail_status; /* what the error handler reported */
    int err_peer;             /* endpoint created with UCP_ERR_HANDLING_MODE_PEER */
    int watch;                /* same-host peer: liveness checked through /proc */
    pid_t pid;
    uint64_t starttime;
} dwct_ucx_peer_t;

/** What an op is for (decides what its completion does). */
typedef enum dwct_ucx_op_kind {
    DWCT_UCX_OP_SEND,     /* AM send: comp->cb on completion */
    DWCT_UCX_OP_FETCH,    /* rendezvous receive: comp->cb */
    DWCT_UCX_OP_RMA,      /* put/get/flush: comp->cb */
    DWCT_UCX_OP_ATOMIC,   /* atomic: copy the fetched value to result, then comp->cb */
    DWCT_UCX_OP_INTERNAL, /* flush/close waited for by the plugin itself; no comp */
} dwct_ucx_op_kind_t;

/**
 * Per-operation state. UCX gets it as a user-provided request (UCP_OP_ATTR_FIELD_REQUEST):
 * the ucp request lives in the req_size bytes just before it, so no UCX allocation happens
 * and the AM header copy stays valid until completion (UCX 1.13 reads it until then).
 */
typedef struct dwct_ucx_op {
    struct dwct_ucx_op *next;     /* free list or completion queue */
    struct dwct_ucx_op *all_next; /* every op ever allocated (freed at finalize) */
    struct dwct_ucx_op *iprev;    /* in-flight list (ops UCX still owns, with a peer) */
    struct dwct_ucx_op *inext;
    int inflight;  /* linked in the in-flight list */
    int abandoned; /* peer failed: upper completion given by us, not UCX */
    int ucx_done;  /* abandoned op: UCX has called back (memory is ours) */
    dwct_ucx_op_kind_t kind;
    int peer;            /* world rank or -1 */
    int done;            /* set by the UCX callback */
    ucs_status_t status; /* set by the UCX callback */
    dwct_comp_t *comp;   /* upper completion (NULL for internal ops) */
    void *result;        /* atomic: where to store the old value */
    size_t result_size;  /* atomic: 4 or 8 */
    uint64_t operand;    /* atomic operand (must stay valid until completion) */
    uint64_t reply;      /* atomic reply buffer (CSWAP: in = new value) */
    ucp_dt_iov_t *iov;   /* sendv: the pieces (inline or malloc'd) */
    ucp_dt_iov_t iov_inline[DWCT_UCX_IOV_INLINE];
    dwct_hdr_t hdr; /* AM header copy */
} dwct_ucx_op_t;

/** Kinds of received payload (see ucx_am.c). */
typedef enum dwct_ucx_rx_kind {
    DWCT_UCX_RX_EMPTY, /* zero bytes */
    DWCT_UCX_RX_UCX,   /* eager data kept by UCX (persistent), release with ucp_am_data_release */
    DWCT_UCX_RX_COPY,  /* our malloc'd copy (dwct_ucx_copy_t) */
    DWCT_UCX_RX_RNDV,  /* rendezvous descriptor: pull with ucp_am_recv_data_nbx */
} dwct_ucx_rx_kind_t;

/** A message received outside progress(), waiting for delivery. */
typedef struct dwct_ucx_pending_rx {
    struct dwct_ucx_pending_rx *next;
    dwct_hdr_t hdr;
    dwct_ucx_rx_kind_t kind;
    void *data; /* payload (UCX / COPY: the dwct_ucx_copy_t) or rendezvous descriptor */
    size_t len;
} dwct_ucx_pending_rx_t;

/** Header of our own payload copies (data follows). */
typedef struct dwct_ucx_copy {
    uint64_t magic;
    size_t len;
} dwct_ucx_copy_t;
#define DWCT_UCX_COPY_MAGIC 0x6477637563707921ull

/** The transport instance. */
struct dwct_iface {
    dwct_ucx_config_t cfg;
    int rank;
    int size;
    const dwct_bootstrap_t *bootstrap;
    dwct_rx_cb_t rx_cb;
    void *rx_arg;

    ucp_context_h context;
    ucp_worker_h worker;
    size_t req_size; /* bytes reserved in front of each op for the ucp request */
    dwct_ucx_peer_t *peers;

    /* op pool */
    dwct_ucx_op_t *op_free;
    dwct_ucx_op_t *op_all;
    size_t op_count;

    /* ops UCX still owns that belong to a peer (failed over if the peer dies) */
    dwct_ucx_op_t *inflight_head;
    int failed_pending; /* a peer failed: abandon its ops, close its endpoint */

    /* completed ops waiting for progress() to run comp->cb */
    dwct_ucx_op_t *done_head;
    dwct_ucx_op_t **done_tail;

    /* messages received outside progress(), in arrival order */
    dwct_ucx_pending_rx_t *rxq_head;
    dwct_ucx_pending_rx_t **rxq_tail;

    dwct_ucx_proc_t proc; /* our identity */
    double next_liveness; /* when dwct_ucx_peers_check looks next */

    int deliver_ok;       /* 1 while an AM may be handed to rx_cb directly */
    const void *cur_desc; /* desc of the message being handed to rx_cb right now */
    int cur_consumed;     /* rx_fetch/rx_release was called on cur_desc inside rx_cb */
};

/** Registered memory. */
struct dwct_mem {
    ucp_mem_h memh;
};

/** Unpacked remote key. */
struct dwct_rkey {
    ucp_rkey_h rkey;
    int peer;
};

/* ---- ucx_iface.c ------------------------------------------------------------------------- */

/** Map a UCX status to ours (remote-side failures become DWCS_ERR_PEER_FAILED). */
dwcs_status_t dwct_ucx_status(ucs_status_t st);

/* ---- ucx_ep.c ---------------------------------------------------------------------------- */

/** Endpoint to @p peer, created on first use. Sets *st and returns NULL on failure. */
ucp_ep_h dwct_ucx_ep_get(dwct_iface_t *iface, int peer, dwcs_status_t *st);

/** Fill our process identity. */
dwcs_status_t dwct_ucx_proc_self(dwct_ucx_proc_t *proc);

/** Close every endpoint (flush mode, bounded; force for failed peers). */
void dwct_ucx_eps_close(dwct_iface_t *iface);

/** From progress(): liveness of watched peers, force-close endpoints of failed ones. */
void dwct_ucx_peers_check(dwct_iface_t *iface);

/** Take an op from the pool (NULL if out of memory). */
dwct_ucx_op_t *dwct_ucx_op_get(dwct_iface_t *iface, dwct_ucx_op_kind_t kind, int peer,
                               dwct_comp_t *comp);

/** Return an op to the pool. */
void dwct_ucx_op_put(dwct_iface_t *iface, dwct_ucx_op_t *op);

/** Fill @p param for an op-backed request with a send-type callback. */
void dwct_ucx_param_send(ucp_request_param_t *param, dwct_iface_t *iface, dwct_ucx_op_t *op);

/**
 * Finish an nbx call that used @p op: NULL → DWCS_OK (op returned to the pool), error →
 * mapped status (op returned), request → DWCS_INPROGRESS (completion via progress()).
 */
dwcs_status_t dwct_ucx_op_started(dwct_iface_t *iface, dwct_ucx_op_t *op, ucs_status_ptr_t sp);

/** UCX completion callbacks (record + queue). */
void dwct_ucx_send_cb(void *request, ucs_status_t status, void *user_data);
void dwct_ucx_recv_am_cb(void *request, ucs_status_t status, size_t length, void *user_data);

/** Complete every in-flight op of @p peer with DWCS_ERR_PEER_FAILED (from progress()). */
void dwct_ucx_ops_abandon(dwct_iface_t *iface, int peer);

/** Wait (bounded, worker progress only, no upper callbacks) for an internal op. */
dwcs_status_t dwct_ucx_op_wait(dwct_iface_t *iface, dwct_ucx_op_t *op, ucs_status_ptr_t sp,
                               double timeout_s);

/** Seconds from a monotonic clock. */
double dwct_ucx_now(void);

/* ---- ucx_am.c ---------------------------------------------------------------------------- */

/** The UCP AM receive handler registered for DWCT_UCX_AM_ID (arg = iface). */
ucs_status_t dwct_ucx_am_cb(void *arg, const void *header, size_t header_length, void *data,
                            size_t length, const ucp_am_recv_param_t *param);

/** Deliver queued messages to rx_cb (from progress()); returns how many. */
unsigned dwct_ucx_rxq_deliver(dwct_iface_t *iface);

/** Drop every queued message (finalize). */
void dwct_ucx_rxq_drop(dwct_iface_t *iface);

dwcs_status_t dwct_ucx_send(dwct_iface_t *iface, int peer, const dwct_hdr_t *hdr, const void *buf,
                            size_t len, dwct_comp_t *comp);
dwcs_status_t dwct_ucx_sendv(dwct_iface_t *iface, int peer, const dwct_hdr_t *hdr,
                             const struct iovec *iov, size_t iovcnt, dwct_comp_t *comp);
dwcs_status_t dwct_ucx_rx_fetch(dwct_iface_t *iface, dwct_rx_t *rx, void *buf, size_t len,
                                dwct_comp_t *comp);
void dwct_ucx_rx_release(dwct_iface_t *iface, dwct_rx_t *rx);

/* ---- ucx_rma.c --------------------------------------------------------------------------- */

dwcs_status_t dwct_ucx_mem_map(dwct_iface_t *iface, void *base, size_t len, dwct_mem_t **mem_p,
                               void **rkey_buf, size_t *rkey_len);
void dwct_ucx_mem_unmap(dwct_iface_t *iface, dwct_mem_t *mem);
dwcs_status_t dwct_ucx_rkey_unpack(dwct_iface_t *iface, int peer, const void *rkey_buf,
                                   size_t rkey_len, dwct_rkey_t **rkey_p);
void dwct_ucx_rkey_destroy(dwct_iface_t *iface, dwct_rkey_t *rkey);
dwcs_status_t dwct_ucx_put(dwct_iface_t *iface, int peer, const void *src, size_t len,
                           uint64_t raddr, dwct_rkey_t *rkey, dwct_comp_t *comp);
dwcs_status_t dwct_ucx_get(dwct_iface_t *iface, int peer, void *dst, size_t len, uint64_t raddr,
                           dwct_rkey_t *rkey, dwct_comp_t *comp);
dwcs_status_t dwct_ucx_atomic(dwct_iface_t *iface, int peer, dwct_atomic_op_t op, size_t size,
                              uint64_t value, uint64_t compare, void *result, uint64_t raddr,
                              dwct_rkey_t *rkey, dwct_comp_t *comp);
dwcs_status_t dwct_ucx_rma_flush(dwct_iface_t *iface, int peer, dwct_comp_t *comp);

#endif /* DWCT_UCX_INTERNAL_H */
