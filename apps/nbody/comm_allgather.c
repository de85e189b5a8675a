/*
 * comm_allgather.c - force evaluation with one Allgatherv of all positions
 * and masses per step, then a single force pass over all particles.
 */
#include "nbody.h"
#include "nbody_tree.h"

#include <mpi.h>
#include <string.h>

int nbody_gather_positions(nbody_ctx_t *ctx)
{
    nbody_pack(&ctx->local, ctx->sendbuf);
    int rc = MPI_Allgatherv(ctx->sendbuf, ctx->counts4[ctx->rank], MPI_DOUBLE, ctx->all_xm,
                            ctx->counts4, ctx->displs4, MPI_DOUBLE, MPI_COMM_WORLD);
    return rc == MPI_SUCCESS ? 0 : -1;
}

static int allgather_init(nbody_ctx_t *ctx)
{
    ctx->scheme = NULL;
    if (ctx->tree) {
        ctx->scheme = nbody_tree_create();
        if (ctx->scheme == NULL) {
            return -1;
        }
    }
    return 0;
}

static int allgather_forces(nbody_ctx_t *ctx)
{
    double t0 = MPI_Wtime();
    if (nbody_gather_positions(ctx) != 0) {
        return -1;
    }
    double t1 = MPI_Wtime();
    double c1 = nbody_cpu_now();
    memset(ctx->acc, 0, sizeof(nbody_fix_t) * 3 * ctx->local.n);
    nbody_block_t src = {.n = ctx->n, .offset = 0, .xm = ctx->all_xm};
    if (ctx->tree) {
        /* Every rank builds the same tree from the same gathered positions. */
        if (nbody_tree_build(ctx->scheme, &src) != 0) {
            return -1;
        }
        ctx->interactions +=
            (double)nbody_tree_accel(ctx->scheme, &ctx->local, ctx->theta, ctx->eps2, ctx->acc);
    } else {
        nbody_accel_block(&ctx->local, &src, ctx->eps2, ctx->acc);
        ctx->interactions += (double)ctx->local.n * (double)ctx->n;
    }
    nbody_accel_finish(&ctx->local, ctx->acc);
    double t2 = MPI_Wtime();
    ctx->cpu_compute += nbody_cpu_now() - c1;
    ctx->t_comm += t1 - t0;
    ctx->t_compute += t2 - t1;
    ctx->bytes_recv += 32.0 * (double)(ctx->n - ctx->local.n);
    return 0;
}

static void allgather_fini(nbody_ctx_t *ctx)
{
    nbody_tree_destroy(ctx->scheme);
    ctx->scheme = NULL;
}

const nbody_comm_ops_t nbody_comm_allgather = {
    .name = "allgather",
    .init = allgather_init,
    .forces = allgather_forces,
    .fini = allgather_fini,
};
