/*
 * dwcl_place.h — place ranks on sites.
 *
 * For now the block placement used by `dwcprun --sites`: ranks 0..N-1 fill the sites in the
 * order of the sites file, each up to its slots, so every site holds a contiguous block of
 * ranks. (ITP placement from a task DAG or a communication matrix will add other policies.)
 */
#ifndef DWCL_PLACE_H
#define DWCL_PLACE_H

#include <stddef.h>

/**
 * Block placement of @p np ranks over @p nsites sites with @p slots[i] slots each.
 *
 * Fills site 0 up to its slots, then site 1, and so on. When @p np exceeds the total and
 * @p oversubscribe is set, further passes over the sites add up to slots[i] ranks each again
 * (so the load stays proportional to the slots); without it that is an error.
 *
 * @param counts  receives the number of ranks per site (nsites entries); set only on success
 * @param err     message on failure ("4 ranks but the sites have only 3 slots ...")
 * @return 0 on success, -1 on error (np < 1, no sites, a site with slots < 1, too few slots)
 */
int dwcl_place_block(int np, const int *slots, int nsites, int oversubscribe, int *counts,
                     char *err, size_t errlen);

#endif
