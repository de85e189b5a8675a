/*
 * pba.h — Predictive Bandwidth Allocation: a per-path estimate and forecast of the bottleneck
 * bandwidth and the round-trip propagation time, and the pacing rate that keeps the bottleneck
 * queue short.
 *
 * The estimator knows nothing about sockets: its owner (AMST) feeds it, every few milliseconds,
 * the path's cumulative delivered (acknowledged) payload bytes, the smallest RTT its
 * connections have seen, their current smoothed RTT and whether the sender ran out of data
 * since the last call. At the end of every sample interval (one minimum RTT, at least
 * dwct_pba_params_t.min_interval) the estimator turns the bytes delivered during the last
 * DWCT_PBA_SPAN intervals into a delivery-rate sample for the forecast (several, so that
 * acknowledgements that arrive in bursts, e.g. after a stall of the receiver or of the path,
 * do not show up as rates above the bottleneck's), and those of the last interval alone into a
 * short sample for the phase decisions below (which must see one interval's change).
 *
 * Model (the ideas of BBR, applied to the sum of several TCP connections):
 *   - bottleneck bandwidth = the second largest delivery-rate sample of the last `bw_window`
 *     intervals (a windowed max filter that ignores one outlier: the bottleneck never delivers
 *     faster than its rate, and a queue can only make a sample smaller, so the max is the
 *     least biased estimate). The window is long (40 intervals, 4 s at 100 ms): the
 *     pacing rate is a cap on top of TCP's own
 *     congestion control, so an estimate a little high costs a short queue, while one too low
 *     (a sender or receiver that was descheduled for a while) would hold the transfer back;
 *     samples taken while the sender was application-limited only count if they raise it;
 *   - propagation RTT = the smallest RTT seen (kept for `rtt_window` seconds);
 *   - the forecast for the next interval is the bottleneck bandwidth (dwct_pba_forecast); an
 *     exponentially smoothed delivery rate is kept alongside for reports (dwct_pba_smoothed);
 *   - the pacing rate follows phases: STARTUP paces at startup_gain x the estimate (or not at
 *     all before the first sample) until the estimate stops growing by 25 % for three
 *     intervals while the RTT shows a queue (or the queue reaches half a BDP), once the
 *     estimate's BDP is at least 1 MiB (the pacing rate is never below 1 MiB / min RTT);
 *     DRAIN paces at drain_gain until the smoothed RTT is back near the propagation RTT (at
 *     most four intervals), emptying the queue STARTUP built; CRUISE paces at
 *     cruise_gain x the estimate, except for one interval in every `cycle` at probe_gain (to
 *     find bandwidth that appeared) followed by one at 2 - probe_gain (to drain that probe);
 *     a probe that built no queue (RTT still within 4 % of the propagation RTT) sends the
 *     estimator back to STARTUP: the estimate is below what the path can carry; a probe whose
 *     extra data got through (by the delivery rate: on a busy host the RTT is too noisy) is
 *     repeated after two intervals, and from the second in a row on its sample becomes the
 *     estimate and the probe gain doubles its extra (1.15, 1.3, 1.6, 2). Samples
 *     taken while cruising are capped at probe_gain x the estimate (the lanes never sent
 *     faster; more is acknowledgements bunched up). A queue that stands through a whole cycle
 *     (the smoothed RTT never fell below 1.1 x the propagation RTT) trims the estimate by 3 %.
 *     An interval is one minimum RTT. (A raised RTT alone does not make the pacing drop to
 *     drain_gain while cruising: on a busy host the RTT also grows when the emulator or the
 *     receiver is descheduled, and pacing down then only lowers the estimate.)
 * All rates are in payload bytes per second, all times in seconds.
 */
#ifndef DWCT_PBA_H
#define DWCT_PBA_H

#include <stdint.h>

#define DWCT_PBA_WIN_MAX 64 /* most samples the max filter keeps */
#define DWCT_PBA_SPAN 3     /* intervals one forecast sample spans */

/** Tunables of one estimator (see the file comment). */
typedef struct dwct_pba_params {
    double cruise_gain;  /* pacing gain while cruising, e.g. 0.95 */
    double probe_gain;   /* gain of the probing interval, e.g. 1.15 (its drain: 2 - this) */
    double startup_gain; /* gain over the estimate while the estimate still grows, e.g. 2 */
    double drain_gain;   /* gain of the DRAIN phase, e.g. 0.75 */
    int cycle;           /* intervals per probing cycle (>= 3), e.g. 8 */
    int bw_window;       /* intervals the max filter spans (1..DWCT_PBA_WIN_MAX), e.g. 40 */
    double min_interval; /* shortest sample interval in seconds, e.g. 0.02 */
    double rtt_window;   /* seconds a minimum RTT is kept without being seen again, e.g. 10 */
    double ewma;         /* weight of a new sample in the smoothed rate, e.g. 0.25 */
} dwct_pba_params_t;

/** Phase of the pacing state machine. */
typedef enum dwct_pba_phase {
    DWCT_PBA_STARTUP = 0,
    DWCT_PBA_DRAIN = 1,
    DWCT_PBA_CRUISE = 2,
} dwct_pba_phase_t;

/** One path's estimator. Zero-initialised memory is not valid: call dwct_pba_init. */
typedef struct dwct_pba {
    dwct_pba_params_t prm;
    int phase;            /* dwct_pba_phase_t */
    double min_rtt;       /* propagation RTT estimate (0: unknown) */
    double min_rtt_at;    /* when it was last seen */
    double srtt;          /* last smoothed RTT fed in */
    /* the interval being measured */
    double iv_start;      /* 0: not started */
    uint64_t iv_delivered;
    int iv_app_limited;
    /* the intervals before it: a forecast sample spans DWCT_PBA_SPAN of them, so that
     * acknowledgements that arrive in bursts and the gaps before them even out */
    double h_start[DWCT_PBA_SPAN];
    uint64_t h_delivered[DWCT_PBA_SPAN];
    int h_limited[DWCT_PBA_SPAN];
    int h_n, h_head;
    double short_sample;  /* the newest one-interval sample (phase decisions), bytes/s */
    /* max filter: the last bw_window samples (ring) */
    double win[DWCT_PBA_WIN_MAX];
    int win_n, win_head;
    double btlbw;         /* windowed max, bytes/s (0: no sample yet) */
    double smoothed;      /* EWMA of the samples, bytes/s */
    double last_sample;   /* the newest sample, bytes/s */
    double full_bw;       /* STARTUP: estimate at the last 25 % growth */
    int full_cnt;         /* STARTUP: intervals without such growth */
    int phase_ivs;        /* intervals spent in the current phase (DRAIN) */
    int cycle_idx;        /* CRUISE: position in the probing cycle */
    double cycle_bw;      /* CRUISE: the estimate when the current probe started */
    double probe_srtt;    /* CRUISE: largest smoothed RTT since the current probe started */
    double cycle_srtt_min; /* CRUISE: smallest smoothed RTT in the current cycle */
    unsigned trims;       /* CRUISE: estimate trimmed after a queue stood for a cycle */
    int probe_up;         /* CRUISE: raises of the probe gain (successful probes in a row) */
    int probe_ok;         /* CRUISE: the last probe's extra data got through */
    unsigned probe_ups;   /* CRUISE: probes whose extra data got through (statistics) */
    uint64_t nsamples;    /* samples taken (also app-limited ones) */
    uint64_t nlimited;    /* of those, application-limited */
    unsigned restarts;    /* CRUISE -> STARTUP: a probe found unused capacity */
} dwct_pba_t;

/** Fill @p prm with the defaults listed in dwct_pba_params_t. */
void dwct_pba_params_default(dwct_pba_params_t *prm);

/** Start an estimator with parameters @p prm (copied; out-of-range values are clamped). */
void dwct_pba_init(dwct_pba_t *e, const dwct_pba_params_t *prm);

/**
 * Feed the path's state at time @p now.
 * @param delivered    cumulative payload bytes acknowledged by the receiver (monotonic)
 * @param min_rtt      smallest RTT any connection of the path has seen (0: unknown)
 * @param srtt         current smoothed RTT of the loaded connections (0: unknown)
 * @param app_limited  non-zero if the sender had nothing to send at some point since the
 *                     previous call
 * @return 1 if a new delivery-rate sample was taken (the forecast may have changed), else 0.
 */
int dwct_pba_update(dwct_pba_t *e, double now, uint64_t delivered, double min_rtt, double srtt,
                    int app_limited);

/** Forecast bottleneck bandwidth in bytes/s for the next interval (0: no estimate yet). */
double dwct_pba_forecast(const dwct_pba_t *e);

/** Smoothed delivery rate in bytes/s (0: no sample yet). */
double dwct_pba_smoothed(const dwct_pba_t *e);

/** Propagation RTT estimate in seconds (0: unknown). */
double dwct_pba_min_rtt(const dwct_pba_t *e);

/** Pacing rate in bytes/s the path's senders together should not exceed now (0: no limit). */
double dwct_pba_pacing_rate(const dwct_pba_t *e);

/** Current phase name ("startup", "drain", "cruise", "probe", "probe-drain"). */
const char *dwct_pba_phase_name(const dwct_pba_t *e);

/** Length of the current sample interval in seconds. */
double dwct_pba_interval(const dwct_pba_t *e);

#endif /* DWCT_PBA_H */
