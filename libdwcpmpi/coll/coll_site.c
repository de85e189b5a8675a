/*
 * Site-aware collectives: when a communicator spans several sites, each collective crosses the
 * WAN once. Intra-site phase on a binomial tree over the site's members, one exchange among
 * the site leaders (every leader talks to every other leader directly, in one round, so each
 * WAN link carries each piece of data once and the collective pays one WAN latency), then an
 * intra-site phase. Used for communicators with ranks at more than one site; operations that
 * would reorder non-commutative reductions use the flat algorithms.
 */
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

/* The site structure of a communicator, as seen from the calling rank. */
typedef struct sites {
    int nsites;
    int *site_first;  /* per site index: first member position in members[] */
    int *site_count;  /* members per site */
    int *members;     /* comm ranks grouped by site, ascending within a site */
    int *leader;      /* per site: leader comm rank (lowest rank, or the root at the root's site) */
    int my_site;      /* index into the arrays above */
    int my_pos;       /* position of this rank within its site's members */
} sites_t;

int dwcp_coll_site_count(dwcp_comm_t *c)
{
    int i, j, n = 0;
    if (c->nsites > 0) {
        return c->nsites;
    }
    if (c->site_of == NULL || c->remote != NULL) {
        return c->nsites = 1;
    }
    for (i = 0; i < c->size; i++) {
        for (j = 0; j < i && c->site_of[j] != c->site_of[i]; j++) {
        }
        n += j == i;
    }
    return c->nsites = n;
}

int dwcp_coll_use_sites(dwcp_comm_t *c)
{
    return dwcp_g.cfg.coll_site_aware && dwcp_coll_site_count(c) > 1;
}

/* Group the ranks by site (sites in order of first appearance); allocations from the schedule. */
static dwcs_status_t sites_build(dwcp_sched_t *s, int root, sites_t *st)
{
    dwcp_comm_t *c = dwcp_sched_comm(s);
    int p = c->size, i, j, k = 0;
    int *sid = dwcp_sched_alloc(s, sizeof(int) * (size_t)p * 5);
    if (sid == NULL) {
        return DWCS_ERR_NO_MEMORY;
    }
    int *site_val = sid + p; /* site index -> site_of value */
    st->site_first = site_val + p;
    st->site_count = st->site_first + p;
    st->members = st->site_count + p;
    st->nsites = 0;
    for (i = 0; i < p; i++) {
        for (j = 0; j < st->nsites && site_val[j] != c->site_of[i]; j++) {
        }
        if (j == st->nsites) {
            site_val[st->nsites++] = c->site_of[i];
        }
        sid[i] = j;
    }
    st->leader = dwcp_sched_alloc(s, sizeof(int) * (size_t)st->nsites);
    if (st->leader == NULL) {
        return DWCS_ERR_NO_MEMORY;
    }
    for (j = 0; j < st->nsites; j++) {
        st->site_first[j] = k;
        st->site_count[j] = 0;
        for (i = 0; i < p; i++) {
            if (sid[i] == j) {
                if (i == c->rank) {
                    st->my_site = j;
                    st->my_pos = st->site_count[j];
                }
                st->members[k++] = i;
                st->site_count[j]++;
            }
        }
        st->leader[j] = st->members[st->site_first[j]];
    }
    if (root >= 0) {
        /* The root leads its site: rotate it to position 0 of that site's list. */
        int rs = sid[root], f = st->site_first[rs], pos;
        for (pos = 0; st->members[f + pos] != root; pos++) {
        }
        int tmp = st->members[f];
        st->members[f] = root;
        st->members[f + pos] = tmp;
        st->leader[rs] = root;
        if (st->my_site == rs) {
            if (c->rank == root) {
                st->my_pos = 0;
            } else if (c->rank == tmp) {
                st->my_pos = pos;
            }
        }
    }
    return DWCS_OK;
}

/* Binomial broadcast of @p npieces buffers from position 0 over the list of my site. */
static dwcs_status_t site_bcast(dwcp_sched_t *s, const sites_t *st, void **bufs,
                                const size_t *counts, dwcp_dt_t *dt, int npieces)
{
    int n = st->site_count[st->my_site], vr = st->my_pos, mask = 1, k;
    const int *m = st->members + st->site_first[st->my_site];
    if (n <= 1) {
        return DWCS_OK;
    }
    while (mask < n) {
        if (vr & mask) {
            for (k = 0; k < npieces; k++) {
                TRY(dwcp_sched_recv(s, bufs[k], counts[k], dt, m[vr - mask]));
            }
            TRY(dwcp_sched_round(s));
            break;
        }
        mask <<= 1;
    }
    for (mask >>= 1; mask > 0; mask >>= 1) {
        if (vr + mask < n) {
            for (k = 0; k < npieces; k++) {
                TRY(dwcp_sched_send(s, bufs[k], counts[k], dt, m[vr + mask]));
            }
        }
    }
    return dwcp_sched_round(s);
}

/* Binomial reduction (commutative op) of @p acc onto position 0 of my site. */
static dwcs_status_t site_reduce(dwcp_sched_t *s, const sites_t *st, void *acc, size_t count,
                                 dwcp_dt_t *dt, dwcp_op_t *op)
{
    int n = st->site_count[st->my_site], vr = st->my_pos, mask;
    const int *m = st->members + st->site_first[st->my_site];
    for (mask = 1; mask < n; mask <<= 1) {
        if (vr & mask) {
            TRY(dwcp_sched_send(s, acc, count, dt, m[vr - mask]));
            return dwcp_sched_round(s);
        }
        if (vr + mask < n) {
            void *t = dwcp_coll_tmp(s, count, dt);
            if (t == NULL) {
                return DWCS_ERR_NO_MEMORY;
            }
            TRY(dwcp_sched_recv(s, t, count, dt, m[vr + mask]));
            TRY(dwcp_sched_reduce(s, t, acc, count, dt, op));
            TRY(dwcp_sched_round(s));
        }
    }
    return DWCS_OK;
}

dwcs_status_t dwcp_coll_site_bcast(dwcp_sched_t *s, void *buf, size_t count, dwcp_dt_t *dt,
                                   int root)
{
    sites_t st;
    dwcp_comm_t *c = dwcp_sched_comm(s);
    int j;
    TRY(sites_build(s, root, &st));
    /* WAN phase: the root sends to every other site's leader at once. */
    if (c->rank == root) {
        for (j = 0; j < st.nsites; j++) {
            if (st.leader[j] != root) {
                TRY(dwcp_sched_send(s, buf, count, dt, st.leader[j]));
            }
        }
        TRY(dwcp_sched_round(s));
    } else if (c->rank == st.leader[st.my_site]) {
        TRY(dwcp_sched_recv(s, buf, count, dt, root));
        TRY(dwcp_sched_round(s));
    }
    void *bufs[1] = {buf};
    return site_bcast(s, &st, bufs, &count, dt, 1);
}

/* Leaders exchange @p acc all-to-all and reduce in site order into @p acc. */
static dwcs_status_t leaders_allreduce(dwcp_sched_t *s, const sites_t *st, void *acc,
                                       size_t count, dwcp_dt_t *dt, dwcp_op_t *op)
{
    int j;
    void **in = dwcp_sched_alloc(s, sizeof(void *) * (size_t)st->nsites);
    if (in == NULL) {
        return DWCS_ERR_NO_MEMORY;
    }
    for (j = 0; j < st->nsites; j++) {
        if (j == st->my_site) {
            continue;
        }
        in[j] = dwcp_coll_tmp(s, count, dt);
        if (in[j] == NULL) {
            return DWCS_ERR_NO_MEMORY;
        }
        TRY(dwcp_sched_send(s, acc, count, dt, st->leader[j]));
        TRY(dwcp_sched_recv(s, in[j], count, dt, st->leader[j]));
    }
    /* Commutative op: the order does not change the result class; reduce in site order so
     * every leader computes the same bits for floating point. */
    void *res = dwcp_coll_tmp(s, count, dt);
    if (res == NULL) {
        return DWCS_ERR_NO_MEMORY;
    }
    int first = 1;
    for (j = st->nsites - 1; j >= 0; j--) {
        const void *src = j == st->my_site ? acc : in[j];
        if (first) {
            TRY(dwcp_sched_copy(s, src, count, dt, res, count, dt));
            first = 0;
        } else {
            TRY(dwcp_sched_reduce(s, src, res, count, dt, op));
        }
    }
    TRY(dwcp_sched_copy(s, res, count, dt, acc, count, dt));
    return dwcp_sched_round(s);
}

dwcs_status_t dwcp_coll_site_allreduce(dwcp_sched_t *s, const void *sendbuf, void *recvbuf,
                                       size_t count, dwcp_dt_t *dt, dwcp_op_t *op)
{
    sites_t st;
    dwcp_comm_t *c = dwcp_sched_comm(s);
    TRY(sites_build(s, -1, &st));
    if (sendbuf != NULL) {
        TRY(dwcp_sched_copy(s, sendbuf, count, dt, recvbuf, count, dt));
        TRY(dwcp_sched_round(s));
    }
    TRY(site_reduce(s, &st, recvbuf, count, dt, op));
    if (c->rank == st.leader[st.my_site]) {
        TRY(leaders_allreduce(s, &st, recvbuf, count, dt, op));
    }
    void *bufs[1] = {recvbuf};
    return site_bcast(s, &st, bufs, &count, dt, 1);
}

dwcs_status_t dwcp_coll_site_reduce(dwcp_sched_t *s, const void *sendbuf, void *recvbuf,
                                    size_t count, dwcp_dt_t *dt, dwcp_op_t *op, int root)
{
    sites_t st;
    dwcp_comm_t *c = dwcp_sched_comm(s);
    int j;
    TRY(sites_build(s, root, &st));
    void *acc = c->rank == root ? recvbuf : dwcp_coll_tmp(s, count, dt);
    if (acc == NULL) {
        return DWCS_ERR_NO_MEMORY;
    }
    if (sendbuf != NULL) {
        TRY(dwcp_sched_copy(s, sendbuf, count, dt, acc, count, dt));
        TRY(dwcp_sched_round(s));
    }
    TRY(site_reduce(s, &st, acc, count, dt, op));
    if (c->rank == root) {
        for (j = 0; j < st.nsites; j++) {
            if (j != st.my_site) {
                void *t = dwcp_coll_tmp(s, count, dt);
                if (t == NULL) {
                    return DWCS_ERR_NO_MEMORY;
                }
                TRY(dwcp_sched_recv(s, t, count, dt, st.leader[j]));
                TRY(dwcp_sched_reduce(s, t, acc, count, dt, op));
            }
        }
        TRY(dwcp_sched_round(s));
    } else if (c->rank == st.leader[st.my_site]) {
        TRY(dwcp_sched_send(s, acc, count, dt, root));
        TRY(dwcp_sched_round(s));
    }
    return DWCS_OK;
}

dwcs_status_t dwcp_coll_site_barrier(dwcp_sched_t *s)
{
    sites_t st;
    dwcp_comm_t *c = dwcp_sched_comm(s);
    dwcp_dt_t *bytes = dwcp_dt_get(MPI_BYTE);
    int n, k, j;
    TRY(sites_build(s, -1, &st));
    n = st.site_count[st.my_site];
    const int *m = st.members + st.site_first[st.my_site];
    /* everyone in the site checks in with its leader */
    if (st.my_pos == 0) {
        for (k = 1; k < n; k++) {
            TRY(dwcp_sched_recv(s, NULL, 0, bytes, m[k]));
        }
    } else {
        TRY(dwcp_sched_send(s, NULL, 0, bytes, m[0]));
    }
    TRY(dwcp_sched_round(s));
    if (c->rank == st.leader[st.my_site]) {
        for (j = 0; j < st.nsites; j++) {
            if (j != st.my_site) {
                TRY(dwcp_sched_send(s, NULL, 0, bytes, st.leader[j]));
                TRY(dwcp_sched_recv(s, NULL, 0, bytes, st.leader[j]));
            }
        }
        TRY(dwcp_sched_round(s));
    }
    size_t zero = 0;
    void *none = NULL;
    return site_bcast(s, &st, &none, &zero, bytes, 1);
}

dwcs_status_t dwcp_coll_site_allgatherv(dwcp_sched_t *s, const void *sendbuf, size_t scount,
                                        dwcp_dt_t *sdt, void *recvbuf, const int *rcounts,
                                        const int *displs, size_t rcount, dwcp_dt_t *rdt)
{
    sites_t st;
    dwcp_comm_t *c = dwcp_sched_comm(s);
    int p = c->size, i, j, k;
#define BLK(i) ((char *)recvbuf + (displs ? displs[i] : (MPI_Aint)(i) * (MPI_Aint)rcount) * rdt->extent)
#define CNT(i) (rcounts ? (size_t)rcounts[i] : rcount)
    TRY(sites_build(s, -1, &st));
    int me = c->rank, leader = st.leader[st.my_site];
    int n = st.site_count[st.my_site];
    const int *m = st.members + st.site_first[st.my_site];
    if (sendbuf != NULL) {
        TRY(dwcp_sched_copy(s, sendbuf, scount, sdt, BLK(me), CNT(me), rdt));
        TRY(dwcp_sched_round(s));
    }
    /* gather the site's blocks at the leader */
    if (me == leader) {
        for (k = 1; k < n; k++) {
            TRY(dwcp_sched_recv(s, BLK(m[k]), CNT(m[k]), rdt, m[k]));
        }
    } else {
        TRY(dwcp_sched_send(s, BLK(me), CNT(me), rdt, leader));
    }
    TRY(dwcp_sched_round(s));
    /* leaders exchange their sites' blocks */
    if (me == leader) {
        for (j = 0; j < st.nsites; j++) {
            if (j == st.my_site) {
                continue;
            }
            for (k = 0; k < n; k++) {
                TRY(dwcp_sched_send(s, BLK(m[k]), CNT(m[k]), rdt, st.leader[j]));
            }
            const int *mj = st.members + st.site_first[j];
            for (k = 0; k < st.site_count[j]; k++) {
                TRY(dwcp_sched_recv(s, BLK(mj[k]), CNT(mj[k]), rdt, st.leader[j]));
            }
        }
        TRY(dwcp_sched_round(s));
    }
    /* the leader broadcasts every block within the site */
    void **bufs = dwcp_sched_alloc(s, sizeof(void *) * (size_t)p);
    size_t *counts = dwcp_sched_alloc(s, sizeof(size_t) * (size_t)p);
    if (bufs == NULL || counts == NULL) {
        return DWCS_ERR_NO_MEMORY;
    }
    for (i = 0; i < p; i++) {
        bufs[i] = BLK(i);
        counts[i] = CNT(i);
    }
#undef BLK
#undef CNT
    return site_bcast(s, &st, bufs, counts, rdt, p);
}
