/*
 * tt_common.c — helpers for the two-process transport tests (see tt_common.h).
 */
#include "tt_common.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

tt_ctx_t *tt;

double tt_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int tt_check(int ok, const char *fmt, ...)
{
    if (ok) {
        tt->passed++;
        return 1;
    }
    tt->failed++;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "rank %d: FAIL: ", tt->rank);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return 0;
}

/* ---- Bootstrap over a directory ------------------------------------------------------------ */

static dwcs_status_t dir_publish(void *arg, const char *key, const void *val, size_t len)
{
    tt_ctx_t *c = arg;
    char tmp[4200], path[4096];
    snprintf(path, sizeof(path), "%s/%d.%s", c->dir, c->rank, key);
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    if (f == NULL) {
        fprintf(stderr, "bootstrap: cannot create %s: %m\n", tmp);
        return DWCS_ERR_IO;
    }
    int ok = fwrite(val, 1, len, f) == len;
    ok = (fclose(f) == 0) && ok;
    if (!ok || rename(tmp, path) != 0) {
        fprintf(stderr, "bootstrap: cannot write %s: %m\n", path);
        return DWCS_ERR_IO;
    }
    return DWCS_OK;
}

static dwcs_status_t dir_lookup(void *arg, int peer, const char *key, void **val, size_t *len)
{
    tt_ctx_t *c = arg;
    char path[4096];
    snprintf(path, sizeof(path), "%s/%d.%s", c->dir, peer, key);
    double deadline = tt_now() + 30.0;
    FILE *f;
    while ((f = fopen(path, "rb")) == NULL) {
        if (errno != ENOENT || tt_now() > deadline) {
            fprintf(stderr, "bootstrap: cannot read %s: %m\n", path);
            return DWCS_ERR_BOOTSTRAP;
        }
        usleep(1000);
    }
    struct stat sb;
    if (fstat(fileno(f), &sb) != 0) {
        fprintf(stderr, "bootstrap: cannot stat %s: %m\n", path);
        fclose(f);
        return DWCS_ERR_BOOTSTRAP;
    }
    size_t n = (size_t)sb.st_size;
    void *buf = malloc(n > 0 ? n : 1);
    if (buf == NULL || fread(buf, 1, n, f) != n) {
        fprintf(stderr, "bootstrap: short read of %s\n", path);
        free(buf);
        fclose(f);
        return DWCS_ERR_BOOTSTRAP;
    }
    fclose(f);
    *val = buf;
    *len = n;
    return DWCS_OK;
}

void tt_bootstrap_init(tt_ctx_t *c, const char *dir)
{
    c->dir = dir;
    c->boot.arg = c;
    c->boot.publish = dir_publish;
    c->boot.lookup = dir_lookup;
}

int tt_barrier(tt_ctx_t *c, double timeout_s)
{
    char key[64];
    int no = c->barrier_no++;
    snprintf(key, sizeof(key), "barrier.%d", no);
    if (dir_publish(c, key, "", 0) != DWCS_OK) {
        return -1;
    }
    char path[4096];
    snprintf(path, sizeof(path), "%s/%d.%s", c->dir, c->peer, key);
    double deadline = tt_now() + timeout_s;
    while (access(path, F_OK) != 0) {
        if (tt_now() > deadline) {
            fprintf(stderr, "rank %d: barrier %d timed out\n", c->rank, no);
            return -1;
        }
        /* Keep the transport moving while waiting (the peer may need us to progress). */
        if (c->iface != NULL) {
            tt_progress(c);
        } else {
            usleep(1000);
        }
    }
    return 0;
}

/* ---- Payloads ------------------------------------------------------------------------------ */

static inline uint8_t pattern_byte(uint64_t seed, size_t i)
{
    uint64_t x = seed * 0x9e3779b97f4a7c15ull + (uint64_t)(i >> 8) * 0xbf58476d1ce4e5b9ull;
    return (uint8_t)((x >> 29) ^ (uint64_t)i);
}

void tt_pattern(void *buf, size_t len, uint64_t seed)
{
    uint8_t *p = buf;
    for (size_t i = 0; i < len; i++) {
        p[i] = pattern_byte(seed, i);
    }
}

size_t tt_pattern_check(const void *buf, size_t len, uint64_t seed)
{
    const uint8_t *p = buf;
    for (size_t i = 0; i < len; i++) {
        if (p[i] != pattern_byte(seed, i)) {
            return i;
        }
    }
    return (size_t)-1;
}

dwct_hdr_t tt_hdr(const tt_ctx_t *c, int tag, uint64_t seq, uint64_t len)
{
    dwct_hdr_t h;
    memset(&h, 0, sizeof(h));
    h.type = DWCT_MSG_P2P;
    h.src = (uint32_t)c->rank;
    h.ctx = 7;
    h.tag = tag;
    h.crank = c->rank;
    h.seq = seq;
    h.len = len;
    h.sreq = 0x1234500000000000ull | seq;
    return h;
}

/* ---- Callbacks ----------------------------------------------------------------------------- */

static void check_context(const char *what)
{
    if (tt->in_api || !tt->in_progress) {
        tt->bad_context++;
        fprintf(stderr, "rank %d: %s callback outside progress() (in_api %d)\n", tt->rank, what,
                tt->in_api);
    }
}

static void fetch_cb(dwct_comp_t *comp, dwcs_status_t st);

typedef struct tt_fetch_comp {
    dwct_comp_t comp;
    tt_msg_t *msg;
} tt_fetch_comp_t;

static tt_fetch_comp_t fetch_comps[TT_MAX_RX];

static void fetch_cb(dwct_comp_t *comp, dwcs_status_t st)
{
    check_context("fetch completion");
    tt_fetch_comp_t *fc = (tt_fetch_comp_t *)comp;
    fc->msg->fetch_done = 1;
    fc->msg->fetch_st = st;
}

dwct_rx_action_t tt_rx_cb(void *arg, const dwct_hdr_t *hdr, dwct_rx_t *rx)
{
    tt_ctx_t *c = arg;
    check_context("rx");
    if (c->mode == TT_RX_COUNT) {
        c->rx_count++;
        if (rx->data == NULL && c->nmsgs < TT_MAX_RX) {
            tt_msg_t *m = &c->msgs[c->nmsgs++];
            memset(m, 0, sizeof(*m));
            m->hdr = *hdr;
            m->rx = *rx;
            m->kept = 1;
            m->was_rndv = 1;
            m->len = rx->len;
            return DWCT_RX_KEEP;
        }
        if (rx->data != NULL && rx->len <= c->perf_len) {
            memcpy(c->perf_buf, rx->data, rx->len);
        }
        return DWCT_RX_DONE;
    }
    if (c->nmsgs >= TT_MAX_RX) {
        fprintf(stderr, "rank %d: message store full\n", c->rank);
        return DWCT_RX_DONE;
    }
    tt_msg_t *m = &c->msgs[c->nmsgs++];
    memset(m, 0, sizeof(*m));
    m->hdr = *hdr;
    m->rx = *rx;
    m->len = rx->len;
    m->was_rndv = rx->data == NULL;
    if (c->mode == TT_RX_COPY && rx->data != NULL) {
        m->buf = malloc(rx->len > 0 ? rx->len : 1);
        if (m->buf != NULL) {
            memcpy(m->buf, rx->data, rx->len);
        }
        return DWCT_RX_DONE;
    }
    if (c->mode == TT_RX_FETCH_IN_CB) {
        int idx = (int)(m - c->msgs);
        m->buf = malloc(rx->len > 0 ? rx->len : 1);
        fetch_comps[idx].comp.cb = fetch_cb;
        fetch_comps[idx].msg = m;
        dwcs_status_t st = c->ops->rx_fetch(c->iface, rx, m->buf, rx->len, &fetch_comps[idx].comp);
        if (st != DWCS_INPROGRESS) {
            m->fetch_done = 1;
            m->fetch_st = st;
        }
        return DWCT_RX_KEEP; /* fetch already consumed it: the transport must cope */
    }
    m->kept = 1;
    return DWCT_RX_KEEP;
}

static void tt_comp_cb(dwct_comp_t *comp, dwcs_status_t st)
{
    check_context("completion");
    tt_comp_t *tc = (tt_comp_t *)comp;
    tc->done = 1;
    tc->st = st;
}

void tt_comp_init(tt_comp_t *tc)
{
    tc->comp.cb = tt_comp_cb;
    tc->done = 0;
    tc->st = DWCS_INPROGRESS;
}

void tt_comp_started(tt_comp_t *tc, dwcs_status_t st)
{
    if (st != DWCS_INPROGRESS) {
        tc->done = 1;
        tc->st = st;
    }
}

unsigned tt_progress(tt_ctx_t *c)
{
    c->in_progress = 1;
    unsigned n = c->ops->progress(c->iface);
    c->in_progress = 0;
    return n;
}

int tt_wait(tt_ctx_t *c, int (*done)(tt_ctx_t *c, void *arg), void *arg, double timeout_s)
{
    double deadline = tt_now() + timeout_s;
    while (!done(c, arg)) {
        if (tt_now() > deadline) {
            return -1;
        }
        tt_progress(c);
    }
    return 0;
}

int tt_have_msgs(tt_ctx_t *c, void *arg)
{
    return c->nmsgs >= *(int *)arg;
}

int tt_comp_is_done(tt_ctx_t *c, void *arg)
{
    return ((tt_comp_t *)arg)->done;
}

void tt_msgs_clear(tt_ctx_t *c)
{
    for (int i = 0; i < c->nmsgs; i++) {
        tt_msg_t *m = &c->msgs[i];
        if (m->kept) {
            c->in_api = 1;
            c->ops->rx_release(c->iface, &m->rx);
            c->in_api = 0;
            m->kept = 0;
        }
        free(m->buf);
        m->buf = NULL;
    }
    c->nmsgs = 0;
}
