/*
 * ucx_ep.c — endpoints of the "ucx" transport and peer-failure detection.
 *
 * UCX 1.13 offers UCP_ERR_HANDLING_MODE_PEER only on transports that can detect a dead peer
 * (TCP, verbs); its shared-memory and CMA transports have no peer failure handler, so a
 * PEER-mode endpoint between two processes of one host silently falls back to TCP over
 * loopback (about 50x the latency). The plugin therefore picks the mode per peer
 * (parameter ucx_err_mode):
 *   peer  PEER mode everywhere: UCX detects failures (keepalive), TCP even on one host;
 *   none  NONE mode everywhere (shm/CMA on one host), failures of same-host peers detected by
 *         our own liveness check;
 *   auto  (default) PEER mode for peers on other hosts, NONE + liveness check on this host.
 * Each rank publishes its identity ("ucx.proc": boot id, pid namespace, pid, start time);
 * a same-host peer is one with the same boot id and pid namespace. The liveness check reads
 * /proc/<pid>/stat every ucx_liveness_interval from progress(): a vanished, zombie or reused
 * pid marks the peer failed. A failed peer's endpoint is force-closed, which completes its
 * outstanding UCX requests (reported as DWCS_ERR_PEER_FAILED); later operations to it fail at
 * once with DWCS_ERR_PEER_FAILED.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "dwcs_log.h"
#include "ucx_internal.h"

/* ---- Process identity ---------------------------------------------------------------------- */

/* Read the first line of @p path into @p buf (newline stripped); 0 on success. */
static int read_line(const char *path, char *buf, size_t len)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        return -1;
    }
    int ok = fgets(buf, (int)len, f) != NULL;
    fclose(f);
    if (!ok) {
        return -1;
    }
    buf[strcspn(buf, "\n")] = '\0';
    return 0;
}

/*
 * State and start time of process @p pid from /proc/<pid>/stat. Returns 0 and fills them, or
 * -1 if the process does not exist.
 */
static int proc_stat(pid_t pid, char *state, uint64_t *starttime)
{
    char path[64], buf[1024];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    if (read_line(path, buf, sizeof(buf)) != 0) {
        return -1;
    }
    char *p = strrchr(buf, ')'); /* the command name may contain spaces and parentheses */
    if (p == NULL || p[1] == '\0') {
        return -1;
    }
    p += 2;
    *state = *p;
    /* Fields after ')' start with field 3 (state); starttime is field 22. */
    int field = 3;
    while (field < 22 && *p != '\0') {
        if (*p++ == ' ') {
            field++;
        }
    }
    *starttime = strtoull(p, NULL, 10);
    return 0;
}

dwcs_status_t dwct_ucx_proc_self(dwct_ucx_proc_t *proc)
{
    memset(proc, 0, sizeof(*proc));
    if (read_line("/proc/sys/kernel/random/boot_id", proc->boot_id, sizeof(proc->boot_id)) != 0) {
        DWCS_DEBUG("ucx: no boot id (%m); peers will not be treated as same-host");
    }
    ssize_t n = readlink("/proc/self/ns/pid", proc->pidns, sizeof(proc->pidns) - 1);
    if (n < 0) {
        n = 0;
    }
    proc->pidns[n] = '\0';
    proc->pid = (uint32_t)getpid();
    char state;
    if (proc_stat(getpid(), &state, &proc->starttime) != 0) {
        proc->starttime = 0;
    }
    return DWCS_OK;
}

/* Decide the error mode for @p p from its published identity. */
static void peer_classify(dwct_iface_t *iface, dwct_ucx_peer_t *p)
{
    void *val = NULL;
    size_t len = 0;
    p->watch = 0;
    p->err_peer = iface->cfg.err_mode != DWCT_UCX_ERR_NONE;
    dwcs_status_t st =
        iface->bootstrap->lookup(iface->bootstrap->arg, p->rank, DWCT_UCX_PROC_KEY, &val, &len);
    if (st != DWCS_OK || len != sizeof(dwct_ucx_proc_t)) {
        DWCS_DEBUG("ucx: no process identity of rank %d; treating it as remote", p->rank);
        free(val);
        return;
    }
    dwct_ucx_proc_t peer;
    memcpy(&peer, val, sizeof(peer));
    free(val);
    int same_host = iface->proc.boot_id[0] != '\0' &&
                    strncmp(peer.boot_id, iface->proc.boot_id, sizeof(peer.boot_id)) == 0 &&
                    strncmp(peer.pidns, iface->proc.pidns, sizeof(peer.pidns)) == 0;
    if (same_host && iface->cfg.err_mode != DWCT_UCX_ERR_PEER) {
        p->err_peer = 0;
        p->watch = 1;
        p->pid = (pid_t)peer.pid;
        p->starttime = peer.starttime;
    }
}

/* ---- Endpoints ----------------------------------------------------------------------------- */

static void ep_error_cb(void *arg, ucp_ep_h ep, ucs_status_t status)
{
    dwct_ucx_peer_t *p = arg;
    DWCS_WARN("ucx: connection to rank %d failed: %s", p->rank, ucs_status_string(status));
    p->state = DWCT_UCX_PEER_FAILED;
    p->fail_status = status;
    p->iface->failed_pending = 1;
}

ucp_ep_h dwct_ucx_ep_get(dwct_iface_t *iface, int peer, dwcs_status_t *st)
{
    if (peer < 0 || peer >= iface->size) {
        DWCS_ERROR("ucx: rank %d out of range [0, %d)", peer, iface->size);
        *st = DWCS_ERR_INVALID_PARAM;
        return NULL;
    }
    dwct_ucx_peer_t *p = &iface->peers[peer];
    if (p->state == DWCT_UCX_PEER_OK) {
        return p->ep;
    }
    if (p->state == DWCT_UCX_PEER_FAILED) {
        *st = DWCS_ERR_PEER_FAILED;
        return NULL;
    }
    void *addr = NULL;
    size_t addr_len = 0;
    dwcs_status_t bst =
        iface->bootstrap->lookup(iface->bootstrap->arg, peer, DWCT_UCX_ADDR_KEY, &addr, &addr_len);
    if (bst != DWCS_OK || addr == NULL || addr_len == 0) {
        DWCS_ERROR("ucx: no UCX address of rank %d (key %s): %s", peer, DWCT_UCX_ADDR_KEY,
                   dwcs_status_string(bst != DWCS_OK ? bst : DWCS_ERR_NOT_FOUND));
        free(addr);
        *st = bst != DWCS_OK ? bst : DWCS_ERR_NOT_FOUND;
        return NULL;
    }
    if (peer == iface->rank) {
        p->err_peer = iface->cfg.err_mode == DWCT_UCX_ERR_PEER;
        p->watch = 0;
    } else {
        peer_classify(iface, p);
    }
    ucp_ep_params_t ep_params;
    memset(&ep_params, 0, sizeof(ep_params));
    ep_params.field_mask = UCP_EP_PARAM_FIELD_REMOTE_ADDRESS |
                           UCP_EP_PARAM_FIELD_ERR_HANDLING_MODE | UCP_EP_PARAM_FIELD_ERR_HANDLER;
    ep_params.address = addr;
    ep_params.err_mode = p->err_peer ? UCP_ERR_HANDLING_MODE_PEER : UCP_ERR_HANDLING_MODE_NONE;
    ep_params.err_handler.cb = ep_error_cb;
    ep_params.err_handler.arg = p;
    ucs_status_t ust = ucp_ep_create(iface->worker, &ep_params, &p->ep);
    free(addr);
    if (ust != UCS_OK) {
        DWCS_ERROR("ucx: cannot create endpoint to rank %d (error mode %s): %s", peer,
                   p->err_peer ? "peer" : "none", ucs_status_string(ust));
        p->ep = NULL;
        *st = dwct_ucx_status(ust);
        return NULL;
    }
    DWCS_DEBUG("ucx: endpoint to rank %d, error mode %s%s", peer, p->err_peer ? "peer" : "none",
               p->watch ? ", liveness watched" : "");
    p->state = DWCT_UCX_PEER_OK;
    return p->ep;
}

/* Close one endpoint; @p force: without flushing (failed peers). Bounded. */
static void ep_close(dwct_iface_t *iface, dwct_ucx_peer_t *p, int force, double timeout_s)
{
    dwcs_status_t st = DWCS_ERR_TIMEOUT;
    if (!force) {
        dwct_ucx_op_t *op = dwct_ucx_op_get(iface, DWCT_UCX_OP_INTERNAL, p->rank, NULL);
        if (op != NULL) {
            ucp_request_param_t param;
            dwct_ucx_param_send(&param, iface, op);
            st = dwct_ucx_op_wait(iface, op, ucp_ep_close_nbx(p->ep, &param), timeout_s);
            if (st != DWCS_OK) {
                DWCS_DEBUG("ucx: close of rank %d: %s; forcing", p->rank, dwcs_status_string(st));
            }
        }
    }
    if (st != DWCS_OK) {
        dwct_ucx_op_t *op = dwct_ucx_op_get(iface, DWCT_UCX_OP_INTERNAL, p->rank, NULL);
        if (op != NULL) {
            ucp_request_param_t param;
            dwct_ucx_param_send(&param, iface, op);
            param.op_attr_mask |= UCP_OP_ATTR_FIELD_FLAGS;
            param.flags = UCP_EP_CLOSE_FLAG_FORCE;
            (void)dwct_ucx_op_wait(iface, op, ucp_ep_close_nbx(p->ep, &param), 1.0);
        }
    }
    p->ep = NULL;
}

void dwct_ucx_eps_close(dwct_iface_t *iface)
{
    for (int i = 0; i < iface->size; i++) {
        dwct_ucx_peer_t *p = &iface->peers[i];
        if (p->ep != NULL) {
            ep_close(iface, p, p->state == DWCT_UCX_PEER_FAILED, iface->cfg.close_timeout);
        }
        if (p->state == DWCT_UCX_PEER_OK) {
            p->state = DWCT_UCX_PEER_NONE;
        }
    }
}

/* Is the watched same-host process of @p p still there? */
static int peer_alive(const dwct_ucx_peer_t *p)
{
    char state;
    uint64_t start;
    if (proc_stat(p->pid, &state, &start) != 0) {
        return 0;
    }
    if (state == 'Z' || state == 'X') {
        return 0;
    }
    return p->starttime == 0 || start == p->starttime;
}

void dwct_ucx_peers_check(dwct_iface_t *iface)
{
    /* The liveness interval is hundreds of ms: look at the clock on every 64th pass only. */
    static unsigned pass;
    double now = (++pass & 63) == 0 || iface->failed_pending ? dwct_ucx_now() : 0.0;
    if (now != 0.0 && now >= iface->next_liveness) {
        iface->next_liveness = now + iface->cfg.liveness_interval;
        for (int i = 0; i < iface->size; i++) {
            dwct_ucx_peer_t *p = &iface->peers[i];
            if (p->state == DWCT_UCX_PEER_OK && p->watch && !peer_alive(p)) {
                DWCS_WARN("ucx: rank %d (pid %d) has exited; failing its operations", i,
                          (int)p->pid);
                p->state = DWCT_UCX_PEER_FAILED;
                p->fail_status = UCS_ERR_CONNECTION_RESET;
                iface->failed_pending = 1;
            }
        }
    }
    if (!iface->failed_pending) {
        return;
    }
    iface->failed_pending = 0;
    for (int i = 0; i < iface->size; i++) {
        dwct_ucx_peer_t *p = &iface->peers[i];
        if (p->state == DWCT_UCX_PEER_FAILED && p->ep != NULL) {
            /* Our completions first (whatever UCX does with its requests), then the ep. */
            dwct_ucx_ops_abandon(iface, i);
            ep_close(iface, p, 1, 1.0);
        }
    }
}
