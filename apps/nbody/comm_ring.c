/*
 * comm_ring.c - force evaluation with a ring pipeline: each rank starts with
 * its own block of [x, y, z, m]; in each of the p - 1 shifts it posts an
 * Irecv of the next block from its left neighbour and an Isend of the block
 * in hand to its right neighbour, computes the forces of the block in hand,
 * then waits.  Blocks are visited in a rank-dependent order; the fixed-point
 * accumulation (nbody_phys.h) makes the result independent of that order.
 */
#include "nbody.h"

#include <mpi.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    double *buf[2]; /* double buffer, 4 * max_count each */
} ring_state_t;

static int ring_init(nbody_ctx_t *ctx)
{
    ring_state_t *st = calloc(1, sizeof(*st));
    if (st == NULL) {
        return -1;
    }
    for (int k = 0; k < 2; k++) {
        st->buf[k] = malloc(sizeof(double) * 4 * (ctx->max_count > 0 ? ctx->max_count : 1));
        if (st->buf[k] == NULL) {
            free(st->buf[0]);
            free(st);
            return -1;
        }
    }
    ctx->scheme = st;
    return 0;
}

static int ring_forces(nbody_ctx_t *ctx)
{
    ring_state_t *st = ctx->scheme;
    const int p = ctx->size, r = ctx->rank;
    const int left = (r - 1 + p) % p, right = (r + 1) % p;
    double t_comm = 0.0, t_comp = 0.0;

    nbody_pack(&ctx->local, st->buf[0]);
    memset(ctx->acc, 0, sizeof(nbody_fix_t) * 3 * ctx->local.n);
    int cur = 0;
    int owner = r; /* rank whose block is in buf[cur] */
    for (int shift = 0; shift < p; shift++) {
        MPI_Request req[2];
        int nreq = 0;
        int next_owner = (owner - 1 + p) % p;
        double t0 = MPI_Wtime();
        if (shift < p - 1) {
            /* Tags cycle over p values: at most one message per pair and shift is in flight. */
            int tag = shift;
            if (MPI_Irecv(st->buf[1 - cur], ctx->counts4[next_owner], MPI_DOUBLE, left, tag,
                          MPI_COMM_WORLD, &req[nreq++]) != MPI_SUCCESS ||
                MPI_Isend(st->buf[cur], ctx->counts4[owner], MPI_DOUBLE, right, tag,
                          MPI_COMM_WORLD, &req[nreq++]) != MPI_SUCCESS) {
                return -1;
            }
        }
        double t1 = MPI_Wtime();
        double c1 = nbody_cpu_now();
        /* The send buffer is only read while the Isend is pending (allowed since MPI-3.0). */
        nbody_block_t src = {.n = (size_t)ctx->counts4[owner] / 4,
                             .offset = (size_t)ctx->displs4[owner] / 4,
                             .xm = st->buf[cur]};
        nbody_accel_block(&ctx->local, &src, ctx->eps2, ctx->acc);
        ctx->interactions += (double)ctx->local.n * (double)src.n;
        double t2 = MPI_Wtime();
        ctx->cpu_compute += nbody_cpu_now() - c1;
        if (nreq > 0 && MPI_Waitall(nreq, req, MPI_STATUSES_IGNORE) != MPI_SUCCESS) {
            return -1;
        }
        double t3 = MPI_Wtime();
        t_comm += (t1 - t0) + (t3 - t2);
        t_comp += t2 - t1;
        if (shift < p - 1) {
            ctx->bytes_recv += 8.0 * ctx->counts4[next_owner];
            cur = 1 - cur;
            owner = next_owner;
        }
    }
    double t4 = MPI_Wtime(), c4 = nbody_cpu_now();
    nbody_accel_finish(&ctx->local, ctx->acc);
    t_comp += MPI_Wtime() - t4;
    ctx->cpu_compute += nbody_cpu_now() - c4;
    ctx->t_comm += t_comm;
    ctx->t_compute += t_comp;
    return 0;
}

static void ring_fini(nbody_ctx_t *ctx)
{
    ring_state_t *st = ctx->scheme;
    if (st != NULL) {
        free(st->buf[0]);
        free(st->buf[1]);
        free(st);
    }
    ctx->scheme = NULL;
}

const nbody_comm_ops_t nbody_comm_ring = {
    .name = "ring",
    .init = ring_init,
    .forces = ring_forces,
    .fini = ring_fini,
};
