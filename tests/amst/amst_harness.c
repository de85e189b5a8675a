/* amst_harness.c — see amst_harness.h. */
#define _GNU_SOURCE
#include "amst_harness.h"
#include "dwcs_log.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

double th_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- file bootstrap ---- */

typedef struct fboot {
    char dir[256];
    int rank;
} fboot_t;

static dwcs_status_t fb_publish(void *arg, const char *key, const void *val, size_t len)
{
    fboot_t *b = arg;
    char tmp[512], path[512];
    snprintf(tmp, sizeof(tmp), "%s/.%d.%s.tmp", b->dir, b->rank, key);
    snprintf(path, sizeof(path), "%s/%d.%s", b->dir, b->rank, key);
    FILE *f = fopen(tmp, "wb");
    if (f == NULL) {
        return DWCS_ERR_BOOTSTRAP;
    }
    int ok = fwrite(val, 1, len, f) == len;
    ok &= fclose(f) == 0;
    if (!ok || rename(tmp, path) != 0) {
        return DWCS_ERR_BOOTSTRAP;
    }
    return DWCS_OK;
}

static dwcs_status_t fb_lookup(void *arg, int peer, const char *key, void **val, size_t *len)
{
    fboot_t *b = arg;
    char path[512];
    snprintf(path, sizeof(path), "%s/%d.%s", b->dir, peer, key);
    double end = th_now() + 10;
    for (;;) {
        FILE *f = fopen(path, "rb");
        if (f != NULL) {
            char *buf = malloc(4096);
            size_t n = buf ? fread(buf, 1, 4096, f) : 0;
            fclose(f);
            if (buf == NULL) {
                return DWCS_ERR_NO_MEMORY;
            }
            *val = buf;
            *len = n;
            return DWCS_OK;
        }
        if (th_now() > end) {
            return DWCS_ERR_NOT_FOUND;
        }
        usleep(2000);
    }
}

static fboot_t fboot;
static dwct_bootstrap_t boot = {&fboot, fb_publish, fb_lookup};

/* ---- rx queue ---- */

static void fetch_done(dwct_comp_t *comp, dwcs_status_t st)
{
    th_msg_t *m = (th_msg_t *)((char *)comp - offsetof(th_msg_t, comp));
    m->status = st;
    m->done = 1;
}

static dwct_rx_action_t rx_cb(void *arg, const dwct_hdr_t *hdr, dwct_rx_t *rx)
{
    th_ctx_t *c = arg;
    if (c->nmsgs == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 64;
        /* th_msg_t holds a comp whose address is handed out: allocate with room, never move
         * entries that may still complete (tests stay below the first capacity for those). */
        th_msg_t *n = realloc(c->msgs, cap * sizeof(*n));
        if (n == NULL) {
            abort();
        }
        c->msgs = n;
        c->cap = cap;
    }
    th_msg_t *m = &c->msgs[c->nmsgs++];
    memset(m, 0, sizeof(*m));
    m->hdr = *hdr;
    m->len = rx->len;
    m->comp.cb = fetch_done;
    if (c->mode == TH_KEEP) {
        m->rx = *rx;
        m->kept = 1;
        return DWCT_RX_KEEP;
    }
    m->data = malloc(rx->len ? rx->len : 1);
    if (m->data == NULL) {
        abort();
    }
    if (rx->data != NULL) {
        memcpy(m->data, rx->data, rx->len);
        m->done = 1;
        return DWCT_RX_DONE;
    }
    dwcs_status_t st = c->ops->rx_fetch(c->ifc, rx, m->data, rx->len, &m->comp);
    if (st != DWCS_INPROGRESS) {
        m->status = st;
        m->done = 1;
    }
    return DWCT_RX_KEEP;
}

int th_init(th_ctx_t *c, int rank, const char *dir, const char *variant, th_mode_t mode)
{
    memset(c, 0, sizeof(*c));
    if (getenv("DWCP_LOG_LEVEL") != NULL) {
        dwcs_log_set_level(atoi(getenv("DWCP_LOG_LEVEL")));
    }
    c->rank = rank;
    c->mode = mode;
    c->ops = &dwct_amst_ops;
    c->cap = 4096;
    c->msgs = calloc(c->cap, sizeof(*c->msgs));
    snprintf(fboot.dir, sizeof(fboot.dir), "%s", dir);
    fboot.rank = rank;
    static const int site_of[2] = {0, 1};
    static const char *const sites[2] = {"a", "b"};
    dwct_init_params_t p = {.rank = rank,
                            .size = 2,
                            .site_of = site_of,
                            .site_names = sites,
                            .nsites = 2,
                            .bootstrap = &boot,
                            .variant = variant,
                            .rx_cb = rx_cb,
                            .rx_arg = c};
    dwcs_status_t st = c->ops->init(&p, &c->ifc);
    if (st != DWCS_OK) {
        fprintf(stderr, "rank %d: init failed: %s\n", rank, dwcs_status_string(st));
        return -1;
    }
    return 0;
}

void th_fini(th_ctx_t *c)
{
    c->ops->finalize(c->ifc);
    for (size_t i = 0; i < c->nmsgs; i++) {
        free(c->msgs[i].data);
    }
    free(c->msgs);
}

int th_wait_flag(th_ctx_t *c, const int *flag, double timeout_s)
{
    double end = th_now() + timeout_s;
    while (!*flag) {
        if (th_now() > end) {
            return -1;
        }
        if (c->ops->progress(c->ifc) == 0) {
            usleep(50);
        }
    }
    return 0;
}

int th_wait_msgs(th_ctx_t *c, size_t n, double timeout_s)
{
    double end = th_now() + timeout_s;
    for (;;) {
        size_t done = 0;
        for (size_t i = 0; i < c->nmsgs; i++) {
            done += c->msgs[i].done || c->msgs[i].kept;
        }
        if (done >= n) {
            return 0;
        }
        if (th_now() > end) {
            fprintf(stderr, "rank %d: %zu of %zu messages after %.0f s\n", c->rank, done, n,
                    timeout_s);
            return -1;
        }
        if (c->ops->progress(c->ifc) == 0) {
            usleep(20);
        }
    }
}

void th_spin(th_ctx_t *c, double seconds)
{
    double end = th_now() + seconds;
    while (th_now() < end) {
        if (c->ops->progress(c->ifc) == 0) {
            usleep(100);
        }
    }
}

static void comp_cb(dwct_comp_t *comp, dwcs_status_t st)
{
    th_comp_t *tc = (th_comp_t *)comp;
    tc->done = 1;
    tc->status = st;
}

void th_comp_init(th_comp_t *tc)
{
    tc->comp.cb = comp_cb;
    tc->done = 0;
    tc->status = DWCS_OK;
}

int th_send_wait(th_ctx_t *c, int peer, const dwct_hdr_t *h, const void *buf, size_t len,
                 double timeout_s)
{
    th_comp_t tc;
    th_comp_init(&tc);
    dwcs_status_t st = c->ops->send(c->ifc, peer, h, buf, len, &tc.comp);
    if (st == DWCS_OK) {
        return 0;
    }
    if (st != DWCS_INPROGRESS) {
        fprintf(stderr, "rank %d: send failed: %s\n", c->rank, dwcs_status_string(st));
        return -1;
    }
    if (th_wait_flag(c, &tc.done, timeout_s) != 0 || tc.status != DWCS_OK) {
        fprintf(stderr, "rank %d: send completion: %s\n", c->rank,
                tc.done ? dwcs_status_string(tc.status) : "timeout");
        return -1;
    }
    return 0;
}

static inline uint64_t mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

void th_fill(uint8_t *buf, size_t len, uint64_t seed)
{
    uint64_t s = mix(seed);
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t v = s ^ (i * 0x100000001b3ull);
        memcpy(buf + i, &v, 8);
    }
    for (; i < len; i++) {
        buf[i] = (uint8_t)(s >> (i % 8)) ^ (uint8_t)i;
    }
}

long th_check(const uint8_t *buf, size_t len, uint64_t seed)
{
    uint64_t s = mix(seed);
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t v = s ^ (i * 0x100000001b3ull);
        if (memcmp(buf + i, &v, 8) != 0) {
            return (long)i;
        }
    }
    for (; i < len; i++) {
        if (buf[i] != ((uint8_t)(s >> (i % 8)) ^ (uint8_t)i)) {
            return (long)i;
        }
    }
    return -1;
}

dwct_hdr_t th_hdr(int src, uint64_t seq, size_t len)
{
    dwct_hdr_t h = {.type = DWCT_MSG_P2P,
                    .flags = 0,
                    .src = (uint32_t)src,
                    .ctx = 100 + (uint32_t)(seq % 7),
                    .tag = (int32_t)(seq * 3 + 1),
                    .crank = src + 10,
                    .aux = 0,
                    .seq = seq,
                    .len = len,
                    .sreq = 0xabc000 + seq};
    return h;
}

char *th_tmpdir(void)
{
    char tmpl[] = "/tmp/amst-test-XXXXXX";
    char *d = mkdtemp(tmpl);
    return d ? strdup(d) : NULL;
}

void th_rmdir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d != NULL) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.' && (e->d_name[1] == '\0' || e->d_name[1] == '.')) {
                continue;
            }
            char p[512];
            snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
            unlink(p);
        }
        closedir(d);
    }
    rmdir(dir);
}

/* Under wanem (DWCP_WANEM_SITES="site:ns:addr,..."), move this process into the namespace of
 * site @p r. */
static int th_enter_site(int r)
{
    const char *sites = getenv("DWCP_WANEM_SITES");
    if (sites == NULL) {
        fprintf(stderr, "AMST_BENCH_NETNS set but DWCP_WANEM_SITES is not (run under wanem)\n");
        return -1;
    }
    char *copy = strdup(sites), *save = NULL, *ent = strtok_r(copy, ",", &save);
    for (int i = 0; i < r && ent != NULL; i++) {
        ent = strtok_r(NULL, ",", &save);
    }
    char *ns = ent ? strchr(ent, ':') : NULL;
    char *end = ns ? strchr(ns + 1, ':') : NULL;
    if (end == NULL) {
        fprintf(stderr, "no site %d in DWCP_WANEM_SITES=%s\n", r, sites);
        free(copy);
        return -1;
    }
    *end = '\0';
    char path[256];
    snprintf(path, sizeof(path), "/var/run/netns/%s", ns + 1);
    free(copy);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || setns(fd, CLONE_NEWNET) != 0) {
        fprintf(stderr, "cannot enter %s: %m\n", path);
        return -1;
    }
    close(fd);
    return 0;
}

int th_run_pair(const char *name, int (*fn)(int rank, const char *dir), const char *const *env0,
                const char *const *env1, double timeout_s)
{
    char *dir = th_tmpdir();
    if (dir == NULL) {
        perror("mkdtemp");
        return -1;
    }
    pid_t pid[2];
    for (int r = 0; r < 2; r++) {
        pid[r] = fork();
        if (pid[r] < 0) {
            perror("fork");
            return -1;
        }
        if (pid[r] == 0) {
            const char *const *env = r == 0 ? env0 : env1;
            for (; env != NULL && *env != NULL; env++) {
                putenv(strdup(*env));
            }
            if (getenv("AMST_BENCH_NETNS") != NULL && th_enter_site(r) != 0) {
                _exit(3);
            }
            alarm((unsigned)timeout_s + 5);
            exit(fn(r, dir) == 0 ? 0 : 1); /* exit, not _exit: LeakSanitizer runs at exit */
        }
    }
    int rc = 0;
    double start = th_now();
    int left = 2;
    while (left > 0) {
        int status;
        pid_t w = waitpid(-1, &status, WNOHANG);
        if (w > 0) {
            int r = w == pid[0] ? 0 : 1;
            if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                fprintf(stderr, "[%s] rank %d %s %d\n", name, r,
                        WIFEXITED(status) ? "exited with" : "killed by signal",
                        WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
                rc = -1;
            }
            pid[r] = 0;
            left--;
            continue;
        }
        if (th_now() - start > timeout_s) {
            fprintf(stderr, "[%s] timeout after %.0f s; killing\n", name, timeout_s);
            for (int r = 0; r < 2; r++) {
                if (pid[r] > 0) {
                    kill(pid[r], SIGKILL);
                    waitpid(pid[r], NULL, 0);
                }
            }
            rc = -1;
            break;
        }
        usleep(10000);
    }
    th_rmdir(dir);
    free(dir);
    printf("%s %s (%.1f s)\n", rc == 0 ? "PASS" : "FAIL", name, th_now() - start);
    fflush(stdout);
    return rc;
}
