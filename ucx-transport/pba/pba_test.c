/*
 * pba_test.c — checks of the PBA estimator against a fluid model of one bottleneck link
 * (capacity C, propagation RTT, drop-tail queue): the forecast must find C, the pacing must keep
 * the queue short, application-limited periods must not lower the forecast, a faster path must
 * be found again, and bursty acknowledgements must not inflate the forecast much.
 * Exit 0 if every check passes, 1 otherwise (prints FAIL lines).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "pba.h"

#define TICK 0.005 /* the AMST timer period */

typedef struct link {
    double cap;                /* bytes/s */
    double rtt;                /* propagation RTT, s */
    double qmax;               /* queue limit, bytes */
    double q;                  /* queue, bytes */
    double inflight_rate[400]; /* bytes/s leaving the queue, by tick, delayed by rtt */
    int head;
    double delivered; /* acknowledged bytes */
    double q_sum, q_n;
} link_t;

static int failures;

static void check(int ok, const char *what, double got, double want)
{
    printf("%s %s (got %.3f, want %.3f)\n", ok ? "PASS" : "FAIL", what, got, want);
    failures += !ok;
}

/* One tick: the sender offers @p rate bytes/s (it always has data unless @p idle). */
static void link_tick(link_t *l, double rate, int idle, double noise)
{
    double in = idle ? 0 : rate * TICK;
    double out = l->q + in < l->cap * TICK ? l->q + in : l->cap * TICK;
    l->q += in - out;
    if (l->q > l->qmax) {
        l->q = l->qmax; /* dropped; the sender's TCP resends, the model ignores it */
    }
    int delay = (int)(l->rtt / TICK + 0.5);
    int n = (int)(sizeof(l->inflight_rate) / sizeof(l->inflight_rate[0]));
    l->inflight_rate[(l->head + delay) % n] += out;
    double acked = l->inflight_rate[l->head];
    l->inflight_rate[l->head] = 0;
    l->head = (l->head + 1) % n;
    if (noise > 0) {
        /* acks held back and released in bursts: move some bytes to a later tick */
        double hold = acked * noise * (rand() / (double)RAND_MAX);
        acked -= hold;
        l->inflight_rate[(l->head + 1 + rand() % 8) % n] += hold;
    }
    l->delivered += acked;
    l->q_sum += l->q;
    l->q_n += 1;
}

/* Run @p secs; the sender paces at the estimator's rate, or at 2 x capacity when it says
 * "no limit" (TCP's own window would let it overfill the queue). */
static double sender_cap; /* > 0: the sender cannot send faster (a busy CPU), yet is not idle */
static double rtt_extra;  /* added to the RTT the estimator sees (a descheduled host) */

static void run(dwct_pba_t *e, link_t *l, double *t, double secs, int idle, double noise)
{
    for (double end = *t + secs; *t < end; *t += TICK) {
        double pace = dwct_pba_pacing_rate(e);
        double rate = pace > 0 ? pace : 2 * l->cap;
        if (sender_cap > 0 && rate > sender_cap) {
            rate = sender_cap;
        }
        link_tick(l, rate, idle, noise);
        double srtt = l->rtt + l->q / l->cap + rtt_extra;
        dwct_pba_update(e, *t, (uint64_t)l->delivered, l->rtt, srtt, idle);
    }
}

int main(void)
{
    srand(42);
    dwct_pba_params_t prm;
    dwct_pba_params_default(&prm);
    const double cap = 120.6e6; /* 965 Mbit/s of payload */

    /* 1. steady state on a clean 100 ms path */
    dwct_pba_t e;
    link_t l = {.cap = cap, .rtt = 0.1, .qmax = cap * 0.1};
    double t = 1.0;
    dwct_pba_init(&e, &prm);
    run(&e, &l, &t, 5.0, 0, 0);
    l.q_sum = l.q_n = 0;
    double d0 = l.delivered, t0 = t;
    run(&e, &l, &t, 10.0, 0, 0);
    double fc = dwct_pba_forecast(&e);
    check(fabs(fc / cap - 1) < 0.05, "forecast within 5% of the capacity", fc / cap, 1.0);
    double good = (l.delivered - d0) / (t - t0);
    check(good > 0.9 * cap, "goodput above 90% of the capacity", good / cap, 0.9);
    double qdelay = l.q_sum / l.q_n / cap;
    check(qdelay < 0.1 * l.rtt, "mean queueing delay below 10% of the RTT", qdelay / l.rtt, 0.1);
    check(fabs(dwct_pba_min_rtt(&e) - 0.1) < 1e-9, "propagation RTT", dwct_pba_min_rtt(&e), 0.1);

    /* 2. an idle (application-limited) period keeps the forecast */
    run(&e, &l, &t, 5.0, 1, 0);
    check(dwct_pba_forecast(&e) > 0.95 * fc, "forecast kept while idle", dwct_pba_forecast(&e) / fc,
          1.0);

    /* 2b. the sender is slowed down (descheduled) for 6 s without being idle: when it can
     * send again, the pacing must not hold it near the slow rate for long */
    sender_cap = 0.3 * cap;
    run(&e, &l, &t, 6.0, 0, 0);
    sender_cap = 0;
    run(&e, &l, &t, 4.0, 0, 0);
    fc = dwct_pba_forecast(&e);
    check(fc > 0.9 * cap, "forecast back above 90% 4 s after a slow sender", fc / cap, 1.0);

    /* 2c. the same on a busy host (every RTT 30 % above the propagation RTT, so a probe's
     * queue cannot be told from noise): the delivery rate must bring the forecast back */
    rtt_extra = 0.03;
    sender_cap = 0.3 * cap;
    run(&e, &l, &t, 6.0, 0, 0);
    sender_cap = 0;
    double d2 = l.delivered, t2 = t;
    run(&e, &l, &t, 8.0, 0, 0);
    rtt_extra = 0;
    check((l.delivered - d2) / (t - t2) > 0.6 * cap,
          "goodput over 8 s after a slow sender on a busy host",
          (l.delivered - d2) / (t - t2) / cap, 0.6);
    fc = dwct_pba_forecast(&e);
    check(fc > 0.9 * cap, "forecast back above 90% 8 s after a slow sender on a busy host",
          fc / cap, 1.0);

    /* 3. the path gets twice as fast: found within 10 s */
    l.cap = 2 * cap;
    l.qmax = l.cap * 0.1;
    run(&e, &l, &t, 10.0, 0, 0);
    fc = dwct_pba_forecast(&e);
    check(fc > 1.8 * cap && fc < 2.1 * cap, "faster path found", fc / cap, 2.0);

    /* 4. bursty acknowledgements (up to half, or 80 %, of a tick's acks held back up to 40 ms):
     * the forecast stays near the capacity and the queue short; with the harsher bursts the
     * trimming only has to keep both bounded */
    static const struct {
        double noise, fc_hi, q_max;
    } bursts[] = {{0.5, 1.08, 0.2}, {0.8, 1.15, 0.7}};
    for (int b = 0; b < 2; b++) {
        dwct_pba_init(&e, &prm);
        link_t l2 = {.cap = cap, .rtt = 0.1, .qmax = cap * 0.1};
        t = 1.0;
        run(&e, &l2, &t, 5.0, 0, bursts[b].noise);
        l2.q_sum = l2.q_n = 0;
        run(&e, &l2, &t, 10.0, 0, bursts[b].noise);
        fc = dwct_pba_forecast(&e);
        char what[128];
        snprintf(what, sizeof(what), "forecast with bursty acks (%.0f%%) below %.2f x capacity",
                 100 * bursts[b].noise, bursts[b].fc_hi);
        check(fc < bursts[b].fc_hi * cap && fc > 0.9 * cap, what, fc / cap, 1.0);
        qdelay = l2.q_sum / l2.q_n / cap;
        snprintf(what, sizeof(what),
                 "queueing delay with bursty acks (%.0f%%) below %.0f%% of "
                 "the RTT",
                 100 * bursts[b].noise, 100 * bursts[b].q_max);
        check(qdelay < bursts[b].q_max * l2.rtt, what, qdelay / l2.rtt, bursts[b].q_max);
    }

    /* 4b. a new path on a busy host (every RTT 30 % above the propagation RTT) first carries
     * only a trickle (a few small messages, TCP's first round trips): that must not become the
     * pacing rate; a bulk transfer afterwards gets most of the capacity within 5 s */
    dwct_pba_init(&e, &prm);
    link_t l3 = {.cap = cap, .rtt = 0.1, .qmax = cap * 0.1};
    t = 1.0;
    rtt_extra = 0.03;
    sender_cap = 50e3;
    run(&e, &l3, &t, 3.0, 0, 0);
    sender_cap = 0;
    double d3 = l3.delivered, t3 = t;
    run(&e, &l3, &t, 5.0, 0, 0);
    check((l3.delivered - d3) / (t - t3) > 0.7 * cap, "bulk after a trickle on a busy host",
          (l3.delivered - d3) / (t - t3) / cap, 0.7);
    rtt_extra = 0;

    /* 5. a 20 ms path, no estimate before data: no pacing at all */
    dwct_pba_init(&e, &prm);
    check(dwct_pba_pacing_rate(&e) == 0, "no pacing before the first sample",
          dwct_pba_pacing_rate(&e), 0);
    printf("%s\n", failures ? "pba_test: FAILED" : "pba_test: all checks passed");
    return failures ? 1 : 0;
}
