/*
 * amst_conn.c — opening lanes: non-blocking connect over the peer's address list, socket
 * options per lane kind, accepting, and the authenticated handshake (HELLO / CHALLENGE / AUTH,
 * see docs/wire_format.md), plus connect/handshake/drain deadlines.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "amst_internal.h"
#include "dwcs_log.h"

static void set_cc(int fd, const char *cc, const char *fallback)
{
    if (cc == NULL || *cc == '\0') {
        return;
    }
    if (setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, cc, (socklen_t)strlen(cc)) != 0) {
        DWCS_DEBUG("amst: TCP_CONGESTION %s unavailable (%m), using %s", cc,
                   fallback ? fallback : "the default");
        if (fallback != NULL) {
            setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, fallback, (socklen_t)strlen(fallback));
        }
    }
}

static void sock_setup(amst_lane_t *l)
{
    amst_config_t *c = &l->iface->cfg;
    int one = 1;
    setsockopt(l->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (!l->initiator) {
        return; /* the acceptor only sends small control frames */
    }
    if (l->kind == AMST_LANE_LAT) {
        set_cc(l->fd, c->cc_lat, NULL);
    } else if (l->kind == AMST_LANE_BULK) {
        /* "auto": cubic while the path is clean (BBR delays app-limited medium messages by
         * about RTT/2), BBR once it loses packets (see amst_lane_cc_check). */
        int is_auto = c->cc_bulk != NULL && strcmp(c->cc_bulk, "auto") == 0;
        if (is_auto && l->peer != NULL && l->peer->cc_bbr) {
            l->cc_bbr = 1; /* the path already showed random loss */
            set_cc(l->fd, "bbr", "cubic");
        } else {
            set_cc(l->fd, is_auto ? "cubic" : c->cc_bulk, "cubic");
        }
        if (c->sockbuf > 0) {
            int sz = (int)c->sockbuf;
            setsockopt(l->fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
            setsockopt(l->fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
        }
    } else {
        set_cc(l->fd, "cubic", NULL); /* tcp1 baseline: cubic, default buffers */
    }
}

void amst_lane_cc_check(amst_lane_t *l)
{
    amst_config_t *c = &l->iface->cfg;
    if (l->cc_bbr || l->kind != AMST_LANE_BULK || !l->initiator || l->fd < 0 ||
        c->cc_bulk == NULL || strcmp(c->cc_bulk, "auto") != 0) {
        return;
    }
    amst_peer_t *p = l->peer;
    amst_lane_loss_t li;
    if (p == NULL || p->cc_bbr || !amst_lane_loss_info(l, &li)) {
        return;
    }
    /* The largest queueing delay any lane to the peer saw in the last few round trips: a
     * packet lost to overflow was sent while the queue was full, but it is retransmitted an
     * RTT later, when the backoff may have emptied the queue again. */
    double now = amst_now();
    double hold = 3 * li.min_rtt > 0.02 ? 3 * li.min_rtt : 0.02;
    if (li.qdelay >= p->q_peak || now - p->q_peak_at > hold) {
        p->q_peak = li.qdelay;
        p->q_peak_at = now;
    }
    if (li.retrans == l->retrans_seen) {
        return;
    }
    unsigned fresh = li.retrans - l->retrans_seen;
    unsigned sent = li.segs_out - l->segs_seen;
    l->retrans_seen = li.retrans;
    l->segs_seen = li.segs_out;
    /* Random loss on the path is what cubic mistakes for congestion; BBR does not. Losses
     * the lanes cause themselves by overflowing the bottleneck queue are different: cubic's
     * backoff is the right answer there, and BBR would keep the queue full (measured on
     * 1 Gbit/s, 100 ms, 1 BDP: 94-98% of the link with cubic lanes, 87-93% once they had all
     * switched at their first losses). */
    if (!amst_loss_random(fresh, sent, p->q_peak, li.min_rtt)) {
        return;
    }
    p->rand_loss += fresh;
    if (p->rand_loss < 4) {
        return;
    }
    /* All of the peer's bulk lanes switch together: cubic lanes next to BBR lanes lose to
     * them (BBR keeps the queue full and ignores the losses that makes; measured on 500 Mbit/s
     * with 0.01% loss: 53,000 queue drops against 300 random ones, 75-81% of the link). */
    p->cc_bbr = 1;
    int n = 0;
    for (int i = 0; i < AMST_MAX_LANES; i++) {
        amst_lane_t *b = p->bulk[i];
        if (b != NULL && b->fd >= 0 && !b->cc_bbr &&
            setsockopt(b->fd, IPPROTO_TCP, TCP_CONGESTION, "bbr", 3) == 0) {
            b->cc_bbr = 1;
            n++;
        }
    }
    DWCS_DEBUG("amst: lanes to rank %d lost packets with an empty queue (%u retransmits): %d "
               "bulk lanes now BBR",
               p->rank, p->rand_loss, n);
}

static size_t read_sysctl(const char *path, size_t dflt)
{
    FILE *f = fopen(path, "r");
    unsigned long long v = 0;
    if (f == NULL) {
        return dflt;
    }
    if (fscanf(f, "%llu", &v) != 1 || v == 0) {
        v = dflt;
    }
    fclose(f);
    return (size_t)v;
}

void amst_lane_size_buffers(amst_lane_t *l)
{
    amst_config_t *c = &l->iface->cfg;
    if (c->sockbuf > 0 || !c->sockbuf_auto || l->kind != AMST_LANE_BULK || l->fd < 0 ||
        !l->initiator) {
        /* Receivers keep autotuning (tcp_rmem max is large): measured on an emulated 100 ms
         * link, setting SO_RCVBUF after the handshake cut 4-lane goodput to 0.03 Gbit/s. */
        return;
    }
    double rate = c->rate_limit * 1e6 / 8.0;
    if (c->rate_limit <= 0) {
        /* Without pacing: measured on an emulated 1 Gbit/s, 100 ms link, the kernel cap on
         * every lane doubles one lane (0.23 -> 0.43 Gbit/s) but overfills the bottleneck
         * queue with 4 lanes (0.84 -> 0.65); lane adaptation covers the single-lane case.
         * With PBA pacing the lanes cannot overfill it: size to the forecast with room for
         * probing, or to the cap while there is no forecast yet. */
        if (!c->pba || l->iface->tcp1) {
            return;
        }
        rate = 1.5 * dwct_pba_forecast(&l->peer->pba);
    }
    struct tcp_info ti;
    socklen_t tl = sizeof(ti);
    if (getsockopt(l->fd, IPPROTO_TCP, TCP_INFO, &ti, &tl) != 0 || ti.tcpi_rtt < 2000) {
        return; /* LAN or loopback: kernel autotuning is enough */
    }
    /* The kernel doubles what is set, and caps it at net.core.{w,r}mem_max; autotuning stops
     * at tcp_wmem/tcp_rmem max (4 MiB here), so setting the cap gives about twice the window. */
    size_t cap = read_sysctl("/proc/sys/net/core/wmem_max", 4u << 20);
    int lanes = l->peer != NULL && l->peer->target > 0 ? l->peer->target : c->init_lanes;
    double bdp = rate > 0 ? rate * (ti.tcpi_rtt * 1e-6) / lanes * 1.25 : (double)cap;
    size_t sz = bdp < (double)cap ? (size_t)bdp : cap;
    if (sz < (256u << 10)) {
        sz = 256u << 10;
    }
    if (sz > INT32_MAX / 2) {
        sz = INT32_MAX / 2;
    }
    int v = (int)sz;
    if (setsockopt(l->fd, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)) != 0) {
        DWCS_DEBUG("amst: sizing the socket buffer failed: %m");
        return;
    }
    DWCS_DEBUG("amst: lane %u: RTT %.1f ms, SO_SNDBUF %zu bytes", (unsigned)l->id,
               ti.tcpi_rtt / 1e3, sz);
}

static void lane_link(amst_iface_t *ifc, amst_lane_t *l)
{
    l->next = ifc->lanes;
    ifc->lanes = l;
}

/* Start a non-blocking connect to address l->addr_idx or later ones. */
static dwcs_status_t lane_connect(amst_lane_t *l)
{
    amst_peer_t *p = l->peer;
    amst_iface_t *ifc = l->iface;
    for (; l->addr_idx < p->naddrs; l->addr_idx++) {
        l->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (l->fd < 0) {
            DWCS_ERROR("amst: socket() failed: %m");
            return DWCS_ERR_IO;
        }
        sock_setup(l);
        const struct sockaddr_in *sa = &p->addrs[l->addr_idx];
        if (connect(l->fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0 ||
            errno == EINPROGRESS) {
            struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.ptr = l};
            if (epoll_ctl(ifc->epfd, EPOLL_CTL_ADD, l->fd, &ev) != 0) {
                DWCS_ERROR("amst: epoll_ctl(ADD) failed: %m");
                close(l->fd);
                l->fd = -1;
                return DWCS_ERR_IO;
            }
            l->events = ev.events;
            l->state = AMST_LS_CONNECTING;
            l->deadline = amst_now() + ifc->cfg.connect_timeout;
            return DWCS_OK;
        }
        char ip[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &sa->sin_addr, ip, sizeof(ip));
        DWCS_DEBUG("amst: connect to rank %d at %s:%u failed: %m", p->rank, ip,
                   (unsigned)ntohs(sa->sin_port));
        close(l->fd);
        l->fd = -1;
        if (p->good_addr >= 0) {
            break;
        }
    }
    return DWCS_ERR_UNREACHABLE;
}

amst_lane_t *amst_lane_open(amst_iface_t *ifc, amst_peer_t *p, int kind)
{
    amst_lane_t *l = calloc(1, sizeof(*l));
    if (l == NULL) {
        return NULL;
    }
    l->iface = ifc;
    l->peer = p;
    l->kind = kind;
    l->initiator = 1;
    l->id = p->next_lane_id++;
    l->remote_rank = p->rank;
    l->fd = -1;
    l->addr_idx = p->good_addr >= 0 ? p->good_addr : 0;
    if (lane_connect(l) != DWCS_OK) {
        DWCS_WARN("amst: cannot connect to rank %d (%d addresses tried)", p->rank, p->naddrs);
        free(l);
        return NULL;
    }
    lane_link(ifc, l);
    return l;
}

amst_lane_t *amst_lane_accept(amst_iface_t *ifc, int fd)
{
    amst_lane_t *l = calloc(1, sizeof(*l));
    if (l == NULL) {
        return NULL;
    }
    l->iface = ifc;
    l->fd = fd;
    l->remote_rank = -1;
    l->state = AMST_LS_WAIT_HELLO;
    l->deadline = amst_now() + ifc->cfg.connect_timeout;
    sock_setup(l);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = l};
    if (epoll_ctl(ifc->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
        DWCS_ERROR("amst: epoll_ctl(ADD) failed: %m");
        free(l);
        return NULL;
    }
    l->events = EPOLLIN;
    lane_link(ifc, l);
    return l;
}


static void send_hs(amst_lane_t *l, uint8_t type, const void *pl, size_t len)
{
    amst_frame_t f = {.type = type, .src = (uint32_t)l->iface->rank};
    struct iovec iov = {(void *)pl, len};
    free(l->hs);
    l->hs = amst_txbuf_frame(&f, NULL, 0, &iov, 1);
    if (l->hs == NULL) {
        amst_lane_fail(l, DWCS_ERR_NO_MEMORY, "no memory for a handshake frame");
    }
}

static void random_bytes(uint8_t *p, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t k = getrandom(p + got, n - got, 0);
        if (k <= 0) {
            /* Never expected; fall back to time-based bytes rather than fail. */
            uint64_t t = (uint64_t)(amst_now() * 1e9) ^ (uint64_t)getpid() << 32;
            for (; got < n; got++) {
                t = t * 6364136223846793005ull + 1442695040888963407ull;
                p[got] = (uint8_t)(t >> 56);
            }
            return;
        }
        got += (size_t)k;
    }
}

void amst_lane_connected(amst_lane_t *l)
{
    int err = 0;
    socklen_t el = sizeof(err);
    if (getsockopt(l->fd, SOL_SOCKET, SO_ERROR, &err, &el) != 0) {
        err = errno;
    }
    amst_peer_t *p = l->peer;
    if (err != 0) {
        DWCS_DEBUG("amst: connect to rank %d (address %d) failed: %s", p->rank, l->addr_idx,
                   strerror(err));
        epoll_ctl(l->iface->epfd, EPOLL_CTL_DEL, l->fd, NULL);
        close(l->fd);
        l->fd = -1;
        if (p->good_addr < 0) {
            l->addr_idx++;
            if (lane_connect(l) == DWCS_OK) {
                return;
            }
        }
        amst_lane_fail(l, DWCS_ERR_UNREACHABLE, "connection refused or unreachable");
        return;
    }
    if (p->good_addr < 0) {
        p->good_addr = l->addr_idx;
    }
    amst_hello_t h = {.dst_rank = (uint32_t)p->rank,
                      .kind = (uint8_t)l->kind,
                      .variant = (uint8_t)l->iface->tcp1,
                      .lane_id = l->id};
    random_bytes(h.nonce, AMST_NONCE_LEN);
    memcpy(l->nonce_c, h.nonce, AMST_NONCE_LEN);
    uint8_t pl[AMST_HELLO_LEN];
    amst_hello_pack(&h, pl);
    l->state = AMST_LS_WAIT_CHAL;
    send_hs(l, AMST_F_HELLO, pl, sizeof(pl));
}

/* Handshake frames (declared in amst_internal.h). */
int amst_lane_handshake(amst_lane_t *l, const uint8_t *pl)
{
    amst_iface_t *ifc = l->iface;
    const amst_frame_t *f = &l->rf;
    uint8_t mac[AMST_MAC_LEN];
    if (f->type == AMST_F_HELLO) {
        amst_hello_t h;
        amst_hello_unpack(pl, &h);
        if (h.dst_rank != (uint32_t)ifc->rank || f->src >= (uint32_t)ifc->size ||
            h.variant != (uint8_t)ifc->tcp1) {
            DWCS_ERROR("amst: rejecting a connection: HELLO for rank %u from rank %u, variant %u "
                       "(we are rank %d of %d, variant %d)",
                       h.dst_rank, f->src, h.variant, ifc->rank, ifc->size, ifc->tcp1);
            amst_lane_close(l);
            return -1;
        }
        l->remote_rank = (int)f->src;
        l->kind = h.kind;
        l->id = h.lane_id;
        memcpy(l->nonce_c, h.nonce, AMST_NONCE_LEN);
        random_bytes(l->nonce_s, AMST_NONCE_LEN);
        uint8_t out[AMST_CHALLENGE_LEN];
        memcpy(out, l->nonce_s, AMST_NONCE_LEN);
        amst_auth_mac(&ifc->key, 'S', l->nonce_c, l->nonce_s, f->src, (uint32_t)ifc->rank, l->id,
                      (uint8_t)l->kind, out + AMST_NONCE_LEN);
        l->state = AMST_LS_WAIT_AUTH;
        send_hs(l, AMST_F_CHALLENGE, out, sizeof(out));
        return 0;
    }
    if (f->type == AMST_F_CHALLENGE) {
        memcpy(l->nonce_s, pl, AMST_NONCE_LEN);
        amst_auth_mac(&ifc->key, 'S', l->nonce_c, l->nonce_s, (uint32_t)ifc->rank,
                      (uint32_t)l->peer->rank, l->id, (uint8_t)l->kind, mac);
        if (f->src != (uint32_t)l->peer->rank || !amst_mac_equal(mac, pl + AMST_NONCE_LEN)) {
            DWCS_ERROR("amst: authentication failed: the process at rank %d's address did not "
                       "prove the job secret (check DWCP_JOB_SECRET / PMIX_NAMESPACE)",
                       l->peer->rank);
            amst_lane_fail(l, DWCS_ERR_AUTH, "authentication failed");
            return -1;
        }
        amst_auth_mac(&ifc->key, 'C', l->nonce_c, l->nonce_s, (uint32_t)ifc->rank,
                      (uint32_t)l->peer->rank, l->id, (uint8_t)l->kind, mac);
        send_hs(l, AMST_F_AUTH, mac, sizeof(mac));
        l->state = AMST_LS_READY;
        l->deadline = 0;
        if (l->kind == AMST_LANE_BULK) {
            amst_lane_size_buffers(l);
            amst_pba_lane_ready(l);
            amst_tx_pacing(l->peer);
        }
        amst_peer_kick(l->peer);
        return 0;
    }
    /* AUTH */
    amst_auth_mac(&ifc->key, 'C', l->nonce_c, l->nonce_s, (uint32_t)l->remote_rank,
                  (uint32_t)ifc->rank, l->id, (uint8_t)l->kind, mac);
    if (!amst_mac_equal(mac, pl)) {
        DWCS_ERROR("amst: authentication failed for a connection claiming rank %d (lane %u): "
                   "wrong job secret; closing it",
                   l->remote_rank, (unsigned)l->id);
        amst_lane_close(l);
        return -1;
    }
    l->state = AMST_LS_READY;
    l->deadline = 0;
    amst_peer_t *p = amst_peer_get(ifc, l->remote_rank);
    if (p == NULL) {
        amst_lane_fail(l, DWCS_ERR_NO_MEMORY, "no memory");
        return -1;
    }
    l->peer = p;
    if (l->kind != AMST_LANE_BULK) {
        if (p->in_lat != NULL && p->in_lat != l) {
            /* A reconnect: messages on the old lane set are lost. */
            amst_lane_t *old = p->in_lat;
            p->in_lat = NULL;
            amst_lane_close(old);
            amst_rx_peer_lost(ifc, l->remote_rank);
        }
        p->in_lat = l;
    }
    return 0;
}

/* Is a frame of @p type acceptable on @p l now (checked before reading its payload)? */
void amst_lane_timer(amst_lane_t *l, double now)
{
    if (l->deadline == 0 || now < l->deadline) {
        return;
    }
    if (l->state == AMST_LS_CONNECTING && l->peer->good_addr < 0 &&
        l->addr_idx + 1 < l->peer->naddrs) {
        DWCS_DEBUG("amst: connect to rank %d address %d timed out, trying the next",
                   l->remote_rank, l->addr_idx);
        epoll_ctl(l->iface->epfd, EPOLL_CTL_DEL, l->fd, NULL);
        close(l->fd);
        l->fd = -1;
        l->addr_idx++;
        if (lane_connect(l) == DWCS_OK) {
            return;
        }
    }
    l->deadline = 0;
    amst_lane_fail(l, DWCS_ERR_TIMEOUT,
                   l->state == AMST_LS_DRAINING ? "drain timed out" : "connect/handshake timed out");
}
