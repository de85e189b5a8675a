/*
 * dwcl_emulate.c — `dwcprun --sites FILE --emulate`: run every site of the job in its own
 * network namespace, joined by the WAN links that wanem emulates (see docs/launcher.md).
 *
 * Two steps, both in dwcprun:
 *  outer  dwcprun --emulate ...  checks the requirements and runs
 *             wanem --sites FILE --prefix dwcp<pid> --time-limit T -- dwcprun --dwcl-in-wanem ...
 *  inner  started by wanem once the namespaces and links exist, with DWCP_WANEM_SITES
 *         (site:namespace:address,...) and DWCP_WANEM_IFACE in its environment: writes an rsh
 *         agent script mapping site names to namespaces, and runs
 *             ip netns exec <first site's namespace> mpirun --mca plm_rsh_agent <script> ...
 *                 -np a --host A:a -x DWCP_SITE=A prog : -np b --host B:b -x DWCP_SITE=B prog
 *         Site names resolve inside the namespaces through /etc/netns/NS/hosts (written by
 *         wanem), so mpirun starts the first site's ranks itself and the others' daemons
 *         through the agent (`ip netns exec NS sh -c "orted ..."`).
 */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dwcl_opts.h"
#include "dwcl_run.h"
#include "sites.h"

/* Extra time wanem and the outer supervisor allow beyond --timeout (teardown). */
#define DWCL_EMU_WANEM_SLACK_S 60.0
#define DWCL_EMU_OUTER_SLACK_S 90.0
/* wanem's limit when no --timeout is given: one day. */
#define DWCL_EMU_NO_LIMIT_S 86400.0

/* Directory for the rsh agent, made by the outer dwcprun and passed to the inner one. */
#define DWCL_EMU_DIR_ENV "DWCL_EMU_DIR"
#define DWCL_EMU_AGENT "agent.sh"

/** One emulated site as announced by wanem. */
typedef struct emu_site {
    char name[64];
    char ns[160];
    char addr[32];
} emu_site_t;

/* Directory of this executable, for finding wanem beside it. */
static int self_dir(char *buf, size_t len)
{
    ssize_t n = readlink("/proc/self/exe", buf, len - 1);
    char *slash;
    if (n <= 0) {
        return -1;
    }
    buf[n] = '\0';
    slash = strrchr(buf, '/');
    if (slash == NULL) {
        return -1;
    }
    *slash = '\0';
    return 0;
}

/* True when @p path is an executable regular file (not a directory such as wanem/). */
static int is_exe(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* wanem: $DWCP_WANEM, else beside dwcprun (installed), else wanem/wanem (build tree), else PATH. */
static void find_wanem(char *buf, size_t len)
{
    const char *env = getenv("DWCP_WANEM");
    char dir[PATH_MAX];

    if (env != NULL && *env != '\0') {
        snprintf(buf, len, "%s", env);
        return;
    }
    if (self_dir(dir, sizeof(dir)) == 0) {
        int n = snprintf(buf, len, "%s/wanem", dir);
        if (n > 0 && (size_t)n < len && is_exe(buf)) {
            return;
        }
        n = snprintf(buf, len, "%s/wanem/wanem", dir);
        if (n > 0 && (size_t)n < len && is_exe(buf)) {
            return;
        }
    }
    snprintf(buf, len, "wanem");
}

/* The ip(8) binary: absolute when found, so a PATH without sbin does not matter. */
static const char *ip_path(void)
{
    static const char *const cand[] = {"/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"};
    for (size_t i = 0; i < sizeof(cand) / sizeof(cand[0]); i++) {
        if (is_exe(cand[i])) {
            return cand[i];
        }
    }
    return "ip";
}

/* Remove the agent directory (it only ever holds the agent script). */
static void remove_agent_dir(const char *dir)
{
    char path[PATH_MAX + 16];
    snprintf(path, sizeof(path), "%s/" DWCL_EMU_AGENT, dir);
    unlink(path);
    if (rmdir(dir) != 0 && errno != ENOENT) {
        fprintf(stderr, "dwcprun: cannot remove %s: %m\n", dir);
    }
}

/* Print what --emulate would do (used without root and with --dry-run). */
static void print_plan(const dwcl_opts_t *o, const dwcl_sites_t *s, const dwcl_context_t *ctx,
                       int nctx, const char *prefix, FILE *out)
{
    fprintf(out, "dwcprun --emulate would:\n");
    fprintf(out, "  - create one network namespace per site, each with a TUN device wan0:\n");
    for (int i = 0; i < s->nsites; i++) {
        fprintf(out, "      %s-%s  10.201.0.%d  (site %s, %d slots)\n", prefix, s->sites[i].name,
                i + 1, s->sites[i].name, s->sites[i].slots);
    }
    fprintf(out, "  - emulate the links of %s between them (wanem):\n", o->sites_file);
    for (int a = 0; a < s->nsites; a++) {
        for (int b = 0; b < s->nsites; b++) {
            const dwcl_link_params_t *l = a != b ? dwcl_sites_link(s, a, b) : NULL;
            if (l == NULL) {
                continue;
            }
            fprintf(out, "      %s->%s delay %.3f ms, rate %s%.0f Mbit/s, loss %g%%\n",
                    s->sites[a].name, s->sites[b].name, (double)l->delay_ns / 1e6,
                    l->rate_bps == 0 ? "unlimited " : "", (double)l->rate_bps / 1e6,
                    l->loss * 100.0);
        }
    }
    fprintf(out, "  - place the ranks (block placement):");
    for (int i = 0, r = 0; i < nctx; r += ctx[i].np, i++) {
        fprintf(out, " %s: %d-%d;", ctx[i].site, r, r + ctx[i].np - 1);
    }
    fprintf(out,
            "\n  - run mpirun in namespace %s-%s; ranks of the other sites start in theirs\n"
            "    through an rsh agent (ip netns exec), then remove everything it created\n",
            prefix, ctx[0].site);
}

/* Outer step: run wanem with this dwcprun (inner step) as its command. */
static int run_outer(const dwcl_opts_t *o, const dwcl_sites_t *s, const dwcl_context_t *ctx,
                     int nctx)
{
    char prefix[32], wanem[PATH_MAX], self[PATH_MAX], dir[] = "/tmp/dwcprun.XXXXXX";
    dwcl_argv_t cmd = {0};
    ssize_t n;
    int rc;

    snprintf(prefix, sizeof(prefix), "dwcp%d", (int)getpid());
    if (geteuid() != 0 && !o->dry_run) {
        fprintf(stderr, "dwcprun: --emulate needs root (it creates network namespaces and TUN "
                        "devices); run it as root or with sudo.\n");
        print_plan(o, s, ctx, nctx, prefix, stderr);
        return DWCL_EXIT_USAGE;
    }
    n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n <= 0) {
        fprintf(stderr, "dwcprun: cannot find its own executable (/proc/self/exe): %m\n");
        return 1;
    }
    self[n] = '\0';
    find_wanem(wanem, sizeof(wanem));
    dwcl_argv_add(&cmd, wanem);
    dwcl_argv_add(&cmd, "--sites");
    dwcl_argv_add(&cmd, o->sites_file);
    dwcl_argv_add(&cmd, "--prefix");
    dwcl_argv_add(&cmd, prefix);
    if (o->emulate_exact) {
        dwcl_argv_add(&cmd, "--exact"); /* per-packet forwarding: exact iid loss */
    }
    dwcl_argv_add(&cmd, "--time-limit");
    dwcl_argv_addf(&cmd, "%g",
                   o->timeout_s > 0 ? o->timeout_s + DWCL_EMU_WANEM_SLACK_S : DWCL_EMU_NO_LIMIT_S);
    dwcl_argv_add(&cmd, "--");
    dwcl_argv_add(&cmd, self);
    dwcl_argv_add(&cmd, "--dwcl-in-wanem");
    /* The same arguments (the inner step ignores --emulate), minus --dry-run. */
    for (int i = 1; i < o->argc; i++) {
        if (o->argv + i >= o->prog || strcmp(o->argv[i], "--dry-run") != 0) {
            dwcl_argv_add(&cmd, o->argv[i]);
        }
    }
    if (o->dry_run) {
        print_plan(o, s, ctx, nctx, prefix, stdout);
        dwcl_argv_print(&cmd, stdout, NULL);
        dwcl_argv_free(&cmd);
        return 0;
    }
    if (o->verbose) {
        dwcl_argv_print(&cmd, stderr, "dwcprun: running: ");
    }
    dwcl_run_opts_t ro = {
        .me = "dwcprun",
        .timeout_s = o->timeout_s > 0 ? o->timeout_s + DWCL_EMU_OUTER_SLACK_S : 0,
        .grace_s = 10.0,
        .verbose = o->verbose,
    };
    if (mkdtemp(dir) == NULL) {
        fprintf(stderr, "dwcprun: cannot create a temporary directory: %m\n");
        dwcl_argv_free(&cmd);
        return 1;
    }
    setenv(DWCL_EMU_DIR_ENV, dir, 1);
    rc = dwcl_run_supervise(cmd.v, &ro);
    remove_agent_dir(dir);
    dwcl_argv_free(&cmd);
    return rc;
}

/* Parse DWCP_WANEM_SITES ("A:ns:10.201.0.1,B:..."). Returns the count, -1 on error. */
static int parse_wanem_sites(const char *list, emu_site_t *out, int max)
{
    char *copy = strdup(list), *save = NULL, *tok;
    int n = 0;

    if (copy == NULL) {
        return -1;
    }
    for (tok = strtok_r(copy, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
        char *c1 = strchr(tok, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (c2 == NULL || n >= max) {
            free(copy);
            return -1;
        }
        *c1 = '\0';
        *c2 = '\0';
        snprintf(out[n].name, sizeof(out[n].name), "%s", tok);
        snprintf(out[n].ns, sizeof(out[n].ns), "%s", c1 + 1);
        snprintf(out[n].addr, sizeof(out[n].addr), "%s", c2 + 1);
        n++;
    }
    free(copy);
    return n;
}

/* Write the rsh agent: "agent [opts] HOST cmd..." runs cmd in HOST's namespace. */
static int write_agent(const char *path, const emu_site_t *es, int n)
{
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        fprintf(stderr, "dwcprun: cannot write %s: %m\n", path);
        return -1;
    }
    fprintf(f, "#!/bin/sh\n"
               "# rsh agent written by dwcprun --emulate: run a command in a site's namespace.\n"
               "while [ $# -gt 0 ]; do\n"
               "    case \"$1\" in -*) shift ;; *) break ;; esac\n"
               "done\n"
               "host=${1%%%%:*}\n"
               "shift\n"
               "case \"$host\" in\n");
    for (int i = 0; i < n; i++) {
        fprintf(f, "    '%s'|'%s') ns='%s' ;;\n", es[i].name, es[i].addr, es[i].ns);
    }
    fprintf(f,
            "    *) echo \"dwcprun agent: unknown site '$host'\" >&2; exit 255 ;;\n"
            "esac\n"
            "exec %s netns exec \"$ns\" /bin/sh -c \"$*\"\n",
            ip_path());
    if (fclose(f) != 0 || chmod(path, 0700) != 0) {
        fprintf(stderr, "dwcprun: cannot write %s: %m\n", path);
        return -1;
    }
    return 0;
}

/* Inner step: inside wanem, start mpirun in the first site's namespace. */
static int run_inner(const dwcl_opts_t *o, const dwcl_sites_t *s, dwcl_context_t *ctx, int nctx,
                     const char *sites_abs)
{
    const char *list = getenv("DWCP_WANEM_SITES"), *iface = getenv("DWCP_WANEM_IFACE");
    emu_site_t *es = calloc((size_t)s->nsites + 1, sizeof(*es));
    const char *given = getenv(DWCL_EMU_DIR_ENV);
    char dir[PATH_MAX] = "/tmp/dwcprun.XXXXXX", agent[PATH_MAX + 16];
    dwcl_argv_t cmd = {0}, extra = {0};
    const char *ns0 = NULL;
    int nes, rc = 1, have_dir = 0;

    if (es == NULL) {
        fprintf(stderr, "dwcprun: out of memory\n");
        return 1;
    }
    if (list == NULL) {
        fprintf(stderr, "dwcprun: --dwcl-in-wanem is internal: DWCP_WANEM_SITES is not set\n");
        goto out;
    }
    nes = parse_wanem_sites(list, es, s->nsites + 1);
    if (nes < 1) {
        fprintf(stderr, "dwcprun: cannot parse DWCP_WANEM_SITES='%s'\n", list);
        goto out;
    }
    for (int i = 0; i < nes; i++) {
        if (strcmp(es[i].name, ctx[0].site) == 0) {
            ns0 = es[i].ns;
        }
    }
    if (ns0 == NULL) {
        fprintf(stderr, "dwcprun: site %s is not in DWCP_WANEM_SITES='%s'\n", ctx[0].site, list);
        goto out;
    }
    /* The outer dwcprun normally owns the directory (it outlives us even if wanem has to
     * SIGKILL this process); otherwise make our own. */
    if (given != NULL && *given != '\0') {
        snprintf(dir, sizeof(dir), "%s", given);
    } else if (mkdtemp(dir) == NULL) {
        fprintf(stderr, "dwcprun: cannot create a temporary directory: %m\n");
        goto out;
    } else {
        have_dir = 1;
    }
    snprintf(agent, sizeof(agent), "%s/" DWCL_EMU_AGENT, dir);
    if (write_agent(agent, es, nes) != 0) {
        goto out;
    }
    for (int i = 0; i < nctx; i++) {
        ctx[i].host = ctx[i].site;
    }
    if (iface == NULL || *iface == '\0') {
        iface = "wan0";
    }
    dwcl_argv_add(&extra, "--mca");
    dwcl_argv_add(&extra, "plm_rsh_agent");
    dwcl_argv_add(&extra, agent);
    dwcl_argv_add(&extra, "--mca");
    dwcl_argv_add(&extra, "plm_rsh_no_tree_spawn");
    dwcl_argv_add(&extra, "1");
    dwcl_argv_add(&extra, "--mca");
    dwcl_argv_add(&extra, "oob_tcp_if_include");
    dwcl_argv_add(&extra, iface);
    dwcl_argv_add(&extra, "--mca");
    dwcl_argv_add(&extra, "btl_tcp_if_include");
    dwcl_argv_add(&extra, iface);
    dwcl_argv_add(&cmd, ip_path());
    dwcl_argv_add(&cmd, "netns");
    dwcl_argv_add(&cmd, "exec");
    dwcl_argv_add(&cmd, ns0);
    if (dwcl_mpirun_build(o, ctx, nctx, sites_abs, &extra, &cmd) != 0) {
        rc = DWCL_EXIT_USAGE;
        goto out;
    }
    if (o->verbose) {
        dwcl_argv_print(&cmd, stderr, "dwcprun: running: ");
    }
    dwcl_mpirun_setenv();
    dwcl_run_opts_t ro = {.me = "dwcprun", .timeout_s = o->timeout_s, .verbose = o->verbose};
    rc = dwcl_run_supervise(cmd.v, &ro);
out:
    if (have_dir) {
        remove_agent_dir(dir);
    }
    dwcl_argv_free(&extra);
    dwcl_argv_free(&cmd);
    free(es);
    return rc;
}

int dwcl_run_emulated(const dwcl_opts_t *o)
{
    dwcl_sites_t *sites = NULL;
    dwcl_context_t *ctx = NULL;
    char *sites_abs = NULL;
    int nctx = 0, rc;

    if (o->sites_file == NULL) {
        fprintf(stderr, "dwcprun: --emulate needs --sites FILE\n");
        return DWCL_EXIT_USAGE;
    }
    if (dwcl_sites_place(o, &sites, &ctx, &nctx, &sites_abs) != 0) {
        return DWCL_EXIT_USAGE;
    }
    if (o->in_wanem) {
        rc = run_inner(o, sites, ctx, nctx, sites_abs);
    } else {
        rc = run_outer(o, sites, ctx, nctx);
    }
    free(ctx);
    free(sites_abs);
    dwcl_sites_free(sites);
    return rc;
}
