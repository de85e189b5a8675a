/*
 * Persistent collectives (MPI-4 MPI_Bcast_init and friends).
 *
 * An *_init binding runs the nonblocking binding's checks unchanged while a recording table is
 * installed (dwcp_coll_table_record): the builder call it ends with is captured into a pcoll_t
 * (arrays copied, datatypes, operation and communicator referenced) instead of building a
 * schedule, and dwcp_cb_finish turns the capture into an inactive persistent request (keeping
 * the collective tag that call took, so requests match in init order whatever the order of
 * MPI_Start). Each MPI_Start builds a fresh schedule from the capture with the communicator's
 * real table and that tag, and starts it as an internal collective request; the persistent
 * request completes with it. Freeing an active persistent collective is refused.
 */
#include <stdlib.h>
#include <string.h>

#include "coll_bind.h"
#include "dwcp_coll_table.h"
#include "p2p.h"

typedef enum {
    PC_BARRIER,
    PC_BCAST,
    PC_REDUCE,
    PC_ALLREDUCE,
    PC_GATHERV,
    PC_SCATTERV,
    PC_ALLGATHERV,
    PC_ALLTOALLW,
    PC_REDUCE_SCATTER,
    PC_SCAN
} pc_kind_t;

typedef struct pcoll {
    pc_kind_t kind;
    dwcp_comm_t *comm;          /* referenced */
    const void *sbuf;
    void *rbuf;
    size_t scount, rcount;
    dwcp_dt_t *sdt, *rdt;       /* referenced (NULL when not significant) */
    dwcp_op_t *op;              /* referenced */
    int root, exclusive;
    int tag;                    /* collective tag taken at init (matching is in init order) */
    int *counts, *displs;       /* copies (NULL when not given / not significant) */
    int n;                      /* entries of the arrays */
    size_t *sc, *rc;            /* alltoallw copies */
    MPI_Aint *sd, *rd;
    dwcp_dt_t **sts, **rts;     /* referenced entries */
    dwcp_req_t *inner;          /* the running schedule's request while active */
} pcoll_t;

/* The capture of the *_init call in progress on this thread (NULL when not recording). */
static __thread pcoll_t *recording;

static void pcoll_free(pcoll_t *p)
{
    int i;
    if (p == NULL) {
        return;
    }
    dwcp_dt_release(p->sdt);
    dwcp_dt_release(p->rdt);
    dwcp_op_release(p->op);
    if (p->sts != NULL) {
        for (i = 0; i < p->n; i++) {
            dwcp_dt_release(p->sts[i]);
            dwcp_dt_release(p->rts[i]);
        }
    }
    if (p->comm != NULL) {
        dwcp_comm_release(p->comm);
    }
    free(p->counts);
    free(p->displs);
    free(p->sc);
    free(p->rc);
    free(p->sd);
    free(p->rd);
    free(p->sts);
    free(p->rts);
    free(p);
}

/* Start a capture on @p s: the communicator, datatypes and operation. */
static pcoll_t *cap(dwcp_sched_t *s, pc_kind_t kind, dwcp_dt_t *sdt, dwcp_dt_t *rdt,
                    dwcp_op_t *op)
{
    pcoll_t *p = recording;
    if (p == NULL || p->comm != NULL) {
        return NULL; /* not recording, or a second builder call */
    }
    p->kind = kind;
    p->comm = dwcp_sched_comm(s);
    p->comm->refcount++;
    p->sdt = sdt;
    p->rdt = rdt;
    p->op = op;
    dwcp_dt_retain(sdt);
    dwcp_dt_retain(rdt);
    dwcp_op_retain(op);
    return p;
}

/* Copy @p n ints (NULL stays NULL); 0 when out of memory. */
static int copy_ints(int **dst, const int *src, int n)
{
    if (src == NULL) {
        *dst = NULL;
        return 1;
    }
    *dst = malloc(sizeof(int) * (size_t)(n > 0 ? n : 1));
    if (*dst == NULL) {
        return 0;
    }
    memcpy(*dst, src, sizeof(int) * (size_t)n);
    return 1;
}

/* Am I the root of a rooted collective on the captured communicator? */
static int is_root(const pcoll_t *p)
{
    return p->comm->remote != NULL ? p->root == MPI_ROOT : p->comm->rank == p->root;
}

static dwcs_status_t rec_barrier(dwcp_sched_t *s)
{
    return cap(s, PC_BARRIER, NULL, NULL, NULL) ? DWCS_OK : DWCS_ERR_NO_MEMORY;
}

static dwcs_status_t rec_bcast(dwcp_sched_t *s, void *buf, size_t count, dwcp_dt_t *dt, int root)
{
    pcoll_t *p = cap(s, PC_BCAST, dt, NULL, NULL);
    if (p == NULL) {
        return DWCS_ERR_NO_MEMORY;
    }
    p->rbuf = buf;
    p->scount = count;
    p->root = root;
    return DWCS_OK;
}

static dwcs_status_t rec_reduce(dwcp_sched_t *s, const void *sendbuf, void *recvbuf,
                                size_t count, dwcp_dt_t *dt, dwcp_op_t *op, int root)
{
    pcoll_t *p = cap(s, PC_REDUCE, dt, NULL, op);
    if (p == NULL) {
        return DWCS_ERR_NO_MEMORY;
    }
    p->sbuf = sendbuf;
    p->rbuf = recvbuf;
    p->scount = count;
    p->root = root;
    return DWCS_OK;
}

static dwcs_status_t rec_allreduce(dwcp_sched_t *s, const void *sendbuf, void *recvbuf,
                                   size_t count, dwcp_dt_t *dt, dwcp_op_t *op)
{
    pcoll_t *p = cap(s, PC_ALLREDUCE, dt, NULL, op);
    if (p == NULL) {
        return DWCS_ERR_NO_MEMORY;
    }
    p->sbuf = sendbuf;
    p->rbuf = recvbuf;
    p->scount = count;
    return DWCS_OK;
}

/* The v-collectives with one count/displacement pair of arrays: gatherv (arrays significant at
 * the root), scatterv (likewise) and allgatherv (everywhere; root -1). */
static dwcs_status_t rec_vcoll(dwcp_sched_t *s, pc_kind_t kind, const void *sendbuf, size_t scount,
                               dwcp_dt_t *sdt, void *recvbuf, size_t rcount, dwcp_dt_t *rdt,
                               const int *counts, const int *displs, int root)
{
    pcoll_t *p = cap(s, kind, sdt, rdt, NULL);
    if (p == NULL) {
        return DWCS_ERR_NO_MEMORY;
    }
    p->sbuf = sendbuf;
    p->scount = scount;
    p->rbuf = recvbuf;
    p->rcount = rcount;
    p->root = root;
    p->n = dwcp_comm_peer_size(p->comm);
    if ((kind == PC_ALLGATHERV || is_root(p)) &&
        (!copy_ints(&p->counts, counts, p->n) || !copy_ints(&p->displs, displs, p->n))) {
        return DWCS_ERR_NO_MEMORY;
    }
    return DWCS_OK;
}

static dwcs_status_t rec_gatherv(dwcp_sched_t *s, const void *sendbuf, size_t scount,
                                 dwcp_dt_t *sdt, void *recvbuf, const int *rcounts,
                                 const int *displs, size_t rcount, dwcp_dt_t *rdt, int root)
{
    return rec_vcoll(s, PC_GATHERV, sendbuf, scount, sdt, recvbuf, rcount, rdt, rcounts, displs,
                     root);
}

static dwcs_status_t rec_scatterv(dwcp_sched_t *s, const void *sendbuf, const int *scounts,
                                  const int *displs, size_t scount, dwcp_dt_t *sdt, void *recvbuf,
                                  size_t rcount, dwcp_dt_t *rdt, int root)
{
    return rec_vcoll(s, PC_SCATTERV, sendbuf, scount, sdt, recvbuf, rcount, rdt, scounts, displs,
                     root);
}

static dwcs_status_t rec_allgatherv(dwcp_sched_t *s, const void *sendbuf, size_t scount,
                                    dwcp_dt_t *sdt, void *recvbuf, const int *rcounts,
                                    const int *displs, size_t rcount, dwcp_dt_t *rdt)
{
    return rec_vcoll(s, PC_ALLGATHERV, sendbuf, scount, sdt, recvbuf, rcount, rdt, rcounts,
                     displs, -1);
}

static dwcs_status_t rec_alltoallw(dwcp_sched_t *s, const void *sendbuf, const size_t *scounts,
                                   const MPI_Aint *sdispls, dwcp_dt_t *const *sdts, void *recvbuf,
                                   const size_t *rcounts, const MPI_Aint *rdispls,
                                   dwcp_dt_t *const *rdts)
{
    pcoll_t *p = cap(s, PC_ALLTOALLW, NULL, NULL, NULL);
    int i;
    if (p == NULL) {
        return DWCS_ERR_NO_MEMORY;
    }
    size_t n = (size_t)dwcp_comm_peer_size(p->comm);
    p->sbuf = sendbuf;
    p->rbuf = recvbuf;
    p->sc = calloc(n + 1, sizeof(size_t));
    p->rc = calloc(n + 1, sizeof(size_t));
    p->sd = calloc(n + 1, sizeof(MPI_Aint));
    p->rd = calloc(n + 1, sizeof(MPI_Aint));
    p->sts = calloc(n + 1, sizeof(dwcp_dt_t *));
    p->rts = calloc(n + 1, sizeof(dwcp_dt_t *));
    if (p->sc == NULL || p->rc == NULL || p->sd == NULL || p->rd == NULL || p->sts == NULL ||
        p->rts == NULL) {
        return DWCS_ERR_NO_MEMORY;
    }
    p->n = (int)n;
    for (i = 0; i < p->n; i++) {
        if (sendbuf != NULL) { /* in place: the send arrays are not significant */
            p->sc[i] = scounts[i];
            p->sd[i] = sdispls[i];
            p->sts[i] = sdts[i];
            dwcp_dt_retain(sdts[i]);
        }
        p->rc[i] = rcounts[i];
        p->rd[i] = rdispls[i];
        p->rts[i] = rdts[i];
        dwcp_dt_retain(rdts[i]);
    }
    return DWCS_OK;
}

static dwcs_status_t rec_reduce_scatter(dwcp_sched_t *s, const void *sendbuf, void *recvbuf,
                                        const int *rcounts, dwcp_dt_t *dt, dwcp_op_t *op)
{
    pcoll_t *p = cap(s, PC_REDUCE_SCATTER, dt, NULL, op);
    if (p == NULL) {
        return DWCS_ERR_NO_MEMORY;
    }
    p->sbuf = sendbuf;
    p->rbuf = recvbuf;
    p->n = p->comm->size; /* local group (also on intercommunicators) */
    return copy_ints(&p->counts, rcounts, p->n) ? DWCS_OK : DWCS_ERR_NO_MEMORY;
}

static dwcs_status_t rec_scan(dwcp_sched_t *s, const void *sendbuf, void *recvbuf, size_t count,
                              dwcp_dt_t *dt, dwcp_op_t *op, int exclusive)
{
    pcoll_t *p = cap(s, PC_SCAN, dt, NULL, op);
    if (p == NULL) {
        return DWCS_ERR_NO_MEMORY;
    }
    p->sbuf = sendbuf;
    p->rbuf = recvbuf;
    p->scount = count;
    p->exclusive = exclusive;
    return DWCS_OK;
}

static const dwcp_coll_table_t rec_intra = {
    .barrier = rec_barrier,
    .bcast = rec_bcast,
    .reduce = rec_reduce,
    .allreduce = rec_allreduce,
    .gatherv = rec_gatherv,
    .scatterv = rec_scatterv,
    .allgatherv = rec_allgatherv,
    .alltoallw = rec_alltoallw,
    .reduce_scatter = rec_reduce_scatter,
    .scan = rec_scan,
};

/* Intercommunicators: as intra, but without scan (erroneous there; the bindings check). */
static const dwcp_coll_table_t rec_inter = {
    .barrier = rec_barrier,
    .bcast = rec_bcast,
    .reduce = rec_reduce,
    .allreduce = rec_allreduce,
    .gatherv = rec_gatherv,
    .scatterv = rec_scatterv,
    .allgatherv = rec_allgatherv,
    .alltoallw = rec_alltoallw,
    .reduce_scatter = rec_reduce_scatter,
    .scan = NULL,
};

int dwcp_pcoll_begin(void)
{
    recording = calloc(1, sizeof(pcoll_t));
    if (recording == NULL) {
        return MPI_ERR_NO_MEM;
    }
    dwcp_coll_table_record(&rec_intra, &rec_inter);
    return MPI_SUCCESS;
}

int dwcp_pcoll_end(int rc)
{
    dwcp_coll_table_record(NULL, NULL);
    pcoll_free(recording); /* still set: the binding failed before dwcp_pcoll_finish */
    recording = NULL;
    return rc;
}

int dwcp_pcoll_recording(void)
{
    return recording != NULL;
}

/* Build and start the captured collective on a fresh schedule. */
static dwcs_status_t pcoll_build(pcoll_t *p, dwcp_sched_t *s)
{
    const dwcp_coll_table_t *t = dwcp_coll_table(p->comm);
    switch (p->kind) {
    case PC_BARRIER:
        return t->barrier(s);
    case PC_BCAST:
        return t->bcast(s, p->rbuf, p->scount, p->sdt, p->root);
    case PC_REDUCE:
        return t->reduce(s, p->sbuf, p->rbuf, p->scount, p->sdt, p->op, p->root);
    case PC_ALLREDUCE:
        return t->allreduce(s, p->sbuf, p->rbuf, p->scount, p->sdt, p->op);
    case PC_GATHERV:
        return t->gatherv(s, p->sbuf, p->scount, p->sdt, p->rbuf, p->counts, p->displs,
                          p->rcount, p->rdt, p->root);
    case PC_SCATTERV:
        return t->scatterv(s, p->sbuf, p->counts, p->displs, p->scount, p->sdt, p->rbuf,
                           p->rcount, p->rdt, p->root);
    case PC_ALLGATHERV:
        return t->allgatherv(s, p->sbuf, p->scount, p->sdt, p->rbuf, p->counts, p->displs,
                             p->rcount, p->rdt);
    case PC_ALLTOALLW:
        return t->alltoallw(s, p->sbuf, p->sc, p->sd, p->sts, p->rbuf, p->rc, p->rd, p->rts);
    case PC_REDUCE_SCATTER:
        return t->reduce_scatter(s, p->sbuf, p->rbuf, p->counts, p->sdt, p->op);
    case PC_SCAN:
        return t->scan(s, p->sbuf, p->rbuf, p->scount, p->sdt, p->op, p->exclusive);
    }
    return DWCS_ERR_INVALID_PARAM;
}

static int pcoll_poll(dwcp_req_t *r)
{
    pcoll_t *p = r->extra;
    if (p == NULL || p->inner == NULL) {
        return 1;
    }
    if (!p->inner->complete) {
        return 0;
    }
    r->status.MPI_ERROR = p->inner->status.MPI_ERROR;
    dwcp_req_free(p->inner);
    p->inner = NULL;
    return 1;
}

static void pcoll_cleanup(dwcp_req_t *r)
{
    pcoll_t *p = r->extra;
    if (p == NULL) {
        return;
    }
    if (p->inner != NULL) {
        dwcp_req_detach(p->inner); /* freed when the schedule completes */
    }
    pcoll_free(p);
    r->extra = NULL;
}

int dwcp_pcoll_finish(const char *fn, dwcp_comm_t *c, dwcp_sched_t *s, MPI_Request *request)
{
    pcoll_t *p = recording;
    p->tag = dwcp_sched_tag(s); /* every Start reuses it */
    dwcp_sched_discard(s);
    dwcp_req_t *r = dwcp_req_alloc(DWCP_REQ_COLL);
    if (r == NULL || dwcp_req_publish(r, request) != DWCS_OK) {
        dwcp_req_free(r);
        return dwcp_err_comm(c->handle, MPI_ERR_NO_MEM, fn, "no memory");
    }
    recording = NULL; /* the request owns the capture now */
    r->persistent = 1;
    r->active = 0;
    r->complete = 1;
    r->comm = p->comm;
    r->extra = p;
    r->poll = pcoll_poll;
    r->cleanup = pcoll_cleanup;
    return MPI_SUCCESS;
}

int dwcp_pcoll_start(const char *fn, dwcp_req_t *r)
{
    pcoll_t *p = r->extra;
    dwcp_sched_t *s = dwcp_sched_new_tagged(p->comm, p->tag);
    dwcp_req_t *in = s != NULL ? dwcp_req_alloc(DWCP_REQ_COLL) : NULL;
    if (in == NULL) {
        dwcp_sched_discard(s);
        return dwcp_err_comm(p->comm->handle, MPI_ERR_NO_MEM, fn, "no memory");
    }
    dwcs_status_t st = pcoll_build(p, s);
    if (st == DWCS_OK) {
        st = dwcp_sched_start(s, in); /* on success the request owns s */
    }
    if (st != DWCS_OK) {
        dwcp_sched_discard(s);
        dwcp_req_free(in);
        return dwcp_err_comm(p->comm->handle, dwcp_status_to_class(st), fn, "%s",
                             dwcs_status_string(st));
    }
    p->inner = in;
    r->active = 1;
    r->complete = 0;
    dwcp_status_empty(&r->status);
    return MPI_SUCCESS;
}

int dwcp_pcoll_is(const dwcp_req_t *r)
{
    return r->persistent && r->poll == pcoll_poll;
}
