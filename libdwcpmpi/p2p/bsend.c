/*
 * Buffered sends: the message is packed into the user-attached buffer (first-fit allocation,
 * MPI_BSEND_OVERHEAD bytes of bookkeeping per message), the user's request completes at once,
 * and the space is returned when the transport is done with it.
 */
#include <stdlib.h>
#include <string.h>

#include "p2p.h"

typedef struct seg {
    size_t off;   /* offset in the attached buffer */
    size_t len;   /* bytes reserved (payload + overhead) */
    dwcp_req_t *req;
    struct seg *next;
} seg_t;

static char *bbuf;
static size_t bsize;
static seg_t *segs; /* in use, sorted by offset */

int dwcp_bsend_attach(void *buf, size_t size)
{
    if (bbuf != NULL) {
        return MPI_ERR_BUFFER;
    }
    bbuf = buf;
    bsize = size;
    return MPI_SUCCESS;
}

/* Return the space of completed sends. */
static void reap(void)
{
    seg_t **pp = &segs;
    while (*pp != NULL) {
        seg_t *s = *pp;
        if (s->req->complete) {
            *pp = s->next;
            dwcp_req_free(s->req);
            free(s);
        } else {
            pp = &s->next;
        }
    }
}

int dwcp_bsend_detach(void **buf, size_t *size)
{
    unsigned idle = 0;
    if (bbuf == NULL) {
        return MPI_ERR_BUFFER;
    }
    /* Detach blocks until every buffered message has been handed over. */
    while (reap(), segs != NULL) {
        dwcp_wait_idle(dwcp_progress(), &idle);
    }
    *buf = bbuf;
    *size = bsize;
    bbuf = NULL;
    bsize = 0;
    return MPI_SUCCESS;
}

static int find_space(size_t need, size_t *off)
{
    size_t pos = 0;
    seg_t **pp = &segs;
    while (1) {
        size_t end = *pp ? (*pp)->off : bsize;
        if (end >= pos && end - pos >= need) {
            *off = pos;
            return 1;
        }
        if (*pp == NULL) {
            return 0;
        }
        pos = (*pp)->off + (*pp)->len;
        pp = &(*pp)->next;
    }
}

dwcs_status_t dwcp_bsend_start(const void *buf, size_t count, dwcp_dt_t *dt, int dst, int tag,
                               dwcp_comm_t *comm, dwcp_req_t *user_req)
{
    size_t len = count * dt->size;
    size_t need = len + MPI_BSEND_OVERHEAD;
    size_t off;
    reap();
    if (bbuf == NULL || !find_space(need, &off)) {
        return DWCS_ERR_OVERFLOW;
    }
    seg_t *s = calloc(1, sizeof(*s));
    dwcp_req_t *r = dwcp_req_alloc(DWCP_REQ_SEND);
    if (s == NULL || r == NULL) {
        free(s);
        dwcp_req_free(r);
        return DWCS_ERR_NO_MEMORY;
    }
    char *data = bbuf + off + MPI_BSEND_OVERHEAD;
    dwcp_dt_pack(buf, count, dt, 0, data, len);
    s->off = off;
    s->len = need;
    s->req = r;
    seg_t **pp = &segs;
    while (*pp != NULL && (*pp)->off < off) {
        pp = &(*pp)->next;
    }
    s->next = *pp;
    *pp = s;
    dwcp_dt_t *bytes = dwcp_dt_get(MPI_BYTE);
    dwcs_status_t st = dwcp_p2p_isend(data, len, bytes, dst, tag, comm, comm->ctx,
                                      DWCP_SEND_STANDARD, r);
    if (user_req != NULL) {
        /* MPI_Cancel of the user's request names the message the internal send carries; its
         * space returns when the transport is done with it, cancelled or not. */
        dwcp_status_empty(&user_req->status);
        user_req->msg_dst = r->msg_dst;
        user_req->msg_seq = r->msg_seq;
        user_req->ack_wait = 0;
        user_req->buffered = 1;
        user_req->pending = 0;
        user_req->cancel_state = DWCP_CANCEL_NONE;
        dwcp_req_complete(user_req);
    }
    return st;
}

int dwcp_bsend_wait_space(dwcp_req_t *user_req)
{
    seg_t *s;
    for (s = segs; s != NULL; s = s->next) {
        dwcp_req_t *r = s->req;
        if (!r->complete && r->msg_dst == user_req->msg_dst && r->msg_seq == user_req->msg_seq &&
            r->waiter == NULL) {
            r->waiter = user_req;
            user_req->pending++;
            return 1;
        }
    }
    return 0;
}

void dwcp_bsend_finalize(void)
{
    unsigned idle = 0;
    while (reap(), segs != NULL) {
        dwcp_wait_idle(dwcp_progress(), &idle);
    }
    bbuf = NULL;
    bsize = 0;
}
