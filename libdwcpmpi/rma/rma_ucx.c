/*
 * rma_ucx.c — direct UCX RMA for contiguous put/get to peers reached over UCX.
 *
 * At window creation (flavors create and allocate) every rank registers its window memory with
 * the UCX transport and the packed rkeys are allgathered; a rank keeps an unpacked rkey for each
 * peer whose transport is UCX and whose window is not empty. A put or get whose target and
 * origin layouts are both contiguous and at least DWCP_RMA_RDMA_MIN bytes (default 4096; 0
 * disables the path) then goes straight to the target's memory with ucp_put/ucp_get: the target
 * process takes no part, so it proceeds even while the target computes outside MPI.
 *
 * Remote completion: before any flush, unlock, complete or fence reaches the target as an active
 * message, dwcp_rma_ucx_flush waits for the transport's rma_flush on that peer, so once the
 * target acknowledges, both the RDMA and the active-message operations are complete. Everything
 * else (accumulates, atomics, derived types, small operations, other transports) uses the
 * active-message path.
 */
#include <stdlib.h>
#include <string.h>

#include "dwcp_coll.h"
#include "dwcp_comm.h"
#include "dwcp_rma.h"
#include "p2p.h"

typedef struct dwcp_rma_ucx {
    dwct_mem_t *mem;
    dwct_rkey_t **rkeys;   /* per window rank; NULL: use active messages */
    int *rdma_dirty;       /* per target: RDMA operations since its last rma_flush */
} dwcp_rma_ucx_t;

static size_t rdma_min(void)
{
    static long v = -1;
    if (v < 0) {
        const char *e = getenv("DWCP_RMA_RDMA_MIN");
        v = e != NULL ? atol(e) : 4096;
        if (v < 0) {
            v = 0;
        }
    }
    return (size_t)v;
}

static int allgatherv_bytes(dwcp_win_t *w, const void *mine, int mylen, void *all,
                            const int *lens, const int *displs)
{
    dwcp_dt_t *byte = dwcp_dt_get(MPI_BYTE);
    dwcp_sched_t *s = dwcp_sched_new(w->comm);
    if (s == NULL) {
        return MPI_ERR_NO_MEM;
    }
    if (dwcp_coll_allgatherv(s, mine, (size_t)mylen, byte, all, lens, displs, 0, byte) !=
        DWCS_OK) {
        dwcp_sched_discard(s);
        return MPI_ERR_NO_MEM;
    }
    return dwcp_sched_run(s);
}

int dwcp_rma_ucx_setup(dwcp_win_t *w)
{
    int n = w->comm->size, me = w->comm->rank, r, rc;
    if (w->flavor != MPI_WIN_FLAVOR_CREATE && w->flavor != MPI_WIN_FLAVOR_ALLOCATE) {
        return MPI_SUCCESS;
    }
    dwcp_rma_ucx_t *u = calloc(1, sizeof(*u));
    int *lens = calloc((size_t)n, sizeof(int)), *displs = calloc((size_t)n, sizeof(int));
    void *rkbuf = NULL;
    size_t rklen = 0;
    if (u != NULL) {
        u->rkeys = calloc((size_t)n, sizeof(*u->rkeys));
        u->rdma_dirty = calloc((size_t)n, sizeof(int));
    }
    int ok = u != NULL && lens != NULL && displs != NULL && u->rkeys != NULL &&
             u->rdma_dirty != NULL;
    if (ok && rdma_min() > 0 && dwcp_g.iface_ucx != NULL && w->size > 0 && w->base != NULL &&
        dwct_ucx_ops.mem_map(dwcp_g.iface_ucx, w->base, (size_t)w->size, &u->mem, &rkbuf,
                             &rklen) != DWCS_OK) {
        u->mem = NULL;
        rklen = 0;
        DWCS_INFO("RMA: window memory not registered with UCX; using active messages");
    }
    int mylen = ok ? (int)rklen : 0;
    /* collective steps run on every rank whatever happened above, so nobody hangs */
    if (lens == NULL || displs == NULL) {
        /* cannot even take part in the exchange (out of memory for n ints) */
        free(lens);
        free(displs);
        free(rkbuf);
        if (u != NULL) {
            w->ucx = u;
            dwcp_rma_ucx_free(w);
        }
        return MPI_ERR_NO_MEM;
    }
    if (dwcp_comm_allgather_int(w->comm, &mylen, 1, lens) != DWCS_OK) {
        ok = 0;
    }
    size_t total = 0;
    for (r = 0; ok && r < n; r++) {
        displs[r] = (int)total;
        total += (size_t)lens[r];
    }
    char *all = ok ? malloc(total ? total : 1) : NULL;
    rc = ok && all != NULL ? allgatherv_bytes(w, rkbuf, mylen, all, lens, displs) : MPI_ERR_NO_MEM;
    if (rc == MPI_SUCCESS) {
        for (r = 0; r < n; r++) {
            int world = dwcp_comm_peer_world(w->comm, r);
            if (r == me || lens[r] == 0 || dwcp_peer(world)->ops != &dwct_ucx_ops) {
                continue;
            }
            if (dwct_ucx_ops.rkey_unpack(dwcp_g.iface_ucx, world, all + displs[r],
                                         (size_t)lens[r], &u->rkeys[r]) != DWCS_OK) {
                u->rkeys[r] = NULL;
            }
        }
    }
    free(all);
    free(rkbuf);
    free(lens);
    free(displs);
    if (!ok || rc != MPI_SUCCESS) {
        if (u != NULL) {
            w->ucx = u;
            dwcp_rma_ucx_free(w);
        }
        return rc != MPI_SUCCESS ? rc : MPI_ERR_NO_MEM;
    }
    int nk = 0;
    for (r = 0; r < n; r++) {
        nk += u->rkeys[r] != NULL;
    }
    DWCS_DEBUG("RMA: window %u: direct UCX RMA to %d of %d ranks (operations >= %zu bytes)",
               w->id, nk, n, rdma_min());
    w->ucx = u;
    return MPI_SUCCESS;
}

void dwcp_rma_ucx_free(dwcp_win_t *w)
{
    dwcp_rma_ucx_t *u = w->ucx;
    int r;
    if (u == NULL) {
        return;
    }
    for (r = 0; u->rkeys != NULL && r < w->comm->size; r++) {
        if (u->rkeys[r] != NULL) {
            dwct_ucx_ops.rkey_destroy(dwcp_g.iface_ucx, u->rkeys[r]);
        }
    }
    if (u->mem != NULL) {
        dwct_ucx_ops.mem_unmap(dwcp_g.iface_ucx, u->mem);
    }
    free(u->rkeys);
    free(u->rdma_dirty);
    free(u);
    w->ucx = NULL;
}

dwct_rkey_t *dwcp_rma_ucx_rkey(dwcp_win_t *w, int target, size_t bytes)
{
    dwcp_rma_ucx_t *u = w->ucx;
    if (u == NULL || u->rkeys[target] == NULL || bytes < rdma_min()) {
        return NULL;
    }
    return u->rkeys[target];
}

void dwcp_rma_ucx_mark(dwcp_win_t *w, int target)
{
    ((dwcp_rma_ucx_t *)w->ucx)->rdma_dirty[target] = 1;
}

typedef struct flush_comp {
    dwct_comp_t comp;
    int pending;
    int err;
} flush_comp_t;

static void flush_done(dwct_comp_t *c, dwcs_status_t st)
{
    flush_comp_t *f = (flush_comp_t *)c;
    if (st != DWCS_OK && !f->err) {
        f->err = dwcp_status_to_class(st);
    }
    f->pending--;
}

int dwcp_rma_ucx_flush(dwcp_win_t *w, int lo, int hi)
{
    dwcp_rma_ucx_t *u = w->ucx;
    int t, rc = MPI_SUCCESS;
    if (u == NULL) {
        return MPI_SUCCESS;
    }
    for (t = lo; t < hi && rc == MPI_SUCCESS; t++) {
        if (!u->rdma_dirty[t]) {
            continue;
        }
        u->rdma_dirty[t] = 0;
        flush_comp_t *f = calloc(1, sizeof(*f));
        if (f == NULL) {
            return MPI_ERR_NO_MEM;
        }
        f->comp.cb = flush_done;
        f->pending = 1;
        int world = dwcp_comm_peer_world(w->comm, t);
        dwcs_status_t st = dwct_ucx_ops.rma_flush(dwcp_g.iface_ucx, world, &f->comp);
        if (st == DWCS_INPROGRESS) {
            rc = dwcp_rma_wait_le(&f->pending, 0, "waiting for UCX RMA completion");
            if (rc != MPI_SUCCESS) {
                continue; /* the completion may still come: leave f to it */
            }
            rc = f->err;
        } else if (st != DWCS_OK) {
            rc = dwcp_status_to_class(st);
        }
        free(f);
    }
    return rc;
}
