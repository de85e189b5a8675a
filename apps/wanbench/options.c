/*
 * wanbench command line: modes, sizes with K/M/G suffixes and ranges,
 * global and per-mode options, --help.  Every rank parses the same argv, so
 * every rank reaches the same verdict; only rank 0 prints.
 */
#include "wanbench.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name;
    wb_mode_t mode;
    const char *sizes; /* default --sizes */
    const char *help;
} wb_modes[] = {
    {"latency", WB_MODE_LATENCY, "0,8,64,512,4k,32k,256k,1m,4m",
     "ping-pong 0<->1, one-way latency (half round trip)"},
    {"bandwidth", WB_MODE_BANDWIDTH, "1k,8k,64k,256k,1m,4m,16m,64m",
     "window of Isends 0->1 + ack, MB/s and Mbit/s"},
    {"bibw", WB_MODE_BIBW, "1k,8k,64k,256k,1m,4m,16m,64m", "bidirectional bandwidth 0<->1"},
    {"loaded", WB_MODE_LOADED, "8", "ping-pong latency while a bulk flow saturates the link"},
    {"allreduce", WB_MODE_ALLREDUCE, "8,1m", "MPI_Allreduce (double, sum), all ranks"},
    {"bcast", WB_MODE_BCAST, "8,1m", "MPI_Bcast (bytes, root 0), all ranks"},
    {"put", WB_MODE_PUT, "8,1k,64k,1m", "MPI_Put latency 0->1 (lock/unlock and fence)"},
    {"get", WB_MODE_GET, "8,1k,64k,1m", "MPI_Get latency 0<-1 (lock/unlock and fence)"},
};
#define WB_NMODES ((int)(sizeof(wb_modes) / sizeof(wb_modes[0])))

static void wb_usage(FILE *f)
{
    fprintf(f, "usage: wanbench MODE [options]\n"
               "\n"
               "modes:\n");
    for (int i = 0; i < WB_NMODES; i++) {
        fprintf(f, "  %-10s %s\n             default sizes %s\n", wb_modes[i].name,
                wb_modes[i].help, wb_modes[i].sizes);
    }
    fprintf(f,
            "\n"
            "global options:\n"
            "  --sizes LIST        comma list of sizes in bytes; suffixes k/m/g (KiB, MiB,\n"
            "                      GiB); A:B = powers of two from A to B (e.g. 1:4m)\n"
            "  --iters N           fixed timed repetitions per size (default: from the\n"
            "                      time budget, between --min-iters and --max-iters)\n"
            "  --warmup N          most warm-up iterations per size (default 10; fewer\n"
            "                      when an iteration is slow)\n"
            "  --time-per-size S   time budget per size and run in seconds (default 0.5)\n"
            "  --min-iters N       fewest timed repetitions in auto mode (default 5)\n"
            "  --max-iters N       most timed repetitions in auto mode (default 100000)\n"
            "  --runs R            repeat the whole measurement R times, report the median\n"
            "                      of the per-run values (default 1, at most %d)\n"
            "  --timeout S         a rank that makes no progress for S seconds in one size\n"
            "                      exits with code 3 (default 300)\n"
            "  --help              this text\n"
            "\n"
            "bandwidth, bibw:\n"
            "  --window W          messages in flight per iteration (default 64)\n"
            "  --window-bytes B    cap on W*size; W shrinks for large sizes (default 64m)\n"
            "loaded:\n"
            "  --pairs 1|2         1: ranks 0,1 carry bulk and pings; 2: bulk 0->2 and\n"
            "                      pings 1<->3 (needs 4 ranks) (default 1)\n"
            "  --bulk-size B       bulk message size (default 4m)\n"
            "  --bulk-window W     bulk messages in flight (default 8)\n"
            "  --bulk-warmup S     seconds of bulk before pings are timed (default: the\n"
            "                      larger of 0.3 s and 20 idle round trips, so TCP on a\n"
            "                      long link leaves slow start first)\n"
            "allreduce, bcast:\n"
            "  --coll-sync auto|window|barrier  window: all ranks start each call at the\n"
            "                      same moment (clock offsets measured first); barrier:\n"
            "                      OSU-style MPI_Barrier before each call; auto: window, or\n"
            "                      barrier when most window starts were late (default auto)\n"
            "  --coll-barrier p2p|mpi  the barrier of barrier mode and lat_us_loop: p2p =\n"
            "                      wanbench's own dissemination barrier (zero-byte\n"
            "                      MPI_Sendrecv; the same release order with every\n"
            "                      library), mpi = MPI_Barrier (default p2p)\n"
            "put, get:\n"
            "  --sync lock|fence|both   synchronisation to measure (default both)\n"
            "\n"
            "Output: a table, then lines 'WANBENCH mode=M size=BYTES metric=NAME value=V'.\n"
            "Exit codes: 0 ok, 1 corrupt data, 2 usage error, 3 watchdog timeout.\n",
            WB_MAX_RUNS);
}

/* Parse "12", "4k", "1M", "2g" into bytes.  Returns 0 on success. */
static int wb_parse_bytes(const char *s, size_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s || errno != 0 || s[0] == '-') {
        return -1;
    }
    unsigned long long mul = 1;
    if (*end == 'k' || *end == 'K') {
        mul = 1ULL << 10;
        end++;
    } else if (*end == 'm' || *end == 'M') {
        mul = 1ULL << 20;
        end++;
    } else if (*end == 'g' || *end == 'G') {
        mul = 1ULL << 30;
        end++;
    }
    if (*end == 'b' || *end == 'B') {
        end++;
    }
    if (*end != '\0' || v > (1ULL << 40) / mul) {
        return -1;
    }
    *out = (size_t)(v * mul);
    return 0;
}

static int wb_parse_sizes(const char *arg, wb_opts_t *o, char *err, size_t errlen)
{
    char tmp[1024];
    if (strlen(arg) >= sizeof(tmp)) {
        snprintf(err, errlen, "--sizes list too long");
        return -1;
    }
    strcpy(tmp, arg);
    o->nsizes = 0;
    char *save = NULL;
    for (char *tok = strtok_r(tmp, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *colon = strchr(tok, ':');
        size_t a, b;
        if (colon) {
            *colon = '\0';
            if (wb_parse_bytes(tok, &a) || wb_parse_bytes(colon + 1, &b) || a == 0 || b < a) {
                snprintf(err, errlen, "bad range '%s:%s' in --sizes (want A:B, 0 < A <= B)", tok,
                         colon + 1);
                return -1;
            }
        } else {
            if (wb_parse_bytes(tok, &a)) {
                snprintf(err, errlen,
                         "bad size '%s' in --sizes (want bytes with optional k/m/g suffix)", tok);
                return -1;
            }
            b = a;
        }
        for (size_t s = a; s <= b; s = (s == 0 ? b + 1 : s * 2)) {
            if (o->nsizes >= WB_MAX_SIZES) {
                snprintf(err, errlen, "too many sizes in --sizes (at most %d)", WB_MAX_SIZES);
                return -1;
            }
            o->sizes[o->nsizes++] = s;
            if (s > b / 2) {
                break;
            }
        }
    }
    if (o->nsizes == 0) {
        snprintf(err, errlen, "empty --sizes list");
        return -1;
    }
    return 0;
}

static int wb_parse_long(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end != '\0' || errno != 0 || v < lo || v > hi) {
        return -1;
    }
    *out = v;
    return 0;
}

static int wb_parse_double(const char *s, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || errno != 0 || !isfinite(v) || v < lo || v > hi) {
        return -1;
    }
    *out = v;
    return 0;
}

const char *wb_size_str(size_t n, char *buf, size_t len)
{
    if (n >= (1u << 30) && n % (1u << 30) == 0) {
        snprintf(buf, len, "%zuG", n >> 30);
    } else if (n >= (1u << 20) && n % (1u << 20) == 0) {
        snprintf(buf, len, "%zuM", n >> 20);
    } else if (n >= (1u << 10) && n % (1u << 10) == 0) {
        snprintf(buf, len, "%zuK", n >> 10);
    } else {
        snprintf(buf, len, "%zu", n);
    }
    return buf;
}

/* Check the mode's needs against the job; fills err on failure. */
static int wb_opts_check(wb_opts_t *o, int nprocs, char *err, size_t errlen)
{
    int need = 2;
    if (o->mode == WB_MODE_LOADED && o->pairs == 2) {
        need = 4;
    }
    if (o->mode == WB_MODE_ALLREDUCE || o->mode == WB_MODE_BCAST) {
        need = 1;
    }
    if (nprocs < need) {
        snprintf(err, errlen, "mode %s%s needs at least %d ranks, the job has %d", o->mode_name,
                 o->pairs == 2 && o->mode == WB_MODE_LOADED ? " --pairs 2" : "", need, nprocs);
        return -1;
    }
    for (int i = 0; i < o->nsizes; i++) {
        if (o->mode == WB_MODE_ALLREDUCE && o->sizes[i] % sizeof(double) != 0) {
            snprintf(err, errlen, "allreduce sizes must be multiples of %zu B (doubles), got %zu",
                     sizeof(double), o->sizes[i]);
            return -1;
        }
        if (o->sizes[i] > (size_t)INT32_MAX) {
            snprintf(err, errlen, "size %zu exceeds the MPI int count limit", o->sizes[i]);
            return -1;
        }
    }
    if (o->iters == 0 && o->min_iters > o->max_iters) {
        snprintf(err, errlen, "--min-iters %ld is larger than --max-iters %ld", o->min_iters,
                 o->max_iters);
        return -1;
    }
    return 0;
}

int wb_opts_parse(int argc, char **argv, int rank, int nprocs, wb_opts_t *o)
{
    char err[1200] = "";
    memset(o, 0, sizeof(*o));
    o->warmup = 10;
    o->min_iters = 5;
    o->max_iters = 100000;
    o->time_per_size = 0.5;
    o->runs = 1;
    o->window = 64;
    o->window_bytes = 64u << 20;
    o->bulk_size = 4u << 20;
    o->bulk_window = 8;
    o->bulk_warmup = -1; /* auto */
    o->pairs = 1;
    o->sync = WB_SYNC_LOCK | WB_SYNC_FENCE;
    o->timeout = 300;

    const char *sizes = NULL;
    int i = 1;
    for (; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            if (rank == 0) {
                wb_usage(stdout);
            }
            return 1;
        }
    }
    if (argc < 2 || argv[1][0] == '-') {
        snprintf(err, sizeof(err), "missing MODE (first argument)");
        goto fail;
    }
    o->mode_name = NULL;
    for (int m = 0; m < WB_NMODES; m++) {
        if (strcmp(argv[1], wb_modes[m].name) == 0) {
            o->mode = wb_modes[m].mode;
            o->mode_name = wb_modes[m].name;
            sizes = wb_modes[m].sizes;
        }
    }
    if (!o->mode_name) {
        snprintf(err, sizeof(err), "unknown mode '%s'", argv[1]);
        goto fail;
    }
    for (i = 2; i < argc; i += 2) { /* every option takes one value */
        const char *opt = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        long lv;
        int bad = 0;
        if (strncmp(opt, "--", 2) != 0) {
            snprintf(err, sizeof(err), "unexpected argument '%s'", opt);
            goto fail;
        }
        if (!val) {
            snprintf(err, sizeof(err), "option %s needs a value", opt);
            goto fail;
        }
        if (strcmp(opt, "--sizes") == 0) {
            sizes = val;
        } else if (strcmp(opt, "--iters") == 0) {
            bad = wb_parse_long(val, 1, 100000000, &o->iters);
        } else if (strcmp(opt, "--warmup") == 0) {
            bad = wb_parse_long(val, 0, 100000000, &o->warmup);
        } else if (strcmp(opt, "--min-iters") == 0) {
            bad = wb_parse_long(val, 1, 100000000, &o->min_iters);
        } else if (strcmp(opt, "--max-iters") == 0) {
            bad = wb_parse_long(val, 1, 100000000, &o->max_iters);
        } else if (strcmp(opt, "--time-per-size") == 0) {
            bad = wb_parse_double(val, 0.001, 86400, &o->time_per_size);
        } else if (strcmp(opt, "--runs") == 0) {
            bad = wb_parse_long(val, 1, WB_MAX_RUNS, &lv);
            o->runs = (int)lv;
        } else if (strcmp(opt, "--timeout") == 0) {
            bad = wb_parse_double(val, 1, 86400, &o->timeout);
        } else if (strcmp(opt, "--window") == 0) {
            bad = wb_parse_long(val, 1, 4096, &lv);
            o->window = (int)lv;
        } else if (strcmp(opt, "--window-bytes") == 0) {
            bad = wb_parse_bytes(val, &o->window_bytes) || o->window_bytes == 0;
        } else if (strcmp(opt, "--pairs") == 0) {
            bad = wb_parse_long(val, 1, 2, &lv);
            o->pairs = (int)lv;
        } else if (strcmp(opt, "--bulk-size") == 0) {
            bad = wb_parse_bytes(val, &o->bulk_size) || o->bulk_size == 0 ||
                  o->bulk_size > (size_t)INT32_MAX;
        } else if (strcmp(opt, "--bulk-window") == 0) {
            bad = wb_parse_long(val, 1, 1024, &lv);
            o->bulk_window = (int)lv;
        } else if (strcmp(opt, "--bulk-warmup") == 0) {
            bad = wb_parse_double(val, 0, 3600, &o->bulk_warmup);
        } else if (strcmp(opt, "--coll-barrier") == 0) {
            if (strcmp(val, "p2p") == 0) {
                o->coll_mpi_barrier = 0;
            } else if (strcmp(val, "mpi") == 0) {
                o->coll_mpi_barrier = 1;
            } else {
                bad = 1;
            }
        } else if (strcmp(opt, "--coll-sync") == 0) {
            if (strcmp(val, "auto") == 0) {
                o->coll_sync = WB_COLL_AUTO;
            } else if (strcmp(val, "window") == 0) {
                o->coll_sync = WB_COLL_WINDOW;
            } else if (strcmp(val, "barrier") == 0) {
                o->coll_sync = WB_COLL_BARRIER;
            } else {
                bad = 1;
            }
        } else if (strcmp(opt, "--sync") == 0) {
            if (strcmp(val, "lock") == 0) {
                o->sync = WB_SYNC_LOCK;
            } else if (strcmp(val, "fence") == 0) {
                o->sync = WB_SYNC_FENCE;
            } else if (strcmp(val, "both") == 0) {
                o->sync = WB_SYNC_LOCK | WB_SYNC_FENCE;
            } else {
                bad = 1;
            }
        } else {
            snprintf(err, sizeof(err), "unknown option '%s'", opt);
            goto fail;
        }
        if (bad) {
            snprintf(err, sizeof(err), "bad value '%s' for %s", val, opt);
            goto fail;
        }
    }
    if (wb_parse_sizes(sizes, o, err, sizeof(err)) != 0) {
        goto fail;
    }
    if (wb_opts_check(o, nprocs, err, sizeof(err)) != 0) {
        goto fail;
    }
    return 0;
fail:
    if (rank == 0) {
        fprintf(stderr, "wanbench: %s (see wanbench --help)\n", err);
    }
    return WB_EXIT_USAGE;
}
