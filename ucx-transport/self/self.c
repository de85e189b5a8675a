/*
 * The "self" transport: messages a rank sends to itself. send() copies the payload (so the
 * sender's buffer is free at once) and queues it; progress() hands queued messages to the rx
 * callback in order. A kept payload stays in its queue entry until rx_fetch/rx_release.
 */
#include <stdlib.h>
#include <string.h>

#include "dwct.h"
#include "dwcs_log.h"

typedef struct self_msg {
    dwct_hdr_t hdr;
    struct self_msg *next;
    char data[]; /* hdr.len bytes */
} self_msg_t;

struct dwct_iface {
    dwct_rx_cb_t rx_cb;
    void *rx_arg;
    self_msg_t *head, *tail;
};

static dwcs_status_t self_init(const dwct_init_params_t *p, dwct_iface_t **iface_p)
{
    dwct_iface_t *s = calloc(1, sizeof(*s));
    if (s == NULL) {
        return DWCS_ERR_NO_MEMORY;
    }
    s->rx_cb = p->rx_cb;
    s->rx_arg = p->rx_arg;
    *iface_p = s;
    return DWCS_OK;
}

static dwcs_status_t self_queue(dwct_iface_t *s, const dwct_hdr_t *hdr, self_msg_t **out)
{
    self_msg_t *m = malloc(sizeof(*m) + hdr->len);
    if (m == NULL) {
        DWCS_ERROR("self transport: cannot allocate %llu bytes", (unsigned long long)hdr->len);
        return DWCS_ERR_NO_MEMORY;
    }
    m->hdr = *hdr;
    m->next = NULL;
    if (s->tail) {
        s->tail->next = m;
    } else {
        s->head = m;
    }
    s->tail = m;
    *out = m;
    return DWCS_OK;
}

static dwcs_status_t self_send(dwct_iface_t *s, int peer, const dwct_hdr_t *hdr, const void *buf,
                               size_t len, dwct_comp_t *comp)
{
    self_msg_t *m;
    (void)peer, (void)comp;
    dwcs_status_t st = self_queue(s, hdr, &m);
    if (st == DWCS_OK && len > 0) {
        memcpy(m->data, buf, len);
    }
    return st;
}

static dwcs_status_t self_sendv(dwct_iface_t *s, int peer, const dwct_hdr_t *hdr,
                                const struct iovec *iov, size_t iovcnt, dwct_comp_t *comp)
{
    self_msg_t *m;
    size_t i, off = 0;
    (void)peer, (void)comp;
    dwcs_status_t st = self_queue(s, hdr, &m);
    for (i = 0; st == DWCS_OK && i < iovcnt; i++) {
        memcpy(m->data + off, iov[i].iov_base, iov[i].iov_len);
        off += iov[i].iov_len;
    }
    return st;
}

static dwcs_status_t self_rx_fetch(dwct_iface_t *s, dwct_rx_t *rx, void *buf, size_t len,
                                   dwct_comp_t *comp)
{
    self_msg_t *m = rx->desc;
    (void)s, (void)comp;
    memcpy(buf, m->data, len < m->hdr.len ? len : m->hdr.len);
    free(m);
    return DWCS_OK;
}

static void self_rx_release(dwct_iface_t *s, dwct_rx_t *rx)
{
    (void)s;
    free(rx->desc);
}

static unsigned self_progress(dwct_iface_t *s)
{
    unsigned n = 0;
    /* Deliver only what was queued before this pass: callbacks may queue more. */
    self_msg_t *last = s->tail;
    while (s->head != NULL) {
        self_msg_t *m = s->head;
        s->head = m->next;
        if (s->head == NULL) {
            s->tail = NULL;
        }
        int was_last = m == last;
        dwct_rx_t rx = {m->data, m->hdr.len, m};
        if (s->rx_cb(s->rx_arg, &m->hdr, &rx) == DWCT_RX_DONE) {
            free(m);
        }
        n++;
        if (was_last) {
            break;
        }
    }
    return n;
}

static dwcs_status_t self_flush(dwct_iface_t *s, double timeout_s)
{
    (void)s, (void)timeout_s;
    return DWCS_OK;
}

static void self_finalize(dwct_iface_t *s)
{
    if (s == NULL) {
        return;
    }
    while (s->head != NULL) {
        self_msg_t *m = s->head;
        s->head = m->next;
        free(m);
    }
    free(s);
}

static dwcs_status_t self_mem_map(dwct_iface_t *s, void *base, size_t len, dwct_mem_t **mem_p,
                                  void **rkey_buf, size_t *rkey_len)
{
    (void)s, (void)base, (void)len, (void)mem_p, (void)rkey_buf, (void)rkey_len;
    return DWCS_ERR_UNSUPPORTED;
}

static void self_mem_unmap(dwct_iface_t *s, dwct_mem_t *mem)
{
    (void)s, (void)mem;
}

static dwcs_status_t self_rkey_unpack(dwct_iface_t *s, int peer, const void *buf, size_t len,
                                      dwct_rkey_t **rkey_p)
{
    (void)s, (void)peer, (void)buf, (void)len, (void)rkey_p;
    return DWCS_ERR_UNSUPPORTED;
}

static void self_rkey_destroy(dwct_iface_t *s, dwct_rkey_t *rkey)
{
    (void)s, (void)rkey;
}

static dwcs_status_t self_put(dwct_iface_t *s, int peer, const void *src, size_t len,
                              uint64_t raddr, dwct_rkey_t *rkey, dwct_comp_t *comp)
{
    (void)s, (void)peer, (void)src, (void)len, (void)raddr, (void)rkey, (void)comp;
    return DWCS_ERR_UNSUPPORTED;
}

static dwcs_status_t self_get(dwct_iface_t *s, int peer, void *dst, size_t len, uint64_t raddr,
                              dwct_rkey_t *rkey, dwct_comp_t *comp)
{
    (void)s, (void)peer, (void)dst, (void)len, (void)raddr, (void)rkey, (void)comp;
    return DWCS_ERR_UNSUPPORTED;
}

static dwcs_status_t self_atomic(dwct_iface_t *s, int peer, dwct_atomic_op_t op, size_t size,
                                 uint64_t value, uint64_t compare, void *result, uint64_t raddr,
                                 dwct_rkey_t *rkey, dwct_comp_t *comp)
{
    (void)s, (void)peer, (void)op, (void)size, (void)value, (void)compare, (void)result;
    (void)raddr, (void)rkey, (void)comp;
    return DWCS_ERR_UNSUPPORTED;
}

static dwcs_status_t self_rma_flush(dwct_iface_t *s, int peer, dwct_comp_t *comp)
{
    (void)s, (void)peer, (void)comp;
    return DWCS_OK;
}

const dwct_ops_t dwct_self_ops = {
    .name = "self",
    .init = self_init,
    .send = self_send,
    .sendv = self_sendv,
    .rx_fetch = self_rx_fetch,
    .rx_release = self_rx_release,
    .progress = self_progress,
    .flush = self_flush,
    .finalize = self_finalize,
    .mem_map = self_mem_map,
    .mem_unmap = self_mem_unmap,
    .rkey_unpack = self_rkey_unpack,
    .rkey_destroy = self_rkey_destroy,
    .put = self_put,
    .get = self_get,
    .atomic = self_atomic,
    .rma_flush = self_rma_flush,
};
