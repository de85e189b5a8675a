/*
 * dwcp_coll_nbr.h — neighbourhood collectives as schedule builders.
 */
#ifndef DWCP_COLL_NBR_H
#define DWCP_COLL_NBR_H

#include "dwcp_coll.h"

/**
 * The general neighbourhood exchange (Neighbor_allgather(v) and Neighbor_alltoall(v/w) are
 * special cases): receive block i (@p rcounts[i] of @p rdts[i] at byte offset @p rdispls[i])
 * from in-neighbour @p in[i], send block j to out-neighbour @p out[j]. MPI_PROC_NULL
 * neighbours are skipped (their receive blocks stay untouched). @p cart: the lists are
 * Cartesian (-1, +1 pairs per dimension); sends then go out +1 first so that with a periodic
 * dimension of size 1 or 2 (both neighbours the same process) each block still lands in the
 * right place.
 */
dwcs_status_t dwcp_coll_neighbor(dwcp_sched_t *s, int cart, int nin, const int *in, int nout,
                                 const int *out, const void *sendbuf, const size_t *scounts,
                                 const MPI_Aint *sdispls, dwcp_dt_t *const *sdts, void *recvbuf,
                                 const size_t *rcounts, const MPI_Aint *rdispls,
                                 dwcp_dt_t *const *rdts);

#endif
