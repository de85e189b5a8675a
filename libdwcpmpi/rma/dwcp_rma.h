/*
 * dwcp_rma.h — one-sided communication (MPI windows): the state every rma/ file and the RMA
 * bindings share.
 *
 * Design (see also rma/rma_am.c):
 *  - Every operation travels as a DWCT_MSG_RMA active message to the target's process, whatever
 *    the transport; the target's handler (run from the progress engine, i.e. whenever the
 *    target is inside any MPI call) applies puts and accumulates, answers gets and fetches,
 *    queues and grants locks. hdr->ctx names the window (the context id of the window's private
 *    communicator), hdr->crank the origin's rank in it, hdr->aux the operation code.
 *  - Requests from one origin to one target are processed in issue order: they carry a
 *    per-(origin, target process) RMA sequence number in hdr->seq and the target reorders
 *    (transports may deliver out of order). So a FLUSH or UNLOCK answered by the target implies
 *    that everything issued before it was applied; no per-operation acknowledgement is needed.
 *  - The target layout travels with each operation as a list of pieces computed at the origin
 *    by flattening the target datatype (dwcp_dt_iov at base address 0): (offset, bytes) pieces
 *    for put/get, (offset, elements) runs of one builtin element type for accumulates (so the
 *    target applies the operation element-wise with dwcp_op_apply on the builtin type).
 *  - A window's operations go through its ops table (dwcp_rma_ops_t) so other consistency
 *    modes (e.g. a later bounded-staleness mode selected by an info key) can replace them.
 */
#ifndef DWCP_RMA_H
#define DWCP_RMA_H

#include "dwcp.h"
#include "dwcp_op.h"

/* Wire operation codes (dwct_hdr_t.aux). Requests (ordered) first, then replies. */
enum {
    DWCP_RMA_PUT = 1,
    DWCP_RMA_GET,
    DWCP_RMA_ACC,
    DWCP_RMA_GACC,     /* get_accumulate and fetch_and_op */
    DWCP_RMA_CAS,
    DWCP_RMA_LOCK,     /* hdr->tag: MPI_LOCK_SHARED or MPI_LOCK_EXCLUSIVE */
    DWCP_RMA_UNLOCK,   /* hdr->tag: lock type, or 0 for a NOCHECK epoch (flush only) */
    DWCP_RMA_FLUSH,
    DWCP_RMA_POST,
    DWCP_RMA_COMPLETE,
    DWCP_RMA_REQ_LAST = DWCP_RMA_COMPLETE,
    DWCP_RMA_R_DATA,   /* reply with data (get, get_accumulate, cas); sreq = origin op */
    DWCP_RMA_R_ACK,    /* flush/unlock acknowledgement */
    DWCP_RMA_R_GRANT,  /* lock granted */
};

/** A memory region attached to a dynamic window. */
typedef struct dwcp_rma_region {
    uintptr_t base;
    size_t len;
    struct dwcp_rma_region *next;
} dwcp_rma_region_t;

/** A lock request waiting at the target. */
typedef struct dwcp_rma_lockq {
    int rank;   /* window rank of the origin */
    int src;    /* world rank of the origin (its request stream waits for the grant) */
    int type;   /* MPI_LOCK_SHARED / MPI_LOCK_EXCLUSIVE */
    struct dwcp_rma_lockq *next;
} dwcp_rma_lockq_t;

typedef struct dwcp_win dwcp_win_t;
typedef struct dwcp_rma_ops dwcp_rma_ops_t;

/** A window. */
struct dwcp_win {
    int errhandler;          /* MPI_Errhandler: MUST stay the first member (see dwcp_err_win) */
    int handle;
    uint32_t id;             /* wire id: comm->ctx */
    dwcp_comm_t *comm;       /* private duplicate of the user's communicator */
    int flavor;              /* MPI_WIN_FLAVOR_* */
    int model;               /* MPI_WIN_UNIFIED */
    void *base;
    MPI_Aint size;
    int disp_unit;
    uint64_t *rbase;         /* per window rank: base address at that rank */
    MPI_Aint *rsize;         /* per rank: window size */
    int *rdisp;              /* per rank: displacement unit */
    dwcp_attr_t *attrs;
    char name[MPI_MAX_OBJECT_NAME];
    struct dwcp_info *info;  /* hints given at creation / Win_set_info (a private copy) */
    const dwcp_rma_ops_t *ops;
    void *alloc;             /* memory of MPI_Win_allocate (freed with the window) */
    void *shm;               /* shared segment of MPI_Win_allocate_shared */
    size_t shm_len;
    MPI_Aint *shm_off;       /* per rank: offset of its part in the segment */
    dwcp_rma_region_t *regions; /* dynamic windows: attached memory */
    void *ucx;               /* direct UCX RMA state (rma_ucx.c) or NULL */

    /* origin side */
    int fence_epoch;         /* a fence opened an epoch */
    int lock_all;            /* inside lock_all */
    int *lock_type;          /* per target: 0 or MPI_LOCK_SHARED/EXCLUSIVE */
    int *lock_nocheck;       /* per target: lock taken with MPI_MODE_NOCHECK */
    int *dirty;              /* per target: writes since the last remote completion */
    int *tpending;           /* per target: operations not yet complete at the origin */
    int *grant_wait;         /* per target: lock grants awaited */
    int *ack_wait;           /* per target: flush/unlock acks awaited */
    int pending;             /* all operations not complete at the origin */
    int *start_ranks;        /* access epoch of Win_start: window ranks */
    int nstart;
    int started;
    int async_err;           /* error class seen by a completion, reported by the next sync */

    /* target side */
    int lock_excl;           /* held exclusively */
    int lock_shared;         /* number of shared holders */
    dwcp_rma_lockq_t *lockq_head, *lockq_tail;
    int *post_recv;          /* per rank: posts received (consumed by Win_start) */
    int complete_recv;       /* completes received (consumed by Win_wait/test) */
    int npost;               /* size of the exposure group of the open Win_post, 0 if none */
    int posted;

    dwcp_win_t *next;        /* list of live windows (dispatch of arriving frames) */
};

/**
 * What a window's consistency mode provides. The bindings check arguments and epochs, then call
 * through w->ops, so another mode (e.g. a bounded-staleness mode chosen by an info key at
 * creation) can replace operations and synchronisation per window. Every entry returns an MPI
 * error class. The default table (dwcp_rma_am_ops) is the standard's semantics: active
 * messages, plus direct UCX RMA for large contiguous put/get.
 */
struct dwcp_rma_ops {
    const char *name;
    /** Start a one-sided operation (arguments as for dwcp_rma_am_start). */
    int (*op)(dwcp_win_t *w, int opcode, const void *obuf, size_t ocount, dwcp_dt_t *odt,
              void *rbuf, size_t rcount, dwcp_dt_t *rdt, const void *cbuf, int target,
              MPI_Aint tdisp, size_t tcount, dwcp_dt_t *tdt, dwcp_op_t *op, dwcp_req_t *req);
    int (*fence)(dwcp_win_t *w, int assert);
    int (*post)(dwcp_win_t *w, dwcp_group_t *g, int assert);
    int (*start)(dwcp_win_t *w, dwcp_group_t *g, int assert);
    int (*complete)(dwcp_win_t *w);
    int (*wait)(dwcp_win_t *w, int block, int *flag);
    int (*lock)(dwcp_win_t *w, int type, int target, int assert);
    int (*unlock)(dwcp_win_t *w, int target);
    int (*lock_all)(dwcp_win_t *w, int assert);
    int (*unlock_all)(dwcp_win_t *w);
    int (*flush)(dwcp_win_t *w, int target, int local);
};

/** The default ops table (active messages over any transport). */
extern const dwcp_rma_ops_t dwcp_rma_am_ops;

/* ---- rma_win.c -------------------------------------------------------------------------- */

/** Window for handle @p h, or NULL. */
static inline dwcp_win_t *dwcp_win_get(MPI_Win h)
{
    return (dwcp_win_t *)dwcp_htab_get(&dwcp_g.wins, h);
}

/* Bindings: resolve window handle @p h into @p w or return MPI_ERR_WIN from @p fn. */
#define DWCP_GET_WIN(fn, h, w)                                                                     \
    dwcp_win_t *w = dwcp_win_get(h);                                                               \
    if (w == NULL) {                                                                               \
        return dwcp_err_win(h, MPI_ERR_WIN, fn,                                                    \
                            (h) == MPI_WIN_NULL ? "MPI_WIN_NULL is not a valid window"             \
                                                : "invalid window handle");                        \
    }

/** Live window with wire id @p id, or NULL. */
dwcp_win_t *dwcp_win_find(uint32_t id);

/**
 * Collective window creation over @p comm. @p flavor decides the memory: CREATE uses @p base,
 * ALLOCATE and SHARED allocate @p size bytes (returned in *base_out), DYNAMIC has none.
 * Returns an MPI error class.
 */
int dwcp_win_create(dwcp_comm_t *comm, int flavor, void *base, MPI_Aint size, int disp_unit,
                    MPI_Info info, void *base_out, dwcp_win_t **out);

/** Collective free (waits for pending operations; calls attribute delete callbacks first). */
int dwcp_win_free(dwcp_win_t *w);

/** Attach / detach memory of a dynamic window. */
int dwcp_win_attach(dwcp_win_t *w, void *base, MPI_Aint size);
int dwcp_win_detach(dwcp_win_t *w, const void *base);

/* ---- rma_am.c --------------------------------------------------------------------------- */

/** Install the frame handler (idempotent). */
void dwcp_rma_module_init(void);

/**
 * Send an RMA frame of type @p opcode to window rank @p target: header only (control) or with
 * @p iov payload. Request frames get the next RMA sequence number for that process.
 */
dwcs_status_t dwcp_rma_send(dwcp_win_t *w, int target, int opcode, int tag, uint64_t cookie,
                            const struct iovec *iov, size_t iovcnt, size_t len,
                            dwct_comp_t *comp);

/** Send a header-only request frame (lock, unlock, flush, post, complete). MPI class. */
int dwcp_rma_send_ctrl(dwcp_win_t *w, int target, int opcode, int tag);

/**
 * Start an operation (active-message ops table). @p opcode DWCP_RMA_PUT/GET/ACC/GACC/CAS;
 * origin data (@p obuf ocount odt), result buffer (@p rbuf rcount rdt; get and fetches),
 * @p cbuf compare value (CAS), target (@p target rank, @p tdisp in disp units, @p tcount
 * @p tdt), @p op (accumulates), @p req completed at local completion (may be NULL).
 */
int dwcp_rma_am_start(dwcp_win_t *w, int opcode, const void *obuf, size_t ocount, dwcp_dt_t *odt,
                      void *rbuf, size_t rcount, dwcp_dt_t *rdt, const void *cbuf, int target,
                      MPI_Aint tdisp, size_t tcount, dwcp_dt_t *tdt, dwcp_op_t *op,
                      dwcp_req_t *req);

/** Grant queued lock requests that can now be granted (target side). */
void dwcp_rma_lock_grant(dwcp_win_t *w);

/* ---- rma_ucx.c: direct UCX RMA for large contiguous put/get ---------------------------- */

/** Collective: register window memory, exchange rkeys (create/allocate flavors only). */
int dwcp_rma_ucx_setup(dwcp_win_t *w);
/** Release the registration and rkeys (before the window's communicator goes). */
void dwcp_rma_ucx_free(dwcp_win_t *w);
/** The rkey to use for a contiguous @p bytes access of @p target, or NULL (active messages). */
dwct_rkey_t *dwcp_rma_ucx_rkey(dwcp_win_t *w, int target, size_t bytes);
/** Note an RMA operation to @p target (it needs an rma_flush before remote completion). */
void dwcp_rma_ucx_mark(dwcp_win_t *w, int target);
/** Remote completion of the RDMA operations to targets [lo, hi). MPI error class. */
int dwcp_rma_ucx_flush(dwcp_win_t *w, int lo, int hi);

/* ---- rma_sync.c ------------------------------------------------------------------------- */

/** Wait (progressing) until *@p counter <= @p limit; bounded. Returns an MPI error class. */
int dwcp_rma_wait_le(const int *counter, int limit, const char *what);

int dwcp_rma_fence(dwcp_win_t *w, int assert);
int dwcp_rma_lock(dwcp_win_t *w, int type, int target, int assert);
int dwcp_rma_unlock(dwcp_win_t *w, int target);
int dwcp_rma_lock_all(dwcp_win_t *w, int assert);
int dwcp_rma_unlock_all(dwcp_win_t *w);
/** Flush target @p target (-1: all); @p local: local completion only. */
int dwcp_rma_flush(dwcp_win_t *w, int target, int local);
int dwcp_rma_post(dwcp_win_t *w, dwcp_group_t *g, int assert);
int dwcp_rma_start(dwcp_win_t *w, dwcp_group_t *g, int assert);
int dwcp_rma_complete(dwcp_win_t *w);
/** Win_wait (@p block) or Win_test (*flag). */
int dwcp_rma_wait(dwcp_win_t *w, int block, int *flag);

/** May the calling process access @p target now (an epoch is open)? */
int dwcp_rma_in_epoch(const dwcp_win_t *w, int target);

/** Barrier over the window's ranks (internal schedule). */
int dwcp_rma_barrier(dwcp_win_t *w);

/** Window rank of world rank @p world in @p w, or -1. */
int dwcp_rma_win_rank(const dwcp_win_t *w, int world);

#endif
