/*
 * link.h - the model of one directed emulated WAN link.
 *
 * A packet submitted at time `now` meets, in order:
 *   1. blackouts: dropped if now - start lies in a blackout window;
 *   2. the drop-tail queue: the backlog is the data still waiting to be
 *      serialised, (link_free - now) * rate; the packet is dropped if the
 *      backlog is not empty and backlog + its wire bytes exceeds the limit;
 *   3. serialisation: it starts at max(now, link_free) and takes
 *      wire_bytes * 8 / rate; link_free moves to its end;
 *   4. iid loss: lost on the wire with probability `loss` (it still used
 *      the link's time);
 *   5. propagation: released at end + delay + uniform(-jitter, +jitter),
 *      never before the previous release on this link (no reordering).
 * Release times are monotonic, so the link is a FIFO ring.
 *
 * Time is passed in by the caller (nanoseconds on any monotonic clock), so
 * the model can be tested with an injected clock.
 */
#ifndef DWCL_WANLINK_H
#define DWCL_WANLINK_H

#include <stdint.h>

#include "sites.h"

/** Upper bound of packet data buffered on one link (queued + in flight). */
#define DWCL_WANLINK_MAX_BUFFERED (512ull * 1024 * 1024)

/** Outcome of dwcl_wanlink_submit. */
typedef enum dwcl_wanlink_verdict {
    DWCL_WANLINK_QUEUED = 0,    /**< accepted, will be released later */
    DWCL_WANLINK_DROP_BLACKOUT, /**< dropped: link in a blackout window */
    DWCL_WANLINK_DROP_QUEUE,    /**< dropped: drop-tail queue full */
    DWCL_WANLINK_DROP_LOSS,     /**< dropped: random loss */
    DWCL_WANLINK_DROP_NOMEM,    /**< dropped: out of buffer memory */
} dwcl_wanlink_verdict_t;

/** A packet waiting on a link. */
typedef struct dwcl_wanlink_pkt {
    uint64_t release_ns; /**< when it leaves the link */
    uint64_t wire_bytes; /**< bytes charged against rate and queue */
    uint32_t len;        /**< bytes in data */
    uint8_t *data;       /**< owned copy of the packet */
} dwcl_wanlink_pkt_t;

/** Counters of one link. */
typedef struct dwcl_wanlink_stats {
    uint64_t sent_pkts;      /**< packets released to the destination */
    uint64_t sent_bytes;     /**< wire bytes released */
    uint64_t queue_peak;     /**< largest backlog seen, bytes */
    uint64_t drop_queue;     /**< packets dropped by the full queue (or memory cap) */
    uint64_t drop_loss;      /**< packets dropped by random loss */
    uint64_t drop_blackout;  /**< packets dropped during blackouts */
    uint64_t submitted_pkts; /**< packets offered to the link */
} dwcl_wanlink_stats_t;

/** One directed link. Treat fields as private except stats and p. */
typedef struct dwcl_wanlink {
    dwcl_link_params_t p;       /**< parameters (queue_bytes resolved) */
    uint64_t start_ns;          /**< time zero for blackouts */
    uint64_t link_free_ns;      /**< when the serialiser is next idle */
    uint64_t last_release_ns;   /**< release time of the newest packet */
    uint64_t rng;               /**< xorshift64* state */
    dwcl_wanlink_pkt_t *ring;   /**< FIFO of packets */
    uint32_t cap;               /**< ring capacity (power of two) */
    uint32_t head;              /**< index of the oldest packet */
    uint32_t count;             /**< packets in the ring */
    uint64_t buffered;          /**< bytes of data held in the ring */
    dwcl_wanlink_stats_t stats; /**< counters */
} dwcl_wanlink_t;

/**
 * Initialise a link.
 * @param l         link to initialise
 * @param p         resolved parameters (copied)
 * @param start_ns  time zero (for blackout windows)
 * @param seed      random seed for loss and jitter (any value)
 * @return 0 (memory for packets is allocated when they arrive)
 */
int dwcl_wanlink_init(dwcl_wanlink_t *l, const dwcl_link_params_t *p, uint64_t start_ns,
                      uint64_t seed);

/** Free the packets still held by a link. */
void dwcl_wanlink_fini(dwcl_wanlink_t *l);

/**
 * Offer a packet to the link at time now.
 * @param l           the link
 * @param now         current time, ns, never decreasing between calls
 * @param data        packet bytes (copied if accepted)
 * @param len         length of data
 * @param wire_bytes  bytes it occupies on the wire (>= 1)
 * @return DWCL_WANLINK_QUEUED or the reason it was dropped
 */
dwcl_wanlink_verdict_t dwcl_wanlink_submit(dwcl_wanlink_t *l, uint64_t now, const void *data,
                                           uint32_t len, uint64_t wire_bytes);

/** Release time of the oldest packet, or UINT64_MAX if the link is empty. */
static inline uint64_t dwcl_wanlink_next(const dwcl_wanlink_t *l)
{
    return l->count ? l->ring[l->head].release_ns : UINT64_MAX;
}

/** The oldest packet (only valid if the link is not empty). */
static inline const dwcl_wanlink_pkt_t *dwcl_wanlink_head(const dwcl_wanlink_t *l)
{
    return &l->ring[l->head];
}

/** Remove the oldest packet, counting it as sent. No-op if empty. */
void dwcl_wanlink_pop(dwcl_wanlink_t *l);

/** Backlog (bytes waiting to be serialised) at time now. */
uint64_t dwcl_wanlink_backlog(const dwcl_wanlink_t *l, uint64_t now);

/**
 * Wire bytes of a packet: IP bytes, and for a GSO super-packet the bytes of
 * the MTU-sized packets it will become (headers repeated per segment).
 * @param ip        the IPv4/IPv6 packet (after any virtio header)
 * @param len       its length
 * @param gso_size  segment payload size from the virtio header, 0 if not GSO
 */
uint64_t dwcl_wanlink_wire_bytes(const uint8_t *ip, uint32_t len, uint32_t gso_size);

#endif /* DWCL_WANLINK_H */
