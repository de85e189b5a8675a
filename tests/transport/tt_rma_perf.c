/*
 * tt_rma_perf.c — RMA, performance, big-message and peer-failure phases of the transport test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tt_phases.h"

/* ---- RMA ----------------------------------------------------------------------------------- */

#define RMA_LEN (1u << 20)
#define RMA_HALF (RMA_LEN / 2)

/* Run one RMA call (in_api set) and wait for its completion. */
#define RMA_CALL(c, tc, expr)                                                                      \
    do {                                                                                           \
        tt_comp_init(&(tc));                                                                       \
        (c)->in_api = 1;                                                                           \
        dwcs_status_t st_ = (expr);                                                                \
        (c)->in_api = 0;                                                                           \
        tt_comp_started(&(tc), st_);                                                               \
        if (tt_wait((c), tt_comp_is_done, &(tc), 30) != 0) {                                       \
            (tc).st = DWCS_ERR_TIMEOUT;                                                            \
        }                                                                                          \
    } while (0)

typedef struct atomic_case {
    dwct_atomic_op_t op;
    size_t size;
    size_t off; /* byte offset of the word in the region */
    uint64_t value;
    uint64_t compare;
    int fetch;
    uint64_t expect_old;
} atomic_case_t;

void tt_phase_rma(tt_ctx_t *c)
{
    uint8_t *region = aligned_alloc(4096, RMA_LEN);
    if (!tt_check(region != NULL, "rma: allocation")) {
        return;
    }
    memset(region, 0, RMA_LEN);
    uint64_t *w = (uint64_t *)(region + RMA_HALF - 4096); /* atomic words */
    uint32_t *w32 = (uint32_t *)(w + 16);
    if (c->rank == 1) {
        tt_pattern(region + RMA_HALF, RMA_HALF, 999);
        w[0] = 100;
        w[1] = 0xF0F0;
        w[2] = 0x0F;
        w[3] = 0xFF00;
        w[4] = 5;
        w[5] = 42;
        w32[0] = 7;
        w32[1] = 11;
    }
    dwct_mem_t *mem = NULL;
    void *rkbuf = NULL;
    size_t rklen = 0;
    c->in_api = 1;
    dwcs_status_t st = c->ops->mem_map(c->iface, region, RMA_LEN, &mem, &rkbuf, &rklen);
    c->in_api = 0;
    if (!tt_check(st == DWCS_OK && rklen > 0, "rma: mem_map: %s", dwcs_status_string(st))) {
        free(region);
        return;
    }
    /* Publish base address + rkey. */
    uint8_t *blob = malloc(8 + rklen);
    uint64_t base = (uint64_t)(uintptr_t)region;
    memcpy(blob, &base, 8);
    memcpy(blob + 8, rkbuf, rklen);
    free(rkbuf);
    c->boot.publish(c->boot.arg, "test.rkey", blob, 8 + rklen);
    free(blob);
    tt_barrier(c, 30);
    void *peer_blob = NULL;
    size_t peer_len = 0;
    dwct_rkey_t *rkey = NULL;
    uint64_t rbase = 0;
    st = c->boot.lookup(c->boot.arg, c->peer, "test.rkey", &peer_blob, &peer_len);
    if (tt_check(st == DWCS_OK && peer_len > 8, "rma: rkey lookup")) {
        memcpy(&rbase, peer_blob, 8);
        c->in_api = 1;
        st = c->ops->rkey_unpack(c->iface, c->peer, (uint8_t *)peer_blob + 8, peer_len - 8, &rkey);
        c->in_api = 0;
        tt_check(st == DWCS_OK, "rma: rkey_unpack: %s", dwcs_status_string(st));
    }
    free(peer_blob);

    if (c->rank == 0 && rkey != NULL) {
        static tt_comp_t tc;
        uint8_t *src = malloc(RMA_HALF - 4096);
        uint8_t *dst = malloc(RMA_HALF);
        tt_pattern(src, RMA_HALF - 4096, 777);
        RMA_CALL(c, tc, c->ops->put(c->iface, 1, src, RMA_HALF - 4096, rbase, rkey, &tc.comp));
        tt_check(tc.st == DWCS_OK, "rma: put: %s", dwcs_status_string(tc.st));
        RMA_CALL(c, tc, c->ops->rma_flush(c->iface, 1, &tc.comp));
        tt_check(tc.st == DWCS_OK, "rma: flush(1): %s", dwcs_status_string(tc.st));
        RMA_CALL(c, tc, c->ops->get(c->iface, 1, dst, RMA_HALF, rbase + RMA_HALF, rkey, &tc.comp));
        tt_check(tc.st == DWCS_OK && tt_pattern_check(dst, RMA_HALF, 999) == (size_t)-1,
                 "rma: get: %s / content", dwcs_status_string(tc.st));

        uint64_t wo = (uint64_t)((uint8_t *)w - region);
        uint64_t wo32 = (uint64_t)((uint8_t *)w32 - region);
        const atomic_case_t cases[] = {
            {DWCT_ATOMIC_ADD, 8, wo + 0, 5, 0, 1, 100},
            {DWCT_ATOMIC_ADD, 4, wo32 + 0, 3, 0, 1, 7},
            {DWCT_ATOMIC_AND, 8, wo + 8, 0xFF, 0, 1, 0xF0F0},
            {DWCT_ATOMIC_OR, 8, wo + 16, 0xF0, 0, 1, 0x0F},
            {DWCT_ATOMIC_XOR, 8, wo + 24, 0xFFFF, 0, 0, 0},
            {DWCT_ATOMIC_SWAP, 8, wo + 32, 9, 0, 1, 5},
            {DWCT_ATOMIC_CSWAP, 8, wo + 40, 43, 42, 1, 42},
            {DWCT_ATOMIC_CSWAP, 8, wo + 40, 44, 42, 1, 43}, /* compare fails */
            {DWCT_ATOMIC_CSWAP, 4, wo32 + 4, 12, 11, 1, 11},
            {DWCT_ATOMIC_ADD, 8, wo + 0, 1, 0, 0, 0},
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
            const atomic_case_t *a = &cases[i];
            uint64_t res = 0xdeadbeefdeadbeefull;
            void *resp = a->fetch ? &res : NULL;
            RMA_CALL(c, tc,
                     c->ops->atomic(c->iface, 1, a->op, a->size, a->value, a->compare, resp,
                                    rbase + a->off, rkey, &tc.comp));
            uint64_t old = res;
            if (a->size == 4) {
                uint32_t r32;
                memcpy(&r32, &res, 4);
                old = r32;
            }
            tt_check(tc.st == DWCS_OK && (!a->fetch || old == a->expect_old),
                     "rma: atomic case %zu (op %d, %zu B): %s, old %llu expected %llu", i,
                     (int)a->op, a->size, dwcs_status_string(tc.st), (unsigned long long)old,
                     (unsigned long long)a->expect_old);
        }
        RMA_CALL(c, tc, c->ops->rma_flush(c->iface, -1, &tc.comp));
        tt_check(tc.st == DWCS_OK, "rma: flush(-1): %s", dwcs_status_string(tc.st));
        free(src);
        free(dst);
    }
    tt_barrier(c, 60);
    if (c->rank == 1) {
        tt_check(tt_pattern_check(region, RMA_HALF - 4096, 777) == (size_t)-1,
                 "rma: put data not in the target region");
        tt_check(w[0] == 106 && w[1] == 0xF0 && w[2] == 0xFF && w[3] == 0x00FF && w[4] == 9 &&
                     w[5] == 43 && w32[0] == 10 && w32[1] == 12,
                 "rma: final atomic words %llu %llx %llx %llx %llu %llu %u %u",
                 (unsigned long long)w[0], (unsigned long long)w[1], (unsigned long long)w[2],
                 (unsigned long long)w[3], (unsigned long long)w[4], (unsigned long long)w[5],
                 w32[0], w32[1]);
    }
    tt_barrier(c, 30);
    c->in_api = 1;
    c->ops->rkey_destroy(c->iface, rkey);
    c->ops->mem_unmap(c->iface, mem);
    c->ops->rkey_destroy(c->iface, NULL);
    c->ops->mem_unmap(c->iface, NULL);
    c->in_api = 0;
    free(region);
}

/* ---- Performance --------------------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int rx_count_at_least(tt_ctx_t *c, void *arg)
{
    return c->rx_count >= *(unsigned long *)arg;
}

/* Send and, if needed, wait for the completion (bounded). */
static int perf_send(tt_ctx_t *c, int to, int tag, const void *buf, size_t len)
{
    dwct_hdr_t h = tt_hdr(c, tag, c->next_seq[to]++, len);
    static tt_comp_t tc;
    tt_comp_init(&tc);
    c->in_api = 1;
    dwcs_status_t st = c->ops->send(c->iface, to, &h, buf, len, &tc.comp);
    c->in_api = 0;
    tt_comp_started(&tc, st);
    if (tc.done) {
        return tc.st == DWCS_OK ? 0 : -1;
    }
    return (tt_wait(c, tt_comp_is_done, &tc, 30) == 0 && tc.st == DWCS_OK) ? 0 : -1;
}

/* Fetch every kept (rendezvous) message into perf_buf. */
static int perf_fetch_kept(tt_ctx_t *c)
{
    int rc = 0;
    for (int i = 0; i < c->nmsgs; i++) {
        tt_msg_t *m = &c->msgs[i];
        static tt_comp_t tc;
        tt_comp_init(&tc);
        c->in_api = 1;
        dwcs_status_t st = c->ops->rx_fetch(c->iface, &m->rx, c->perf_buf, m->len, &tc.comp);
        c->in_api = 0;
        tt_comp_started(&tc, st);
        if (tt_wait(c, tt_comp_is_done, &tc, 30) != 0 || tc.st != DWCS_OK) {
            rc = -1;
        }
    }
    c->nmsgs = 0;
    return rc;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(*v), cmp_double);
    return v[n / 2];
}

void tt_phase_perf(tt_ctx_t *c)
{
    enum { BATCHES = 5, LAT_ITERS = 2000, WARM = 500, BW_WINDOW = 8, BW_ROUNDS = 6 };
    /* TT_BW_SIZE (bytes) overrides the bandwidth message size, for threshold tuning. */
    const size_t bw_len = getenv("TT_BW_SIZE") ? (size_t)atol(getenv("TT_BW_SIZE")) : 4u << 20;
    c->perf_len = bw_len;
    c->perf_buf = malloc(bw_len);
    char *sbuf = malloc(bw_len);
    if (!tt_check(c->perf_buf != NULL && sbuf != NULL, "perf: allocation")) {
        return;
    }
    memset(sbuf, 0x5a, bw_len);
    c->mode = TT_RX_COUNT;
    c->rx_count = 0;
    c->nmsgs = 0;
    tt_barrier(c, 30);

    /* Latency: ping-pong of 8 bytes. */
    double lat[BATCHES];
    int ok = 1;
    unsigned long expect = 0;
    for (int b = -1; ok && b < BATCHES; b++) {
        int iters = b < 0 ? WARM : LAT_ITERS;
        double t0 = tt_now();
        for (int i = 0; ok && i < iters; i++) {
            expect++;
            if (c->rank == 0) {
                ok = perf_send(c, 1, 10, sbuf, 8) == 0 &&
                     tt_wait(c, rx_count_at_least, &expect, 10) == 0;
            } else {
                ok = tt_wait(c, rx_count_at_least, &expect, 10) == 0 &&
                     perf_send(c, 0, 10, sbuf, 8) == 0;
            }
        }
        if (b >= 0) {
            lat[b] = (tt_now() - t0) / iters / 2 * 1e6;
        }
    }
    tt_check(ok, "perf: ping-pong failed");
    if (ok && c->rank == 0) {
        printf("ucx raw latency (8 B, one way): median %.2f us over %d batches of %d\n",
               median(lat, BATCHES), BATCHES, LAT_ITERS);
    }
    /* Reset before the barrier: the peer may start sending while we still wait in it. */
    c->rx_count = 0;
    expect = 0;
    tt_barrier(c, 30);

    /* Bandwidth: windows of 4 MiB messages, acknowledged by 8 bytes. */
    double bw[BATCHES];
    unsigned long acks = 0;
    for (int b = -1; ok && b < BATCHES; b++) {
        double t0 = tt_now();
        for (int r = 0; ok && r < BW_ROUNDS; r++) {
            if (c->rank == 0) {
                static tt_comp_t tc[BW_WINDOW];
                for (int k = 0; k < BW_WINDOW; k++) {
                    dwct_hdr_t h = tt_hdr(c, 11, c->next_seq[1]++, bw_len);
                    tt_comp_init(&tc[k]);
                    c->in_api = 1;
                    dwcs_status_t st = c->ops->send(c->iface, 1, &h, sbuf, bw_len, &tc[k].comp);
                    c->in_api = 0;
                    tt_comp_started(&tc[k], st);
                }
                for (int k = 0; ok && k < BW_WINDOW; k++) {
                    ok = tt_wait(c, tt_comp_is_done, &tc[k], 30) == 0 && tc[k].st == DWCS_OK;
                    if (!ok) {
                        fprintf(stderr, "perf: window send %d: %s\n", k,
                                tc[k].done ? dwcs_status_string(tc[k].st) : "not complete");
                    }
                }
                acks++;
                if (ok && tt_wait(c, rx_count_at_least, &acks, 30) != 0) {
                    fprintf(stderr, "perf: ack %lu missing (count %lu)\n", acks, c->rx_count);
                    ok = 0;
                }
            } else {
                expect += BW_WINDOW;
                ok = tt_wait(c, rx_count_at_least, &expect, 30) == 0;
                if (!ok) {
                    fprintf(stderr, "perf: %lu of %lu messages\n", c->rx_count, expect);
                }
                ok = ok && perf_fetch_kept(c) == 0 && perf_send(c, 0, 12, sbuf, 8) == 0;
            }
        }
        if (b >= 0) {
            bw[b] = (double)bw_len * BW_WINDOW * BW_ROUNDS / (tt_now() - t0) / 1e6;
        }
    }
    tt_check(ok, "perf: bandwidth run failed");
    if (ok && c->rank == 0) {
        printf("ucx raw bandwidth (%zu-byte messages, window %d): median %.0f MB/s over %d "
               "batches\n",
               bw_len, BW_WINDOW, median(bw, BATCHES), BATCHES);
    }
    tt_barrier(c, 30);
    c->nmsgs = 0;
    c->mode = TT_RX_COPY;
    free(c->perf_buf);
    c->perf_buf = NULL;
    c->perf_len = 0;
    free(sbuf);
}

/* ---- 3 GiB --------------------------------------------------------------------------------- */

void tt_phase_big(tt_ctx_t *c)
{
    const size_t len = (size_t)3 << 30;
    c->mode = TT_RX_KEEP;
    tt_barrier(c, 30);
    double t0 = tt_now();
    if (c->rank == 0) {
        tt_send_phase(c, 1, 13, &len, 1, 300);
        printf("3 GiB message sent in %.1f s (including pattern generation)\n", tt_now() - t0);
    } else {
        tt_recv_phase(c, 0, 13, 1, 300);
        tt_msgs_clear(c);
        printf("3 GiB message received and checked in %.1f s\n", tt_now() - t0);
    }
}

/* ---- Peer failure -------------------------------------------------------------------------- */

void tt_phase_failure(tt_ctx_t *c, int report_fd)
{
    c->mode = TT_RX_KEEP;
    tt_barrier(c, 30);
    size_t len = 2u << 20;
    char *buf = calloc(1, len);
    if (c->rank == 1) {
        /* Leave rank 0 a rendezvous it can only fetch after we are gone. */
        static tt_comp_t tc1;
        dwct_hdr_t h1 = tt_hdr(c, 14, c->next_seq[0]++, len);
        tt_comp_init(&tc1);
        c->in_api = 1;
        dwcs_status_t st1 = c->ops->send(c->iface, 0, &h1, buf, len, &tc1.comp);
        c->in_api = 0;
        tt_check(st1 == DWCS_INPROGRESS, "failure: rank 1's rendezvous send: %s",
                 dwcs_status_string(st1));
        int n = 1;
        int got = tt_wait(c, tt_have_msgs, &n, 30) == 0;
        tt_check(got && c->msgs[0].was_rndv, "failure: rendezvous message did not arrive");
        tt_report(c, report_fd);
        _exit(c->failed ? 1 : 0); /* die holding the descriptor: no release, no finalize */
    }
    dwct_hdr_t h = tt_hdr(c, 14, c->next_seq[1]++, len);
    static tt_comp_t tc, tc2;
    tt_comp_init(&tc);
    c->in_api = 1;
    dwcs_status_t st = c->ops->send(c->iface, 1, &h, buf, len, &tc.comp);
    c->in_api = 0;
    tt_comp_started(&tc, st);
    double t0 = tt_now();
    int done = tt_wait(c, tt_comp_is_done, &tc, 90) == 0;
    tt_check(done && dwcs_status_is_link(tc.st),
             "failure: pending send to the dead rank: %s after %.1f s",
             done ? dwcs_status_string(tc.st) : "no completion", tt_now() - t0);
    printf("peer failure reported after %.1f s: %s\n", tt_now() - t0,
           done ? dwcs_status_string(tc.st) : "never");
    /* A new send must fail (now or by completion), not hang. */
    tt_comp_init(&tc2);
    c->in_api = 1;
    st = c->ops->send(c->iface, 1, &h, buf, 8, &tc2.comp);
    c->in_api = 0;
    tt_comp_started(&tc2, st);
    done = tt_wait(c, tt_comp_is_done, &tc2, 30) == 0;
    tt_check(done && tc2.st != DWCS_OK, "failure: send after the failure: %s",
             done ? dwcs_status_string(tc2.st) : "no completion");
    /* Fetching rank 1's rendezvous after its death must fail (or succeed), not crash/hang. */
    int n = 1;
    if (tt_check(tt_wait(c, tt_have_msgs, &n, 30) == 0 && c->msgs[0].kept,
                 "failure: rank 1's rendezvous did not arrive")) {
        static tt_comp_t tc3;
        char *dst = malloc(len);
        tt_comp_init(&tc3);
        c->in_api = 1;
        st = c->ops->rx_fetch(c->iface, &c->msgs[0].rx, dst, len, &tc3.comp);
        c->in_api = 0;
        c->msgs[0].kept = 0;
        tt_comp_started(&tc3, st);
        done = tt_wait(c, tt_comp_is_done, &tc3, 60) == 0;
        tt_check(done, "failure: fetch from the dead rank never completed");
        printf("fetch of a rendezvous from the dead rank: %s\n",
               done ? dwcs_status_string(tc3.st) : "no completion");
        if (done) {
            free(dst);
        }
    }
    c->nmsgs = 0;
    /* buf may still be referenced if a send never completed: free only when both did */
    if (tc.done && tc2.done) {
        free(buf);
    }
}
