/*
 * tt_common.h — helpers for the two-process transport tests: a bootstrap over a shared
 * directory, a file barrier, payload patterns, a received-message store, bounded progress
 * loops and pass/fail accounting.
 */
#ifndef TT_COMMON_H
#define TT_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "dwct.h"

/** Maximum messages the store holds per phase. */
#define TT_MAX_RX 1024

/** What the rx callback does with a payload. */
typedef enum tt_rx_mode {
    TT_RX_COPY,        /* copy eager data in the callback (DONE); keep rendezvous */
    TT_RX_KEEP,        /* keep everything (KEEP), fetch or release later */
    TT_RX_FETCH_IN_CB, /* rx_fetch inside the callback into a malloc'd buffer, return KEEP */
    TT_RX_COUNT,       /* perf: count, keep rendezvous (fetched by the perf loop) */
} tt_rx_mode_t;

/** One received message. */
typedef struct tt_msg {
    dwct_hdr_t hdr;
    dwct_rx_t rx; /* as handed to the callback (kept ones) */
    int kept;     /* the callback returned KEEP and nothing was fetched yet */
    int was_rndv; /* rx.data was NULL in the callback */
    void *buf;    /* our copy / fetch target (malloc'd) */
    size_t len;
    int fetch_done; /* FETCH_IN_CB: completion arrived */
    dwcs_status_t fetch_st;
} tt_msg_t;

/** Completion record for the tests. */
typedef struct tt_comp {
    dwct_comp_t comp;
    int done;
    dwcs_status_t st;
} tt_comp_t;

/** The per-process test state. */
typedef struct tt_ctx {
    const dwct_ops_t *ops;
    dwct_iface_t *iface;
    int rank;
    int peer;
    const char *dir; /* bootstrap directory */
    dwct_bootstrap_t boot;
    tt_rx_mode_t mode;
    tt_msg_t msgs[TT_MAX_RX];
    int nmsgs;
    unsigned long rx_count; /* TT_RX_COUNT mode */
    int in_api;             /* inside a transport call made by the test */
    int in_progress;        /* inside ops->progress */
    int bad_context;        /* callbacks seen outside progress() */
    int passed;
    int failed;
    int barrier_no;
    uint64_t next_seq[2];       /* per destination rank */
    uint64_t last_seq[2];       /* per source rank: last seq seen + 1 */
    unsigned long out_of_order; /* arrivals with a seq lower than an earlier one */
    void *perf_buf;             /* TT_RX_COUNT: eager payloads are copied here */
    size_t perf_len;
} tt_ctx_t;

/** The process-wide test context (callbacks have no other way to reach it). */
extern tt_ctx_t *tt;

/** Record a check; prints the message on failure. Returns @p ok. */
int tt_check(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** Fill a bootstrap that stores blobs as files <dir>/<rank>.<key>. */
void tt_bootstrap_init(tt_ctx_t *c, const char *dir);

/** Wait (bounded, @p timeout_s) until the peer reached the same barrier. 0 on success. */
int tt_barrier(tt_ctx_t *c, double timeout_s);

/** Fill @p buf with the pattern for (@p seed, @p len). */
void tt_pattern(void *buf, size_t len, uint64_t seed);

/** Index of the first byte differing from the pattern, or (size_t)-1 if it matches. */
size_t tt_pattern_check(const void *buf, size_t len, uint64_t seed);

/** A header for a test message. */
dwct_hdr_t tt_hdr(const tt_ctx_t *c, int tag, uint64_t seq, uint64_t len);

/** The rx callback (arg = tt_ctx_t). */
dwct_rx_action_t tt_rx_cb(void *arg, const dwct_hdr_t *hdr, dwct_rx_t *rx);

/** Initialise a completion record. */
void tt_comp_init(tt_comp_t *tc);

/** Turn a send-type return value into the record (OK / error: done now). */
void tt_comp_started(tt_comp_t *tc, dwcs_status_t st);

/** One progress call with the context flags set. */
unsigned tt_progress(tt_ctx_t *c);

/** Progress until @p done(c, arg) or timeout. Returns 0 if done, -1 on timeout. */
int tt_wait(tt_ctx_t *c, int (*done)(tt_ctx_t *c, void *arg), void *arg, double timeout_s);

/** tt_wait predicates: the store holds *(int *)arg messages; a tt_comp_t is done. */
int tt_have_msgs(tt_ctx_t *c, void *arg);
int tt_comp_is_done(tt_ctx_t *c, void *arg);

/** Seed of the payload pattern of message @p seq from @p src. */
static inline uint64_t tt_seed(uint32_t src, uint64_t seq)
{
    return ((uint64_t)src << 40) ^ (seq + 1);
}

/** Free the buffers of the stored messages and empty the store (kept ones are released). */
void tt_msgs_clear(tt_ctx_t *c);

/** Seconds from a monotonic clock. */
double tt_now(void);

#endif /* TT_COMMON_H */
