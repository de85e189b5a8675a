/*
 * nbody_tree.h - Barnes-Hut octree forces (monopole), no MPI.
 *
 * Every rank builds the same tree from all N positions (inserted in global
 * index order, root box from a sequential bounding-box pass), so the force
 * on a particle does not depend on the rank count; contributions go to the
 * same fixed-point accumulators as the direct kernels.
 */
#ifndef NBODY_TREE_H
#define NBODY_TREE_H

#include <stddef.h>

#include "nbody_phys.h"

/** Opaque octree (reused between steps to avoid reallocations). */
typedef struct nbody_tree nbody_tree_t;

/** Create an empty tree. Returns NULL when out of memory. */
nbody_tree_t *nbody_tree_create(void);

/** Free @p t (NULL is a no-op). */
void nbody_tree_destroy(nbody_tree_t *t);

/**
 * Build the tree over all particles of @p all (a single block with offset 0,
 * packed [x, y, z, m]).  Returns 0, or -1 when out of memory.
 */
int nbody_tree_build(nbody_tree_t *t, const nbody_block_t *all);

/**
 * Accumulate into @p acc (3 per target) the accelerations of the targets in
 * @p tgt: a cell of size s at distance d from a target is used as a point
 * mass at its centre of mass when s < theta * d, otherwise opened; leaves
 * are summed directly.  With theta = 0 the result equals the direct sum
 * exactly.  Returns the number of interactions computed.
 */
size_t nbody_tree_accel(const nbody_tree_t *t, const nbody_set_t *tgt, double theta,
                        double eps2, nbody_fix_t *acc);

/** Number of cells of the last build (for statistics). */
size_t nbody_tree_cells(const nbody_tree_t *t);

#endif /* NBODY_TREE_H */
