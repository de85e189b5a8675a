/* The collective schedule engine (see dwcp_sched.h). */
#include <stdlib.h>
#include <string.h>

#include "dwcp_op.h"
#include "dwcp_sched.h"
#include "p2p.h"

typedef enum { OP_SEND, OP_RECV, OP_REDUCE, OP_COPY } op_kind_t;

typedef struct sched_op {
    op_kind_t kind;
    const void *src;
    void *dst;
    size_t count, dcount;
    dwcp_dt_t *dt, *ddt;
    int peer;
    dwcp_comm_t *comm; /* send/recv: communicator the peer rank refers to */
    dwcp_op_t *op;
    dwcp_req_t *req; /* send/recv while in flight */
} sched_op_t;

typedef struct round {
    int first, n; /* ops[first .. first+n) */
} round_t;

/*
 * Small schedules (every collective on a few ranks) live entirely inside the schedule object:
 * its first ops, rounds and temporary bytes are inline, and finished objects are kept on a
 * short free list, so a small blocking collective calls malloc not at all. (Schedules used to
 * realloc their op array on the first op: a 1.4 KiB request that makes glibc consolidate its
 * fast bins on every collective call.)
 */
#define SCHED_INLINE_OPS 16
#define SCHED_INLINE_ROUNDS 16
#define SCHED_INLINE_BUFS 4
#define SCHED_ARENA 1024 /* inline temporary bytes (dwcp_sched_alloc) */
#define SCHED_POOL_MAX 8 /* finished schedule objects kept for reuse */
#define SCHED_ALIGN 16

struct dwcp_sched {
    dwcp_comm_t *comm;       /* the collective's communicator (holds a reference) */
    dwcp_comm_t *build_comm; /* communicator of operations added now (dwcp_sched_set_comm) */
    int tag;
    sched_op_t *ops;
    int nops, capops;
    round_t *rounds;
    int nrounds, caprounds;
    int cur;          /* round in progress */
    int started_cur;  /* its communication has been posted */
    int error;        /* first MPI error class */
    void **bufs;      /* heap temporaries (those that did not fit in the arena) */
    int nbufs, capbufs;
    size_t arena_used;
    struct dwcp_sched *next_free;
    sched_op_t ops_inline[SCHED_INLINE_OPS];
    round_t rounds_inline[SCHED_INLINE_ROUNDS];
    void *bufs_inline[SCHED_INLINE_BUFS];
    _Alignas(SCHED_ALIGN) char arena[SCHED_ARENA];
};

static dwcp_sched_t *sched_pool;
static int sched_npool;

static int next_tag(dwcp_comm_t *c)
{
    /* 0x40000000 .. 0x7fefffff: the collectives' range on the collective context. */
    static const unsigned span = 0x7fefffffu - 0x40000000u;
    unsigned t = 0x40000000u + (unsigned)(c->coll_seq++ % span);
    return (int)t;
}

dwcp_sched_t *dwcp_sched_new(dwcp_comm_t *c)
{
    return dwcp_sched_new_tagged(c, next_tag(c));
}

int dwcp_sched_tag(const dwcp_sched_t *s)
{
    return s->tag;
}

dwcp_sched_t *dwcp_sched_new_tagged(dwcp_comm_t *c, int tag)
{
    dwcp_sched_t *s = sched_pool;
    if (s != NULL) {
        sched_pool = s->next_free;
        sched_npool--;
    } else {
        s = malloc(sizeof(*s));
        if (s == NULL) {
            return NULL;
        }
    }
    s->comm = c;
    s->build_comm = c;
    c->refcount++;
    s->tag = tag;
    s->ops = s->ops_inline;
    s->nops = 0;
    s->capops = SCHED_INLINE_OPS;
    s->rounds = s->rounds_inline;
    s->caprounds = SCHED_INLINE_ROUNDS;
    s->nrounds = 0;
    s->cur = 0;
    s->started_cur = 0;
    s->error = MPI_SUCCESS;
    s->bufs = s->bufs_inline;
    s->nbufs = 0;
    s->capbufs = SCHED_INLINE_BUFS;
    s->arena_used = 0;
    s->next_free = NULL;
    /* the first round: cannot fail with the inline array */
    s->rounds[0].first = 0;
    s->rounds[0].n = 0;
    s->nrounds = 1;
    return s;
}

dwcp_comm_t *dwcp_sched_comm(dwcp_sched_t *s)
{
    return s->build_comm;
}

void dwcp_sched_set_comm(dwcp_sched_t *s, dwcp_comm_t *c)
{
    s->build_comm = c != NULL ? c : s->comm;
}

static void sched_free(dwcp_sched_t *s)
{
    int i;
    for (i = 0; i < s->nops; i++) {
        if (s->ops[i].req != NULL) {
            dwcp_req_free(s->ops[i].req);
        }
        if (s->ops[i].kind == OP_REDUCE) {
            dwcp_op_release(s->ops[i].op);
        }
        /* Datatypes are held by the schedule: the user may free them before it completes. */
        dwcp_dt_release(s->ops[i].dt);
        dwcp_dt_release(s->ops[i].ddt);
    }
    for (i = 0; i < s->nbufs; i++) {
        free(s->bufs[i]);
    }
    if (s->bufs != s->bufs_inline) {
        free(s->bufs);
    }
    if (s->ops != s->ops_inline) {
        free(s->ops);
    }
    if (s->rounds != s->rounds_inline) {
        free(s->rounds);
    }
    dwcp_comm_release(s->comm);
    if (sched_npool < SCHED_POOL_MAX) {
        s->next_free = sched_pool;
        sched_pool = s;
        sched_npool++;
    } else {
        free(s);
    }
}

/* Grow an array that starts out inline (@p inl); NULL when out of memory (old one kept). */
static void *grow(void *arr, const void *inl, int n, int newcap, size_t elem)
{
    if (arr == inl) {
        void *a = malloc((size_t)newcap * elem);
        if (a != NULL) {
            memcpy(a, arr, (size_t)n * elem);
        }
        return a;
    }
    return realloc(arr, (size_t)newcap * elem);
}

void dwcp_sched_discard(dwcp_sched_t *s)
{
    if (s != NULL) {
        sched_free(s);
    }
}

void *dwcp_sched_alloc(dwcp_sched_t *s, size_t bytes)
{
    size_t need = (bytes + SCHED_ALIGN - 1) & ~(size_t)(SCHED_ALIGN - 1);
    if (need == 0) {
        need = SCHED_ALIGN;
    }
    if (need <= SCHED_ARENA - s->arena_used) {
        void *b = s->arena + s->arena_used;
        s->arena_used += need;
        return b;
    }
    if (s->nbufs == s->capbufs) {
        void **n = grow(s->bufs, s->bufs_inline, s->nbufs, s->capbufs * 2, sizeof(void *));
        if (n == NULL) {
            return NULL;
        }
        s->bufs = n;
        s->capbufs *= 2;
    }
    void *b = malloc(bytes ? bytes : 1);
    if (b != NULL) {
        s->bufs[s->nbufs++] = b;
    }
    return b;
}

dwcs_status_t dwcp_sched_round(dwcp_sched_t *s)
{
    if (s->nrounds > 0 && s->rounds[s->nrounds - 1].n == 0) {
        return DWCS_OK; /* the current round is still empty */
    }
    if (s->nrounds == s->caprounds) {
        int cap = s->caprounds * 2;
        round_t *r = grow(s->rounds, s->rounds_inline, s->nrounds, cap, sizeof(*r));
        if (r == NULL) {
            return DWCS_ERR_NO_MEMORY;
        }
        s->rounds = r;
        s->caprounds = cap;
    }
    s->rounds[s->nrounds].first = s->nops;
    s->rounds[s->nrounds].n = 0;
    s->nrounds++;
    return DWCS_OK;
}

static sched_op_t *add(dwcp_sched_t *s, op_kind_t kind)
{
    if (s->nops == s->capops) {
        int cap = s->capops * 2;
        sched_op_t *o = grow(s->ops, s->ops_inline, s->nops, cap, sizeof(*o));
        if (o == NULL) {
            return NULL;
        }
        s->ops = o;
        s->capops = cap;
    }
    sched_op_t *o = &s->ops[s->nops++];
    memset(o, 0, sizeof(*o));
    o->kind = kind;
    o->comm = s->build_comm;
    s->rounds[s->nrounds - 1].n++;
    return o;
}

dwcs_status_t dwcp_sched_send(dwcp_sched_t *s, const void *buf, size_t count, dwcp_dt_t *dt,
                              int peer)
{
    sched_op_t *o = add(s, OP_SEND);
    if (o == NULL) {
        return DWCS_ERR_NO_MEMORY;
    }
    o->src = buf;
    o->count = count;
    o->dt = dt;
    o->peer = peer;
    dwcp_dt_retain(dt);
    return DWCS_OK;
}

dwcs_status_t dwcp_sched_recv(dwcp_sched_t *s, void *buf, size_t count, dwcp_dt_t *dt,
                              int peer)
{
    sched_op_t *o = add(s, OP_RECV);
    if (o == NULL) {
        return DWCS_ERR_NO_MEMORY;
    }
    o->dst = buf;
    o->count = count;
    o->dt = dt;
    o->peer = peer;
    dwcp_dt_retain(dt);
    return DWCS_OK;
}

dwcs_status_t dwcp_sched_reduce(dwcp_sched_t *s, const void *in, void *inout, size_t count,
                                dwcp_dt_t *dt, dwcp_op_t *op)
{
    sched_op_t *o = add(s, OP_REDUCE);
    if (o == NULL) {
        return DWCS_ERR_NO_MEMORY;
    }
    o->src = in;
    o->dst = inout;
    o->count = count;
    o->dt = dt;
    o->op = op;
    dwcp_op_retain(op);
    dwcp_dt_retain(dt);
    return DWCS_OK;
}

dwcs_status_t dwcp_sched_copy(dwcp_sched_t *s, const void *src, size_t scount, dwcp_dt_t *sdt,
                              void *dst, size_t dcount, dwcp_dt_t *ddt)
{
    sched_op_t *o = add(s, OP_COPY);
    if (o == NULL) {
        return DWCS_ERR_NO_MEMORY;
    }
    o->src = src;
    o->count = scount;
    o->dt = sdt;
    o->dst = dst;
    o->dcount = dcount;
    o->ddt = ddt;
    dwcp_dt_retain(sdt);
    dwcp_dt_retain(ddt);
    return DWCS_OK;
}

/* Copy between two typed buffers with the same type signature. */
static void typed_copy(const sched_op_t *o)
{
    size_t n = o->count * o->dt->size, m = o->dcount * o->ddt->size;
    if (m < n) {
        n = m;
    }
    if (n == 0) {
        return;
    }
    if (o->dt->contig && o->ddt->contig) {
        memmove((char *)o->dst + o->ddt->true_lb, (const char *)o->src + o->dt->true_lb, n);
        return;
    }
    if (o->dt->contig) {
        dwcp_dt_unpack((const char *)o->src + o->dt->true_lb, n, o->dst, o->dcount, o->ddt, 0);
        return;
    }
    char tmp[4096];
    size_t off = 0;
    while (off < n) {
        size_t k = n - off < sizeof(tmp) ? n - off : sizeof(tmp);
        dwcp_dt_pack(o->src, o->count, o->dt, off, tmp, k);
        dwcp_dt_unpack(tmp, k, o->dst, o->dcount, o->ddt, off);
        off += k;
    }
}

/* Post the communication of round @p r. */
static void post_round(dwcp_sched_t *s, int r)
{
    int i;
    for (i = s->rounds[r].first; i < s->rounds[r].first + s->rounds[r].n; i++) {
        sched_op_t *o = &s->ops[i];
        dwcs_status_t st = DWCS_OK;
        if (o->kind == OP_SEND || o->kind == OP_RECV) {
            o->req = dwcp_req_alloc(o->kind == OP_SEND ? DWCP_REQ_SEND : DWCP_REQ_RECV);
            if (o->req == NULL) {
                s->error = MPI_ERR_NO_MEM;
                continue;
            }
            if (o->kind == OP_SEND) {
                st = dwcp_p2p_isend(o->src, o->count, o->dt, o->peer, s->tag, o->comm,
                                    o->comm->ctx + 1, DWCP_SEND_STANDARD, o->req);
            } else {
                st = dwcp_p2p_irecv(o->dst, o->count, o->dt, o->peer, s->tag, o->comm,
                                    o->comm->ctx + 1, o->req);
            }
            if (st != DWCS_OK && s->error == MPI_SUCCESS) {
                s->error = dwcp_status_to_class(st);
            }
        }
    }
}

/* Is the communication of round @p r complete? Runs its local ops when it is. */
static int finish_round(dwcp_sched_t *s, int r)
{
    int i;
    for (i = s->rounds[r].first; i < s->rounds[r].first + s->rounds[r].n; i++) {
        sched_op_t *o = &s->ops[i];
        if (o->req != NULL && !o->req->complete) {
            return 0;
        }
    }
    for (i = s->rounds[r].first; i < s->rounds[r].first + s->rounds[r].n; i++) {
        sched_op_t *o = &s->ops[i];
        if (o->req != NULL) {
            if (o->req->status.MPI_ERROR != MPI_SUCCESS && s->error == MPI_SUCCESS) {
                s->error = o->req->status.MPI_ERROR;
            }
            dwcp_req_free(o->req);
            o->req = NULL;
        } else if (o->kind == OP_REDUCE) {
            int rc = dwcp_op_apply(o->op, o->src, o->dst, o->count, o->dt);
            if (rc != MPI_SUCCESS && s->error == MPI_SUCCESS) {
                s->error = rc;
            }
        } else if (o->kind == OP_COPY) {
            typed_copy(o);
        }
    }
    return 1;
}

/* Advance as far as possible; 1 when the whole schedule is done. */
static int advance(dwcp_sched_t *s)
{
    while (s->cur < s->nrounds) {
        if (!s->started_cur) {
            post_round(s, s->cur);
            s->started_cur = 1;
        }
        if (!finish_round(s, s->cur)) {
            return 0;
        }
        s->cur++;
        s->started_cur = 0;
    }
    return 1;
}

static int sched_poll(dwcp_req_t *req)
{
    dwcp_sched_t *s = req->extra;
    if (s == NULL) {
        return 1;
    }
    if (!advance(s)) {
        return 0;
    }
    req->status.MPI_ERROR = s->error;
    return 1;
}

static void sched_cleanup(dwcp_req_t *req)
{
    dwcp_sched_t *s = req->extra;
    if (s != NULL) {
        sched_free(s);
        req->extra = NULL;
    }
}

/* Nonblocking collectives progress in the background of other MPI calls: every active one is
 * polled from the progress engine. */
static dwcp_req_t **active;
static int nactive, capactive;

static int poll_active(void *arg)
{
    int i, n = 0;
    (void)arg;
    for (i = 0; i < nactive;) {
        dwcp_req_t *r = active[i];
        if (r->complete || sched_poll(r)) {
            active[i] = active[--nactive];
            if (!r->complete) {
                dwcp_req_complete(r); /* may free r if the user already freed it */
            }
            n++;
        } else {
            i++;
        }
    }
    return n;
}

static int hook_installed;

dwcs_status_t dwcp_sched_start(dwcp_sched_t *s, dwcp_req_t *req)
{
    if (!hook_installed) {
        dwcs_status_t st = dwcp_progress_hook_add(poll_active, NULL);
        if (st != DWCS_OK) {
            return st;
        }
        hook_installed = 1;
    }
    if (nactive == capactive) {
        int cap = capactive ? capactive * 2 : 16;
        dwcp_req_t **a = realloc(active, (size_t)cap * sizeof(*a));
        if (a == NULL) {
            return DWCS_ERR_NO_MEMORY;
        }
        active = a;
        capactive = cap;
    }
    req->kind = DWCP_REQ_COLL;
    req->extra = s;
    req->cleanup = sched_cleanup;
    req->poll = NULL; /* driven by poll_active; req->complete tells waiters */
    req->comm = s->comm;
    dwcp_status_empty(&req->status);
    if (advance(s)) {
        req->status.MPI_ERROR = s->error;
        dwcp_req_complete(req);
        return DWCS_OK;
    }
    active[nactive++] = req;
    return DWCS_OK;
}

void dwcp_sched_reset_active(void)
{
    while (sched_pool != NULL) {
        dwcp_sched_t *s = sched_pool;
        sched_pool = s->next_free;
        free(s);
    }
    sched_npool = 0;
    free(active);
    active = NULL;
    nactive = capactive = 0;
    hook_installed = 0;
}

int dwcp_sched_run(dwcp_sched_t *s)
{
    unsigned idle = 0;
    int err;
    while (!advance(s)) {
        dwcp_wait_idle(dwcp_progress(), &idle);
    }
    err = s->error;
    sched_free(s);
    return err;
}
