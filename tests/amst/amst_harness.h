/*
 * amst_harness.h — two-process test harness for the AMST transport: a file-based bootstrap,
 * fork helpers, a receive queue fed by the rx callback, and payload patterns.
 */
#ifndef AMST_HARNESS_H
#define AMST_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include "dwct.h"

/** How the rx callback treats large (data == NULL) payloads and small ones. */
typedef enum th_mode {
    TH_FETCH_NOW = 0, /* large: rx_fetch into a fresh buffer inside the callback */
    TH_KEEP = 1,      /* everything: return KEEP, the test fetches later */
} th_mode_t;

/** One received message. */
typedef struct th_msg {
    dwct_hdr_t hdr;
    uint8_t *data;    /* copy (small) or fetch destination (large) */
    size_t len;
    dwct_rx_t rx;     /* kept descriptor (TH_KEEP) */
    int kept;
    int done;         /* payload in data */
    dwcs_status_t status;
    dwct_comp_t comp;
} th_msg_t;

/** A process's test context. */
typedef struct th_ctx {
    int rank;
    const dwct_ops_t *ops;
    dwct_iface_t *ifc;
    th_mode_t mode;
    th_msg_t *msgs;
    size_t nmsgs, cap;
} th_ctx_t;

/** A send completion with status. */
typedef struct th_comp {
    dwct_comp_t comp;
    int done;
    dwcs_status_t status;
} th_comp_t;

/** Create the instance (rank of 2, bootstrap in @p dir, variant may be NULL). */
int th_init(th_ctx_t *c, int rank, const char *dir, const char *variant, th_mode_t mode);

/** Finalize and free received messages. */
void th_fini(th_ctx_t *c);

/** Progress until *flag != 0 or @p timeout_s passes. Returns 0 when set, -1 on timeout. */
int th_wait_flag(th_ctx_t *c, const int *flag, double timeout_s);

/** Progress until @p n messages were received (and, for fetched ones, completed). */
int th_wait_msgs(th_ctx_t *c, size_t n, double timeout_s);

/** Progress for @p seconds. */
void th_spin(th_ctx_t *c, double seconds);

/** Send and wait for the local completion (0 ok, -1 error). */
int th_send_wait(th_ctx_t *c, int peer, const dwct_hdr_t *h, const void *buf, size_t len,
                 double timeout_s);

/** Prepare a completion record. */
void th_comp_init(th_comp_t *tc);

/** Fill @p buf with the pattern of message @p seed. */
void th_fill(uint8_t *buf, size_t len, uint64_t seed);

/** Index of the first byte of @p buf differing from the pattern, or -1 if it matches. */
long th_check(const uint8_t *buf, size_t len, uint64_t seed);

/** A header for a test message. */
dwct_hdr_t th_hdr(int src, uint64_t seq, size_t len);

/** Seconds since an arbitrary start (monotonic). */
double th_now(void);

/** A fresh temporary directory for the bootstrap (caller frees the string). */
char *th_tmpdir(void);

/** Remove the bootstrap directory. */
void th_rmdir(const char *dir);

/**
 * Run @p fn in two forked processes (ranks 0 and 1), each with its own environment settings
 * (NULL-terminated "NAME=VALUE" lists, may be NULL). Returns 0 if both exit 0 within
 * @p timeout_s, else -1 (stragglers are killed).
 */
int th_run_pair(const char *name, int (*fn)(int rank, const char *dir), const char *const *env0,
                const char *const *env1, double timeout_s);

#endif
