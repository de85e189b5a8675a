/*
 * dwcp_coll.h — collective algorithms as schedule builders.
 *
 * Each builder appends the operations of one collective to a schedule (dwcp_sched.h) for the
 * calling rank; MPI_IN_PLACE has already been resolved by the binding (sendbuf == NULL means
 * "in place" here). Builders pick their algorithm by size and rank count; every one is
 * correct for any communicator size (including 1 and non-powers of two) and for
 * non-commutative operations (operands combined in rank order).
 */
#ifndef DWCP_COLL_H
#define DWCP_COLL_H

#include "dwcp_sched.h"

/** Buffer for @p count elements of @p dt owned by the schedule, addressed like a user buffer
 *  (the data of element 0 starts at the returned pointer + dt->true_lb). */
void *dwcp_coll_tmp(dwcp_sched_t *s, size_t count, dwcp_dt_t *dt);

dwcs_status_t dwcp_coll_barrier(dwcp_sched_t *s);
dwcs_status_t dwcp_coll_bcast(dwcp_sched_t *s, void *buf, size_t count, dwcp_dt_t *dt, int root);
/** recvbuf significant at root only; sendbuf NULL = in place (root's data is in recvbuf). */
dwcs_status_t dwcp_coll_reduce(dwcp_sched_t *s, const void *sendbuf, void *recvbuf, size_t count,
                               dwcp_dt_t *dt, dwcp_op_t *op, int root);
dwcs_status_t dwcp_coll_allreduce(dwcp_sched_t *s, const void *sendbuf, void *recvbuf,
                                  size_t count, dwcp_dt_t *dt, dwcp_op_t *op);
/** counts/displs NULL for the regular (non-v) forms. */
dwcs_status_t dwcp_coll_gatherv(dwcp_sched_t *s, const void *sendbuf, size_t scount,
                                dwcp_dt_t *sdt, void *recvbuf, const int *rcounts,
                                const int *displs, size_t rcount, dwcp_dt_t *rdt, int root);
dwcs_status_t dwcp_coll_scatterv(dwcp_sched_t *s, const void *sendbuf, const int *scounts,
                                 const int *displs, size_t scount, dwcp_dt_t *sdt,
                                 void *recvbuf, size_t rcount, dwcp_dt_t *rdt, int root);
dwcs_status_t dwcp_coll_allgatherv(dwcp_sched_t *s, const void *sendbuf, size_t scount,
                                   dwcp_dt_t *sdt, void *recvbuf, const int *rcounts,
                                   const int *displs, size_t rcount, dwcp_dt_t *rdt);
/** Alltoall(v/w): per-peer counts, byte or element displacements and types (w form). */
dwcs_status_t dwcp_coll_alltoallw(dwcp_sched_t *s, const void *sendbuf, const size_t *scounts,
                                  const MPI_Aint *sdispls, dwcp_dt_t *const *sdts, void *recvbuf,
                                  const size_t *rcounts, const MPI_Aint *rdispls,
                                  dwcp_dt_t *const *rdts);
dwcs_status_t dwcp_coll_reduce_scatter(dwcp_sched_t *s, const void *sendbuf, void *recvbuf,
                                       const int *rcounts, dwcp_dt_t *dt, dwcp_op_t *op);
/** Inclusive (exclusive = 0) or exclusive (1) prefix reduction. */
dwcs_status_t dwcp_coll_scan(dwcp_sched_t *s, const void *sendbuf, void *recvbuf, size_t count,
                             dwcp_dt_t *dt, dwcp_op_t *op, int exclusive);

#endif
