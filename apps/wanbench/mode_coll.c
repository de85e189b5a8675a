/*
 * Collective modes: allreduce (MPI_DOUBLE, MPI_SUM) and bcast (MPI_BYTE,
 * root 0) on all ranks.
 *
 * Timed loop (--coll-sync):
 *   auto     (default) barrier when some host runs more ranks than it has
 *            online cores (busy-waiting ranks would steal the cores of the
 *            ones working; decided before any timing, so every library gets
 *            the same mode), else window, but when more than half of the
 *            iterations started late on some rank, the loop is run again in
 *            barrier mode; sync_window tells which;
 *   window   every rank starts iteration i at the same moment,
 *            B + i*w on rank 0's clock (offsets from ping-pongs); a sample is
 *            completion time minus that start;
 *   barrier  a barrier before each call, a sample is the call's duration
 *            (OSU style; late leavers of the barrier hide part of a bcast).
 *            The barrier is wanbench's own (wb_coll_barrier) unless
 *            --coll-barrier mpi.
 * Figures:
 *   lat_us_median  median over iterations of the slowest rank's sample
 *                  (samples reduced with MPI_MAX after the loop, so nothing
 *                  extra runs inside it); window mode drops iterations that
 *                  some rank started late (iters_late);
 *   lat_us_avg     mean over ranks of each rank's mean sample (OSU's figure
 *                  in barrier mode);
 *   lat_us_loop    what the call adds to a loop of barriers: rank 0's wall time
 *                  per iteration of {barrier; call} minus that of
 *                  {barrier} alone, median over alternating blocks. Needs no
 *                  common clock and no free cores, and no rank can finish
 *                  "early": the next barrier waits for every rank's call. The
 *                  per-call samples above, in barrier mode, depend on the order
 *                  in which the library's barrier releases the ranks (a root
 *                  released first makes a bcast look free).
 */
#include "wanbench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
    int is_allreduce;
    size_t size;
    int rank, nprocs;
    double *sbuf, *rbuf; /* allreduce */
    char *buf;           /* bcast */
    uint64_t seed;
    int crowded;     /* some host runs more ranks than it has online cores */
    int mpi_barrier; /* synchronise with MPI_Barrier rather than wb_coll_barrier's own */
} wb_coll_t;

/*
 * The barrier of barrier mode and of lat_us_loop. By default wanbench's own dissemination
 * barrier (zero-byte MPI_Sendrecv, ceil(log2 p) rounds): every library then releases the
 * ranks in the same pattern, all at about the same time. A library's MPI_Barrier may release
 * the root first (Open MPI's default for 4 ranks does), so that a bcast's data travels right
 * behind the release and the bcast's own latency is never seen.
 */
static void wb_coll_barrier(const wb_coll_t *c)
{
    if (c->mpi_barrier) {
        MPI_Barrier(MPI_COMM_WORLD);
        return;
    }
    for (int k = 1; k < c->nprocs; k <<= 1) {
        MPI_Sendrecv(NULL, 0, MPI_BYTE, (c->rank + k) % c->nprocs, WB_TAG_BARRIER, NULL, 0,
                     MPI_BYTE, (c->rank - k + c->nprocs) % c->nprocs, WB_TAG_BARRIER,
                     MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    }
}

/* Does some host run more ranks than it has online cores? (Same answer on every rank.) */
static int wb_hosts_crowded(int rank)
{
    MPI_Comm local;
    int nlocal = 1, crowded = 0, any = 0;
    if (MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank, MPI_INFO_NULL, &local) ==
        MPI_SUCCESS) {
        MPI_Comm_size(local, &nlocal);
        MPI_Comm_free(&local);
    }
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    crowded = ncpu > 0 && nlocal > ncpu;
    MPI_Allreduce(&crowded, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    return any;
}

static double wb_coll_expect(long i, int nprocs)
{
    return (double)((i * 7) % 1021 + 1) * ((double)nprocs * (nprocs + 1) / 2);
}

static void wb_coll_verify(wb_coll_t *c)
{
    if (c->is_allreduce) {
        long n = (long)(c->size / sizeof(double));
        if (n > 0 && wb_test_corrupt()) {
            c->rbuf[n / 2] += 1.0; /* self-test of this check */
        }
        for (long i = 0; i < n; i++) {
            double want = wb_coll_expect(i, c->nprocs);
            if (c->rbuf[i] != want) {
                fprintf(stderr,
                        "wanbench: rank %d: DATA ERROR in allreduce, size %zu: element %ld is "
                        "%.17g, expected %.17g (sum over %d ranks)\n",
                        c->rank, c->size, i, c->rbuf[i], want, c->nprocs);
                wb_fail_data();
            }
        }
    } else if (c->rank != 0) {
        wb_check(c->buf, c->size, c->seed, "bcast from root 0", c->size);
    }
}

static void wb_coll_op(wb_coll_t *c)
{
    int n = (int)(c->is_allreduce ? c->size / sizeof(double) : c->size);
    if (c->is_allreduce) {
        MPI_Allreduce(c->sbuf, c->rbuf, n, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
    } else {
        MPI_Bcast(c->buf, n, MPI_BYTE, 0, MPI_COMM_WORLD);
    }
}

static double wb_coll_once(wb_coll_t *c, int verify)
{
    int n = (int)(c->is_allreduce ? c->size / sizeof(double) : c->size);
    if (verify) {
        if (c->is_allreduce) {
            for (int i = 0; i < n; i++) {
                c->rbuf[i] = -1.0;
            }
        } else if (c->rank != 0) {
            wb_poison(c->buf, c->size, c->seed);
        }
    }
    wb_coll_barrier(c);
    double t0 = wb_now();
    wb_coll_op(c);
    double t1 = wb_now();
    if (verify) {
        wb_coll_verify(c);
    }
    return t1 - t0;
}

/*
 * Offset of this rank's MPI_Wtime from rank 0's (MPI_Wtime has a
 * per-process origin in some libraries, and hosts differ): for each rank in
 * turn, 8 ping-pongs with rank 0; the exchange with the shortest round trip
 * gives offset = t_rank - midpoint(t_send, t_recv at rank 0).
 */
static double wb_clock_offset(int rank, int nprocs)
{
    double off = 0;
    for (int r = 1; r < nprocs; r++) {
        if (rank == 0) {
            double best = -1, o = 0, tr = 0;
            for (int k = 0; k < 8; k++) {
                double t0 = wb_now();
                MPI_Send(&t0, 1, MPI_DOUBLE, r, WB_TAG_CTRL, MPI_COMM_WORLD);
                MPI_Recv(&tr, 1, MPI_DOUBLE, r, WB_TAG_CTRL, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
                double t1 = wb_now();
                if (best < 0 || t1 - t0 < best) {
                    best = t1 - t0;
                    o = tr - 0.5 * (t0 + t1);
                }
            }
            MPI_Send(&o, 1, MPI_DOUBLE, r, WB_TAG_CTRL, MPI_COMM_WORLD);
        } else if (rank == r) {
            double t;
            for (int k = 0; k < 8; k++) {
                MPI_Recv(&t, 1, MPI_DOUBLE, 0, WB_TAG_CTRL, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
                t = wb_now();
                MPI_Send(&t, 1, MPI_DOUBLE, 0, WB_TAG_CTRL, MPI_COMM_WORLD);
            }
            MPI_Recv(&off, 1, MPI_DOUBLE, 0, WB_TAG_CTRL, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        }
    }
    return off;
}

/*
 * Timed loop, window-synchronised: iteration i starts on every rank at the
 * common time B + i*w (rank 0's clock, through the offsets); each rank's
 * sample is its completion time minus that start.  A rank that reaches a
 * start more than a quarter of the typical call time late marks the
 * iteration invalid.  Without a barrier before each call, bcast's late
 * receivers cannot hide the tree's latency behind barrier skew.
 */
static long wb_coll_window_loop(wb_coll_t *c, double em, double off, long reps, double *lat,
                                double *late)
{
    double w = 3 * em + 20e-6, base = 0, tol = 0.25 * em + 1e-6;
    if (c->rank == 0) {
        base = wb_now() + 2 * em + 100e-6;
    }
    MPI_Bcast(&base, 1, MPI_DOUBLE, 0, MPI_COMM_WORLD);
    base += off; /* rank 0's clock -> mine */
    long nlate = 0;
    for (long i = 0; i < reps; i++) {
        double start = base + (double)i * w, now;
        while ((now = wb_now()) < start) {
        }
        late[i] = now - start > tol;
        nlate += late[i] != 0;
        wb_coll_op(c);
        lat[i] = wb_now() - start;
    }
    return nlate;
}

/*
 * lat_us_loop: nb alternating blocks of k iterations of {barrier; op} and of
 * {barrier}, each closed by a barrier and timed on rank 0; the figure is the
 * median over blocks of the per-iteration difference.
 */
static double wb_coll_loop_cost(wb_coll_t *c, long reps)
{
    enum { NB = 8 };
    long k = reps / (2 * NB);
    double d[NB];
    if (k < 4) {
        k = 4;
    }
    for (int b = 0; b < NB; b++) {
        wb_coll_barrier(c);
        double t0 = wb_now();
        for (long i = 0; i < k; i++) {
            wb_coll_barrier(c);
            wb_coll_op(c);
        }
        wb_coll_barrier(c);
        double t1 = wb_now();
        for (long i = 0; i < k; i++) {
            wb_coll_barrier(c);
        }
        wb_coll_barrier(c);
        double t2 = wb_now();
        d[b] = ((t1 - t0) - (t2 - t1)) / (double)k;
    }
    return wb_median(d, NB);
}

static void wb_coll_size(const wb_opts_t *o, wb_coll_t *c, double off)
{
    wb_watchdog_arm(o, c->is_allreduce ? "allreduce" : "bcast", c->size);
    double first = wb_coll_once(c, 1), fmax = 0;
    MPI_Allreduce(&first, &fmax, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    long nw = wb_warmup_for(o, fmax) - 1; /* same inputs on every rank: same count */
    double *w = malloc((size_t)(nw > 0 ? nw : 1) * sizeof(*w));
    if (!w) {
        fprintf(stderr, "wanbench: out of memory\n");
        MPI_Abort(MPI_COMM_WORLD, WB_EXIT_DATA);
        return;
    }
    w[0] = first;
    for (long i = 0; i < nw; i++) {
        double tw0 = wb_now();
        wb_coll_once(c, 0);
        w[i] = wb_now() - tw0; /* barrier + call */
    }
    /* fastest warm-up sets the count (hiccups must not cut the sample), the
     * median sets the synchronisation window */
    double est[2] = {wb_stats(w, nw > 0 ? nw : 1).min, wb_median(w, nw > 0 ? nw : 1)}, emax[2];
    free(w);
    MPI_Allreduce(est, emax, 2, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    int window =
        o->coll_sync == WB_COLL_WINDOW || (o->coll_sync == WB_COLL_AUTO && !c->crowded);
    long reps = wb_reps_for(o, window ? 3 * emax[1] + 20e-6 : emax[0]);
    double *s = malloc((size_t)reps * sizeof(*s));
    double *late = malloc((size_t)reps * sizeof(*late));
    double *m = c->rank == 0 ? malloc((size_t)reps * sizeof(*m)) : NULL;
    double *ml = c->rank == 0 ? malloc((size_t)reps * sizeof(*ml)) : NULL;
    if (!s || !late || (c->rank == 0 && (!m || !ml))) {
        fprintf(stderr, "wanbench: out of memory for %ld samples\n", reps);
        MPI_Abort(MPI_COMM_WORLD, WB_EXIT_DATA);
        return;
    }
    long nlate = 0, all_late = 0;
    if (window) {
        nlate = wb_coll_window_loop(c, emax[1], off, reps, s, late);
        MPI_Reduce(late, ml, (int)reps, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
        if (c->rank == 0) {
            nlate = 0;
            for (long i = 0; i < reps; i++) {
                nlate += ml[i] != 0;
            }
        }
        MPI_Bcast(&nlate, 1, MPI_LONG, 0, MPI_COMM_WORLD);
        if (o->coll_sync == WB_COLL_AUTO && nlate > reps / 2) {
            /* ranks cannot start together (oversubscribed cores): use barriers */
            all_late = nlate;
            window = 0;
            if (c->rank == 0) {
                fprintf(stderr,
                        "wanbench: %s size %zu: %ld of %ld window-synchronised iterations "
                        "started late on some rank (more ranks than free cores?); measured "
                        "again with a barrier before each call (sync_window=0)\n",
                        c->is_allreduce ? "allreduce" : "bcast", c->size, nlate, reps);
            }
            nlate = 0;
        }
    }
    if (!window) {
        for (long i = 0; i < reps; i++) {
            s[i] = wb_coll_once(c, 0);
            late[i] = 0;
        }
        if (c->rank == 0) {
            memset(ml, 0, (size_t)reps * sizeof(*ml));
        }
    }
    double loop = wb_coll_loop_cost(c, reps);
    double sum = 0;
    for (long i = 0; i < reps; i++) {
        sum += s[i];
    }
    double mean = sum / (double)reps, msum = 0;
    MPI_Reduce(s, m, (int)reps, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
    MPI_Reduce(&mean, &msum, 1, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
    wb_watchdog_disarm();
    if (c->rank == 0) {
        /* valid iterations only, unless (forced window mode) most were late */
        int keep_late = nlate > reps / 2;
        long nv = 0;
        for (long i = 0; i < reps; i++) {
            if (ml[i] == 0 || keep_late) {
                m[nv++] = m[i] * 1e6;
            }
        }
        if (keep_late) {
            fprintf(stderr,
                    "wanbench: %s size %zu: %ld of %ld iterations started late on some rank; "
                    "figures include them\n",
                    c->is_allreduce ? "allreduce" : "bcast", c->size, nlate, reps);
        }
        wb_stats_t st = wb_stats(m, nv);
        wb_report(c->size, "lat_us_median", st.median);
        wb_report(c->size, "lat_us_min", st.min);
        wb_report(c->size, "lat_us_p90", st.p90);
        wb_report(c->size, "lat_us_avg", msum / c->nprocs * 1e6);
        wb_report(c->size, "lat_us_loop", loop * 1e6);
        wb_report(c->size, "iters", (double)reps);
        wb_report(c->size, "iters_late", (double)(window ? nlate : all_late));
        wb_report(c->size, "sync_window", window);
    }
    free(s);
    free(late);
    free(m);
    free(ml);
}

static void wb_mode_coll(const wb_opts_t *o, int rank, int nprocs, int is_allreduce)
{
    double off = o->coll_sync != WB_COLL_BARRIER ? wb_clock_offset(rank, nprocs) : 0;
    int crowded = wb_hosts_crowded(rank);
    if (crowded && o->coll_sync == WB_COLL_AUTO && rank == 0) {
        fprintf(stderr, "wanbench: more ranks than online cores on some host: barrier-synchronised "
                        "iterations (sync_window=0)\n");
    }
    for (int si = 0; si < o->nsizes; si++) {
        wb_coll_t c = {
            .is_allreduce = is_allreduce, .size = o->sizes[si], .rank = rank, .nprocs = nprocs,
            .crowded = crowded, .mpi_barrier = o->coll_mpi_barrier};
        if (is_allreduce) {
            long n = (long)(c.size / sizeof(double));
            c.sbuf = wb_alloc(c.size);
            c.rbuf = wb_alloc(c.size);
            for (long i = 0; i < n; i++) {
                c.sbuf[i] = (double)(rank + 1) * (double)((i * 7) % 1021 + 1);
            }
        } else {
            c.seed = wb_seed(o->mode, c.size, 0, 0);
            c.buf = wb_alloc(c.size);
            if (rank == 0) {
                wb_fill(c.buf, c.size, c.seed);
            }
        }
        wb_coll_size(o, &c, off);
        free(c.sbuf);
        free(c.rbuf);
        free(c.buf);
    }
}

void wb_mode_allreduce(const wb_opts_t *o, int rank, int nprocs)
{
    wb_mode_coll(o, rank, nprocs, 1);
}

void wb_mode_bcast(const wb_opts_t *o, int rank, int nprocs)
{
    wb_mode_coll(o, rank, nprocs, 0);
}
