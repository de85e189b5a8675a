/*
 * Context-id agreement that can run nonblocking (MPI_Comm_idup) and overlap other agreements.
 *
 * An agreement is a small schedule of point-to-point steps (a binomial reduce + broadcast over
 * an intracommunicator's members, optionally with a leader-to-leader bridge between the two
 * groups of an intercommunicator) run twice per attempt:
 *
 *   1. mask round: every member contributes its free pairs minus the pairs other agreements
 *      have tentatively reserved; the AND is common to all members, and all derive the same
 *      candidate pairs from it;
 *   2. check round: each member tentatively reserves the candidates it will use if they are
 *      still free and unreserved locally (another agreement may have taken them since the mask
 *      was sent) and contributes 1 (all reserved) or 0; the AND decides: commit everywhere or
 *      release and retry.
 *
 * A pair is thus reserved by at most one agreement at a time in each process, so concurrent
 * agreements on overlapping member sets never hand out the same pair, and none waits for
 * another (no global lock, so idups started in different orders on different communicators
 * cannot deadlock). Retries pick candidates at a pseudo-random offset seeded by the parent's
 * context and the agreement's tag so that two colliding agreements soon diverge.
 */
#include <stdlib.h>
#include <string.h>

#include "dwcp_comm.h"
#include "p2p.h"

#define WORDS (DWCP_CTX_PAIRS / 32)
#define MAX_ATTEMPTS 10000

/* Pairs tentatively reserved by a running agreement (bit set = reserved). */
static uint32_t ctx_resv[WORDS];

enum { STEP_SEND, STEP_RECV_AND };
enum { PH_MASK, PH_CHECK, PH_DONE };

typedef struct step {
    int kind;
    dwcp_comm_t *comm;
    uint32_t ctx;
    int rank;
    int tag;
} step_t;

struct dwcp_ctxop {
    int tag;
    uint32_t seed;
    int npairs;
    int *pairs;       /* candidates of the current attempt, then the agreed pairs */
    int *use;         /* indices into pairs this process uses */
    int nuse;
    int *held;        /* pairs this op has reserved in the current attempt */
    int nheld;
    step_t *steps;
    int nsteps, capsteps;
    int step;
    int phase;
    int attempt;
    int started;
    int busy;         /* advance() running (re-entrancy guard) */
    dwcp_req_t *req;  /* outstanding step */
    uint32_t words[WORDS];
    uint32_t tmp[WORDS];
    dwcs_status_t st;
    dwcp_ctxop_t *next; /* active list */
};

static dwcp_ctxop_t *active;
static int hook_installed;

dwcp_ctxop_t *dwcp_ctxop_new(int npairs, int tag, uint32_t seed)
{
    dwcp_ctxop_t *op = calloc(1, sizeof(*op));
    if (op == NULL) {
        return NULL;
    }
    op->npairs = npairs;
    op->tag = tag;
    op->seed = seed * 2654435761u;
    op->pairs = calloc((size_t)(npairs > 0 ? npairs : 1), sizeof(int));
    op->use = calloc((size_t)(npairs > 0 ? npairs : 1), sizeof(int));
    op->held = calloc((size_t)(npairs > 0 ? npairs : 1), sizeof(int));
    if (op->pairs == NULL || op->use == NULL || op->held == NULL) {
        dwcp_ctxop_free(op);
        return NULL;
    }
    return op;
}

void dwcp_ctxop_use(dwcp_ctxop_t *op, int idx)
{
    if (idx >= 0 && idx < op->npairs && op->nuse < op->npairs) {
        op->use[op->nuse++] = idx;
    }
}

static dwcs_status_t add_step(dwcp_ctxop_t *op, int kind, dwcp_comm_t *c, uint32_t ctx, int rank,
                              int tag)
{
    if (op->nsteps == op->capsteps) {
        int cap = op->capsteps ? op->capsteps * 2 : 16;
        step_t *s = realloc(op->steps, (size_t)cap * sizeof(*s));
        if (s == NULL) {
            return DWCS_ERR_NO_MEMORY;
        }
        op->steps = s;
        op->capsteps = cap;
    }
    c->refcount++;
    op->steps[op->nsteps++] = (step_t){kind, c, ctx, rank, tag};
    return DWCS_OK;
}

dwcs_status_t dwcp_ctxop_tree(dwcp_ctxop_t *op, dwcp_comm_t *c, const int *members, int n,
                              int part)
{
    int me = -1, i, k;
    dwcs_status_t st = DWCS_OK;
    uint32_t ctx = c->ctx + 1;
    for (i = 0; i < n; i++) {
        if (members[i] == c->rank) {
            me = i;
        }
    }
    if (me < 0) {
        return DWCS_ERR_INVALID_PARAM;
    }
    if (part & DWCP_CTXOP_REDUCE) {
        for (k = 1; k < n && st == DWCS_OK; k <<= 1) {
            if (me & k) {
                st = add_step(op, STEP_SEND, c, ctx, members[me - k], op->tag);
                break;
            }
            if (me + k < n) {
                st = add_step(op, STEP_RECV_AND, c, ctx, members[me + k], op->tag);
            }
        }
    }
    if (part & DWCP_CTXOP_BCAST) {
        int mask = 1;
        while (mask < n) {
            mask <<= 1;
        }
        for (k = mask >> 1; k >= 1 && st == DWCS_OK; k >>= 1) {
            if (me % (2 * k) == k) {
                /* receiving the broadcast: AND into words, which only narrows it to the
                 * root's value since the root's value is already the AND of all */
                st = add_step(op, STEP_RECV_AND, c, ctx, members[me - k], op->tag);
            } else if (me % (2 * k) == 0 && me + k < n) {
                st = add_step(op, STEP_SEND, c, ctx, members[me + k], op->tag);
            }
        }
    }
    return st;
}

dwcs_status_t dwcp_ctxop_bridge(dwcp_ctxop_t *op, dwcp_comm_t *c, uint32_t ctx, int peer,
                                int tag)
{
    dwcs_status_t st;
    if (dwcp_g.rank < dwcp_comm_peer_world(c, peer)) {
        st = add_step(op, STEP_SEND, c, ctx, peer, tag);
        if (st == DWCS_OK) {
            st = add_step(op, STEP_RECV_AND, c, ctx, peer, tag);
        }
    } else {
        st = add_step(op, STEP_RECV_AND, c, ctx, peer, tag);
        if (st == DWCS_OK) {
            st = add_step(op, STEP_SEND, c, ctx, peer, tag);
        }
    }
    return st;
}

static int pair_busy(int p)
{
    return !(dwcp_ctx_free[p / 32] & (1u << (p % 32))) || (ctx_resv[p / 32] & (1u << (p % 32)));
}

static void release_held(dwcp_ctxop_t *op)
{
    int i;
    for (i = 0; i < op->nheld; i++) {
        ctx_resv[op->held[i] / 32] &= ~(1u << (op->held[i] % 32));
    }
    op->nheld = 0;
}

static void load_mask(dwcp_ctxop_t *op)
{
    int i;
    for (i = 0; i < WORDS; i++) {
        op->words[i] = dwcp_ctx_free[i] & ~ctx_resv[i];
    }
}

/* End of the mask round: pick candidates, reserve the ones we use. */
static void end_mask_round(dwcp_ctxop_t *op)
{
    int i, found = 0, start = 0;
    if (op->attempt > 0) {
        uint32_t h = op->seed ^ ((uint32_t)op->attempt * 0x9e3779b9u);
        h ^= h >> 16;
        h *= 0x85ebca6bu;
        h ^= h >> 13;
        start = (int)(h % DWCP_CTX_PAIRS);
    }
    for (i = 0; i < DWCP_CTX_PAIRS && found < op->npairs; i++) {
        int p = (start + i) % DWCP_CTX_PAIRS;
        if (p >= 2 && (op->words[p / 32] & (1u << (p % 32)))) {
            op->pairs[found++] = p;
        }
    }
    if (found < op->npairs) {
        DWCS_ERROR("no free communicator context ids (%d pairs needed, %d in all): free some "
                   "communicators", op->npairs, DWCP_CTX_PAIRS);
        op->st = DWCS_ERR_OVERFLOW;
        op->phase = PH_DONE;
        return;
    }
    uint32_t ok = 1;
    for (i = 0; i < op->nuse; i++) {
        int p = op->pairs[op->use[i]];
        if (pair_busy(p)) {
            ok = 0;
            break;
        }
        ctx_resv[p / 32] |= 1u << (p % 32);
        op->held[op->nheld++] = p;
    }
    if (!ok) {
        release_held(op);
    }
    op->words[0] = ok;
    op->phase = PH_CHECK;
}

static void end_check_round(dwcp_ctxop_t *op)
{
    int i;
    if (op->words[0]) {
        for (i = 0; i < op->nheld; i++) {
            int p = op->held[i];
            dwcp_ctx_free[p / 32] &= ~(1u << (p % 32));
        }
        release_held(op);
        op->phase = PH_DONE;
        return;
    }
    release_held(op);
    if (++op->attempt >= MAX_ATTEMPTS) {
        DWCS_ERROR("could not agree on a communicator context id after %d attempts",
                   MAX_ATTEMPTS);
        op->st = DWCS_ERR_TIMEOUT;
        op->phase = PH_DONE;
        return;
    }
    load_mask(op);
    op->phase = PH_MASK;
}

/* Run steps as far as possible; 1 when finished. */
static int advance(dwcp_ctxop_t *op)
{
    if (op->phase == PH_DONE || op->busy) {
        return op->phase == PH_DONE;
    }
    op->busy = 1;
    while (op->phase != PH_DONE) {
        size_t len = op->phase == PH_MASK ? sizeof(op->words) : sizeof(uint32_t);
        if (op->req != NULL) {
            if (!op->req->complete) {
                break;
            }
            int err = op->req->status.MPI_ERROR;
            dwcp_req_free(op->req);
            op->req = NULL;
            if (err != MPI_SUCCESS) {
                op->st = DWCS_ERR_IO;
                op->phase = PH_DONE;
                break;
            }
            if (op->steps[op->step].kind == STEP_RECV_AND) {
                size_t i, n = len / sizeof(uint32_t);
                for (i = 0; i < n; i++) {
                    op->words[i] &= op->tmp[i];
                }
            }
            op->step++;
        }
        if (op->step == op->nsteps) {
            op->step = 0;
            if (op->phase == PH_MASK) {
                end_mask_round(op);
            } else {
                end_check_round(op);
            }
            continue;
        }
        step_t *s = &op->steps[op->step];
        dwcp_req_t *r = dwcp_req_alloc(s->kind == STEP_SEND ? DWCP_REQ_SEND : DWCP_REQ_RECV);
        dwcs_status_t st = r ? DWCS_OK : DWCS_ERR_NO_MEMORY;
        if (st == DWCS_OK && s->kind == STEP_SEND) {
            st = dwcp_p2p_isend(op->words, len, dwcp_dt_get(MPI_BYTE), s->rank, s->tag, s->comm,
                                s->ctx, DWCP_SEND_STANDARD, r);
        } else if (st == DWCS_OK) {
            st = dwcp_p2p_irecv(op->tmp, len, dwcp_dt_get(MPI_BYTE), s->rank, s->tag, s->comm,
                                s->ctx, r);
        }
        if (st != DWCS_OK) {
            dwcp_req_free(r);
            op->st = st;
            op->phase = PH_DONE;
            break;
        }
        op->req = r;
    }
    op->busy = 0;
    return op->phase == PH_DONE;
}

static void unlink_op(dwcp_ctxop_t *op)
{
    dwcp_ctxop_t **pp;
    for (pp = &active; *pp != NULL; pp = &(*pp)->next) {
        if (*pp == op) {
            *pp = op->next;
            op->next = NULL;
            return;
        }
    }
}

static int progress_all(void *arg)
{
    dwcp_ctxop_t *op, *next;
    int n = 0;
    (void)arg;
    for (op = active; op != NULL; op = next) {
        next = op->next;
        int was = op->step + op->phase * 1000 + op->attempt * 10000;
        if (advance(op)) {
            unlink_op(op);
            n++;
        } else if (was != op->step + op->phase * 1000 + op->attempt * 10000) {
            n++;
        }
    }
    return n;
}

dwcs_status_t dwcp_ctxop_start(dwcp_ctxop_t *op)
{
    if (!hook_installed) {
        dwcs_status_t st = dwcp_progress_hook_add(progress_all, NULL);
        if (st != DWCS_OK) {
            return st;
        }
        hook_installed = 1;
    }
    dwcp_ctx_pool_init();
    op->started = 1;
    op->phase = PH_MASK;
    load_mask(op);
    if (!advance(op)) {
        op->next = active;
        active = op;
    }
    return DWCS_OK;
}

int dwcp_ctxop_test(dwcp_ctxop_t *op)
{
    if (advance(op)) {
        unlink_op(op);
        return 1;
    }
    return 0;
}

dwcs_status_t dwcp_ctxop_wait(dwcp_ctxop_t *op)
{
    unsigned idle = 0;
    while (!dwcp_ctxop_test(op)) {
        dwcp_wait_idle(dwcp_progress(), &idle);
    }
    return op->st;
}

dwcs_status_t dwcp_ctxop_status(const dwcp_ctxop_t *op)
{
    return op->st;
}

int dwcp_ctxop_pair(const dwcp_ctxop_t *op, int idx)
{
    return idx >= 0 && idx < op->npairs ? op->pairs[idx] : -1;
}

void dwcp_ctxop_free(dwcp_ctxop_t *op)
{
    int i;
    if (op == NULL) {
        return;
    }
    unlink_op(op);
    release_held(op);
    if (op->req != NULL && !op->req->complete) {
        /* abandoned mid-flight (MPI_Finalize with an idup pending): a posted receive is
         * cancelled; a send still in the transport keeps pointing at op->words, so the op's
         * memory is left allocated rather than risk a write into freed memory */
        if (op->req->kind == DWCP_REQ_RECV && dwcp_p2p_cancel_recv(op->req)) {
            dwcp_req_free(op->req);
        } else {
            return;
        }
    } else if (op->req != NULL) {
        dwcp_req_free(op->req);
    }
    op->req = NULL;
    for (i = 0; i < op->nsteps; i++) {
        dwcp_comm_release(op->steps[i].comm);
    }
    free(op->steps);
    free(op->pairs);
    free(op->use);
    free(op->held);
    free(op);
}

void dwcp_ctxop_reset(void)
{
    active = NULL;
    hook_installed = 0;
    memset(ctx_resv, 0, sizeof(ctx_resv));
}

int dwcp_comm_next_tag(dwcp_comm_t *c)
{
    return DWCP_CTX_TAG_BASE + (int)(c->cre_seq++ % DWCP_CTX_TAG_SPAN);
}

dwcp_ctxop_t *dwcp_ctxop_for_comm(dwcp_comm_t *c, int npairs)
{
    int tag = dwcp_comm_next_tag(c);
    dwcp_comm_t *l = c->remote != NULL ? c->local : c;
    dwcp_ctxop_t *op = dwcp_ctxop_new(npairs, tag, c->ctx ^ ((uint32_t)tag << 12));
    int *m = malloc((size_t)l->size * sizeof(int)), i;
    dwcs_status_t st = (op != NULL && m != NULL) ? DWCS_OK : DWCS_ERR_NO_MEMORY;
    for (i = 0; m != NULL && i < l->size; i++) {
        m[i] = i;
    }
    if (st == DWCS_OK && c->remote == NULL) {
        st = dwcp_ctxop_tree(op, c, m, c->size, DWCP_CTXOP_BOTH);
    } else if (st == DWCS_OK) {
        st = dwcp_ctxop_tree(op, l, m, l->size, DWCP_CTXOP_REDUCE);
        if (st == DWCS_OK && l->rank == 0) {
            st = dwcp_ctxop_bridge(op, c, c->ctx + 1, 0, tag);
        }
        if (st == DWCS_OK) {
            st = dwcp_ctxop_tree(op, l, m, l->size, DWCP_CTXOP_BCAST);
        }
    }
    free(m);
    if (st != DWCS_OK) {
        dwcp_ctxop_free(op);
        return NULL;
    }
    return op;
}
