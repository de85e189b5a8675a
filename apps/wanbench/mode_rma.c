/*
 * One-sided modes put and get between ranks 0 (origin) and 1 (target),
 * window from MPI_Win_create on a two-rank communicator.
 *
 *   lock:  MPI_Win_lock(EXCLUSIVE, 1) + MPI_Put/MPI_Get + MPI_Win_unlock,
 *          timed per iteration at the origin; the target sits in a blocking
 *          receive (passive target).
 *   fence: MPI_Put/MPI_Get + MPI_Win_fence on both ranks, timed at rank 0.
 *
 * Data are verified once per size and synchronisation: put checks the
 * target's window, get checks the origin's buffer.
 */
#include "wanbench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    int is_put;
    size_t size;
    char *winbuf; /* exposed memory (target side) */
    char *lbuf;   /* origin buffer */
    MPI_Win win;
    MPI_Comm pair;
    uint64_t seed;
} wb_rma_t;

static void wb_rma_op(wb_rma_t *c)
{
    int n = (int)c->size;
    if (c->is_put) {
        MPI_Put(c->lbuf, n, MPI_BYTE, 1, 0, n, MPI_BYTE, c->win);
    } else {
        MPI_Get(c->lbuf, n, MPI_BYTE, 1, 0, n, MPI_BYTE, c->win);
    }
}

static double wb_rma_lock_iter(void *vctx, int rank, int verify)
{
    wb_rma_t *c = vctx;
    if (rank == 0) {
        if (verify && !c->is_put) {
            wb_poison(c->lbuf, c->size, c->seed);
        }
        double t0 = wb_now();
        MPI_Win_lock(MPI_LOCK_EXCLUSIVE, 1, 0, c->win);
        wb_rma_op(c);
        MPI_Win_unlock(1, c->win);
        double t1 = wb_now();
        if (verify) {
            if (c->is_put) {
                MPI_Barrier(c->pair); /* the target checks after this */
                MPI_Barrier(c->pair);
            } else {
                wb_check(c->lbuf, c->size, c->seed, "get (lock) from rank 1", c->size);
            }
        }
        return t1 - t0;
    }
    if (verify && c->is_put) {
        MPI_Barrier(c->pair);
        MPI_Win_lock(MPI_LOCK_EXCLUSIVE, 1, 0, c->win); /* sync public and private copy */
        wb_check(c->winbuf, c->size, c->seed, "put (lock) into rank 1's window", c->size);
        MPI_Win_unlock(1, c->win);
        MPI_Barrier(c->pair);
    }
    return 0;
}

static double wb_rma_fence_iter(void *vctx, int rank, int verify)
{
    wb_rma_t *c = vctx;
    if (rank == 0) {
        if (verify && !c->is_put) {
            wb_poison(c->lbuf, c->size, c->seed);
        }
        double t0 = wb_now();
        wb_rma_op(c);
        MPI_Win_fence(0, c->win);
        double t1 = wb_now();
        if (verify) {
            if (!c->is_put) {
                wb_check(c->lbuf, c->size, c->seed, "get (fence) from rank 1", c->size);
            }
            MPI_Barrier(c->pair); /* no new put while the target checks */
        }
        return t1 - t0;
    }
    MPI_Win_fence(0, c->win);
    if (verify) {
        if (c->is_put) {
            wb_check(c->winbuf, c->size, c->seed, "put (fence) into rank 1's window", c->size);
        }
        MPI_Barrier(c->pair);
    }
    return 0;
}

static void wb_rma_report(wb_rma_t *c, const char *sync, double *s, long n)
{
    char name[40];
    for (long i = 0; i < n; i++) {
        s[i] *= 1e6;
    }
    wb_stats_t st = wb_stats(s, n);
    snprintf(name, sizeof(name), "lat_%s_us_median", sync);
    wb_report(c->size, name, st.median);
    snprintf(name, sizeof(name), "lat_%s_us_min", sync);
    wb_report(c->size, name, st.min);
    snprintf(name, sizeof(name), "lat_%s_us_p90", sync);
    wb_report(c->size, name, st.p90);
    snprintf(name, sizeof(name), "iters_%s", sync);
    wb_report(c->size, name, (double)n);
}

/* Set the target window for the check: poison for put, pattern for get. */
static void wb_rma_prepare_target(wb_rma_t *c)
{
    if (c->is_put) {
        wb_poison(c->winbuf, c->size, c->seed);
    } else {
        wb_fill(c->winbuf, c->size, c->seed);
    }
}

static void wb_rma_size(const wb_opts_t *o, wb_rma_t *c, int rank)
{
    double *s = NULL;
    long n = 0;
    if (o->sync & WB_SYNC_LOCK) {
        wb_watchdog_arm(o, "lock/unlock epochs", c->size);
        if (rank == 1) {
            MPI_Win_lock(MPI_LOCK_EXCLUSIVE, 1, 0, c->win);
            wb_rma_prepare_target(c);
            MPI_Win_unlock(1, c->win);
        }
        MPI_Barrier(c->pair);
        wb_pair_drive(o, wb_rma_lock_iter, c, rank, &s, &n);
        MPI_Barrier(c->pair);
        wb_watchdog_disarm();
        if (rank == 0) {
            wb_rma_report(c, "lock", s, n);
        }
        free(s);
        s = NULL;
    }
    if (o->sync & WB_SYNC_FENCE) {
        wb_watchdog_arm(o, "fence epochs", c->size);
        if (rank == 1) {
            wb_rma_prepare_target(c); /* local stores before the opening fence */
        }
        MPI_Win_fence(MPI_MODE_NOPRECEDE, c->win);
        wb_pair_drive(o, wb_rma_fence_iter, c, rank, &s, &n);
        MPI_Win_fence(MPI_MODE_NOSUCCEED, c->win);
        wb_watchdog_disarm();
        if (rank == 0) {
            wb_rma_report(c, "fence", s, n);
        }
        free(s);
    }
}

void wb_mode_rma(const wb_opts_t *o, int rank, int nprocs)
{
    (void)nprocs;
    MPI_Comm pair = MPI_COMM_NULL;
    MPI_Comm_split(MPI_COMM_WORLD, rank < 2 ? 0 : MPI_UNDEFINED, rank, &pair);
    if (pair == MPI_COMM_NULL) {
        return;
    }
    for (int si = 0; si < o->nsizes; si++) {
        wb_rma_t c = {.is_put = o->mode == WB_MODE_PUT, .size = o->sizes[si], .pair = pair};
        c.seed = wb_seed(o->mode, c.size, 0, 0);
        c.winbuf = wb_alloc(c.size);
        c.lbuf = wb_alloc(c.size);
        if (rank == 0 && c.is_put) {
            wb_fill(c.lbuf, c.size, c.seed);
        }
        MPI_Win_create(c.winbuf, (MPI_Aint)c.size, 1, MPI_INFO_NULL, pair, &c.win);
        wb_rma_size(o, &c, rank);
        MPI_Win_free(&c.win);
        free(c.winbuf);
        free(c.lbuf);
    }
    MPI_Comm_free(&pair);
}
