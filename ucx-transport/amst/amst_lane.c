/*
 * amst_lane.c — one TCP connection ("lane") once open: the frame reader and writer state
 * machines, closing and failure handling. Opening and the handshake are in amst_conn.c; what
 * frames mean is decided in amst_tx.c / amst_rx.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
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
    if (l->kind == AMST_LANE_BULK && p->lat != NULL && p->lat->state == AMST_LS_READY) {
        /* Take in the acks already received first: a peer that got everything and exited
         * closes its bulk lanes before we read its last acks. */
        amst_lane_read(p->lat);
        if (l->state == AMST_LS_CLOSED) {
            return;
        }
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
        ret = amst_lane_handshake(l, pl);
        break;
    case AMST_F_MSG:
        if (l->peer != NULL) {
            l->peer->pba_small++; /* latency-sensitive traffic on this path (PBA pacing) */
        }
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

/* Test hook armed: one bulk lane is to be reset once enough bulk bytes went out. */
static int test_armed(const amst_lane_t *l)
{
    const amst_iface_t *ifc = l->iface;
    return ifc->cfg.test_kill_after != 0 && !ifc->kill_done && l->kind == AMST_LANE_BULK &&
           ifc->bulk_bytes >= ifc->cfg.test_kill_after;
}

/* Test hook: reset one bulk lane in the middle of a chunk. */
static int test_kill(amst_lane_t *l)
{
    amst_iface_t *ifc = l->iface;
    if (!test_armed(l) || l->csent >= l->clen) {
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
    size_t budget = AMST_TX_BUDGET;
    for (;;) {
        if (budget == 0) {
            lane_want(l, 1); /* more next time: keep progress() calls short */
            return;
        }
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
        } else if (ready && l->txq_head != NULL && l->cmsg == NULL) {
            /* (a chunk already started is finished first: frames never interleave) */
            for (amst_txbuf_t *b = l->txq_head; b != NULL && n < AMST_TXQ_BATCH; b = b->next) {
                iov[n].iov_base = b->data + b->off;
                iov[n].iov_len = b->len - b->off;
                want += iov[n++].iov_len;
            }
        } else if (l->cmsg != NULL || (l->state == AMST_LS_READY && l->initiator &&
                                         l->kind != AMST_LANE_LAT &&
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
            if (test_armed(l) && want > 1) {
                /* Write half of what is left so the hook fires in the middle of a chunk. */
                size_t keep = want / 2, acc = 0, k = 0;
                for (; k < n && acc + iov[k].iov_len < keep; k++) {
                    acc += iov[k].iov_len;
                }
                iov[k].iov_len = keep - acc;
                n = k + 1;
                want = keep;
            }
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
        budget -= done < budget ? done : budget;
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
            amst_lane_connected(l);
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
