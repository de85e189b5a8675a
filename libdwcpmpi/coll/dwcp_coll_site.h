/*
 * dwcp_coll_site.h — two-level collectives for communicators spanning several sites
 * (intra-site phase, one exchange among site leaders, intra-site phase). Same conventions as
 * dwcp_coll.h. Reductions here require commutative operations.
 */
#ifndef DWCP_COLL_SITE_H
#define DWCP_COLL_SITE_H

#include "dwcp_coll.h"

/** Number of distinct sites among the ranks of @p c (1 for intercommunicators); cached. */
int dwcp_coll_site_count(dwcp_comm_t *c);

/** Whether collectives on @p c use the two-level algorithms (spans sites, enabled). */
int dwcp_coll_use_sites(dwcp_comm_t *c);

dwcs_status_t dwcp_coll_site_barrier(dwcp_sched_t *s);
dwcs_status_t dwcp_coll_site_bcast(dwcp_sched_t *s, void *buf, size_t count, dwcp_dt_t *dt,
                                   int root);
dwcs_status_t dwcp_coll_site_reduce(dwcp_sched_t *s, const void *sendbuf, void *recvbuf,
                                    size_t count, dwcp_dt_t *dt, dwcp_op_t *op, int root);
dwcs_status_t dwcp_coll_site_allreduce(dwcp_sched_t *s, const void *sendbuf, void *recvbuf,
                                       size_t count, dwcp_dt_t *dt, dwcp_op_t *op);
dwcs_status_t dwcp_coll_site_allgatherv(dwcp_sched_t *s, const void *sendbuf, size_t scount,
                                        dwcp_dt_t *sdt, void *recvbuf, const int *rcounts,
                                        const int *displs, size_t rcount, dwcp_dt_t *rdt);

#endif
