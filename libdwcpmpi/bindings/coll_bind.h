/*
 * coll_bind.h — argument checks shared by the collective bindings (coll.c, coll_data.c,
 * coll_neighbor.c). Each check reports through the communicator's error handler and returns
 * the MPI error code, MPI_SUCCESS when the argument is fine.
 */
#ifndef DWCP_COLL_BIND_H
#define DWCP_COLL_BIND_H

#include "dwcp_bind.h"
#include "dwcp_coll.h"

#define INPLACE(b) ((b) == MPI_IN_PLACE)

/* Return from the calling binding if a check failed. */
#define CK(x)                                                                                      \
    do {                                                                                           \
        int rc_ = (x);                                                                             \
        if (rc_ != MPI_SUCCESS) {                                                                  \
            return rc_;                                                                            \
        }                                                                                          \
    } while (0)

/* A new schedule on @p c, or return MPI_ERR_NO_MEM. */
#define NEW_SCHED(fn, c, s)                                                                        \
    dwcp_sched_t *s = dwcp_sched_new(c);                                                           \
    if (s == NULL) {                                                                               \
        return dwcp_err_comm((c)->handle, MPI_ERR_NO_MEM, fn, "no memory");                       \
    }

/* In a binding with a flag `nb` (nonblocking form): the request pointer must be given. */
#define REQ_CHECK(fn, comm, req)                                                                   \
    if ((req) == NULL && nb) {                                                                     \
        return dwcp_err_comm(comm, MPI_ERR_ARG, fn, "NULL request");                               \
    }

/** Resolve a communicator handle. */
int dwcp_cb_comm(const char *fn, MPI_Comm comm, dwcp_comm_t **c);
/** MPI_IN_PLACE is not valid on intercommunicators. */
int dwcp_cb_inter_inplace(const char *fn, dwcp_comm_t *c, const void *sendbuf);
/** Non-negative count and a live, committed datatype. */
int dwcp_cb_dt(const char *fn, MPI_Comm comm, MPI_Datatype h, int count, dwcp_dt_t **dt);
/** A live operation defined for @p dt. */
int dwcp_cb_op(const char *fn, MPI_Comm comm, MPI_Op h, dwcp_dt_t *dt, dwcp_op_t **op);
/** A valid root (MPI_ROOT/MPI_PROC_NULL on intercommunicators). */
int dwcp_cb_root(const char *fn, dwcp_comm_t *c, int root);
/** Send and receive buffers must not alias unless MPI_IN_PLACE is used. */
int dwcp_cb_alias(const char *fn, dwcp_comm_t *c, const void *s, const void *r, int n);
/** Run (request NULL) or start the schedule whose building returned @p st. */
int dwcp_cb_finish(const char *fn, dwcp_comm_t *c, dwcp_sched_t *s, dwcs_status_t st,
                   MPI_Request *request);

/*
 * Persistent collectives (coll_persist.c). An *_init binding is
 *     PCOLL_INIT(fn, comm, impl(fn, ..., request, 1));
 * which runs the nonblocking binding's checks with its builder call captured; dwcp_cb_finish
 * then creates the inactive persistent request. MPI_Start calls dwcp_pcoll_start.
 */
#define PCOLL_INIT(fn, comm, call)                                                                 \
    do {                                                                                           \
        DWCP_CHECK_INIT(fn);                                                                       \
        if (dwcp_pcoll_begin() != MPI_SUCCESS) {                                                   \
            return dwcp_err_comm(comm, MPI_ERR_NO_MEM, fn, "no memory");                           \
        }                                                                                          \
        return dwcp_pcoll_end(call);                                                               \
    } while (0)

/** Start capturing (MPI_ERR_NO_MEM when out of memory). */
int dwcp_pcoll_begin(void);
/** Stop capturing; frees a capture no request took. Returns @p rc. */
int dwcp_pcoll_end(int rc);
/** Is a capture in progress on this thread? */
int dwcp_pcoll_recording(void);
/** dwcp_cb_finish while capturing: discard @p s and publish the persistent request. */
int dwcp_pcoll_finish(const char *fn, dwcp_comm_t *c, dwcp_sched_t *s, MPI_Request *request);
/** MPI_Start of a persistent collective request. */
int dwcp_pcoll_start(const char *fn, dwcp_req_t *r);
/** Is @p r a persistent collective request? */
int dwcp_pcoll_is(const dwcp_req_t *r);

#endif
