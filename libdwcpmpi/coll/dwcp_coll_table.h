/*
 * dwcp_coll_table.h — per-communicator table of collective schedule builders.
 *
 * The bindings never call a builder directly: they look up dwcp_coll_table(c) and call its
 * entry. Without a private table (c->coll == NULL) intracommunicators use the default builders
 * of coll_algos.c and intercommunicators those of coll_inter.c. A module that knows better
 * for one communicator (e.g. a site-aware one) takes a private copy with
 * dwcp_coll_table_edit() and replaces entries; the copy is freed with the communicator.
 */
#ifndef DWCP_COLL_TABLE_H
#define DWCP_COLL_TABLE_H

#include "dwcp_coll.h"

typedef struct dwcp_coll_table {
    dwcs_status_t (*barrier)(dwcp_sched_t *s);
    dwcs_status_t (*bcast)(dwcp_sched_t *s, void *buf, size_t count, dwcp_dt_t *dt, int root);
    dwcs_status_t (*reduce)(dwcp_sched_t *s, const void *sendbuf, void *recvbuf, size_t count,
                            dwcp_dt_t *dt, dwcp_op_t *op, int root);
    dwcs_status_t (*allreduce)(dwcp_sched_t *s, const void *sendbuf, void *recvbuf, size_t count,
                               dwcp_dt_t *dt, dwcp_op_t *op);
    dwcs_status_t (*gatherv)(dwcp_sched_t *s, const void *sendbuf, size_t scount, dwcp_dt_t *sdt,
                             void *recvbuf, const int *rcounts, const int *displs, size_t rcount,
                             dwcp_dt_t *rdt, int root);
    dwcs_status_t (*scatterv)(dwcp_sched_t *s, const void *sendbuf, const int *scounts,
                              const int *displs, size_t scount, dwcp_dt_t *sdt, void *recvbuf,
                              size_t rcount, dwcp_dt_t *rdt, int root);
    dwcs_status_t (*allgatherv)(dwcp_sched_t *s, const void *sendbuf, size_t scount, dwcp_dt_t *sdt,
                                void *recvbuf, const int *rcounts, const int *displs, size_t rcount,
                                dwcp_dt_t *rdt);
    dwcs_status_t (*alltoallw)(dwcp_sched_t *s, const void *sendbuf, const size_t *scounts,
                               const MPI_Aint *sdispls, dwcp_dt_t *const *sdts, void *recvbuf,
                               const size_t *rcounts, const MPI_Aint *rdispls,
                               dwcp_dt_t *const *rdts);
    dwcs_status_t (*reduce_scatter)(dwcp_sched_t *s, const void *sendbuf, void *recvbuf,
                                    const int *rcounts, dwcp_dt_t *dt, dwcp_op_t *op);
    /** NULL on intercommunicators (Scan/Exscan are erroneous there). */
    dwcs_status_t (*scan)(dwcp_sched_t *s, const void *sendbuf, void *recvbuf, size_t count,
                          dwcp_dt_t *dt, dwcp_op_t *op, int exclusive);
} dwcp_coll_table_t;

/** Default builders for intracommunicators (coll_algos.c). */
extern const dwcp_coll_table_t dwcp_coll_intra_table;
/** Default builders for intercommunicators (coll_inter.c). */
extern const dwcp_coll_table_t dwcp_coll_inter_table;

/** The table of @p c: its private one, else the default for its kind. */
const dwcp_coll_table_t *dwcp_coll_table(const dwcp_comm_t *c);

/**
 * Make dwcp_coll_table() return @p intra / @p inter for every communicator on this thread
 * (NULL, NULL: back to normal). Used by persistent-collective *_init bindings to capture the
 * builder call of a binding instead of building a schedule.
 */
void dwcp_coll_table_record(const dwcp_coll_table_t *intra, const dwcp_coll_table_t *inter);

/** A private, writable table for @p c (created from the default on first use; NULL when out
 *  of memory). Freed when the communicator is destroyed. */
dwcp_coll_table_t *dwcp_coll_table_edit(dwcp_comm_t *c);

/* Intercommunicator builders (coll_inter.c). Roots follow MPI: MPI_ROOT at the root, MPI_PROC_NULL
 * at the other members of the root's group, the root's rank in the remote group elsewhere. */
dwcs_status_t dwcp_coll_inter_barrier(dwcp_sched_t *s);
dwcs_status_t dwcp_coll_inter_bcast(dwcp_sched_t *s, void *buf, size_t count, dwcp_dt_t *dt,
                                    int root);
dwcs_status_t dwcp_coll_inter_reduce(dwcp_sched_t *s, const void *sendbuf, void *recvbuf,
                                     size_t count, dwcp_dt_t *dt, dwcp_op_t *op, int root);
dwcs_status_t dwcp_coll_inter_allreduce(dwcp_sched_t *s, const void *sendbuf, void *recvbuf,
                                        size_t count, dwcp_dt_t *dt, dwcp_op_t *op);
dwcs_status_t dwcp_coll_inter_gatherv(dwcp_sched_t *s, const void *sendbuf, size_t scount,
                                      dwcp_dt_t *sdt, void *recvbuf, const int *rcounts,
                                      const int *displs, size_t rcount, dwcp_dt_t *rdt, int root);
dwcs_status_t dwcp_coll_inter_scatterv(dwcp_sched_t *s, const void *sendbuf, const int *scounts,
                                       const int *displs, size_t scount, dwcp_dt_t *sdt,
                                       void *recvbuf, size_t rcount, dwcp_dt_t *rdt, int root);
dwcs_status_t dwcp_coll_inter_allgatherv(dwcp_sched_t *s, const void *sendbuf, size_t scount,
                                         dwcp_dt_t *sdt, void *recvbuf, const int *rcounts,
                                         const int *displs, size_t rcount, dwcp_dt_t *rdt);
dwcs_status_t dwcp_coll_inter_alltoallw(dwcp_sched_t *s, const void *sendbuf, const size_t *scounts,
                                        const MPI_Aint *sdispls, dwcp_dt_t *const *sdts,
                                        void *recvbuf, const size_t *rcounts,
                                        const MPI_Aint *rdispls, dwcp_dt_t *const *rdts);
/** @p rcounts: local group size entries; the input vector has their sum of elements. */
dwcs_status_t dwcp_coll_inter_reduce_scatter(dwcp_sched_t *s, const void *sendbuf, void *recvbuf,
                                             const int *rcounts, dwcp_dt_t *dt, dwcp_op_t *op);

#endif
