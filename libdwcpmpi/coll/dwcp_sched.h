/*
 * dwcp_sched.h — collective schedules: the engine under every collective (blocking ones start a
 * schedule and wait for it; nonblocking ones return its request).
 *
 * A schedule is a sequence of rounds. The operations of a round (sends, receives, local copies
 * and reductions) start together; the next round starts when all of them are complete. Local
 * operations of a round run after that round's communication completes (so a round "receive
 * into tmp, then reduce tmp into acc" is one round). Traffic uses the communicator's collective
 * context (ctx + 1) with a tag unique to this collective call, so concurrent nonblocking
 * collectives never match each other's messages.
 */
#ifndef DWCP_SCHED_H
#define DWCP_SCHED_H

#include "dwcp.h"
#include "dwcp_op.h"

typedef struct dwcp_sched dwcp_sched_t;

/** New empty schedule for a collective on @p c (takes the next collective tag of @p c). */
dwcp_sched_t *dwcp_sched_new(dwcp_comm_t *c);

/**
 * New empty schedule using collective tag @p tag (from dwcp_sched_tag of an earlier schedule
 * on @p c): persistent collectives keep the tag taken at init, so they match in init order.
 */
dwcp_sched_t *dwcp_sched_new_tagged(dwcp_comm_t *c, int tag);

/** The collective tag of @p s. */
int dwcp_sched_tag(const dwcp_sched_t *s);

/** Free a schedule that was never started. */
void dwcp_sched_discard(dwcp_sched_t *s);

/** Temporary buffer owned by the schedule (freed with it); NULL when out of memory. */
void *dwcp_sched_alloc(dwcp_sched_t *s, size_t bytes);

/** Add a send of @p count elements of @p dt at @p buf to comm rank @p peer (this round). */
dwcs_status_t dwcp_sched_send(dwcp_sched_t *s, const void *buf, size_t count, dwcp_dt_t *dt,
                              int peer);

/** Add a receive (this round). */
dwcs_status_t dwcp_sched_recv(dwcp_sched_t *s, void *buf, size_t count, dwcp_dt_t *dt,
                              int peer);

/** After this round's communication: inout = in (op) inout, @p count elements of @p dt. */
dwcs_status_t dwcp_sched_reduce(dwcp_sched_t *s, const void *in, void *inout, size_t count,
                                dwcp_dt_t *dt, dwcp_op_t *op);

/** After this round's communication: copy (pack src → unpack dst; same type signature). */
dwcs_status_t dwcp_sched_copy(dwcp_sched_t *s, const void *src, size_t scount, dwcp_dt_t *sdt,
                              void *dst, size_t dcount, dwcp_dt_t *ddt);

/** Close the current round; later operations go into the next one. */
dwcs_status_t dwcp_sched_round(dwcp_sched_t *s);

/**
 * Start the schedule as collective request @p req (kind DWCP_REQ_COLL): sets req->poll, which
 * advances the schedule; the request completes when the last round does. The schedule is
 * freed with the request.
 */
dwcs_status_t dwcp_sched_start(dwcp_sched_t *s, dwcp_req_t *req);

/** Start, wait, free: the blocking form. Returns the first error (MPI class) or MPI_SUCCESS. */
int dwcp_sched_run(dwcp_sched_t *s);

/** The communicator operations added now refer to (the collective's one unless switched). */
dwcp_comm_t *dwcp_sched_comm(dwcp_sched_t *s);

/**
 * Make operations added from now on use communicator @p c (NULL: back to the collective's
 * own). Intercommunicator collectives switch to the hidden local intracommunicator for their
 * local phases and so can reuse the intracommunicator builders; @p c must live as long as the
 * schedule (c->local of the collective's communicator does). Traffic keeps the schedule's tag.
 */
void dwcp_sched_set_comm(dwcp_sched_t *s, dwcp_comm_t *c);

#endif
