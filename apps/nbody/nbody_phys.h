/*
 * nbody_phys.h - physics of the N-body benchmark, free of any MPI dependency.
 *
 * Units: N-body units (G = 1, total mass M = 1, virial radius 1).
 *
 * Determinism: every sum that may be split across ranks (accelerations,
 * potential energy, kinetic energy, momentum) is accumulated in fixed point
 * (nbody_fix_t: two 64-bit integers).  Each pairwise contribution is computed
 * in double precision from the two particles alone, then rounded to a grid of
 * 2^-60 and added as integers.  Integer addition is associative, so the
 * result does not depend on the order in which source particles are visited:
 * any rank count and either communication scheme give bit-identical
 * accelerations, hence bit-identical trajectories (given the same binary and
 * compiler flags; build with -ffp-contract=off).
 */
#ifndef NBODY_PHYS_H
#define NBODY_PHYS_H

#include <stddef.h>
#include <stdint.h>

/** Fixed-point scale of the high word: value = hi * 2^-20 + lo * 2^-60. */
#define NBODY_FIX_HI_BITS 20
/** Fixed-point scale of the low word relative to the high word (2^40). */
#define NBODY_FIX_LO_BITS 40

/**
 * Exact, order-independent accumulator.  Add contributions with
 * nbody_fix_add(); sums of accumulators (also across ranks, with an integer
 * MPI_SUM on MPI_LONG_LONG) are exact as long as no word overflows:
 * |value| < 2^31 per contribution and fewer than 2^22 contributions.
 */
typedef struct {
    int64_t hi; /**< multiples of 2^-20 */
    int64_t lo; /**< multiples of 2^-60 */
} nbody_fix_t;

/**
 * Add the double @p v (|v| < 2^31) to @p acc, rounded to the nearest multiple
 * of 2^-60.  Inline and branch-free so the force loops stay fast.
 */
static inline void nbody_fix_add(nbody_fix_t *acc, double v)
{
    /* Round to nearest integer with the 1.5*2^52 trick (valid for |t| < 2^51);
     * the subtraction of the rounded part is exact. */
    const double magic = 6755399441055744.0;
    double t = v * 1048576.0;                 /* v * 2^20 */
    double th = (t + magic) - magic;          /* rint(t) */
    double r = (t - th) * 1099511627776.0;    /* remainder * 2^40, |r| <= 2^39 */
    double rl = (r + magic) - magic;
    acc->hi += (int64_t)th;
    acc->lo += (int64_t)rl;
}

/**
 * Check that every pairwise force and potential contribution of particles of
 * mass at most @p mmax with softening @p eps stays inside the fixed-point
 * range (|v| < 2^30, a margin under the 2^31 limit).  Returns 1 if so.
 */
int nbody_fix_range_ok(double mmax, double eps);

/** Return the value of @p acc as a double (one final rounding). */
double nbody_fix_value(nbody_fix_t acc);

/** Add @p b into @p a (exact). */
void nbody_fix_merge(nbody_fix_t *a, nbody_fix_t b);

/**
 * Particle set in structure-of-arrays form.  A set may hold all particles or
 * one rank's block of them; @c offset is the global index of element 0.
 */
typedef struct {
    size_t n;      /**< number of particles held */
    size_t offset; /**< global index of the first one */
    double *x, *y, *z;    /**< positions */
    double *vx, *vy, *vz; /**< velocities */
    double *ax, *ay, *az; /**< accelerations (from the last force evaluation) */
    double *m;            /**< masses */
} nbody_set_t;

/** Allocate a zeroed set of @p n particles starting at global @p offset. Returns 0 or -1. */
int nbody_set_create(size_t n, size_t offset, nbody_set_t *out);

/** Free the arrays of @p s (a zeroed or NULL set is a no-op). */
void nbody_set_destroy(nbody_set_t *s);

/**
 * Fill @p all (n particles, offset 0) with a Plummer sphere drawn from
 * @p seed, in N-body units, shifted to the centre-of-mass frame.
 * Each particle has its own counter-based random stream (seeded by
 * splitmix64 of seed and index), so the result depends only on n and seed.
 */
void nbody_plummer(uint64_t seed, nbody_set_t *all);

/** splitmix64 step: advance *state and return the next 64-bit value. */
uint64_t nbody_splitmix64(uint64_t *state);

/**
 * Source block used by force kernels: packed [x, y, z, m] per particle,
 * first particle has global index @c offset.
 */
typedef struct {
    size_t n;         /**< particles in the block */
    size_t offset;    /**< global index of the first particle */
    const double *xm; /**< 4*n doubles: x, y, z, m */
} nbody_block_t;

/** Pack positions and masses of @p s into @p xm (4*s->n doubles). */
void nbody_pack(const nbody_set_t *s, double *xm);

/**
 * Accumulate into @p acc (3 per target: ax, ay, az) the softened gravitational
 * accelerations of the targets in @p tgt due to all particles of @p src.
 * @p eps2 is the softening length squared (> 0); a particle acting on itself
 * contributes exactly zero.  Order-independent: see the file comment.
 */
void nbody_accel_block(const nbody_set_t *tgt, const nbody_block_t *src, double eps2,
                       nbody_fix_t *acc);

/**
 * Accumulate into @p pot the potential energy of the targets of @p tgt due to
 * @p src: sum over pairs (i in tgt, j in src, i != j) of -m_i m_j / sqrt(r^2 + eps2),
 * halved (each pair is seen twice over the whole system).
 */
void nbody_potential_block(const nbody_set_t *tgt, const nbody_block_t *src, double eps2,
                           nbody_fix_t *pot);

/** Convert accumulators (3 per particle) into s->ax/ay/az. */
void nbody_accel_finish(nbody_set_t *s, const nbody_fix_t *acc);

/** Kick: v += a * h for all particles of @p s. */
void nbody_kick(nbody_set_t *s, double h);

/** Drift: x += v * h for all particles of @p s. */
void nbody_drift(nbody_set_t *s, double h);

/**
 * Local conserved-quantity sums of @p s in fixed point:
 * out[0] kinetic energy, out[1..3] momentum, out[4] mass,
 * out[5..7] mass-weighted position (centre of mass times M).
 */
#define NBODY_NSUMS 8
void nbody_local_sums(const nbody_set_t *s, nbody_fix_t out[NBODY_NSUMS]);

/**
 * Round @p v to about 30 significant bits (relative 1e-9), as a 64-bit
 * pattern used for checksums.  0 and -0 map to the same value.
 */
uint64_t nbody_round_bits(double v);

/**
 * Checksum of positions: FNV-1a-like 64-bit hash over (x, y, z) of @p n
 * particles in global index order, each rounded with nbody_round_bits().
 * @p xm is packed [x, y, z, m] as in nbody_block_t.
 */
uint64_t nbody_checksum(const double *xm, size_t n);

/**
 * Block distribution: particles of rank @p r out of @p p for @p n in total;
 * the first n % p ranks get one more.  Sets *count and *offset.
 */
void nbody_block_range(size_t n, int p, int r, size_t *count, size_t *offset);

#endif /* NBODY_PHYS_H */
