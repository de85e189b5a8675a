/*
 * pba.c — Predictive Bandwidth Allocation: the per-path bandwidth / RTT estimator and its
 * pacing state machine (see pba.h for the model).
 */
#include "pba.h"

#include <stddef.h>

/* Smallest bandwidth-delay product (bytes) the estimator paces to: see substantial(). The
 * pacing rate is never below PBA_MIN_BDP / min RTT either (8 Mbit/s at 1 s, 84 at 100 ms). */
#define PBA_MIN_BDP (1024.0 * 1024.0)
/* Successful probes in a row that double the probe's extra gain, and the largest probe gain. */
#define PBA_PROBE_UP_MAX 3
#define PBA_PROBE_GAIN_MAX 2.0
/* A STARTUP interval "grows" the estimate if it raises it by this factor. */
#define PBA_GROWTH 1.25
/* STARTUP ends after this many intervals without growth. */
#define PBA_FULL_ROUNDS 3
/* STARTUP also ends as soon as the RTT shows a queue of half a BDP (before a 1 BDP bottleneck
 * queue overflows and the lanes lose packets). */
#define PBA_FULL_QUEUE_RTT 1.5
/* ... and only once the RTT shows a queue (this multiple of the propagation RTT). */
#define PBA_FULL_RTT 1.2
/* CRUISE: a probe that leaves the RTT below this multiple of the propagation RTT found room. */
#define PBA_ROOM_RTT 1.04
/* CRUISE: a smoothed RTT that stayed above this multiple of the propagation RTT for a whole
 * cycle is a standing queue; the estimate is then multiplied by PBA_TRIM. */
#define PBA_STANDING_RTT 1.1
#define PBA_TRIM 0.97
/* STARTUP gain after such a restart (overshoots less than the first STARTUP's). */
#define PBA_RESTART_GAIN 2.0
/* DRAIN ends when the smoothed RTT is below this multiple of the propagation RTT ... */
#define PBA_DRAINED_RTT 1.15
/* ... or after this many intervals. */
#define PBA_DRAIN_MAX 4

static double clampd(double v, double lo, double hi, double dflt)
{
    if (!(v == v)) { /* NaN */
        return dflt;
    }
    return v < lo ? lo : v > hi ? hi : v;
}

void dwct_pba_params_default(dwct_pba_params_t *prm)
{
    prm->cruise_gain = 0.95;
    prm->probe_gain = 1.15;
    prm->startup_gain = 2.89;
    prm->drain_gain = 0.75;
    prm->cycle = 8;
    prm->bw_window = 40;
    prm->min_interval = 0.02;
    prm->rtt_window = 10.0;
    prm->ewma = 0.25;
}

void dwct_pba_init(dwct_pba_t *e, const dwct_pba_params_t *prm)
{
    dwct_pba_t z = {0};
    *e = z;
    if (prm != NULL) {
        e->prm = *prm;
    } else {
        dwct_pba_params_default(&e->prm);
    }
    dwct_pba_params_t *p = &e->prm;
    p->cruise_gain = clampd(p->cruise_gain, 0.1, 2.0, 0.95);
    p->probe_gain = clampd(p->probe_gain, 1.0, 1.9, 1.15);
    p->startup_gain = clampd(p->startup_gain, 1.0, 10.0, 2.89);
    p->drain_gain = clampd(p->drain_gain, 0.1, 1.0, 0.75);
    p->min_interval = clampd(p->min_interval, 0.001, 10.0, 0.02);
    p->rtt_window = clampd(p->rtt_window, 0.1, 3600.0, 10.0);
    p->ewma = clampd(p->ewma, 0.01, 1.0, 0.25);
    if (p->cycle < 3) {
        p->cycle = 3;
    }
    if (p->bw_window < 1) {
        p->bw_window = 1;
    }
    if (p->bw_window > DWCT_PBA_WIN_MAX) {
        p->bw_window = DWCT_PBA_WIN_MAX;
    }
    e->phase = DWCT_PBA_STARTUP;
}

double dwct_pba_interval(const dwct_pba_t *e)
{
    return e->min_rtt > e->prm.min_interval ? e->min_rtt : e->prm.min_interval;
}

static void win_push(dwct_pba_t *e, double bw)
{
    int cap = e->prm.bw_window;
    e->win[e->win_head] = bw;
    e->win_head = (e->win_head + 1) % cap;
    if (e->win_n < cap) {
        e->win_n++;
    }
    double m1 = 0, m2 = 0;
    for (int i = 0; i < e->win_n; i++) {
        if (e->win[i] > m1) {
            m2 = m1;
            m1 = e->win[i];
        } else if (e->win[i] > m2) {
            m2 = e->win[i];
        }
    }
    e->btlbw = e->win_n >= 2 ? m2 : m1;
}

static int rtt_inflated(const dwct_pba_t *e, double factor)
{
    return e->min_rtt > 0 && e->srtt > factor * e->min_rtt;
}

/* The estimate describes a path worth pacing: its BDP is at least PBA_MIN_BDP. Below that the
 * samples come from a few small messages or from TCP's first round trips (a raised RTT then is
 * noise of a busy host, not a queue these bytes built), and pacing to them would hold every
 * later transfer at that rate. */
static int substantial(const dwct_pba_t *e)
{
    return e->min_rtt > 0 && e->btlbw * e->min_rtt >= PBA_MIN_BDP;
}

/* Gain of the probing interval now (see phase_step). */
static double probe_gain_now(const dwct_pba_t *e)
{
    double g = 1 + (e->prm.probe_gain - 1) * (double)(1u << e->probe_up);
    return g < PBA_PROBE_GAIN_MAX ? g : PBA_PROBE_GAIN_MAX;
}

/* One interval ended with a sample (limited: the sender was application-limited). */
static void phase_step(dwct_pba_t *e, int limited)
{
    switch (e->phase) {
    case DWCT_PBA_STARTUP:
        if (limited) {
            return;
        }
        double seen = e->short_sample > e->btlbw ? e->short_sample : e->btlbw;
        if (seen >= e->full_bw * PBA_GROWTH) {
            e->full_bw = seen;
            e->full_cnt = 0;
        } else {
            e->full_cnt++;
        }
        /* Growth stopped while a queue formed (the bottleneck is full), or the queue already
         * holds half a BDP: stop filling it. Growth that stops without a queue is a sender
         * or receiver limit, not the path's: pacing to it would only hold the sender back. */
        if (substantial(e) && ((e->full_cnt >= PBA_FULL_ROUNDS && rtt_inflated(e, PBA_FULL_RTT)) ||
                               rtt_inflated(e, PBA_FULL_QUEUE_RTT))) {
            e->phase = DWCT_PBA_DRAIN;
            e->phase_ivs = 0;
        }
        return;
    case DWCT_PBA_DRAIN:
        e->phase_ivs++;
        if (!rtt_inflated(e, PBA_DRAINED_RTT) || e->phase_ivs >= PBA_DRAIN_MAX) {
            e->phase = DWCT_PBA_CRUISE;
            e->cycle_idx = 2; /* cruise a while before the first probe */
            e->cycle_bw = e->btlbw;
        }
        return;
    default:
        /* The probing interval just ended and its data reached the receiver by the end of
         * this one: if it built no queue, the path has room the estimate does not know of
         * (the estimate fell while the sender was limited, or the path got faster); find it
         * quickly in STARTUP instead of 15 % per cycle. */
        if (e->cycle_idx == 1 && !limited && e->min_rtt > 0 && e->probe_srtt > 0 &&
            e->probe_srtt <= PBA_ROOM_RTT * e->min_rtt) {
            e->phase = DWCT_PBA_STARTUP;
            e->full_bw = e->btlbw;
            e->full_cnt = 0;
            e->restarts++;
            return;
        }
        if (e->cycle_idx == 1) {
            /* Did the probe's extra data get through (at least 60 % of it)? On a busy host
             * the RTT says little, the delivery rate does: then probe again soon and harder
             * (gain 1.15, 1.3, 1.6, 2), so an estimate that fell while the sender was slow
             * recovers in seconds. */
            double got = e->cycle_bw > 0 ? e->short_sample / e->cycle_bw : 0;
            if (!limited && got >= 1 + 0.6 * (probe_gain_now(e) - 1)) {
                /* From the second success in a row on (one burst of acknowledgements can
                 * fake a single one), the sample becomes the estimate (pushed twice: the filter
                 * takes the second largest) and the gain grows. */
                if (e->probe_ok) {
                    win_push(e, e->short_sample);
                    win_push(e, e->short_sample);
                    if (e->probe_up < PBA_PROBE_UP_MAX) {
                        e->probe_up++;
                    }
                }
                e->probe_ok = 1;
                e->cycle_idx = e->prm.cycle - 3; /* next probe after two intervals */
                e->probe_ups++;
            } else {
                e->probe_up = 0;
                e->probe_ok = 0;
            }
        }
        e->cycle_idx = (e->cycle_idx + 1) % e->prm.cycle;
        if (e->cycle_idx == 0) {
            /* A queue that did not drain during a whole cycle (not even after the probe's
             * drain interval) means the estimate is above the capacity (acknowledgements that
             * came in bursts made samples too high): trim it. */
            if (e->min_rtt > 0 && e->cycle_srtt_min > PBA_STANDING_RTT * e->min_rtt) {
                for (int i = 0; i < e->win_n; i++) {
                    e->win[i] *= PBA_TRIM;
                }
                e->btlbw *= PBA_TRIM;
                e->trims++;
            }
            e->cycle_srtt_min = 0;
            e->cycle_bw = e->btlbw; /* the estimate the probe is measured against */
            e->probe_srtt = 0;
        }
        return;
    }
}

int dwct_pba_update(dwct_pba_t *e, double now, uint64_t delivered, double min_rtt, double srtt,
                    int app_limited)
{
    if (min_rtt > 0) {
        if (e->min_rtt == 0 || min_rtt <= e->min_rtt || now - e->min_rtt_at > e->prm.rtt_window) {
            e->min_rtt = min_rtt;
            e->min_rtt_at = now;
        }
    }
    if (srtt > 0) {
        e->srtt = srtt;
        /* the largest RTT while the probe's data is in flight (the queue it built is gone
         * again by the end of the interval that drains it) */
        if (e->phase == DWCT_PBA_CRUISE && e->cycle_idx <= 1 && srtt > e->probe_srtt) {
            e->probe_srtt = srtt;
        }
        if (e->cycle_srtt_min == 0 || srtt < e->cycle_srtt_min) {
            e->cycle_srtt_min = srtt;
        }
    }
    if (e->iv_start == 0 || delivered < e->iv_delivered) {
        e->iv_start = now;
        e->iv_delivered = delivered;
        e->iv_app_limited = app_limited != 0;
        e->h_n = 0;
        return 0;
    }
    e->iv_app_limited |= app_limited != 0;
    double dt = now - e->iv_start;
    if (dt < dwct_pba_interval(e)) {
        return 0;
    }
    /* Push the interval that just ended; the sample spans it and the DWCT_PBA_SPAN - 1
     * before it (the oldest boundary kept is h_start of the oldest entry). */
    e->h_start[e->h_head] = e->iv_start;
    e->h_delivered[e->h_head] = e->iv_delivered;
    e->h_limited[e->h_head] = e->iv_app_limited;
    e->h_head = (e->h_head + 1) % DWCT_PBA_SPAN;
    if (e->h_n < DWCT_PBA_SPAN) {
        e->h_n++;
    }
    int oldest = (e->h_head - e->h_n + DWCT_PBA_SPAN) % DWCT_PBA_SPAN;
    int limited = 0;
    for (int k = 0; k < e->h_n; k++) {
        limited |= e->h_limited[(oldest + k) % DWCT_PBA_SPAN];
    }
    double bw = (double)(delivered - e->h_delivered[oldest]) / (now - e->h_start[oldest]);
    e->short_sample = (double)(delivered - e->iv_delivered) / dt;
    int short_limited = e->iv_app_limited;
    e->iv_start = now;
    e->iv_delivered = delivered;
    e->iv_app_limited = app_limited != 0;
    e->nsamples++;
    e->last_sample = bw;
    if (limited) {
        e->nlimited++;
    }
    /* The interval that received the probe's acknowledgements is the one that can show the
     * full capacity (the long sample averages it with slower intervals): its short sample
     * counts too. */
    double fbw = bw;
    if (e->phase == DWCT_PBA_CRUISE && e->cycle_idx == 1 && !short_limited &&
        e->short_sample > fbw) {
        fbw = e->short_sample;
    }
    /* While cruising the lanes never sent faster than probe_gain x the estimate: more than
     * that delivered in an interval is acknowledgements bunched up, not capacity. */
    if (e->phase == DWCT_PBA_CRUISE && e->cycle_bw > 0 && fbw > probe_gain_now(e) * e->cycle_bw) {
        fbw = probe_gain_now(e) * e->cycle_bw;
    }
    /* An application-limited sample says little about the path, unless it shows more. */
    if (!limited || fbw > e->btlbw) {
        win_push(e, fbw);
    }
    if (!limited) {
        e->smoothed = e->smoothed == 0 ? bw : e->smoothed + e->prm.ewma * (bw - e->smoothed);
    }
    phase_step(e, short_limited);
    return 1;
}

double dwct_pba_forecast(const dwct_pba_t *e)
{
    return e->btlbw;
}

double dwct_pba_smoothed(const dwct_pba_t *e)
{
    return e->smoothed;
}

double dwct_pba_min_rtt(const dwct_pba_t *e)
{
    return e->min_rtt;
}

static double current_gain(const dwct_pba_t *e)
{
    switch (e->phase) {
    case DWCT_PBA_STARTUP:
        /* Back from CRUISE the estimate is known to within a factor: grow more gently. */
        return e->restarts > 0 && e->prm.startup_gain > PBA_RESTART_GAIN ? PBA_RESTART_GAIN
                                                                         : e->prm.startup_gain;
    case DWCT_PBA_DRAIN:
        return e->prm.drain_gain;
    default:
        break;
    }
    if (e->cycle_idx == 0) {
        return probe_gain_now(e);
    }
    if (e->cycle_idx == 1) {
        double d = 2.0 - probe_gain_now(e);
        return d > 0.6 ? d : 0.6;
    }
    return e->prm.cruise_gain;
}

double dwct_pba_pacing_rate(const dwct_pba_t *e)
{
    if (e->btlbw <= 0 || (e->phase == DWCT_PBA_STARTUP && !substantial(e))) {
        return 0; /* nothing known about the path yet: TCP's own slow start */
    }
    double base = e->btlbw;
    if (e->phase == DWCT_PBA_STARTUP && e->short_sample > base) {
        base = e->short_sample; /* the long samples lag one growing each interval */
    }
    double rate = base * current_gain(e);
    double floor = e->min_rtt > 0 ? PBA_MIN_BDP / e->min_rtt : 0;
    return rate > floor ? rate : floor;
}

const char *dwct_pba_phase_name(const dwct_pba_t *e)
{
    switch (e->phase) {
    case DWCT_PBA_STARTUP:
        return "startup";
    case DWCT_PBA_DRAIN:
        return "drain";
    default:
        break;
    }
    return e->cycle_idx == 0 ? "probe" : e->cycle_idx == 1 ? "probe-drain" : "cruise";
}
