/*
 * wanbench helpers: clock, statistics, buffers, data patterns and their
 * check, the per-phase watchdog, iteration counts, and the result table
 * (median over runs) with its machine-readable WANBENCH lines.
 */
#include "wanbench.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

double wb_now(void)
{
    return MPI_Wtime();
}

static int wb_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a;
    double y = *(const double *)b;
    return (x > y) - (x < y);
}

wb_stats_t wb_stats(const double *v, long n)
{
    wb_stats_t s = {0};
    double *c = malloc((size_t)n * sizeof(*c));
    if (!c) {
        fprintf(stderr, "wanbench: out of memory for %ld samples\n", n);
        MPI_Abort(MPI_COMM_WORLD, WB_EXIT_DATA);
        return s;
    }
    memcpy(c, v, (size_t)n * sizeof(*c));
    qsort(c, (size_t)n, sizeof(*c), wb_cmp_double);
    double sum = 0;
    for (long i = 0; i < n; i++) {
        sum += c[i];
    }
    s.min = c[0];
    s.max = c[n - 1];
    s.mean = sum / (double)n;
    s.median = (n % 2) ? c[n / 2] : 0.5 * (c[n / 2 - 1] + c[n / 2]);
    /* nearest-rank 90th percentile */
    long k = (long)((9 * n + 9) / 10) - 1;
    s.p90 = c[k < 0 ? 0 : (k >= n ? n - 1 : k)];
    free(c);
    return s;
}

double wb_median(const double *v, long n)
{
    return wb_stats(v, n).median;
}

void *wb_alloc(size_t n)
{
    void *p = NULL;
    int rc = posix_memalign(&p, 4096, n ? n : 1);
    if (rc != 0) {
        fprintf(stderr, "wanbench: cannot allocate %zu bytes: %s\n", n, strerror(rc));
        MPI_Abort(MPI_COMM_WORLD, WB_EXIT_DATA);
        return NULL;
    }
    memset(p, 0, n ? n : 1);
    return p;
}

/* splitmix64 finaliser: a cheap, well-mixed position hash */
static inline uint64_t wb_mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

uint64_t wb_seed(int mode, size_t size, long slot, int dir)
{
    return wb_mix(((uint64_t)mode << 56) ^ ((uint64_t)size << 12) ^ ((uint64_t)slot << 2) ^
                  (uint64_t)dir);
}

void wb_fill(void *buf, size_t n, uint64_t seed)
{
    uint8_t *p = buf;
    size_t words = n / 8;
    for (size_t j = 0; j < words; j++) {
        uint64_t v = wb_mix(seed ^ (j * 0xd6e8feb86659fd93ULL));
        for (int k = 0; k < 8; k++) {
            p[j * 8 + k] = (uint8_t)(v >> (8 * k)); /* explicit byte order */
        }
    }
    uint64_t v = wb_mix(seed ^ (words * 0xd6e8feb86659fd93ULL));
    for (size_t k = words * 8; k < n; k++) {
        p[k] = (uint8_t)(v >> (8 * (k - words * 8)));
    }
}

void wb_poison(void *buf, size_t n, uint64_t seed)
{
    wb_fill(buf, n, seed);
    uint8_t *p = buf;
    for (size_t i = 0; i < n; i++) {
        p[i] ^= 0xff; /* every byte differs from the pattern it should receive */
    }
}

void wb_check_count(const MPI_Status *st, size_t size, const char *what)
{
    int cnt = -1;
    MPI_Get_count(st, MPI_BYTE, &cnt);
    if (cnt < 0 || (size_t)cnt != size) {
        int rank = -1;
        MPI_Comm_rank(MPI_COMM_WORLD, &rank);
        fprintf(stderr, "wanbench: rank %d: DATA ERROR in %s: received %d bytes, expected %zu\n",
                rank, what, cnt, size);
        wb_fail_data();
    }
}

void wb_fail_data(void)
{
    fflush(stdout);
    fflush(stderr);
    MPI_Abort(MPI_COMM_WORLD, WB_EXIT_DATA);
    exit(WB_EXIT_DATA); /* not reached with a working MPI_Abort */
}

int wb_test_corrupt(void)
{
    static int val = -1;
    if (val < 0) {
        const char *e = getenv("WANBENCH_TEST_CORRUPT");
        val = e && *e && strcmp(e, "0") != 0;
    }
    return val;
}

void wb_check(const void *buf, size_t n, uint64_t seed, const char *what, size_t size)
{
    const uint8_t *p = buf;
    if (n > 0 && wb_test_corrupt()) {
        ((uint8_t *)buf)[n / 2] ^= 0x10; /* self-test of this check */
    }
    size_t words = (n + 7) / 8;
    for (size_t j = 0; j < words; j++) {
        uint64_t v = wb_mix(seed ^ (j * 0xd6e8feb86659fd93ULL));
        for (int k = 0; k < 8 && j * 8 + k < n; k++) {
            uint8_t want = (uint8_t)(v >> (8 * k));
            if (p[j * 8 + k] != want) {
                int rank = -1;
                MPI_Comm_rank(MPI_COMM_WORLD, &rank);
                fprintf(stderr,
                        "wanbench: rank %d: DATA ERROR in %s, message size %zu: byte %zu is "
                        "0x%02x, expected 0x%02x; no figures are reported for corrupt "
                        "transfers\n",
                        rank, what, size, j * 8 + k, p[j * 8 + k], want);
                wb_fail_data();
            }
        }
    }
}

/* ---- watchdog ---- */

static char wb_wd_msg[512];
static volatile size_t wb_wd_len;

static void wb_wd_handler(int sig)
{
    (void)sig;
    ssize_t rc = write(STDERR_FILENO, wb_wd_msg, wb_wd_len);
    (void)rc;
    _exit(WB_EXIT_TIMEOUT);
}

void wb_watchdog_arm(const wb_opts_t *o, const char *phase, size_t size)
{
    static int installed;
    if (!installed) {
        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = wb_wd_handler;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGALRM, &sa, NULL);
        installed = 1;
    }
    int rank = -1;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    int len = snprintf(wb_wd_msg, sizeof(wb_wd_msg),
                       "wanbench: rank %d: TIMEOUT: phase not finished after %.0f s in mode %s, "
                       "%s, size %zu; the peer or the MPI library is stuck (raise --timeout "
                       "if the link is that slow)\n",
                       rank, o->timeout, o->mode_name, phase, size);
    wb_wd_len =
        len < 0 ? 0 : ((size_t)len < sizeof(wb_wd_msg) ? (size_t)len : sizeof(wb_wd_msg) - 1);
    unsigned secs = (unsigned)(o->timeout + 0.5);
    alarm(secs ? secs : 1);
}

void wb_watchdog_disarm(void)
{
    alarm(0);
}

/* ---- iteration counts ---- */

long wb_reps_for(const wb_opts_t *o, double est)
{
    if (o->iters > 0) {
        return o->iters;
    }
    double want = est > 0 ? o->time_per_size / est : (double)o->max_iters;
    long n = want > (double)o->max_iters ? o->max_iters : (long)want;
    return n < o->min_iters ? o->min_iters : n;
}

long wb_warmup_for(const wb_opts_t *o, double first)
{
    /* warm-up takes at most ~20% of the time budget, at least one iteration */
    double want = first > 0 ? 0.2 * o->time_per_size / first : (double)o->warmup;
    long n = want > (double)o->warmup ? o->warmup : (long)want;
    if (o->iters > 0 && o->warmup < n) {
        n = o->warmup;
    }
    return n < 1 ? 1 : n;
}

/* ---- result table ---- */

#define WB_MAX_ENTRIES 1024

typedef struct {
    size_t size;
    char metric[40];
    double vals[WB_MAX_RUNS];
    int n;
} wb_entry_t;

static wb_entry_t wb_entries[WB_MAX_ENTRIES];
static int wb_nentries;

void wb_report(size_t size, const char *metric, double value)
{
    int rank = -1;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    if (rank != 0) {
        return;
    }
    for (int i = 0; i < wb_nentries; i++) {
        wb_entry_t *e = &wb_entries[i];
        if (e->size == size && strcmp(e->metric, metric) == 0) {
            if (e->n < WB_MAX_RUNS) {
                e->vals[e->n++] = value;
            }
            return;
        }
    }
    if (wb_nentries >= WB_MAX_ENTRIES) {
        fprintf(stderr, "wanbench: result table full, dropping %s\n", metric);
        return;
    }
    wb_entry_t *e = &wb_entries[wb_nentries++];
    e->size = size;
    snprintf(e->metric, sizeof(e->metric), "%s", metric);
    e->vals[0] = value;
    e->n = 1;
}

static int wb_is_count(const char *metric)
{
    return strncmp(metric, "iters", 5) == 0 || strncmp(metric, "pings", 5) == 0 ||
           strcmp(metric, "window") == 0 || strcmp(metric, "sync_window") == 0;
}

static void wb_fmt(const char *metric, double v, char *buf, size_t len)
{
    double a = v < 0 ? -v : v;
    if (wb_is_count(metric)) {
        snprintf(buf, len, "%.0f", v); /* counts */
    } else if (a < 10) {
        snprintf(buf, len, "%.3f", v);
    } else if (a < 10000) {
        snprintf(buf, len, "%.2f", v);
    } else {
        snprintf(buf, len, "%.0f", v);
    }
}

void wb_results_print(const wb_opts_t *o)
{
    const char *metrics[64];
    int nm = 0;
    size_t sizes[WB_MAX_ENTRIES];
    int ns = 0;
    for (int i = 0; i < wb_nentries; i++) {
        int found = 0;
        for (int m = 0; m < nm; m++) {
            found |= strcmp(metrics[m], wb_entries[i].metric) == 0;
        }
        if (!found && nm < 64) {
            metrics[nm++] = wb_entries[i].metric;
        }
        found = 0;
        for (int s = 0; s < ns; s++) {
            found |= sizes[s] == wb_entries[i].size;
        }
        if (!found) {
            sizes[ns++] = wb_entries[i].size;
        }
    }
    printf("\n# %s: median over %d run(s) of each value\n", o->mode_name, o->runs);
    printf("%10s", "size");
    for (int m = 0; m < nm; m++) {
        printf(" %*s", (int)(strlen(metrics[m]) > 12 ? strlen(metrics[m]) : 12), metrics[m]);
    }
    printf("\n");
    for (int s = 0; s < ns; s++) {
        char sb[32];
        printf("%10s", wb_size_str(sizes[s], sb, sizeof(sb)));
        for (int m = 0; m < nm; m++) {
            char vb[32] = "-";
            for (int i = 0; i < wb_nentries; i++) {
                wb_entry_t *e = &wb_entries[i];
                if (e->size == sizes[s] && strcmp(e->metric, metrics[m]) == 0) {
                    wb_fmt(e->metric, wb_median(e->vals, e->n), vb, sizeof(vb));
                }
            }
            printf(" %*s", (int)(strlen(metrics[m]) > 12 ? strlen(metrics[m]) : 12), vb);
        }
        printf("\n");
    }
    printf("\n");
    for (int i = 0; i < wb_nentries; i++) {
        wb_entry_t *e = &wb_entries[i];
        double v = wb_median(e->vals, e->n);
        if (wb_is_count(e->metric)) {
            printf("WANBENCH mode=%s size=%zu metric=%s value=%.0f\n", o->mode_name, e->size,
                   e->metric, v);
        } else {
            printf("WANBENCH mode=%s size=%zu metric=%s value=%.4f\n", o->mode_name, e->size,
                   e->metric, v);
        }
    }
    fflush(stdout);
}
