/*
 * nbody_setup.c - MPI driver helpers: particle setup (ICs or restart),
 * conserved quantities, snapshots.  Energies and momentum are summed in
 * fixed point and reduced with an integer MPI_SUM, so they are identical
 * for any rank count.
 */
#include "nbody.h"
#include "snapshot.h"

#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

double nbody_cpu_now(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0) {
        return 0.0;
    }
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void nbody_die(const char *what)
{
    fprintf(stderr, "nbody: fatal: %s\n", what);
    MPI_Abort(MPI_COMM_WORLD, NBODY_EXIT_ERROR);
    exit(NBODY_EXIT_ERROR);
}

void *nbody_xmalloc(size_t bytes)
{
    void *p = calloc(1, bytes > 0 ? bytes : 1);
    if (p == NULL) {
        nbody_die("out of memory");
    }
    return p;
}

int nbody_compute_conserved(nbody_ctx_t *ctx, nbody_cons_t *out)
{
    if (nbody_gather_positions(ctx) != 0) {
        return -1;
    }
    nbody_fix_t sums[NBODY_NSUMS + 1];
    nbody_local_sums(&ctx->local, sums);
    memset(&sums[NBODY_NSUMS], 0, sizeof(nbody_fix_t));
    nbody_block_t all = {.n = ctx->n, .offset = 0, .xm = ctx->all_xm};
    nbody_potential_block(&ctx->local, &all, ctx->eps2, &sums[NBODY_NSUMS]);

    long long loc[2 * (NBODY_NSUMS + 1)], glob[2 * (NBODY_NSUMS + 1)];
    for (int k = 0; k < NBODY_NSUMS + 1; k++) {
        loc[2 * k] = sums[k].hi;
        loc[2 * k + 1] = sums[k].lo;
    }
    if (MPI_Allreduce(loc, glob, 2 * (NBODY_NSUMS + 1), MPI_LONG_LONG, MPI_SUM,
                      MPI_COMM_WORLD) != MPI_SUCCESS) {
        return -1;
    }
    double v[NBODY_NSUMS + 1];
    for (int k = 0; k < NBODY_NSUMS + 1; k++) {
        nbody_fix_t f = {.hi = glob[2 * k], .lo = glob[2 * k + 1]};
        v[k] = nbody_fix_value(f);
    }
    out->k = v[0];
    out->p[0] = v[1];
    out->p[1] = v[2];
    out->p[2] = v[3];
    out->mass = v[4];
    out->w = v[NBODY_NSUMS];
    out->e = out->k + out->w;
    return 0;
}

/* Gather the full state of all particles (every rank gets it; only rank 0 uses it). */
static int gather_state(nbody_ctx_t *ctx, nbody_set_t *all)
{
    const int p = ctx->size;
    int *cnt = nbody_xmalloc(sizeof(int) * p), *dsp = nbody_xmalloc(sizeof(int) * p);
    for (int r = 0; r < p; r++) {
        cnt[r] = ctx->counts4[r] / 4 * 7;
        dsp[r] = ctx->displs4[r] / 4 * 7;
    }
    const nbody_set_t *s = &ctx->local;
    double *mine = nbody_xmalloc(sizeof(double) * 7 * s->n);
    double *buf = nbody_xmalloc(sizeof(double) * 7 * ctx->n);
    for (size_t i = 0; i < s->n; i++) {
        double *d = &mine[7 * i];
        d[0] = s->x[i], d[1] = s->y[i], d[2] = s->z[i];
        d[3] = s->vx[i], d[4] = s->vy[i], d[5] = s->vz[i], d[6] = s->m[i];
    }
    int rc = MPI_Allgatherv(mine, cnt[ctx->rank], MPI_DOUBLE, buf, cnt, dsp, MPI_DOUBLE,
                            MPI_COMM_WORLD);
    for (size_t i = 0; rc == MPI_SUCCESS && i < ctx->n; i++) {
        const double *d = &buf[7 * i];
        all->x[i] = d[0], all->y[i] = d[1], all->z[i] = d[2];
        all->vx[i] = d[3], all->vy[i] = d[4], all->vz[i] = d[5], all->m[i] = d[6];
    }
    free(buf);
    free(mine);
    free(cnt);
    free(dsp);
    return rc == MPI_SUCCESS ? 0 : -1;
}

int nbody_write_snapshot(nbody_ctx_t *ctx, const nbody_opts_t *o, nbody_snap_meta_t *meta)
{
    nbody_set_t all;
    if (nbody_set_create(ctx->n, 0, &all) != 0) {
        nbody_die("out of memory for snapshot");
    }
    int status = gather_state(ctx, &all);
    if (status == 0 && ctx->rank == 0) {
        char path[4096], err[4400];
        snprintf(path, sizeof(path), "%s_%06llu.snap", o->snapshot_prefix,
                 (unsigned long long)meta->step);
        status = nbody_snap_write(path, meta, &all, err, sizeof(err));
        if (status != 0) {
            fprintf(stderr, "nbody: error: %s\n", err);
        }
    }
    nbody_set_destroy(&all);
    MPI_Bcast(&status, 1, MPI_INT, 0, MPI_COMM_WORLD);
    return status;
}

/* Rank 0 reads the snapshot and broadcasts it; fills @p all on every rank. */
static int read_snapshot(const char *path, int rank, nbody_snap_meta_t *meta, nbody_set_t *all)
{
    char err[4400] = "";
    int status = 0;
    if (rank == 0) {
        status = nbody_snap_read(path, meta, all, err, sizeof(err));
        if (status != 0) {
            fprintf(stderr, "nbody: error: %s\n", err);
        }
    }
    MPI_Bcast(&status, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (status != 0) {
        return -1;
    }
    MPI_Bcast(meta, (int)sizeof(*meta), MPI_BYTE, 0, MPI_COMM_WORLD);
    if (rank != 0 && nbody_set_create((size_t)meta->n, 0, all) != 0) {
        nbody_die("out of memory for restart");
    }
    double *arr[7] = {all->x, all->y, all->z, all->vx, all->vy, all->vz, all->m};
    for (int k = 0; k < 7; k++) {
        if (MPI_Bcast(arr[k], (int)meta->n, MPI_DOUBLE, 0, MPI_COMM_WORLD) != MPI_SUCCESS) {
            return -1;
        }
    }
    return 0;
}

/* Copy particles [offset, offset + count) of @p all into @p local. */
static void take_block(const nbody_set_t *all, size_t count, size_t offset, nbody_set_t *local)
{
    if (nbody_set_create(count, offset, local) != 0) {
        nbody_die("out of memory for particles");
    }
    size_t b = sizeof(double) * count;
    memcpy(local->x, all->x + offset, b);
    memcpy(local->y, all->y + offset, b);
    memcpy(local->z, all->z + offset, b);
    memcpy(local->vx, all->vx + offset, b);
    memcpy(local->vy, all->vy + offset, b);
    memcpy(local->vz, all->vz + offset, b);
    memcpy(local->m, all->m + offset, b);
}

int nbody_compare_snapshots(const nbody_opts_t *o)
{
    nbody_snap_meta_t ma, mb;
    nbody_set_t a, b;
    char err[4400];
    if (nbody_snap_read(o->compare[0], &ma, &a, err, sizeof(err)) != 0) {
        fprintf(stderr, "nbody: error: %s\n", err);
        return NBODY_EXIT_ERROR;
    }
    if (nbody_snap_read(o->compare[1], &mb, &b, err, sizeof(err)) != 0) {
        fprintf(stderr, "nbody: error: %s\n", err);
        nbody_set_destroy(&a);
        return NBODY_EXIT_ERROR;
    }
    int rc = NBODY_EXIT_OK;
    if (ma.n != mb.n) {
        fprintf(stderr, "nbody: error: snapshots have different n (%llu vs %llu)\n",
                (unsigned long long)ma.n, (unsigned long long)mb.n);
        rc = NBODY_EXIT_ERROR;
    } else {
        double maxrel = 0.0, maxabs = 0.0;
        size_t identical = 0;
        for (size_t i = 0; i < a.n; i++) {
            double dx = a.x[i] - b.x[i], dy = a.y[i] - b.y[i], dz = a.z[i] - b.z[i];
            double d = sqrt(dx * dx + dy * dy + dz * dz);
            double r = sqrt(a.x[i] * a.x[i] + a.y[i] * a.y[i] + a.z[i] * a.z[i]);
            double rel = d / (r > 1e-300 ? r : 1e-300);
            maxrel = rel > maxrel ? rel : maxrel;
            maxabs = d > maxabs ? d : maxabs;
            identical += (a.x[i] == b.x[i] && a.y[i] == b.y[i] && a.z[i] == b.z[i]);
        }
        printf("NBODY_COMPARE n=%llu steps=%llu,%llu max_rel_pos_diff=%.3e max_abs_pos_diff=%.3e "
               "bit_identical=%zu/%zu\n",
               (unsigned long long)ma.n, (unsigned long long)ma.step,
               (unsigned long long)mb.step, maxrel, maxabs, identical, a.n);
    }
    nbody_set_destroy(&a);
    nbody_set_destroy(&b);
    return rc;
}

long nbody_setup_particles(nbody_ctx_t *ctx, nbody_opts_t *o, nbody_snap_meta_t *meta)
{
    nbody_set_t all;
    long start = 0;
    memset(meta, 0, sizeof(*meta));
    if (o->restart != NULL) {
        if (read_snapshot(o->restart, ctx->rank, meta, &all) != 0) {
            return -1;
        }
        o->n = (long)meta->n;
        o->dt = meta->dt;
        o->eps = meta->eps;
        o->seed = meta->seed;
        start = (long)meta->step;
    } else {
        if (nbody_set_create((size_t)o->n, 0, &all) != 0) {
            nbody_die("out of memory for initial conditions");
        }
        nbody_plummer(o->seed, &all);
        meta->n = (uint64_t)o->n;
        meta->dt = o->dt;
        meta->eps = o->eps;
        meta->seed = o->seed;
    }
    double mmax = 0.0;
    for (size_t i = 0; i < all.n; i++) {
        mmax = all.m[i] > mmax ? all.m[i] : mmax;
    }
    if (!nbody_fix_range_ok(mmax, o->eps)) {
        if (ctx->rank == 0) {
            fprintf(stderr,
                    "nbody: error: --eps %g is too small for particle mass %g: pairwise "
                    "forces would leave the fixed-point range (need 0.385 m/eps^2 < 2^30)\n",
                    o->eps, mmax);
        }
        nbody_set_destroy(&all);
        return -2;
    }
    ctx->n = (size_t)o->n;
    ctx->eps2 = o->eps * o->eps;
    ctx->counts4 = nbody_xmalloc(sizeof(int) * ctx->size);
    ctx->displs4 = nbody_xmalloc(sizeof(int) * ctx->size);
    for (int r = 0; r < ctx->size; r++) {
        size_t c, off;
        nbody_block_range(ctx->n, ctx->size, r, &c, &off);
        ctx->counts4[r] = (int)(4 * c);
        ctx->displs4[r] = (int)(4 * off);
        ctx->max_count = c > ctx->max_count ? c : ctx->max_count;
    }
    take_block(&all, (size_t)ctx->counts4[ctx->rank] / 4, (size_t)ctx->displs4[ctx->rank] / 4,
               &ctx->local);
    nbody_set_destroy(&all);
    ctx->acc = nbody_xmalloc(sizeof(nbody_fix_t) * 3 * ctx->local.n);
    ctx->sendbuf = nbody_xmalloc(sizeof(double) * 4 * ctx->local.n);
    ctx->all_xm = nbody_xmalloc(sizeof(double) * 4 * ctx->n);
    return start;
}
