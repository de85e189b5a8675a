/*
 * main.c - wanem, the user-space WAN link emulator of DWCP-MPI.
 *
 *   wanem --sites FILE [--prefix P] [--time-limit S] [--exact] [--mtu N]
 *         [--ready-file F] [--stats F] [--seed N] [-- cmd args...]
 *   wanem --cleanup PREFIX
 *
 * One network namespace per site (PREFIX-SITE), a TUN device "wan0" with
 * address 10.201.0.(i+1)/24 in each, and this process in the root namespace
 * forwarding packets between them through emulated links (see link.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fwd.h"
#include "netns.h"
#include "sites.h"

#define KILL_GRACE_NS (3ull * 1000000000ull)

typedef struct opts {
    const char *sites_file;
    char prefix[64];
    double time_limit;
    int exact;
    int dry_run;
    int quiet;
    int mtu;
    const char *ready_file;
    const char *stats_file;
    uint64_t seed;
    uint64_t spin_ns;
    char **cmd;
} opts_t;

typedef struct emu {
    const opts_t *o;
    dwcl_sites_t *sites;
    char (*nsname)[128];
    int *tun_fd;
    int *created;       /* namespace created */
    int *hosts_written; /* /etc/netns/NAME/hosts written */
    char *site_list;    /* "A:ns:10.201.0.1,..." */
    int ready_written;
} emu_t;

static void usage(FILE *out)
{
    fprintf(out,
        "usage: wanem --sites FILE [options] [-- command args...]\n"
        "       wanem --cleanup PREFIX\n"
        "Emulates the WAN links of a sites file between network namespaces.\n"
        "  --sites FILE        sites file (see docs/sites-file.md)\n"
        "  --prefix P          namespace names are P-SITE (default dwcp<pid>)\n"
        "  --time-limit S      stop after S seconds (default 600)\n"
        "  --exact             per-packet mode: no offloads, exact iid loss (< ~1 Gbit/s)\n"
        "  --mtu N             MTU of the emulated interfaces (default 1500)\n"
        "  --ready-file F      write the site list to F once every site's device\n"
        "                      answered a self-test (removed at exit)\n"
        "  --stats F           also write the exit counters to F\n"
        "  --seed N            random seed for loss and jitter (default: time)\n"
        "  --spin-us N         busy-poll the last N us before a release (default 200)\n"
        "  --dry-run           check the sites file, print the plan, set up nothing\n"
        "  --quiet             print only errors (counters still go to --stats)\n"
        "  --cleanup PREFIX    remove namespaces/hosts files PREFIX-* left behind\n"
        "With a command: run it in the root namespace with DWCP_WANEM_PREFIX,\n"
        "DWCP_WANEM_SITES (site:namespace:address,...) and DWCP_WANEM_IFACE set,\n"
        "stop when it exits and exit with its status (124 if the time limit hit).\n");
}

static int valid_prefix(const char *p)
{
    if (*p == '\0' || strlen(p) > 40) {
        return 0;
    }
    for (; *p; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
              (*p >= '0' && *p <= '9') || *p == '_' || *p == '.' || *p == '-')) {
            return 0;
        }
    }
    return 1;
}

static int parse_opts(int argc, char **argv, opts_t *o, const char **cleanup)
{
    static const struct option lo[] = {
        {"sites", required_argument, NULL, 's'}, {"prefix", required_argument, NULL, 'p'},
        {"time-limit", required_argument, NULL, 't'}, {"exact", no_argument, NULL, 'x'},
        {"mtu", required_argument, NULL, 'm'}, {"ready-file", required_argument, NULL, 'r'},
        {"stats", required_argument, NULL, 'S'}, {"seed", required_argument, NULL, 'e'},
        {"cleanup", required_argument, NULL, 'c'}, {"spin-us", required_argument, NULL, 'u'},
        {"dry-run", no_argument, NULL, 'n'}, {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    char *end;

    memset(o, 0, sizeof(*o));
    snprintf(o->prefix, sizeof(o->prefix), "dwcp%d", (int)getpid());
    o->time_limit = 600;
    o->mtu = 1500;
    o->spin_ns = DWCL_FWD_SPIN_NS;
    o->seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
    while ((c = getopt_long(argc, argv, "+s:p:t:xm:r:S:e:c:u:nqh", lo, NULL)) != -1) {
        switch (c) {
        case 's': o->sites_file = optarg; break;
        case 'p':
            if (!valid_prefix(optarg)) {
                fprintf(stderr, "wanem: bad --prefix '%s' (1-40 chars of [A-Za-z0-9_.-])\n",
                        optarg);
                return -1;
            }
            snprintf(o->prefix, sizeof(o->prefix), "%s", optarg);
            break;
        case 't':
            o->time_limit = strtod(optarg, &end);
            if (*end != '\0' || !(o->time_limit > 0) || o->time_limit > 1e7) {
                fprintf(stderr, "wanem: bad --time-limit '%s' (seconds > 0)\n", optarg);
                return -1;
            }
            break;
        case 'x': o->exact = 1; break;
        case 'n': o->dry_run = 1; break;
        case 'q': o->quiet = 1; break;
        case 'm':
            o->mtu = (int)strtol(optarg, &end, 10);
            if (*end != '\0' || o->mtu < 576 || o->mtu > 65000) {
                fprintf(stderr, "wanem: bad --mtu '%s' (576..65000)\n", optarg);
                return -1;
            }
            break;
        case 'r': o->ready_file = optarg; break;
        case 'S': o->stats_file = optarg; break;
        case 'e': o->seed = strtoull(optarg, NULL, 0); break;
        case 'c': *cleanup = optarg; break;
        case 'u':
            o->spin_ns = (uint64_t)(strtod(optarg, &end) * 1000.0);
            if (*end != '\0' || o->spin_ns > 100000000ull) {
                fprintf(stderr, "wanem: bad --spin-us '%s' (0..100000)\n", optarg);
                return -1;
            }
            break;
        case 'h': usage(stdout); exit(0);
        default: usage(stderr); return -1;
        }
    }
    if (optind < argc) {
        o->cmd = &argv[optind];
    }
    if (*cleanup == NULL && o->sites_file == NULL) {
        fprintf(stderr, "wanem: --sites FILE is required\n");
        usage(stderr);
        return -1;
    }
    return 0;
}

static void fmt_rate(uint64_t bps, char *buf, size_t len)
{
    if (bps == 0) {
        snprintf(buf, len, "unlimited");
    } else if (bps % 1000000000ull == 0) {
        snprintf(buf, len, "%" PRIu64 "gbit", bps / UINT64_C(1000000000));
    } else if (bps % 1000000ull == 0) {
        snprintf(buf, len, "%" PRIu64 "mbit", bps / UINT64_C(1000000));
    } else {
        snprintf(buf, len, "%" PRIu64 "bit", bps);
    }
}

static void print_plan(FILE *out, const emu_t *e)
{
    const dwcl_sites_t *s = e->sites;

    fprintf(out, "wanem: plan (%s mode, MTU %d, interface %s):\n",
            e->o->exact ? "exact" : "fast", e->o->mtu, DWCL_NETNS_IFNAME);
    for (int i = 0; i < s->nsites; i++) {
        fprintf(out, "  namespace %-20s site %-12s 10.201.0.%d/24\n", e->nsname[i],
                s->sites[i].name, i + 1);
    }
    for (int a = 0; a < s->nsites; a++) {
        for (int b = 0; b < s->nsites; b++) {
            const dwcl_link_params_t *p = dwcl_sites_link(s, a, b);
            char rate[32], queue[32];
            if (a == b) {
                continue;
            }
            fmt_rate(p->rate_bps, rate, sizeof(rate));
            if (p->queue_bytes != 0) {
                snprintf(queue, sizeof(queue), "%" PRIu64 "B", p->queue_bytes);
            } else {
                snprintf(queue, sizeof(queue), "none");
            }
            fprintf(out, "  link %s->%s delay=%.3fms jitter=%.3fms rate=%s loss=%g%% queue=%s",
                    s->sites[a].name, s->sites[b].name, (double)p->delay_ns / 1e6,
                    (double)p->jitter_ns / 1e6, rate, p->loss * 100.0, queue);
            for (int k = 0; k < p->nblackouts; k++) {
                fprintf(out, "%s%gs-%gs", k ? "," : " blackout=",
                        (double)p->blackouts[k].start_ns / 1e9,
                        (double)p->blackouts[k].end_ns / 1e9);
            }
            fputc('\n', out);
        }
    }
}

static void write_summary(FILE *out, const emu_t *e, const dwcl_fwd_t *f, uint64_t wall_ns)
{
    const dwcl_sites_t *s = e->sites;
    struct rusage ru;
    double user, sys, wall = (double)wall_ns / 1e9;

    getrusage(RUSAGE_SELF, &ru);
    user = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6;
    sys = (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    fprintf(out, "wanem: cpu user_s=%.3f sys_s=%.3f wall_s=%.3f cpu_pct=%.1f\n", user, sys,
            wall, wall > 0 ? 100.0 * (user + sys) / wall : 0.0);
    fprintf(out, "wanem: total rx_pkts=%" PRIu64 " unroutable=%" PRIu64 " tx_errors=%" PRIu64
            "\n", f->rx_pkts, f->unroutable, f->tx_errors);
    for (int a = 0; a < s->nsites; a++) {
        for (int b = 0; b < s->nsites; b++) {
            const dwcl_wanlink_t *l = &f->links[a * s->nsites + b];
            const dwcl_wanlink_stats_t *st = &l->stats;
            if (a == b) {
                continue;
            }
            fprintf(out, "wanem: link %s->%s offered=%" PRIu64 " sent_pkts=%" PRIu64
                    " sent_bytes=%" PRIu64 " queue_peak=%" PRIu64 " drop_queue=%" PRIu64
                    " drop_loss=%" PRIu64 " drop_blackout=%" PRIu64 " unsent=%u"
                    " mbit_s=%.1f\n", s->sites[a].name, s->sites[b].name, st->submitted_pkts,
                    st->sent_pkts, st->sent_bytes, st->queue_peak, st->drop_queue,
                    st->drop_loss, st->drop_blackout, l->count,
                    wall > 0 ? (double)st->sent_bytes * 8 / wall / 1e6 : 0.0);
        }
    }
}

static void teardown(emu_t *e)
{
    int n = e->sites->nsites;

    if (e->ready_written) {
        unlink(e->o->ready_file);
    }
    for (int i = 0; i < n; i++) {
        if (e->tun_fd[i] >= 0) {
            close(e->tun_fd[i]);
            e->tun_fd[i] = -1;
        }
        if (e->hosts_written[i]) {
            dwcl_netns_remove_hosts(e->nsname[i]);
            e->hosts_written[i] = 0;
        }
        if (e->created[i]) {
            int killed = dwcl_netns_stop_pids(e->nsname[i], 2000);
            if (killed > 0) {
                fprintf(stderr, "wanem: killed %d process(es) left in %s\n", killed,
                        e->nsname[i]);
            }
            if (dwcl_netns_delete(e->nsname[i]) != 0) {
                fprintf(stderr, "wanem: cannot delete namespace %s: %m\n", e->nsname[i]);
            }
            e->created[i] = 0;
        }
    }
}

static int setup(emu_t *e)
{
    const dwcl_sites_t *s = e->sites;
    char err[512];
    char **lines = calloc((size_t)s->nsites, sizeof(char *));
    int rc = -1;

    if (lines == NULL) {
        fprintf(stderr, "wanem: out of memory\n");
        return -1;
    }
    for (int i = 0; i < s->nsites; i++) {
        size_t len = 64 + strlen(s->sites[i].name);
        for (int h = 0; h < s->sites[i].nhosts; h++) {
            len += strlen(s->sites[i].hosts[h]) + 1;
        }
        lines[i] = malloc(len);
        if (lines[i] == NULL) {
            fprintf(stderr, "wanem: out of memory\n");
            goto out;
        }
        snprintf(lines[i], len, "10.201.0.%d\t%s", i + 1, s->sites[i].name);
        for (int h = 0; h < s->sites[i].nhosts; h++) {
            strcat(lines[i], " ");
            strcat(lines[i], s->sites[i].hosts[h]);
        }
    }
    for (int i = 0; i < s->nsites; i++) {
        dwcl_tun_cfg_t cfg = {
            .ifname = DWCL_NETNS_IFNAME, .vnet_hdr = !e->o->exact, .mtu = e->o->mtu,
            .addr = DWCL_FWD_NET | (uint32_t)(i + 1), .prefix_len = 24, .txqueuelen = 1000,
        };
        if (dwcl_netns_create_with_tun(e->nsname[i], &cfg, &e->tun_fd[i], err,
                                       sizeof(err)) != 0) {
            fprintf(stderr, "wanem: namespace %s: %s\n", e->nsname[i], err);
            goto out;
        }
        e->created[i] = 1;
        if (dwcl_netns_write_hosts(e->nsname[i], (const char *const *)lines, s->nsites, err,
                                   sizeof(err)) != 0) {
            fprintf(stderr, "wanem: %s\n", err);
            goto out;
        }
        e->hosts_written[i] = 1;
    }
    rc = 0;
out:
    for (int i = 0; i < s->nsites; i++) {
        free(lines[i]);
    }
    free(lines);
    return rc;
}

static char *make_site_list(const emu_t *e)
{
    size_t len = 1;
    char *buf, *p;

    for (int i = 0; i < e->sites->nsites; i++) {
        len += strlen(e->sites->sites[i].name) + strlen(e->nsname[i]) + 20;
    }
    buf = malloc(len);
    if (buf == NULL) {
        return NULL;
    }
    p = buf;
    *p = '\0';
    for (int i = 0; i < e->sites->nsites; i++) {
        p += sprintf(p, "%s%s:%s:10.201.0.%d", i ? "," : "", e->sites->sites[i].name,
                     e->nsname[i], i + 1);
    }
    return buf;
}

static int write_ready(emu_t *e)
{
    char tmp[4096];
    FILE *f;

    snprintf(tmp, sizeof(tmp), "%s.tmp.%d", e->o->ready_file, (int)getpid());
    f = fopen(tmp, "w");
    if (f == NULL) {
        fprintf(stderr, "wanem: cannot write ready file %s: %m\n", tmp);
        return -1;
    }
    fprintf(f, "%s\n", e->site_list);
    if (fclose(f) != 0 || rename(tmp, e->o->ready_file) != 0) {
        fprintf(stderr, "wanem: cannot write ready file %s: %m\n", e->o->ready_file);
        unlink(tmp);
        return -1;
    }
    e->ready_written = 1;
    return 0;
}

static pid_t start_command(const emu_t *e, const sigset_t *oldmask)
{
    pid_t pid = fork();

    if (pid < 0) {
        fprintf(stderr, "wanem: fork: %m\n");
        return -1;
    }
    if (pid == 0) {
        signal(SIGPIPE, SIG_DFL);
        sigprocmask(SIG_SETMASK, oldmask, NULL);
        setenv("DWCP_WANEM_PREFIX", e->o->prefix, 1);
        setenv("DWCP_WANEM_SITES", e->site_list, 1);
        setenv("DWCP_WANEM_IFACE", DWCL_NETNS_IFNAME, 1);
        execvp(e->o->cmd[0], e->o->cmd);
        fprintf(stderr, "wanem: cannot run %s: %m\n", e->o->cmd[0]);
        _exit(127);
    }
    return pid;
}

/* Stop the command: SIGTERM, then SIGKILL after a grace period. */
static int stop_command(pid_t pid)
{
    uint64_t until = dwcl_fwd_now_ns() + KILL_GRACE_NS;
    int status = 0;

    kill(pid, SIGTERM);
    while (dwcl_fwd_now_ns() < until) {
        if (waitpid(pid, &status, WNOHANG) == pid) {
            return status;
        }
        usleep(10000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return status;
}

static int status_to_code(int status)
{
    if (WIFEXITED(status)) {
        return WEXITSTATUS(status);
    }
    if (WIFSIGNALED(status)) {
        return 128 + WTERMSIG(status);
    }
    return 1;
}

/* Check that every site's device answers before declaring readiness. */
static int self_test(emu_t *e, dwcl_fwd_t *f, int sfd)
{
    /* up to 20 rounds of 250 ms, polling for answers every 10 ms */
    for (int round = 0; round < 20 && dwcl_fwd_probes_pending(f) > 0; round++) {
        uint64_t until = dwcl_fwd_now_ns() + 250000000ull, now;
        if (dwcl_fwd_probe(f) != 0) {
            return -1;
        }
        while (dwcl_fwd_probes_pending(f) > 0 && (now = dwcl_fwd_now_ns()) < until) {
            int r = dwcl_fwd_run(f, now + 10000000ull < until ? now + 10000000ull : until);
            struct signalfd_siginfo si;
            if (r == -2) {
                return -1;
            }
            if (r >= 0 && read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si) &&
                si.ssi_signo != SIGCHLD) {
                fprintf(stderr, "wanem: caught signal %d during self-test, stopping\n",
                        (int)si.ssi_signo);
                return -1;
            }
        }
    }
    for (int i = 0; i < e->sites->nsites; i++) {
        if (!f->probe_ok[i]) {
            fprintf(stderr, "wanem: self-test failed: namespace %s did not answer an ICMP "
                    "echo through its TUN device within 5 s\n", e->nsname[i]);
            return -1;
        }
    }
    return 0;
}

static int run(emu_t *e, int sfd, const sigset_t *oldmask)
{
    dwcl_fwd_t f;
    uint64_t start = dwcl_fwd_now_ns();
    uint64_t deadline = start + (uint64_t)(e->o->time_limit * 1e9);
    pid_t child = -1;
    int code = 0, child_status = 0, done = 0;

    if (dwcl_fwd_init(&f, e->sites, e->tun_fd, !e->o->exact, e->o->seed) != 0 ||
        dwcl_fwd_watch(&f, sfd) != 0) {
        dwcl_fwd_fini(&f);
        return 1;
    }
    f.spin_ns = e->o->spin_ns;
    if (self_test(e, &f, sfd) != 0) {
        dwcl_fwd_fini(&f);
        return 1;
    }
    if (e->o->ready_file != NULL && write_ready(e) != 0) {
        dwcl_fwd_fini(&f);
        return 1;
    }
    if (e->o->cmd != NULL) {
        child = start_command(e, oldmask);
        if (child < 0) {
            dwcl_fwd_fini(&f);
            return 1;
        }
    }
    if (!e->o->quiet) {
        fprintf(stderr, "wanem: forwarding between %d sites (%s mode), prefix %s, "
                "limit %.0f s\n", e->sites->nsites, e->o->exact ? "exact" : "fast", e->o->prefix,
                e->o->time_limit);
    }
    while (!done) {
        struct signalfd_siginfo si;
        int r = dwcl_fwd_run(&f, deadline);

        if (r == -1) {
            if (!e->o->quiet || child > 0) {
                fprintf(stderr, "wanem: time limit of %.0f s reached\n", e->o->time_limit);
            }
            code = child > 0 ? 124 : 0;
            break;
        }
        if (r < 0) {
            code = 1;
            break;
        }
        while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
            if (si.ssi_signo == SIGCHLD) {
                if (child > 0 && waitpid(child, &child_status, WNOHANG) == child) {
                    code = status_to_code(child_status);
                    child = -1;
                    done = 1;
                }
            } else {
                fprintf(stderr, "wanem: caught signal %d, stopping\n", (int)si.ssi_signo);
                code = child > 0 ? 128 + (int)si.ssi_signo : 0;
                done = 1;
            }
        }
    }
    if (child > 0) {
        stop_command(child);
    }
    if (!e->o->quiet) {
        write_summary(stderr, e, &f, dwcl_fwd_now_ns() - start);
    }
    if (e->o->stats_file != NULL) {
        FILE *sf = fopen(e->o->stats_file, "w");
        if (sf == NULL) {
            fprintf(stderr, "wanem: cannot write %s: %m\n", e->o->stats_file);
        } else {
            write_summary(sf, e, &f, dwcl_fwd_now_ns() - start);
            fclose(sf);
        }
    }
    dwcl_fwd_fini(&f);
    return code;
}

int main(int argc, char **argv)
{
    opts_t o;
    emu_t e = {.o = &o};
    const char *cleanup = NULL;
    char err[1024];
    sigset_t mask, oldmask;
    int sfd, code = 1, n;

    if (parse_opts(argc, argv, &o, &cleanup) != 0) {
        return 1;
    }
    if (cleanup != NULL) {
        if (!dwcl_netns_have_caps()) {
            fprintf(stderr, "wanem: --cleanup needs root (CAP_SYS_ADMIN)\n");
            return 2;
        }
        n = dwcl_netns_cleanup_prefix(cleanup, 1);
        fprintf(stderr, "wanem: cleanup of %s-*: %d namespace(s) removed\n", cleanup,
                n < 0 ? 0 : n);
        return n < 0 ? 1 : 0;
    }
    if (dwcl_sites_parse_file(o.sites_file, &e.sites, err, sizeof(err)) != 0) {
        fprintf(stderr, "wanem: %s\n", err);
        return 1;
    }
    n = e.sites->nsites;
    e.nsname = calloc((size_t)n, sizeof(*e.nsname));
    e.tun_fd = malloc((size_t)n * sizeof(int));
    e.created = calloc((size_t)n, sizeof(int));
    e.hosts_written = calloc((size_t)n, sizeof(int));
    if (e.nsname == NULL || e.tun_fd == NULL || e.created == NULL || e.hosts_written == NULL) {
        fprintf(stderr, "wanem: out of memory\n");
        goto out;
    }
    for (int i = 0; i < n; i++) {
        snprintf(e.nsname[i], sizeof(e.nsname[i]), "%s-%s", o.prefix, e.sites->sites[i].name);
        e.tun_fd[i] = -1;
    }
    e.site_list = make_site_list(&e);
    if (e.site_list == NULL) {
        fprintf(stderr, "wanem: out of memory\n");
        goto out;
    }
    if (o.dry_run) {
        print_plan(stdout, &e);
        code = 0;
        goto out;
    }
    if (!dwcl_netns_have_caps()) {
        fprintf(stderr, "wanem: needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN) to create network "
                "namespaces and TUN devices; run it with sudo. Nothing was set up.\n");
        print_plan(stderr, &e);
        code = 2;
        goto out;
    }
    /* Signals are taken through a signalfd; blocking them before anything
     * is created means an interrupt during setup still leads to cleanup. */
    sigemptyset(&mask);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGHUP);
    sigaddset(&mask, SIGQUIT);
    sigaddset(&mask, SIGCHLD);
    sigprocmask(SIG_BLOCK, &mask, &oldmask);
    signal(SIGPIPE, SIG_IGN);
    sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
    if (sfd < 0) {
        fprintf(stderr, "wanem: signalfd: %m\n");
        goto out;
    }
    prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
    if (setup(&e) == 0) {
        if (!o.quiet) {
            print_plan(stderr, &e);
        }
        code = run(&e, sfd, &oldmask);
    }
    teardown(&e);
    close(sfd);
out:
    free(e.site_list);
    free(e.nsname);
    free(e.tun_fd);
    free(e.created);
    free(e.hosts_written);
    dwcl_sites_free(e.sites);
    return code;
}
