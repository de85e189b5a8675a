/*
 * tt_phases.h — test phases shared between the transport test files.
 */
#ifndef TT_PHASES_H
#define TT_PHASES_H

#include "tt_common.h"

/** Command-line options of the test program. */
typedef struct tt_opts {
    int perf_only;    /* only the latency/bandwidth phase */
    int big;          /* also send one 3 GiB message */
    int failure_test; /* end with rank 1 dying while rank 0 has a send pending */
    const char *only; /* run only this phase (then flush and finalize) */
} tt_opts_t;

/** Send @p n patterned messages of @p sizes to @p to with @p tag; wait for completions. */
int tt_send_phase(tt_ctx_t *c, int to, int tag, const size_t *sizes, int n, double timeout_s);

/** Receive @p n messages with @p tag from @p from, fetch kept ones, check headers/payloads. */
int tt_recv_phase(tt_ctx_t *c, int from, int tag, int n, double timeout_s);

/** Write this rank's pass/fail counts to @p fd (if >= 0); returns the exit code. */
int tt_report(tt_ctx_t *c, int fd);

/** RMA: mem_map, rkeys through the bootstrap, put/get, atomics, rma_flush. */
void tt_phase_rma(tt_ctx_t *c);

/** Raw ping-pong latency (8 B) and streaming bandwidth (4 MiB). */
void tt_phase_perf(tt_ctx_t *c);

/** One 3 GiB message rank 0 → rank 1 with a content check. */
void tt_phase_big(tt_ctx_t *c);

/** Rank 1 dies holding a rendezvous of rank 0; rank 0 must see DWCS_ERR_PEER_FAILED. */
void tt_phase_failure(tt_ctx_t *c, int report_fd);

#endif /* TT_PHASES_H */
