/* Collective algorithms on intracommunicators (see dwcp_coll.h). */
#include <stdlib.h>
#include <string.h>

#include "dwcp_coll.h"
#include "dwcp_coll_site.h"

#define TRY(x)                                                                                     \
    do {                                                                                           \
        dwcs_status_t st_ = (x);                                                                   \
        if (st_ != DWCS_OK) {                                                                      \
            return st_;                                                                            \
        }                                                                                          \
    } while (0)

/* Element @p i of a typed buffer. */
static inline void *elem(const void *buf, size_t i, const dwcp_dt_t *dt)
{
    return (char *)buf + (MPI_Aint)i * dt->extent;
}

void *dwcp_coll_tmp(dwcp_sched_t *s, size_t count, dwcp_dt_t *dt)
{
    /* Room for the true extent of the data and for whole extents (kernels of pair types read
     * an element's padding too). */
    MPI_Aint ext = dt->extent < 0 ? -dt->extent : dt->extent;
    MPI_Aint span = (dt->true_ub - dt->true_lb) + (MPI_Aint)(count ? count : 1) * ext;
    char *b = dwcp_sched_alloc(s, span > 0 ? (size_t)span : 1);
    return b ? b - dt->true_lb : NULL;
}

/* Large sizes switch to bandwidth-oriented algorithms. */
#define LARGE_BYTES (64 * 1024)

/*
 * Scatter + ring allgather moves (p-1)/p of the data through each rank instead of all of it,
 * but takes log2(p) + p - 1 message steps (each a rendezvous for large pieces) instead of
 * log2(p). Below 8 ranks the steps cost more than the bytes saved (as in MPICH's choice):
 * 1 MiB on 4 ranks took ~1.4-1.7x the binomial tree's time here.
 */
#define BCAST_SCATTER_MIN_RANKS 8

/* Communicators up to this size use the flat tree for every message size (bcast_flat). */
#define BCAST_FLAT_MAX_RANKS 4

dwcs_status_t dwcp_coll_barrier(dwcp_sched_t *s)
{
    /* Dissemination: ceil(log2 p) rounds of empty messages. */
    dwcp_comm_t *c = dwcp_sched_comm(s);
    int p = c->size, r = c->rank, k;
    dwcp_dt_t *bytes = dwcp_dt_get(MPI_BYTE);
    if (dwcp_coll_use_sites(c)) {
        return dwcp_coll_site_barrier(s);
    }
    for (k = 1; k < p; k <<= 1) {
        TRY(dwcp_sched_send(s, NULL, 0, bytes, (r + k) % p));
        TRY(dwcp_sched_recv(s, NULL, 0, bytes, (r - k + p) % p));
        TRY(dwcp_sched_round(s));
    }
    return DWCS_OK;
}

/* Binomial tree broadcast with relative ranks. */
static dwcs_status_t bcast_binomial(dwcp_sched_t *s, void *buf, size_t count, dwcp_dt_t *dt,
                                    int root)
{
    dwcp_comm_t *c = dwcp_sched_comm(s);
    int p = c->size, vr = (c->rank - root + p) % p, mask = 1;
    while (mask < p) {
        if (vr & mask) {
            TRY(dwcp_sched_recv(s, buf, count, dt, (vr - mask + root) % p));
            TRY(dwcp_sched_round(s));
            break;
        }
        mask <<= 1;
    }
    for (mask >>= 1; mask > 0; mask >>= 1) {
        if (vr + mask < p) {
            TRY(dwcp_sched_send(s, buf, count, dt, (vr + mask + root) % p));
        }
    }
    return dwcp_sched_round(s);
}

/*
 * Flat tree: the root sends to every other rank in one round. Every rank then waits for the
 * root only, never for an intermediate rank to be scheduled and forward: with more ranks than
 * cores (4 ranks on 2), an 8-byte bcast's slowest rank took ~0.3-8 µs instead of ~14 µs for
 * the binomial tree, and 1 MiB ~325-340 µs instead of ~360-560 µs (the receivers pull their
 * copies in parallel). The root's extra sends cost little up to BCAST_FLAT_MAX_RANKS.
 */
static dwcs_status_t bcast_flat(dwcp_sched_t *s, void *buf, size_t count, dwcp_dt_t *dt, int root)
{
    dwcp_comm_t *c = dwcp_sched_comm(s);
    int p = c->size, i;
    if (c->rank != root) {
        TRY(dwcp_sched_recv(s, buf, count, dt, root));
        return dwcp_sched_round(s);
    }
    for (i = 1; i < p; i++) {
        TRY(dwcp_sched_send(s, buf, count, dt, (root + i) % p));
    }
    return dwcp_sched_round(s);
}

/* Scatter of blocks down the binomial tree, then a ring allgather (large messages). */
static dwcs_status_t bcast_scatter_ring(dwcp_sched_t *s, void *buf, size_t count, dwcp_dt_t *dt,
                                        int root)
{
    dwcp_comm_t *c = dwcp_sched_comm(s);
    int p = c->size, vr = (c->rank - root + p) % p, mask = 1, i;
    size_t *off = malloc(sizeof(size_t) * (size_t)(p + 1));
    if (off == NULL) {
        return DWCS_ERR_NO_MEMORY;
    }
    for (i = 0; i <= p; i++) {
        off[i] = count * (size_t)i / (size_t)p; /* block i (relative rank i) */
    }
    /* Scatter: a node with relative rank vr owns blocks [vr, vr + subtree size). */
    while (mask < p) {
        if (vr & mask) {
            int hi = vr + mask < p ? vr + mask : p;
            TRY(dwcp_sched_recv(s, elem(buf, off[vr], dt), off[hi] - off[vr], dt,
                                (vr - mask + root) % p));
            TRY(dwcp_sched_round(s));
            break;
        }
        mask <<= 1;
    }
    for (mask >>= 1; mask > 0; mask >>= 1) {
        if (vr + mask < p) {
            int lo = vr + mask, hi = vr + 2 * mask < p ? vr + 2 * mask : p;
            TRY(dwcp_sched_send(s, elem(buf, off[lo], dt), off[hi] - off[lo], dt,
                                (lo + root) % p));
        }
    }
    TRY(dwcp_sched_round(s));
    /* Ring allgather of the blocks. */
    int right = (vr + 1) % p, left = (vr - 1 + p) % p;
    for (i = 0; i < p - 1; i++) {
        int sb = (vr - i + p) % p, rb = (vr - i - 1 + 2 * p) % p;
        TRY(dwcp_sched_send(s, elem(buf, off[sb], dt), off[sb + 1] - off[sb], dt,
                            (right + root) % p));
        TRY(dwcp_sched_recv(s, elem(buf, off[rb], dt), off[rb + 1] - off[rb], dt,
                            (left + root) % p));
        TRY(dwcp_sched_round(s));
    }
    free(off);
    return DWCS_OK;
}

dwcs_status_t dwcp_coll_bcast(dwcp_sched_t *s, void *buf, size_t count, dwcp_dt_t *dt, int root)
{
    dwcp_comm_t *c = dwcp_sched_comm(s);
    if (c->size == 1 || count == 0) {
        return DWCS_OK;
    }
    if (dwcp_coll_use_sites(c)) {
        return dwcp_coll_site_bcast(s, buf, count, dt, root);
    }
    if (c->size <= BCAST_FLAT_MAX_RANKS) {
        return bcast_flat(s, buf, count, dt, root);
    }
    if (count * dt->size >= LARGE_BYTES && c->size >= BCAST_SCATTER_MIN_RANKS &&
        count >= (size_t)c->size) {
        return bcast_scatter_ring(s, buf, count, dt, root);
    }
    return bcast_binomial(s, buf, count, dt, root);
}

/*
 * Binomial reduce to relative rank 0. For commutative ops any root works directly; for
 * non-commutative ones the tree is rooted at rank 0 (which keeps operands in rank order) and
 * the result is forwarded to the root.
 */
dwcs_status_t dwcp_coll_reduce(dwcp_sched_t *s, const void *sendbuf, void *recvbuf, size_t count,
                               dwcp_dt_t *dt, dwcp_op_t *op, int root)
{
    dwcp_comm_t *c = dwcp_sched_comm(s);
    int p = c->size, me = c->rank;
    int troot = op->commute ? root : 0;
    if (op->commute && dwcp_coll_use_sites(c)) {
        return dwcp_coll_site_reduce(s, sendbuf, recvbuf, count, dt, op, root);
    }
    int vr = (me - troot + p) % p, mask;
    /* acc: this rank's running result */
    void *acc;
    if (me == root) {
        acc = recvbuf;
        if (sendbuf != NULL) {
            TRY(dwcp_sched_copy(s, sendbuf, count, dt, recvbuf, count, dt));
        }
    } else {
        acc = dwcp_coll_tmp(s, count, dt);
        if (acc == NULL) {
            return DWCS_ERR_NO_MEMORY;
        }
        TRY(dwcp_sched_copy(s, sendbuf, count, dt, acc, count, dt));
    }
    TRY(dwcp_sched_round(s));
    if (p == 1) {
        return DWCS_OK;
    }
    /* Children: vr + mask for each mask below vr's lowest set bit, in ascending order. */
    for (mask = 1; mask < p; mask <<= 1) {
        if (vr & mask) {
            break;
        }
        if (vr + mask < p) {
            void *t = dwcp_coll_tmp(s, count, dt);
            if (t == NULL) {
                return DWCS_ERR_NO_MEMORY;
            }
            TRY(dwcp_sched_recv(s, t, count, dt, (vr + mask + troot) % p));
            /* acc (lower ranks) op child (higher ranks), result into acc */
            if (op->commute) {
                TRY(dwcp_sched_reduce(s, t, acc, count, dt, op));
            } else {
                TRY(dwcp_sched_reduce(s, acc, t, count, dt, op));
                TRY(dwcp_sched_copy(s, t, count, dt, acc, count, dt));
            }
            TRY(dwcp_sched_round(s));
        }
    }
    if (vr != 0) {
        TRY(dwcp_sched_send(s, acc, count, dt, (vr - (vr & -vr) + troot) % p));
        TRY(dwcp_sched_round(s));
    } else if (troot != root) {
        TRY(dwcp_sched_send(s, acc, count, dt, root));
        TRY(dwcp_sched_round(s));
    }
    if (me == root && troot != root) {
        TRY(dwcp_sched_recv(s, recvbuf, count, dt, troot));
        TRY(dwcp_sched_round(s));
    }
    return DWCS_OK;
}

/* Recursive doubling with a fold for the ranks beyond the largest power of two. */
static dwcs_status_t allreduce_rd(dwcp_sched_t *s, void *acc, size_t count, dwcp_dt_t *dt,
                                  dwcp_op_t *op)
{
    dwcp_comm_t *c = dwcp_sched_comm(s);
    int p = c->size, r = c->rank, pof2 = 1, rem, newr, mask;
    while (pof2 * 2 <= p) {
        pof2 *= 2;
    }
    rem = p - pof2;
    void *t = dwcp_coll_tmp(s, count, dt);
    if (t == NULL) {
        return DWCS_ERR_NO_MEMORY;
    }
    if (r < 2 * rem) {
        if (r % 2 == 0) {
            TRY(dwcp_sched_send(s, acc, count, dt, r + 1));
            newr = -1;
        } else {
            TRY(dwcp_sched_recv(s, t, count, dt, r - 1));
            TRY(dwcp_sched_reduce(s, t, acc, count, dt, op)); /* x[r-1] op x[r] */
            newr = r / 2;
        }
        TRY(dwcp_sched_round(s));
    } else {
        newr = r - rem;
    }
    if (newr >= 0) {
        for (mask = 1; mask < pof2; mask <<= 1) {
            int pn = newr ^ mask;
            int partner = pn < rem ? pn * 2 + 1 : pn + rem;
            TRY(dwcp_sched_send(s, acc, count, dt, partner));
            TRY(dwcp_sched_recv(s, t, count, dt, partner));
            if (partner < r || op->commute) {
                TRY(dwcp_sched_reduce(s, t, acc, count, dt, op));
            } else {
                TRY(dwcp_sched_reduce(s, acc, t, count, dt, op));
                TRY(dwcp_sched_copy(s, t, count, dt, acc, count, dt));
            }
            TRY(dwcp_sched_round(s));
        }
    }
    if (r < 2 * rem) {
        if (r % 2 == 1) {
            TRY(dwcp_sched_send(s, acc, count, dt, r - 1));
        } else {
            TRY(dwcp_sched_recv(s, acc, count, dt, r + 1));
        }
        TRY(dwcp_sched_round(s));
    }
    return DWCS_OK;
}

/* Ring reduce-scatter + ring allgather (commutative ops, large vectors). */
static dwcs_status_t allreduce_ring(dwcp_sched_t *s, void *acc, size_t count, dwcp_dt_t *dt,
                                    dwcp_op_t *op)
{
    dwcp_comm_t *c = dwcp_sched_comm(s);
    int p = c->size, r = c->rank, i;
    int right = (r + 1) % p, left = (r - 1 + p) % p;
    size_t *off = malloc(sizeof(size_t) * (size_t)(p + 1));
    if (off == NULL) {
        return DWCS_ERR_NO_MEMORY;
    }
    for (i = 0; i <= p; i++) {
        off[i] = count * (size_t)i / (size_t)p;
    }
    void *t = dwcp_coll_tmp(s, off[1] + (count % (size_t)p) + 1, dt);
    if (t == NULL) {
        free(off);
        return DWCS_ERR_NO_MEMORY;
    }
    for (i = 0; i < p - 1; i++) {
        int sb = (r - i + p) % p, rb = (r - i - 1 + 2 * p) % p;
        size_t rn = off[rb + 1] - off[rb];
        TRY(dwcp_sched_send(s, elem(acc, off[sb], dt), off[sb + 1] - off[sb], dt, right));
        TRY(dwcp_sched_recv(s, t, rn, dt, left));
        TRY(dwcp_sched_reduce(s, t, elem(acc, off[rb], dt), rn, dt, op));
        TRY(dwcp_sched_round(s));
    }
    for (i = 0; i < p - 1; i++) {
        int sb = (r + 1 - i + p) % p, rb = (r - i + p) % p;
        TRY(dwcp_sched_send(s, elem(acc, off[sb], dt), off[sb + 1] - off[sb], dt, right));
        TRY(dwcp_sched_recv(s, elem(acc, off[rb], dt), off[rb + 1] - off[rb], dt, left));
        TRY(dwcp_sched_round(s));
    }
    free(off);
    return DWCS_OK;
}

dwcs_status_t dwcp_coll_allreduce(dwcp_sched_t *s, const void *sendbuf, void *recvbuf,
                                  size_t count, dwcp_dt_t *dt, dwcp_op_t *op)
{
    dwcp_comm_t *c = dwcp_sched_comm(s);
    if (op->commute && count > 0 && dwcp_coll_use_sites(c)) {
        return dwcp_coll_site_allreduce(s, sendbuf, recvbuf, count, dt, op);
    }
    if (sendbuf != NULL) {
        TRY(dwcp_sched_copy(s, sendbuf, count, dt, recvbuf, count, dt));
        TRY(dwcp_sched_round(s));
    }
    if (c->size == 1 || count == 0) {
        return DWCS_OK;
    }
    if (op->commute && count * dt->size >= LARGE_BYTES && count >= (size_t)c->size &&
        c->size > 2) {
        return allreduce_ring(s, recvbuf, count, dt, op);
    }
    return allreduce_rd(s, recvbuf, count, dt, op);
}

dwcs_status_t dwcp_coll_gatherv(dwcp_sched_t *s, const void *sendbuf, size_t scount,
                                dwcp_dt_t *sdt, void *recvbuf, const int *rcounts,
                                const int *displs, size_t rcount, dwcp_dt_t *rdt, int root)
{
    dwcp_comm_t *c = dwcp_sched_comm(s);
    int i;
    if (c->rank != root) {
        TRY(dwcp_sched_send(s, sendbuf, scount, sdt, root));
        return dwcp_sched_round(s);
    }
    for (i = 0; i < c->size; i++) {
        size_t n = rcounts ? (size_t)rcounts[i] : rcount;
        MPI_Aint d = displs ? displs[i] : (MPI_Aint)i * (MPI_Aint)rcount;
        void *dst = (char *)recvbuf + d * rdt->extent;
        if (i == root) {
            if (sendbuf != NULL) {
                TRY(dwcp_sched_copy(s, sendbuf, scount, sdt, dst, n, rdt));
            }
        } else {
            TRY(dwcp_sched_recv(s, dst, n, rdt, i));
        }
    }
    return dwcp_sched_round(s);
}

dwcs_status_t dwcp_coll_scatterv(dwcp_sched_t *s, const void *sendbuf, const int *scounts,
                                 const int *displs, size_t scount, dwcp_dt_t *sdt,
                                 void *recvbuf, size_t rcount, dwcp_dt_t *rdt, int root)
{
    dwcp_comm_t *c = dwcp_sched_comm(s);
    int i;
    if (c->rank != root) {
        TRY(dwcp_sched_recv(s, recvbuf, rcount, rdt, root));
        return dwcp_sched_round(s);
    }
    for (i = 0; i < c->size; i++) {
        size_t n = scounts ? (size_t)scounts[i] : scount;
        MPI_Aint d = displs ? displs[i] : (MPI_Aint)i * (MPI_Aint)scount;
        const void *src = (const char *)sendbuf + d * sdt->extent;
        if (i == root) {
            if (recvbuf != NULL) {
                TRY(dwcp_sched_copy(s, src, n, sdt, recvbuf, rcount, rdt));
            }
        } else {
            TRY(dwcp_sched_send(s, src, n, sdt, i));
        }
    }
    return dwcp_sched_round(s);
}

dwcs_status_t dwcp_coll_allgatherv(dwcp_sched_t *s, const void *sendbuf, size_t scount,
                                   dwcp_dt_t *sdt, void *recvbuf, const int *rcounts,
                                   const int *displs, size_t rcount, dwcp_dt_t *rdt)
{
    dwcp_comm_t *c = dwcp_sched_comm(s);
    int p = c->size, r = c->rank, i;
    if (dwcp_coll_use_sites(c)) {
        return dwcp_coll_site_allgatherv(s, sendbuf, scount, sdt, recvbuf, rcounts, displs,
                                         rcount, rdt);
    }
#define BLK(i) ((char *)recvbuf + (displs ? displs[i] : (MPI_Aint)(i) * (MPI_Aint)rcount) * rdt->extent)
#define CNT(i) (rcounts ? (size_t)rcounts[i] : rcount)
    if (sendbuf != NULL) {
        TRY(dwcp_sched_copy(s, sendbuf, scount, sdt, BLK(r), CNT(r), rdt));
        TRY(dwcp_sched_round(s));
    }
    if (p == 1) {
        return DWCS_OK;
    }
    /* Small totals: everyone sends its block to everyone in one round; else a ring. */
    size_t total = 0;
    for (i = 0; i < p; i++) {
        total += CNT(i) * rdt->size;
    }
    if (total <= 8192 || p <= 3) {
        for (i = 0; i < p; i++) {
            if (i != r) {
                TRY(dwcp_sched_send(s, BLK(r), CNT(r), rdt, i));
                TRY(dwcp_sched_recv(s, BLK(i), CNT(i), rdt, i));
            }
        }
        return dwcp_sched_round(s);
    }
    int right = (r + 1) % p, left = (r - 1 + p) % p;
    for (i = 0; i < p - 1; i++) {
        int sb = (r - i + p) % p, rb = (r - i - 1 + 2 * p) % p;
        TRY(dwcp_sched_send(s, BLK(sb), CNT(sb), rdt, right));
        TRY(dwcp_sched_recv(s, BLK(rb), CNT(rb), rdt, left));
        TRY(dwcp_sched_round(s));
    }
#undef BLK
#undef CNT
    return DWCS_OK;
}

dwcs_status_t dwcp_coll_alltoallw(dwcp_sched_t *s, const void *sendbuf, const size_t *scounts,
                                  const MPI_Aint *sdispls, dwcp_dt_t *const *sdts, void *recvbuf,
                                  const size_t *rcounts, const MPI_Aint *rdispls,
                                  dwcp_dt_t *const *rdts)
{
    dwcp_comm_t *c = dwcp_sched_comm(s);
    int p = c->size, r = c->rank, i;
    if (sendbuf == NULL) {
        /* In place: stage a copy of the receive buffer's outgoing blocks first. */
        size_t total = 0;
        for (i = 0; i < p; i++) {
            total += rcounts[i] * rdts[i]->size;
        }
        char *stage = dwcp_sched_alloc(s, total ? total : 1);
        if (stage == NULL) {
            return DWCS_ERR_NO_MEMORY;
        }
        dwcp_dt_t *bytes = dwcp_dt_get(MPI_BYTE);
        size_t off = 0;
        for (i = 0; i < p; i++) {
            size_t n = rcounts[i] * rdts[i]->size;
            TRY(dwcp_sched_copy(s, (char *)recvbuf + rdispls[i], rcounts[i], rdts[i], stage + off,
                                n, bytes));
            off += n;
        }
        TRY(dwcp_sched_round(s));
        off = 0;
        for (i = 0; i < p; i++) {
            size_t n = rcounts[i] * rdts[i]->size;
            if (i != r) {
                TRY(dwcp_sched_send(s, stage + off, n, bytes, i));
                TRY(dwcp_sched_recv(s, (char *)recvbuf + rdispls[i], rcounts[i], rdts[i], i));
            }
            off += n;
        }
        return dwcp_sched_round(s);
    }
    for (i = 0; i < p; i++) {
        int peer = (r + i) % p; /* spread the load: everyone starts with a different peer */
        const void *src = (const char *)sendbuf + sdispls[peer];
        void *dst = (char *)recvbuf + rdispls[peer];
        if (peer == r) {
            TRY(dwcp_sched_copy(s, src, scounts[peer], sdts[peer], dst, rcounts[peer], rdts[peer]));
        } else {
            TRY(dwcp_sched_recv(s, dst, rcounts[peer], rdts[peer], peer));
            TRY(dwcp_sched_send(s, src, scounts[peer], sdts[peer], peer));
        }
    }
    return dwcp_sched_round(s);
}

dwcs_status_t dwcp_coll_reduce_scatter(dwcp_sched_t *s, const void *sendbuf, void *recvbuf,
                                       const int *rcounts, dwcp_dt_t *dt, dwcp_op_t *op)
{
    /* Allreduce of the whole vector into a temporary, then keep this rank's block. */
    dwcp_comm_t *c = dwcp_sched_comm(s);
    int i;
    size_t total = 0, mine = 0;
    for (i = 0; i < c->size; i++) {
        if (i < c->rank) {
            mine += (size_t)rcounts[i];
        }
        total += (size_t)rcounts[i];
    }
    void *t = dwcp_coll_tmp(s, total, dt);
    if (t == NULL) {
        return DWCS_ERR_NO_MEMORY;
    }
    TRY(dwcp_sched_copy(s, sendbuf ? sendbuf : recvbuf, total, dt, t, total, dt));
    TRY(dwcp_sched_round(s));
    TRY(dwcp_coll_allreduce(s, NULL, t, total, dt, op));
    TRY(dwcp_sched_copy(s, elem(t, mine, dt), (size_t)rcounts[c->rank], dt, recvbuf,
                        (size_t)rcounts[c->rank], dt));
    return dwcp_sched_round(s);
}

dwcs_status_t dwcp_coll_scan(dwcp_sched_t *s, const void *sendbuf, void *recvbuf, size_t count,
                             dwcp_dt_t *dt, dwcp_op_t *op, int exclusive)
{
    /* Recursive doubling prefix: partial = reduction of a contiguous rank range ending here. */
    dwcp_comm_t *c = dwcp_sched_comm(s);
    int p = c->size, r = c->rank, mask;
    void *partial = dwcp_coll_tmp(s, count, dt), *t = dwcp_coll_tmp(s, count, dt);
    if (partial == NULL || t == NULL) {
        return DWCS_ERR_NO_MEMORY;
    }
    const void *mine = sendbuf ? sendbuf : recvbuf;
    TRY(dwcp_sched_copy(s, mine, count, dt, partial, count, dt));
    if (!exclusive && sendbuf != NULL) {
        TRY(dwcp_sched_copy(s, sendbuf, count, dt, recvbuf, count, dt));
    }
    TRY(dwcp_sched_round(s));
    int have = !exclusive; /* recvbuf holds a valid prefix */
    for (mask = 1; mask < p; mask <<= 1) {
        int up = r + mask, down = r - mask;
        if (up < p) {
            TRY(dwcp_sched_send(s, partial, count, dt, up));
        }
        if (down >= 0) {
            TRY(dwcp_sched_recv(s, t, count, dt, down));
            /* lower ranks' contribution goes on the left */
            if (have) {
                TRY(dwcp_sched_reduce(s, t, recvbuf, count, dt, op));
            } else {
                TRY(dwcp_sched_copy(s, t, count, dt, recvbuf, count, dt));
            }
            TRY(dwcp_sched_reduce(s, t, partial, count, dt, op));
            have = 1;
        }
        TRY(dwcp_sched_round(s));
    }
    return DWCS_OK;
}
