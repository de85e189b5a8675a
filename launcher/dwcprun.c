/*
 * dwcprun.c — DWCP-MPI's job launcher.
 *
 *   dwcprun -np N [-x VAR[=VAL]]... [--mca NAME VALUE]... [--sites FILE [--emulate]]
 *           [--timeout S] [-v] prog args...
 *
 * Ranks bootstrap through PMIx, so dwcprun drives Open MPI's mpirun, which acts as the PMIx
 * server (see docs/launcher.md). This file parses the command line; dwcl_mpirun.c builds and
 * runs the mpirun command, dwcl_emulate.c runs multi-site jobs inside wanem.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dwcl_opts.h"

static void usage(FILE *out)
{
    fprintf(
        out,
        "usage: dwcprun [options] program [args...]\n"
        "Run an MPI program built with DWCP-MPI (dwcpcc) on N ranks.\n"
        "  -np N, -n N            number of ranks (default: all slots of --sites, else mpirun's)\n"
        "  -x VAR[=VAL]           export VAR (with its current value, or VAL) to the ranks\n"
        "  --mca NAME VALUE       set a parameter; --mca dwcp_X v reaches the ranks as\n"
        "                         OMPI_MCA_dwcp_X=v (see dwcp_info)\n"
        "  -H, --host LIST        hosts for mpirun (host[:slots],...)\n"
        "  --bind-to WHAT         binding policy passed to mpirun (none, core, ...)\n"
        "  --sites FILE           multi-site run: block placement over the sites of FILE\n"
        "                         (docs/sites-file.md); every rank gets DWCP_SITE and\n"
        "                         DWCP_SITES_FILE\n"
        "  --oversubscribe        with --sites: allow more ranks than slots\n"
        "  --emulate              with --sites: run every site in its own network namespace\n"
        "                         joined by emulated WAN links (wanem; needs root)\n"
        "  --emulate-exact        as --emulate, with per-packet forwarding (exact iid loss;\n"
        "                         slower than the default offloaded mode)\n"
        "  --timeout S            kill the job after S seconds and exit with 124\n"
        "  -v, --verbose          print the commands run\n"
        "  --dry-run              print the mpirun command and exit\n"
        "  -h, --help             this help;  --version  print the version\n"
        "Environment: DWCP_MPIRUN (mpirun to drive, default %s), DWCP_WANEM (wanem binary).\n"
        "Exit status: the job's (first failing rank's) exit code, 128+N when ended by\n"
        "signal N, 124 on --timeout, 2 on usage errors.\n",
        DWCP_OMPI_MPIRUN);
}

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "dwcprun: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n");
    usage(stderr);
    return -1;
}

static int parse_count(const char *s, int *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v < 1 || v > 1000000) {
        return -1;
    }
    *out = (int)v;
    return 0;
}

static int is_opt(const char *a, const char *name1, const char *name2, const char *name3)
{
    return (name1 && strcmp(a, name1) == 0) || (name2 && strcmp(a, name2) == 0) ||
           (name3 && strcmp(a, name3) == 0);
}

/* Parse argv into @p o. Returns 0, 1 when --help/--version was handled, -1 on a usage error. */
static int parse_args(int argc, char **argv, dwcl_opts_t *o)
{
    char name[64];
    int i;

    memset(o, 0, sizeof(*o));
    o->argv = argv;
    o->argc = argc;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *val = NULL, *eq = strchr(a, '=');
        int need, need2;

        if (a[0] != '-' || strcmp(a, "-") == 0) {
            break;
        }
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        /* "--name=value" is "--name value". */
        snprintf(name, sizeof(name), "%s", a);
        if (a[1] == '-' && eq != NULL && (size_t)(eq - a) < sizeof(name)) {
            name[eq - a] = '\0';
            val = eq + 1;
        }
        a = name;
        /* Options that take a value: make sure it is there. */
        need = is_opt(a, "-np", "-n", "--np") || is_opt(a, "-x", "-H", "--host") ||
               is_opt(a, "-host", "--bind-to", "-bind-to") ||
               is_opt(a, "--sites", "--timeout", NULL);
        need2 = is_opt(a, "--mca", "-mca", NULL);
        if (val != NULL && !need) {
            return usage_error("option %s takes no value (NAME=VALUE)", argv[i]);
        }
        if ((need && val == NULL && i + 1 >= argc) || (need2 && i + 2 >= argc)) {
            return usage_error("option %s needs a value", a);
        }
        if (need && val == NULL) {
            val = argv[++i];
        }
        if (is_opt(a, "-np", "-n", "--np")) {
            if (parse_count(val, &o->np) != 0) {
                return usage_error("bad number of ranks '%s' (an integer >= 1)", val);
            }
        } else if (strcmp(a, "-x") == 0) {
            if (val[0] == '\0' || val[0] == '=') {
                return usage_error("bad -x argument '%s' (VAR or VAR=VALUE)", val);
            }
            dwcl_argv_add(&o->xvars, val);
        } else if (need2) {
            dwcl_argv_add(&o->mca, argv[i + 1]);
            dwcl_argv_add(&o->mca, argv[i + 2]);
            i += 2;
        } else if (is_opt(a, "-H", "--host", "-host")) {
            o->hosts = val;
        } else if (is_opt(a, "--bind-to", "-bind-to", NULL)) {
            o->bind_to = val;
        } else if (strcmp(a, "--sites") == 0) {
            o->sites_file = val;
        } else if (strcmp(a, "--timeout") == 0) {
            char *end;
            o->timeout_s = strtod(val, &end);
            if (*val == '\0' || *end != '\0' || !(o->timeout_s > 0) || o->timeout_s > 1e7) {
                return usage_error("bad --timeout '%s' (seconds > 0)", val);
            }
        } else if (is_opt(a, "--emulate", NULL, NULL)) {
            o->emulate = 1;
        } else if (is_opt(a, "--emulate-exact", NULL, NULL)) {
            o->emulate = 1;
            o->emulate_exact = 1;
        } else if (is_opt(a, "--dwcl-in-wanem", NULL, NULL)) {
            o->in_wanem = 1;
        } else if (is_opt(a, "--oversubscribe", "-oversubscribe", NULL)) {
            o->oversubscribe = 1;
        } else if (is_opt(a, "-v", "--verbose", NULL)) {
            o->verbose = 1;
        } else if (is_opt(a, "--dry-run", NULL, NULL)) {
            o->dry_run = 1;
        } else if (is_opt(a, "-h", "--help", NULL)) {
            usage(stdout);
            return 1;
        } else if (is_opt(a, "--version", "-V", NULL)) {
            printf("dwcprun (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION);
            return 1;
        } else {
            return usage_error("unknown option '%s'", argv[i]);
        }
    }
    if (i >= argc) {
        return usage_error("%s", "no program given");
    }
    o->prog = &argv[i];
    o->nprog = argc - i;
    if (o->emulate && o->sites_file == NULL) {
        return usage_error("%s", "--emulate needs --sites FILE");
    }
    if (o->emulate && o->hosts != NULL) {
        return usage_error("%s", "-H/--host cannot be combined with --emulate: the hosts are "
                                 "the sites of the sites file");
    }
    return 0;
}

int main(int argc, char **argv)
{
    dwcl_opts_t o;
    int rc = parse_args(argc, argv, &o);

    if (rc != 0) {
        dwcl_argv_free(&o.xvars);
        dwcl_argv_free(&o.mca);
        return rc > 0 ? 0 : DWCL_EXIT_USAGE;
    }
    if (o.emulate || o.in_wanem) {
        rc = dwcl_run_emulated(&o);
    } else {
        rc = dwcl_run_local(&o);
    }
    dwcl_argv_free(&o.xvars);
    dwcl_argv_free(&o.mca);
    return rc;
}
