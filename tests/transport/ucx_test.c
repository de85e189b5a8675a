/*
 * ucx_test.c — two-process test of the "ucx" transport plugin (dwct_ucx_ops).
 *
 * The parent is rank 0, a forked child rank 1; they bootstrap through files in a temporary
 * directory. Phases: eager sends 0..64 KiB, rendezvous 1..64 MiB, sendv, KEEP + later
 * rx_fetch/rx_release, rx_fetch inside the rx callback, an ordering burst, the reverse
 * direction, sends to self, RMA (put/get/atomics), raw latency/bandwidth, flush, optionally a
 * 3 GiB message (--big or DWCT_TEST_BIG=1), peer failure (rank 1 dies with a rendezvous of
 * rank 0 pending), and finalize. Prints "N passed, N failed"; exits non-zero on failure.
 *
 * Usage: ucx_test [--perf-only] [--only=PHASE] [--big] [--no-failure-test]
 * PHASE: eager rndv sendv keep fetchcb order reverse self rma perf
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tt_common.h"
#include "tt_phases.h"

/* ---- Sending and receiving a phase --------------------------------------------------------- */

int tt_send_phase(tt_ctx_t *c, int to, int tag, const size_t *sizes, int n, double timeout_s)
{
    tt_comp_t *comps = calloc((size_t)n, sizeof(*comps));
    void **bufs = calloc((size_t)n, sizeof(*bufs));
    int ok = comps != NULL && bufs != NULL;
    for (int i = 0; ok && i < n; i++) {
        uint64_t seq = c->next_seq[to]++;
        bufs[i] = malloc(sizes[i] > 0 ? sizes[i] : 1);
        if (bufs[i] == NULL) {
            ok = 0;
            break;
        }
        tt_pattern(bufs[i], sizes[i], tt_seed((uint32_t)c->rank, seq));
        dwct_hdr_t h = tt_hdr(c, tag, seq, sizes[i]);
        tt_comp_init(&comps[i]);
        c->in_api = 1;
        dwcs_status_t st = c->ops->send(c->iface, to, &h, bufs[i], sizes[i], &comps[i].comp);
        c->in_api = 0;
        tt_comp_started(&comps[i], st);
        tt_check(st == DWCS_OK || st == DWCS_INPROGRESS, "tag %d: send of %zu bytes: %s", tag,
                 sizes[i], dwcs_status_string(st));
    }
    for (int i = 0; ok && i < n; i++) {
        if (tt_wait(c, tt_comp_is_done, &comps[i], timeout_s) != 0) {
            tt_check(0, "tag %d: send %d (%zu bytes) not complete after %.0f s", tag, i, sizes[i],
                     timeout_s);
            ok = 0;
            break;
        }
        tt_check(comps[i].st == DWCS_OK, "tag %d: send %d completed with %s", tag, i,
                 dwcs_status_string(comps[i].st));
    }
    tt_check(ok, "tag %d: sender setup", tag);
    if (!ok) {
        return -1; /* the transport may still own buffers and completions: leak them */
    }
    for (int i = 0; bufs != NULL && i < n; i++) {
        free(bufs[i]);
    }
    free(bufs);
    free(comps);
    return 0;
}

/* Fetch a kept message into a new buffer, waiting (bounded) for the completion. */
static int fetch_msg(tt_ctx_t *c, tt_msg_t *m, double timeout_s)
{
    m->buf = malloc(m->len > 0 ? m->len : 1);
    if (m->buf == NULL) {
        return -1;
    }
    static tt_comp_t tc; /* static: outlives us if the fetch never completes */
    tt_comp_init(&tc);
    c->in_api = 1;
    dwcs_status_t st = c->ops->rx_fetch(c->iface, &m->rx, m->buf, m->len, &tc.comp);
    c->in_api = 0;
    m->kept = 0;
    tt_comp_started(&tc, st);
    if (tt_wait(c, tt_comp_is_done, &tc, timeout_s) != 0) {
        tt_check(0, "fetch of %zu bytes (seq %llu) not complete", m->len,
                 (unsigned long long)m->hdr.seq);
        return -1;
    }
    return tt_check(tc.st == DWCS_OK, "fetch of %zu bytes: %s", m->len, dwcs_status_string(tc.st))
               ? 0
               : -1;
}

/* Note the arrival order of a message. */
static void note_order(tt_ctx_t *c, const tt_msg_t *m)
{
    uint32_t src = m->hdr.src;
    if (src > 1) {
        return;
    }
    if (m->hdr.seq + 1 < c->last_seq[src]) {
        c->out_of_order++;
    } else {
        c->last_seq[src] = m->hdr.seq + 1;
    }
}

int tt_recv_phase(tt_ctx_t *c, int from, int tag, int n, double timeout_s)
{
    if (tt_wait(c, tt_have_msgs, &n, timeout_s) != 0) {
        tt_check(0, "tag %d: only %d of %d messages arrived", tag, c->nmsgs, n);
        for (int i = 0; i < c->nmsgs; i++) {
            fprintf(stderr, "  got seq %llu len %zu\n", (unsigned long long)c->msgs[i].hdr.seq,
                    c->msgs[i].len);
        }
        tt_msgs_clear(c);
        return -1;
    }
    tt_check(c->nmsgs == n, "tag %d: %d messages instead of %d", tag, c->nmsgs, n);
    for (int i = 0; i < c->nmsgs; i++) {
        tt_msg_t *m = &c->msgs[i];
        note_order(c, m);
        tt_check(m->hdr.src == (uint32_t)from && m->hdr.tag == tag && m->hdr.ctx == 7 &&
                     m->hdr.type == DWCT_MSG_P2P && m->hdr.len == m->len &&
                     m->hdr.sreq == (0x1234500000000000ull | m->hdr.seq),
                 "tag %d: header of message %d mangled (src %u tag %d len %llu/%zu)", tag, i,
                 m->hdr.src, m->hdr.tag, (unsigned long long)m->hdr.len, m->len);
        if (m->kept) {
            fetch_msg(c, m, timeout_s);
        } else if (c->mode == TT_RX_FETCH_IN_CB && !m->fetch_done) {
            double deadline = tt_now() + timeout_s;
            while (!m->fetch_done && tt_now() < deadline) {
                tt_progress(c);
            }
            tt_check(m->fetch_done && m->fetch_st == DWCS_OK,
                     "tag %d: in-callback fetch of %zu bytes: %s", tag, m->len,
                     m->fetch_done ? dwcs_status_string(m->fetch_st) : "not complete");
        }
        if (m->buf != NULL) {
            size_t bad = tt_pattern_check(m->buf, m->len, tt_seed(m->hdr.src, m->hdr.seq));
            tt_check(bad == (size_t)-1, "tag %d: %zu-byte payload (seq %llu) wrong at byte %zu",
                     tag, m->len, (unsigned long long)m->hdr.seq, bad);
        } else {
            tt_check(m->len == 0, "tag %d: no payload for %zu bytes", tag, m->len);
        }
    }
    return 0;
}

/* ---- Functional phases --------------------------------------------------------------------- */

static void phase_eager(tt_ctx_t *c)
{
    static const size_t sizes[] = {0,    1,    7,    8,    63,    64,    100,  1000,
                                   1024, 4096, 8191, 8192, 16384, 32768, 65535};
    int n = (int)(sizeof(sizes) / sizeof(sizes[0]));
    c->mode = TT_RX_COPY;
    tt_barrier(c, 30);
    if (c->rank == 0) {
        tt_send_phase(c, 1, 1, sizes, n, 30);
    } else {
        /* Up to 4 KiB UCX must use its eager path; above, it may pick rendezvous itself. */
        int small = 0, small_eager = 0, eager = 0;
        if (tt_wait(c, tt_have_msgs, &n, 30) == 0) {
            for (int i = 0; i < c->nmsgs; i++) {
                eager += !c->msgs[i].was_rndv;
                if (c->msgs[i].len <= 4096) {
                    small++;
                    small_eager += !c->msgs[i].was_rndv;
                }
            }
        }
        tt_check(small > 0 && small_eager == small, "eager: %d of %d messages <= 4 KiB eager",
                 small_eager, small);
        printf("rank 1: %d of %d messages of 0..64 KiB arrived eagerly (UCX chose the rest)\n",
               eager, n);
        tt_recv_phase(c, 0, 1, n, 30);
        tt_msgs_clear(c);
    }
}

static void phase_rndv(tt_ctx_t *c)
{
    static const size_t sizes[] = {1u << 20, 4u << 20, 16u << 20, 64u << 20, (1u << 20) + 13};
    int n = (int)(sizeof(sizes) / sizeof(sizes[0]));
    c->mode = TT_RX_KEEP;
    tt_barrier(c, 30);
    if (c->rank == 0) {
        tt_send_phase(c, 1, 2, sizes, n, 60);
    } else {
        int rndv = 0;
        if (tt_wait(c, tt_have_msgs, &n, 60) == 0) {
            for (int i = 0; i < c->nmsgs; i++) {
                rndv += c->msgs[i].was_rndv;
            }
        }
        tt_check(rndv == n, "rndv: %d of %d large messages came as rendezvous", rndv, n);
        tt_recv_phase(c, 0, 2, n, 60);
        tt_msgs_clear(c);
    }
}

/* Start a sendv of one patterned buffer cut into @p npieces pieces of @p lens. */
static void sendv_one(tt_ctx_t *c, const size_t *lens, int npieces, tt_comp_t *tc, char **bufp)
{
    size_t total = 0;
    for (int i = 0; i < npieces; i++) {
        total += lens[i];
    }
    uint64_t seq = c->next_seq[1]++;
    char *buf = malloc(total > 0 ? total : 1);
    struct iovec iov[32];
    tt_comp_init(tc);
    *bufp = buf;
    if (buf == NULL || npieces > 32) {
        tt_check(0, "sendv: setup");
        tc->done = 1;
        return;
    }
    tt_pattern(buf, total, tt_seed((uint32_t)c->rank, seq));
    size_t off = 0;
    for (int i = 0; i < npieces; i++) {
        iov[i].iov_base = buf + off;
        iov[i].iov_len = lens[i];
        off += lens[i];
    }
    dwct_hdr_t h = tt_hdr(c, 3, seq, total);
    c->in_api = 1;
    dwcs_status_t st = c->ops->sendv(c->iface, 1, &h, iov, (size_t)npieces, &tc->comp);
    c->in_api = 0;
    tt_comp_started(tc, st);
}

static void phase_sendv(tt_ctx_t *c)
{
    static const size_t a[] = {10, 0, 333, 4096, 1};
    static const size_t b[] = {1000003, 17, 2097152, 65536};
    size_t many[20];
    int nmany = getenv("TT_PIECES") ? atoi(getenv("TT_PIECES")) : 20;
    size_t piece = getenv("TT_PIECE") ? (size_t)atol(getenv("TT_PIECE")) : 1000;
    for (int i = 0; i < 20; i++) {
        many[i] = piece + (size_t)i;
    }
    c->mode = TT_RX_COPY;
    tt_barrier(c, 30);
    if (c->rank == 0) {
        /* all started before any wait: the receiver fetches only once all have arrived */
        static tt_comp_t tc[3];
        char *bufs[3];
        sendv_one(c, a, 5, &tc[0], &bufs[0]);
        sendv_one(c, b, 4, &tc[1], &bufs[1]);
        sendv_one(c, many, nmany, &tc[2], &bufs[2]);
        for (int i = 0; i < 3; i++) {
            int done = tt_wait(c, tt_comp_is_done, &tc[i], 60) == 0;
            tt_check(done && tc[i].st == DWCS_OK, "sendv %d: %s", i,
                     done ? dwcs_status_string(tc[i].st) : "not complete");
            if (done) {
                free(bufs[i]);
            }
        }
    } else {
        tt_recv_phase(c, 0, 3, 3, 60);
        tt_msgs_clear(c);
    }
}

/* Keep everything; fetch even-numbered messages, release odd ones, after all arrived. */
static void phase_keep(tt_ctx_t *c)
{
    static const size_t sizes[] = {0, 16, 5000, 2u << 20, 60000, 1, 3u << 20, 777};
    int n = (int)(sizeof(sizes) / sizeof(sizes[0]));
    c->mode = TT_RX_KEEP;
    tt_barrier(c, 30);
    if (c->rank == 0) {
        tt_send_phase(c, 1, 4, sizes, n, 60); /* released rendezvous sends must complete too */
        return;
    }
    if (tt_wait(c, tt_have_msgs, &n, 60) != 0) {
        tt_check(0, "keep: only %d of %d messages arrived", c->nmsgs, n);
        tt_msgs_clear(c);
        return;
    }
    /* Let a lot of progress happen while everything is kept. */
    for (int k = 0; k < 1000; k++) {
        tt_progress(c);
    }
    for (int i = 0; i < c->nmsgs; i++) {
        tt_msg_t *m = &c->msgs[i];
        note_order(c, m);
        tt_check(m->kept, "keep: message %d not kept", i);
        if (i % 2 == 0) {
            if (m->kept && fetch_msg(c, m, 60) == 0) {
                size_t bad = tt_pattern_check(m->buf, m->len, tt_seed(0, m->hdr.seq));
                tt_check(bad == (size_t)-1, "keep: fetched %zu bytes wrong at %zu", m->len, bad);
            }
        } else if (m->kept) {
            c->in_api = 1;
            c->ops->rx_release(c->iface, &m->rx);
            c->in_api = 0;
            m->kept = 0;
        }
    }
    tt_msgs_clear(c);
}

static void phase_fetch_in_cb(tt_ctx_t *c)
{
    static const size_t sizes[] = {100, 1u << 20, 0, 5u << 20, 40000};
    int n = (int)(sizeof(sizes) / sizeof(sizes[0]));
    c->mode = TT_RX_FETCH_IN_CB;
    tt_barrier(c, 30);
    if (c->rank == 0) {
        tt_send_phase(c, 1, 5, sizes, n, 60);
    } else {
        tt_recv_phase(c, 0, 5, n, 60);
        tt_msgs_clear(c);
    }
}

/* A burst mixing eager, empty and rendezvous messages; every seq must arrive exactly once. */
static void phase_order(tt_ctx_t *c)
{
    enum { N = 48 };
    size_t sizes[N];
    for (int i = 0; i < N; i++) {
        sizes[i] = (i % 3 == 0) ? 512 : (i % 3 == 1) ? (256u << 10) : 0;
    }
    c->mode = TT_RX_KEEP;
    tt_barrier(c, 30);
    if (c->rank == 0) {
        tt_send_phase(c, 1, 6, sizes, N, 60);
        return;
    }
    int n = N;
    unsigned long before = c->out_of_order;
    uint64_t first = c->last_seq[0];
    if (tt_wait(c, tt_have_msgs, &n, 60) == 0) {
        unsigned char seen[N] = {0};
        int dup = 0, bad = 0, inversions = 0;
        for (int i = 0; i < c->nmsgs; i++) {
            uint64_t s = c->msgs[i].hdr.seq - first;
            if (s >= N) {
                bad++;
            } else {
                dup += seen[s]++ != 0;
            }
            if (i > 0 && c->msgs[i].hdr.seq < c->msgs[i - 1].hdr.seq) {
                inversions++;
            }
        }
        tt_check(dup == 0 && bad == 0, "order: %d duplicates, %d unknown seqs", dup, bad);
        printf("rank 1: ordering burst of %d mixed eager/rndv messages: %d inversions\n", N,
               inversions);
    }
    tt_recv_phase(c, 0, 6, N, 60);
    (void)before;
    tt_msgs_clear(c);
}

static void phase_reverse(tt_ctx_t *c)
{
    static const size_t sizes[] = {3, 70000, 2u << 20, 0};
    int n = (int)(sizeof(sizes) / sizeof(sizes[0]));
    c->mode = TT_RX_COPY;
    tt_barrier(c, 30);
    if (c->rank == 1) {
        tt_send_phase(c, 0, 7, sizes, n, 60);
    } else {
        tt_recv_phase(c, 1, 7, n, 60);
        tt_msgs_clear(c);
    }
}

/* Send to our own rank: delivery must wait for progress(). */
static void phase_self(tt_ctx_t *c)
{
    static const size_t sizes[] = {100, 0, 1u << 20};
    enum { N = 3 };
    c->mode = TT_RX_COPY;
    tt_barrier(c, 30);
    static tt_comp_t comps[N];
    void *bufs[N];
    uint64_t seqs[N];
    for (int i = 0; i < N; i++) {
        seqs[i] = 1000000 + (uint64_t)i;
        bufs[i] = malloc(sizes[i] + 1);
        tt_pattern(bufs[i], sizes[i], tt_seed((uint32_t)c->rank, seqs[i]));
        dwct_hdr_t h = tt_hdr(c, 8, seqs[i], sizes[i]);
        tt_comp_init(&comps[i]);
        c->in_api = 1;
        dwcs_status_t st = c->ops->send(c->iface, c->rank, &h, bufs[i], sizes[i], &comps[i].comp);
        c->in_api = 0;
        tt_comp_started(&comps[i], st);
        tt_check(st >= 0, "self: send of %zu bytes: %s", sizes[i], dwcs_status_string(st));
    }
    tt_check(c->nmsgs == 0, "self: %d messages delivered without progress()", c->nmsgs);
    int n = N;
    if (tt_wait(c, tt_have_msgs, &n, 30) == 0) {
        for (int i = 0; i < c->nmsgs; i++) {
            tt_msg_t *m = &c->msgs[i];
            if (m->kept) {
                fetch_msg(c, m, 30);
            }
            size_t bad = m->buf ? tt_pattern_check(m->buf, m->len, tt_seed(m->hdr.src, m->hdr.seq))
                                : (m->len ? 0 : (size_t)-1);
            tt_check(m->hdr.src == (uint32_t)c->rank && bad == (size_t)-1,
                     "self: %zu-byte message wrong at %zu", m->len, bad);
        }
    } else {
        tt_check(0, "self: %d of %d messages arrived", c->nmsgs, N);
    }
    for (int i = 0; i < N; i++) {
        int done = tt_wait(c, tt_comp_is_done, &comps[i], 30) == 0;
        tt_check(done && comps[i].st == DWCS_OK, "self: send %d: %s", i,
                 done ? dwcs_status_string(comps[i].st) : "not complete");
        free(bufs[i]);
    }
    tt_msgs_clear(c);
}

static void phase_flush(tt_ctx_t *c)
{
    tt_barrier(c, 30);
    c->in_api = 1;
    dwcs_status_t st = c->ops->flush(c->iface, 10.0);
    c->in_api = 0;
    tt_check(st == DWCS_OK, "flush: %s", dwcs_status_string(st));
}

/* ---- Process driver ------------------------------------------------------------------------ */

static int run_rank(int rank, const char *dir, const tt_opts_t *opts, int report_fd)
{
    static tt_ctx_t ctx;
    tt_ctx_t *c = &ctx;
    memset(c, 0, sizeof(*c));
    tt = c;
    c->rank = rank;
    c->peer = 1 - rank;
    c->ops = &dwct_ucx_ops;
    tt_bootstrap_init(c, dir);

    int site_of[2] = {0, 0};
    const char *site_names[1] = {"local"};
    dwct_init_params_t ip = {
        .rank = rank,
        .size = 2,
        .site_of = site_of,
        .site_names = site_names,
        .nsites = 1,
        .bootstrap = &c->boot,
        .variant = NULL,
        .rx_cb = tt_rx_cb,
        .rx_arg = c,
    };
    dwcs_status_t st = c->ops->init(&ip, &c->iface);
    if (!tt_check(st == DWCS_OK, "init: %s", dwcs_status_string(st))) {
        c->iface = NULL;
    } else {
        tt_check(strcmp(c->ops->name, "ucx") == 0, "ops name is %s", c->ops->name);
        static const struct {
            const char *name;
            void (*fn)(tt_ctx_t *c);
        } phases[] = {
            {"eager", phase_eager},     {"rndv", phase_rndv},           {"sendv", phase_sendv},
            {"keep", phase_keep},       {"fetchcb", phase_fetch_in_cb}, {"order", phase_order},
            {"reverse", phase_reverse}, {"self", phase_self},           {"rma", tt_phase_rma},
            {"perf", tt_phase_perf},
        };
        for (size_t i = 0; i < sizeof(phases) / sizeof(phases[0]); i++) {
            int perf = strcmp(phases[i].name, "perf") == 0;
            if (opts->only != NULL ? strcmp(opts->only, phases[i].name) == 0
                                   : (!opts->perf_only || perf)) {
                phases[i].fn(c);
            }
        }
        if (opts->big) {
            tt_phase_big(c);
        }
        phase_flush(c);
        if (rank == 1 && !opts->perf_only) {
            printf("rank 1: messages from rank 0 arriving below an earlier seq: %lu\n",
                   c->out_of_order);
        }
        if (opts->failure_test) {
            tt_phase_failure(c, report_fd); /* rank 1 exits inside */
        } else {
            tt_barrier(c, 30);
        }
        double t0 = tt_now();
        c->ops->finalize(c->iface);
        c->iface = NULL;
        tt_check(tt_now() - t0 < 20.0, "finalize took %.1f s", tt_now() - t0);
    }
    tt_check(c->bad_context == 0, "%d callbacks ran outside progress()", c->bad_context);
    return tt_report(c, report_fd);
}

int tt_report(tt_ctx_t *c, int fd)
{
    int counts[2] = {c->passed, c->failed};
    if (fd >= 0 && write(fd, counts, sizeof(counts)) != (ssize_t)sizeof(counts)) {
        fprintf(stderr, "rank %d: cannot report results: %m\n", c->rank);
    }
    return c->failed ? 1 : 0;
}

static void rm_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d != NULL) {
        struct dirent *e;
        char path[4096];
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
                snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
                unlink(path);
            }
        }
        closedir(d);
    }
    rmdir(dir);
}

int main(int argc, char **argv)
{
    tt_opts_t opts = {0, 0, 1, NULL};
    const char *big = getenv("DWCT_TEST_BIG");
    opts.big = big != NULL && strcmp(big, "1") == 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--perf-only") == 0) {
            opts.perf_only = 1;
            opts.failure_test = 0;
        } else if (strcmp(argv[i], "--big") == 0) {
            opts.big = 1;
        } else if (strncmp(argv[i], "--only=", 7) == 0) {
            opts.only = argv[i] + 7;
            opts.failure_test = 0;
        } else if (strcmp(argv[i], "--no-failure-test") == 0) {
            opts.failure_test = 0;
        } else {
            fprintf(stderr, "usage: %s [--perf-only] [--only=PHASE] [--big] [--no-failure-test]\n",
                    argv[0]);
            return 2;
        }
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    char dir[] = "/tmp/dwct-ucx-test-XXXXXX";
    if (mkdtemp(dir) == NULL) {
        fprintf(stderr, "mkdtemp: %m\n");
        return 1;
    }
    int fds[2];
    if (pipe(fds) != 0) {
        fprintf(stderr, "pipe: %m\n");
        rm_dir(dir);
        return 1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "fork: %m\n");
        rm_dir(dir);
        return 1;
    }
    if (pid == 0) {
        close(fds[0]);
        exit(run_rank(1, dir, &opts, fds[1])); /* exit(): LeakSanitizer checks rank 1 too */
    }
    close(fds[1]);
    run_rank(0, dir, &opts, -1);
    int p0 = tt->passed, f0 = tt->failed;

    int counts[2] = {0, 0};
    ssize_t got = read(fds[0], counts, sizeof(counts)); /* EOF when the child is gone */
    close(fds[0]);
    int status = 0;
    double deadline = tt_now() + 60;
    while (waitpid(pid, &status, WNOHANG) == 0) {
        if (tt_now() > deadline) {
            fprintf(stderr, "rank 1 did not exit; killing it\n");
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            break;
        }
        usleep(10000);
    }
    int p1 = 0, f1 = 1;
    if (got == (ssize_t)sizeof(counts)) {
        p1 = counts[0];
        f1 = counts[1];
    } else {
        fprintf(stderr, "rank 1 reported no results (exit status 0x%x)\n", status);
    }
    rm_dir(dir);
    printf("rank 0: %d passed, %d failed; rank 1: %d passed, %d failed\n", p0, f0, p1, f1);
    printf("%d passed, %d failed\n", p0 + p1, f0 + f1);
    return (f0 + f1) ? 1 : 0;
}
