/*
 * rma_sync.c — synchronisation: fence, post/start/complete/wait, locks and flushes.
 *
 * Remote completion is a FLUSH (or UNLOCK) frame the target answers with an ACK: the target
 * handles frames from one origin in order, so the ACK implies every earlier operation was
 * applied. Every wait here progresses the engine and is bounded (DWCP_RMA_TIMEOUT seconds,
 * default 600).
 */
#include <stdlib.h>
#include <time.h>

#include "dwcp_coll.h"
#include "dwcp_rma.h"
#include "p2p.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double rma_timeout(void)
{
    static double t;
    if (t == 0) {
        const char *e = getenv("DWCP_RMA_TIMEOUT");
        t = e != NULL && atof(e) > 0 ? atof(e) : 600.0;
    }
    return t;
}

/* Progress until *counter satisfies (ge ? *counter >= v : *counter <= v); bounded. */
static int wait_for(const int *counter, int v, int ge, const char *what)
{
    double deadline = 0;
    unsigned idle = 0, spins = 0;
    while (ge ? *(const volatile int *)counter < v : *(const volatile int *)counter > v) {
        dwcp_wait_idle(dwcp_progress(), &idle);
        if ((++spins & 255) == 0) {
            if (deadline == 0) {
                deadline = now() + rma_timeout();
            } else if (now() > deadline) {
                DWCS_ERROR("RMA: %s: nothing happened for %.0f s (set DWCP_RMA_TIMEOUT to "
                           "wait longer)", what, rma_timeout());
                return MPI_ERR_OTHER;
            }
        }
    }
    return MPI_SUCCESS;
}

int dwcp_rma_wait_le(const int *counter, int limit, const char *what)
{
    return wait_for(counter, limit, 0, what);
}

/* Report (and clear) an error a completion recorded. */
static int take_err(dwcp_win_t *w, int rc)
{
    if (rc == MPI_SUCCESS && w->async_err) {
        rc = w->async_err;
    }
    w->async_err = 0;
    return rc;
}

static int send_ctrl(dwcp_win_t *w, int t, int opcode, int tag)
{
    return dwcp_rma_send_ctrl(w, t, opcode, tag);
}

/* Remote completion of every operation to targets [lo, hi). */
static int flush_range(dwcp_win_t *w, int lo, int hi)
{
    int t, rc = dwcp_rma_ucx_flush(w, lo, hi);
    for (t = lo; t < hi && rc == MPI_SUCCESS; t++) {
        if (w->dirty[t]) {
            w->dirty[t] = 0;
            w->ack_wait[t]++;
            int e = send_ctrl(w, t, DWCP_RMA_FLUSH, 0);
            if (e != MPI_SUCCESS) {
                w->ack_wait[t]--;
                rc = e;
            }
        }
    }
    for (t = lo; t < hi && rc == MPI_SUCCESS; t++) {
        rc = wait_for(&w->ack_wait[t], 0, 0, "waiting for a flush acknowledgement");
        if (rc == MPI_SUCCESS) {
            rc = wait_for(&w->tpending[t], 0, 0, "waiting for operations to complete");
        }
    }
    return rc;
}

int dwcp_rma_flush(dwcp_win_t *w, int target, int local)
{
    int rc;
    if (local) {
        rc = target < 0 ? wait_for(&w->pending, 0, 0, "flush_local_all")
                        : wait_for(&w->tpending[target], 0, 0, "flush_local");
    } else {
        rc = target < 0 ? flush_range(w, 0, w->comm->size) : flush_range(w, target, target + 1);
    }
    return take_err(w, rc);
}

int dwcp_rma_barrier(dwcp_win_t *w)
{
    dwcp_sched_t *s = dwcp_sched_new(w->comm);
    if (s == NULL) {
        return MPI_ERR_NO_MEM;
    }
    if (dwcp_coll_barrier(s) != DWCS_OK) {
        dwcp_sched_discard(s);
        return MPI_ERR_NO_MEM;
    }
    return dwcp_sched_run(s);
}

int dwcp_rma_fence(dwcp_win_t *w, int assert)
{
    int rc = MPI_SUCCESS;
    if (!(assert & MPI_MODE_NOPRECEDE)) {
        rc = flush_range(w, 0, w->comm->size);
    }
    if (rc == MPI_SUCCESS) {
        rc = dwcp_rma_barrier(w);
    }
    w->fence_epoch = !(assert & MPI_MODE_NOSUCCEED);
    return take_err(w, rc);
}

/* ---- Passive target ---------------------------------------------------------------------- */

/*
 * Lazy locking: the request is sent and the call returns; operations follow it at once. The
 * target handles one origin's frames in order and holds back everything behind a lock request
 * it cannot grant yet, so nothing is applied before the lock is held. Only a lock on one's own
 * window waits for the grant here (the caller may then load and store its memory directly).
 * Direct UCX RMA waits for the grant (it bypasses the target ordering) only for large
 * transfers; smaller ones go as active messages behind the lock request (rma_ops.c).
 * DWCP_RMA_EAGER_LOCK=1 makes every lock wait for its grant (for comparisons).
 */
int dwcp_rma_lock(dwcp_win_t *w, int type, int target, int assert)
{
    w->lock_type[target] = type;
    w->lock_nocheck[target] = (assert & MPI_MODE_NOCHECK) != 0;
    if (w->lock_nocheck[target]) {
        return MPI_SUCCESS;
    }
    w->grant_wait[target]++;
    int rc = send_ctrl(w, target, DWCP_RMA_LOCK, type);
    if (rc != MPI_SUCCESS) {
        w->grant_wait[target]--;
        w->lock_type[target] = 0;
        return rc;
    }
    static int eager = -1;
    if (eager < 0) {
        const char *e = getenv("DWCP_RMA_EAGER_LOCK");
        eager = e != NULL && atoi(e) > 0;
    }
    if (target == w->comm->rank || eager) {
        rc = wait_for(&w->grant_wait[target], 0, 0, "waiting for a lock");
        if (rc != MPI_SUCCESS) {
            w->lock_type[target] = 0;
        }
    }
    return rc;
}

/* Send UNLOCK (a flush that also releases) to @p t. */
static int unlock_send(dwcp_win_t *w, int t, int type, int nocheck)
{
    int rc0 = dwcp_rma_ucx_flush(w, t, t + 1);
    if (rc0 != MPI_SUCCESS) {
        return rc0;
    }
    w->dirty[t] = 0;
    w->ack_wait[t]++;
    int rc = send_ctrl(w, t, DWCP_RMA_UNLOCK, nocheck ? 0 : type);
    if (rc != MPI_SUCCESS) {
        w->ack_wait[t]--;
    }
    return rc;
}

static int unlock_wait(dwcp_win_t *w, int t)
{
    int rc = wait_for(&w->ack_wait[t], 0, 0, "waiting for an unlock acknowledgement");
    if (rc == MPI_SUCCESS) {
        rc = wait_for(&w->grant_wait[t], 0, 0, "waiting for a lock grant");
    }
    if (rc == MPI_SUCCESS) {
        rc = wait_for(&w->tpending[t], 0, 0, "waiting for operations to complete");
    }
    return rc;
}

int dwcp_rma_unlock(dwcp_win_t *w, int target)
{
    int rc = unlock_send(w, target, w->lock_type[target], w->lock_nocheck[target]);
    if (rc == MPI_SUCCESS) {
        rc = unlock_wait(w, target);
    }
    w->lock_type[target] = 0;
    w->lock_nocheck[target] = 0;
    return take_err(w, rc);
}

int dwcp_rma_lock_all(dwcp_win_t *w, int assert)
{
    int t, n = w->comm->size, rc = MPI_SUCCESS;
    w->lock_all = (assert & MPI_MODE_NOCHECK) ? 2 : 1;
    if (w->lock_all == 2) {
        return MPI_SUCCESS;
    }
    for (t = 0; t < n && rc == MPI_SUCCESS; t++) {
        w->grant_wait[t]++;
        rc = send_ctrl(w, t, DWCP_RMA_LOCK, MPI_LOCK_SHARED);
        if (rc != MPI_SUCCESS) {
            w->grant_wait[t]--;
        }
    }
    /* lazy as dwcp_rma_lock: wait only for the lock on oneself */
    if (rc == MPI_SUCCESS) {
        rc = wait_for(&w->grant_wait[w->comm->rank], 0, 0, "waiting for a lock (lock_all)");
    }
    if (rc != MPI_SUCCESS) {
        w->lock_all = 0;
    }
    return rc;
}

int dwcp_rma_unlock_all(dwcp_win_t *w)
{
    int t, n = w->comm->size, rc = MPI_SUCCESS;
    int nocheck = w->lock_all == 2;
    for (t = 0; t < n && rc == MPI_SUCCESS; t++) {
        rc = unlock_send(w, t, MPI_LOCK_SHARED, nocheck);
    }
    for (t = 0; t < n && rc == MPI_SUCCESS; t++) {
        rc = unlock_wait(w, t);
    }
    w->lock_all = 0;
    return take_err(w, rc);
}

/* ---- General active target (PSCW) --------------------------------------------------------- */

int dwcp_rma_win_rank(const dwcp_win_t *w, int world)
{
    int i;
    for (i = 0; i < w->comm->size; i++) {
        if (w->comm->group->world[i] == world) {
            return i;
        }
    }
    return -1;
}

/* Window ranks of group @p g (malloc'd), or NULL with *rc set. */
static int *group_ranks(dwcp_win_t *w, dwcp_group_t *g, int *rc)
{
    int i, *r = malloc((size_t)(g->size ? g->size : 1) * sizeof(int));
    *rc = MPI_SUCCESS;
    if (r == NULL) {
        *rc = MPI_ERR_NO_MEM;
        return NULL;
    }
    for (i = 0; i < g->size; i++) {
        r[i] = dwcp_rma_win_rank(w, g->world[i]);
        if (r[i] < 0) {
            free(r);
            *rc = MPI_ERR_GROUP;
            return NULL;
        }
    }
    return r;
}

int dwcp_rma_post(dwcp_win_t *w, dwcp_group_t *g, int assert)
{
    int rc, i, *r = group_ranks(w, g, &rc);
    (void)assert;
    if (r == NULL) {
        return rc;
    }
    w->npost = g->size;
    w->posted = 1;
    for (i = 0; i < g->size && rc == MPI_SUCCESS; i++) {
        rc = send_ctrl(w, r[i], DWCP_RMA_POST, 0);
    }
    free(r);
    return rc;
}

int dwcp_rma_start(dwcp_win_t *w, dwcp_group_t *g, int assert)
{
    int rc, i, *r = group_ranks(w, g, &rc);
    (void)assert;
    if (r == NULL) {
        return rc;
    }
    for (i = 0; i < g->size && rc == MPI_SUCCESS; i++) {
        rc = wait_for(&w->post_recv[r[i]], 1, 1, "Win_start waiting for the target's post");
        if (rc == MPI_SUCCESS) {
            w->post_recv[r[i]]--;
        }
    }
    if (rc != MPI_SUCCESS) {
        free(r);
        return rc;
    }
    free(w->start_ranks);
    w->start_ranks = r;
    w->nstart = g->size;
    w->started = 1;
    return MPI_SUCCESS;
}

int dwcp_rma_complete(dwcp_win_t *w)
{
    int i, rc = MPI_SUCCESS;
    for (i = 0; i < w->nstart && rc == MPI_SUCCESS; i++) {
        int t = w->start_ranks[i];
        rc = dwcp_rma_ucx_flush(w, t, t + 1);
    }
    for (i = 0; i < w->nstart && rc == MPI_SUCCESS; i++) {
        w->dirty[w->start_ranks[i]] = 0;
        rc = send_ctrl(w, w->start_ranks[i], DWCP_RMA_COMPLETE, 0);
    }
    for (i = 0; i < w->nstart && rc == MPI_SUCCESS; i++) {
        rc = wait_for(&w->tpending[w->start_ranks[i]], 0, 0, "Win_complete");
    }
    w->started = 0;
    w->nstart = 0;
    free(w->start_ranks);
    w->start_ranks = NULL;
    return take_err(w, rc);
}

int dwcp_rma_wait(dwcp_win_t *w, int block, int *flag)
{
    int rc = MPI_SUCCESS;
    if (block) {
        rc = wait_for(&w->complete_recv, w->npost, 1, "Win_wait for origins' completes");
    } else {
        dwcp_progress();
    }
    if (rc == MPI_SUCCESS && w->complete_recv >= w->npost) {
        w->complete_recv -= w->npost;
        w->npost = 0;
        w->posted = 0;
        if (flag != NULL) {
            *flag = 1;
        }
    } else if (flag != NULL) {
        *flag = 0;
    }
    return rc;
}

int dwcp_rma_in_epoch(const dwcp_win_t *w, int target)
{
    int i;
    if (w->fence_epoch || w->lock_all || w->lock_type[target]) {
        return 1;
    }
    for (i = 0; w->started && i < w->nstart; i++) {
        if (w->start_ranks[i] == target) {
            return 1;
        }
    }
    return 0;
}
