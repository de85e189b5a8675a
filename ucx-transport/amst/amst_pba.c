/*
 * amst_pba.c — AMST's use of PBA (ucx-transport/pba): per peer, feed the estimator with what
 * the bulk lanes delivered (TCP_INFO bytes_acked, summed over the lanes) and their RTTs, and
 * pace the bulk lanes together (SO_MAX_PACING_RATE, the rate split evenly over the ready
 * lanes) at the estimator's pacing rate, or at amst_rate_limit when that is set. The latency
 * lane is never paced: with the bulk lanes just below the bottleneck rate the bottleneck
 * queue stays short, so small messages do not wait behind bulk data.
 */
#define _GNU_SOURCE
#include <linux/tcp.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "amst_internal.h"
#include "dwcs_log.h"

/* Re-set a lane's pacing rate only if it moved by more than this fraction. */
#define PBA_RESET_FRAC 0.005
/* Intervals (RTTs) in a row with data always waiting before the lanes are paced. */
#define PBA_SUSTAINED_IVS 2
/* Small messages in an interval that make the path interactive, and for how many RTTs. */
#define PBA_INTERACTIVE_MSGS 2
#define PBA_INTERACTIVE_RTTS 16
/* Goodput at this share of the pacing rate or more: the lanes are limited by the pacing. */
#define PBA_PACED_SHARE 0.85
/* A sender whose lanes hold less unsent data than this per lane is application-limited. */
#define PBA_BUSY_UNSENT (64u << 10)

static int lane_info(const amst_lane_t *l, struct tcp_info *ti)
{
    socklen_t len = sizeof(*ti);
    memset(ti, 0, sizeof(*ti));
    return l != NULL && l->fd >= 0 && getsockopt(l->fd, IPPROTO_TCP, TCP_INFO, ti, &len) == 0;
}

void amst_pba_peer_init(amst_iface_t *ifc, amst_peer_t *p)
{
    dwct_pba_params_t prm;
    dwct_pba_params_default(&prm);
    prm.cruise_gain = ifc->cfg.pba_cruise_gain;
    prm.probe_gain = ifc->cfg.pba_probe_gain;
    dwct_pba_init(&p->pba, &prm);
}

static int pba_on(const amst_iface_t *ifc)
{
    return !ifc->tcp1 && ifc->cfg.pba && ifc->cfg.rate_limit <= 0;
}

/* Bytes/s all bulk lanes of @p p may send together now (0: no limit). */
static double peer_rate(const amst_peer_t *p, const amst_iface_t *ifc)
{
    if (ifc->cfg.rate_limit > 0) {
        return ifc->cfg.rate_limit * 1e6 / 8.0;
    }
    /* PBA paces sustained transfers only: a message or a few between idle periods (an RTT or
     * less of data) builds no standing queue, and paced at rate / lanes on the one or two lanes
     * it uses it would take several times its serialisation time (1 MiB one way: +400 ms before
     * a forecast exists, +10 ms with one). */
    /* Pacing below the forecast keeps the bottleneck queue short for small messages; a bulk
     * transfer alone gains nothing from it and loses the rate it paces below the link (cruise
     * gain 0.95: 64 MiB at 86% of the link instead of 92%). So pace only while small messages
     * share the path (sent or received in the last PBA_INTERACTIVE_RTTS round trips). */
    return pba_on(ifc) && p->pba_sustained && p->pba_inter ? dwct_pba_pacing_rate(&p->pba) : 0;
}

static void lane_pace(amst_lane_t *l, uint64_t per)
{
    if (l->paced == per) {
        return;
    }
    if (l->paced != 0 && per != UINT64_MAX && l->paced != UINT64_MAX) {
        double d = (double)per - (double)l->paced;
        if (d < 0) {
            d = -d;
        }
        if (d < PBA_RESET_FRAC * (double)l->paced) {
            return;
        }
    }
    if (setsockopt(l->fd, SOL_SOCKET, SO_MAX_PACING_RATE, &per, sizeof(per)) != 0) {
        uint32_t per32 = per > UINT32_MAX ? UINT32_MAX : (uint32_t)per;
        if (setsockopt(l->fd, SOL_SOCKET, SO_MAX_PACING_RATE, &per32, sizeof(per32)) != 0) {
            DWCS_DEBUG("amst: SO_MAX_PACING_RATE failed: %m");
            return;
        }
    }
    l->paced = per;
}

void amst_tx_pacing(amst_peer_t *p)
{
    if (p->lat == NULL) {
        return;
    }
    amst_iface_t *ifc = p->lat->iface;
    if (ifc->tcp1) {
        return;
    }
    int n = 0;
    for (int i = 0; i < AMST_MAX_LANES; i++) {
        if (p->bulk[i] != NULL && p->bulk[i]->state == AMST_LS_READY) {
            n++;
        }
    }
    if (n == 0) {
        return;
    }
    double rate = peer_rate(p, ifc);
    uint64_t per = UINT64_MAX;
    if (rate > 0) {
        double r = rate / n;
        per = r < 1000.0 ? 1000 : (uint64_t)r;
    }
    for (int i = 0; i < AMST_MAX_LANES; i++) {
        amst_lane_t *l = p->bulk[i];
        if (l != NULL && l->state == AMST_LS_READY && l->fd >= 0) {
            if (per == UINT64_MAX && l->paced == 0) {
                continue; /* never paced: leave the socket alone */
            }
            lane_pace(l, per);
        }
    }
}

/* The bulk lanes have data to send: chunks wait for a lane, or the lanes' sockets still hold
 * unsent bytes (a chunk is handed to a lane as soon as its socket has room, so with large
 * socket buffers the queue of chunks runs dry long before the lanes do). */
static int sender_busy(const amst_peer_t *p)
{
    if (amst_tx_backlog(p)) {
        return 1;
    }
    struct tcp_info ti;
    uint64_t unsent = 0;
    int n = 0;
    for (int i = 0; i < AMST_MAX_LANES; i++) {
        amst_lane_t *l = p->bulk[i];
        if (l != NULL && l->state == AMST_LS_READY && lane_info(l, &ti)) {
            unsent += ti.tcpi_notsent_bytes + (l->cmsg != NULL ? l->clen - l->csent : 0);
            n++;
        }
    }
    return n > 0 && unsent >= (uint64_t)n * PBA_BUSY_UNSENT;
}

/*
 * One TCP_INFO pass over a peer's lanes: @p min_rtt, the smallest RTT any of them has seen (the
 * latency lane included; 0 if unknown), and @p srtt, the mean smoothed RTT of the ready bulk
 * lanes with data in flight (0 if none). With @p count_delivered, also adds what the bulk lanes
 * delivered since the last pass to p->pba_delivered.
 */
static void peer_rtts(amst_peer_t *p, int count_delivered, double *min_rtt, double *srtt)
{
    struct tcp_info ti;
    double mn = 0, sum = 0;
    int n = 0;
    if (lane_info(p->lat, &ti) && ti.tcpi_min_rtt > 0 && ti.tcpi_min_rtt != UINT32_MAX) {
        mn = ti.tcpi_min_rtt * 1e-6;
    }
    for (int i = 0; i < AMST_MAX_LANES; i++) {
        amst_lane_t *l = p->bulk[i];
        if (l == NULL || l->state != AMST_LS_READY || !lane_info(l, &ti)) {
            continue;
        }
        /* Segments the receiver has (cumulatively acknowledged or SACKed), not bytes_acked:
         * after a loss, the cumulative ACK jumps by everything SACKed during the recovery at
         * once, and those spikes made the max filter overshoot (830-950 Mbit/s forecasts on a
         * 500 Mbit/s link with 0.1% loss). */
        if (count_delivered && ti.tcpi_delivered > l->delivered_seen) {
            p->pba_delivered += (uint64_t)(ti.tcpi_delivered - l->delivered_seen) * ti.tcpi_snd_mss;
            l->delivered_seen = ti.tcpi_delivered;
        }
        if (ti.tcpi_min_rtt > 0 && ti.tcpi_min_rtt != UINT32_MAX &&
            (mn == 0 || ti.tcpi_min_rtt * 1e-6 < mn)) {
            mn = ti.tcpi_min_rtt * 1e-6;
        }
        if (ti.tcpi_unacked > 0 && ti.tcpi_rtt > 0) {
            sum += ti.tcpi_rtt * 1e-6;
            n++;
        }
    }
    *min_rtt = mn;
    *srtt = n > 0 ? sum / n : 0;
}

void amst_pba_tick(amst_peer_t *p, double now)
{
    if (p->lat == NULL || p->state != AMST_PS_UP) {
        return;
    }
    amst_iface_t *ifc = p->lat->iface;
    if (ifc->tcp1 || !ifc->cfg.pba) {
        return;
    }
    dwct_pba_t *e = &p->pba;
    int busy = sender_busy(p);
    p->pba_limited |= !busy;
    if (e->iv_start != 0 && now - e->iv_start < dwct_pba_interval(e)) {
        return; /* not yet the end of a sample interval */
    }
    double min_rtt, srtt;
    peer_rtts(p, 1, &min_rtt, &srtt);
    int limited = p->pba_limited;
    p->pba_limited = !busy;
    int was_sustained = p->pba_sustained;
    int was_inter = p->pba_inter;
    if (p->pba_small >= PBA_INTERACTIVE_MSGS) {
        double rtt = min_rtt > 0 ? min_rtt : 0.1;
        p->pba_inter_until = now + PBA_INTERACTIVE_RTTS * rtt;
    }
    p->pba_small = 0;
    p->pba_inter = now < p->pba_inter_until;
    p->pba_busy_ivs = !limited && busy ? p->pba_busy_ivs + 1 : 0;
    p->pba_sustained = p->pba_busy_ivs >= PBA_SUSTAINED_IVS;
    double before = dwct_pba_pacing_rate(e);
    double fc = dwct_pba_forecast(e);
    if (dwct_pba_update(e, now, p->pba_delivered, min_rtt, srtt, limited) &&
        (!limited || dwct_pba_forecast(e) != fc)) {
        DWCS_DEBUG("amst: pba rank %d: sample %.1f Mbit/s%s, forecast %.1f Mbit/s, smoothed "
                   "%.1f, min RTT %.2f ms, srtt %.2f ms, %s, pace %.1f Mbit/s",
                   p->rank, e->last_sample * 8e-6, limited ? " (app-limited)" : "",
                   dwct_pba_forecast(e) * 8e-6, dwct_pba_smoothed(e) * 8e-6,
                   dwct_pba_min_rtt(e) * 1e3, srtt * 1e3, dwct_pba_phase_name(e),
                   dwct_pba_pacing_rate(e) * 8e-6);
    }
    if ((dwct_pba_pacing_rate(e) != before || p->pba_sustained != was_sustained ||
         p->pba_inter != was_inter) &&
        ifc->cfg.rate_limit <= 0) {
        amst_tx_pacing(p);
    }
}

int amst_queue_standing(double qdelay_min, double rtt)
{
    double thresh = 0.1 * rtt > 0.002 ? 0.1 * rtt : 0.002;
    return qdelay_min > thresh;
}

int amst_loss_random(unsigned fresh, unsigned sent, double qdelay, double min_rtt)
{
    if (fresh == 0 || qdelay < 0 || amst_queue_standing(qdelay, min_rtt)) {
        return 0; /* no loss, no RTT yet, or a queue stands: the lanes overflow it */
    }
    /* Sparse: at most 2% of the segments sent since the lane's previous loss. A burst (slow
     * start overshooting, or one loss episode seen over several looks) is overflow. */
    return (uint64_t)fresh * 50u <= sent;
}

int amst_lane_loss_info(const amst_lane_t *l, amst_lane_loss_t *li)
{
    struct tcp_info ti;
    if (!lane_info(l, &ti)) {
        return 0;
    }
    li->retrans = ti.tcpi_total_retrans;
    li->segs_out = ti.tcpi_segs_out;
    li->qdelay = -1;
    li->min_rtt = 0;
    if (ti.tcpi_min_rtt > 0 && ti.tcpi_min_rtt != UINT32_MAX && ti.tcpi_rtt > 0) {
        li->qdelay = ti.tcpi_rtt > ti.tcpi_min_rtt ? (ti.tcpi_rtt - ti.tcpi_min_rtt) * 1e-6 : 0;
        li->min_rtt = ti.tcpi_min_rtt * 1e-6;
    }
    return 1;
}

double amst_pba_qdelay(amst_peer_t *p)
{
    double min_rtt, srtt;
    peer_rtts(p, 0, &min_rtt, &srtt);
    if (srtt == 0 || min_rtt == 0) {
        return -1;
    }
    return srtt > min_rtt ? srtt - min_rtt : 0;
}

int amst_pba_pacing_limited(const amst_peer_t *p, double goodput)
{
    const amst_iface_t *ifc = p->lat != NULL ? p->lat->iface : NULL;
    if (ifc == NULL || !pba_on(ifc) || p->pba.phase != DWCT_PBA_CRUISE) {
        return 0;
    }
    double pace = dwct_pba_pacing_rate(&p->pba);
    return pace > 0 && goodput >= PBA_PACED_SHARE * pace;
}

void amst_pba_lane_ready(amst_lane_t *l)
{
    const amst_iface_t *ifc = l->iface;
    if (!pba_on(ifc) || l->kind != AMST_LANE_BULK || l->fd < 0) {
        return;
    }
    /* Keep at most about one chunk unsent in each paced lane's socket: chunks then wait in
     * AMST's queue for whichever lane drains first, instead of piling up in one socket that
     * sends only its share of the rate (measured: 8 x 4 MiB in flight over 4 lanes delivered
     * 575 of 917 Mbit/s paced). */
    int lowat = (int)(ifc->cfg.chunk < (1u << 20) ? ifc->cfg.chunk : (1u << 20));
    if (setsockopt(l->fd, IPPROTO_TCP, TCP_NOTSENT_LOWAT, &lowat, sizeof(lowat)) != 0) {
        DWCS_DEBUG("amst: TCP_NOTSENT_LOWAT failed: %m");
    }
}

/* Congestion control of a peer's bulk lanes as the report names it. */
static const char *bulk_cc_name(const amst_iface_t *ifc, const amst_peer_t *p)
{
    if (ifc->cfg.cc_bulk == NULL || strcmp(ifc->cfg.cc_bulk, "auto") != 0) {
        return ifc->cfg.cc_bulk != NULL ? ifc->cfg.cc_bulk : "default";
    }
    return p->cc_bbr ? "auto-bbr" : "auto-cubic";
}

void amst_pba_report(amst_iface_t *ifc)
{
    if (!ifc->cfg.pba_report || ifc->tcp1 || ifc->peers == NULL) {
        return;
    }
    for (int r = 0; r < ifc->size; r++) {
        amst_peer_t *p = ifc->peers[r];
        if (p == NULL || p->pba.nsamples == 0) {
            continue;
        }
        const dwct_pba_t *e = &p->pba;
        /* One machine-readable line per path (stderr, like the other reports). */
        fprintf(stderr,
                "PBA rank=%d peer=%d forecast_Mbps=%.1f smoothed_Mbps=%.1f min_rtt_ms=%.3f "
                "pace_Mbps=%.1f phase=%s samples=%llu app_limited=%llu delivered_MB=%.1f "
                "lanes=%d grows=%u shrinks=%u queue_holds=%u cc=%s\n",
                ifc->rank, r, dwct_pba_forecast(e) * 8e-6, dwct_pba_smoothed(e) * 8e-6,
                dwct_pba_min_rtt(e) * 1e3, dwct_pba_pacing_rate(e) * 8e-6, dwct_pba_phase_name(e),
                (unsigned long long)e->nsamples, (unsigned long long)e->nlimited,
                (double)p->pba_delivered / 1e6, p->target, ifc->adapt_grows, ifc->adapt_shrinks,
                ifc->adapt_queue_holds, bulk_cc_name(ifc, p));
    }
}
