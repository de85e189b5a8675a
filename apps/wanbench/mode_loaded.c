/*
 * loaded: small-message ping-pong latency while a bulk flow saturates the
 * same link.
 *
 * Roles: ping_a starts each ping and times it, ping_b answers; bulk_s keeps
 * a window of large Isends to bulk_r, which keeps as many Irecvs posted.
 *   --pairs 1: ping 0<->1, bulk 0->1 (one pair shares everything)
 *   --pairs 2: ping 1<->3, bulk 0->2 (ranks 0,1 on one side, 2,3 on the other)
 *
 * Per ping size: verify a ping both ways and one bulk message, then an idle
 * phase (pings only), then a loaded phase (bulk starts, runs --bulk-warmup
 * seconds, then pings are timed).  Every rank progresses its requests only
 * with MPI_Test, so one loop drives the pings and the bulk together.
 *
 * Everything is on MPI_COMM_WORLD: the bulk on WB_TAG_BULK, pings and pongs
 * on WB_TAG_PING.  ping_a's control messages to the others also travel on
 * WB_TAG_PING and are told apart by length: a ping has the ping size S,
 * START (bulk_r starts counting goodput) has S+1 bytes, STOP (end of the
 * phase) S+2; so each follower keeps one receive posted and nothing has to
 * be cancelled.  At the end bulk_s and bulk_r swap how many messages they have
 * posted and both complete up to the larger count, so nothing is left
 * unmatched.
 */
#include "wanbench.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Control messages are pings with extra bytes: S+1 = START, S+2 = STOP. */
enum { WB_LEN_START = 1, WB_LEN_STOP = 2 };

typedef struct {
    int ping_a, ping_b, bulk_s, bulk_r;
} wb_roles_t;

typedef struct {
    int active, sender, peer, window;
    size_t size;
    char **slot;
    MPI_Request *req;
    long long posted, done, limit;
} wb_bulk_t;

/* Results of one phase, valid on the ranks that measured them. */
typedef struct {
    wb_stats_t lat; /* one-way microseconds, at ping_a */
    long pings;
    double goodput; /* bytes/s at bulk_r, -1 if unknown */
} wb_phase_t;

static void wb_bulk_post(wb_bulk_t *b)
{
    while (b->posted < b->limit && b->posted - b->done < b->window) {
        int k = (int)(b->posted % b->window);
        if (b->sender) {
            MPI_Isend(b->slot[k], (int)b->size, MPI_BYTE, b->peer, WB_TAG_BULK, MPI_COMM_WORLD,
                      &b->req[k]);
        } else {
            MPI_Irecv(b->slot[k], (int)b->size, MPI_BYTE, b->peer, WB_TAG_BULK, MPI_COMM_WORLD,
                      &b->req[k]);
        }
        b->posted++;
    }
}

/* Post what the window allows, test the oldest request (completions are in order). */
static void wb_bulk_progress(wb_bulk_t *b)
{
    if (!b->active) {
        return;
    }
    wb_bulk_post(b);
    if (b->done < b->posted) {
        int flag = 0;
        MPI_Test(&b->req[b->done % b->window], &flag, MPI_STATUS_IGNORE);
        if (flag) {
            b->done++;
            wb_bulk_post(b);
        }
    }
}

static void wb_wait_prog(MPI_Request *r, wb_bulk_t *b)
{
    int flag = 0;
    for (;;) {
        MPI_Test(r, &flag, MPI_STATUS_IGNORE);
        if (flag) {
            return;
        }
        wb_bulk_progress(b);
    }
}

/* Swap posted counts with the peer, then complete up to the larger one. */
static void wb_bulk_finish(wb_bulk_t *b)
{
    if (!b->active) {
        return;
    }
    b->limit = b->posted;
    long long mine = b->posted, theirs = 0;
    MPI_Request r[2];
    MPI_Irecv(&theirs, 1, MPI_LONG_LONG, b->peer, WB_TAG_COUNT, MPI_COMM_WORLD, &r[0]);
    MPI_Isend(&mine, 1, MPI_LONG_LONG, b->peer, WB_TAG_COUNT, MPI_COMM_WORLD, &r[1]);
    wb_wait_prog(&r[0], b);
    wb_wait_prog(&r[1], b);
    b->limit = mine > theirs ? mine : theirs;
    while (b->done < b->limit) {
        wb_bulk_progress(b);
    }
}

/* ping_a: time pings until the budget is used, then stop the others. */
static void wb_initiator(const wb_opts_t *o, const wb_roles_t *ro, int loaded, double idle_us,
                         size_t size, char *pbuf, char *rbuf, wb_bulk_t *b, wb_phase_t *out)
{
    int self = ro->ping_a, n = (int)size;
    MPI_Comm w = MPI_COMM_WORLD;
    MPI_Request rs, rr;
    if (loaded) {
        double warm_s = o->bulk_warmup;
        if (warm_s < 0) { /* auto: 20 idle round trips, at least 0.3 s */
            warm_s = 20 * 2 * idle_us * 1e-6;
            warm_s = warm_s > 0.3 ? warm_s : 0.3;
        }
        double until = wb_now() + warm_s;
        while (wb_now() < until) {
            wb_bulk_progress(b);
        }
    }
    long cap = 1024, cnt = 0, nw = 0;
    double *s = malloc((size_t)cap * sizeof(*s));
    double t_phase = wb_now(), t_meas = 0;
    int warm = o->warmup > 0;
    if (!s) {
        fprintf(stderr, "wanbench: out of memory for samples\n");
        MPI_Abort(MPI_COMM_WORLD, WB_EXIT_DATA);
        return;
    }
    for (;;) {
        if (!warm && cnt == 0 && t_meas == 0) {
            t_meas = wb_now();
            if (loaded && ro->bulk_r != self) {
                MPI_Isend(pbuf, n + WB_LEN_START, MPI_BYTE, ro->bulk_r, WB_TAG_PING, w, &rs);
                wb_wait_prog(&rs, b);
            }
        }
        double t0 = wb_now();
        MPI_Irecv(rbuf, n, MPI_BYTE, ro->ping_b, WB_TAG_PING, w, &rr);
        MPI_Isend(pbuf, n, MPI_BYTE, ro->ping_b, WB_TAG_PING, w, &rs);
        wb_wait_prog(&rr, b);
        wb_wait_prog(&rs, b);
        double t1 = wb_now();
        if (warm) {
            nw++;
            warm = nw < o->warmup && !(t1 - t_phase > 0.2 * o->time_per_size);
            continue;
        }
        if (cnt == cap) {
            cap *= 2;
            double *ns = realloc(s, (size_t)cap * sizeof(*s));
            if (!ns) {
                fprintf(stderr, "wanbench: out of memory for samples\n");
                MPI_Abort(MPI_COMM_WORLD, WB_EXIT_DATA);
                return;
            }
            s = ns;
        }
        s[cnt++] = (t1 - t0) / 2 * 1e6;
        if (o->iters > 0
                ? cnt >= o->iters
                : (cnt >= o->min_iters && t1 - t_meas >= o->time_per_size) || cnt >= o->max_iters) {
            break;
        }
    }
    /* stop every other participant, once each */
    int targets[3] = {ro->ping_b, loaded ? ro->bulk_s : -1, loaded ? ro->bulk_r : -1};
    for (int i = 0; i < 3; i++) {
        int dup = targets[i] < 0 || targets[i] == self;
        for (int j = 0; j < i; j++) {
            dup |= targets[j] == targets[i];
        }
        if (!dup) {
            MPI_Isend(pbuf, n + WB_LEN_STOP, MPI_BYTE, targets[i], WB_TAG_PING, w, &rs);
            wb_wait_prog(&rs, b);
        }
    }
    out->lat = wb_stats(s, cnt);
    out->pings = cnt;
    free(s);
}

/* Everyone but ping_a: answer pings (ping_b), count goodput (bulk_r), until STOP. */
static void wb_follower(const wb_roles_t *ro, int self, size_t size, char *pbuf, char *cbuf,
                        wb_bulk_t *b, wb_phase_t *out)
{
    MPI_Request r, pong = MPI_REQUEST_NULL;
    MPI_Status st;
    double t_start = -1, t_stop = 0;
    long long d_start = 0, d_stop = 0;
    int clen = (int)size + WB_LEN_STOP;
    MPI_Irecv(cbuf, clen, MPI_BYTE, ro->ping_a, WB_TAG_PING, MPI_COMM_WORLD, &r);
    for (;;) {
        int flag = 0, cnt = -1;
        MPI_Test(&r, &flag, &st);
        if (flag) {
            MPI_Get_count(&st, MPI_BYTE, &cnt);
            cnt -= (int)size;
            if (cnt == WB_LEN_STOP) {
                t_stop = wb_now();
                d_stop = b->done;
                break;
            }
            if (cnt == WB_LEN_START) {
                t_start = wb_now();
                d_start = b->done;
            } else if (cnt == 0 && self == ro->ping_b) {
                if (pong != MPI_REQUEST_NULL) {
                    wb_wait_prog(&pong, b);
                }
                MPI_Isend(pbuf, (int)size, MPI_BYTE, ro->ping_a, WB_TAG_PING, MPI_COMM_WORLD,
                          &pong);
            } else {
                fprintf(stderr,
                        "wanbench: rank %d: unexpected %d-byte message from rank %d (ping size "
                        "%zu)\n",
                        self, cnt + (int)size, ro->ping_a, size);
                MPI_Abort(MPI_COMM_WORLD, WB_EXIT_DATA);
            }
            MPI_Irecv(cbuf, clen, MPI_BYTE, ro->ping_a, WB_TAG_PING, MPI_COMM_WORLD, &r);
        }
        wb_bulk_progress(b);
    }
    if (pong != MPI_REQUEST_NULL) {
        wb_wait_prog(&pong, b);
    }
    out->goodput = -1;
    if (self == ro->bulk_r && t_start >= 0 && t_stop > t_start) {
        out->goodput = (double)(d_stop - d_start) * (double)b->size / (t_stop - t_start);
    }
}

static void wb_bulk_setup(const wb_opts_t *o, const wb_roles_t *ro, int rank, wb_bulk_t *b)
{
    memset(b, 0, sizeof(*b));
    b->window = o->bulk_window;
    b->size = o->bulk_size;
    if (rank != ro->bulk_s && rank != ro->bulk_r) {
        return;
    }
    b->sender = rank == ro->bulk_s;
    b->peer = b->sender ? ro->bulk_r : ro->bulk_s;
    b->slot = calloc((size_t)b->window, sizeof(char *));
    b->req = calloc((size_t)b->window, sizeof(MPI_Request));
    if (!b->slot || !b->req) {
        fprintf(stderr, "wanbench: out of memory for the bulk window\n");
        MPI_Abort(MPI_COMM_WORLD, WB_EXIT_DATA);
        return;
    }
    for (int k = 0; k < b->window; k++) {
        b->slot[k] = wb_alloc(b->size);
        if (b->sender) {
            wb_fill(b->slot[k], b->size, wb_seed(o->mode, b->size, k, 7));
        }
    }
}

static void wb_bulk_free(wb_bulk_t *b)
{
    for (int k = 0; b->slot && k < b->window; k++) {
        free(b->slot[k]);
    }
    free(b->slot);
    free(b->req);
}

/* Verify a ping both ways and one bulk message per slot 0 (blocking, untimed). */
static void wb_loaded_verify(const wb_opts_t *o, const wb_roles_t *ro, int rank, size_t size,
                             char *pbuf, char *rbuf, wb_bulk_t *b)
{
    MPI_Status st;
    uint64_t sa = wb_seed(o->mode, size, 0, 0), sb = wb_seed(o->mode, size, 0, 1);
    int n = (int)size;
    if (rank == ro->ping_a) {
        wb_fill(pbuf, size, sa);
        wb_poison(rbuf, size, sb);
        MPI_Send(pbuf, n, MPI_BYTE, ro->ping_b, WB_TAG_VERIFY, MPI_COMM_WORLD);
        MPI_Recv(rbuf, n, MPI_BYTE, ro->ping_b, WB_TAG_VERIFY, MPI_COMM_WORLD, &st);
        wb_check_count(&st, size, "loaded ping reply");
        wb_check(rbuf, size, sb, "loaded ping reply", size);
    } else if (rank == ro->ping_b) {
        wb_fill(pbuf, size, sb);
        wb_poison(rbuf, size, sa);
        MPI_Recv(rbuf, n, MPI_BYTE, ro->ping_a, WB_TAG_VERIFY, MPI_COMM_WORLD, &st);
        wb_check_count(&st, size, "loaded ping");
        wb_check(rbuf, size, sa, "loaded ping", size);
        MPI_Send(pbuf, n, MPI_BYTE, ro->ping_a, WB_TAG_VERIFY, MPI_COMM_WORLD);
    }
    uint64_t sk = wb_seed(o->mode, b->size, 0, 7);
    if (rank == ro->bulk_s) {
        MPI_Send(b->slot[0], (int)b->size, MPI_BYTE, ro->bulk_r, WB_TAG_VERIFY, MPI_COMM_WORLD);
    } else if (rank == ro->bulk_r) {
        wb_poison(b->slot[0], b->size, sk);
        MPI_Recv(b->slot[0], (int)b->size, MPI_BYTE, ro->bulk_s, WB_TAG_VERIFY, MPI_COMM_WORLD,
                 &st);
        wb_check_count(&st, b->size, "loaded bulk message");
        wb_check(b->slot[0], b->size, sk, "loaded bulk message", b->size);
    }
}

/* One phase on this rank; returns its part of the results in *out. */
static void wb_loaded_phase(const wb_opts_t *o, const wb_roles_t *ro, int rank, int loaded,
                            double idle_us, size_t size, char *pbuf, char *rbuf, wb_bulk_t *b,
                            wb_phase_t *out)
{
    int in = rank == ro->ping_a || rank == ro->ping_b ||
             (loaded && (rank == ro->bulk_s || rank == ro->bulk_r));
    int had_bulk = b->active;
    memset(out, 0, sizeof(*out));
    out->goodput = -1;
    if (in) {
        b->active = loaded && (rank == ro->bulk_s || rank == ro->bulk_r);
        b->posted = b->done = 0;
        b->limit = LLONG_MAX;
        if (rank == ro->ping_a) {
            wb_initiator(o, ro, loaded, idle_us, size, pbuf, rbuf, b, out);
        } else {
            wb_follower(ro, rank, size, pbuf, rbuf, b, out);
        }
        wb_bulk_finish(b);
        b->active = had_bulk;
    }
    MPI_Barrier(MPI_COMM_WORLD);
}

/* Bring ping_a's latency and bulk_r's goodput to rank 0. */
static void wb_loaded_collect(const wb_roles_t *ro, int rank, wb_phase_t *ph)
{
    double v[6] = {ph->lat.median, ph->lat.min, ph->lat.p90, (double)ph->pings, 0, 0};
    if (ro->ping_a != 0) {
        if (rank == ro->ping_a) {
            MPI_Send(v, 4, MPI_DOUBLE, 0, WB_TAG_RESULT, MPI_COMM_WORLD);
        } else if (rank == 0) {
            MPI_Recv(v, 4, MPI_DOUBLE, ro->ping_a, WB_TAG_RESULT, MPI_COMM_WORLD,
                     MPI_STATUS_IGNORE);
            ph->lat.median = v[0];
            ph->lat.min = v[1];
            ph->lat.p90 = v[2];
            ph->pings = (long)v[3];
        }
    }
    if (ro->bulk_r != 0) {
        if (rank == ro->bulk_r) {
            MPI_Send(&ph->goodput, 1, MPI_DOUBLE, 0, WB_TAG_RESULT, MPI_COMM_WORLD);
        } else if (rank == 0) {
            MPI_Recv(&ph->goodput, 1, MPI_DOUBLE, ro->bulk_r, WB_TAG_RESULT, MPI_COMM_WORLD,
                     MPI_STATUS_IGNORE);
        }
    }
}

void wb_mode_loaded(const wb_opts_t *o, int rank, int nprocs)
{
    (void)nprocs;
    wb_roles_t ro = {0, 1, 0, 1};
    if (o->pairs == 2) {
        ro = (wb_roles_t){1, 3, 0, 2};
    }
    wb_bulk_t b;
    wb_bulk_setup(o, &ro, rank, &b);
    for (int si = 0; si < o->nsizes; si++) {
        size_t size = o->sizes[si];
        char *pbuf = wb_alloc(size + WB_LEN_STOP), *rbuf = wb_alloc(size + WB_LEN_STOP);
        wb_phase_t idle, busy;
        wb_watchdog_arm(o, "verify", size);
        wb_loaded_verify(o, &ro, rank, size, pbuf, rbuf, &b);
        wb_watchdog_arm(o, "idle ping-pong", size);
        wb_loaded_phase(o, &ro, rank, 0, 0, size, pbuf, rbuf, &b, &idle);
        wb_loaded_collect(&ro, rank, &idle);
        wb_watchdog_arm(o, "ping-pong under bulk load", size);
        wb_loaded_phase(o, &ro, rank, 1, idle.lat.median, size, pbuf, rbuf, &b, &busy);
        wb_loaded_collect(&ro, rank, &busy);
        wb_watchdog_disarm();
        if (rank == 0) {
            wb_report(size, "idle_lat_us", idle.lat.median);
            wb_report(size, "loaded_lat_us", busy.lat.median);
            wb_report(size, "ratio", busy.lat.median / idle.lat.median);
            wb_report(size, "idle_lat_us_p90", idle.lat.p90);
            wb_report(size, "loaded_lat_us_p90", busy.lat.p90);
            wb_report(size, "bulk_MBps", busy.goodput / 1e6);
            wb_report(size, "bulk_Mbps", busy.goodput * 8 / 1e6);
            wb_report(size, "pings_loaded", (double)busy.pings);
        }
        free(pbuf);
        free(rbuf);
    }
    wb_bulk_free(&b);
}
