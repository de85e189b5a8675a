/*
 * dwcp_info.c — print what this DWCP-MPI build is and every parameter it understands.
 *
 *   dwcp_info [--level N] [--param NAME] [--version] [--help]
 *
 * Sections: version, build configuration (configure arguments, compiler, library versions),
 * transports built in, then every registered parameter with its current value (after
 * DWCP_X, OMPI_MCA_dwcp_X and the params file), where that value came from, the default and
 * the help text (see common/dwcs_params.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hwloc.h>
#include <pmix.h>
#include <ucp/api/ucp.h>
#include <zstd.h>

#include "dwcp_info_build.h"
#include "dwcs_params.h"

/*
 * Registers every module's parameter table (exported by libdwcpmpi). Weak, so that dwcp_info
 * still links and reports an empty list against a library that lacks it.
 */
extern void dwcp_params_register_all(void) __attribute__((weak));

/* The transport registry of libdwcpmpi (ucx-transport/api/dwct.h); weak for the same reason. */
struct dwct_ops;
extern const struct dwct_ops *dwct_ops_find(const char *name) __attribute__((weak));

static void usage(FILE *out)
{
    fprintf(out,
            "usage: dwcp_info [--level N] [--param NAME] [--version]\n"
            "Print the DWCP-MPI version, build configuration, transports and parameters.\n"
            "  --level N     show parameters up to level N: 1 user, 2 tuner, 3 developer "
            "(default 3)\n"
            "  --param NAME  show only parameter NAME (with or without the dwcp_ prefix)\n"
            "  --version     print only the version\n"
            "Each parameter line: name = current value (source; default; type) and its help.\n"
            "Sources, highest first: env DWCP_<NAME>, env OMPI_MCA_dwcp_<name> (mpirun --mca),\n"
            "the params file ($DWCP_PARAMS_FILE or ~/.dwcp/params.conf), the default.\n");
}

static void print_build(void)
{
    unsigned hw = hwloc_get_api_version();

    printf("Build configuration\n");
    printf("  configure arguments:  %s\n",
           DWCP_INFO_CONFIGURE_ARGS[0] != '\0' ? DWCP_INFO_CONFIGURE_ARGS : "(none)");
    printf("  prefix:               %s\n", DWCP_INFO_PREFIX);
    printf("  compiler:             %s\n", DWCP_INFO_CC);
    printf("  flags:                %s\n", DWCP_INFO_CFLAGS);
    printf("  mpirun driven:        %s\n", DWCP_OMPI_MPIRUN);
    printf("  PMIx:                 built with %ld.%ld.%ld, running %s\n", (long)PMIX_VERSION_MAJOR,
           (long)PMIX_VERSION_MINOR, (long)PMIX_VERSION_RELEASE, PMIx_Get_version());
    printf("  UCX:                  built with %d.%d, running %s\n", UCP_API_MAJOR, UCP_API_MINOR,
           ucp_get_version_string());
    printf("  zstd:                 built with %s, running %s\n", ZSTD_VERSION_STRING,
           ZSTD_versionString());
    printf("  hwloc:                built with %u.%u.%u, running %u.%u.%u\n",
           HWLOC_API_VERSION >> 16, (HWLOC_API_VERSION >> 8) & 0xff, HWLOC_API_VERSION & 0xff,
           hw >> 16, (hw >> 8) & 0xff, hw & 0xff);
}

static void print_transports(void)
{
    static const char *const names[] = {"self", "ucx", "amst", "hde", "tcp1"};
    int any = 0;

    printf("Transports built in: ");
    if (dwct_ops_find == NULL) {
        printf("(unknown: the library has no transport registry)\n");
        return;
    }
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (dwct_ops_find(names[i]) != NULL) {
            printf("%s%s", any ? " " : "", names[i]);
            any = 1;
        }
    }
    printf("%s\n", any ? "" : "(none)");
}

/* Print one parameter like dwcs_params_print does. Returns 1 if NAME matched. */
static int print_one(const char *name)
{
    const char *types[] = {"int", "size", "bool", "double", "string", "enum", "time"};
    const dwcs_param_table_t *t;

    if (strncmp(name, "dwcp_", 5) == 0) {
        name += 5;
    }
    for (t = dwcs_params_registry(); t != NULL; t = t->next) {
        for (size_t i = 0; i < t->count; i++) {
            const dwcs_param_t *p = &t->params[i];
            const char *value;
            dwcs_param_source_t src;
            if (strcmp(p->name, name) != 0) {
                continue;
            }
            src = dwcs_params_lookup(p->name, p->defval, &value);
            printf("# module %s\n", t->module);
            printf("dwcp_%s = %s (%s; default %s; %s%s%s; level %d)\n      %s\n", p->name, value,
                   dwcs_param_source_name(src), p->defval,
                   (unsigned)p->type < sizeof(types) / sizeof(types[0]) ? types[p->type] : "?",
                   p->type == DWCS_PARAM_ENUM ? ": " : "",
                   p->type == DWCS_PARAM_ENUM ? p->choices : "", p->level, p->help);
            return 1;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *param = NULL;
    int level = DWCS_PARAM_LEVEL_DEV, ntables = 0;

    for (int i = 1; i < argc; i++) {
        char *end;
        if ((strcmp(argv[i], "--level") == 0 || strcmp(argv[i], "-l") == 0) && i + 1 < argc) {
            level = (int)strtol(argv[++i], &end, 10);
            if (*argv[i] == '\0' || *end != '\0' || level < 1 || level > 3) {
                fprintf(stderr, "dwcp_info: bad --level '%s' (1, 2 or 3)\n", argv[i]);
                return 2;
            }
        } else if ((strcmp(argv[i], "--param") == 0 || strcmp(argv[i], "-p") == 0) &&
                   i + 1 < argc) {
            param = argv[++i];
        } else if (strcmp(argv[i], "--version") == 0) {
            printf("DWCP-MPI %s\n", PACKAGE_VERSION);
            return 0;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "dwcp_info: unknown or incomplete option '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    if (dwcp_params_register_all != NULL) {
        dwcp_params_register_all();
    }
    if (param != NULL) {
        if (!print_one(param)) {
            fprintf(stderr, "dwcp_info: no parameter '%s' (dwcp_info lists them all)\n", param);
            return 1;
        }
        return 0;
    }
    printf("DWCP-MPI %s\n", PACKAGE_VERSION);
    print_build();
    print_transports();
    for (const dwcs_param_table_t *t = dwcs_params_registry(); t != NULL; t = t->next) {
        ntables++;
    }
    printf("Parameters (level <= %d; %d modules)\n", level, ntables);
    if (dwcp_params_register_all == NULL) {
        printf("  (this library does not export dwcp_params_register_all: none registered)\n");
    }
    dwcs_params_print(level);
    return 0;
}
