/*
 * MPI_Comm_split (and through it MPI_Comm_create) on intercommunicators.
 *
 * MPI-3.1 6.4.2: each side's local group is split by color as for an intracommunicator; the
 * result joins the local and remote groups of the same color. A process whose color has no
 * member on the other side (or MPI_UNDEFINED) gets MPI_COMM_NULL.
 *
 * Steps: allgather (color, key) inside each side, the two local rank 0s swap their tables over
 * the intercommunicator and broadcast the remote one; every process then knows the colors
 * common to both sides (in ascending order) and all agree, over the whole intercommunicator,
 * on two context pairs per common color (the intercommunicator's and the hidden local one's).
 */
#include <stdlib.h>
#include <string.h>

#include "dwcp_comm.h"

#define TAG_ISPLIT 0x7ff00020

typedef struct ent {
    int key;
    int rank;
} ent_t;

static int ent_cmp(const void *a, const void *b)
{
    const ent_t *x = a, *y = b;
    if (x->key != y->key) {
        return x->key < y->key ? -1 : 1;
    }
    return (x->rank > y->rank) - (x->rank < y->rank);
}

static int int_cmp(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* Group of the members of @p g whose entry in @p ck (color, key pairs) has @p color. */
static dwcp_group_t *color_group(const dwcp_group_t *g, const int *ck, int color)
{
    int n = g->size, i, cnt = 0;
    ent_t *e = malloc((size_t)(n ? n : 1) * sizeof(*e));
    int *w = malloc((size_t)(n ? n : 1) * sizeof(int));
    dwcp_group_t *out = NULL;
    if (e != NULL && w != NULL) {
        for (i = 0; i < n; i++) {
            if (ck[2 * i] == color) {
                e[cnt].key = ck[2 * i + 1];
                e[cnt].rank = i;
                cnt++;
            }
        }
        qsort(e, (size_t)cnt, sizeof(*e), ent_cmp);
        for (i = 0; i < cnt; i++) {
            w[i] = g->world[e[i].rank];
        }
        out = dwcp_group_create(cnt, w);
    }
    free(e);
    free(w);
    return out;
}

/* Exchange the (color, key) tables: @p lall is ours (local size), *rall receives theirs. */
static dwcs_status_t swap_tables(dwcp_comm_t *inter, const int *lall, int *rall)
{
    dwcp_comm_t *l = inter->local;
    size_t lo = (size_t)inter->group->size * 2 * sizeof(int);
    size_t li = (size_t)inter->remote->size * 2 * sizeof(int);
    uint32_t ctx = inter->ctx + 1;
    dwcs_status_t st = DWCS_OK;
    int r;
    if (l->rank == 0) {
        if (dwcp_g.rank < inter->remote->world[0]) {
            st = dwcp_comm_xsend(inter, ctx, 0, TAG_ISPLIT, lall, lo);
            if (st == DWCS_OK) {
                st = dwcp_comm_xrecv(inter, ctx, 0, TAG_ISPLIT, rall, li);
            }
        } else {
            st = dwcp_comm_xrecv(inter, ctx, 0, TAG_ISPLIT, rall, li);
            if (st == DWCS_OK) {
                st = dwcp_comm_xsend(inter, ctx, 0, TAG_ISPLIT, lall, lo);
            }
        }
        for (r = 1; r < l->size && st == DWCS_OK; r++) {
            st = dwcp_comm_xsend(l, l->ctx + 1, r, TAG_ISPLIT, rall, li);
        }
        return st;
    }
    return dwcp_comm_xrecv(l, l->ctx + 1, 0, TAG_ISPLIT, rall, li);
}

dwcs_status_t dwcp_intercomm_split(dwcp_comm_t *inter, int color, int key, dwcp_comm_t **out)
{
    int ln = inter->group->size, rn = inter->remote->size, i, j;
    int mine[2] = {color, key};
    int *lall = malloc((size_t)ln * 2 * sizeof(int));
    int *rall = malloc((size_t)rn * 2 * sizeof(int));
    int *common = malloc((size_t)ln * sizeof(int));
    int ncommon = 0, myidx = -1;
    dwcp_ctxop_t *op = NULL;
    dwcs_status_t st = (lall && rall && common) ? DWCS_OK : DWCS_ERR_NO_MEMORY;
    *out = NULL;
    if (st == DWCS_OK) {
        st = dwcp_comm_allgather_int(inter->local, mine, 2, lall);
    }
    if (st == DWCS_OK) {
        st = swap_tables(inter, lall, rall);
    }
    if (st == DWCS_OK) {
        /* Colors present on both sides, ascending and without repeats. */
        for (i = 0; i < ln; i++) {
            int c = lall[2 * i], dup = 0, there = 0;
            if (c == MPI_UNDEFINED) {
                continue;
            }
            for (j = 0; j < ncommon && !dup; j++) {
                dup = common[j] == c;
            }
            for (j = 0; j < rn && !there; j++) {
                there = rall[2 * j] == c;
            }
            if (!dup && there) {
                common[ncommon++] = c;
            }
        }
        qsort(common, (size_t)ncommon, sizeof(int), int_cmp);
        for (i = 0; i < ncommon; i++) {
            if (common[i] == color) {
                myidx = i;
            }
        }
        op = dwcp_ctxop_for_comm(inter, 2 * ncommon);
        st = op != NULL ? DWCS_OK : DWCS_ERR_NO_MEMORY;
    }
    if (st == DWCS_OK) {
        if (myidx >= 0) {
            dwcp_ctxop_use(op, 2 * myidx);
            dwcp_ctxop_use(op, 2 * myidx + 1);
        }
        st = dwcp_ctxop_start(op);
        if (st == DWCS_OK) {
            st = dwcp_ctxop_wait(op);
        }
    }
    if (st == DWCS_OK && myidx >= 0) {
        uint32_t ctx = (uint32_t)dwcp_ctxop_pair(op, 2 * myidx) * 2;
        uint32_t lctx = (uint32_t)dwcp_ctxop_pair(op, 2 * myidx + 1) * 2;
        dwcp_group_t *lg = color_group(inter->group, lall, color);
        dwcp_group_t *rg = color_group(inter->remote, rall, color);
        st = (lg != NULL && rg != NULL) ? DWCS_OK : DWCS_ERR_NO_MEMORY;
        if (st == DWCS_OK) {
            st = dwcp_intercomm_build(inter, lg, rg, ctx, lctx, out);
        }
        if (st != DWCS_OK) {
            dwcp_ctx_release(ctx);
            dwcp_ctx_release(lctx);
        }
        dwcp_group_release(lg);
        dwcp_group_release(rg);
    }
    dwcp_ctxop_free(op);
    free(lall);
    free(rall);
    free(common);
    return st;
}
