/*
 * link.c - the model of one directed emulated WAN link (see link.h).
 */
#include "link.h"

#include <stdlib.h>
#include <string.h>

static uint64_t rng_next(dwcl_wanlink_t *l)
{
    uint64_t x = l->rng;

    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    l->rng = x;
    return x * 0x2545F4914F6CDD1Dull;
}

/* Uniform double in [0, 1). */
static double rng_unit(dwcl_wanlink_t *l)
{
    return (double)(rng_next(l) >> 11) * (1.0 / 9007199254740992.0);
}

int dwcl_wanlink_init(dwcl_wanlink_t *l, const dwcl_link_params_t *p, uint64_t start_ns,
                      uint64_t seed)
{
    memset(l, 0, sizeof(*l));
    l->p = *p;
    l->start_ns = start_ns;
    l->link_free_ns = start_ns;
    l->last_release_ns = start_ns;
    /* splitmix64 of the seed; xorshift state must not be 0 */
    seed += 0x9E3779B97F4A7C15ull;
    seed = (seed ^ (seed >> 30)) * 0xBF58476D1CE4E5B9ull;
    seed = (seed ^ (seed >> 27)) * 0x94D049BB133111EBull;
    l->rng = (seed ^ (seed >> 31)) | 1;
    l->cap = 0; /* the ring is allocated on first use */
    l->ring = NULL;
    return 0;
}

void dwcl_wanlink_fini(dwcl_wanlink_t *l)
{
    if (l->ring == NULL) {
        return;
    }
    for (uint32_t i = 0; i < l->count; i++) {
        free(l->ring[(l->head + i) & (l->cap - 1)].data);
    }
    free(l->ring);
    l->ring = NULL;
    l->count = 0;
}

static int ring_grow(dwcl_wanlink_t *l)
{
    uint32_t ncap = l->cap ? l->cap * 2 : 64;
    dwcl_wanlink_pkt_t *n;

    if (ncap == 0 || ncap > (1u << 24)) {
        return -1;
    }
    n = malloc((size_t)ncap * sizeof(*n));
    if (n == NULL) {
        return -1;
    }
    for (uint32_t i = 0; i < l->count; i++) {
        n[i] = l->ring[(l->head + i) & (l->cap - 1)];
    }
    /* cap is 0 only when count is 0, so the mask above is never used then */
    free(l->ring);
    l->ring = n;
    l->cap = ncap;
    l->head = 0;
    return 0;
}

uint64_t dwcl_wanlink_backlog(const dwcl_wanlink_t *l, uint64_t now)
{
    if (l->p.rate_bps == 0 || l->link_free_ns <= now) {
        return 0;
    }
    return (uint64_t)((double)(l->link_free_ns - now) * (double)l->p.rate_bps / 8e9);
}

static int in_blackout(const dwcl_wanlink_t *l, uint64_t now)
{
    uint64_t t = now >= l->start_ns ? now - l->start_ns : 0;

    for (int i = 0; i < l->p.nblackouts; i++) {
        if (t >= l->p.blackouts[i].start_ns && t < l->p.blackouts[i].end_ns) {
            return 1;
        }
    }
    return 0;
}

dwcl_wanlink_verdict_t dwcl_wanlink_submit(dwcl_wanlink_t *l, uint64_t now, const void *data,
                                           uint32_t len, uint64_t wire_bytes)
{
    uint64_t start, release, backlog;
    dwcl_wanlink_pkt_t *slot;
    int64_t delay;

    l->stats.submitted_pkts++;
    if (in_blackout(l, now)) {
        l->stats.drop_blackout++;
        return DWCL_WANLINK_DROP_BLACKOUT;
    }
    backlog = dwcl_wanlink_backlog(l, now);
    if (l->p.queue_bytes != 0 && backlog > 0 && backlog + wire_bytes > l->p.queue_bytes) {
        l->stats.drop_queue++;
        return DWCL_WANLINK_DROP_QUEUE;
    }
    if (l->buffered + len > DWCL_WANLINK_MAX_BUFFERED ||
        (l->count == l->cap && ring_grow(l) != 0)) {
        l->stats.drop_queue++;
        return DWCL_WANLINK_DROP_NOMEM;
    }
    if (l->p.rate_bps != 0 && backlog + wire_bytes > l->stats.queue_peak) {
        l->stats.queue_peak = backlog + wire_bytes;
    }
    /* serialisation */
    start = l->link_free_ns > now ? l->link_free_ns : now;
    if (l->p.rate_bps != 0) {
        l->link_free_ns = start + (uint64_t)((double)wire_bytes * 8e9 / (double)l->p.rate_bps);
    } else {
        l->link_free_ns = start;
    }
    /* random loss on the wire (the packet used the link's time) */
    if (l->p.loss > 0 && rng_unit(l) < l->p.loss) {
        l->stats.drop_loss++;
        return DWCL_WANLINK_DROP_LOSS;
    }
    /* propagation with jitter, kept in order */
    delay = (int64_t)l->p.delay_ns;
    if (l->p.jitter_ns != 0) {
        delay += (int64_t)((2.0 * rng_unit(l) - 1.0) * (double)l->p.jitter_ns);
        if (delay < 0) {
            delay = 0;
        }
    }
    release = l->link_free_ns + (uint64_t)delay;
    if (release < l->last_release_ns) {
        release = l->last_release_ns;
    }
    slot = &l->ring[(l->head + l->count) & (l->cap - 1)];
    slot->data = malloc(len ? len : 1);
    if (slot->data == NULL) {
        l->stats.drop_queue++;
        return DWCL_WANLINK_DROP_NOMEM;
    }
    memcpy(slot->data, data, len);
    slot->len = len;
    slot->wire_bytes = wire_bytes;
    slot->release_ns = release;
    l->last_release_ns = release;
    l->buffered += len;
    l->count++;
    return DWCL_WANLINK_QUEUED;
}

void dwcl_wanlink_pop(dwcl_wanlink_t *l)
{
    dwcl_wanlink_pkt_t *p;

    if (l->count == 0) {
        return;
    }
    p = &l->ring[l->head];
    l->stats.sent_pkts++;
    l->stats.sent_bytes += p->wire_bytes;
    l->buffered -= p->len;
    free(p->data);
    p->data = NULL;
    l->head = (l->head + 1) & (l->cap - 1);
    l->count--;
}

uint64_t dwcl_wanlink_wire_bytes(const uint8_t *ip, uint32_t len, uint32_t gso_size)
{
    uint32_t l3, l4 = 0, hdrs, payload, nseg;
    uint8_t proto;

    if (gso_size == 0 || len < 20) {
        return len ? len : 1;
    }
    if ((ip[0] >> 4) == 4) {
        l3 = (uint32_t)(ip[0] & 0x0f) * 4;
        proto = ip[9];
    } else if ((ip[0] >> 4) == 6 && len >= 40) {
        l3 = 40;
        proto = ip[6];
    } else {
        return len;
    }
    if (proto == 6 && len >= l3 + 20) {
        l4 = (uint32_t)(ip[l3 + 12] >> 4) * 4;
    } else if (proto == 17) {
        l4 = 8;
    }
    hdrs = l3 + l4;
    if (hdrs >= len) {
        return len;
    }
    payload = len - hdrs;
    nseg = (payload + gso_size - 1) / gso_size;
    return (uint64_t)payload + (uint64_t)nseg * hdrs;
}
