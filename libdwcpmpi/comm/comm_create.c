/*
 * Communicator creation: the context-id pool, dup (blocking and the halves of a nonblocking
 * one), split, create_group. Context ids are agreed by the engine in ctxid.c; the other
 * internal collectives here (an allgather through rank 0) are simple and used only at creation
 * time.
 */
#include <stdlib.h>
#include <string.h>

#include "dwcp_comm.h"

/* Context-id pairs in use by this process: bit set = free. */
uint32_t dwcp_ctx_free[DWCP_CTX_PAIRS / 32];
#define ctx_free dwcp_ctx_free
static int ctx_init;

void dwcp_ctx_pool_init(void)
{
    if (!ctx_init) {
        memset(ctx_free, 0xff, sizeof(ctx_free));
        ctx_free[0] &= ~3u; /* pairs 0 (WORLD) and 1 (SELF) */
        ctx_init = 1;
    }
}

void dwcp_ctx_release(uint32_t ctx)
{
    uint32_t pair = ctx / 2;
    if (pair >= 2 && pair < DWCP_CTX_PAIRS) {
        ctx_free[pair / 32] |= 1u << (pair % 32);
    }
}

/* Blocking internal send/recv of raw bytes on context @p ctx of communicator @p c. */
dwcs_status_t dwcp_comm_xsend(dwcp_comm_t *c, uint32_t ctx, int dst, int tag, const void *buf,
                              size_t len)
{
    dwcp_req_t *r = dwcp_req_alloc(DWCP_REQ_SEND);
    if (r == NULL) {
        return DWCS_ERR_NO_MEMORY;
    }
    dwcs_status_t st = dwcp_p2p_isend(buf, len, dwcp_dt_get(MPI_BYTE), dst, tag, c, ctx,
                                      DWCP_SEND_STANDARD, r);
    if (st == DWCS_OK) {
        dwcp_req_wait(r);
        st = r->status.MPI_ERROR == MPI_SUCCESS ? DWCS_OK : DWCS_ERR_IO;
    }
    dwcp_req_free(r);
    return st;
}

dwcs_status_t dwcp_comm_xrecv(dwcp_comm_t *c, uint32_t ctx, int src, int tag, void *buf,
                              size_t len)
{
    dwcp_req_t *r = dwcp_req_alloc(DWCP_REQ_RECV);
    if (r == NULL) {
        return DWCS_ERR_NO_MEMORY;
    }
    dwcs_status_t st = dwcp_p2p_irecv(buf, len, dwcp_dt_get(MPI_BYTE), src, tag, c, ctx, r);
    if (st == DWCS_OK) {
        dwcp_req_wait(r);
        st = r->status.MPI_ERROR == MPI_SUCCESS ? DWCS_OK : DWCS_ERR_IO;
    }
    dwcp_req_free(r);
    return st;
}

#define xsend(c, dst, tag, buf, len) dwcp_comm_xsend((c), (c)->ctx + 1, (dst), (tag), (buf), (len))
#define xrecv(c, src, tag, buf, len) dwcp_comm_xrecv((c), (c)->ctx + 1, (src), (tag), (buf), (len))

dwcs_status_t dwcp_comm_new(dwcp_comm_t *parent, dwcp_group_t *g, uint32_t ctx,
                            dwcp_comm_t **out)
{
    dwcp_comm_t *c = calloc(1, sizeof(*c));
    int i;
    if (c == NULL) {
        return DWCS_ERR_NO_MEMORY;
    }
    c->refcount = 1;
    c->ctx = ctx;
    c->group = g;
    g->refcount++;
    c->rank = g->rank;
    c->size = g->size;
    c->errhandler = parent->errhandler;
    if (c->errhandler != MPI_ERRORS_ARE_FATAL && c->errhandler != MPI_ERRORS_RETURN) {
        dwcp_errh_t *e = dwcp_htab_get(&dwcp_g.errhs, c->errhandler);
        if (e != NULL) {
            e->refcount++;
        }
    }
    c->info = MPI_INFO_NULL;
    c->site_of = malloc((size_t)g->size * sizeof(int));
    if (c->site_of != NULL) {
        for (i = 0; i < g->size; i++) {
            c->site_of[i] = dwcp_g.site_of[g->world[i]];
        }
    }
    if (dwcp_htab_add(&dwcp_g.comms, c, &c->handle) != DWCS_OK) {
        dwcp_group_release(g);
        free(c->site_of);
        free(c);
        return DWCS_ERR_NO_MEMORY;
    }
    *out = c;
    return DWCS_OK;
}

/* Tags of the internal creation traffic (collective context, so they never meet user tags). */
#define TAG_SPLIT 0x7ff00002

dwcs_status_t dwcp_comm_dup_start(dwcp_comm_t *parent, dwcp_ctxop_t **opp)
{
    int npairs = parent->remote != NULL ? 2 : 1, i;
    dwcp_ctxop_t *op = dwcp_ctxop_for_comm(parent, npairs);
    if (op == NULL) {
        return DWCS_ERR_NO_MEMORY;
    }
    for (i = 0; i < npairs; i++) {
        dwcp_ctxop_use(op, i);
    }
    dwcs_status_t st = dwcp_ctxop_start(op);
    if (st != DWCS_OK) {
        dwcp_ctxop_free(op);
        return st;
    }
    *opp = op;
    return DWCS_OK;
}

dwcs_status_t dwcp_comm_dup_finish(dwcp_comm_t *parent, dwcp_ctxop_t *op, dwcp_comm_t **out)
{
    dwcs_status_t st = dwcp_ctxop_status(op);
    uint32_t ctx = (uint32_t)dwcp_ctxop_pair(op, 0) * 2;
    *out = NULL;
    if (st == DWCS_OK && parent->remote != NULL) {
        uint32_t lctx = (uint32_t)dwcp_ctxop_pair(op, 1) * 2;
        st = dwcp_intercomm_build(parent, parent->group, parent->remote, ctx, lctx, out);
        if (st != DWCS_OK) {
            dwcp_ctx_release(ctx);
            dwcp_ctx_release(lctx);
        }
    } else if (st == DWCS_OK) {
        st = dwcp_comm_new(parent, parent->group, ctx, out);
        if (st != DWCS_OK) {
            dwcp_ctx_release(ctx);
        }
    }
    dwcp_ctxop_free(op);
    return st;
}

dwcs_status_t dwcp_comm_dup(dwcp_comm_t *parent, dwcp_comm_t **out)
{
    dwcp_ctxop_t *op;
    dwcs_status_t st = dwcp_comm_dup_start(parent, &op);
    if (st != DWCS_OK) {
        return st;
    }
    dwcp_ctxop_wait(op);
    return dwcp_comm_dup_finish(parent, op, out);
}

dwcs_status_t dwcp_comm_allgather_int(dwcp_comm_t *parent, const int *mine, int n, int *all)
{
    /* Gather to rank 0 then broadcast: creation-time only. */
    size_t len = (size_t)n * sizeof(int);
    int r;
    dwcs_status_t st = DWCS_OK;
    memcpy(all + (size_t)parent->rank * n, mine, len);
    if (parent->rank == 0) {
        for (r = 1; r < parent->size && st == DWCS_OK; r++) {
            st = xrecv(parent, r, TAG_SPLIT, all + (size_t)r * n, len);
        }
        for (r = 1; r < parent->size && st == DWCS_OK; r++) {
            st = xsend(parent, r, TAG_SPLIT, all, len * (size_t)parent->size);
        }
    } else {
        st = xsend(parent, 0, TAG_SPLIT, mine, len);
        if (st == DWCS_OK) {
            st = xrecv(parent, 0, TAG_SPLIT, all, len * (size_t)parent->size);
        }
    }
    return st;
}

typedef struct split_ent {
    int key;
    int rank;
} split_ent_t;

static int split_cmp(const void *a, const void *b)
{
    const split_ent_t *x = a, *y = b;
    if (x->key != y->key) {
        return x->key < y->key ? -1 : 1;
    }
    return x->rank < y->rank ? -1 : (x->rank > y->rank);
}

dwcs_status_t dwcp_comm_split(dwcp_comm_t *parent, int color, int key, dwcp_comm_t **out)
{
    int n = parent->size, i, cnt = 0;
    int mine[2] = {color, key};
    int *all = malloc((size_t)n * 2 * sizeof(int));
    split_ent_t *ents = malloc((size_t)n * sizeof(*ents));
    int *world = malloc((size_t)n * sizeof(int));
    dwcs_status_t st = (all && ents && world) ? DWCS_OK : DWCS_ERR_NO_MEMORY;
    *out = NULL;
    if (st == DWCS_OK) {
        st = dwcp_comm_allgather_int(parent, mine, 2, all);
    }
    if (st == DWCS_OK) {
        /* Distinct colors in order of first appearance get consecutive free pairs. */
        int ncolors = 0, mycolor_idx = -1, j;
        for (i = 0; i < n && st == DWCS_OK; i++) {
            int c = all[2 * i];
            if (c == MPI_UNDEFINED) {
                continue;
            }
            for (j = 0; j < i; j++) {
                if (all[2 * j] == c) {
                    break;
                }
            }
            if (j == i) {
                if (c == color) {
                    mycolor_idx = ncolors;
                }
                ncolors++;
            }
        }
        /* One fresh pair per color, agreed over all of parent. */
        uint32_t myctx = 0;
        if (st == DWCS_OK) {
            dwcp_ctxop_t *op = dwcp_ctxop_for_comm(parent, ncolors);
            if (op == NULL) {
                st = DWCS_ERR_NO_MEMORY;
            } else {
                dwcp_ctxop_use(op, mycolor_idx);
                st = dwcp_ctxop_start(op);
                if (st == DWCS_OK) {
                    st = dwcp_ctxop_wait(op);
                }
                if (st == DWCS_OK && mycolor_idx >= 0) {
                    myctx = (uint32_t)dwcp_ctxop_pair(op, mycolor_idx) * 2;
                }
                dwcp_ctxop_free(op);
            }
        }
        if (st == DWCS_OK && color != MPI_UNDEFINED) {
            for (i = 0; i < n; i++) {
                if (all[2 * i] == color) {
                    ents[cnt].key = all[2 * i + 1];
                    ents[cnt].rank = i;
                    cnt++;
                }
            }
            qsort(ents, (size_t)cnt, sizeof(*ents), split_cmp);
            for (i = 0; i < cnt; i++) {
                world[i] = parent->group->world[ents[i].rank];
            }
            dwcp_group_t *g = dwcp_group_create(cnt, world);
            if (g == NULL) {
                st = DWCS_ERR_NO_MEMORY;
            } else {
                st = dwcp_comm_new(parent, g, myctx, out);
                dwcp_group_release(g);
            }
        }
    }
    free(all);
    free(ents);
    free(world);
    return st;
}

dwcs_status_t dwcp_comm_create_group(dwcp_comm_t *parent, dwcp_group_t *g, int tag,
                                     dwcp_comm_t **out)
{
    int i, j;
    uint32_t ctx;
    *out = NULL;
    if (g->rank == MPI_UNDEFINED) {
        return DWCS_OK;
    }
    int *members = malloc((size_t)(g->size ? g->size : 1) * sizeof(int));
    if (members == NULL) {
        return DWCS_ERR_NO_MEMORY;
    }
    for (i = 0; i < g->size; i++) {
        members[i] = -1;
        for (j = 0; j < parent->group->size; j++) {
            if (parent->group->world[j] == g->world[i]) {
                members[i] = j;
                break;
            }
        }
        if (members[i] < 0) {
            free(members);
            return DWCS_ERR_INVALID_PARAM;
        }
    }
    /* The seed depends on the group's first member so that create_group calls on disjoint
     * groups with the same tag spread their retries differently. */
    dwcp_ctxop_t *op = dwcp_ctxop_new(1, tag, parent->ctx ^ ((uint32_t)g->world[0] << 16));
    dwcs_status_t st = op != NULL ? DWCS_OK : DWCS_ERR_NO_MEMORY;
    if (st == DWCS_OK) {
        st = dwcp_ctxop_tree(op, parent, members, g->size, DWCP_CTXOP_BOTH);
    }
    if (st == DWCS_OK) {
        dwcp_ctxop_use(op, 0);
        st = dwcp_ctxop_start(op);
    }
    if (st == DWCS_OK) {
        st = dwcp_ctxop_wait(op);
    }
    if (st == DWCS_OK) {
        ctx = (uint32_t)dwcp_ctxop_pair(op, 0) * 2;
    }
    dwcp_ctxop_free(op);
    free(members);
    if (st == DWCS_OK) {
        st = dwcp_comm_new(parent, g, ctx, out);
        if (st != DWCS_OK) {
            dwcp_ctx_release(ctx);
        }
    }
    return st;
}
