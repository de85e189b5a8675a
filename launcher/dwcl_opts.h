/*
 * dwcl_opts.h — dwcprun's command line, and the functions that turn it into an mpirun
 * command (dwcl_mpirun.c) or an emulated multi-site run (dwcl_emulate.c).
 */
#ifndef DWCL_OPTS_H
#define DWCL_OPTS_H

#include "dwcl_argv.h"

/** dwcprun's exit code for usage errors. */
#define DWCL_EXIT_USAGE 2

/** Parsed dwcprun options. */
typedef struct dwcl_opts {
    int np;                 /* -np/-n; 0 = not given */
    dwcl_argv_t xvars;      /* -x arguments: "VAR" or "VAR=VAL" */
    dwcl_argv_t mca;        /* --mca pairs: name, value, name, value, ... */
    const char *hosts;      /* -H/--host list, passed to mpirun */
    const char *bind_to;    /* --bind-to, passed to mpirun */
    const char *sites_file; /* --sites FILE */
    int emulate;            /* --emulate */
    int emulate_exact;      /* --emulate-exact: wanem's per-packet mode (exact iid loss) */
    int in_wanem;           /* internal: this dwcprun runs inside wanem (--emulate) */
    int oversubscribe;      /* --oversubscribe: allow more ranks than site slots */
    double timeout_s;       /* --timeout; 0 = none */
    int verbose;            /* -v */
    int dry_run;            /* --dry-run: print the command, do not run it */
    char **prog;            /* program and its arguments (untouched) */
    int nprog;              /* number of strings at prog (>= 1 after parsing) */
    char **argv;            /* dwcprun's own argv, for re-running itself inside wanem */
    int argc;
} dwcl_opts_t;

/** One group of ranks run with the same environment (an mpirun app context). */
typedef struct dwcl_context {
    int np;           /* ranks in this context */
    const char *site; /* DWCP_SITE value, or NULL (no sites) */
    const char *host; /* --host for this context (emulated sites), or NULL */
} dwcl_context_t;

struct dwcl_sites;

/**
 * Parse o->sites_file and place the ranks on its sites (block placement; o->np ranks, or all
 * slots when -np was not given).
 * @param sites      receives the parsed file (free with dwcl_sites_free)
 * @param ctx        receives a malloc'ed array: one context per site that got ranks
 * @param nctx       receives the number of contexts
 * @param sites_abs  receives the malloc'ed absolute path of the sites file
 * @return 0, or -1 with a message printed
 */
int dwcl_sites_place(const dwcl_opts_t *o, struct dwcl_sites **sites, dwcl_context_t **ctx,
                     int *nctx, char **sites_abs);

/** Path of Open MPI's mpirun: $DWCP_MPIRUN, else the one found by configure. */
const char *dwcl_mpirun_path(void);

/**
 * Build the mpirun command for @p o with the given app contexts.
 * @param sites_abs  absolute path of the sites file (exported as DWCP_SITES_FILE), or NULL
 * @param extra      extra global mpirun arguments (e.g. the rsh agent), or NULL
 * @param out        receives the command (argv[0] is the mpirun path)
 * @return 0, or -1 with a message printed (e.g. an argument mpirun cannot pass through)
 */
int dwcl_mpirun_build(const dwcl_opts_t *o, const dwcl_context_t *ctx, int nctx,
                      const char *sites_abs, const dwcl_argv_t *extra, dwcl_argv_t *out);

/** Set the environment that keeps mpirun quiet and predictable (see docs/launcher.md). */
void dwcl_mpirun_setenv(void);

/**
 * Run the job described by @p o (no --emulate): place ranks on sites if --sites was given,
 * build the mpirun command, run it under supervision.
 * @return dwcprun's exit code
 */
int dwcl_run_local(const dwcl_opts_t *o);

/**
 * --emulate: check the requirements, then run the job inside wanem (outer part), or, with
 * o->in_wanem, start mpirun inside the emulated sites (inner part).
 * @return dwcprun's exit code
 */
int dwcl_run_emulated(const dwcl_opts_t *o);

#endif
