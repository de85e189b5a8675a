/*
 * Collectives on intercommunicators (see dwcp_coll_table.h).
 *
 * Rooted and reducing collectives run a local phase on the hidden intracommunicator over the
 * local group (c->local, reusing the intracommunicator builders through dwcp_sched_set_comm)
 * and an exchange between the two leaders (local rank 0 of each group) on the
 * intercommunicator, all in one schedule. Gather(v), Scatter(v), Allgather(v) and
 * Alltoall(v/w) send each block straight to the remote process that owns it.
 */
#include <stdlib.h>

#include "dwcp_coll_table.h"

#define TRY(x)                                                                                     \
    do {                                                                                           \
        dwcs_status_t st_ = (x);                                                                   \
        if (st_ != DWCS_OK) {                                                                      \
            return st_;                                                                            \
        }                                                                                          \
    } while (0)

/* Run an intracommunicator builder call on the local group, then close the round. */
#define LOCAL(s, c, call)                                                                          \
    do {                                                                                           \
        dwcp_sched_set_comm((s), (c)->local);                                                      \
        dwcs_status_t lst_ = (call);                                                               \
        dwcp_sched_set_comm((s), NULL);                                                            \
        TRY(lst_);                                                                                 \
        TRY(dwcp_sched_round(s));                                                                  \
    } while (0)

static dwcs_status_t no_local(dwcp_comm_t *c)
{
    if (c->local == NULL || c->remote == NULL) {
        DWCS_ERROR("intercommunicator without its local communicator");
        return DWCS_ERR_INTERNAL;
    }
    return DWCS_OK;
}

dwcs_status_t dwcp_coll_inter_barrier(dwcp_sched_t *s)
{
    dwcp_comm_t *c = dwcp_sched_comm(s);
    dwcp_dt_t *bytes = dwcp_dt_get(MPI_BYTE);
    TRY(no_local(c));
    /* everyone local has arrived → leaders swap a token → the leader releases its group */
    LOCAL(s, c, dwcp_coll_barrier(s));
    if (c->rank == 0) {
        TRY(dwcp_sched_send(s, NULL, 0, bytes, 0));
        TRY(dwcp_sched_recv(s, NULL, 0, bytes, 0));
        TRY(dwcp_sched_round(s));
    }
    LOCAL(s, c, dwcp_coll_barrier(s));
    return DWCS_OK;
}

dwcs_status_t dwcp_coll_inter_bcast(dwcp_sched_t *s, void *buf, size_t count, dwcp_dt_t *dt,
                                    int root)
{
    dwcp_comm_t *c = dwcp_sched_comm(s);
    TRY(no_local(c));
    if (root == MPI_PROC_NULL) {
        return DWCS_OK;
    }
    if (root == MPI_ROOT) {
        TRY(dwcp_sched_send(s, buf, count, dt, 0));
        return dwcp_sched_round(s);
    }
    if (c->rank == 0) {
        TRY(dwcp_sched_recv(s, buf, count, dt, root));
        TRY(dwcp_sched_round(s));
    }
    LOCAL(s, c, dwcp_coll_bcast(s, buf, count, dt, 0));
    return DWCS_OK;
}

/* Reduce the local group's contributions to local rank 0; returns the result buffer there
 * (NULL elsewhere) in *out. */
static dwcs_status_t local_reduce(dwcp_sched_t *s, dwcp_comm_t *c, const void *sendbuf,
                                  size_t count, dwcp_dt_t *dt, dwcp_op_t *op, void **out)
{
    void *acc = NULL;
    if (c->rank == 0) {
        acc = dwcp_coll_tmp(s, count, dt);
        if (acc == NULL) {
            return DWCS_ERR_NO_MEMORY;
        }
    }
    LOCAL(s, c, dwcp_coll_reduce(s, sendbuf, acc, count, dt, op, 0));
    *out = acc;
    return DWCS_OK;
}

dwcs_status_t dwcp_coll_inter_reduce(dwcp_sched_t *s, const void *sendbuf, void *recvbuf,
                                     size_t count, dwcp_dt_t *dt, dwcp_op_t *op, int root)
{
    dwcp_comm_t *c = dwcp_sched_comm(s);
    void *acc;
    TRY(no_local(c));
    if (root == MPI_PROC_NULL) {
        return DWCS_OK;
    }
    if (root == MPI_ROOT) {
        TRY(dwcp_sched_recv(s, recvbuf, count, dt, 0));
        return dwcp_sched_round(s);
    }
    TRY(local_reduce(s, c, sendbuf, count, dt, op, &acc));
    if (c->rank == 0) {
        TRY(dwcp_sched_send(s, acc, count, dt, root));
        TRY(dwcp_sched_round(s));
    }
    return DWCS_OK;
}

dwcs_status_t dwcp_coll_inter_allreduce(dwcp_sched_t *s, const void *sendbuf, void *recvbuf,
                                        size_t count, dwcp_dt_t *dt, dwcp_op_t *op)
{
    dwcp_comm_t *c = dwcp_sched_comm(s);
    void *acc;
    TRY(no_local(c));
    TRY(local_reduce(s, c, sendbuf, count, dt, op, &acc));
    if (c->rank == 0) {
        TRY(dwcp_sched_send(s, acc, count, dt, 0));
        TRY(dwcp_sched_recv(s, recvbuf, count, dt, 0));
        TRY(dwcp_sched_round(s));
    }
    LOCAL(s, c, dwcp_coll_bcast(s, recvbuf, count, dt, 0));
    return DWCS_OK;
}

dwcs_status_t dwcp_coll_inter_gatherv(dwcp_sched_t *s, const void *sendbuf, size_t scount,
                                      dwcp_dt_t *sdt, void *recvbuf, const int *rcounts,
                                      const int *displs, size_t rcount, dwcp_dt_t *rdt, int root)
{
    dwcp_comm_t *c = dwcp_sched_comm(s);
    int i;
    if (root == MPI_PROC_NULL) {
        return DWCS_OK;
    }
    if (root != MPI_ROOT) {
        TRY(dwcp_sched_send(s, sendbuf, scount, sdt, root));
        return dwcp_sched_round(s);
    }
    for (i = 0; i < c->remote->size; i++) {
        size_t n = rcounts ? (size_t)rcounts[i] : rcount;
        MPI_Aint d = displs ? displs[i] : (MPI_Aint)i * (MPI_Aint)rcount;
        TRY(dwcp_sched_recv(s, (char *)recvbuf + d * rdt->extent, n, rdt, i));
    }
    return dwcp_sched_round(s);
}

dwcs_status_t dwcp_coll_inter_scatterv(dwcp_sched_t *s, const void *sendbuf, const int *scounts,
                                       const int *displs, size_t scount, dwcp_dt_t *sdt,
                                       void *recvbuf, size_t rcount, dwcp_dt_t *rdt, int root)
{
    dwcp_comm_t *c = dwcp_sched_comm(s);
    int i;
    if (root == MPI_PROC_NULL) {
        return DWCS_OK;
    }
    if (root != MPI_ROOT) {
        TRY(dwcp_sched_recv(s, recvbuf, rcount, rdt, root));
        return dwcp_sched_round(s);
    }
    for (i = 0; i < c->remote->size; i++) {
        size_t n = scounts ? (size_t)scounts[i] : scount;
        MPI_Aint d = displs ? displs[i] : (MPI_Aint)i * (MPI_Aint)scount;
        TRY(dwcp_sched_send(s, (const char *)sendbuf + d * sdt->extent, n, sdt, i));
    }
    return dwcp_sched_round(s);
}

dwcs_status_t dwcp_coll_inter_allgatherv(dwcp_sched_t *s, const void *sendbuf, size_t scount,
                                         dwcp_dt_t *sdt, void *recvbuf, const int *rcounts,
                                         const int *displs, size_t rcount, dwcp_dt_t *rdt)
{
    dwcp_comm_t *c = dwcp_sched_comm(s);
    int i, p = c->remote->size;
    /* everyone starts with a different remote peer to spread the load */
    for (i = 0; i < p; i++) {
        int peer = (c->rank + i) % p;
        size_t n = rcounts ? (size_t)rcounts[peer] : rcount;
        MPI_Aint d = displs ? displs[peer] : (MPI_Aint)peer * (MPI_Aint)rcount;
        TRY(dwcp_sched_recv(s, (char *)recvbuf + d * rdt->extent, n, rdt, peer));
        TRY(dwcp_sched_send(s, sendbuf, scount, sdt, peer));
    }
    return dwcp_sched_round(s);
}

dwcs_status_t dwcp_coll_inter_alltoallw(dwcp_sched_t *s, const void *sendbuf, const size_t *scounts,
                                        const MPI_Aint *sdispls, dwcp_dt_t *const *sdts,
                                        void *recvbuf, const size_t *rcounts,
                                        const MPI_Aint *rdispls, dwcp_dt_t *const *rdts)
{
    dwcp_comm_t *c = dwcp_sched_comm(s);
    int i, p = c->remote->size;
    for (i = 0; i < p; i++) {
        int peer = (c->rank + i) % p;
        TRY(dwcp_sched_recv(s, (char *)recvbuf + rdispls[peer], rcounts[peer], rdts[peer], peer));
        TRY(dwcp_sched_send(s, (const char *)sendbuf + sdispls[peer], scounts[peer], sdts[peer],
                            peer));
    }
    return dwcp_sched_round(s);
}

dwcs_status_t dwcp_coll_inter_reduce_scatter(dwcp_sched_t *s, const void *sendbuf, void *recvbuf,
                                             const int *rcounts, dwcp_dt_t *dt, dwcp_op_t *op)
{
    dwcp_comm_t *c = dwcp_sched_comm(s);
    int i, n = c->size;
    size_t total = 0;
    void *acc, *remote = NULL;
    TRY(no_local(c));
    int *displs = dwcp_sched_alloc(s, sizeof(int) * (size_t)n);
    if (displs == NULL) {
        return DWCS_ERR_NO_MEMORY;
    }
    for (i = 0; i < n; i++) {
        displs[i] = (int)total;
        total += (size_t)rcounts[i];
    }
    /* my group's vector to my leader, leaders swap, my leader scatters the other group's */
    TRY(local_reduce(s, c, sendbuf, total, dt, op, &acc));
    if (c->rank == 0) {
        remote = dwcp_coll_tmp(s, total, dt);
        if (remote == NULL) {
            return DWCS_ERR_NO_MEMORY;
        }
        TRY(dwcp_sched_send(s, acc, total, dt, 0));
        TRY(dwcp_sched_recv(s, remote, total, dt, 0));
        TRY(dwcp_sched_round(s));
    }
    LOCAL(s, c,
          dwcp_coll_scatterv(s, remote, rcounts, displs, 0, dt, recvbuf, (size_t)rcounts[c->rank],
                             dt, 0));
    return DWCS_OK;
}
