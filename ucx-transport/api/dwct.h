/*
 * dwct.h — the transport interface of DWCP-MPI.
 *
 * A transport moves framed messages between ranks of one job; it does no MPI matching. The MPI
 * layer (libdwcpmpi) owns matching, ordering (every message carries a per-peer sequence number
 * that the MPI layer assigns and checks) and datatypes. Each transport is a flat ops table
 * (dwct_ops_t) with no NULL slots: an unsupported operation is a function returning
 * DWCS_ERR_UNSUPPORTED. Plugins: "self" (same process), "ucx" (UCP active messages and RMA,
 * intra-site), "amst" (adaptive multi-stream TCP, inter-site; "tcp1" is AMST with one plain
 * stream, the benchmark baseline).
 *
 * Threading: a transport instance is used by one thread at a time (the MPI layer serialises).
 * Callbacks (rx and completions) run only from inside ops->progress(), never from inside
 * send/fetch, so the MPI layer is not re-entered.
 */
#ifndef DWCT_H
#define DWCT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "dwcs_status.h"

/* ---- Frames ------------------------------------------------------------------------------- */

/** Message types carried in dwct_hdr_t.type (owned by the MPI layer; transports pass them on). */
enum {
    DWCT_MSG_P2P = 1,   /* matched point-to-point message */
    DWCT_MSG_ACK = 2,   /* synchronous-send acknowledgement (sreq echoes the sender cookie) */
    DWCT_MSG_RMA = 3,   /* one-sided operation carried as an active message */
    DWCT_MSG_CTRL = 4,  /* other control traffic of the MPI layer */
    DWCT_MSG_CANCEL = 5, /* cancel the sender's message hdr.seq (sreq: the sender's cookie) */
    DWCT_MSG_CANCEL_REPLY = 6, /* answer to CANCEL: aux 1 cancelled, 0 already received */
};

/** Flags in dwct_hdr_t.flags. */
#define DWCT_HDR_SYNC 0x1u /* receiver must answer with DWCT_MSG_ACK when matched */

/**
 * The envelope every transport carries in front of a payload (48 bytes, host byte order;
 * transports that cross hosts of different endianness convert it on the wire).
 */
typedef struct dwct_hdr {
    uint16_t type;   /* DWCT_MSG_* */
    uint16_t flags;  /* DWCT_HDR_* */
    uint32_t src;    /* sender's rank in the job (world rank): the peer for ordering and replies */
    uint32_t ctx;    /* communicator context id */
    int32_t tag;     /* MPI tag */
    int32_t crank;   /* sender's rank in the communicator (what MPI_SOURCE reports) */
    uint32_t aux;    /* type-specific (e.g. RMA operation code); 0 for P2P */
    uint64_t seq;    /* per (sender, receiver) sequence number, from 0, assigned by the MPI layer */
    uint64_t len;    /* payload length in bytes */
    uint64_t sreq;   /* sender's cookie (for acks and RMA replies) */
} dwct_hdr_t;

/**
 * A received message's payload, as handed to the rx callback.
 * If @c data is non-NULL the bytes are here and valid until the callback returns (or, if the
 * callback returns DWCT_RX_KEEP, until rx_fetch/rx_release). If @c data is NULL the payload is
 * still remote (rendezvous) and must be pulled with rx_fetch.
 */
typedef struct dwct_rx {
    const void *data; /* payload or NULL (rendezvous) */
    size_t len;       /* payload length (== hdr->len) */
    void *desc;       /* transport-private; pass back to rx_fetch / rx_release */
} dwct_rx_t;

/** What the rx callback did with the payload. */
typedef enum dwct_rx_action {
    DWCT_RX_DONE = 0, /* consumed (copied or not needed): the transport may free it */
    DWCT_RX_KEEP = 1, /* kept: the MPI layer will call rx_fetch or rx_release exactly once */
} dwct_rx_action_t;

/** Completion of an operation that returned DWCS_INPROGRESS. */
typedef struct dwct_comp dwct_comp_t;
struct dwct_comp {
    void (*cb)(dwct_comp_t *self, dwcs_status_t status);
};

/**
 * Receive callback: a message arrived from rank hdr->src. @p rx describes its payload.
 * Must not call back into the same transport's progress.
 */
typedef dwct_rx_action_t (*dwct_rx_cb_t)(void *arg, const dwct_hdr_t *hdr, dwct_rx_t *rx);

/* ---- Bootstrap services the MPI layer hands to a transport -------------------------------- */

/** Key/value exchange through PMIx (or the singleton store). */
typedef struct dwct_bootstrap {
    void *arg;
    /** Publish @p len bytes under @p key for the other ranks (visible after the next fence). */
    dwcs_status_t (*publish)(void *arg, const char *key, const void *val, size_t len);
    /** Fetch rank @p peer's value of @p key; *val is malloc'd, caller frees. */
    dwcs_status_t (*lookup)(void *arg, int peer, const char *key, void **val, size_t *len);
} dwct_bootstrap_t;

/** Everything a transport needs to start. */
typedef struct dwct_init_params {
    int rank;                 /* this process's world rank */
    int size;                 /* world size */
    const int *site_of;       /* site index of each world rank (size entries) */
    const char *const *site_names; /* name of each site index */
    int nsites;
    const dwct_bootstrap_t *bootstrap;
    const char *variant;      /* plugin variant, e.g. "tcp1" (AMST as one plain stream); or NULL */
    int threaded;             /* calls may come from several threads, one at a time */
    dwct_rx_cb_t rx_cb;       /* called from progress() for every arriving message */
    void *rx_arg;
} dwct_init_params_t;

typedef struct dwct_iface dwct_iface_t; /* a transport instance; each plugin defines it */
typedef struct dwct_mem dwct_mem_t;     /* a registered memory region */
typedef struct dwct_rkey dwct_rkey_t;   /* an unpacked remote key */

/** Atomic operations for ops->atomic. */
typedef enum dwct_atomic_op {
    DWCT_ATOMIC_ADD,
    DWCT_ATOMIC_AND,
    DWCT_ATOMIC_OR,
    DWCT_ATOMIC_XOR,
    DWCT_ATOMIC_SWAP,
    DWCT_ATOMIC_CSWAP,
} dwct_atomic_op_t;

/* ---- The ops table ------------------------------------------------------------------------ */

typedef struct dwct_ops {
    /** Plugin name ("self", "ucx", "amst"). */
    const char *name;

    /**
     * Create an instance. Publishes its address through params->bootstrap (before the MPI
     * layer's fence); connections to peers are made lazily on first use, looking their
     * addresses up then. Returns DWCS_OK and sets *iface_p, or an error (logged).
     */
    dwcs_status_t (*init)(const dwct_init_params_t *params, dwct_iface_t **iface_p);

    /**
     * Send @p hdr + @p len bytes at @p buf to world rank @p peer. Returns DWCS_OK if @p buf
     * may be reused now (comp not called), DWCS_INPROGRESS if comp->cb will be called from
     * progress() once it may, or an error. Messages to one peer are delivered at most once;
     * the MPI layer restores order by hdr->seq.
     */
    dwcs_status_t (*send)(dwct_iface_t *iface, int peer, const dwct_hdr_t *hdr, const void *buf,
                          size_t len, dwct_comp_t *comp);

    /** As send, with the payload gathered from @p iovcnt pieces (total hdr->len bytes). */
    dwcs_status_t (*sendv)(dwct_iface_t *iface, int peer, const dwct_hdr_t *hdr,
                           const struct iovec *iov, size_t iovcnt, dwct_comp_t *comp);

    /**
     * Deliver a kept payload (rx->desc) into @p buf (@p len == rx->len). Returns DWCS_OK when
     * done now, DWCS_INPROGRESS when comp->cb follows, or an error. Releases rx->desc.
     */
    dwcs_status_t (*rx_fetch)(dwct_iface_t *iface, dwct_rx_t *rx, void *buf, size_t len,
                              dwct_comp_t *comp);

    /** Drop a kept payload without delivering it. */
    void (*rx_release)(dwct_iface_t *iface, dwct_rx_t *rx);

    /** Make progress; runs callbacks. Returns the number of events handled (0 if idle). */
    unsigned (*progress)(dwct_iface_t *iface);

    /**
     * Complete every outstanding send to every peer (bounded by @p timeout_s seconds),
     * e.g. before the MPI layer's finalize fence. DWCS_ERR_TIMEOUT if not done in time.
     */
    dwcs_status_t (*flush)(dwct_iface_t *iface, double timeout_s);

    /** Close connections and free the instance. NULL is a no-op. */
    void (*finalize)(dwct_iface_t *iface);

    /* -- One-sided (RMA). Transports without RMA return DWCS_ERR_UNSUPPORTED; the MPI layer
     *    then carries RMA as DWCT_MSG_RMA active messages over send(). -- */

    /** Register [base, base+len) for remote access; *rkey_buf (malloc'd) is sent to peers. */
    dwcs_status_t (*mem_map)(dwct_iface_t *iface, void *base, size_t len, dwct_mem_t **mem_p,
                             void **rkey_buf, size_t *rkey_len);
    /** Unregister. NULL is a no-op. */
    void (*mem_unmap)(dwct_iface_t *iface, dwct_mem_t *mem);
    /** Unpack a peer's rkey buffer for use with put/get/atomic. */
    dwcs_status_t (*rkey_unpack)(dwct_iface_t *iface, int peer, const void *rkey_buf,
                                 size_t rkey_len, dwct_rkey_t **rkey_p);
    /** Free an unpacked rkey. NULL is a no-op. */
    void (*rkey_destroy)(dwct_iface_t *iface, dwct_rkey_t *rkey);
    /** Write @p len bytes from @p src to the peer's @p raddr. Completion as for send. */
    dwcs_status_t (*put)(dwct_iface_t *iface, int peer, const void *src, size_t len,
                         uint64_t raddr, dwct_rkey_t *rkey, dwct_comp_t *comp);
    /** Read @p len bytes at the peer's @p raddr into @p dst. */
    dwcs_status_t (*get)(dwct_iface_t *iface, int peer, void *dst, size_t len, uint64_t raddr,
                         dwct_rkey_t *rkey, dwct_comp_t *comp);
    /**
     * Atomic on a 4- or 8-byte word at @p raddr: operand @p value (and @p compare for CSWAP);
     * if @p result is non-NULL the old value is stored there on completion.
     */
    dwcs_status_t (*atomic)(dwct_iface_t *iface, int peer, dwct_atomic_op_t op, size_t size,
                            uint64_t value, uint64_t compare, void *result, uint64_t raddr,
                            dwct_rkey_t *rkey, dwct_comp_t *comp);
    /** Complete (remotely) every put/get/atomic issued to @p peer (-1: all peers). */
    dwcs_status_t (*rma_flush)(dwct_iface_t *iface, int peer, dwct_comp_t *comp);
} dwct_ops_t;

/** The built-in plugins. */
extern const dwct_ops_t dwct_self_ops;
extern const dwct_ops_t dwct_ucx_ops;
extern const dwct_ops_t dwct_amst_ops;

/** Find a plugin by name ("self", "ucx", "amst"); NULL if unknown. */
const dwct_ops_t *dwct_ops_find(const char *name);

#endif /* DWCT_H */
