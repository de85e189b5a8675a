/* Start-up and shut-down of the point-to-point engine. */
#include <stdlib.h>
#include <time.h>

#include "p2p.h"

dwcs_status_t dwcp_p2p_init(void)
{
    return DWCS_OK;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

dwcs_status_t dwcp_p2p_finalize(void)
{
    dwcs_status_t st = DWCS_OK;
    unsigned idle = 0;
    double deadline = now() + dwcp_g.cfg.finalize_timeout;
    dwcp_bsend_finalize();
    /* Sends the user freed before completion must still reach their targets. */
    while (dwcp_p2p.n_detached > 0) {
        dwcp_wait_idle(dwcp_progress(), &idle);
        if (now() > deadline) {
            DWCS_WARN("MPI_Finalize: %zu freed requests still incomplete after %.0f s",
                      dwcp_p2p.n_detached, dwcp_g.cfg.finalize_timeout);
            st = DWCS_ERR_TIMEOUT;
            break;
        }
    }
    /* Unreceived messages (an erroneous program may leave some, a cancelled send may still
     * name one) lose their payloads now, so that their senders' transport sends complete; the
     * envelopes stay until the finalize fence, which keeps the progress engine running so that
     * peers still get answers to their cancel requests. */
    dwcp_p2p.finalizing = 1;
    dwcp_umsg_t *m;
    for (m = dwcp_p2p.unexp_head; m != NULL; m = m->next) {
        dwcp_umsg_strip(m);
    }
    int i;
    for (i = 0; dwcp_p2p.ooo != NULL && i < dwcp_g.size; i++) {
        for (m = dwcp_p2p.ooo[i].head; m != NULL; m = m->next) {
            dwcp_umsg_strip(m);
        }
    }
    return st;
}

void dwcp_p2p_finalize_end(void)
{
    int n = 0;
    while (dwcp_p2p.unexp_head != NULL) {
        dwcp_umsg_t *m = dwcp_p2p.unexp_head;
        dwcp_p2p.unexp_head = m->next;
        dwcp_umsg_free(m);
        n++;
    }
    dwcp_p2p.unexp_tail = NULL;
    if (n > 0) {
        DWCS_INFO("MPI_Finalize: %d messages were sent to this rank but never received", n);
    }
    int i;
    dwcp_cancel_finalize();
    for (i = 0; dwcp_p2p.ooo != NULL && i < dwcp_g.size; i++) {
        while (dwcp_p2p.ooo[i].head != NULL) {
            dwcp_umsg_t *m = dwcp_p2p.ooo[i].head;
            dwcp_p2p.ooo[i].head = m->next;
            dwcp_umsg_free(m);
        }
    }
    free(dwcp_p2p.ooo);
    dwcp_p2p.ooo = NULL;
    while (dwcp_p2p.free_reqs != NULL) {
        dwcp_req_t *r = dwcp_p2p.free_reqs;
        dwcp_p2p.free_reqs = r->next;
        free(r);
    }
    dwcp_p2p.posted_head = dwcp_p2p.posted_tail = NULL;
    extern void dwcp_progress_hooks_free(void);
    extern void dwcp_sched_reset_active(void);
    dwcp_progress_hooks_free();
    dwcp_sched_reset_active();
    dwcp_umsg_pool_free();
    dwcp_p2p.finalizing = 0;
}
