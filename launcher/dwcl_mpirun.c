/*
 * dwcl_mpirun.c — build the mpirun command for a dwcprun job and run it (see dwcl_opts.h).
 *
 * Our ranks are not Open MPI processes: mpirun only starts them and serves PMIx. Per-rank
 * environment (DWCP_SITE) differs between sites, so multi-site jobs use mpirun's MPMD syntax
 * (`-np a -x DWCP_SITE=A prog : -np b -x DWCP_SITE=B prog`), which keeps one PMIx namespace:
 * one MPI_COMM_WORLD with the ranks of each site in one contiguous block.
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dwcl_opts.h"
#include "dwcl_place.h"
#include "dwcl_run.h"
#include "sites.h"

const char *dwcl_mpirun_path(void)
{
    const char *p = getenv("DWCP_MPIRUN");
    return (p != NULL && *p != '\0') ? p : DWCP_OMPI_MPIRUN;
}

void dwcl_mpirun_setenv(void)
{
    /* Ranks may outnumber cores (tests, emulated sites on one machine). */
    setenv("OMPI_MCA_rmaps_base_oversubscribe", "1", 0);
    if (geteuid() == 0) {
        setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 0);
        setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 0);
    }
}

int dwcl_mpirun_build(const dwcl_opts_t *o, const dwcl_context_t *ctx, int nctx,
                      const char *sites_abs, const dwcl_argv_t *extra, dwcl_argv_t *out)
{
    /* mpirun reads a lone ':' as an app-context separator; it cannot be passed through. */
    for (int i = 0; i < o->nprog; i++) {
        if (strcmp(o->prog[i], ":") == 0) {
            fprintf(stderr,
                    "dwcprun: argument %d of the program is ':', which mpirun would take "
                    "as an app-context separator\n",
                    i);
            return -1;
        }
    }
    dwcl_argv_add(out, dwcl_mpirun_path());
    if (geteuid() == 0) {
        dwcl_argv_add(out, "--allow-run-as-root");
    }
    dwcl_argv_add(out, "--oversubscribe");
    for (int i = 0; i + 1 < o->mca.n; i += 2) {
        dwcl_argv_add(out, "--mca");
        dwcl_argv_add(out, o->mca.v[i]);
        dwcl_argv_add(out, o->mca.v[i + 1]);
    }
    if (o->hosts != NULL) {
        dwcl_argv_add(out, "--host");
        dwcl_argv_add(out, o->hosts);
    }
    if (o->bind_to != NULL) {
        dwcl_argv_add(out, "--bind-to");
        dwcl_argv_add(out, o->bind_to);
    }
    if (extra != NULL) {
        dwcl_argv_addv(out, extra->v, extra->n);
    }
    for (int c = 0; c < nctx; c++) {
        if (c > 0) {
            dwcl_argv_add(out, ":");
        }
        if (ctx[c].np > 0) {
            dwcl_argv_add(out, "-np");
            dwcl_argv_addf(out, "%d", ctx[c].np);
        }
        if (ctx[c].host != NULL) {
            dwcl_argv_add(out, "--host");
            dwcl_argv_addf(out, "%s:%d", ctx[c].host, ctx[c].np);
        }
        /* -x is per app context in mpirun: repeat the user's in every context. */
        for (int i = 0; i < o->xvars.n; i++) {
            dwcl_argv_add(out, "-x");
            dwcl_argv_add(out, o->xvars.v[i]);
        }
        if (ctx[c].site != NULL) {
            dwcl_argv_add(out, "-x");
            dwcl_argv_addf(out, "DWCP_SITE=%s", ctx[c].site);
        }
        if (sites_abs != NULL) {
            dwcl_argv_add(out, "-x");
            dwcl_argv_addf(out, "DWCP_SITES_FILE=%s", sites_abs);
        }
        dwcl_argv_addv(out, o->prog, o->nprog);
    }
    return 0;
}

int dwcl_sites_place(const dwcl_opts_t *o, struct dwcl_sites **sites_p, dwcl_context_t **ctx_p,
                     int *nctx_p, char **sites_abs)
{
    char err[1024];
    dwcl_sites_t *s = NULL;
    int *slots = NULL, *counts = NULL, np, n = 0;
    dwcl_context_t *ctx = NULL;
    char *abs = NULL;

    if (dwcl_sites_parse_file(o->sites_file, &s, err, sizeof(err)) != 0) {
        fprintf(stderr, "dwcprun: %s\n", err);
        return -1;
    }
    abs = realpath(o->sites_file, NULL);
    slots = calloc((size_t)s->nsites, sizeof(int));
    counts = calloc((size_t)s->nsites, sizeof(int));
    ctx = calloc((size_t)s->nsites, sizeof(*ctx));
    if (abs == NULL || slots == NULL || counts == NULL || ctx == NULL) {
        fprintf(stderr, "dwcprun: %s: %m\n", abs == NULL ? o->sites_file : "out of memory");
        goto fail;
    }
    for (int i = 0; i < s->nsites; i++) {
        slots[i] = s->sites[i].slots;
    }
    np = o->np > 0 ? o->np : dwcl_sites_total_slots(s);
    if (dwcl_place_block(np, slots, s->nsites, o->oversubscribe, counts, err, sizeof(err)) != 0) {
        fprintf(stderr, "dwcprun: %s: %s\n", o->sites_file, err);
        goto fail;
    }
    for (int i = 0; i < s->nsites; i++) {
        if (counts[i] > 0) {
            ctx[n].np = counts[i];
            ctx[n].site = s->sites[i].name;
            n++;
        }
    }
    if (o->verbose) {
        fprintf(stderr, "dwcprun: placement:");
        for (int i = 0, r = 0; i < n; r += ctx[i].np, i++) {
            fprintf(stderr, " %s=ranks %d-%d", ctx[i].site, r, r + ctx[i].np - 1);
        }
        fprintf(stderr, "\n");
    }
    free(slots);
    free(counts);
    *sites_p = s;
    *ctx_p = ctx;
    *nctx_p = n;
    *sites_abs = abs;
    return 0;
fail:
    free(ctx);
    free(counts);
    free(slots);
    free(abs);
    dwcl_sites_free(s);
    return -1;
}

int dwcl_run_local(const dwcl_opts_t *o)
{
    dwcl_sites_t *sites = NULL;
    dwcl_context_t one = {.np = o->np, .site = NULL, .host = NULL};
    dwcl_context_t *ctx = &one;
    dwcl_argv_t cmd = {0};
    char *sites_abs = NULL;
    int nctx = 1, rc;

    if (o->sites_file != NULL && dwcl_sites_place(o, &sites, &ctx, &nctx, &sites_abs) != 0) {
        return DWCL_EXIT_USAGE;
    }
    if (dwcl_mpirun_build(o, ctx, nctx, sites_abs, NULL, &cmd) != 0) {
        rc = DWCL_EXIT_USAGE;
    } else if (o->dry_run) {
        dwcl_argv_print(&cmd, stdout, NULL);
        rc = 0;
    } else {
        dwcl_run_opts_t ro = {.me = "dwcprun", .timeout_s = o->timeout_s, .verbose = o->verbose};
        if (o->verbose) {
            dwcl_argv_print(&cmd, stderr, "dwcprun: running: ");
        }
        dwcl_mpirun_setenv();
        rc = dwcl_run_supervise(cmd.v, &ro);
    }
    dwcl_argv_free(&cmd);
    if (ctx != &one) {
        free(ctx);
    }
    free(sites_abs);
    dwcl_sites_free(sites);
    return rc;
}
