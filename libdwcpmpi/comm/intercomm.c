/*
 * Intercommunicators: creation through two leaders, and merging into an intracommunicator.
 * Each intercommunicator owns a hidden intracommunicator over its local group (c->local) for
 * local phases (agreement here, local steps of intercommunicator collectives).
 */
#include <stdlib.h>
#include <string.h>

#include "dwcp_comm.h"

#define TAG_ICC 0x7ff00010
#define WORDS (DWCP_CTX_PAIRS / 32)

/* Lowest pair set in @p mask and not equal to @p not_pair; -1 if none. */
static int lowest_pair(const uint32_t *mask, int not_pair)
{
    int i;
    for (i = 0; i < DWCP_CTX_PAIRS; i++) {
        if ((mask[i / 32] & (1u << (i % 32))) && i != not_pair) {
            return i;
        }
    }
    return -1;
}

static void take_pair(int p)
{
    dwcp_ctx_free[p / 32] &= ~(1u << (p % 32));
}

/* Linear broadcast of @p len bytes from @p root over intracommunicator @p c (creation only). */
static dwcs_status_t lbcast(dwcp_comm_t *c, int root, void *buf, size_t len)
{
    int r;
    dwcs_status_t st = DWCS_OK;
    if (c->rank == root) {
        for (r = 0; r < c->size && st == DWCS_OK; r++) {
            if (r != root) {
                st = dwcp_comm_xsend(c, c->ctx + 1, r, TAG_ICC, buf, len);
            }
        }
        return st;
    }
    return dwcp_comm_xrecv(c, c->ctx + 1, root, TAG_ICC, buf, len);
}

static int *all_ranks(int n)
{
    int *m = malloc((size_t)(n ? n : 1) * sizeof(int)), i;
    for (i = 0; m != NULL && i < n; i++) {
        m[i] = i;
    }
    return m;
}

/*
 * Agree on a context pair common to two groups. Within @p local every member ANDs its mask;
 * the leaders swap their group masks through @p send/@p recv callbacks over the bridge; the
 * local leader broadcasts the result. Also picks a second pair for the local hidden
 * communicator (from the local mask only). Returns the pairs in *inter_pair / *local_pair.
 */
typedef dwcs_status_t (*swap_fn_t)(void *arg, const void *out, void *in, size_t len);

static dwcs_status_t agree_two_groups(dwcp_comm_t *local, int leader, swap_fn_t swap, void *arg,
                                      int *inter_pair, int *local_pair)
{
    uint32_t lmask[WORDS], rmask[WORDS];
    int *m = all_ranks(local->size), i;
    dwcs_status_t st;
    if (m == NULL) {
        return DWCS_ERR_NO_MEMORY;
    }
    dwcp_ctx_pool_init();
    memcpy(lmask, dwcp_ctx_free, sizeof(lmask));
    st = dwcp_comm_allreduce_band(local, m, local->size, TAG_ICC + 1, lmask, WORDS);
    free(m);
    int pair[2] = {-1, -1};
    if (st == DWCS_OK && local->rank == leader) {
        st = swap(arg, lmask, rmask, sizeof(lmask));
        for (i = 0; i < WORDS; i++) {
            rmask[i] &= lmask[i];
        }
        pair[0] = lowest_pair(rmask, -1);
    }
    if (st == DWCS_OK) {
        st = lbcast(local, leader, pair, sizeof(int));
    }
    if (st == DWCS_OK) {
        pair[1] = lowest_pair(lmask, pair[0]);
        if (pair[0] < 0 || pair[1] < 0) {
            DWCS_ERROR("no free communicator context ids for an intercommunicator");
            return DWCS_ERR_OVERFLOW;
        }
        take_pair(pair[0]);
        take_pair(pair[1]);
        *inter_pair = pair[0];
        *local_pair = pair[1];
    }
    return st;
}

typedef struct bridge {
    dwcp_comm_t *comm;
    uint32_t ctx;
    int peer;
    int tag;
} bridge_t;

/* Leaders swap equal-sized blobs; the lower world rank sends first (both sides agree). */
static dwcs_status_t bridge_swap(void *arg, const void *out, void *in, size_t len)
{
    bridge_t *b = arg;
    dwcs_status_t st;
    int me_world = dwcp_g.rank;
    int peer_world = dwcp_comm_peer_world(b->comm, b->peer);
    if (me_world < peer_world) {
        st = dwcp_comm_xsend(b->comm, b->ctx, b->peer, b->tag, out, len);
        if (st == DWCS_OK) {
            st = dwcp_comm_xrecv(b->comm, b->ctx, b->peer, b->tag, in, len);
        }
    } else {
        st = dwcp_comm_xrecv(b->comm, b->ctx, b->peer, b->tag, in, len);
        if (st == DWCS_OK) {
            st = dwcp_comm_xsend(b->comm, b->ctx, b->peer, b->tag, out, len);
        }
    }
    return st;
}

/* Leaders swap their groups' world-rank lists (sizes first), then broadcast locally. */
static dwcs_status_t swap_groups(dwcp_comm_t *local, int leader, bridge_t *b,
                                 dwcp_group_t **remote)
{
    int rsize = 0;
    dwcs_status_t st = DWCS_OK;
    int *rw = NULL;
    if (local->rank == leader) {
        st = bridge_swap(b, &local->group->size, &rsize, sizeof(int));
    }
    if (st == DWCS_OK) {
        st = lbcast(local, leader, &rsize, sizeof(int));
    }
    if (st != DWCS_OK) {
        return st;
    }
    rw = malloc((size_t)(rsize ? rsize : 1) * sizeof(int));
    if (rw == NULL) {
        return DWCS_ERR_NO_MEMORY;
    }
    if (local->rank == leader) {
        /* sizes differ: send ours, receive theirs, in the same deterministic order */
        int me_world = dwcp_g.rank, peer_world = dwcp_comm_peer_world(b->comm, b->peer);
        size_t lo = (size_t)local->group->size * sizeof(int), li = (size_t)rsize * sizeof(int);
        if (me_world < peer_world) {
            st = dwcp_comm_xsend(b->comm, b->ctx, b->peer, b->tag, local->group->world, lo);
            if (st == DWCS_OK) {
                st = dwcp_comm_xrecv(b->comm, b->ctx, b->peer, b->tag, rw, li);
            }
        } else {
            st = dwcp_comm_xrecv(b->comm, b->ctx, b->peer, b->tag, rw, li);
            if (st == DWCS_OK) {
                st = dwcp_comm_xsend(b->comm, b->ctx, b->peer, b->tag, local->group->world, lo);
            }
        }
    }
    if (st == DWCS_OK) {
        st = lbcast(local, leader, rw, (size_t)rsize * sizeof(int));
    }
    if (st == DWCS_OK) {
        *remote = dwcp_group_create(rsize, rw);
        if (*remote == NULL) {
            st = DWCS_ERR_NO_MEMORY;
        }
    }
    free(rw);
    return st;
}

/* Build the intercommunicator object from agreed pairs and groups. */
static dwcs_status_t build(dwcp_comm_t *parent, dwcp_group_t *lg, dwcp_group_t *rg,
                           int inter_pair, int local_pair, dwcp_comm_t **out)
{
    dwcp_comm_t *c, *l;
    dwcs_status_t st = dwcp_comm_new(parent, lg, (uint32_t)inter_pair * 2, &c);
    if (st != DWCS_OK) {
        return st;
    }
    st = dwcp_comm_new(parent, lg, (uint32_t)local_pair * 2, &l);
    if (st != DWCS_OK) {
        dwcp_comm_release(c);
        return st;
    }
    /* the hidden local communicator has no user handle */
    dwcp_htab_remove(&dwcp_g.comms, l->handle);
    l->handle = MPI_COMM_NULL;
    c->local = l;
    c->remote = rg;
    free(c->site_of);
    c->site_of = malloc((size_t)rg->size * sizeof(int));
    if (c->site_of != NULL) {
        int i;
        for (i = 0; i < rg->size; i++) {
            c->site_of[i] = dwcp_g.site_of[rg->world[i]];
        }
    }
    *out = c;
    return DWCS_OK;
}

dwcs_status_t dwcp_intercomm_create(dwcp_comm_t *local, int local_leader, dwcp_comm_t *peer,
                                    int remote_leader, int tag, dwcp_comm_t **out)
{
    bridge_t b = {peer, peer ? peer->ctx : 0, remote_leader, tag};
    dwcp_group_t *rg = NULL;
    int ip, lp;
    dwcs_status_t st = swap_groups(local, local_leader, &b, &rg);
    if (st == DWCS_OK) {
        st = agree_two_groups(local, local_leader, bridge_swap, &b, &ip, &lp);
    }
    if (st == DWCS_OK) {
        st = build(local, local->group, rg, ip, lp, out);
    }
    if (st != DWCS_OK) {
        dwcp_group_release(rg);
    }
    return st;
}

dwcs_status_t dwcp_intercomm_merge(dwcp_comm_t *inter, int high, dwcp_comm_t **out)
{
    dwcp_comm_t *l = inter->local;
    bridge_t b = {inter, inter->ctx + 1, 0, TAG_ICC + 2};
    int flags[2] = {high ? 1 : 0, 0}, rflag = 0;
    dwcs_status_t st = DWCS_OK;
    /* Leaders (local rank 0 on both sides) swap their high flags. */
    if (l->rank == 0) {
        st = bridge_swap(&b, &flags[0], &rflag, sizeof(int));
    }
    if (st == DWCS_OK) {
        flags[1] = rflag;
        st = lbcast(l, 0, flags, sizeof(flags));
    }
    if (st != DWCS_OK) {
        return st;
    }
    int we_first;
    if (flags[0] != flags[1]) {
        we_first = flags[0] == 0;
    } else {
        we_first = inter->group->world[0] < inter->remote->world[0];
    }
    int n = inter->group->size + inter->remote->size, i, k = 0;
    int *w = malloc((size_t)n * sizeof(int));
    if (w == NULL) {
        return DWCS_ERR_NO_MEMORY;
    }
    dwcp_group_t *first = we_first ? inter->group : inter->remote;
    dwcp_group_t *second = we_first ? inter->remote : inter->group;
    for (i = 0; i < first->size; i++) {
        w[k++] = first->world[i];
    }
    for (i = 0; i < second->size; i++) {
        w[k++] = second->world[i];
    }
    int ip, lp;
    st = agree_two_groups(l, 0, bridge_swap, &b, &ip, &lp);
    if (st == DWCS_OK) {
        dwcp_ctx_release((uint32_t)lp * 2); /* only one pair is needed for an intracomm */
        dwcp_group_t *g = dwcp_group_create(n, w);
        if (g == NULL) {
            st = DWCS_ERR_NO_MEMORY;
        } else {
            st = dwcp_comm_new(inter, g, (uint32_t)ip * 2, out);
            dwcp_group_release(g);
        }
    }
    free(w);
    return st;
}

dwcs_status_t dwcp_intercomm_dup(dwcp_comm_t *inter, dwcp_comm_t **out)
{
    bridge_t b = {inter, inter->ctx + 1, 0, TAG_ICC + 3};
    int ip, lp;
    dwcs_status_t st = agree_two_groups(inter->local, 0, bridge_swap, &b, &ip, &lp);
    if (st != DWCS_OK) {
        return st;
    }
    inter->remote->refcount++;
    st = build(inter, inter->group, inter->remote, ip, lp, out);
    if (st != DWCS_OK) {
        dwcp_group_release(inter->remote);
        dwcp_ctx_release((uint32_t)ip * 2);
        dwcp_ctx_release((uint32_t)lp * 2);
    }
    return st;
}
