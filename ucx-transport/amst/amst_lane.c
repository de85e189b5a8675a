/*
 * amst_lane.c — one TCP connection ("lane"): non-blocking connect over the peer's address
 * list, socket options per lane kind, the authenticated handshake, and the frame reader and
 * writer state machines. What frames mean is decided in amst_tx.c / amst_rx.c.
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

static const char *state_name(int s)
{
    static const char *const n[] = {"connecting", "wait-challenge", "wait-hello",
                                    "wait-auth",  "ready",          "draining", "closed"};
    return (s >= 0 && s <= AMST_LS_CLOSED) ? n[s] : "?";
}

static void lane_want(amst_lane_t *l, int out)
{
    uint32_t ev = (l->parked ? 0 : EPOLLIN) | (out ? EPOLLOUT : 0);
    amst_lane_events(l, ev);
}

amst_txbuf_t *amst_txbuf_frame(const amst_frame_t *f, const void *pre, size_t prelen,
                               const struct iovec *iov, size_t iovcnt)
{
    size_t plen = prelen;
    for (size_t i = 0; i < iovcnt; i++) {
        plen += iov[i].iov_len;
    }
    amst_txbuf_t *b = malloc(sizeof(*b) + AMST_HDR_LEN + plen);
    if (b == NULL) {
        return NULL;
    }
    b->next = NULL;
    b->comp = NULL;
    b->len = AMST_HDR_LEN + plen;
    b->off = 0;
    uint8_t *q = b->data + AMST_HDR_LEN;
    if (prelen > 0) {
        memcpy(q, pre, prelen);
        q += prelen;
    }
    for (size_t i = 0; i < iovcnt; i++) {
        if (iov[i].iov_len > 0) {
            memcpy(q, iov[i].iov_base, iov[i].iov_len);
            q += iov[i].iov_len;
        }
    }
    amst_frame_t h = *f;
    h.length = (uint32_t)plen;
    struct iovec one = {b->data + AMST_HDR_LEN, plen};
    amst_frame_encode(&h, &one, 1, b->data);
    return b;
}

void amst_lane_push(amst_lane_t *l, amst_txbuf_t *b)
{
    if (l->txq_tail != NULL) {
        l->txq_tail->next = b;
    } else {
        l->txq_head = b;
    }
    l->txq_tail = b;
}

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
        set_cc(l->fd, c->cc_bulk, "cubic");
        if (c->sockbuf > 0) {
            int sz = (int)c->sockbuf;
            setsockopt(l->fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
            setsockopt(l->fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
        }
    } else {
        set_cc(l->fd, "cubic", NULL); /* tcp1 baseline: cubic, default buffers */
    }
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

void amst_lane_close(amst_lane_t *l)
{
    if (l->state == AMST_LS_CLOSED) {
        return;
    }
    amst_iface_t *ifc = l->iface;
    if (l->fd >= 0) {
        epoll_ctl(ifc->epfd, EPOLL_CTL_DEL, l->fd, NULL);
        close(l->fd);
        l->fd = -1;
    }
    l->state = AMST_LS_CLOSED;
    if (l->in_payload && l->rf.type == AMST_F_DATA && l->rmsg != NULL) {
        amst_rx_data_end(l, 0);
    }
    free(l->rbuf);
    l->rbuf = NULL;
    free(l->hs);
    l->hs = NULL;
    while (l->txq_head != NULL) {
        amst_txbuf_t *b = l->txq_head;
        l->txq_head = b->next;
        amst_comp_defer(ifc, b->comp, DWCS_ERR_CONN_RESET);
        free(b);
    }
    l->txq_tail = NULL;
    if (l->cmsg != NULL) {
        l->cmsg->writers--;
        l->cmsg = NULL;
    }
    if (l->parked) {
        l->parked = 0;
        ifc->nparked--;
    }
    amst_peer_t *p = l->peer;
    if (p != NULL) {
        if (p->lat == l) {
            p->lat = NULL;
        }
        if (p->in_lat == l) {
            p->in_lat = NULL;
        }
        for (int i = 0; i < AMST_MAX_LANES; i++) {
            if (p->bulk[i] == l) {
                p->bulk[i] = NULL;
            }
        }
    }
}

void amst_lane_fail(amst_lane_t *l, dwcs_status_t st, const char *why)
{
    if (l->state == AMST_LS_CLOSED) {
        return;
    }
    amst_peer_t *p = l->peer;
    int idle = st == DWCS_ERR_CONN_RESET && !l->in_payload && l->rhdr_got == 0 &&
               l->txq_head == NULL && l->cmsg == NULL && p != NULL && p->tx_head == NULL;
    int quiet = l->state == AMST_LS_DRAINING || (l->initiator && idle) ||
                (!l->initiator && st == DWCS_ERR_CONN_RESET && !l->in_payload &&
                 l->state == AMST_LS_READY);
    if (quiet) {
        DWCS_DEBUG("amst: lane %u (%s) with rank %d closed: %s", (unsigned)l->id,
                   l->initiator ? "out" : "in", l->remote_rank, why);
    } else {
        DWCS_WARN("amst: lane %u (%s, kind %d, %s) with rank %d failed: %s", (unsigned)l->id,
                  l->initiator ? "out" : "in", l->kind, state_name(l->state), l->remote_rank,
                  why);
    }
    if (!l->initiator) {
        int was_lat = p != NULL && p->in_lat == l;
        int src = l->remote_rank;
        amst_lane_close(l);
        if (was_lat) {
            amst_rx_peer_lost(l->iface, src);
        }
        return;
    }
    if (l->kind == AMST_LANE_BULK && l->state != AMST_LS_DRAINING) {
        amst_tx_lane_lost(l);
        amst_lane_close(l);
        p->bulk_failures++;
        amst_peer_kick(p);
        return;
    }
    if (l->kind == AMST_LANE_BULK) {
        amst_tx_lane_lost(l);
        amst_lane_close(l);
        amst_peer_kick(p);
        return;
    }
    amst_peer_fail(p, st); /* closes this lane too, failing its queue with @p st */
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

static void connected(amst_lane_t *l)
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

/* Handshake frames. Returns 0 to continue, -1 if the lane was closed. */
static int on_handshake(amst_lane_t *l, const uint8_t *pl)
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
static int type_allowed(const amst_lane_t *l, int type)
{
    switch (l->state) {
    case AMST_LS_WAIT_HELLO:
        return type == AMST_F_HELLO;
    case AMST_LS_WAIT_AUTH:
        return type == AMST_F_AUTH;
    case AMST_LS_WAIT_CHAL:
        return type == AMST_F_CHALLENGE;
    case AMST_LS_READY:
    case AMST_LS_DRAINING:
        break;
    default:
        return 0;
    }
    int lat = l->kind == AMST_LANE_LAT || l->kind == AMST_LANE_SINGLE;
    int bulk = l->kind == AMST_LANE_BULK || l->kind == AMST_LANE_SINGLE;
    switch (type) {
    case AMST_F_MSG:
    case AMST_F_ANNOUNCE:
        return !l->initiator && lat;
    case AMST_F_DATA:
        return !l->initiator && bulk;
    case AMST_F_ACK:
        return l->initiator && lat;
    case AMST_F_BYE:
        return !l->initiator;
    default:
        return 0;
    }
}

/* A complete frame (header + payload) arrived. Returns -1 if the lane was closed. */
static int frame_done(amst_lane_t *l)
{
    amst_frame_t *f = &l->rf;
    const uint8_t *pl = l->rdst == AMST_RXD_OWN ? l->rbuf : NULL;
    int ok = amst_payload_check(f, pl, l->rcrc) == DWCS_OK;
    int ret = 0;
    l->in_payload = 0;
    l->rhdr_got = 0;
    if (f->type == AMST_F_DATA) {
        amst_rx_data_end(l, ok);
    }
    if (!ok) {
        amst_lane_fail(l, DWCS_ERR_PROTOCOL, "frame checksum or payload check failed");
        return -1;
    }
    switch (f->type) {
    case AMST_F_HELLO:
    case AMST_F_CHALLENGE:
    case AMST_F_AUTH:
        ret = on_handshake(l, pl);
        break;
    case AMST_F_MSG:
        amst_rx_small(l);
        break;
    case AMST_F_ANNOUNCE:
        amst_rx_announce(l, pl);
        break;
    case AMST_F_ACK:
        amst_tx_ack(l->peer, f->msg_id);
        break;
    case AMST_F_BYE:
        DWCS_DEBUG("amst: rank %d closed lane %u", l->remote_rank, (unsigned)l->id);
        amst_lane_close(l);
        ret = -1;
        break;
    default:
        break;
    }
    free(l->rbuf);
    l->rbuf = NULL;
    return l->state == AMST_LS_CLOSED ? -1 : ret;
}

static void read_eof(amst_lane_t *l)
{
    if (l->state == AMST_LS_DRAINING && l->initiator) {
        DWCS_DEBUG("amst: drained lane %u to rank %d closed", (unsigned)l->id, l->remote_rank);
        amst_lane_close(l);
        return;
    }
    amst_lane_fail(l, DWCS_ERR_CONN_RESET,
                   l->in_payload || l->rhdr_got > 0 ? "connection closed mid-frame"
                                                    : "connection closed by peer");
}

void amst_lane_read(amst_lane_t *l)
{
    amst_iface_t *ifc = l->iface;
    size_t budget = AMST_RX_BUDGET;
    while (l->state != AMST_LS_CLOSED && !l->parked && budget > 0) {
        if (!l->in_payload) {
            ssize_t n = recv(l->fd, l->rhdr + l->rhdr_got, AMST_HDR_LEN - l->rhdr_got, 0);
            if (n <= 0) {
                if (n == 0) {
                    read_eof(l);
                } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                    amst_lane_fail(l, DWCS_ERR_CONN_RESET, strerror(errno));
                }
                return;
            }
            l->rhdr_got += (size_t)n;
            if (l->rhdr_got < AMST_HDR_LEN) {
                continue;
            }
            if (amst_hdr_decode(l->rhdr, AMST_HDR_LEN, &l->rf) != DWCS_OK) {
                amst_lane_fail(l, DWCS_ERR_PROTOCOL, "malformed frame header");
                return;
            }
            if (!type_allowed(l, l->rf.type) ||
                (l->state == AMST_LS_READY && !l->initiator &&
                 l->rf.src != (uint32_t)l->remote_rank) ||
                (l->state != AMST_LS_READY && l->rf.length > AMST_CHALLENGE_LEN)) {
                char why[96];
                snprintf(why, sizeof(why), "unexpected frame (type %u, src %u, %u bytes)",
                         (unsigned)l->rf.type, (unsigned)l->rf.src, (unsigned)l->rf.length);
                amst_lane_fail(l, DWCS_ERR_PROTOCOL, why);
                return;
            }
            l->in_payload = 1;
            l->rgot = 0;
            l->rcrc = amst_crc32c(0, l->rhdr, 60);
            l->rmsg = NULL;
            if (l->rf.type == AMST_F_DATA) {
                l->rdst = AMST_RXD_PENDING;
            } else {
                l->rdst = AMST_RXD_OWN;
                l->rbuf = malloc(l->rf.length > 0 ? l->rf.length : 1);
                l->rptr = l->rbuf;
                if (l->rbuf == NULL) {
                    amst_lane_fail(l, DWCS_ERR_NO_MEMORY, "no memory for a frame");
                    return;
                }
            }
        }
        if (l->rdst == AMST_RXD_PENDING) {
            int r = amst_rx_data_begin(l);
            if (r != 0) {
                return; /* parked, or failed */
            }
        }
        if (l->rgot < l->rf.length) {
            size_t want = l->rf.length - l->rgot;
            uint8_t *dst;
            if (l->rdst == AMST_RXD_DISCARD) {
                dst = ifc->scratch;
                want = want < (1u << 16) ? want : (1u << 16);
            } else {
                dst = l->rptr + l->rgot;
            }
            ssize_t n = recv(l->fd, dst, want, 0);
            if (n <= 0) {
                if (n == 0) {
                    read_eof(l);
                } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                    amst_lane_fail(l, DWCS_ERR_CONN_RESET, strerror(errno));
                }
                return;
            }
            l->rcrc = amst_crc32c(l->rcrc, dst, (size_t)n);
            l->rgot += (size_t)n;
            budget -= (size_t)n < budget ? (size_t)n : budget;
        }
        if (l->rgot == l->rf.length && frame_done(l) < 0) {
            return;
        }
    }
}

/* Test hook: reset one bulk lane in the middle of a chunk once enough bulk bytes went out. */
static int test_kill(amst_lane_t *l)
{
    amst_iface_t *ifc = l->iface;
    if (ifc->cfg.test_kill_after == 0 || ifc->kill_done || l->kind != AMST_LANE_BULK ||
        ifc->bulk_bytes < ifc->cfg.test_kill_after || l->csent >= l->clen) {
        return 0;
    }
    ifc->kill_done = 1;
    struct linger lg = {.l_onoff = 1, .l_linger = 0};
    setsockopt(l->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)); /* close sends RST */
    amst_lane_fail(l, DWCS_ERR_CONN_RESET, "killed by the amst_test_kill_after test hook");
    return 1;
}

/* Write queued frames / the current chunk until the socket is full or nothing is left. */
void amst_lane_write(amst_lane_t *l)
{
    for (;;) {
        if (l->state == AMST_LS_CLOSED || l->state == AMST_LS_CONNECTING) {
            return;
        }
        struct iovec iov[AMST_TXQ_BATCH];
        size_t n = 0;
        size_t want = 0;
        int chunk = 0;
        int ready = l->state == AMST_LS_READY || l->state == AMST_LS_DRAINING;
        if (l->hs != NULL) {
            iov[n].iov_base = l->hs->data + l->hs->off;
            iov[n].iov_len = l->hs->len - l->hs->off;
            want += iov[n++].iov_len;
        } else if (ready && l->txq_head != NULL) {
            for (amst_txbuf_t *b = l->txq_head; b != NULL && n < AMST_TXQ_BATCH; b = b->next) {
                iov[n].iov_base = b->data + b->off;
                iov[n].iov_len = b->len - b->off;
                want += iov[n++].iov_len;
            }
        } else if (l->cmsg != NULL || (l->state == AMST_LS_READY && l->kind != AMST_LANE_LAT &&
                                         amst_tx_next_chunk(l))) {
            chunk = 1;
            /* Header remainder, then the payload pieces from the message's iov. */
            size_t pos = l->csent;
            if (pos < AMST_HDR_LEN) {
                iov[n].iov_base = l->chdr + pos;
                iov[n++].iov_len = AMST_HDR_LEN - pos;
                pos = AMST_HDR_LEN;
            }
            uint64_t off = (uint64_t)l->cidx * l->cmsg->chunk + (pos - AMST_HDR_LEN);
            uint64_t end = (uint64_t)l->cidx * l->cmsg->chunk + (l->clen - AMST_HDR_LEN);
            uint64_t base = 0;
            for (size_t i = 0; i < l->cmsg->iovcnt && off < end && n < AMST_TXQ_BATCH; i++) {
                uint64_t ilen = l->cmsg->iov[i].iov_len;
                if (off < base + ilen) {
                    uint64_t s = off - base;
                    uint64_t e = (end < base + ilen ? end : base + ilen) - base;
                    iov[n].iov_base = (uint8_t *)l->cmsg->iov[i].iov_base + s;
                    iov[n++].iov_len = e - s;
                    off = base + e;
                }
                base += ilen;
            }
            want = l->clen - l->csent;
        } else if (l->state == AMST_LS_DRAINING && !l->bye_queued) {
            amst_frame_t f = {.type = AMST_F_BYE, .src = (uint32_t)l->iface->rank};
            amst_txbuf_t *b = amst_txbuf_frame(&f, NULL, 0, NULL, 0);
            l->bye_queued = 1;
            if (b != NULL) {
                amst_lane_push(l, b);
                continue;
            }
            shutdown(l->fd, SHUT_WR);
            lane_want(l, 0);
            return;
        } else {
            if (l->state == AMST_LS_DRAINING && l->bye_queued) {
                shutdown(l->fd, SHUT_WR);
            }
            lane_want(l, 0);
            return;
        }
        struct msghdr mh = {.msg_iov = iov, .msg_iovlen = n};
        ssize_t w = sendmsg(l->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
                lane_want(l, 1);
                return;
            }
            amst_lane_fail(l, DWCS_ERR_CONN_RESET, strerror(errno));
            return;
        }
        size_t done = (size_t)w;
        if (chunk) {
            l->csent += done;
            l->iface->bulk_bytes += done;
            if (test_kill(l)) {
                return;
            }
            if (l->csent == l->clen) {
                amst_tx_chunk_done(l);
                continue;
            }
        } else if (l->hs != NULL) {
            l->hs->off += done;
            if (l->hs->off == l->hs->len) {
                free(l->hs);
                l->hs = NULL;
                continue;
            }
        } else {
            while (done > 0 && l->txq_head != NULL) {
                amst_txbuf_t *b = l->txq_head;
                size_t k = b->len - b->off;
                if (done < k) {
                    b->off += done;
                    break;
                }
                done -= k;
                l->txq_head = b->next;
                if (l->txq_head == NULL) {
                    l->txq_tail = NULL;
                }
                amst_comp_defer(l->iface, b->comp, DWCS_OK);
                free(b);
            }
        }
        if ((size_t)w < want) {
            lane_want(l, 1); /* the socket is full */
            return;
        }
    }
}

void amst_lane_handle(amst_lane_t *l, uint32_t ev)
{
    if (l->state == AMST_LS_CONNECTING) {
        if (ev & (EPOLLOUT | EPOLLERR | EPOLLHUP)) {
            connected(l);
            if (l->state != AMST_LS_CLOSED && l->state != AMST_LS_CONNECTING) {
                amst_lane_write(l);
            }
        }
        return;
    }
    if (ev & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
        amst_lane_read(l);
    }
    if (l->state != AMST_LS_CLOSED && (ev & EPOLLOUT)) {
        amst_lane_write(l);
    } else if (l->state != AMST_LS_CLOSED && l->hs != NULL) {
        amst_lane_write(l); /* a handshake answer produced by the read above */
    }
}

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
