/*
 * nbody_opts.c - command-line options of the N-body benchmark (no MPI).
 */
#include "nbody.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void nbody_opts_usage(const char *prog)
{
    printf("Usage: %s [options]\n"
           "Direct-summation gravitational N-body benchmark (Plummer sphere, leapfrog KDK).\n"
           "\n"
           "  -n N                    particles, 2..4194304 (default 2048)\n"
           "  --steps S               final step number (default 100)\n"
           "  --dt DT                 time step in N-body units (default 0.005)\n"
           "  --eps EPS               softening length, > 0 (default 0.05)\n"
           "  --seed SEED             seed of the initial conditions (default 12345)\n"
           "  --comm allgather|ring   communication scheme (default allgather)\n"
           "  --force direct|tree     direct summation or Barnes-Hut tree (default direct;\n"
           "                          tree needs --comm allgather)\n"
           "  --theta TH              Barnes-Hut opening angle, 0..1 (default 0.5)\n"
           "  --print-every K         per-step timing line every K steps, 0 = none (default 10)\n"
           "  --max-drift X           fail (exit 1) if |dE/E0| > X (default 1e-5, tree 1e-3)\n"
           "  --max-pdrift X          fail (exit 1) if |dP|/(M sigma) > X\n"
           "                          (default 1e-9, tree 1e-3)\n"
           "  --snapshot-every K      write a snapshot every K steps (default 0 = never)\n"
           "  --snapshot-prefix P     snapshot files are P_<step>.snap (default nbody)\n"
           "  --restart FILE          continue from a snapshot (its n, dt, eps, seed are used)\n"
           "  --compare A B           print the max relative position difference of two\n"
           "                          snapshots and exit (0 if same n)\n"
           "  --timeout S             abort the run (exit 3) after S seconds of wall clock,\n"
           "                          0 = never (default 3600): no hang if a peer dies\n"
           "  -q, --quiet             no configuration banner\n"
           "  -h, --help              this text\n"
           "\n"
           "Exit status: 0 ok, 1 drift above bound, 2 bad option, 3 runtime error.\n"
           "The last line is machine readable: NBODY_RESULT key=value ...\n",
           prog);
}

static int parse_long(const char *s, long min, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < min) {
        return -1;
    }
    *out = v;
    return 0;
}

static int parse_double(const char *s, double min_excl, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno != 0 || end == s || *end != '\0' || !isfinite(v) || !(v > min_excl)) {
        return -1;
    }
    *out = v;
    return 0;
}

enum {
    OPT_STEPS = 256,
    OPT_DT,
    OPT_EPS,
    OPT_SEED,
    OPT_COMM,
    OPT_PRINT,
    OPT_MAXDRIFT,
    OPT_MAXPDRIFT,
    OPT_SNAPEVERY,
    OPT_SNAPPREFIX,
    OPT_RESTART,
    OPT_COMPARE,
    OPT_FORCE,
    OPT_THETA,
    OPT_TIMEOUT,
};

int nbody_opts_parse(int argc, char **argv, nbody_opts_t *o, char *err, size_t errlen)
{
    memset(o, 0, sizeof(*o));
    o->n = 2048;
    o->steps = 100;
    o->dt = 0.005;
    o->eps = 0.05;
    o->seed = 12345;
    strcpy(o->comm, "allgather");
    o->print_every = 10;
    o->max_drift = 1e-5;
    o->max_pdrift = 1e-9;
    o->snapshot_prefix = "nbody";
    o->theta = 0.5;
    o->timeout = 3600;
    int drift_set = 0, pdrift_set = 0;

    static const struct option longopts[] = {
        {"steps", required_argument, NULL, OPT_STEPS},
        {"dt", required_argument, NULL, OPT_DT},
        {"eps", required_argument, NULL, OPT_EPS},
        {"seed", required_argument, NULL, OPT_SEED},
        {"comm", required_argument, NULL, OPT_COMM},
        {"print-every", required_argument, NULL, OPT_PRINT},
        {"max-drift", required_argument, NULL, OPT_MAXDRIFT},
        {"max-pdrift", required_argument, NULL, OPT_MAXPDRIFT},
        {"snapshot-every", required_argument, NULL, OPT_SNAPEVERY},
        {"snapshot-prefix", required_argument, NULL, OPT_SNAPPREFIX},
        {"restart", required_argument, NULL, OPT_RESTART},
        {"compare", required_argument, NULL, OPT_COMPARE},
        {"force", required_argument, NULL, OPT_FORCE},
        {"theta", required_argument, NULL, OPT_THETA},
        {"timeout", required_argument, NULL, OPT_TIMEOUT},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":n:qh", longopts, NULL)) != -1) {
        int bad = 0;
        long lv = 0;
        switch (c) {
        case 'n':
            bad = parse_long(optarg, 2, &o->n) || o->n > (1L << 22);
            break;
        case OPT_STEPS:
            bad = parse_long(optarg, 0, &o->steps);
            break;
        case OPT_DT:
            bad = parse_double(optarg, 0.0, &o->dt);
            break;
        case OPT_EPS:
            bad = parse_double(optarg, 0.0, &o->eps);
            break;
        case OPT_SEED:
            bad = parse_long(optarg, 0, &lv);
            o->seed = (uint64_t)lv;
            break;
        case OPT_COMM:
            bad = strcmp(optarg, "allgather") != 0 && strcmp(optarg, "ring") != 0;
            if (!bad) {
                snprintf(o->comm, sizeof(o->comm), "%s", optarg);
            }
            break;
        case OPT_PRINT:
            bad = parse_long(optarg, 0, &o->print_every);
            break;
        case OPT_MAXDRIFT:
            bad = parse_double(optarg, 0.0, &o->max_drift);
            drift_set = 1;
            break;
        case OPT_FORCE:
            bad = strcmp(optarg, "direct") != 0 && strcmp(optarg, "tree") != 0;
            o->tree = strcmp(optarg, "tree") == 0;
            break;
        case OPT_TIMEOUT:
            bad = parse_long(optarg, 0, &o->timeout);
            break;
        case OPT_THETA:
            bad = parse_double(optarg, -1.0, &o->theta) || o->theta > 1.0;
            break;
        case OPT_MAXPDRIFT:
            bad = parse_double(optarg, 0.0, &o->max_pdrift);
            pdrift_set = 1;
            break;
        case OPT_SNAPEVERY:
            bad = parse_long(optarg, 0, &o->snapshot_every);
            break;
        case OPT_SNAPPREFIX:
            bad = optarg[0] == '\0';
            o->snapshot_prefix = optarg;
            break;
        case OPT_RESTART:
            o->restart = optarg;
            break;
        case OPT_COMPARE:
            if (optind >= argc) {
                snprintf(err, errlen, "--compare needs two snapshot files");
                return NBODY_EXIT_USAGE;
            }
            o->compare[0] = optarg;
            o->compare[1] = argv[optind++];
            break;
        case 'q':
            o->quiet = 1;
            break;
        case 'h':
            return -1;
        case ':':
            snprintf(err, errlen, "option %s needs a value (try --help)", argv[optind - 1]);
            return NBODY_EXIT_USAGE;
        default:
            snprintf(err, errlen, "unknown option %s (try --help)", argv[optind - 1]);
            return NBODY_EXIT_USAGE;
        }
        if (bad) {
            const char *name = "n";
            for (const struct option *lo = longopts; lo->name != NULL; lo++) {
                if (lo->val == c) {
                    name = lo->name;
                }
            }
            snprintf(err, errlen, "bad value '%s' for %s%s (try --help)", optarg,
                     c == 'n' ? "-" : "--", name);
            return NBODY_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        snprintf(err, errlen, "unexpected argument '%s' (try --help)", argv[optind]);
        return NBODY_EXIT_USAGE;
    }
    if (o->tree && strcmp(o->comm, "allgather") != 0) {
        snprintf(err, errlen, "--force tree needs --comm allgather (it uses all positions)");
        return NBODY_EXIT_USAGE;
    }
    /* Tree forces are approximate: neither conservative nor antisymmetric. */
    if (o->tree && !drift_set) {
        o->max_drift = 1e-3;
    }
    if (o->tree && !pdrift_set) {
        o->max_pdrift = 1e-3;
    }
    return 0;
}
