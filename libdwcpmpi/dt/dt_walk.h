/*
 * dt_walk.h — the layout walker shared by pack, unpack, iov and flattening (private to dt/).
 */
#ifndef DWCP_DT_WALK_H
#define DWCP_DT_WALK_H

#include "dt_impl.h"

/**
 * Describe one element of @p t (ignoring its own flat list) as at most @p max merged pieces
 * relative to the element origin. Returns 0 and *n, or -1 if more pieces (or too much work)
 * would be needed.
 */
int dt_walk_pieces(const dt_impl_t *t, dt_piece_t *pieces, size_t max, size_t *n);

#endif
