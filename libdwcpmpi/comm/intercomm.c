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

dwcs_status_t dwcp_intercomm_build(dwcp_comm_t *parent, dwcp_group_t *lg, dwcp_group_t *rg,
                                   uint32_t ctx, uint32_t lctx, dwcp_comm_t **out)
{
    dwcp_comm_t *c, *l;
    dwcs_status_t st = dwcp_comm_new(parent, lg, ctx, &c);
    if (st != DWCS_OK) {
        return st;
    }
    st = dwcp_comm_new(parent, lg, lctx, &l);
    if (st != DWCS_OK) {
        dwcp_htab_remove(&dwcp_g.comms, c->handle);
        c->handle = MPI_COMM_NULL;
        dwcp_comm_release(c);
        return st;
    }
    /* the hidden local communicator has no user handle */
    dwcp_htab_remove(&dwcp_g.comms, l->handle);
    l->handle = MPI_COMM_NULL;
    c->local = l;
    c->remote = rg;
    rg->refcount++;
    free(c->site_of);
    c->site_of = malloc((size_t)(rg->size ? rg->size : 1) * sizeof(int));
    if (c->site_of != NULL) {
        int i;
        for (i = 0; i < rg->size; i++) {
            c->site_of[i] = dwcp_g.site_of[rg->world[i]];
        }
    }
    *out = c;
    return DWCS_OK;
}

/* Run an agreement to the end and return its pairs as context ids (both used by the caller). */
static dwcs_status_t run_two(dwcp_ctxop_t *op, uint32_t *ctx, uint32_t *lctx)
{
    dwcp_ctxop_use(op, 0);
    dwcp_ctxop_use(op, 1);
    dwcs_status_t st = dwcp_ctxop_start(op);
    if (st == DWCS_OK) {
        st = dwcp_ctxop_wait(op);
    }
    if (st == DWCS_OK) {
        *ctx = (uint32_t)dwcp_ctxop_pair(op, 0) * 2;
        *lctx = (uint32_t)dwcp_ctxop_pair(op, 1) * 2;
    }
    return st;
}

dwcs_status_t dwcp_intercomm_create(dwcp_comm_t *local, int local_leader, dwcp_comm_t *peer,
                                    int remote_leader, int tag, dwcp_comm_t **out)
{
    bridge_t b = {peer, peer ? peer->ctx : 0, remote_leader, tag};
    dwcp_group_t *rg = NULL;
    uint32_t ctx = 0, lctx = 0;
    int *m = malloc((size_t)local->size * sizeof(int)), i, k = 1;
    dwcs_status_t st = m != NULL ? swap_groups(local, local_leader, &b, &rg) : DWCS_ERR_NO_MEMORY;
    dwcp_ctxop_t *op = NULL;
    if (st == DWCS_OK) {
        /* Tree rooted at the leader; the leaders bridge over the peer communicator. Both sides
         * derive the seed from the two groups' first members (symmetric). */
        m[0] = local_leader;
        for (i = 0; i < local->size; i++) {
            if (i != local_leader) {
                m[k++] = i;
            }
        }
        uint32_t seed = (uint32_t)tag ^ (uint32_t)(local->group->world[0] ^ rg->world[0]) << 8;
        op = dwcp_ctxop_new(2, dwcp_comm_next_tag(local), seed);
        st = op != NULL ? DWCS_OK : DWCS_ERR_NO_MEMORY;
    }
    if (st == DWCS_OK) {
        st = dwcp_ctxop_tree(op, local, m, local->size, DWCP_CTXOP_REDUCE);
    }
    if (st == DWCS_OK && local->rank == local_leader) {
        st = dwcp_ctxop_bridge(op, peer, peer->ctx, remote_leader, tag);
    }
    if (st == DWCS_OK) {
        st = dwcp_ctxop_tree(op, local, m, local->size, DWCP_CTXOP_BCAST);
    }
    if (st == DWCS_OK) {
        st = run_two(op, &ctx, &lctx);
    }
    dwcp_ctxop_free(op);
    free(m);
    if (st == DWCS_OK) {
        st = dwcp_intercomm_build(local, local->group, rg, ctx, lctx, out);
        if (st != DWCS_OK) {
            dwcp_ctx_release(ctx);
            dwcp_ctx_release(lctx);
        }
    }
    dwcp_group_release(rg);
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
    dwcp_ctxop_t *op = dwcp_ctxop_for_comm(inter, 1);
    st = op != NULL ? DWCS_OK : DWCS_ERR_NO_MEMORY;
    if (st == DWCS_OK) {
        dwcp_ctxop_use(op, 0);
        st = dwcp_ctxop_start(op);
    }
    if (st == DWCS_OK) {
        st = dwcp_ctxop_wait(op);
    }
    if (st == DWCS_OK) {
        uint32_t ctx = (uint32_t)dwcp_ctxop_pair(op, 0) * 2;
        dwcp_group_t *g = dwcp_group_create(n, w);
        if (g == NULL) {
            st = DWCS_ERR_NO_MEMORY;
        } else {
            st = dwcp_comm_new(inter, g, ctx, out);
            dwcp_group_release(g);
        }
        if (st != DWCS_OK) {
            dwcp_ctx_release(ctx);
        }
    }
    dwcp_ctxop_free(op);
    free(w);
    return st;
}
