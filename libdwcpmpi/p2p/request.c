/* Requests (allocation, handles, completion) and the progress engine. */
#include <sched.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

#include "p2p.h"

dwcp_req_t *dwcp_req_alloc(dwcp_req_kind_t kind)
{
    dwcp_req_t *r = dwcp_p2p.free_reqs;
    if (r != NULL) {
        dwcp_p2p.free_reqs = r->next;
    } else {
        r = malloc(sizeof(*r));
        if (r == NULL) {
            return NULL;
        }
    }
    memset(r, 0, sizeof(*r));
    r->kind = kind;
    r->handle = MPI_REQUEST_NULL;
    r->msg_dst = -1;
    dwcp_status_empty(&r->status);
    dwcp_p2p.n_active++;
    return r;
}

dwcs_status_t dwcp_req_publish(dwcp_req_t *r, MPI_Request *handle)
{
    dwcs_status_t st = dwcp_htab_add(&dwcp_g.reqs, r, &r->handle);
    if (st == DWCS_OK) {
        *handle = r->handle;
    }
    return st;
}

dwcp_req_t *dwcp_req_get(MPI_Request h)
{
    return dwcp_htab_get(&dwcp_g.reqs, h);
}

void dwcp_req_complete(dwcp_req_t *r)
{
    r->complete = 1;
    if (r->dt_held) {
        r->dt_held = 0;
        dwcp_dt_release(r->dt);
    }
    if (r->user_freed) {
        dwcp_p2p.n_detached--;
        dwcp_req_free(r);
    }
}

void dwcp_req_detach(dwcp_req_t *r)
{
    if (r->handle != MPI_REQUEST_NULL) {
        dwcp_htab_remove(&dwcp_g.reqs, r->handle);
        r->handle = MPI_REQUEST_NULL;
    }
    if (r->complete) {
        dwcp_req_free(r);
    } else {
        r->user_freed = 1;
        dwcp_p2p.n_detached++;
    }
}

void dwcp_req_free(dwcp_req_t *r)
{
    if (r == NULL) {
        return;
    }
    if (r->cleanup != NULL) {
        r->cleanup(r);
    }
    if (r->dt_held) {
        dwcp_dt_release(r->dt);
    }
    if (r->persistent && r->dt != NULL) {
        dwcp_dt_release(r->dt); /* the reference taken by *_init */
    }
    if (r->comm_held) {
        r->comm_held = 0;
        dwcp_comm_release(r->comm);
    }
    free(r->tmp);
    if (r->handle != MPI_REQUEST_NULL) {
        dwcp_htab_remove(&dwcp_g.reqs, r->handle);
    }
    dwcp_p2p.n_active--;
    r->next = dwcp_p2p.free_reqs;
    dwcp_p2p.free_reqs = r;
}

/* ---- Progress ----------------------------------------------------------------------------- */

typedef struct hook {
    dwcp_progress_fn_t fn;
    void *arg;
} hook_t;
static hook_t *hooks;
static int nhooks, caphooks;

dwcs_status_t dwcp_progress_hook_add(dwcp_progress_fn_t fn, void *arg)
{
    if (nhooks == caphooks) {
        int cap = caphooks ? caphooks * 2 : 8;
        hook_t *h = realloc(hooks, (size_t)cap * sizeof(*h));
        if (h == NULL) {
            return DWCS_ERR_NO_MEMORY;
        }
        hooks = h;
        caphooks = cap;
    }
    hooks[nhooks].fn = fn;
    hooks[nhooks].arg = arg;
    nhooks++;
    return DWCS_OK;
}

void dwcp_progress_hook_remove(dwcp_progress_fn_t fn, void *arg)
{
    int i;
    for (i = 0; i < nhooks; i++) {
        if (hooks[i].fn == fn && hooks[i].arg == arg) {
            hooks[i] = hooks[--nhooks];
            return;
        }
    }
}

void dwcp_progress_hooks_free(void)
{
    free(hooks);
    hooks = NULL;
    nhooks = caphooks = 0;
}

/*
 * AMST polls sockets with a system call; WAN round trips are milliseconds, so it is polled on
 * every 16th pass only, unless it had work on its last poll. The intra-site path (UCX) then
 * pays no system call per pass. After dwcp_wait_idle slept or yielded, the next pass polls it:
 * 16 passes with a sleep (~70 us with the default timer slack) between them would delay a WAN
 * message by up to ~1.1 ms (measured: 8-byte one-way latency 50.5-51.4 ms on a 50 ms link).
 */
#define AMST_POLL_EVERY 16

static unsigned amst_poll_now;

unsigned dwcp_progress(void)
{
    static unsigned tick, amst_busy;
    unsigned n = 0;
    int i;
    if (dwcp_g.iface_ucx != NULL) {
        n += dwct_ucx_ops.progress(dwcp_g.iface_ucx);
    }
    if (dwcp_g.iface_amst != NULL &&
        (amst_busy || amst_poll_now || ++tick % AMST_POLL_EVERY == 0)) {
        amst_poll_now = 0;
        amst_busy = dwct_amst_ops.progress(dwcp_g.iface_amst);
        n += amst_busy;
    }
    if (dwcp_g.iface_self != NULL) {
        n += dwct_self_ops.progress(dwcp_g.iface_self);
    }
    for (i = 0; i < nhooks; i++) {
        n += (unsigned)hooks[i].fn(hooks[i].arg);
    }
    return n;
}

void dwcp_wait_idle(unsigned events, unsigned *idle)
{
    if (dwcp_mt) {
        dwcp_lock_yield(); /* other threads may be waiting to call into the library */
    }
    if (events > 0) {
        *idle = 0;
        return;
    }
    ++*idle;
    /* A long wait (a WAN round trip, a late peer) sleeps between passes so that ranks and the
     * emulator sharing the cores get them; a short one spins, yielding to oversubscribed
     * ranks. */
    if (*idle >= (unsigned)dwcp_g.cfg.idle_spin && dwcp_g.cfg.idle_sleep > 0) {
        struct timespec ts = {0, (long)(dwcp_g.cfg.idle_sleep * 1e9)};
        nanosleep(&ts, NULL);
        amst_poll_now = 1;
    } else if (*idle >= 64 || dwcp_g.oversubscribed) {
        sched_yield(); /* oversubscribed: the rank we wait for may need this core */
        amst_poll_now = 1;
    }
}

static int req_poll(dwcp_req_t *r)
{
    if (!r->complete && r->poll != NULL && r->poll(r)) {
        r->complete = 1;
    }
    return r->complete;
}

int dwcp_req_test(dwcp_req_t *r)
{
    if (req_poll(r)) {
        return 1;
    }
    dwcp_progress();
    return req_poll(r);
}

dwcs_status_t dwcp_req_wait(dwcp_req_t *r)
{
    unsigned idle = 0;
    while (!req_poll(r)) {
        dwcp_wait_idle(dwcp_progress(), &idle);
    }
    return DWCS_OK;
}
