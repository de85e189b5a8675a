/*
 * snapshot.h - binary snapshot files of the N-body benchmark (format in
 * SNAPSHOT.md).  File I/O only, no MPI: the driver gathers and broadcasts.
 */
#ifndef NBODY_SNAPSHOT_H
#define NBODY_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#include "nbody_phys.h"

/** Magic bytes at the start of every snapshot. */
#define NBODY_SNAP_MAGIC "NBODYSNP"
/** Current format version. */
#define NBODY_SNAP_VERSION 1u
/** Endianness marker, written in the writer's byte order. */
#define NBODY_SNAP_ENDIAN 0x01020304u

/** Run metadata stored in the snapshot header. */
typedef struct nbody_snap_meta {
    uint64_t n;       /**< number of particles */
    uint64_t step;    /**< step number the state belongs to */
    double time;      /**< simulated time (step * dt) */
    double dt;        /**< time step of the run */
    double eps;       /**< softening length */
    uint64_t seed;    /**< seed of the initial conditions */
    double e0;        /**< total energy at step 0 (for drift after restart) */
    double p0[3];     /**< total momentum at step 0 */
    double sigma0;    /**< momentum scale sqrt(2 K0 M) at step 0 */
} nbody_snap_meta_t;

/**
 * Write a snapshot of @p all (all particles, global order) to @p path.
 * Writes to "path.tmp" and renames, so a crash never leaves a torn file.
 * Returns 0, or -1 with a message (including the system error) in @p err.
 */
int nbody_snap_write(const char *path, const nbody_snap_meta_t *meta, const nbody_set_t *all,
                     char *err, size_t errlen);

/**
 * Read the header of @p path into @p meta.  Returns 0, or -1 with a message
 * in @p err (missing file, bad magic, version, endianness or size).
 */
int nbody_snap_read_meta(const char *path, nbody_snap_meta_t *meta, char *err, size_t errlen);

/**
 * Read a whole snapshot: header into @p meta and particles into a new set
 * @p out (offset 0, accelerations zero).  Returns 0, or -1 with a message.
 */
int nbody_snap_read(const char *path, nbody_snap_meta_t *meta, nbody_set_t *out, char *err,
                    size_t errlen);

#endif /* NBODY_SNAPSHOT_H */
