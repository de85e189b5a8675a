/*
 * amst_iface.c — the AMST transport instance: parameters, listening socket, address
 * publication, the epoll progress engine, flush/finalize, and the ops table.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "amst_internal.h"
#include "dwcs_log.h"
#include "dwcs_params.h"

#define CFG(f) offsetof(amst_config_t, f)

static const dwcs_param_t amst_params[] = {
    {"amst_lanes", DWCS_PARAM_INT, "4", "Initial number of bulk lanes per peer.",
     DWCS_PARAM_LEVEL_TUNER, NULL, CFG(init_lanes)},
    {"amst_max_lanes", DWCS_PARAM_INT, "16", "Largest number of bulk lanes per peer.",
     DWCS_PARAM_LEVEL_TUNER, NULL, CFG(max_lanes)},
    {"amst_chunk", DWCS_PARAM_SIZE, "512k", "Chunk size large messages are cut into.",
     DWCS_PARAM_LEVEL_TUNER, NULL, CFG(chunk)},
    {"amst_small_limit", DWCS_PARAM_SIZE, "64k",
     "Messages up to this size go whole on the latency lane.", DWCS_PARAM_LEVEL_TUNER, NULL,
     CFG(small_limit)},
    {"amst_rate_limit", DWCS_PARAM_DOUBLE, "0",
     "Pacing limit in Mbit/s for all bulk lanes to one peer together (0 = unlimited).",
     DWCS_PARAM_LEVEL_USER, NULL, CFG(rate_limit)},
    {"amst_sockbuf", DWCS_PARAM_SIZE, "0",
     "SO_SNDBUF/SO_RCVBUF of bulk lanes (0 = automatic, see amst_sockbuf_auto).",
     DWCS_PARAM_LEVEL_TUNER, NULL, CFG(sockbuf)},
    {"amst_sockbuf_auto", DWCS_PARAM_BOOL, "1",
     "With amst_sockbuf 0 and amst_rate_limit set: size bulk-lane send buffers to 1.25 x "
     "rate x RTT / lanes (capped by net.core.wmem_max) when RTT >= 2 ms; else autotuning.",
     DWCS_PARAM_LEVEL_TUNER, NULL, CFG(sockbuf_auto)},
    {"amst_cc_bulk", DWCS_PARAM_STRING, "auto",
     "TCP congestion control of the bulk lanes: auto (cubic; all of a peer's bulk lanes move "
     "to BBR once they see sparse losses with no queue at the bottleneck, i.e. random loss on "
     "the path rather than their own queue overflow), or a kernel name such as bbr or cubic.",
     DWCS_PARAM_LEVEL_TUNER, NULL, CFG(cc_bulk)},
    {"amst_cc_lat", DWCS_PARAM_STRING, "cubic", "TCP congestion control of the latency lane.",
     DWCS_PARAM_LEVEL_TUNER, NULL, CFG(cc_lat)},
    {"amst_rx_limit", DWCS_PARAM_SIZE, "512m",
     "Bytes of early chunks buffered before reading bulk lanes stops (backpressure).",
     DWCS_PARAM_LEVEL_TUNER, NULL, CFG(rx_limit)},
    {"amst_connect_timeout", DWCS_PARAM_TIME, "10s",
     "Bound on connecting and authenticating one lane (per address tried).",
     DWCS_PARAM_LEVEL_USER, NULL, CFG(connect_timeout)},
    {"amst_adapt", DWCS_PARAM_BOOL, "1", "Adapt the number of bulk lanes to measured goodput.",
     DWCS_PARAM_LEVEL_TUNER, NULL, CFG(adapt)},
    {"amst_adapt_interval", DWCS_PARAM_TIME, "200ms",
     "Shortest goodput measurement window (at least 4 RTT are used).", DWCS_PARAM_LEVEL_TUNER,
     NULL, CFG(adapt_interval)},
    {"amst_copy_limit", DWCS_PARAM_SIZE, "1m",
     "Large sends up to this size are copied and complete at once (they need not wait for the "
     "receiver's acknowledgement, a WAN round trip); 0 = never copy.",
     DWCS_PARAM_LEVEL_TUNER, NULL, CFG(copy_limit)},
    {"amst_copy_max", DWCS_PARAM_SIZE, "16m",
     "Bound on the bytes of copied sends not yet acknowledged; sends beyond it wait for their "
     "acknowledgement as usual.",
     DWCS_PARAM_LEVEL_TUNER, NULL, CFG(copy_max)},
    {"amst_pba", DWCS_PARAM_BOOL, "1",
     "Pace the bulk lanes to a peer together at PBA's bandwidth forecast (a max filter over "
     "per-RTT delivery-rate samples, with probing), so the bottleneck queue stays short; "
     "amst_rate_limit > 0 overrides it with a fixed rate.",
     DWCS_PARAM_LEVEL_TUNER, NULL, CFG(pba)},
    {"amst_pba_cruise_gain", DWCS_PARAM_DOUBLE, "0.95",
     "PBA: pacing rate / forecast while cruising (below 1 drains the bottleneck queue).",
     DWCS_PARAM_LEVEL_DEV, NULL, CFG(pba_cruise_gain)},
    {"amst_pba_probe_gain", DWCS_PARAM_DOUBLE, "1.15",
     "PBA: pacing rate / forecast of the one probing RTT in every 8 (then 2 - gain for one).",
     DWCS_PARAM_LEVEL_DEV, NULL, CFG(pba_probe_gain)},
    {"amst_pba_report", DWCS_PARAM_BOOL, "0",
     "Print one 'PBA rank=.. peer=.. forecast_Mbps=..' line per peer to stderr at finalize.",
     DWCS_PARAM_LEVEL_USER, NULL, CFG(pba_report)},
    {"amst_test_kill_after", DWCS_PARAM_SIZE, "0",
     "Test hook: shut one bulk lane down after this many bulk bytes were sent (0 = off).",
     DWCS_PARAM_LEVEL_DEV, NULL, CFG(test_kill_after)},
};

/** The AMST parameter table (registered by init, listed by dwcp_info). */
dwcs_param_table_t dwct_amst_param_table = {"amst", amst_params,
                                            sizeof(amst_params) / sizeof(amst_params[0]), NULL};

double amst_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void amst_comp_defer(amst_iface_t *ifc, dwct_comp_t *comp, dwcs_status_t st)
{
    if (comp == NULL) {
        return;
    }
    if (comp == &ifc->written_marker) {
        ifc->written_now |= st == DWCS_OK;
        return;
    }
    if (ifc->ncomp == ifc->capcomp) {
        size_t cap = ifc->capcomp ? 2 * ifc->capcomp : 64;
        void *n = realloc(ifc->compq, cap * sizeof(*ifc->compq));
        if (n == NULL) {
            DWCS_ERROR("amst: out of memory queueing a completion; calling it now");
            comp->cb(comp, st);
            return;
        }
        ifc->compq = n;
        ifc->capcomp = cap;
    }
    ifc->compq[ifc->ncomp].comp = comp;
    ifc->compq[ifc->ncomp].st = st;
    ifc->ncomp++;
}

static unsigned comp_drain(amst_iface_t *ifc)
{
    unsigned n = 0;
    size_t i = 0;
    /* Callbacks may queue more; take them in order until the queue is empty. */
    while (i < ifc->ncomp) {
        dwct_comp_t *c = ifc->compq[i].comp;
        dwcs_status_t st = ifc->compq[i].st;
        i++;
        c->cb(c, st);
        n++;
    }
    ifc->ncomp = 0;
    return n;
}

void amst_lane_events(amst_lane_t *l, uint32_t events)
{
    if (l->fd < 0 || l->events == events) {
        return;
    }
    struct epoll_event ev = {.events = events, .data.ptr = l};
    if (epoll_ctl(l->iface->epfd, EPOLL_CTL_MOD, l->fd, &ev) != 0) {
        DWCS_ERROR("amst: epoll_ctl(MOD) failed: %m");
        return;
    }
    l->events = events;
}

/* Text published under "amst.addr": "amst1 <port> <ip> <ip> ... 127.0.0.1". */
static dwcs_status_t publish_addr(amst_iface_t *ifc)
{
    char buf[2048];
    int n = snprintf(buf, sizeof(buf), "amst1 %u", (unsigned)ifc->port);
    struct ifaddrs *ifa = NULL;
    if (getifaddrs(&ifa) != 0) {
        DWCS_WARN("amst: getifaddrs failed (%m); publishing 127.0.0.1 only");
        ifa = NULL;
    }
    for (struct ifaddrs *a = ifa; a != NULL; a = a->ifa_next) {
        if (a->ifa_addr == NULL || a->ifa_addr->sa_family != AF_INET ||
            (a->ifa_flags & IFF_LOOPBACK) || !(a->ifa_flags & IFF_UP)) {
            continue;
        }
        char ip[INET_ADDRSTRLEN];
        const struct sockaddr_in *sin = (const struct sockaddr_in *)a->ifa_addr;
        inet_ntop(AF_INET, &sin->sin_addr, ip, sizeof(ip));
        if ((size_t)n + strlen(ip) + 16 < sizeof(buf)) {
            n += snprintf(buf + n, sizeof(buf) - (size_t)n, " %s", ip);
        }
    }
    if (ifa != NULL) {
        freeifaddrs(ifa);
    }
    n += snprintf(buf + n, sizeof(buf) - (size_t)n, " 127.0.0.1");
    DWCS_DEBUG("amst: publishing amst.addr = \"%s\"", buf);
    return ifc->boot.publish(ifc->boot.arg, "amst.addr", buf, (size_t)n + 1);
}

static dwcs_status_t listen_open(amst_iface_t *ifc)
{
    ifc->lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (ifc->lfd < 0) {
        DWCS_ERROR("amst: socket() failed: %m");
        return DWCS_ERR_IO;
    }
    int one = 1;
    setsockopt(ifc->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (ifc->cfg.sockbuf > 0) {
        int sz = (int)ifc->cfg.sockbuf;
        /* Set on the listener so the window scale of accepted sockets fits it. */
        setsockopt(ifc->lfd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
    }
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_ANY)};
    socklen_t slen = sizeof(sa);
    if (bind(ifc->lfd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(ifc->lfd, 256) != 0 ||
        getsockname(ifc->lfd, (struct sockaddr *)&sa, &slen) != 0) {
        DWCS_ERROR("amst: cannot listen on a TCP port: %m");
        return DWCS_ERR_IO;
    }
    ifc->port = ntohs(sa.sin_port);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &ifc->lfd};
    if (epoll_ctl(ifc->epfd, EPOLL_CTL_ADD, ifc->lfd, &ev) != 0) {
        DWCS_ERROR("amst: epoll_ctl(ADD listener) failed: %m");
        return DWCS_ERR_IO;
    }
    return DWCS_OK;
}

static void amst_finalize(dwct_iface_t *iface);

static dwcs_status_t amst_init(const dwct_init_params_t *params, dwct_iface_t **iface_p)
{
    char err[256];
    amst_iface_t *ifc = calloc(1, sizeof(*ifc));
    if (ifc == NULL) {
        return DWCS_ERR_NO_MEMORY;
    }
    ifc->epfd = -1;
    ifc->lfd = -1;
    dwcs_params_register(&dwct_amst_param_table);
    dwcs_status_t st = dwcs_params_load(&dwct_amst_param_table, &ifc->cfg, err, sizeof(err));
    if (st != DWCS_OK) {
        DWCS_ERROR("amst: %s", err);
        free(ifc);
        return st;
    }
    ifc->tcp1 = params->variant != NULL && strcmp(params->variant, "tcp1") == 0;
    amst_config_t *c = &ifc->cfg;
    if (c->max_lanes < 1 || c->max_lanes > AMST_MAX_LANES || c->init_lanes < 1 ||
        c->init_lanes > c->max_lanes || c->chunk < 4096 || c->chunk > AMST_MAX_PAYLOAD ||
        c->small_limit > AMST_MAX_PAYLOAD - AMST_ENV_LEN || c->connect_timeout <= 0) {
        DWCS_ERROR("amst: invalid parameters (lanes %d..%d of max %d, chunk %zu, small limit "
                   "%zu, connect timeout %g s)",
                   c->init_lanes, c->max_lanes, AMST_MAX_LANES, c->chunk, c->small_limit,
                   c->connect_timeout);
        dwcs_params_release(&dwct_amst_param_table, &ifc->cfg);
        free(ifc);
        return DWCS_ERR_INVALID_PARAM;
    }
    ifc->rank = params->rank;
    ifc->size = params->size;
    ifc->boot = *params->bootstrap;
    ifc->rx_cb = params->rx_cb;
    ifc->rx_arg = params->rx_arg;
    const char *secret = getenv("DWCP_JOB_SECRET");
    if (secret == NULL || *secret == '\0') {
        secret = getenv("PMIX_NAMESPACE");
    }
    if (secret == NULL || *secret == '\0') {
        DWCS_WARN("amst: neither DWCP_JOB_SECRET nor PMIX_NAMESPACE is set; using a fixed, "
                  "public key (connections are not really authenticated)");
        secret = "dwcp-amst-no-secret";
    }
    amst_key_derive(secret, &ifc->key);
    ifc->peers = calloc((size_t)params->size, sizeof(*ifc->peers));
    ifc->scratch = malloc(1u << 16);
    ifc->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (ifc->peers == NULL || ifc->scratch == NULL || ifc->epfd < 0) {
        DWCS_ERROR("amst: init failed: %s", ifc->epfd < 0 ? "epoll_create1" : "no memory");
        amst_finalize((dwct_iface_t *)ifc);
        return DWCS_ERR_NO_MEMORY;
    }
    signal(SIGPIPE, SIG_IGN); /* also guarded by MSG_NOSIGNAL; belt and braces */
    st = listen_open(ifc);
    if (st == DWCS_OK) {
        st = publish_addr(ifc);
        if (st != DWCS_OK) {
            DWCS_ERROR("amst: publishing amst.addr failed: %s", dwcs_status_string(st));
        }
    }
    if (st != DWCS_OK) {
        amst_finalize((dwct_iface_t *)ifc);
        return st;
    }
    DWCS_DEBUG("amst: rank %d listening on port %u (%s)", ifc->rank, (unsigned)ifc->port,
               ifc->tcp1 ? "tcp1" : "amst");
    *iface_p = (dwct_iface_t *)ifc;
    return DWCS_OK;
}

static void accept_all(amst_iface_t *ifc)
{
    for (int i = 0; i < 64; i++) {
        int fd = accept4(ifc->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                DWCS_WARN("amst: accept failed: %m");
            }
            return;
        }
        if (amst_lane_accept(ifc, fd) == NULL) {
            close(fd);
        }
    }
}

static void reap_lanes(amst_iface_t *ifc)
{
    amst_lane_t **pp = &ifc->lanes;
    while (*pp != NULL) {
        amst_lane_t *l = *pp;
        if (l->state == AMST_LS_CLOSED) {
            *pp = l->next;
            free(l);
        } else {
            pp = &l->next;
        }
    }
}

static unsigned progress_wait(amst_iface_t *ifc, int timeout_ms)
{
    unsigned n = comp_drain(ifc);
    struct epoll_event evs[64];
    int k = epoll_wait(ifc->epfd, evs, 64, n > 0 ? 0 : timeout_ms);
    /* Two passes: latency lanes (and the listener) first, so small messages and acks are
     * never queued behind bulk data; then bulk lanes. */
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < k; i++) {
            if (evs[i].data.ptr == &ifc->lfd) {
                if (pass == 0) {
                    accept_all(ifc);
                    n++;
                }
                continue;
            }
            amst_lane_t *l = evs[i].data.ptr;
            if ((l->kind == AMST_LANE_BULK) != pass) {
                continue;
            }
            if (l->state != AMST_LS_CLOSED) {
                amst_lane_handle(l, evs[i].events);
            }
            n++;
        }
    }
    double now = amst_now();
    if (now - ifc->last_timer >= 0.005) {
        ifc->last_timer = now;
        for (amst_lane_t *l = ifc->lanes; l != NULL; l = l->next) {
            if (l->state != AMST_LS_CLOSED) {
                amst_lane_timer(l, now);
                amst_lane_cc_check(l);
            }
        }
        for (int r = 0; r < ifc->size; r++) {
            if (ifc->peers[r] != NULL && ifc->peers[r]->state == AMST_PS_UP) {
                amst_tx_adapt(ifc->peers[r], now);
                amst_pba_tick(ifc->peers[r], now);
            }
        }
    }
    reap_lanes(ifc);
    n += comp_drain(ifc);
    return n;
}

static unsigned amst_progress(dwct_iface_t *iface)
{
    return progress_wait((amst_iface_t *)iface, 0);
}

static dwcs_status_t amst_flush(dwct_iface_t *iface, double timeout_s)
{
    amst_iface_t *ifc = (amst_iface_t *)iface;
    double end = amst_now() + timeout_s;
    while (!amst_tx_idle(ifc)) {
        if (amst_now() > end) {
            DWCS_WARN("amst: flush did not complete within %.1f s", timeout_s);
            return DWCS_ERR_TIMEOUT;
        }
        progress_wait(ifc, 1);
    }
    progress_wait(ifc, 0);
    return DWCS_OK;
}

static void amst_finalize(dwct_iface_t *iface)
{
    amst_iface_t *ifc = (amst_iface_t *)iface;
    if (ifc == NULL) {
        return;
    }
    amst_pba_report(ifc);
    if (ifc->peers != NULL) {
        for (int r = 0; r < ifc->size; r++) {
            amst_peer_t *p = ifc->peers[r];
            if (p == NULL) {
                continue;
            }
            amst_peer_fail(p, DWCS_ERR_CANCELED);
        }
    }
    for (amst_lane_t *l = ifc->lanes; l != NULL; l = l->next) {
        amst_lane_close(l);
    }
    reap_lanes(ifc);
    if (ifc->peers != NULL) {
        for (int r = 0; r < ifc->size; r++) {
            amst_peer_t *p = ifc->peers[r];
            if (p != NULL) {
                free(p->addrs);
                free(p->done_set);
                free(p);
            }
        }
    }
    amst_rx_free_all(ifc);
    if (ifc->lfd >= 0) {
        close(ifc->lfd);
    }
    if (ifc->epfd >= 0) {
        close(ifc->epfd);
    }
    dwcs_params_release(&dwct_amst_param_table, &ifc->cfg);
    free(ifc->peers);
    free(ifc->compq);
    free(ifc->scratch);
    free(ifc);
}

/* ---- RMA: not provided by AMST (the MPI layer uses active messages over send) -------------- */

static dwcs_status_t amst_mem_map(dwct_iface_t *i, void *b, size_t l, dwct_mem_t **m, void **rb,
                                  size_t *rl)
{
    return DWCS_ERR_UNSUPPORTED;
}
static void amst_mem_unmap(dwct_iface_t *i, dwct_mem_t *m)
{
}
static dwcs_status_t amst_rkey_unpack(dwct_iface_t *i, int p, const void *b, size_t l,
                                      dwct_rkey_t **r)
{
    return DWCS_ERR_UNSUPPORTED;
}
static void amst_rkey_destroy(dwct_iface_t *i, dwct_rkey_t *r)
{
}
static dwcs_status_t amst_put(dwct_iface_t *i, int p, const void *s, size_t l, uint64_t ra,
                              dwct_rkey_t *r, dwct_comp_t *c)
{
    return DWCS_ERR_UNSUPPORTED;
}
static dwcs_status_t amst_get(dwct_iface_t *i, int p, void *d, size_t l, uint64_t ra,
                              dwct_rkey_t *r, dwct_comp_t *c)
{
    return DWCS_ERR_UNSUPPORTED;
}
static dwcs_status_t amst_atomic(dwct_iface_t *i, int p, dwct_atomic_op_t op, size_t s,
                                 uint64_t v, uint64_t cmp, void *res, uint64_t ra, dwct_rkey_t *r,
                                 dwct_comp_t *c)
{
    return DWCS_ERR_UNSUPPORTED;
}
static dwcs_status_t amst_rma_flush(dwct_iface_t *i, int p, dwct_comp_t *c)
{
    return DWCS_ERR_UNSUPPORTED;
}

const dwct_ops_t dwct_amst_ops = {
    .name = "amst",
    .init = amst_init,
    .send = amst_send,
    .sendv = amst_sendv,
    .rx_fetch = amst_rx_fetch,
    .rx_release = amst_rx_release,
    .progress = amst_progress,
    .flush = amst_flush,
    .finalize = amst_finalize,
    .mem_map = amst_mem_map,
    .mem_unmap = amst_mem_unmap,
    .rkey_unpack = amst_rkey_unpack,
    .rkey_destroy = amst_rkey_destroy,
    .put = amst_put,
    .get = amst_get,
    .atomic = amst_atomic,
    .rma_flush = amst_rma_flush,
};
