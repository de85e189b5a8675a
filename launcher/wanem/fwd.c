/*
 * fwd.c - the packet forwarding loop of wanem (see fwd.h).
 */
#define _GNU_SOURCE
#include "fwd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#define RX_BUF_BYTES (256 * 1024)
#define RX_BATCH 32
#define WATCH_TAG 0x100000000ull
#define MAX_EVENTS 64
#define PROBE_ICMP_ID 0xD3C7
#define PROBE_LEN 28 /* IPv4 header + ICMP echo header */

uint64_t dwcl_fwd_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int dwcl_fwd_init(dwcl_fwd_t *f, const dwcl_sites_t *sites, int *tun_fd, int vnet_hdr,
                  uint64_t seed)
{
    int n = sites->nsites;

    memset(f, 0, sizeof(*f));
    f->epfd = -1;
    f->nsites = n;
    f->tun_fd = tun_fd;
    f->vnet_hdr_len = vnet_hdr ? 10 : 0;
    f->spin_ns = DWCL_FWD_SPIN_NS;
    f->start_ns = dwcl_fwd_now_ns();
    f->buf = malloc(RX_BUF_BYTES);
    f->probe_ok = calloc((size_t)n, 1);
    f->active = calloc((size_t)n * (size_t)n, sizeof(int));
    f->is_active = calloc((size_t)n * (size_t)n, 1);
    f->probes_pending = n;
    f->links = calloc((size_t)n * (size_t)n, sizeof(*f->links));
    if (f->buf == NULL || f->links == NULL || f->probe_ok == NULL || f->active == NULL ||
        f->is_active == NULL) {
        fprintf(stderr, "wanem: out of memory\n");
        goto fail;
    }
    for (int i = 0; i < n * n; i++) {
        if (dwcl_wanlink_init(&f->links[i], &sites->links[i], f->start_ns,
                              seed * 1000003u + (uint64_t)i) != 0) {
            fprintf(stderr, "wanem: out of memory\n");
            goto fail;
        }
    }
    f->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (f->epfd < 0) {
        fprintf(stderr, "wanem: epoll_create1: %m\n");
        goto fail;
    }
    for (int i = 0; i < n; i++) {
        struct epoll_event ev = {.events = EPOLLIN, .data.u64 = (uint64_t)i};
        if (epoll_ctl(f->epfd, EPOLL_CTL_ADD, tun_fd[i], &ev) != 0) {
            fprintf(stderr, "wanem: epoll_ctl on TUN of site %d: %m\n", i);
            goto fail;
        }
    }
    return 0;
fail:
    dwcl_fwd_fini(f);
    return -1;
}

void dwcl_fwd_fini(dwcl_fwd_t *f)
{
    if (f->links != NULL) {
        for (int i = 0; i < f->nsites * f->nsites; i++) {
            dwcl_wanlink_fini(&f->links[i]);
        }
    }
    free(f->links);
    free(f->buf);
    free(f->probe_ok);
    free(f->active);
    free(f->is_active);
    f->probe_ok = NULL;
    f->active = NULL;
    f->is_active = NULL;
    if (f->epfd >= 0) {
        close(f->epfd);
    }
    f->links = NULL;
    f->buf = NULL;
    f->epfd = -1;
}

int dwcl_fwd_watch(dwcl_fwd_t *f, int fd)
{
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = WATCH_TAG + (uint64_t)f->nwatch};

    if (epoll_ctl(f->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
        fprintf(stderr, "wanem: epoll_ctl: %m\n");
        return -1;
    }
    return f->nwatch++;
}

static uint16_t inet_csum(const uint8_t *p, int len)
{
    uint32_t sum = 0;

    for (int i = 0; i + 1 < len; i += 2) {
        sum += ((uint32_t)p[i] << 8) | p[i + 1];
    }
    if (len & 1) {
        sum += (uint32_t)p[len - 1] << 8;
    }
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return (uint16_t)~sum;
}

static void put_addr(uint8_t *p, uint32_t a)
{
    p[0] = (uint8_t)(a >> 24);
    p[1] = (uint8_t)(a >> 16);
    p[2] = (uint8_t)(a >> 8);
    p[3] = (uint8_t)a;
}

/* Address a probe for site i comes from: another site, or .254 if alone. */
static uint32_t probe_src(const dwcl_fwd_t *f, int i)
{
    return DWCL_FWD_NET | (f->nsites > 1 ? (uint32_t)((i + 1) % f->nsites + 1) : 254u);
}

int dwcl_fwd_probe(dwcl_fwd_t *f)
{
    uint8_t pkt[16 + PROBE_LEN];

    for (int i = 0; i < f->nsites; i++) {
        uint8_t *ip = pkt + f->vnet_hdr_len, *icmp = ip + 20;
        uint16_t c;

        if (f->probe_ok[i]) {
            continue;
        }
        memset(pkt, 0, sizeof(pkt)); /* virtio header: no offload, no GSO */
        ip[0] = 0x45;
        ip[3] = PROBE_LEN;
        ip[8] = 64;  /* TTL */
        ip[9] = 1;   /* ICMP */
        put_addr(ip + 12, probe_src(f, i));
        put_addr(ip + 16, DWCL_FWD_NET | (uint32_t)(i + 1));
        c = inet_csum(ip, 20);
        ip[10] = (uint8_t)(c >> 8);
        ip[11] = (uint8_t)c;
        icmp[0] = 8; /* echo request */
        icmp[4] = PROBE_ICMP_ID >> 8;
        icmp[5] = PROBE_ICMP_ID & 0xff;
        icmp[7] = (uint8_t)i;
        c = inet_csum(icmp, 8);
        icmp[2] = (uint8_t)(c >> 8);
        icmp[3] = (uint8_t)c;
        if (write(f->tun_fd[i], pkt, (size_t)(f->vnet_hdr_len + PROBE_LEN)) < 0) {
            fprintf(stderr, "wanem: self-test write to TUN of site %d: %m\n", i);
            return -1;
        }
    }
    return 0;
}

/* Is this the answer to the self-test probe of site src? */
static int is_probe_reply(dwcl_fwd_t *f, int src, const uint8_t *ip, ssize_t len)
{
    uint32_t dst;

    if (len < PROBE_LEN || ip[0] != 0x45 || ip[9] != 1 || ip[20] != 0 ||
        ip[24] != (PROBE_ICMP_ID >> 8) || ip[25] != (PROBE_ICMP_ID & 0xff)) {
        return 0;
    }
    dst = ((uint32_t)ip[16] << 24) | ((uint32_t)ip[17] << 16) | ((uint32_t)ip[18] << 8) | ip[19];
    if (dst != probe_src(f, src) || ip[27] != (uint8_t)src) {
        return 0;
    }
    if (!f->probe_ok[src]) {
        f->probe_ok[src] = 1;
        f->probes_pending--;
    }
    return 1;
}

/* Site index of an IPv4 destination, or -1. */
static int route(const dwcl_fwd_t *f, const uint8_t *ip, ssize_t len)
{
    uint32_t dst;
    uint32_t host;

    if (len < 20 || (ip[0] >> 4) != 4) {
        return -1;
    }
    dst = ((uint32_t)ip[16] << 24) | ((uint32_t)ip[17] << 16) | ((uint32_t)ip[18] << 8) | ip[19];
    if ((dst & 0xffffff00u) != DWCL_FWD_NET) {
        return -1;
    }
    host = dst & 0xff;
    if (host < 1 || (int)host > f->nsites) {
        return -1;
    }
    return (int)host - 1;
}

/* Read up to RX_BATCH packets from the TUN of site src. */
static void receive(dwcl_fwd_t *f, int src)
{
    for (int k = 0; k < RX_BATCH; k++) {
        ssize_t len = read(f->tun_fd[src], f->buf, RX_BUF_BYTES);
        const uint8_t *ip = f->buf + f->vnet_hdr_len;
        uint32_t gso = 0;
        int dst, li;

        if (len < 0) {
            if (errno != EAGAIN && errno != EINTR) {
                fprintf(stderr, "wanem: read from TUN of site %d: %m\n", src);
            }
            return;
        }
        f->rx_pkts++;
        if (len <= f->vnet_hdr_len) {
            f->unroutable++;
            continue;
        }
        if (f->vnet_hdr_len != 0 && f->buf[1] != 0) { /* gso_type != NONE */
            gso = (uint32_t)f->buf[4] | ((uint32_t)f->buf[5] << 8);
        }
        if (f->probes_pending && is_probe_reply(f, src, ip, len - f->vnet_hdr_len)) {
            continue;
        }
        dst = route(f, ip, len - f->vnet_hdr_len);
        if (dst < 0 || dst == src) {
            f->unroutable++;
            continue;
        }
        li = src * f->nsites + dst;
        if (dwcl_wanlink_submit(&f->links[li], dwcl_fwd_now_ns(), f->buf, (uint32_t)len,
                                dwcl_wanlink_wire_bytes(ip, (uint32_t)(len - f->vnet_hdr_len),
                                                        gso)) == DWCL_WANLINK_QUEUED &&
            !f->is_active[li]) {
            f->is_active[li] = 1;
            f->active[f->nactive++] = li;
        }
    }
}

/* Write every packet whose release time has come; return the next release. */
static uint64_t release(dwcl_fwd_t *f, uint64_t now)
{
    uint64_t next = UINT64_MAX;
    int n = f->nsites;

    for (int k = 0; k < f->nactive;) {
        int i = f->active[k];
        dwcl_wanlink_t *l = &f->links[i];
        while (l->count != 0 && dwcl_wanlink_next(l) <= now) {
            const dwcl_wanlink_pkt_t *p = dwcl_wanlink_head(l);
            if (write(f->tun_fd[i % n], p->data, p->len) != (ssize_t)p->len) {
                f->tx_errors++;
                if (!f->reported_tx_error) {
                    fprintf(stderr, "wanem: write to TUN of site %d: %m (further errors "
                            "only counted)\n", i % n);
                    f->reported_tx_error = 1;
                }
            }
            dwcl_wanlink_pop(l);
            f->last_tx_ns = now;
        }
        if (l->count == 0) { /* drop it from the active list */
            f->is_active[i] = 0;
            f->active[k] = f->active[--f->nactive];
            continue;
        }
        if (dwcl_wanlink_next(l) < next) {
            next = dwcl_wanlink_next(l);
        }
        k++;
    }
    return next;
}

int dwcl_fwd_run(dwcl_fwd_t *f, uint64_t deadline_ns)
{
    struct epoll_event ev[MAX_EVENTS];

    for (;;) {
        uint64_t now = dwcl_fwd_now_ns();
        uint64_t next = release(f, now), wake;
        struct timespec ts = {0, 0};
        uint64_t spin;
        int nev;

        if (now >= deadline_ns) {
            return -1;
        }
        wake = next < deadline_ns ? next : deadline_ns;
        spin = (now - f->last_tx_ns < DWCL_FWD_BUSY_NS) ? 0 : f->spin_ns;
        if (wake - now > spin) {
            uint64_t sleep_ns = wake - now - spin;
            ts.tv_sec = (time_t)(sleep_ns / 1000000000ull);
            ts.tv_nsec = (long)(sleep_ns % 1000000000ull);
        }
        nev = epoll_pwait2(f->epfd, ev, MAX_EVENTS, &ts, NULL);
        if (nev < 0) {
            if (errno == EINTR) {
                continue;
            }
            fprintf(stderr, "wanem: epoll_pwait2: %m\n");
            return -2;
        }
        if (nev == 0) {
            continue;
        }
        for (int i = 0; i < nev; i++) {
            if (ev[i].data.u64 >= WATCH_TAG) {
                return (int)(ev[i].data.u64 - WATCH_TAG);
            }
            receive(f, (int)ev[i].data.u64);
        }
    }
}
