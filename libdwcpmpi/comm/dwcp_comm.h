/*
 * dwcp_comm.h — communicator creation for every module (bindings, topologies, collectives).
 *
 * Context ids come in pairs (even id for point-to-point, id + 1 for collectives) and are
 * agreed without races: every member ANDs its bitmap of free ids with everyone else's (an
 * internal allreduce on the parent's collective context) and takes the lowest common free
 * pair. All calls here are collective over the named ranks.
 */
#ifndef DWCP_COMM_H
#define DWCP_COMM_H

#include "dwcp.h"

/** Number of context-id pairs available (ids 0..3 are COMM_WORLD and COMM_SELF). */
#define DWCP_CTX_PAIRS 4096

/**
 * Internal allreduce of @p n uint32 words with bitwise AND over the ranks @p members (comm
 * ranks of @p parent, @p nmembers of them, including the caller), on the parent's collective
 * context with @p tag. Blocking.
 */
dwcs_status_t dwcp_comm_allreduce_band(dwcp_comm_t *parent, const int *members, int nmembers,
                                       int tag, uint32_t *words, int n);

/** Agree on a fresh context-id pair among @p members of @p parent; *ctx is the even id. */
dwcs_status_t dwcp_ctx_agree(dwcp_comm_t *parent, const int *members, int nmembers, int tag,
                             uint32_t *ctx);

/** Return a context-id pair to the pool (on communicator free). */
void dwcp_ctx_release(uint32_t ctx);

/**
 * Build an intracommunicator over group @p g (world ranks, caller must be in it) with context
 * @p ctx, inheriting the error handler of @p parent. Takes a reference on @p g. Publishes a
 * handle.
 */
dwcs_status_t dwcp_comm_new(dwcp_comm_t *parent, dwcp_group_t *g, uint32_t ctx,
                            dwcp_comm_t **out);

/** MPI_Comm_dup semantics (attributes copied by the caller). */
dwcs_status_t dwcp_comm_dup(dwcp_comm_t *parent, dwcp_comm_t **out);

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

/** MPI_Comm_dup of an intercommunicator (both groups agree on new context ids). */
dwcs_status_t dwcp_intercomm_dup(dwcp_comm_t *inter, dwcp_comm_t **out);

/** MPI_Intercomm_merge semantics. */
dwcs_status_t dwcp_intercomm_merge(dwcp_comm_t *inter, int high, dwcp_comm_t **out);

/*
 * Tags on a communicator's collective context (ctx + 1): MPI_Comm_create_group uses the user's
 * tag (0..MPI_TAG_UB); creation-time traffic uses 0x7ff00000..0x7ff000ff; the collectives
 * module uses negative tags below -1 and values from 0x40000000 to 0x7fefffff.
 */

/** Allgather of @p n ints per rank over @p parent (internal, blocking). */
dwcs_status_t dwcp_comm_allgather_int(dwcp_comm_t *parent, const int *mine, int n, int *all);

#endif
