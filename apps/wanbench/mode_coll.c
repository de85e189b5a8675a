/*
 * Collective modes: allreduce (MPI_DOUBLE, MPI_SUM) and bcast (MPI_BYTE,
 * root 0) on all ranks.
 *
 * Each iteration is MPI_Barrier, then the timed call.  Two figures:
 *   lat_us_median  median over iterations of the slowest rank's time
 *                  (per-iteration samples reduced with MPI_MAX after the loop,
 *                  so nothing extra runs inside the timed loop);
 *   lat_us_avg     OSU-style: mean over ranks of each rank's mean time.
 */
#include "wanbench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    int is_allreduce;
    size_t size;
    int rank, nprocs;
    double *sbuf, *rbuf; /* allreduce */
    char *buf;           /* bcast */
    uint64_t seed;
} wb_coll_t;

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
    MPI_Barrier(MPI_COMM_WORLD);
    double t0 = wb_now();
    if (c->is_allreduce) {
        MPI_Allreduce(c->sbuf, c->rbuf, n, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
    } else {
        MPI_Bcast(c->buf, n, MPI_BYTE, 0, MPI_COMM_WORLD);
    }
    double t1 = wb_now();
    if (verify) {
        wb_coll_verify(c);
    }
    return t1 - t0;
}

static void wb_coll_size(const wb_opts_t *o, wb_coll_t *c)
{
    wb_watchdog_arm(o, c->is_allreduce ? "allreduce" : "bcast", c->size);
    double first = wb_coll_once(c, 1), fmax = 0;
    MPI_Allreduce(&first, &fmax, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    long nw = wb_warmup_for(o, fmax) - 1; /* same inputs on every rank: same count */
    double est = first, emax = 0;
    for (long i = 0; i < nw; i++) {
        double tw0 = wb_now();
        wb_coll_once(c, 0);
        double tw = wb_now() - tw0; /* barrier + call */
        est = i == 0 || tw < est ? tw : est;
    }
    MPI_Allreduce(&est, &emax, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    long reps = wb_reps_for(o, emax);
    double *s = malloc((size_t)reps * sizeof(*s));
    double *m = c->rank == 0 ? malloc((size_t)reps * sizeof(*m)) : NULL;
    if (!s || (c->rank == 0 && !m)) {
        fprintf(stderr, "wanbench: out of memory for %ld samples\n", reps);
        MPI_Abort(MPI_COMM_WORLD, WB_EXIT_DATA);
        return;
    }
    double sum = 0;
    for (long i = 0; i < reps; i++) {
        s[i] = wb_coll_once(c, 0);
        sum += s[i];
    }
    double mean = sum / (double)reps, msum = 0;
    MPI_Reduce(s, m, (int)reps, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
    MPI_Reduce(&mean, &msum, 1, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
    wb_watchdog_disarm();
    if (c->rank == 0) {
        for (long i = 0; i < reps; i++) {
            m[i] *= 1e6;
        }
        wb_stats_t st = wb_stats(m, reps);
        wb_report(c->size, "lat_us_median", st.median);
        wb_report(c->size, "lat_us_min", st.min);
        wb_report(c->size, "lat_us_p90", st.p90);
        wb_report(c->size, "lat_us_avg", msum / c->nprocs * 1e6);
        wb_report(c->size, "iters", (double)reps);
    }
    free(s);
    free(m);
}

static void wb_mode_coll(const wb_opts_t *o, int rank, int nprocs, int is_allreduce)
{
    for (int si = 0; si < o->nsizes; si++) {
        wb_coll_t c = {
            .is_allreduce = is_allreduce, .size = o->sizes[si], .rank = rank, .nprocs = nprocs};
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
        wb_coll_size(o, &c);
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
