/*
 * dwcp_comm.h — communicator creation for every module (bindings, topologies, collectives).
 *
 * Context ids come in pairs (even id for point-to-point, id + 1 for collectives) and are
 * agreed without races by the engine in ctxid.c (bitmap AND over the members, then a check
 * round that reserves the candidates), which also runs nonblocking for MPI_Comm_idup. All
 * calls here are collective over the named ranks.
 */
#ifndef DWCP_COMM_H
#define DWCP_COMM_H

#include "dwcp.h"

/** An agreement on fresh context-id pairs among a set of processes (see ctxid.c). */
typedef struct dwcp_ctxop dwcp_ctxop_t;

/** Number of context-id pairs available (ids 0..3 are COMM_WORLD and COMM_SELF). */
#define DWCP_CTX_PAIRS 4096

/** Return a context-id pair to the pool (on communicator free). */
void dwcp_ctx_release(uint32_t ctx);

/**
 * Build an intracommunicator over group @p g (world ranks, caller must be in it) with context
 * @p ctx, inheriting the error handler of @p parent. Takes a reference on @p g. Publishes a
 * handle.
 */
dwcs_status_t dwcp_comm_new(dwcp_comm_t *parent, dwcp_group_t *g, uint32_t ctx,
                            dwcp_comm_t **out);

/** MPI_Comm_dup semantics (attributes copied by the caller); intercommunicators too. */
dwcs_status_t dwcp_comm_dup(dwcp_comm_t *parent, dwcp_comm_t **out);

/** Start a nonblocking dup of @p parent (MPI_Comm_idup): *op advances on every progress pass. */
dwcs_status_t dwcp_comm_dup_start(dwcp_comm_t *parent, dwcp_ctxop_t **op);

/** Build the duplicate once dwcp_ctxop_test(@p op) is 1; frees @p op. *out NULL on error. */
dwcs_status_t dwcp_comm_dup_finish(dwcp_comm_t *parent, dwcp_ctxop_t *op, dwcp_comm_t **out);

/**
 * MPI_Comm_split semantics: collective over @p parent. *out is NULL for MPI_UNDEFINED color.
 */
dwcs_status_t dwcp_comm_split(dwcp_comm_t *parent, int color, int key, dwcp_comm_t **out);

/**
 * Collective over the members of @p g only (MPI_Comm_create_group semantics; @p g must be a
 * subset of parent's group). *out is NULL for callers outside @p g.
 */
dwcs_status_t dwcp_comm_create_group(dwcp_comm_t *parent, dwcp_group_t *g, int tag,
                                     dwcp_comm_t **out);

/** Blocking internal send of raw bytes to comm rank @p dst on context @p ctx. */
dwcs_status_t dwcp_comm_xsend(dwcp_comm_t *c, uint32_t ctx, int dst, int tag, const void *buf,
                              size_t len);
/** Blocking internal receive of raw bytes from comm rank @p src on context @p ctx. */
dwcs_status_t dwcp_comm_xrecv(dwcp_comm_t *c, uint32_t ctx, int src, int tag, void *buf,
                              size_t len);
/** This process's bitmap of free context-id pairs (bit set = free) and its initialiser. */
extern uint32_t dwcp_ctx_free[DWCP_CTX_PAIRS / 32];
void dwcp_ctx_pool_init(void);

/**
 * MPI_Intercomm_create semantics (collective over @p local; the leaders talk over @p peer
 * with @p tag). *out is the new intercommunicator.
 */
dwcs_status_t dwcp_intercomm_create(dwcp_comm_t *local, int local_leader, dwcp_comm_t *peer,
                                    int remote_leader, int tag, dwcp_comm_t **out);

/**
 * Build an intercommunicator (local group @p lg, remote group @p rg) with context @p ctx and a
 * hidden local intracommunicator with context @p lctx. Takes a reference on @p lg and on
 * @p rg; errors and hints are inherited from @p parent.
 */
dwcs_status_t dwcp_intercomm_build(dwcp_comm_t *parent, dwcp_group_t *lg, dwcp_group_t *rg,
                                   uint32_t ctx, uint32_t lctx, dwcp_comm_t **out);

/**
 * MPI_Comm_split of an intercommunicator: each side's group is split by color; *out is the
 * intercommunicator between the two groups of the caller's color, NULL where the other side
 * has no process of that color (or color is MPI_UNDEFINED).
 */
dwcs_status_t dwcp_intercomm_split(dwcp_comm_t *inter, int color, int key, dwcp_comm_t **out);

/** MPI_Intercomm_merge semantics. */
dwcs_status_t dwcp_intercomm_merge(dwcp_comm_t *inter, int high, dwcp_comm_t **out);

/*
 * Tags on a communicator's collective context (ctx + 1): MPI_Comm_create_group uses the user's
 * tag (0..MPI_TAG_UB); creation-time traffic uses 0x7ff00000..0x7ff000ff; the collectives
 * module uses negative tags below -1 and values from 0x40000000 to 0x7fefffff.
 */

/* ---- Context-id agreement engine (comm/ctxid.c) ------------------------------------------- */

/** Tags of agreements started by collective creation calls: base + (c->cre_seq % span). */
#define DWCP_CTX_TAG_BASE 0x7ff00100
#define DWCP_CTX_TAG_SPAN 0xf00

/** Schedule parts of dwcp_ctxop_tree. */
#define DWCP_CTXOP_REDUCE 1
#define DWCP_CTXOP_BCAST 2
#define DWCP_CTXOP_BOTH 3


/**
 * New agreement on @p npairs pairs, messages tagged @p tag; @p seed (same on all members,
 * e.g. the parent's context id) spreads retries. NULL when out of memory.
 */
dwcp_ctxop_t *dwcp_ctxop_new(int npairs, int tag, uint32_t seed);

/** This process will use candidate @p idx (it is checked and reserved locally). */
void dwcp_ctxop_use(dwcp_ctxop_t *op, int idx);

/**
 * Append a binomial reduce (@p part has DWCP_CTXOP_REDUCE) and/or broadcast (DWCP_CTXOP_BCAST)
 * rooted at members[0] over the comm ranks @p members of intracommunicator @p c, on its
 * collective context. The caller must be a member.
 */
dwcs_status_t dwcp_ctxop_tree(dwcp_ctxop_t *op, dwcp_comm_t *c, const int *members, int n,
                              int part);

/** Append an exchange with comm rank @p peer of @p c on context @p ctx, tag @p tag (leaders). */
dwcs_status_t dwcp_ctxop_bridge(dwcp_ctxop_t *op, dwcp_comm_t *c, uint32_t ctx, int peer,
                                int tag);

/** Start the agreement; it then advances on every progress pass. */
dwcs_status_t dwcp_ctxop_start(dwcp_ctxop_t *op);

/** Advance; 1 when finished (see dwcp_ctxop_status). */
int dwcp_ctxop_test(dwcp_ctxop_t *op);

/** Block until finished; returns its status. */
dwcs_status_t dwcp_ctxop_wait(dwcp_ctxop_t *op);

/** Status of a finished agreement. */
dwcs_status_t dwcp_ctxop_status(const dwcp_ctxop_t *op);

/** Agreed pair number @p idx (context id = 2 * pair), -1 if out of range. */
int dwcp_ctxop_pair(const dwcp_ctxop_t *op, int idx);

/** Free an agreement (finished or abandoned). */
void dwcp_ctxop_free(dwcp_ctxop_t *op);

/** Next creation tag of communicator @p c (all members call creation calls in one order). */
int dwcp_comm_next_tag(dwcp_comm_t *c);

/**
 * Agreement over all of @p c: an intracommunicator (tree over its ranks) or an
 * intercommunicator (tree over each local group and a bridge between local rank 0s).
 * Not started.
 */
dwcp_ctxop_t *dwcp_ctxop_for_comm(dwcp_comm_t *c, int npairs);

/* ---- Hardware split types (comm/split_type.c) --------------------------------------------- */

/** Is @p name a value of "mpi_hw_resource_type" this library knows? */
int dwcp_comm_hw_known(const char *name);

/**
 * Color of this process for resource type @p name: equal for processes bound inside the same
 * instance, MPI_UNDEFINED when not bound inside one instance or the type is unknown.
 */
int dwcp_comm_hw_color(const char *name);

/**
 * MPI_COMM_TYPE_HW_UNGUIDED over @p c (collective): the widest level splitting @p c into strict
 * subsets; *color for dwcp_comm_split, *level its name (NULL and MPI_UNDEFINED if none).
 */
dwcs_status_t dwcp_comm_hw_unguided(dwcp_comm_t *c, int *color, const char **level);

/** Release the hardware topology (MPI_Finalize). */
void dwcp_comm_hw_finalize(void);

/** Allgather of @p n ints per rank over @p parent (internal, blocking). */
dwcs_status_t dwcp_comm_allgather_int(dwcp_comm_t *parent, const int *mine, int n, int *all);

#endif
