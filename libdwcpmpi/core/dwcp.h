/*
 * dwcp.h — internal state and objects of libdwcpmpi shared by its modules.
 *
 * Layering: bindings/ (the PMPI_ functions: argument checks, error reporting) call the modules
 * (p2p/, dt/, comm/, core/), which call transports only through dwct_ops_t. Internal code never
 * calls MPI_* functions.
 */
#ifndef DWCP_H
#define DWCP_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "mpi.h"
#include "dwcs_log.h"
#include "dwcs_params.h"
#include "dwcs_status.h"
#include "dwct.h"
#include "dwcp_dt.h"
#include "dwcp_handle.h"

/* ---- Parameters of the MPI layer (module "mpi") -------------------------------------------- */

enum { DWCP_TRANSPORT_AUTO, DWCP_TRANSPORT_UCX, DWCP_TRANSPORT_AMST, DWCP_TRANSPORT_TCP1 };

typedef struct dwcp_config {
    int transport;           /* auto,ucx,amst,tcp1 */
    size_t eager_limit;      /* self transport: copy below this, else keep sender's buffer */
    int log_level;           /* 0 error .. 4 trace */
    double finalize_timeout; /* seconds to wait for outstanding sends in MPI_Finalize */
    int thread_level;        /* highest thread level offered: single..multiple */
    char *site;              /* this rank's site name (normally set by dwcprun) */
    int max_iov;             /* non-contiguous sends with at most this many pieces go zero-copy */
    int coll_site_aware;     /* two-level collectives on communicators spanning sites */
    int idle_spin;           /* idle progress passes of a blocking wait before it sleeps */
    double idle_sleep;       /* seconds to sleep between idle passes after that */
} dwcp_config_t;

/* ---- Attributes (cached on communicators, datatypes, windows) ------------------------------ */

typedef struct dwcp_attr {
    int keyval;
    void *value;
    struct dwcp_attr *next;
} dwcp_attr_t;

/* ---- Groups and communicators ------------------------------------------------------------- */

typedef struct dwcp_group {
    int handle;
    int refcount;
    int size;
    int rank;       /* rank of this process in the group, or MPI_UNDEFINED */
    int *world;     /* group rank -> world rank */
} dwcp_group_t;

typedef struct dwcp_comm dwcp_comm_t;
struct dwcp_comm {
    int handle;
    int refcount;
    uint32_t ctx;            /* point-to-point context id; ctx + 1 is used by collectives */
    int rank;                /* rank in the local group */
    int size;                /* local group size */
    dwcp_group_t *group;     /* local group */
    dwcp_group_t *remote;    /* remote group of an intercommunicator, else NULL */
    dwcp_comm_t *local;      /* intercommunicator: hidden intracommunicator over the local group */
    int errhandler;          /* MPI_Errhandler */
    int info;                /* MPI_Info (hints) or MPI_INFO_NULL */
    char name[MPI_MAX_OBJECT_NAME];
    dwcp_attr_t *attrs;
    void *topo;              /* topology (Cartesian, graph), owned by the topology module */
    void *coll;              /* per-communicator collective algorithm table */
    int *site_of;            /* site index of each local rank (NULL until computed) */
    unsigned coll_seq;       /* collectives started on this communicator (tags) */
    int nsites;              /* distinct sites among the ranks (0 = not computed yet) */
    unsigned cre_seq;        /* communicator-creation calls started on it (their tags) */
    int ctx_release_late;    /* freed by the user while referenced: release ctx at the end */
};

/* ---- Requests ----------------------------------------------------------------------------- */

typedef enum dwcp_req_kind {
    DWCP_REQ_SEND,
    DWCP_REQ_RECV,
    DWCP_REQ_GREQ,   /* generalized request */
    DWCP_REQ_COLL,   /* nonblocking collective (schedule) */
    DWCP_REQ_RMA,    /* request-based RMA */
} dwcp_req_kind_t;

typedef enum dwcp_send_mode {
    DWCP_SEND_STANDARD,
    DWCP_SEND_SYNC,
    DWCP_SEND_READY,
    DWCP_SEND_BUFFERED,
} dwcp_send_mode_t;

/** States of a send's cancellation (dwcp_req_t.cancel_state). */
enum {
    DWCP_CANCEL_NONE = 0, /* not asked */
    DWCP_CANCEL_ASKED,    /* MPI_Cancel sent DWCT_MSG_CANCEL; the reply is in pending */
    DWCP_CANCEL_DONE,     /* answered (status.dwcp_cancelled tells how) */
};

typedef struct dwcp_req dwcp_req_t;
struct dwcp_req {
    int handle;               /* MPI_Request, or MPI_REQUEST_NULL for internal requests */
    dwcp_req_kind_t kind;
    volatile int complete;
    int persistent;           /* created by *_init */
    int active;               /* persistent: started and not yet completed-and-waited */
    int user_freed;           /* MPI_Request_free called: release on completion */
    int cancel_state;         /* sends: DWCP_CANCEL_* (a cancel was asked / answered) */
    MPI_Status status;        /* MPI_SOURCE/TAG/ERROR, dwcp_count (bytes), dwcp_cancelled */

    /* point-to-point */
    dwcp_comm_t *comm;
    uint32_t ctx;
    void *buf;
    size_t count;
    dwcp_dt_t *dt;
    int peer;                 /* comm rank (dest or source; may be MPI_ANY_SOURCE) */
    int tag;
    dwcp_send_mode_t mode;
    int pending;              /* sub-operations outstanding (transport send, ack, fetch) */
    int dt_held;              /* this operation holds a reference on dt (dropped at completion) */
    int comm_held;            /* holds a reference on comm (dropped when the request is freed) */
    void *tmp;                /* pack/unpack staging buffer (malloc'd) */
    size_t tmp_len;
    dwct_comp_t comp;         /* transport completion */
    dwcp_req_t *next;         /* queue link (posted receives) */
    dwcp_req_t *prev;
    uint64_t post_seq;        /* order of posting (matching against wildcards) */
    uint64_t match_seq;       /* receives: order in which messages were matched (0: none yet);
                                 MPI_Waitany/Testany report the earliest-matched receive */
    int msg_dst;              /* sends: world rank the message went to, -1 none (PROC_NULL) */
    int ack_wait;             /* synchronous sends: the ACK is still expected (in pending) */
    uint64_t msg_seq;         /* sends: the message's per-peer sequence number (cancel names it) */
    int buffered;             /* sends: user request of a buffered send (the message is carried
                                 by an internal request of the attached-buffer pool) */
    dwcp_req_t *waiter;       /* internal buffered send: a cancelled user request whose
                                 completion waits for this one (its space in the buffer) */

    /* generalized / collective / RMA requests */
    int (*poll)(dwcp_req_t *req);          /* advance; returns 1 when complete (may be NULL) */
    void (*cleanup)(dwcp_req_t *req);      /* free kind-specific state (may be NULL) */
    int (*cancel_fn)(dwcp_req_t *req, int complete);
    void *extra;
};

/** Allocate an internal request of @p kind (handle assigned by dwcp_req_publish). */
dwcp_req_t *dwcp_req_alloc(dwcp_req_kind_t kind);

/** Give @p req a user handle. */
dwcs_status_t dwcp_req_publish(dwcp_req_t *req, MPI_Request *handle);

/** The request for a user handle, or NULL. */
dwcp_req_t *dwcp_req_get(MPI_Request h);

/** Mark complete (runs no callbacks; waiters see it on their next poll). */
void dwcp_req_complete(dwcp_req_t *req);

/** Free a request and its handle. */
void dwcp_req_free(dwcp_req_t *req);

/** MPI_Request_free semantics: drop the handle now, free the request once complete. */
void dwcp_req_detach(dwcp_req_t *req);

/** Progress once and report whether @p req is complete (runs its poll function). */
int dwcp_req_test(dwcp_req_t *req);

/* ---- Internal point-to-point (used by the bindings and by collectives) -------------------- */

/**
 * Start a send of @p count elements of @p dt to comm rank @p dst on context @p ctx
 * (comm->ctx for user traffic, comm->ctx + 1 for collectives). @p req must be allocated.
 */
dwcs_status_t dwcp_p2p_isend(const void *buf, size_t count, dwcp_dt_t *dt, int dst, int tag,
                             dwcp_comm_t *comm, uint32_t ctx, dwcp_send_mode_t mode,
                             dwcp_req_t *req);

/** Start a receive; @p src may be MPI_ANY_SOURCE, @p tag MPI_ANY_TAG. */
dwcs_status_t dwcp_p2p_irecv(void *buf, size_t count, dwcp_dt_t *dt, int src, int tag,
                             dwcp_comm_t *comm, uint32_t ctx, dwcp_req_t *req);

/** Wait for @p req (progressing everything); does not free it. */
dwcs_status_t dwcp_req_wait(dwcp_req_t *req);

/* ---- Progress ----------------------------------------------------------------------------- */

/** One pass over every transport and registered hook. Returns the number of events. */
unsigned dwcp_progress(void);

/** A function the progress engine calls on every pass (e.g. a collective schedule). */
typedef int (*dwcp_progress_fn_t)(void *arg);
dwcs_status_t dwcp_progress_hook_add(dwcp_progress_fn_t fn, void *arg);
void dwcp_progress_hook_remove(dwcp_progress_fn_t fn, void *arg);

/* ---- Peers and transports ----------------------------------------------------------------- */

typedef struct dwcp_peer {
    const dwct_ops_t *ops;
    dwct_iface_t *iface;
    uint64_t send_seq;        /* next sequence number to send to this peer */
    uint64_t recv_seq;        /* next sequence number expected from this peer */
} dwcp_peer_t;

/* ---- Error handlers ------------------------------------------------------------------------ */

typedef enum { DWCP_ERRH_COMM, DWCP_ERRH_WIN, DWCP_ERRH_FILE } dwcp_errh_kind_t;

typedef struct dwcp_errh {
    int handle;
    int refcount;
    dwcp_errh_kind_t kind;
    void (*fn)(void);         /* user function (cast to the kind's type), NULL for predefined */
} dwcp_errh_t;

/**
 * Report error @p code (a class or a user code) raised by @p fname on communicator @p comm
 * (MPI_COMM_NULL/invalid: COMM_WORLD's handler). With ERRORS_ARE_FATAL prints
 * "DWCP-MPI[rank R] MPI_X: MPI_ERR_Y: <detail>" and aborts the job; returns @p code otherwise,
 * after calling a user handler if set. @p fmt describes the cause.
 */
int dwcp_err_comm(MPI_Comm comm, int code, const char *fname, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/** Same for windows. */
int dwcp_err_win(MPI_Win win, int code, const char *fname, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/** Map an internal status to an MPI error class. */
int dwcp_status_to_class(dwcs_status_t st);

/** The MPI name of an error class ("MPI_ERR_RANK"). */
const char *dwcp_error_class_name(int cls);

/* ---- Global state ------------------------------------------------------------------------- */

typedef struct dwcp_global {
    int initialized;          /* the runtime is up (MPI_Init or a session started it) */
    int finalized;            /* the runtime was torn down */
    int world_inited;         /* MPI_Init / MPI_Init_thread was called (world model) */
    int world_finalized;      /* MPI_Finalize was called */
    int nsessions;            /* live MPI_Session objects */
    int thread_level;
    pthread_t main_thread;
    int rank;                 /* world rank */
    int size;                 /* world size */
    int appnum;
    int universe_size;
    int singleton;            /* started without a PMIx server */
    char hostname[MPI_MAX_PROCESSOR_NAME];
    int nsites;
    char **site_names;        /* site index -> name */
    int *site_of;             /* world rank -> site index */
    int *node_of;             /* world rank -> node index (same host) */
    int oversubscribed;       /* more ranks on this host than online cores */
    dwcp_config_t cfg;
    dwcp_peer_t *peers;       /* per world rank */
    dwct_iface_t *iface_self, *iface_ucx, *iface_amst;
    dwcp_htab_t comms, groups, dts, ops, errhs, infos, reqs, wins, msgs;
    dwcp_comm_t *world;
    dwcp_comm_t *self;
    uint32_t next_ctx;        /* context id allocator (see comm module) */
} dwcp_global_t;

extern dwcp_global_t dwcp_g;

/** Communicator for @p h, or NULL if not a live communicator. */
static inline dwcp_comm_t *dwcp_comm_get(MPI_Comm h)
{
    return (dwcp_comm_t *)dwcp_htab_get(&dwcp_g.comms, h);
}

/** World rank of comm rank @p r in the local group (remote group for intercommunicators). */
static inline int dwcp_comm_peer_world(const dwcp_comm_t *c, int r)
{
    return (c->remote ? c->remote : c->group)->world[r];
}

/** Number of ranks a point-to-point peer argument may name (remote size for intercomms). */
static inline int dwcp_comm_peer_size(const dwcp_comm_t *c)
{
    return (c->remote ? c->remote : c->group)->size;
}

/* Bootstrap (core/bootstrap.c): PMIx or singleton. */
dwcs_status_t dwcp_bootstrap_init(void);
dwcs_status_t dwcp_bootstrap_fence(void);
/**
 * Fence of every rank that keeps the progress engine running while it waits (MPI_Finalize:
 * peers may still need answers, e.g. to a send cancellation).
 */
dwcs_status_t dwcp_bootstrap_fence_progress(void);
void dwcp_bootstrap_abort(int code, const char *msg) __attribute__((noreturn));
void dwcp_bootstrap_finalize(void);
extern const dwct_bootstrap_t dwcp_bootstrap_kv;

/* Communicator module (comm/). */
dwcs_status_t dwcp_comm_init_predefined(void);
void dwcp_comm_finalize(void);
void dwcp_comm_release(dwcp_comm_t *c);
dwcp_group_t *dwcp_group_create(int size, const int *world);
void dwcp_group_release(dwcp_group_t *g);

/** Set by the topology module: copy topology state on MPI_Comm_dup. */
extern void (*dwcp_topo_dup_hook)(dwcp_comm_t *from, dwcp_comm_t *to);
/** Modules that hang state on communicators register a function called when one is destroyed. */
dwcs_status_t dwcp_comm_free_hook_add(void (*fn)(dwcp_comm_t *c));

/* Attributes (core/attr.c). */
dwcs_status_t dwcp_attr_init(void);
void dwcp_attr_finalize(void);
/** Delete every attribute of an object (calling delete callbacks); returns an MPI error code. */
int dwcp_attr_delete_all(int kind, int handle, dwcp_attr_t **list);
/** Copy attributes for Comm_dup / Type_dup; returns an MPI error code. */
int dwcp_attr_copy_all(int kind, int oldhandle, dwcp_attr_t *from, dwcp_attr_t **to);

/* Info (core/info.c). */
dwcs_status_t dwcp_info_init(void);
void dwcp_info_finalize(void);

/* Errors (core/errors.c). */
dwcs_status_t dwcp_errors_init(void);
void dwcp_errors_finalize(void);

/* Point-to-point engine (p2p/). */
dwcs_status_t dwcp_p2p_init(void);
/** First part of finalize: outstanding sends; unreceived messages lose their payloads. */
dwcs_status_t dwcp_p2p_finalize(void);
/** Last part (after the finalize fence, before the transports close): free everything. */
void dwcp_p2p_finalize_end(void);
dwct_rx_action_t dwcp_p2p_rx(void *arg, const dwct_hdr_t *hdr, dwct_rx_t *rx);
/** Handler for message types other than P2P/ACK (set by the RMA module); NULL drops them. */
extern dwct_rx_action_t (*dwcp_p2p_rx_other)(const dwct_hdr_t *hdr, dwct_rx_t *rx);
/** Cancel a posted receive; 1 if it was still posted (now complete and cancelled). */
int dwcp_p2p_cancel_recv(dwcp_req_t *r);
/**
 * Ask the receiver of send @p r to cancel its message (MPI_Cancel of an active send request).
 * The request becomes incomplete until the receiver answers: either the message was removed
 * before any receive matched it (status.dwcp_cancelled = 1) or it was received (0). A second
 * call, or a send to MPI_PROC_NULL, has no effect.
 */
dwcs_status_t dwcp_p2p_cancel_send(dwcp_req_t *r);

/* Checks at the API edge. */
/*
 * MPI_THREAD_MULTIPLE: one recursive lock serialises the library. Every binding takes it in
 * DWCP_CHECK_INIT and releases it when the binding's scope ends (cleanup attribute); blocking
 * waits release it between progress passes (dwcp_wait_idle) so other threads get in. With a
 * lower thread level the lock is never touched.
 */
extern int dwcp_mt;
extern pthread_mutex_t dwcp_big_lock;
extern __thread int dwcp_lock_depth;

static inline int dwcp_lock_enter(void)
{
    if (dwcp_mt) {
        pthread_mutex_lock(&dwcp_big_lock);
        dwcp_lock_depth++;
    }
    return dwcp_mt;
}

static inline void dwcp_lock_leave(int *held)
{
    if (*held) {
        dwcp_lock_depth--;
        pthread_mutex_unlock(&dwcp_big_lock);
    }
}

/** Let other threads into the library (called while waiting). */
void dwcp_lock_yield(void);

#define DWCP_CAT2_(a, b) a##b
#define DWCP_CAT_(a, b) DWCP_CAT2_(a, b)
#define DWCP_CHECK_INIT(fname)                                                                     \
    if (!dwcp_g.initialized || dwcp_g.finalized) {                                                 \
        return dwcp_err_not_initialized(fname);                                                    \
    }                                                                                              \
    int DWCP_CAT_(dwcp_lock_held_, __LINE__) __attribute__((cleanup(dwcp_lock_leave), unused)) =   \
        dwcp_lock_enter()
int dwcp_err_not_initialized(const char *fname);

#endif /* DWCP_H */
