/*
 * dwcl_run.c — start and supervise a command (see dwcl_run.h).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dwcl_run.h"

#define DWCL_POLL_NS 50000000L /* 50 ms: how often the supervisor looks at the clock */
#define DWCL_ORPHAN_WAIT_S 3.0 /* how long to wait for orphans after SIGTERM */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Child side of the fork: restore the signal mask and exec. */
static void exec_child(char *const argv[], const sigset_t *oldmask, pid_t parent, const char *me)
{
    /* If the supervisor dies (even by SIGKILL), the command is told to stop. */
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) {
        _exit(DWCL_EXIT_NOEXEC);
    }
    sigprocmask(SIG_SETMASK, oldmask, NULL);
    execvp(argv[0], argv);
    fprintf(stderr, "%s: cannot run %s: %m\n", me, argv[0]);
    _exit(DWCL_EXIT_NOEXEC);
}

/* Pids of our direct children (orphans re-parented to us included). Returns the count. */
static int list_children(pid_t *pids, int max)
{
    DIR *d = opendir("/proc");
    struct dirent *e;
    int n = 0;
    pid_t me = getpid();

    if (d == NULL) {
        return 0;
    }
    while ((e = readdir(d)) != NULL && n < max) {
        char path[300], buf[512];
        FILE *f;
        char *p;
        long ppid;

        if (e->d_name[0] < '1' || e->d_name[0] > '9') {
            continue;
        }
        snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
        f = fopen(path, "r");
        if (f == NULL) {
            continue;
        }
        if (fgets(buf, sizeof(buf), f) == NULL) {
            fclose(f);
            continue;
        }
        fclose(f);
        /* "pid (comm) state ppid ...": comm may hold spaces and ')' so use the last ')'. */
        p = strrchr(buf, ')');
        if (p == NULL || sscanf(p + 1, " %*c %ld", &ppid) != 1) {
            continue;
        }
        if ((pid_t)ppid == me) {
            pids[n++] = (pid_t)atol(e->d_name);
        }
    }
    closedir(d);
    return n;
}

/* Kill and reap every remaining descendant: SIGTERM, then SIGKILL. Bounded in time. */
static void kill_orphans(const char *me, int verbose)
{
    pid_t pids[256];
    double until = now_s() + DWCL_ORPHAN_WAIT_S;
    int sig = SIGTERM, total = 0;

    for (int round = 0; round < 1000; round++) {
        int n;
        while (waitpid(-1, NULL, WNOHANG) > 0) {
        }
        n = list_children(pids, 256);
        if (n == 0) {
            break;
        }
        if (now_s() > until) {
            sig = SIGKILL;
        }
        if (now_s() > until + 2.0) {
            fprintf(stderr, "%s: %d process(es) left over could not be reaped\n", me, n);
            break;
        }
        for (int i = 0; i < n; i++) {
            kill(pids[i], sig);
        }
        total += n;
        usleep(20000);
    }
    if (total > 0 && verbose) {
        fprintf(stderr, "%s: cleaned up processes left behind by the job\n", me);
    }
}

int dwcl_run_supervise(char *const argv[], const dwcl_run_opts_t *o)
{
    sigset_t set, oldmask;
    pid_t child, parent = getpid();
    double start = now_s(), kill_at = 0.0, grace = o->grace_s > 0 ? o->grace_s : 5.0;
    int status = 0, fwd_sig = 0, timed_out = 0, killed = 0, code;

    if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0 && o->verbose) {
        fprintf(stderr, "%s: cannot become subreaper (%m); orphans may survive\n", o->me);
    }
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGCHLD);
    sigprocmask(SIG_BLOCK, &set, &oldmask);

    fflush(NULL);
    child = fork();
    if (child < 0) {
        fprintf(stderr, "%s: fork: %m\n", o->me);
        sigprocmask(SIG_SETMASK, &oldmask, NULL);
        return DWCL_EXIT_NOEXEC;
    }
    if (child == 0) {
        exec_child(argv, &oldmask, parent, o->me);
    }

    for (;;) {
        struct timespec ts = {0, DWCL_POLL_NS};
        siginfo_t si;
        int sig = sigtimedwait(&set, &si, &ts);
        double t;
        pid_t w = waitpid(child, &status, WNOHANG);

        if (w == child) {
            break;
        }
        if (w < 0 && errno != EINTR) {
            fprintf(stderr, "%s: waiting for %s: %m\n", o->me, argv[0]);
            status = 1 << 8; /* as "exited with 1" */
            break;
        }
        t = now_s();
        if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP) {
            if (fwd_sig == 0) {
                fwd_sig = sig;
                kill_at = t + grace;
            }
            /* A terminal-generated signal already reached the child (same process group). */
            if (si.si_code != SI_KERNEL) {
                kill(child, sig);
            }
            if (o->verbose) {
                fprintf(stderr, "%s: got signal %d (%s), forwarded to %s\n", o->me, sig,
                        strsignal(sig), argv[0]);
            }
        }
        if (o->timeout_s > 0 && !timed_out && t - start >= o->timeout_s) {
            timed_out = 1;
            fprintf(stderr, "%s: time limit of %g s reached, killing the job\n", o->me,
                    o->timeout_s);
            kill(child, SIGTERM);
            if (kill_at == 0.0 || kill_at > t + grace) {
                kill_at = t + grace;
            }
        }
        if (kill_at > 0.0 && t >= kill_at && !killed) {
            fprintf(stderr, "%s: %s still running %g s after SIGTERM, sending SIGKILL\n", o->me,
                    argv[0], grace);
            kill(child, SIGKILL);
            killed = 1;
        }
    }
    kill_orphans(o->me, o->verbose);
    /* Signals that arrived after the job ended must not kill us when unblocked. */
    for (int i = 0; i < 64; i++) {
        struct timespec zero = {0, 0};
        if (sigtimedwait(&set, NULL, &zero) < 0) {
            break;
        }
    }
    sigprocmask(SIG_SETMASK, &oldmask, NULL);

    if (timed_out) {
        code = DWCL_EXIT_TIMEOUT;
    } else if (fwd_sig != 0) {
        code = 128 + fwd_sig;
    } else if (WIFEXITED(status)) {
        code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        code = 128 + WTERMSIG(status);
    } else {
        code = 1;
    }
    return code;
}
