/*
 * amst_tx.c — the sending side: peers and their lane sets, small sends on the latency lane,
 * large sends cut into chunks handed to whichever bulk lane can take one now, acks, resend
 * after a lane failure, lane-count adaptation and pacing.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "amst_internal.h"
#include "dwcs_log.h"

#define AMST_MAX_BULK_FAILURES 8

amst_peer_t *amst_peer_get(amst_iface_t *ifc, int rank)
{
    if (rank < 0 || rank >= ifc->size) {
        return NULL;
    }
    amst_peer_t *p = ifc->peers[rank];
    if (p == NULL) {
        p = calloc(1, sizeof(*p));
        if (p == NULL) {
            return NULL;
        }
        p->rank = rank;
        p->good_addr = -1;
        p->target = ifc->cfg.init_lanes;
        p->next_msg_id = 1;
        amst_pba_peer_init(ifc, p);
        ifc->peers[rank] = p;
    }
    return p;
}

/* Parse "amst1 <port> <ip> ..." into p->addrs. */
static dwcs_status_t parse_addr(amst_peer_t *p, const char *txt)
{
    char *copy = strdup(txt);
    if (copy == NULL) {
        return DWCS_ERR_NO_MEMORY;
    }
    char *save = NULL;
    char *tok = strtok_r(copy, " ", &save);
    char *port_s = strtok_r(NULL, " ", &save);
    char *end = NULL;
    unsigned long port = port_s ? strtoul(port_s, &end, 10) : 0;
    if (tok == NULL || strcmp(tok, "amst1") != 0 || port == 0 || port > 65535 || *end != '\0') {
        free(copy);
        return DWCS_ERR_PROTOCOL;
    }
    free(p->addrs);
    p->addrs = NULL;
    p->naddrs = 0;
    while ((tok = strtok_r(NULL, " ", &save)) != NULL) {
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
        if (inet_pton(AF_INET, tok, &sa.sin_addr) != 1) {
            continue;
        }
        void *n = realloc(p->addrs, (size_t)(p->naddrs + 1) * sizeof(sa));
        if (n == NULL) {
            break;
        }
        p->addrs = n;
        p->addrs[p->naddrs++] = sa;
    }
    free(copy);
    return p->naddrs > 0 ? DWCS_OK : DWCS_ERR_PROTOCOL;
}

dwcs_status_t amst_peer_connect(amst_iface_t *ifc, amst_peer_t *p)
{
    if (p->state == AMST_PS_UP && p->lat != NULL) {
        return DWCS_OK;
    }
    if (p->naddrs == 0) {
        void *val = NULL;
        size_t len = 0;
        dwcs_status_t st = ifc->boot.lookup(ifc->boot.arg, p->rank, "amst.addr", &val, &len);
        if (st != DWCS_OK) {
            DWCS_ERROR("amst: cannot look up rank %d's address: %s", p->rank,
                       dwcs_status_string(st));
            return st;
        }
        char *txt = malloc(len + 1);
        if (txt == NULL) {
            free(val);
            return DWCS_ERR_NO_MEMORY;
        }
        memcpy(txt, val, len);
        txt[len] = '\0';
        free(val);
        st = parse_addr(p, txt);
        if (st != DWCS_OK) {
            DWCS_ERROR("amst: rank %d published a malformed address \"%s\"", p->rank, txt);
        }
        free(txt);
        if (st != DWCS_OK) {
            return st;
        }
    }
    if (p->state == AMST_PS_FAILED) {
        DWCS_INFO("amst: reconnecting to rank %d", p->rank);
        p->good_addr = -1;
    }
    p->bulk_failures = 0;
    p->target = ifc->cfg.init_lanes;
    p->lat = amst_lane_open(ifc, p, ifc->tcp1 ? AMST_LANE_SINGLE : AMST_LANE_LAT);
    if (p->lat == NULL) {
        p->state = AMST_PS_FAILED;
        return DWCS_ERR_UNREACHABLE;
    }
    p->state = AMST_PS_UP;
    return DWCS_OK;
}

static void txmsg_free(amst_txmsg_t *m)
{
    if (m->copy != NULL) {
        m->ifc->copy_bytes -= (size_t)m->total;
        free(m->copy);
    }
    free(m->chunk_lane);
    free(m->resend);
    free(m->iov);
    free(m);
}

static void txmsg_finish(amst_peer_t *p, amst_txmsg_t *m, amst_iface_t *ifc)
{
    amst_txmsg_t **pp = &p->tx_head;
    amst_txmsg_t *prev = NULL;
    while (*pp != NULL && *pp != m) {
        prev = *pp;
        pp = &(*pp)->next;
    }
    if (*pp == m) {
        *pp = m->next;
        if (p->tx_tail == m) {
            p->tx_tail = prev;
        }
    }
    amst_comp_defer(ifc, m->comp, DWCS_OK);
    txmsg_free(m);
}

void amst_peer_fail(amst_peer_t *p, dwcs_status_t st)
{
    amst_iface_t *ifc = NULL;
    /* Find the iface through any lane or message (peers do not keep a back pointer). */
    amst_lane_t *any = p->lat;
    for (int i = 0; any == NULL && i < AMST_MAX_LANES; i++) {
        any = p->bulk[i];
    }
    if (any == NULL && p->in_lat != NULL) {
        any = p->in_lat;
    }
    if (any != NULL) {
        ifc = any->iface;
    }
    int had_work = p->tx_head != NULL;
    if (p->state == AMST_PS_UP && st != DWCS_ERR_CANCELED &&
        (had_work || st != DWCS_ERR_CONN_RESET)) {
        DWCS_WARN("amst: connection to rank %d lost (%s)%s", p->rank, dwcs_status_string(st),
                  had_work ? "; failing its pending sends" : "");
    }
    p->state = AMST_PS_FAILED;
    p->fail_status = st;
    if (ifc != NULL) {
        for (amst_lane_t *l = ifc->lanes; l != NULL; l = l->next) {
            if (l->initiator && l->peer == p && l->state != AMST_LS_CLOSED) {
                while (l->txq_head != NULL) {
                    amst_txbuf_t *b = l->txq_head;
                    l->txq_head = b->next;
                    amst_comp_defer(ifc, b->comp, st);
                    free(b);
                }
                l->txq_tail = NULL;
                amst_lane_close(l);
            }
        }
    }
    unsigned lost = 0;
    while (p->tx_head != NULL) {
        amst_txmsg_t *m = p->tx_head;
        p->tx_head = m->next;
        if (ifc != NULL) {
            amst_comp_defer(ifc, m->comp, st);
        }
        lost += m->copy != NULL && !m->acked;
        txmsg_free(m);
    }
    p->tx_tail = NULL;
    if (lost > 0 && st != DWCS_ERR_CANCELED) {
        DWCS_WARN("amst: %u buffered sends to rank %d (already complete for the application) "
                  "were not delivered: %s", lost, p->rank, dwcs_status_string(st));
    }
}

int amst_tx_backlog(const amst_peer_t *p)
{
    for (const amst_txmsg_t *m = p->tx_head; m != NULL; m = m->next) {
        if (!m->acked && (m->nresend > 0 || m->next_chunk < m->nchunks)) {
            return 1;
        }
    }
    return 0;
}

static int count_bulk(const amst_peer_t *p, int ready_only)
{
    int n = 0;
    for (int i = 0; i < AMST_MAX_LANES; i++) {
        if (p->bulk[i] != NULL && (!ready_only || p->bulk[i]->state == AMST_LS_READY)) {
            n++;
        }
    }
    return n;
}

void amst_peer_kick(amst_peer_t *p)
{
    if (p->state != AMST_PS_UP || p->lat == NULL) {
        return;
    }
    amst_iface_t *ifc = p->lat->iface;
    amst_lane_write(p->lat);
    if (ifc->tcp1 || p->state != AMST_PS_UP) {
        return;
    }
    if (amst_tx_backlog(p)) {
        int live = count_bulk(p, 0);
        if (live == 0 && p->bulk_failures > AMST_MAX_BULK_FAILURES) {
            DWCS_ERROR("amst: %d bulk lanes to rank %d failed in a row; giving up",
                       p->bulk_failures, p->rank);
            amst_peer_fail(p, DWCS_ERR_CONN_RESET);
            return;
        }
        for (int i = 0; i < AMST_MAX_LANES && live < p->target; i++) {
            if (p->bulk[i] == NULL) {
                p->bulk[i] = amst_lane_open(ifc, p, AMST_LANE_BULK);
                if (p->bulk[i] == NULL) {
                    p->bulk_failures++;
                    break;
                }
                live++;
            }
        }
        if (live == 0) {
            amst_peer_fail(p, DWCS_ERR_UNREACHABLE);
            return;
        }
    }
    for (int i = 0; i < AMST_MAX_LANES && p->state == AMST_PS_UP; i++) {
        amst_lane_t *l = p->bulk[i];
        if (l != NULL && l->state == AMST_LS_READY) {
            amst_lane_write(l);
        }
    }
}

/* CRC of payload bytes [off, off+len) of @p m. */
static uint32_t range_crc(const amst_txmsg_t *m, uint32_t crc, uint64_t off, uint64_t len)
{
    uint64_t end = off + len;
    uint64_t base = 0;
    for (size_t i = 0; i < m->iovcnt && off < end; i++) {
        uint64_t ilen = m->iov[i].iov_len;
        if (off < base + ilen) {
            uint64_t s = off - base;
            uint64_t e = (end < base + ilen ? end : base + ilen) - base;
            crc = amst_crc32c(crc, (const uint8_t *)m->iov[i].iov_base + s, e - s);
            off = base + e;
        }
        base += ilen;
    }
    return crc;
}

int amst_tx_next_chunk(amst_lane_t *l)
{
    amst_peer_t *p = l->peer;
    amst_iface_t *ifc = l->iface;
    for (amst_txmsg_t *m = p->tx_head; m != NULL; m = m->next) {
        uint32_t idx;
        if (m->acked) {
            continue;
        }
        if (m->nresend > 0) {
            idx = m->resend[--m->nresend];
        } else if (m->next_chunk < m->nchunks) {
            idx = m->next_chunk++;
        } else {
            continue;
        }
        uint64_t off = (uint64_t)idx * m->chunk;
        uint64_t len = m->total - off < m->chunk ? m->total - off : m->chunk;
        amst_frame_t f = {.type = AMST_F_DATA,
                          .src = (uint32_t)ifc->rank,
                          .ctx = 0,
                          .tag = 0,
                          .length = (uint32_t)len,
                          .msg_id = m->msg_id,
                          .offset = off,
                          .total = m->total,
                          .aux = m->chunk};
        amst_frame_encode(&f, NULL, 0, l->chdr);
        /* amst_frame_encode covered the header only; extend the checksum over the payload. */
        uint32_t crc = amst_crc32c(0, l->chdr, 60);
        crc = range_crc(m, crc, off, len);
        amst_put32(l->chdr + 60, crc);
        l->cmsg = m;
        l->cidx = idx;
        l->csent = 0;
        l->clen = AMST_HDR_LEN + (size_t)len;
        m->writers++;
        m->chunk_lane[idx] = l->id;
        return 1;
    }
    return 0;
}

void amst_tx_chunk_done(amst_lane_t *l)
{
    amst_txmsg_t *m = l->cmsg;
    amst_peer_t *p = l->peer;
    size_t len = l->clen - AMST_HDR_LEN;
    l->cmsg = NULL;
    l->bytes_tx += len;
    p->win_bytes += len;
    p->bulk_failures = 0;
    m->writers--;
    if (m->acked && m->writers == 0) {
        txmsg_finish(p, m, l->iface);
    }
}

void amst_tx_lane_lost(amst_lane_t *l)
{
    amst_peer_t *p = l->peer;
    uint32_t n = 0;
    for (amst_txmsg_t *m = p->tx_head; m != NULL; m = m->next) {
        if (m->acked) {
            continue;
        }
        for (uint32_t i = 0; i < m->next_chunk; i++) {
            if (m->chunk_lane[i] == (int32_t)l->id) {
                m->chunk_lane[i] = -1;
                m->resend[m->nresend++] = i;
                n++;
            }
        }
    }
    l->iface->resent_chunks += n;
    if (n > 0) {
        DWCS_INFO("amst: resending %u chunks of lane %u to rank %d on the other lanes", n,
                  (unsigned)l->id, p->rank);
    }
}

void amst_tx_ack(amst_peer_t *p, uint64_t msg_id)
{
    for (amst_txmsg_t *m = p->tx_head; m != NULL; m = m->next) {
        if (m->msg_id == msg_id) {
            m->acked = 1;
            if (m->writers == 0) {
                txmsg_finish(p, m, p->lat->iface);
            }
            return;
        }
    }
    DWCS_DEBUG("amst: ack for unknown message %llu from rank %d", (unsigned long long)msg_id,
               p->rank);
}

int amst_tx_idle(amst_iface_t *ifc)
{
    for (int r = 0; r < ifc->size; r++) {
        if (ifc->peers[r] != NULL && ifc->peers[r]->tx_head != NULL) {
            return 0;
        }
    }
    for (amst_lane_t *l = ifc->lanes; l != NULL; l = l->next) {
        if (l->state != AMST_LS_CLOSED && (l->txq_head != NULL || l->hs != NULL)) {
            return 0;
        }
    }
    return 1;
}

static double lane_rtt(const amst_lane_t *l)
{
    struct tcp_info ti;
    socklen_t len = sizeof(ti);
    if (l == NULL || l->fd < 0 || getsockopt(l->fd, IPPROTO_TCP, TCP_INFO, &ti, &len) != 0) {
        return 0;
    }
    return ti.tcpi_rtt * 1e-6;
}

static void shrink(amst_peer_t *p, int k)
{
    for (int i = AMST_MAX_LANES - 1; i >= 0 && k > 0; i--) {
        amst_lane_t *l = p->bulk[i];
        if (l != NULL && l->state == AMST_LS_READY) {
            p->bulk[i] = NULL;
            l->state = AMST_LS_DRAINING;
            l->deadline = amst_now() + l->iface->cfg.connect_timeout;
            p->target--;
            k--;
            amst_lane_write(l);
        }
    }
}

void amst_tx_adapt(amst_peer_t *p, double now)
{
    amst_iface_t *ifc = p->lat != NULL ? p->lat->iface : NULL;
    if (ifc == NULL || ifc->tcp1 || !ifc->cfg.adapt) {
        return;
    }
    if (!amst_tx_backlog(p)) {
        p->win_start = 0;
        return;
    }
    if (p->win_start == 0) {
        p->win_start = now;
        p->win_bytes = 0;
        p->win_qdelay = -1;
        p->settle = 1;
        return;
    }
    double q = amst_pba_qdelay(p);
    if (q >= 0 && (p->win_qdelay < 0 || q < p->win_qdelay)) {
        p->win_qdelay = q;
    }
    double rtt = lane_rtt(p->lat);
    double interval = ifc->cfg.adapt_interval > 4 * rtt ? ifc->cfg.adapt_interval : 4 * rtt;
    if (now - p->win_start < interval) {
        return;
    }
    double g = (double)p->win_bytes / (now - p->win_start);
    /* A queue stood at the bottleneck during the whole window: the lanes already fill the
     * path, and more lanes would only lengthen the queue (and overflow it), not add goodput.
     * Random loss keeps each lane's window small and the queue empty: more lanes help then. */
    int standing = amst_queue_standing(p->win_qdelay, rtt);
    double qmin = p->win_qdelay;
    p->win_start = now;
    p->win_bytes = 0;
    p->win_qdelay = -1;
    if (count_bulk(p, 1) < p->target) {
        p->settle = 1;
        return; /* lanes still connecting: the window is not representative */
    }
    if (p->settle > 0) {
        p->settle--; /* new lanes (or the whole transfer) still in slow start */
        return;
    }
    int step = p->target / 2 > 1 ? p->target / 2 : 1;
    if (p->last_grow) {
        p->last_grow = 0;
        if (!(g > p->prev_goodput * 1.05)) {
            int undo = p->last_grow_by;
            DWCS_DEBUG("amst: rank %d: %d lanes give %.0f MB/s (was %.0f): back to %d",
                       p->rank, p->target, g / 1e6, p->prev_goodput / 1e6, p->target - undo);
            shrink(p, undo);
            ifc->adapt_shrinks++;
            p->settle = 1;
            p->hold = 8;
        } else if (p->target < ifc->cfg.max_lanes && !standing) {
            goto grow;
        }
    } else if (p->hold > 0) {
        p->hold--;
    } else if (standing) {
        /* the bottleneck queue never emptied: the lanes already fill the path */
        ifc->adapt_queue_holds++;
    } else if (amst_pba_pacing_limited(p, g)) {
        /* the lanes already send what PBA's pacing allows: more lanes cannot add goodput */
    } else if (p->target < ifc->cfg.max_lanes && g > 0) {
        /* (g == 0 with a backlog: the receiver is not reading; more lanes cannot help) */
        goto grow;
    }
    p->prev_goodput = g;
    amst_tx_pacing(p);
    return;
grow:
    if (p->target + step > ifc->cfg.max_lanes) {
        step = ifc->cfg.max_lanes - p->target;
    }
    DWCS_DEBUG("amst: rank %d: %d lanes give %.0f MB/s (queue %.1f ms): trying %d", p->rank,
               p->target, g / 1e6, qmin * 1e3, p->target + step);
    p->target += step;
    ifc->adapt_grows++;
    p->settle = 1;
    p->last_grow = 1;
    p->last_grow_by = step;
    p->prev_goodput = g;
    amst_peer_kick(p);
}

dwcs_status_t amst_sendv(dwct_iface_t *iface, int peer, const dwct_hdr_t *hdr,
                         const struct iovec *iov, size_t iovcnt, dwct_comp_t *comp)
{
    amst_iface_t *ifc = (amst_iface_t *)iface;
    uint64_t total = 0;
    for (size_t i = 0; i < iovcnt; i++) {
        total += iov[i].iov_len;
    }
    if (hdr == NULL || total != hdr->len || peer < 0 || peer >= ifc->size) {
        DWCS_ERROR("amst: invalid send (peer %d, %llu bytes for a header of %llu)", peer,
                   (unsigned long long)total, hdr ? (unsigned long long)hdr->len : 0ull);
        return DWCS_ERR_INVALID_PARAM;
    }
    amst_peer_t *p = amst_peer_get(ifc, peer);
    if (p == NULL) {
        return DWCS_ERR_NO_MEMORY;
    }
    dwcs_status_t st = amst_peer_connect(ifc, p);
    if (st != DWCS_OK) {
        return st;
    }
    dwct_hdr_t h = *hdr;
    h.src = (uint32_t)ifc->rank;
    uint8_t env[AMST_ENV_LEN];
    amst_env_pack(&h, env);
    amst_frame_t f = {.src = h.src, .ctx = h.ctx, .tag = h.tag, .total = total};
    if (total <= ifc->cfg.small_limit) {
        f.type = AMST_F_MSG;
        p->pba_small++; /* latency-sensitive traffic on this path (PBA pacing) */
        amst_txbuf_t *b = amst_txbuf_frame(&f, env, sizeof(env), iov, iovcnt);
        if (b == NULL) {
            return DWCS_ERR_NO_MEMORY;
        }
        amst_lane_t *l = p->lat;
        /* The marker tells whether the frame was fully written during this call. */
        b->comp = comp != NULL ? &ifc->written_marker : NULL;
        amst_lane_push(l, b);
        ifc->written_now = 0;
        amst_lane_write(l);
        if (comp == NULL || ifc->written_now) {
            return DWCS_OK;
        }
        if (p->state != AMST_PS_UP) {
            return p->fail_status; /* failed while writing */
        }
        l->txq_tail->comp = comp;
        return DWCS_INPROGRESS;
    }
    amst_txmsg_t *m = calloc(1, sizeof(*m));
    if (m == NULL) {
        return DWCS_ERR_NO_MEMORY;
    }
    m->peer = p;
    m->ifc = ifc;
    m->msg_id = p->next_msg_id++;
    m->total = total;
    m->chunk = (uint32_t)ifc->cfg.chunk;
    m->nchunks = (uint32_t)((total + m->chunk - 1) / m->chunk);
    m->comp = comp;
    m->iovcnt = iovcnt;
    m->iov = malloc(iovcnt * sizeof(*iov));
    m->chunk_lane = malloc(m->nchunks * sizeof(*m->chunk_lane));
    m->resend = malloc(m->nchunks * sizeof(*m->resend));
    f.type = AMST_F_ANNOUNCE;
    f.msg_id = m->msg_id;
    f.aux = m->chunk;
    amst_txbuf_t *b = amst_txbuf_frame(&f, env, sizeof(env), NULL, 0);
    if (m->iov == NULL || m->chunk_lane == NULL || m->resend == NULL || b == NULL) {
        free(b);
        txmsg_free(m);
        return DWCS_ERR_NO_MEMORY;
    }
    memcpy(m->iov, iov, iovcnt * sizeof(*iov));
    if (total <= ifc->cfg.copy_limit && ifc->copy_bytes + total <= ifc->cfg.copy_max) {
        /* Buffered send: the application may reuse its buffer at once. Without the copy the
         * send completes only with the receiver's ack, a full round trip after the last byte,
         * which a program overlapping communication with computation cannot hide on a WAN. */
        m->copy = malloc((size_t)total);
        if (m->copy != NULL) {
            uint8_t *q = m->copy;
            for (size_t i = 0; i < iovcnt; i++) {
                if (iov[i].iov_len > 0) {
                    memcpy(q, iov[i].iov_base, iov[i].iov_len);
                    q += iov[i].iov_len;
                }
            }
            m->iov[0].iov_base = m->copy;
            m->iov[0].iov_len = (size_t)total;
            m->iovcnt = 1;
            m->comp = NULL;
            ifc->copy_bytes += (size_t)total;
            ifc->copied_sends++;
        }
    }
    for (uint32_t i = 0; i < m->nchunks; i++) {
        m->chunk_lane[i] = -1;
    }
    if (p->tx_tail != NULL) {
        p->tx_tail->next = m;
    } else {
        p->tx_head = m;
    }
    p->tx_tail = m;
    int buffered = m->copy != NULL;
    amst_lane_push(p->lat, b);
    amst_peer_kick(p); /* if the peer fails here, comp reports it from progress() */
    return buffered ? DWCS_OK : DWCS_INPROGRESS;
}

dwcs_status_t amst_send(dwct_iface_t *iface, int peer, const dwct_hdr_t *hdr, const void *buf,
                        size_t len, dwct_comp_t *comp)
{
    struct iovec iov = {(void *)buf, len};
    return amst_sendv(iface, peer, hdr, &iov, 1, comp);
}
