/*
 * nbody.c - main program of the direct-summation N-body benchmark.
 *
 * Particles are block-distributed over the ranks.  Each step is a leapfrog
 * kick-drift-kick; forces come from the communication scheme selected with
 * --comm.  At start and end the total energy and momentum are computed; the
 * run fails (exit 1) if their drift exceeds --max-drift / --max-pdrift.
 */
#include "nbody.h"
#include "snapshot.h"

#include <math.h>
#include <mpi.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Watchdog: MPI waits cannot be bounded with the calls we use, so the whole
 * run is.  Only async-signal-safe calls in the handler; the launcher then
 * tears down the other ranks. */
static void watchdog(int sig)
{
    static const char msg[] = "nbody: error: --timeout expired, aborting this rank\n";
    (void)sig;
    ssize_t w = write(STDERR_FILENO, msg, sizeof(msg) - 1);
    (void)w;
    _exit(NBODY_EXIT_ERROR);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(const double *v, long n)
{
    if (n <= 0) {
        return 0.0;
    }
    double *c = nbody_xmalloc(sizeof(double) * (size_t)n);
    memcpy(c, v, sizeof(double) * (size_t)n);
    qsort(c, (size_t)n, sizeof(double), cmp_double);
    double m = (n % 2) ? c[n / 2] : 0.5 * (c[n / 2 - 1] + c[n / 2]);
    free(c);
    return m;
}

/* Parse options on every rank; returns -1 to continue, else an exit code. */
static int handle_options(int argc, char **argv, int rank, nbody_opts_t *o)
{
    char err[512];
    int rc = nbody_opts_parse(argc, argv, o, err, sizeof(err));
    if (rc == -1) {
        if (rank == 0) {
            nbody_opts_usage(argv[0]);
        }
        return NBODY_EXIT_OK;
    }
    if (rc != 0) {
        if (rank == 0) {
            fprintf(stderr, "nbody: error: %s\n", err);
        }
        return rc;
    }
    if (o->compare[0] != NULL) {
        int code = 0;
        if (rank == 0) {
            code = nbody_compare_snapshots(o);
        }
        MPI_Bcast(&code, 1, MPI_INT, 0, MPI_COMM_WORLD);
        return code;
    }
    return -1;
}

/* Summary and machine-readable line; returns the exit code. */
static int report(nbody_ctx_t *ctx, const nbody_opts_t *o, const nbody_snap_meta_t *meta,
                  const nbody_cons_t *c1, const double *tstep, long nsteps, long start)
{
    double loc[5] = {ctx->t_compute, ctx->t_comm, ctx->bytes_recv, ctx->interactions,
                     ctx->cpu_compute};
    double sum[5], cpumax = 0.0;
    MPI_Allreduce(loc, sum, 5, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
    MPI_Allreduce(&ctx->cpu_compute, &cpumax, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    const double p = ctx->size;
    double per = nsteps > 0 ? (double)nsteps : 1.0;
    double t_comp = sum[0] / p / per, t_comm = sum[1] / p / per, bytes = sum[2] / p / per;
    double inter = sum[3] / per; /* all ranks */
    /* Kernel CPU time: per step, summed over ranks and slowest rank; the time
     * per step a dedicated core per rank would give is about cpu_max. */
    double cpu_sum = sum[4] / per, cpu_max = cpumax / per;
    char force[32];
    if (o->tree) {
        snprintf(force, sizeof(force), "tree(theta=%g)", o->theta);
    } else {
        snprintf(force, sizeof(force), "direct");
    }
    double mean = 0.0;
    for (long s = 0; s < nsteps; s++) {
        mean += tstep[s];
    }
    mean /= per;
    double med = median(tstep, nsteps);
    double edrift = (c1->e - meta->e0) / fabs(meta->e0);
    double dp[3] = {c1->p[0] - meta->p0[0], c1->p[1] - meta->p0[1], c1->p[2] - meta->p0[2]};
    double pdrift = sqrt(dp[0] * dp[0] + dp[1] * dp[1] + dp[2] * dp[2]) / meta->sigma0;
    if (nbody_gather_positions(ctx) != 0) {
        nbody_die("MPI_Allgatherv failed for the checksum");
    }
    unsigned long long csum = nbody_checksum(ctx->all_xm, ctx->n);
    int efail = !(fabs(edrift) <= o->max_drift), pfail = !(pdrift <= o->max_pdrift);
    if (ctx->rank == 0) {
        double frac = (t_comp + t_comm) > 0 ? t_comm / (t_comp + t_comm) : 0.0;
        printf("== nbody summary ==\n");
        printf("n                 %zu\n", ctx->n);
        printf("ranks             %d\n", ctx->size);
        printf("comm              %s\n", o->comm);
        printf("force             %s, %.4g interactions per step (all ranks)\n", force, inter);
        printf("steps             %ld (steps %ld..%ld), dt %g, eps %g\n", nsteps, start + 1,
               start + nsteps, o->dt, o->eps);
        printf("time per step     mean %.6f s, median %.6f s (rank 0 wall clock)\n", mean, med);
        printf("split             compute %.1f %%, comm %.1f %% (mean over ranks: %.6f s, %.6f s "
               "per step)\n",
               100.0 * (1.0 - frac), 100.0 * frac, t_comp, t_comm);
        printf("energy            E0 %.15g, E %.15g, relative drift %.3e (bound %.1e)\n",
               meta->e0, c1->e, edrift, o->max_drift);
        printf("momentum          |dP|/(M sigma) %.3e (bound %.1e)\n", pdrift, o->max_pdrift);
        printf("kernel CPU time   %.6f s per step summed over ranks, %.6f s slowest rank, "
               "%.3g ns per interaction\n",
               cpu_sum, cpu_max, inter > 0 ? 1e9 * cpu_sum / inter : 0.0);
        printf("bytes/rank/step   %.0f received (payload, mean over ranks)\n", bytes);
        printf("checksum          0x%016llx\n", csum);
        if (efail) {
            fprintf(stderr,
                    "nbody: FAIL: relative energy drift %.3e exceeds --max-drift %.1e "
                    "(smaller --dt or larger --eps?)\n",
                    edrift, o->max_drift);
        }
        if (pfail) {
            fprintf(stderr, "nbody: FAIL: momentum drift %.3e exceeds --max-pdrift %.1e\n",
                    pdrift, o->max_pdrift);
        }
        printf("NBODY_RESULT n=%zu ranks=%d comm=%s force=%s steps=%ld dt=%g eps=%g "
               "t_step_median=%.6g t_step_mean=%.6g t_compute=%.6g t_comm=%.6g edrift=%.3e "
               "pdrift=%.3e bytes_per_step=%.0f cpu_compute_sum=%.6g cpu_compute_max=%.6g "
               "checksum=%016llx status=%s\n",
               ctx->n, ctx->size, o->comm, o->tree ? "tree" : "direct", nsteps, o->dt, o->eps,
               med, mean, t_comp, t_comm, edrift, pdrift, bytes, cpu_sum, cpu_max, csum,
               (efail || pfail) ? "drift" : "ok");
        fflush(stdout);
    }
    return (efail || pfail) ? NBODY_EXIT_DRIFT : NBODY_EXIT_OK;
}

/* The time-stepping loop; returns an exit code. */
static int run(nbody_ctx_t *ctx, nbody_opts_t *o, const nbody_comm_ops_t *ops)
{
    nbody_snap_meta_t meta;
    long start = nbody_setup_particles(ctx, o, &meta);
    if (start < 0) {
        return start == -2 ? NBODY_EXIT_USAGE : NBODY_EXIT_ERROR;
    }
    ctx->tree = o->tree;
    ctx->theta = o->theta;
    if (ops->init(ctx) != 0) {
        nbody_die("cannot allocate communication buffers");
    }
    nbody_cons_t c0, c1;
    if (nbody_compute_conserved(ctx, &c0) != 0 || ops->forces(ctx) != 0) {
        nbody_die("MPI error during setup");
    }
    if (o->restart == NULL) {
        meta.e0 = c0.e;
        memcpy(meta.p0, c0.p, sizeof(meta.p0));
        meta.sigma0 = sqrt(2.0 * c0.k * c0.mass);
    }
    if (ctx->rank == 0 && !o->quiet) {
        char host[MPI_MAX_PROCESSOR_NAME];
        int len = 0;
        MPI_Get_processor_name(host, &len);
        printf("nbody: n=%zu ranks=%d comm=%s force=%s steps %ld..%ld dt=%g eps=%g seed=%llu "
               "host=%s%s\n",
               ctx->n, ctx->size, o->comm, o->tree ? "tree" : "direct", start + 1, o->steps,
               o->dt, o->eps, (unsigned long long)o->seed, host,
               o->restart ? " (restart)" : "");
        printf("nbody: E=%.15g K=%.15g W=%.15g virial 2K/|W|=%.4f M=%.15g\n", c0.e, c0.k, c0.w,
               2.0 * c0.k / fabs(c0.w), c0.mass);
        fflush(stdout);
    }
    long nsteps = o->steps > start ? o->steps - start : 0;
    double *tstep = nbody_xmalloc(sizeof(double) * (size_t)(nsteps > 0 ? nsteps : 1));
    ctx->t_compute = ctx->t_comm = ctx->bytes_recv = ctx->interactions = 0.0;
    ctx->cpu_compute = 0.0;
    MPI_Barrier(MPI_COMM_WORLD);
    const double h = 0.5 * o->dt;
    for (long s = 0; s < nsteps; s++) {
        long step = start + s + 1;
        double comp0 = ctx->t_compute, comm0 = ctx->t_comm;
        double t0 = MPI_Wtime();
        nbody_kick(&ctx->local, h);
        nbody_drift(&ctx->local, o->dt);
        if (ops->forces(ctx) != 0) {
            nbody_die("MPI error in the force evaluation");
        }
        nbody_kick(&ctx->local, h);
        tstep[s] = MPI_Wtime() - t0;
        if (ctx->rank == 0 && o->print_every > 0 && step % o->print_every == 0) {
            printf("step %6ld  t_step %.6f s  compute %.6f s  comm %.6f s\n", step, tstep[s],
                   ctx->t_compute - comp0, ctx->t_comm - comm0);
            fflush(stdout);
        }
        if (o->snapshot_every > 0 && step % o->snapshot_every == 0) {
            meta.step = (uint64_t)step;
            meta.time = (double)step * o->dt;
            if (nbody_write_snapshot(ctx, o, &meta) != 0) {
                free(tstep);
                ops->fini(ctx);
                return NBODY_EXIT_ERROR;
            }
        }
    }
    if (nbody_compute_conserved(ctx, &c1) != 0) {
        nbody_die("MPI error computing the final energy");
    }
    int code = report(ctx, o, &meta, &c1, tstep, nsteps, start);
    free(tstep);
    ops->fini(ctx);
    return code;
}

int main(int argc, char **argv)
{
    if (MPI_Init(&argc, &argv) != MPI_SUCCESS) {
        fprintf(stderr, "nbody: MPI_Init failed\n");
        return NBODY_EXIT_ERROR;
    }
    nbody_ctx_t ctx;
    memset(&ctx, 0, sizeof(ctx));
    MPI_Comm_rank(MPI_COMM_WORLD, &ctx.rank);
    MPI_Comm_size(MPI_COMM_WORLD, &ctx.size);

    nbody_opts_t o;
    int code = handle_options(argc, argv, ctx.rank, &o);
    if (code < 0 && o.timeout > 0) {
        signal(SIGALRM, watchdog);
        alarm((unsigned)(o.timeout < 100000000L ? o.timeout : 100000000L));
    }
    if (code < 0) {
        const nbody_comm_ops_t *ops =
            strcmp(o.comm, "ring") == 0 ? &nbody_comm_ring : &nbody_comm_allgather;
        code = run(&ctx, &o, ops);
    }
    alarm(0);
    nbody_set_destroy(&ctx.local);
    free(ctx.counts4);
    free(ctx.displs4);
    free(ctx.acc);
    free(ctx.sendbuf);
    free(ctx.all_xm);
    MPI_Finalize();
    return code;
}
