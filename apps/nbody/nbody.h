/*
 * nbody.h - shared declarations of the MPI driver of the N-body benchmark:
 * options, run context and the communication-scheme ops table.
 */
#ifndef NBODY_H
#define NBODY_H

#include <stddef.h>
#include <stdint.h>

#include "nbody_phys.h"

/** Exit codes of the program. */
enum {
    NBODY_EXIT_OK = 0,    /**< run completed and checks passed */
    NBODY_EXIT_DRIFT = 1, /**< energy or momentum drift above the bound */
    NBODY_EXIT_USAGE = 2, /**< bad command-line option */
    NBODY_EXIT_ERROR = 3, /**< runtime failure (I/O, memory, bad snapshot) */
};

/** Command-line options (see nbody_opts_usage() for their meaning). */
typedef struct {
    long n;                     /**< number of particles */
    long steps;                 /**< final step number (total steps from t = 0) */
    double dt;                  /**< time step */
    double eps;                 /**< softening length (> 0) */
    uint64_t seed;              /**< seed of the initial conditions */
    char comm[16];              /**< "allgather" or "ring" */
    int tree;                   /**< 1: Barnes-Hut forces (--force tree) */
    double theta;               /**< Barnes-Hut opening angle */
    long print_every;           /**< per-step line every K steps (0: never) */
    double max_drift;           /**< bound on |dE / E0| */
    double max_pdrift;          /**< bound on |dP| / (M sigma) */
    long snapshot_every;        /**< snapshot every K steps (0: never) */
    const char *snapshot_prefix; /**< snapshot path prefix */
    const char *restart;        /**< snapshot to continue from, or NULL */
    const char *compare[2];     /**< --compare A B: compare two snapshots and exit */
    int quiet;                  /**< suppress the configuration banner */
    long timeout;               /**< watchdog: abort after this many seconds (0: none) */
} nbody_opts_t;

/**
 * Parse @p argc / @p argv into @p o (defaults first).  On error writes a
 * message to @p err (size @p errlen) and returns NBODY_EXIT_USAGE; returns
 * -1 when --help was given, 0 on success.  No MPI calls.
 */
int nbody_opts_parse(int argc, char **argv, nbody_opts_t *o, char *err, size_t errlen);

/** Print the usage text to stdout. */
void nbody_opts_usage(const char *prog);

/** Run context shared by the driver and the communication schemes. */
typedef struct nbody_ctx {
    int rank, size;       /**< this rank and the number of ranks */
    size_t n;             /**< total particles */
    double eps2;          /**< softening squared */
    nbody_set_t local;    /**< this rank's block of particles */
    int *counts4;         /**< per rank: 4 * particle count (MPI counts) */
    int *displs4;         /**< per rank: 4 * particle offset */
    size_t max_count;     /**< largest block */
    nbody_fix_t *acc;     /**< 3 accumulators per local particle */
    double *sendbuf;      /**< packed [x, y, z, m] of the local block */
    double *all_xm;       /**< packed positions of all particles (4 * n) */
    double t_compute;     /**< accumulated time in force kernels (s) */
    double t_comm;        /**< accumulated time in communication (s) */
    double cpu_compute;   /**< accumulated CPU time of this thread in force kernels (s) */
    double bytes_recv;    /**< accumulated payload bytes received */
    void *scheme;         /**< private state of the communication scheme */
    int tree;             /**< 1: Barnes-Hut forces on the gathered positions */
    double theta;         /**< Barnes-Hut opening angle */
    double interactions;  /**< accumulated pairwise/cell interactions of this rank */
} nbody_ctx_t;

/** A communication scheme for the force evaluation. */
typedef struct {
    const char *name; /**< name used by --comm */
    /** Allocate scheme state in ctx->scheme. Returns 0 or -1. */
    int (*init)(nbody_ctx_t *ctx);
    /** Compute accelerations of ctx->local (into local.ax/ay/az). Returns 0 or -1. */
    int (*forces)(nbody_ctx_t *ctx);
    /** Free scheme state. */
    void (*fini)(nbody_ctx_t *ctx);
} nbody_comm_ops_t;

/** Allgather of all positions and masses, then one force pass. */
extern const nbody_comm_ops_t nbody_comm_allgather;

/** Ring pipeline: p - 1 shifts with Isend/Irecv overlapped with force passes. */
extern const nbody_comm_ops_t nbody_comm_ring;

/**
 * Gather packed positions and masses of all ranks into ctx->all_xm
 * (Allgatherv).  Used by the allgather scheme, energies and checksums.
 * Returns 0 or -1 (MPI error).
 */
int nbody_gather_positions(nbody_ctx_t *ctx);

/** Conserved quantities of the whole system. */
typedef struct {
    double e, k, w; /**< total, kinetic, potential energy */
    double p[3];    /**< momentum */
    double mass;    /**< total mass */
} nbody_cons_t;

struct nbody_snap_meta;

/**
 * CPU time consumed by the calling thread, in seconds.  Unlike MPI_Wtime()
 * it does not grow while other processes use the core, so it measures the
 * kernel cost on a loaded (shared or oversubscribed) machine.
 */
double nbody_cpu_now(void);

/** Print "nbody: fatal: @p what" and abort all ranks (exit code 3). */
void nbody_die(const char *what);

/** calloc() that aborts all ranks on failure. */
void *nbody_xmalloc(size_t bytes);

/**
 * Energies, momentum and mass of the whole system (collective).  Identical
 * for any rank count.  Returns 0, or -1 on an MPI error.
 */
int nbody_compute_conserved(nbody_ctx_t *ctx, nbody_cons_t *out);

/**
 * Fill ctx (particles, counts, buffers) from Plummer ICs or from the snapshot
 * o->restart (whose n, dt, eps and seed then replace those of @p o); fill
 * @p meta with the run metadata.  Collective.  Returns the start step, -1 on
 * a runtime error or -2 when --eps is too small for the fixed-point range.
 */
long nbody_setup_particles(nbody_ctx_t *ctx, nbody_opts_t *o, struct nbody_snap_meta *meta);

/**
 * Write a snapshot of the current state as <prefix>_<step>.snap (collective;
 * rank 0 writes).  Returns 0 on all ranks, or -1 on all ranks on failure.
 */
int nbody_write_snapshot(nbody_ctx_t *ctx, const nbody_opts_t *o, struct nbody_snap_meta *meta);

/**
 * --compare A B: print the max relative position difference of two
 * snapshots (no MPI).  Returns an exit code.
 */
int nbody_compare_snapshots(const nbody_opts_t *o);

#endif /* NBODY_H */
