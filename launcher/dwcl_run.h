/*
 * dwcl_run.h — start a command and supervise it: forward signals, enforce a time limit, and
 * leave no orphans behind.
 *
 * dwcprun uses this for mpirun (and for wanem with --emulate). The supervisor becomes a child
 * subreaper (prctl PR_SET_CHILD_SUBREAPER), so processes orphaned when the command dies
 * (e.g. ranks of a killed mpirun) are re-parented to it and are killed before it returns.
 */
#ifndef DWCL_RUN_H
#define DWCL_RUN_H

/** Exit code used when the time limit expires (as timeout(1)). */
#define DWCL_EXIT_TIMEOUT 124
/** Exit code used when the command cannot be started (as the shell). */
#define DWCL_EXIT_NOEXEC 127

/** How to supervise. */
typedef struct dwcl_run_opts {
    const char *me;   /* name used in messages, e.g. "dwcprun" */
    double timeout_s; /* wall-clock limit in seconds; 0 = none */
    double grace_s;   /* after SIGTERM, wait this long before SIGKILL (0: 5 s) */
    int verbose;      /* print what is done to stderr */
} dwcl_run_opts_t;

/**
 * Run @p argv (searched in PATH) as a child and wait for it.
 *
 * SIGINT, SIGTERM and SIGHUP sent to this process are forwarded to the child (terminal-generated
 * ones are not re-sent: the child, in the same process group, already got them); if the child
 * is still alive @p o->grace_s after the first one, it is killed with SIGKILL. When the time
 * limit expires the child gets SIGTERM, then SIGKILL after the grace period. Before returning,
 * every remaining descendant is killed and reaped (bounded wait).
 *
 * @return the child's exit status; 128+N when it was killed by signal N or when signal N was
 *         forwarded to it; DWCL_EXIT_TIMEOUT when the time limit expired; DWCL_EXIT_NOEXEC
 *         when it could not be started (message printed).
 */
int dwcl_run_supervise(char *const argv[], const dwcl_run_opts_t *o);

#endif
