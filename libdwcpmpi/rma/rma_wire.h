/*
 * rma_wire.h — the payload layout of RMA operation frames (private to rma/).
 * Both ends are the same architecture (as for point-to-point payloads): host byte order.
 */
#ifndef DWCP_RMA_WIRE_H
#define DWCP_RMA_WIRE_H

#include <stdint.h>

/** Operation description at the start of a PUT/GET/ACC/GACC/CAS payload. */
typedef struct rma_wire {
    int64_t disp;       /* byte displacement from the target's window base (dynamic: address) */
    uint32_t npieces;   /* rma_piece_t entries that follow */
    int32_t op;         /* MPI_Op (predefined) of accumulates */
    int32_t elem;       /* builtin MPI_Datatype of the elements of accumulates */
    uint32_t pad;
    uint64_t total;     /* packed bytes the target layout holds (reply size of fetches) */
} rma_wire_t;

/** One piece of the target layout: (offset, bytes) or (offset, elements) for accumulates. */
typedef struct rma_piece {
    int64_t off;
    uint64_t len;
} rma_piece_t;

#endif
