/*
 * wanbench entry point: parse options, print the header, run the chosen
 * mode --runs times, print the table and the WANBENCH lines.
 */
#include "wanbench.h"

#include <stdio.h>
#include <string.h>

static void wb_header(const wb_opts_t *o, int nprocs)
{
#ifdef MPI_MAX_LIBRARY_VERSION_STRING
    char lib[MPI_MAX_LIBRARY_VERSION_STRING] = "unknown";
#else
    char lib[256] = "unknown";
#endif
    int len = 0;
#if MPI_VERSION >= 3 && defined(MPI_MAX_LIBRARY_VERSION_STRING)
    MPI_Get_library_version(lib, &len);
    for (int i = 0; i < len && lib[i]; i++) {
        if (lib[i] == '\n' || lib[i] == '\r') {
            lib[i] = '\0';
            break;
        }
    }
#endif
    int ver = 0, sub = 0;
    MPI_Get_version(&ver, &sub);
    printf("# wanbench %s: %d ranks, MPI %d.%d, library: %s\n", o->mode_name, nprocs, ver, sub,
           lib);
    printf("# runs %d, time per size %.3g s, warmup <= %ld, iters %s", o->runs, o->time_per_size,
           o->warmup, o->iters ? "" : "auto");
    if (o->iters) {
        printf("%ld", o->iters);
    } else {
        printf(" [%ld..%ld]", o->min_iters, o->max_iters);
    }
    printf(", MPI_Wtick %.3g s\n", MPI_Wtick());
    switch (o->mode) {
    case WB_MODE_LATENCY:
        printf("# one-way latency = half the round trip, microseconds; ranks 0<->1\n");
        break;
    case WB_MODE_BANDWIDTH:
    case WB_MODE_BIBW:
        printf("# window <= %d messages (<= %zu bytes in flight), ack after each window; "
               "MB = 10^6 bytes, Mbit = 10^6 bits; median over iterations\n",
               o->window, o->window_bytes);
        break;
    case WB_MODE_LOADED:
        printf("# pairs %d: %s; bulk %zu B x %d in flight; bulk warm-up ", o->pairs,
               o->pairs == 1 ? "bulk 0->1, ping 0<->1" : "bulk 0->2, ping 1<->3", o->bulk_size,
               o->bulk_window);
        if (o->bulk_warmup < 0) {
            printf("max(0.3 s, 20 idle RTT)");
        } else {
            printf("%.3g s", o->bulk_warmup);
        }
        printf("; latency one-way, microseconds\n");
        break;
    case WB_MODE_ALLREDUCE:
    case WB_MODE_BCAST:
        if (o->coll_sync == WB_COLL_AUTO) {
            printf("# sync auto: window-synchronised starts (sync_window=1), or a barrier "
                   "before each call (sync_window=0) on crowded hosts or when most starts were "
                   "late; see --coll-sync\n");
        } else if (o->coll_sync == WB_COLL_WINDOW) {
            printf("# window sync: all ranks start each call at the same moment (rank 0's clock, "
                   "measured offsets); lat_us_median = median over iterations of the slowest "
                   "rank's completion time, late-started iterations dropped; lat_us_avg = mean "
                   "over ranks and iterations\n");
        } else {
            printf("# barrier before each call; lat_us_median = median over iterations of the "
                   "slowest rank's call time; lat_us_avg = OSU-style mean over ranks and "
                   "iterations\n");
        }
        printf("# barrier: %s; lat_us_loop = rank 0's time per {barrier; call} minus per "
               "{barrier}\n",
               o->coll_mpi_barrier ? "MPI_Barrier"
                                   : "wanbench's own (zero-byte Sendrecv dissemination)");
        break;
    case WB_MODE_PUT:
    case WB_MODE_GET:
        printf("# lock: MPI_Win_lock(EXCLUSIVE)+%s+MPI_Win_unlock per iteration; "
               "fence: %s+MPI_Win_fence; microseconds at rank 0\n",
               o->mode == WB_MODE_PUT ? "MPI_Put" : "MPI_Get",
               o->mode == WB_MODE_PUT ? "MPI_Put" : "MPI_Get");
        break;
    }
    fflush(stdout);
}

int main(int argc, char **argv)
{
    int rank = 0, nprocs = 1;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &nprocs);

    wb_opts_t o;
    int rc = wb_opts_parse(argc, argv, rank, nprocs, &o);
    if (rc != 0) {
        MPI_Finalize();
        return rc == 1 ? WB_EXIT_OK : rc;
    }
    if (rank == 0) {
        wb_header(&o, nprocs);
    }
    for (int r = 0; r < o.runs; r++) {
        switch (o.mode) {
        case WB_MODE_LATENCY:
            wb_mode_latency(&o, rank, nprocs);
            break;
        case WB_MODE_BANDWIDTH:
            wb_mode_bandwidth(&o, rank, nprocs);
            break;
        case WB_MODE_BIBW:
            wb_mode_bibw(&o, rank, nprocs);
            break;
        case WB_MODE_LOADED:
            wb_mode_loaded(&o, rank, nprocs);
            break;
        case WB_MODE_ALLREDUCE:
            wb_mode_allreduce(&o, rank, nprocs);
            break;
        case WB_MODE_BCAST:
            wb_mode_bcast(&o, rank, nprocs);
            break;
        case WB_MODE_PUT:
        case WB_MODE_GET:
            wb_mode_rma(&o, rank, nprocs);
            break;
        }
        /* idle ranks wait here; the measuring ranks' watchdogs bound the wait */
        MPI_Barrier(MPI_COMM_WORLD);
        if (rank == 0 && o.runs > 1) {
            printf("# run %d/%d done\n", r + 1, o.runs);
            fflush(stdout);
        }
    }
    if (rank == 0) {
        wb_results_print(&o);
    }
    MPI_Finalize();
    return WB_EXIT_OK;
}
