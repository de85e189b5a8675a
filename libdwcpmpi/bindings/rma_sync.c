/* Synchronisation bindings: fence, PSCW, locks, flushes and Win_sync. */
#include "dwcp_bind.h"
#include "dwcp_rma.h"

#define ASSERT_BITS                                                                                \
    (MPI_MODE_NOCHECK | MPI_MODE_NOSTORE | MPI_MODE_NOPUT | MPI_MODE_NOPRECEDE |                   \
     MPI_MODE_NOSUCCEED)

#define CHECK_ASSERT(fn, win, a)                                                                   \
    if ((a) & ~ASSERT_BITS) {                                                                      \
        return dwcp_err_win(win, MPI_ERR_ASSERT, fn, "unknown assert bits 0x%x", (a));            \
    }

/* Turn a module result into the binding's return (reporting errors on the window). */
static int done(MPI_Win win, const char *fn, int rc)
{
    return rc == MPI_SUCCESS ? rc : dwcp_err_win(win, rc, fn, "synchronisation failed");
}

static int passive_epoch(const dwcp_win_t *w)
{
    int i;
    if (w->lock_all) {
        return 1;
    }
    for (i = 0; i < w->comm->size; i++) {
        if (w->lock_type[i]) {
            return 1;
        }
    }
    return 0;
}

int PMPI_Win_fence(int assert, MPI_Win win)
{
    const char *fn = "MPI_Win_fence";
    DWCP_CHECK_INIT(fn);
    DWCP_GET_WIN(fn, win, w);
    CHECK_ASSERT(fn, win, assert);
    if (w->started || w->posted || passive_epoch(w)) {
        return dwcp_err_win(win, MPI_ERR_RMA_SYNC, fn, "another kind of epoch is open");
    }
    return done(win, fn, w->ops->fence(w, assert));
}
DWCP_WEAK(Win_fence)

static int get_group(MPI_Win win, const char *fn, MPI_Group h, dwcp_group_t **g)
{
    *g = dwcp_htab_get(&dwcp_g.groups, h);
    if (*g == NULL) {
        return dwcp_err_win(win, MPI_ERR_GROUP, fn, "invalid group handle");
    }
    return MPI_SUCCESS;
}

int PMPI_Win_post(MPI_Group group, int assert, MPI_Win win)
{
    const char *fn = "MPI_Win_post";
    dwcp_group_t *g;
    DWCP_CHECK_INIT(fn);
    DWCP_GET_WIN(fn, win, w);
    CHECK_ASSERT(fn, win, assert);
    int rc = get_group(win, fn, group, &g);
    if (rc != MPI_SUCCESS) {
        return rc;
    }
    if (w->posted) {
        return dwcp_err_win(win, MPI_ERR_RMA_SYNC, fn, "an exposure epoch is already open");
    }
    return done(win, fn, w->ops->post(w, g, assert));
}
DWCP_WEAK(Win_post)

int PMPI_Win_start(MPI_Group group, int assert, MPI_Win win)
{
    const char *fn = "MPI_Win_start";
    dwcp_group_t *g;
    DWCP_CHECK_INIT(fn);
    DWCP_GET_WIN(fn, win, w);
    CHECK_ASSERT(fn, win, assert);
    int rc = get_group(win, fn, group, &g);
    if (rc != MPI_SUCCESS) {
        return rc;
    }
    if (w->started || passive_epoch(w)) {
        return dwcp_err_win(win, MPI_ERR_RMA_SYNC, fn, "an access epoch is already open");
    }
    return done(win, fn, w->ops->start(w, g, assert));
}
DWCP_WEAK(Win_start)

int PMPI_Win_complete(MPI_Win win)
{
    const char *fn = "MPI_Win_complete";
    DWCP_CHECK_INIT(fn);
    DWCP_GET_WIN(fn, win, w);
    if (!w->started) {
        return dwcp_err_win(win, MPI_ERR_RMA_SYNC, fn, "no access epoch from MPI_Win_start");
    }
    return done(win, fn, w->ops->complete(w));
}
DWCP_WEAK(Win_complete)

int PMPI_Win_wait(MPI_Win win)
{
    const char *fn = "MPI_Win_wait";
    DWCP_CHECK_INIT(fn);
    DWCP_GET_WIN(fn, win, w);
    if (!w->posted) {
        return dwcp_err_win(win, MPI_ERR_RMA_SYNC, fn, "no exposure epoch from MPI_Win_post");
    }
    return done(win, fn, w->ops->wait(w, 1, NULL));
}
DWCP_WEAK(Win_wait)

int PMPI_Win_test(MPI_Win win, int *flag)
{
    const char *fn = "MPI_Win_test";
    DWCP_CHECK_INIT(fn);
    DWCP_GET_WIN(fn, win, w);
    if (flag == NULL) {
        return dwcp_err_win(win, MPI_ERR_ARG, fn, "NULL flag");
    }
    if (!w->posted) {
        return dwcp_err_win(win, MPI_ERR_RMA_SYNC, fn, "no exposure epoch from MPI_Win_post");
    }
    return done(win, fn, w->ops->wait(w, 0, flag));
}
DWCP_WEAK(Win_test)

static int check_rank(MPI_Win win, const char *fn, const dwcp_win_t *w, int rank)
{
    if (rank < 0 || rank >= w->comm->size) {
        return dwcp_err_win(win, MPI_ERR_RANK, fn, "rank %d not in [0, %d)", rank,
                            w->comm->size);
    }
    return MPI_SUCCESS;
}

int PMPI_Win_lock(int lock_type, int rank, int assert, MPI_Win win)
{
    const char *fn = "MPI_Win_lock";
    DWCP_CHECK_INIT(fn);
    DWCP_GET_WIN(fn, win, w);
    if (lock_type != MPI_LOCK_SHARED && lock_type != MPI_LOCK_EXCLUSIVE) {
        return dwcp_err_win(win, MPI_ERR_LOCKTYPE, fn, "invalid lock type %d", lock_type);
    }
    if (rank == MPI_PROC_NULL) {
        return MPI_SUCCESS;
    }
    int rc = check_rank(win, fn, w, rank);
    if (rc != MPI_SUCCESS) {
        return rc;
    }
    CHECK_ASSERT(fn, win, assert);
    if (w->lock_type[rank] || w->lock_all || w->started) {
        return dwcp_err_win(win, MPI_ERR_RMA_SYNC, fn, "rank %d is already locked", rank);
    }
    return done(win, fn, w->ops->lock(w, lock_type, rank, assert));
}
DWCP_WEAK(Win_lock)

int PMPI_Win_unlock(int rank, MPI_Win win)
{
    const char *fn = "MPI_Win_unlock";
    DWCP_CHECK_INIT(fn);
    DWCP_GET_WIN(fn, win, w);
    if (rank == MPI_PROC_NULL) {
        return MPI_SUCCESS;
    }
    int rc = check_rank(win, fn, w, rank);
    if (rc != MPI_SUCCESS) {
        return rc;
    }
    if (!w->lock_type[rank]) {
        return dwcp_err_win(win, MPI_ERR_RMA_SYNC, fn, "rank %d is not locked", rank);
    }
    return done(win, fn, w->ops->unlock(w, rank));
}
DWCP_WEAK(Win_unlock)

int PMPI_Win_lock_all(int assert, MPI_Win win)
{
    const char *fn = "MPI_Win_lock_all";
    DWCP_CHECK_INIT(fn);
    DWCP_GET_WIN(fn, win, w);
    CHECK_ASSERT(fn, win, assert);
    if (passive_epoch(w) || w->started) {
        return dwcp_err_win(win, MPI_ERR_RMA_SYNC, fn, "an access epoch is already open");
    }
    return done(win, fn, w->ops->lock_all(w, assert));
}
DWCP_WEAK(Win_lock_all)

int PMPI_Win_unlock_all(MPI_Win win)
{
    const char *fn = "MPI_Win_unlock_all";
    DWCP_CHECK_INIT(fn);
    DWCP_GET_WIN(fn, win, w);
    if (!w->lock_all) {
        return dwcp_err_win(win, MPI_ERR_RMA_SYNC, fn, "no epoch from MPI_Win_lock_all");
    }
    return done(win, fn, w->ops->unlock_all(w));
}
DWCP_WEAK(Win_unlock_all)

static int flush(MPI_Win win, const char *fn, int rank, int all, int local)
{
    DWCP_CHECK_INIT(fn);
    DWCP_GET_WIN(fn, win, w);
    if (!all) {
        if (rank == MPI_PROC_NULL) {
            return MPI_SUCCESS;
        }
        int rc = check_rank(win, fn, w, rank);
        if (rc != MPI_SUCCESS) {
            return rc;
        }
        if (!w->lock_all && !w->lock_type[rank]) {
            return dwcp_err_win(win, MPI_ERR_RMA_SYNC, fn, "rank %d is not locked", rank);
        }
    } else if (!passive_epoch(w)) {
        return dwcp_err_win(win, MPI_ERR_RMA_SYNC, fn, "no passive-target epoch is open");
    }
    return done(win, fn, w->ops->flush(w, all ? -1 : rank, local));
}

int PMPI_Win_flush(int rank, MPI_Win win)
{
    return flush(win, "MPI_Win_flush", rank, 0, 0);
}
DWCP_WEAK(Win_flush)

int PMPI_Win_flush_all(MPI_Win win)
{
    return flush(win, "MPI_Win_flush_all", 0, 1, 0);
}
DWCP_WEAK(Win_flush_all)

int PMPI_Win_flush_local(int rank, MPI_Win win)
{
    return flush(win, "MPI_Win_flush_local", rank, 0, 1);
}
DWCP_WEAK(Win_flush_local)

int PMPI_Win_flush_local_all(MPI_Win win)
{
    return flush(win, "MPI_Win_flush_local_all", 0, 1, 1);
}
DWCP_WEAK(Win_flush_local_all)

int PMPI_Win_sync(MPI_Win win)
{
    const char *fn = "MPI_Win_sync";
    DWCP_CHECK_INIT(fn);
    DWCP_GET_WIN(fn, win, w);
    (void)w;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    dwcp_progress();
    return MPI_SUCCESS;
}
DWCP_WEAK(Win_sync)
