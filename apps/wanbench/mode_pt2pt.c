/*
 * Two-rank modes: latency (ping-pong), bandwidth (window of Isends + ack)
 * and bibw (windows both ways), plus the driver that chooses warm-up and
 * repetition counts from the measured iteration time.
 *
 * Ranks 0 and 1 measure; other ranks wait in the closing barrier.
 */
#include "wanbench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void wb_ctrl_exchange(long *v, int rank)
{
    if (rank == 0) {
        MPI_Send(v, 1, MPI_LONG, 1, WB_TAG_CTRL, MPI_COMM_WORLD);
    } else {
        MPI_Recv(v, 1, MPI_LONG, 0, WB_TAG_CTRL, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    }
}

void wb_pair_drive(const wb_opts_t *o, wb_iter_fn fn, void *ctx, int rank, double **samples,
                   long *n)
{
    double first = fn(ctx, rank, 1);
    long nw = 0;
    if (rank == 0) {
        nw = wb_warmup_for(o, first) - 1; /* the verify iteration was the first */
    }
    wb_ctrl_exchange(&nw, rank);
    double *w = malloc((size_t)(nw > 0 ? nw : 1) * sizeof(*w));
    if (!w) {
        fprintf(stderr, "wanbench: out of memory\n");
        MPI_Abort(MPI_COMM_WORLD, WB_EXIT_DATA);
        return;
    }
    for (long i = 0; i < nw; i++) {
        w[i] = fn(ctx, rank, 0);
    }
    /*
     * Timed repetitions in chunks: rank 0 sizes each chunk from what is left
     * of the time budget and the median iteration so far (the first from
     * the fastest warm-up), and sends 0 when done.  A preempted warm-up thus
     * cannot cut the sample short, and a slow link still stops on time.
     */
    double est = nw > 0 ? wb_stats(w, nw).min : first;
    free(w);
    long total = 0, cap = 0, chunk = 0;
    double spent = 0, *s = NULL;
    for (int round = 0;; round++) {
        if (rank == 0) {
            if (o->iters > 0) {
                chunk = round == 0 ? o->iters : 0;
            } else if (total >= o->max_iters || round >= 8 ||
                       (total >= o->min_iters && spent >= 0.9 * o->time_per_size)) {
                chunk = 0;
            } else {
                if (total > 0) {
                    est = wb_median(s, total);
                }
                double left = o->time_per_size - spent;
                chunk = (long)(left > 0 && est > 0 ? left / est : 1);
                if (round == 0) {
                    chunk /= 4; /* the warm-up estimate may be optimistic */
                }
                chunk = chunk < 1 ? 1 : chunk;
                if (total + chunk < o->min_iters) {
                    chunk = o->min_iters - total;
                }
                if (total + chunk > o->max_iters) {
                    chunk = o->max_iters - total;
                }
            }
            if (total + chunk > cap) {
                cap = total + chunk;
                double *ns = realloc(s, (size_t)(cap > 0 ? cap : 1) * sizeof(*s));
                if (!ns) {
                    fprintf(stderr, "wanbench: out of memory for %ld samples\n", cap);
                    MPI_Abort(MPI_COMM_WORLD, WB_EXIT_DATA);
                    return;
                }
                s = ns;
            }
        }
        wb_ctrl_exchange(&chunk, rank);
        if (chunk == 0) {
            break;
        }
        for (long i = 0; i < chunk; i++) {
            double t = fn(ctx, rank, 0);
            if (rank == 0) {
                s[total + i] = t;
                spent += t;
            }
        }
        total += chunk;
    }
    *samples = s;
    *n = rank == 0 ? total : 0;
}

/* ---------------- latency ---------------- */

typedef struct {
    size_t size;
    char *sbuf, *rbuf;
    uint64_t seed01, seed10; /* patterns 0->1 and 1->0 */
    long test_delay_us;      /* WANBENCH_TEST_RTT_US: added to each round trip */
} wb_lat_t;

static double wb_lat_iter(void *vctx, int rank, int verify)
{
    wb_lat_t *c = vctx;
    MPI_Status st;
    int n = (int)c->size;
    if (rank == 0) {
        if (verify) {
            wb_poison(c->rbuf, c->size, c->seed10);
        }
        double t0 = wb_now();
        MPI_Send(c->sbuf, n, MPI_BYTE, 1, WB_TAG_DATA, MPI_COMM_WORLD);
        MPI_Recv(c->rbuf, n, MPI_BYTE, 1, WB_TAG_DATA, MPI_COMM_WORLD, &st);
        double t1 = wb_now();
        if (verify) {
            wb_check_count(&st, c->size, "latency 1->0");
            wb_check(c->rbuf, c->size, c->seed10, "latency 1->0", c->size);
        }
        return t1 - t0;
    }
    if (verify) {
        wb_poison(c->rbuf, c->size, c->seed01);
    }
    MPI_Recv(c->rbuf, n, MPI_BYTE, 0, WB_TAG_DATA, MPI_COMM_WORLD, &st);
    if (verify) {
        wb_check_count(&st, c->size, "latency 0->1");
        wb_check(c->rbuf, c->size, c->seed01, "latency 0->1", c->size);
    }
    if (c->test_delay_us > 0) {
        usleep((useconds_t)c->test_delay_us); /* emulated long link, tests only */
    }
    MPI_Send(c->sbuf, n, MPI_BYTE, 0, WB_TAG_DATA, MPI_COMM_WORLD);
    return 0;
}

void wb_mode_latency(const wb_opts_t *o, int rank, int nprocs)
{
    (void)nprocs;
    for (int si = 0; si < o->nsizes && rank < 2; si++) {
        const char *delay = getenv("WANBENCH_TEST_RTT_US");
        wb_lat_t c = {.size = o->sizes[si], .test_delay_us = delay ? atol(delay) : 0};
        c.sbuf = wb_alloc(c.size);
        c.rbuf = wb_alloc(c.size);
        c.seed01 = wb_seed(o->mode, c.size, 0, 0);
        c.seed10 = wb_seed(o->mode, c.size, 0, 1);
        wb_fill(c.sbuf, c.size, rank == 0 ? c.seed01 : c.seed10);
        wb_watchdog_arm(o, "ping-pong", c.size);
        double *s = NULL;
        long n = 0;
        wb_pair_drive(o, wb_lat_iter, &c, rank, &s, &n);
        wb_watchdog_disarm();
        if (rank == 0) {
            for (long i = 0; i < n; i++) {
                s[i] = s[i] / 2 * 1e6; /* one-way latency in microseconds */
            }
            wb_stats_t st = wb_stats(s, n);
            wb_report(c.size, "lat_us_median", st.median);
            wb_report(c.size, "lat_us_min", st.min);
            wb_report(c.size, "lat_us_p90", st.p90);
            wb_report(c.size, "iters", (double)n);
        }
        free(s);
        free(c.sbuf);
        free(c.rbuf);
    }
}

/* ---------------- bandwidth and bibw ---------------- */

typedef struct {
    size_t size;
    int window;
    int bidir;
    char **sbuf, **rbuf; /* window slots */
    MPI_Request *reqs;   /* 2 * window */
    MPI_Status *sts;
} wb_bw_t;

static int wb_bw_window(const wb_opts_t *o, size_t size)
{
    if (size == 0) {
        return o->window;
    }
    size_t w = o->window_bytes / size;
    if (w < 1) {
        w = 1;
    }
    return w < (size_t)o->window ? (int)w : o->window;
}

static double wb_bw_iter(void *vctx, int rank, int verify)
{
    wb_bw_t *c = vctx;
    int peer = 1 - rank;
    int n = (int)c->size;
    int nreq = 0;
    int recv = c->bidir || rank == 1;
    int send = c->bidir || rank == 0;
    int ack = 0;
    if (verify && recv) {
        for (int k = 0; k < c->window; k++) {
            wb_poison(c->rbuf[k], c->size, wb_seed(0, c->size, k, peer));
        }
    }
    double t0 = wb_now();
    if (recv) {
        for (int k = 0; k < c->window; k++) {
            MPI_Irecv(c->rbuf[k], n, MPI_BYTE, peer, WB_TAG_DATA, MPI_COMM_WORLD, &c->reqs[nreq++]);
        }
    }
    if (send) {
        for (int k = 0; k < c->window; k++) {
            MPI_Isend(c->sbuf[k], n, MPI_BYTE, peer, WB_TAG_DATA, MPI_COMM_WORLD, &c->reqs[nreq++]);
        }
    }
    MPI_Waitall(nreq, c->reqs, c->sts);
    if (rank == 1) {
        MPI_Send(&ack, 1, MPI_INT, 0, WB_TAG_ACK, MPI_COMM_WORLD);
    } else {
        MPI_Recv(&ack, 1, MPI_INT, 1, WB_TAG_ACK, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    }
    double t1 = wb_now();
    if (verify && recv) {
        const char *what = rank == 0 ? "bibw 1->0" : (c->bidir ? "bibw 0->1" : "bandwidth 0->1");
        for (int k = 0; k < c->window; k++) {
            /* slot k must hold send k: checks content and non-overtaking order */
            wb_check_count(&c->sts[k], c->size, what);
            wb_check(c->rbuf[k], c->size, wb_seed(0, c->size, k, peer), what, c->size);
        }
    }
    return t1 - t0;
}

static void wb_mode_bw_common(const wb_opts_t *o, int rank, int bidir)
{
    for (int si = 0; si < o->nsizes && rank < 2; si++) {
        wb_bw_t c = {.size = o->sizes[si], .bidir = bidir};
        c.window = wb_bw_window(o, c.size);
        c.sbuf = calloc((size_t)c.window, sizeof(char *));
        c.rbuf = calloc((size_t)c.window, sizeof(char *));
        c.reqs = calloc(2 * (size_t)c.window, sizeof(MPI_Request));
        c.sts = calloc(2 * (size_t)c.window, sizeof(MPI_Status));
        if (!c.sbuf || !c.rbuf || !c.reqs || !c.sts) {
            fprintf(stderr, "wanbench: out of memory for window %d\n", c.window);
            MPI_Abort(MPI_COMM_WORLD, WB_EXIT_DATA);
            return;
        }
        for (int k = 0; k < c.window; k++) {
            if (bidir || rank == 0) {
                c.sbuf[k] = wb_alloc(c.size);
                wb_fill(c.sbuf[k], c.size, wb_seed(0, c.size, k, rank));
            }
            if (bidir || rank == 1) {
                c.rbuf[k] = wb_alloc(c.size);
            }
        }
        wb_watchdog_arm(o, bidir ? "bidirectional window" : "window", c.size);
        double *s = NULL;
        long n = 0;
        wb_pair_drive(o, wb_bw_iter, &c, rank, &s, &n);
        wb_watchdog_disarm();
        if (rank == 0) {
            double bytes = (double)c.size * c.window * (bidir ? 2 : 1);
            for (long i = 0; i < n; i++) {
                s[i] = bytes / s[i] / 1e6; /* MB/s, MB = 10^6 bytes */
            }
            wb_stats_t st = wb_stats(s, n);
            wb_report(c.size, bidir ? "bibw_MBps_median" : "bw_MBps_median", st.median);
            wb_report(c.size, bidir ? "bibw_Mbps_median" : "bw_Mbps_median", st.median * 8);
            wb_report(c.size, bidir ? "bibw_MBps_max" : "bw_MBps_max", st.max);
            wb_report(c.size, "window", c.window);
            wb_report(c.size, "iters", (double)n);
        }
        free(s);
        for (int k = 0; k < c.window; k++) {
            free(c.sbuf[k]);
            free(c.rbuf[k]);
        }
        free(c.sbuf);
        free(c.rbuf);
        free(c.reqs);
        free(c.sts);
    }
}

void wb_mode_bandwidth(const wb_opts_t *o, int rank, int nprocs)
{
    (void)nprocs;
    wb_mode_bw_common(o, rank, 0);
}

void wb_mode_bibw(const wb_opts_t *o, int rank, int nprocs)
{
    (void)nprocs;
    wb_mode_bw_common(o, rank, 1);
}
