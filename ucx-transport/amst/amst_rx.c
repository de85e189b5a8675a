/*
 * amst_rx.c — the receiving side: small messages, large-message reassembly by
 * (sender, message id, offset) straight into the user's buffer once rx_fetch gave one (staged
 * before that, bounded by amst_rx_limit with backpressure), duplicate detection, acks.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include "amst_internal.h"
#include "dwcs_log.h"

static size_t bucket(int src, uint64_t id)
{
    return (size_t)((id * 2654435761u) ^ ((uint64_t)src * 40503u)) % AMST_RX_BUCKETS;
}

static amst_rxmsg_t *rx_find(amst_iface_t *ifc, int src, uint64_t id)
{
    for (amst_rxmsg_t *m = ifc->rx_table[bucket(src, id)]; m != NULL; m = m->hnext) {
        if (m->src == src && m->msg_id == id) {
            return m;
        }
    }
    return NULL;
}

static amst_rxmsg_t *rx_create(amst_iface_t *ifc, int src, uint64_t id, uint64_t total,
                               uint32_t chunk)
{
    amst_rxmsg_t *m = calloc(1, sizeof(*m));
    if (m == NULL) {
        return NULL;
    }
    m->kind = AMST_DESC_LARGE;
    m->src = src;
    m->msg_id = id;
    m->total = total;
    m->chunk = chunk;
    uint64_t n = (total + chunk - 1) / chunk;
    if (n > UINT32_MAX) {
        free(m);
        return NULL;
    }
    m->nchunks = (uint32_t)n;
    m->have = calloc(m->nchunks / 8 + 1, 1);
    if (m->have == NULL) {
        free(m);
        return NULL;
    }
    size_t b = bucket(src, id);
    m->hnext = ifc->rx_table[b];
    ifc->rx_table[b] = m;
    return m;
}

static int have(const amst_rxmsg_t *m, uint32_t i)
{
    return (m->have[i / 8] >> (i % 8)) & 1;
}

static size_t chunk_len(const amst_rxmsg_t *m, uint32_t i)
{
    uint64_t off = (uint64_t)i * m->chunk;
    return (size_t)(m->total - off < m->chunk ? m->total - off : m->chunk);
}

static void free_staged(amst_iface_t *ifc, amst_rxmsg_t *m)
{
    if (m->staged == NULL) {
        return;
    }
    for (uint32_t i = 0; i < m->nchunks; i++) {
        if (m->staged[i] != NULL) {
            free(m->staged[i]);
            m->staged[i] = NULL;
            ifc->staged_bytes -= chunk_len(m, i);
        }
    }
    free(m->staged);
    m->staged = NULL;
    amst_rx_unpark(ifc);
}

static void rx_free(amst_iface_t *ifc, amst_rxmsg_t *m)
{
    amst_rxmsg_t **pp = &ifc->rx_table[bucket(m->src, m->msg_id)];
    while (*pp != NULL && *pp != m) {
        pp = &(*pp)->hnext;
    }
    if (*pp == m) {
        *pp = m->hnext;
    }
    free_staged(ifc, m);
    free(m->have);
    free(m);
}

static void maybe_free(amst_iface_t *ifc, amst_rxmsg_t *m)
{
    if (m->readers == 0 && !m->in_cb && m->user_done && (m->complete || m->failed)) {
        rx_free(ifc, m);
    }
}

static int done_contains(const amst_peer_t *p, uint64_t id)
{
    if (id <= p->done_floor) {
        return 1;
    }
    for (size_t i = 0; i < p->ndone; i++) {
        if (p->done_set[i] == id) {
            return 1;
        }
    }
    return 0;
}

static void done_add(amst_peer_t *p, uint64_t id)
{
    if (id == p->done_floor + 1) {
        p->done_floor = id;
        for (size_t i = 0; i < p->ndone;) {
            if (p->done_set[i] == p->done_floor + 1) {
                p->done_floor++;
                p->done_set[i] = p->done_set[--p->ndone];
                i = 0;
            } else {
                i++;
            }
        }
        return;
    }
    if (p->ndone == p->capdone) {
        size_t cap = p->capdone ? 2 * p->capdone : 16;
        uint64_t *n = realloc(p->done_set, cap * sizeof(*n));
        if (n == NULL) {
            return; /* only duplicate detection of late resends degrades */
        }
        p->done_set = n;
        p->capdone = cap;
    }
    p->done_set[p->ndone++] = id;
}

static void send_ack(amst_iface_t *ifc, amst_rxmsg_t *m)
{
    amst_peer_t *p = ifc->peers[m->src];
    if (p == NULL || p->in_lat == NULL || p->in_lat->state != AMST_LS_READY) {
        DWCS_DEBUG("amst: no lane to acknowledge message %llu of rank %d",
                   (unsigned long long)m->msg_id, m->src);
        return;
    }
    amst_frame_t f = {.type = AMST_F_ACK,
                      .src = (uint32_t)ifc->rank,
                      .msg_id = m->msg_id,
                      .total = m->total};
    amst_txbuf_t *b = amst_txbuf_frame(&f, NULL, 0, NULL, 0);
    if (b == NULL) {
        DWCS_ERROR("amst: no memory for an ack");
        return;
    }
    amst_lane_push(p->in_lat, b);
    amst_lane_write(p->in_lat);
}

static void rx_complete(amst_iface_t *ifc, amst_rxmsg_t *m)
{
    m->complete = 1;
    amst_peer_t *p = ifc->peers[m->src];
    if (p != NULL) {
        done_add(p, m->msg_id);
    }
    if (m->announced) {
        send_ack(ifc, m); /* else at the announce: the latency lane may not be up yet */
    }
    if (m->fetched && !m->user_done) {
        m->user_done = 1;
        amst_comp_defer(ifc, m->fetch_comp, DWCS_OK);
    }
    maybe_free(ifc, m);
}

int amst_rx_data_begin(amst_lane_t *l)
{
    amst_iface_t *ifc = l->iface;
    const amst_frame_t *f = &l->rf;
    amst_peer_t *p = amst_peer_get(ifc, l->remote_rank);
    if (p == NULL) {
        amst_lane_fail(l, DWCS_ERR_NO_MEMORY, "no memory");
        return -1;
    }
    amst_rxmsg_t *m = rx_find(ifc, l->remote_rank, f->msg_id);
    l->rmsg = NULL;
    if (m == NULL) {
        if (done_contains(p, f->msg_id)) {
            l->rdst = AMST_RXD_DISCARD;
            return 0;
        }
        m = rx_create(ifc, l->remote_rank, f->msg_id, f->total, f->aux);
        if (m == NULL) {
            amst_lane_fail(l, DWCS_ERR_NO_MEMORY, "no memory for a message");
            return -1;
        }
    }
    if (m->total != f->total || m->chunk != f->aux) {
        amst_lane_fail(l, DWCS_ERR_PROTOCOL, "chunk geometry differs from its message's");
        return -1;
    }
    uint32_t idx = (uint32_t)(f->offset / m->chunk);
    if (m->complete || m->failed || have(m, idx)) {
        l->rdst = AMST_RXD_DISCARD; /* duplicate */
        return 0;
    }
    if (m->discard) {
        l->rdst = AMST_RXD_DISCARD; /* unwanted, but counted for the ack */
    } else if (m->dest != NULL) {
        l->rdst = AMST_RXD_DIRECT;
        l->rptr = m->dest + f->offset;
    } else {
        if (ifc->staged_bytes > 0 && ifc->staged_bytes + f->length > ifc->cfg.rx_limit) {
            if (!l->parked) {
                DWCS_DEBUG("amst: %zu bytes staged: pausing lane %u from rank %d",
                           ifc->staged_bytes, (unsigned)l->id, l->remote_rank);
                l->parked = 1;
                ifc->nparked++;
                amst_lane_events(l, l->events & ~(uint32_t)EPOLLIN);
            }
            return 1;
        }
        l->rbuf = malloc(f->length);
        if (l->rbuf == NULL) {
            amst_lane_fail(l, DWCS_ERR_NO_MEMORY, "no memory to stage a chunk");
            return -1;
        }
        ifc->staged_bytes += f->length;
        l->rdst = AMST_RXD_STAGE;
        l->rptr = l->rbuf;
    }
    l->rmsg = m;
    m->readers++;
    return 0;
}

void amst_rx_data_end(amst_lane_t *l, int ok)
{
    amst_iface_t *ifc = l->iface;
    amst_rxmsg_t *m = l->rmsg;
    l->rmsg = NULL;
    if (m == NULL) {
        return;
    }
    m->readers--;
    uint32_t idx = (uint32_t)(l->rf.offset / m->chunk);
    size_t len = l->rf.length;
    int fresh = ok && !m->failed && !have(m, idx);
    if (l->rdst == AMST_RXD_STAGE) {
        uint8_t *buf = l->rbuf;
        int keep = 0;
        l->rbuf = NULL;
        if (fresh && m->dest != NULL) {
            memcpy(m->dest + l->rf.offset, buf, len);
        } else if (fresh && !m->discard) {
            if (m->staged == NULL) {
                m->staged = calloc(m->nchunks, sizeof(*m->staged));
            }
            if (m->staged != NULL) {
                m->staged[idx] = buf; /* stays counted in staged_bytes */
                keep = 1;
            } else {
                fresh = 0;
            }
        }
        if (!keep) {
            free(buf);
            ifc->staged_bytes -= len;
            amst_rx_unpark(ifc);
        }
    }
    if (fresh) {
        m->have[idx / 8] |= (uint8_t)(1u << (idx % 8));
        m->got += len;
        if (m->got == m->total) {
            rx_complete(ifc, m);
            return;
        }
    }
    maybe_free(ifc, m);
}

void amst_rx_announce(amst_lane_t *l, const uint8_t *env)
{
    amst_iface_t *ifc = l->iface;
    const amst_frame_t *f = &l->rf;
    amst_peer_t *pp = amst_peer_get(ifc, l->remote_rank);
    if (pp != NULL && pp->rx_lost) {
        /* First announce after the sender reconnected: ids below it belong to the dead
         * connection (failed or never seen); close the gap so the done set stays small. */
        pp->rx_lost = 0;
        if (f->msg_id > 0 && f->msg_id - 1 > pp->done_floor) {
            pp->done_floor = f->msg_id - 1;
            size_t w = 0;
            for (size_t i = 0; i < pp->ndone; i++) {
                if (pp->done_set[i] > pp->done_floor) {
                    pp->done_set[w++] = pp->done_set[i];
                }
            }
            pp->ndone = w;
        }
    }
    amst_rxmsg_t *m = rx_find(ifc, l->remote_rank, f->msg_id);
    if (m == NULL) {
        amst_peer_t *p = pp;
        if (p != NULL && done_contains(p, f->msg_id)) {
            amst_lane_fail(l, DWCS_ERR_PROTOCOL, "announce of a finished message");
            return;
        }
        m = rx_create(ifc, l->remote_rank, f->msg_id, f->total, f->aux);
        if (m == NULL) {
            amst_lane_fail(l, DWCS_ERR_NO_MEMORY, "no memory for a message");
            return;
        }
    }
    if (m->announced || m->total != f->total || m->chunk != f->aux) {
        amst_lane_fail(l, DWCS_ERR_PROTOCOL, "announce does not match the message's chunks");
        return;
    }
    m->announced = 1;
    amst_env_unpack(env, &m->hdr);
    if (m->complete) {
        send_ack(ifc, m); /* every chunk came before the announce */
    }
    dwct_rx_t rx = {.data = NULL, .len = (size_t)m->total, .desc = m};
    m->in_cb = 1;
    dwct_rx_action_t act = ifc->rx_cb(ifc->rx_arg, &m->hdr, &rx);
    m->in_cb = 0;
    if (act != DWCT_RX_KEEP && !m->fetched && !m->user_done) {
        m->discard = 1;
        m->user_done = 1;
        free_staged(ifc, m);
    }
    maybe_free(ifc, m);
}

void amst_rx_small(amst_lane_t *l)
{
    amst_iface_t *ifc = l->iface;
    amst_rxsmall_t *s = malloc(sizeof(*s));
    if (s == NULL) {
        amst_lane_fail(l, DWCS_ERR_NO_MEMORY, "no memory for a message");
        return;
    }
    dwct_hdr_t h;
    amst_env_unpack(l->rbuf, &h);
    s->kind = AMST_DESC_SMALL;
    s->buf = l->rbuf;
    s->len = (size_t)l->rf.total;
    s->in_cb = 1;
    s->fetched = 0;
    dwct_rx_t rx = {.data = s->buf + AMST_ENV_LEN, .len = s->len, .desc = s};
    dwct_rx_action_t act = ifc->rx_cb(ifc->rx_arg, &h, &rx);
    if (act == DWCT_RX_KEEP && !s->fetched) {
        s->in_cb = 0;
        l->rbuf = NULL; /* now owned by the descriptor */
        return;
    }
    free(s);
}

void amst_rx_peer_lost(amst_iface_t *ifc, int src)
{
    int n = 0;
    for (size_t b = 0; b < AMST_RX_BUCKETS; b++) {
        amst_rxmsg_t *m = ifc->rx_table[b];
        while (m != NULL) {
            amst_rxmsg_t *next = m->hnext;
            if (m->src == src && !m->complete && !m->failed) {
                m->failed = 1;
                n++;
                free_staged(ifc, m);
                if (m->fetched && !m->user_done) {
                    m->user_done = 1;
                    amst_comp_defer(ifc, m->fetch_comp, DWCS_ERR_CONN_RESET);
                }
                if (!m->announced) {
                    m->user_done = 1; /* the upper layer never saw it */
                }
                maybe_free(ifc, m);
            }
            m = next;
        }
    }
    if (ifc->peers[src] != NULL) {
        ifc->peers[src]->rx_lost = 1;
    }
    if (n > 0) {
        DWCS_WARN("amst: lost the connection from rank %d with %d messages incomplete", src, n);
    }
}

void amst_rx_unpark(amst_iface_t *ifc)
{
    if (ifc->nparked == 0) {
        return;
    }
    for (amst_lane_t *l = ifc->lanes; l != NULL; l = l->next) {
        if (l->parked && l->state != AMST_LS_CLOSED) {
            l->parked = 0;
            ifc->nparked--;
            amst_lane_events(l, l->events | EPOLLIN);
        }
    }
}

void amst_rx_free_all(amst_iface_t *ifc)
{
    for (size_t b = 0; b < AMST_RX_BUCKETS; b++) {
        while (ifc->rx_table[b] != NULL) {
            rx_free(ifc, ifc->rx_table[b]);
        }
    }
}

dwcs_status_t amst_rx_fetch(dwct_iface_t *iface, dwct_rx_t *rx, void *buf, size_t len,
                            dwct_comp_t *comp)
{
    amst_iface_t *ifc = (amst_iface_t *)iface;
    if (rx == NULL || rx->desc == NULL) {
        return DWCS_ERR_INVALID_PARAM;
    }
    if (*(int *)rx->desc == AMST_DESC_SMALL) {
        amst_rxsmall_t *s = rx->desc;
        dwcs_status_t st = len < s->len ? DWCS_ERR_TRUNCATE : DWCS_OK;
        memcpy(buf, s->buf + AMST_ENV_LEN, len < s->len ? len : s->len);
        if (s->in_cb) {
            s->fetched = 1; /* freed when the callback returns */
        } else {
            free(s->buf);
            free(s);
        }
        return st;
    }
    amst_rxmsg_t *m = rx->desc;
    if (m->failed || len < m->total) {
        dwcs_status_t st = m->failed ? DWCS_ERR_CONN_RESET : DWCS_ERR_TRUNCATE;
        if (!m->failed) {
            DWCS_ERROR("amst: rx_fetch of %zu bytes for a %llu-byte message", len,
                       (unsigned long long)m->total);
            m->discard = 1;
            free_staged(ifc, m);
        }
        m->user_done = 1;
        maybe_free(ifc, m);
        return st;
    }
    m->dest = buf;
    m->fetched = 1;
    if (m->staged != NULL) {
        for (uint32_t i = 0; i < m->nchunks; i++) {
            if (m->staged[i] != NULL) {
                size_t cl = chunk_len(m, i);
                memcpy(m->dest + (uint64_t)i * m->chunk, m->staged[i], cl);
                free(m->staged[i]);
                m->staged[i] = NULL;
                ifc->staged_bytes -= cl;
            }
        }
        free(m->staged);
        m->staged = NULL;
        amst_rx_unpark(ifc);
    }
    if (m->complete) {
        m->user_done = 1;
        maybe_free(ifc, m);
        return DWCS_OK;
    }
    m->fetch_comp = comp;
    return DWCS_INPROGRESS;
}

void amst_rx_release(dwct_iface_t *iface, dwct_rx_t *rx)
{
    amst_iface_t *ifc = (amst_iface_t *)iface;
    if (rx == NULL || rx->desc == NULL) {
        return;
    }
    if (*(int *)rx->desc == AMST_DESC_SMALL) {
        amst_rxsmall_t *s = rx->desc;
        if (s->in_cb) {
            s->fetched = 1;
        } else {
            free(s->buf);
            free(s);
        }
        return;
    }
    amst_rxmsg_t *m = rx->desc;
    m->discard = 1;
    m->user_done = 1;
    free_staged(ifc, m);
    maybe_free(ifc, m);
}
