/*
 * fwd.h - the packet forwarding loop of wanem.
 *
 * Reads packets from every site's TUN device, routes them by destination
 * IPv4 address (10.201.0.(i+1) is site i) onto the directed link
 * (source site, destination site), and writes each packet to the
 * destination site's TUN device at its release time.
 */
#ifndef DWCL_FWD_H
#define DWCL_FWD_H

#include <stdint.h>

#include "link.h"
#include "sites.h"

/** First three bytes of every site address: 10.201.0.0/24, host byte order. */
#define DWCL_FWD_NET 0x0AC90000u

/**
 * Default: spin (busy-poll) this long before a release instead of sleeping,
 * so that sparse packets (pings, small messages) keep exact timing. While
 * packets flow continuously (a write less than DWCL_FWD_BUSY_NS ago) the
 * loop sleeps on the timer instead: wake-up latency (tens of us) matters
 * little there and spinning would take a whole core from the workload.
 */
#define DWCL_FWD_SPIN_NS 200000ull
/** A write this recent means "busy": sleep instead of spinning. */
#define DWCL_FWD_BUSY_NS 1000000ull

/** Forwarder state. */
typedef struct dwcl_fwd {
    int nsites;               /**< number of sites */
    int *tun_fd;              /**< TUN descriptor per site */
    int vnet_hdr_len;         /**< 10 with IFF_VNET_HDR, else 0 */
    dwcl_wanlink_t *links;    /**< nsites*nsites links, [src*nsites+dst] */
    int epfd;                 /**< epoll instance */
    uint8_t *buf;             /**< receive buffer */
    uint64_t start_ns;        /**< CLOCK_MONOTONIC at start */
    uint64_t rx_pkts;         /**< packets read from TUN devices */
    uint64_t unroutable;      /**< packets with no site to go to (non-IPv4, ...) */
    uint64_t tx_errors;       /**< failed writes to TUN devices */
    int reported_tx_error;    /**< a write error was already logged */
    int nwatch;               /**< number of extra watched descriptors */
    uint64_t spin_ns;         /**< busy-poll window before a release */
    uint64_t last_tx_ns;      /**< time of the latest write to a TUN */
    int *active;              /**< indices of the links holding packets */
    int nactive;              /**< number of entries in active */
    uint8_t *is_active;       /**< per link: listed in active */
    uint8_t *probe_ok;        /**< per site: self-test answered */
    int probes_pending;       /**< sites whose self-test is not answered yet */
} dwcl_fwd_t;

/** Current CLOCK_MONOTONIC time in nanoseconds. */
uint64_t dwcl_fwd_now_ns(void);

/**
 * Set up a forwarder over open TUN devices.
 * @param f         forwarder to initialise
 * @param sites     resolved sites (link parameters are copied)
 * @param tun_fd    one non-blocking TUN descriptor per site (not owned)
 * @param vnet_hdr  1 if the devices use IFF_VNET_HDR
 * @param seed      random seed for loss and jitter
 * @return 0, or -1 with a message on stderr
 */
int dwcl_fwd_init(dwcl_fwd_t *f, const dwcl_sites_t *sites, int *tun_fd, int vnet_hdr,
                  uint64_t seed);

/** Release the forwarder's memory (not the TUN descriptors). */
void dwcl_fwd_fini(dwcl_fwd_t *f);

/**
 * Self-test of every site's device: write an ICMP echo request for the
 * site's address (from another site's address) into its TUN device; the
 * namespace's answer comes back through the same device and is taken by
 * the forwarder instead of being routed. Call again to resend.
 * @return 0, or -1 if a probe could not be written (message on stderr)
 */
int dwcl_fwd_probe(dwcl_fwd_t *f);

/** Number of sites whose self-test has not been answered yet. */
static inline int dwcl_fwd_probes_pending(const dwcl_fwd_t *f)
{
    return f->probes_pending;
}

/**
 * Watch an extra descriptor (signalfd, ...) in dwcl_fwd_run.
 * @return its watch index (0, 1, ...), or -1 with a message on stderr
 */
int dwcl_fwd_watch(dwcl_fwd_t *f, int fd);

/**
 * Forward packets until the deadline or until a watched descriptor
 * becomes readable.
 * @param f            the forwarder
 * @param deadline_ns  CLOCK_MONOTONIC time at which to return
 * @return watch index of a readable descriptor, -1 at the deadline,
 *         -2 on an internal error (message on stderr)
 */
int dwcl_fwd_run(dwcl_fwd_t *f, uint64_t deadline_ns);

#endif /* DWCL_FWD_H */
