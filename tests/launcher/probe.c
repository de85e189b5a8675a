/*
 * probe.c — a tiny rank program for tests/launcher/run.sh. It needs no MPI: launched through
 * dwcprun/mpirun, N copies run and each learns its rank from the environment.
 *
 *   probe [--exit-rank R CODE] [--sleep S] [--ignore-term] [--pid-dir DIR] [--netns] [VAR...]
 *
 * Prints one line "rank=R VAR=value ..." (value "-" when unset; with --netns also
 * netns=<inode of /proc/self/ns/net>), then optionally writes DIR/<rank>.pid, sleeps S seconds
 * (1 s steps) and exits with CODE on rank R (0 otherwise).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *rank_str(void)
{
    const char *r = getenv("OMPI_COMM_WORLD_RANK");
    if (r == NULL) {
        r = getenv("PMIX_RANK");
    }
    return r != NULL ? r : "-";
}

int main(int argc, char **argv)
{
    int exit_rank = -1, code = 0, sleep_s = 0, netns = 0;
    const char *pid_dir = NULL;
    const char *rank = rank_str();

    printf("rank=%s", rank);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--exit-rank") == 0 && i + 2 < argc) {
            exit_rank = atoi(argv[i + 1]);
            code = atoi(argv[i + 2]);
            i += 2;
        } else if (strcmp(argv[i], "--sleep") == 0 && i + 1 < argc) {
            sleep_s = atoi(argv[++i]);
        } else if (strcmp(argv[i], "--ignore-term") == 0) {
            signal(SIGTERM, SIG_IGN);
            signal(SIGINT, SIG_IGN);
            signal(SIGHUP, SIG_IGN);
        } else if (strcmp(argv[i], "--pid-dir") == 0 && i + 1 < argc) {
            pid_dir = argv[++i];
        } else if (strcmp(argv[i], "--netns") == 0) {
            netns = 1;
        } else {
            const char *v = getenv(argv[i]);
            printf(" %s=%s", argv[i], v != NULL ? v : "-");
        }
    }
    if (netns) {
        char buf[128];
        ssize_t n = readlink("/proc/self/ns/net", buf, sizeof(buf) - 1);
        buf[n > 0 ? n : 0] = '\0';
        printf(" netns=%s", buf);
    }
    printf("\n");
    fflush(stdout);
    if (pid_dir != NULL) {
        char path[4096];
        FILE *f;
        snprintf(path, sizeof(path), "%s/%s.pid", pid_dir, rank);
        f = fopen(path, "w");
        if (f != NULL) {
            fprintf(f, "%d\n", (int)getpid());
            fclose(f);
        }
    }
    for (int i = 0; i < sleep_s; i++) {
        sleep(1);
    }
    return atoi(rank) == exit_rank ? code : 0;
}
