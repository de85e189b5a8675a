/*
 * test_wan_unit.c - unit tests of the wanem link model (with an injected
 * clock) and of the sites-file parser.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "link.h"
#include "sites.h"

#define MS 1000000ull
#define US 1000ull
#define SEC 1000000000ull

static dwcl_sites_t *parse_ok(const char *text)
{
    dwcl_sites_t *s = NULL;
    char err[512] = "";

    cr_assert_eq(dwcl_sites_parse_string(text, "t.sites", &s, err, sizeof(err)), 0,
                 "parse failed: %s", err);
    return s;
}

static void parse_err(const char *text, const char *expect)
{
    dwcl_sites_t *s = NULL;
    char err[512] = "";

    cr_assert_eq(dwcl_sites_parse_string(text, "t.sites", &s, err, sizeof(err)), -1,
                 "parse of [%s] should fail", text);
    cr_assert_null(s);
    cr_assert(strstr(err, expect) != NULL, "error '%s' should contain '%s'", err, expect);
}

/* ---- sites parser ---- */

Test(sites, units)
{
    uint64_t v;
    double d, bdp;

    cr_assert_eq(dwcl_sites_parse_time("1.5ms", 0, &v), 0);
    cr_assert_eq(v, 1500000);
    cr_assert_eq(dwcl_sites_parse_time("200us", 0, &v), 0);
    cr_assert_eq(v, 200000);
    cr_assert_eq(dwcl_sites_parse_time("2s", 0, &v), 0);
    cr_assert_eq(v, 2 * SEC);
    cr_assert_eq(dwcl_sites_parse_time("12", 0, &v), -1, "bare number needs a unit");
    cr_assert_eq(dwcl_sites_parse_time("12", SEC, &v), 0);
    cr_assert_eq(v, 12 * SEC);
    cr_assert_eq(dwcl_sites_parse_time("5parsecs", 0, &v), -1);
    cr_assert_eq(dwcl_sites_parse_time("-1ms", 0, &v), -1);
    cr_assert_eq(dwcl_sites_parse_rate("1gbit", &v), 0);
    cr_assert_eq(v, 1000000000ull);
    cr_assert_eq(dwcl_sites_parse_rate("2.5mbit", &v), 0);
    cr_assert_eq(v, 2500000ull);
    cr_assert_eq(dwcl_sites_parse_rate("64kbit", &v), 0);
    cr_assert_eq(v, 64000ull);
    cr_assert_eq(dwcl_sites_parse_rate("fast", &v), -1);
    cr_assert_eq(dwcl_sites_parse_loss("0.1%", &d), 0);
    cr_assert_float_eq(d, 0.001, 1e-12);
    cr_assert_eq(dwcl_sites_parse_loss("0.02", &d), 0);
    cr_assert_float_eq(d, 0.02, 1e-12);
    cr_assert_eq(dwcl_sites_parse_loss("150%", &d), -1);
    cr_assert_eq(dwcl_sites_parse_queue("64k", &bdp, &v), 0);
    cr_assert_eq(v, 65536);
    cr_assert_eq(dwcl_sites_parse_queue("4m", &bdp, &v), 0);
    cr_assert_eq(v, 4 * 1048576);
    cr_assert_eq(dwcl_sites_parse_queue("0.25bdp", &bdp, &v), 0);
    cr_assert_eq(v, 0);
    cr_assert_float_eq(bdp, 0.25, 1e-12);
    cr_assert_eq(dwcl_sites_parse_queue("lots", &bdp, &v), -1);
}

Test(sites, basic_file)
{
    dwcl_sites_t *s = parse_ok("# two sites\n"
                               "site paris slots=4 hosts=p1,p2\n"
                               "site tokyo   # one slot\n"
                               "\n"
                               "link paris tokyo delay=50ms rate=1gbit queue=1.0bdp\n");
    const dwcl_link_params_t *p;

    cr_assert_eq(s->nsites, 2);
    cr_assert_str_eq(s->sites[0].name, "paris");
    cr_assert_eq(s->sites[0].slots, 4);
    cr_assert_eq(s->sites[0].nhosts, 2);
    cr_assert_str_eq(s->sites[0].hosts[1], "p2");
    cr_assert_eq(s->sites[1].slots, 1);
    cr_assert_eq(dwcl_sites_total_slots(s), 5);
    cr_assert_eq(dwcl_sites_find(s, "tokyo"), 1);
    cr_assert_eq(dwcl_sites_find(s, "berlin"), -1);
    p = dwcl_sites_link(s, 1, 0);
    cr_assert_eq(p->delay_ns, 50 * MS);
    cr_assert_eq(p->rate_bps, 1000000000ull);
    /* 1 BDP = 1 Gbit/s * 100 ms RTT = 12.5 MB */
    cr_assert_eq(p->queue_bytes, 12500000ull);
    dwcl_sites_free(s);
}

Test(sites, directed_overrides_and_default)
{
    dwcl_sites_t *s = parse_ok("site A\nsite B\nsite C\n"
                               "default delay=5ms rate=100mbit queue=64k\n"
                               "link A B delay=50ms rate=1gbit\n"
                               "link A->B loss=1% blackout=10s-12s,20-21\n"
                               "link B -> A delay=30ms\n");
    const dwcl_link_params_t *ab = dwcl_sites_link(s, 0, 1), *ba = dwcl_sites_link(s, 1, 0);
    const dwcl_link_params_t *ac = dwcl_sites_link(s, 0, 2);

    cr_assert_eq(ab->delay_ns, 50 * MS);
    cr_assert_float_eq(ab->loss, 0.01, 1e-12);
    cr_assert_eq(ab->rate_bps, 1000000000ull);
    cr_assert_eq(ab->queue_bytes, 65536, "queue from the default line");
    cr_assert_eq(ab->nblackouts, 2);
    cr_assert_eq(ab->blackouts[0].start_ns, 10 * SEC);
    cr_assert_eq(ab->blackouts[1].end_ns, 21 * SEC);
    cr_assert_eq(ba->delay_ns, 30 * MS);
    cr_assert_float_eq(ba->loss, 0.0, 1e-12);
    cr_assert_eq(ba->nblackouts, 0);
    cr_assert_eq(ac->delay_ns, 5 * MS);
    cr_assert_eq(ac->rate_bps, 100000000ull);
    dwcl_sites_free(s);
}

Test(sites, bdp_queue_uses_both_directions_and_floor)
{
    dwcl_sites_t *s = parse_ok("site A\nsite B\n"
                               "link A->B delay=10ms rate=1gbit queue=0.5bdp\n"
                               "link B->A delay=30ms\n"
                               "site C\nlink A C delay=1us rate=1gbit\n");

    /* 0.5 * 1e9/8 * 40 ms = 2.5 MB */
    cr_assert_eq(dwcl_sites_link(s, 0, 1)->queue_bytes, 2500000ull);
    cr_assert_eq(dwcl_sites_link(s, 1, 0)->queue_bytes, 0, "no rate: no queue limit");
    cr_assert_eq(dwcl_sites_link(s, 0, 2)->queue_bytes, DWCL_SITES_QUEUE_MIN_BYTES);
    dwcl_sites_free(s);
}

Test(sites, errors_have_line_numbers)
{
    parse_err("site A\nsite B\nbogus x\n", "t.sites:3: unknown keyword 'bogus'");
    parse_err("site A\nsite A\n", "t.sites:2: site 'A' already declared on line 1");
    parse_err("site A\nlink A B delay=1ms\n", "t.sites:2: link names unknown site 'B'");
    parse_err("site A\nsite B\nlink A B delay=fast\n", "t.sites:3: bad value 'fast' for delay");
    parse_err("site A\nsite B\nlink A B colour=red\n", "t.sites:3: unknown link parameter");
    parse_err("site A\nsite B\nlink A B blackout=12s-10s\n", "t.sites:3: blackout");
    parse_err("site A\nsite B\nlink A B\nlink B A delay=1ms\n", "t.sites:4: link B A already");
    parse_err("site A slots=0\n", "t.sites:1: bad slots");
    parse_err("site -x\n", "t.sites:1: bad site name");
    parse_err("site A\nlink A A delay=1ms\n", "t.sites:2: link from site 'A' to itself");
    parse_err("# nothing\n", "no 'site' lines");
}

Test(sites, missing_file)
{
    dwcl_sites_t *s = NULL;
    char err[256];

    cr_assert_eq(dwcl_sites_parse_file("/nonexistent/x.sites", &s, err, sizeof(err)), -1);
    cr_assert(strstr(err, "cannot open") != NULL, "%s", err);
    dwcl_sites_free(NULL);
}

/* ---- link model ---- */

static void link_with(dwcl_wanlink_t *l, const char *params)
{
    char text[512];
    dwcl_sites_t *s;

    snprintf(text, sizeof(text), "site A\nsite B\nlink A->B %s\n", params);
    s = parse_ok(text);
    cr_assert_eq(dwcl_wanlink_init(l, dwcl_sites_link(s, 0, 1), 0, 42), 0);
    dwcl_sites_free(s);
}

Test(link, delay_only)
{
    dwcl_wanlink_t l;
    uint8_t pkt[100] = {1, 2, 3};

    link_with(&l, "delay=10ms");
    cr_assert_eq(dwcl_wanlink_next(&l), UINT64_MAX);
    cr_assert_eq(dwcl_wanlink_submit(&l, 5 * MS, pkt, sizeof(pkt), 100), DWCL_WANLINK_QUEUED);
    cr_assert_eq(dwcl_wanlink_next(&l), 15 * MS);
    cr_assert_eq(dwcl_wanlink_head(&l)->len, 100);
    cr_assert_eq(dwcl_wanlink_head(&l)->data[2], 3);
    dwcl_wanlink_pop(&l);
    cr_assert_eq(l.stats.sent_pkts, 1);
    cr_assert_eq(l.stats.sent_bytes, 100);
    cr_assert_eq(dwcl_wanlink_next(&l), UINT64_MAX);
    dwcl_wanlink_fini(&l);
}

Test(link, serialisation_and_fifo)
{
    dwcl_wanlink_t l;
    uint8_t pkt[1000];

    /* 8 Mbit/s = 1 byte per microsecond */
    link_with(&l, "delay=1ms rate=8mbit queue=1m");
    for (int i = 0; i < 3; i++) {
        pkt[0] = (uint8_t)i;
        cr_assert_eq(dwcl_wanlink_submit(&l, 0, pkt, sizeof(pkt), 1000), DWCL_WANLINK_QUEUED);
    }
    cr_assert_eq(dwcl_wanlink_backlog(&l, 0), 3000);
    cr_assert_eq(dwcl_wanlink_backlog(&l, 2500 * US), 500);
    for (int i = 0; i < 3; i++) {
        cr_assert_eq(dwcl_wanlink_next(&l), (uint64_t)(i + 1) * 1000 * US + 1 * MS);
        cr_assert_eq(dwcl_wanlink_head(&l)->data[0], i);
        dwcl_wanlink_pop(&l);
    }
    /* an idle link starts serialising at the submit time */
    cr_assert_eq(dwcl_wanlink_submit(&l, 10 * MS, pkt, 500, 500), DWCL_WANLINK_QUEUED);
    cr_assert_eq(dwcl_wanlink_next(&l), 10 * MS + 500 * US + 1 * MS);
    dwcl_wanlink_fini(&l);
}

Test(link, drop_tail_queue)
{
    dwcl_wanlink_t l;
    uint8_t pkt[1000] = {0};

    link_with(&l, "rate=8mbit queue=2500");
    cr_assert_eq(dwcl_wanlink_submit(&l, 0, pkt, 1000, 1000), DWCL_WANLINK_QUEUED);
    cr_assert_eq(dwcl_wanlink_submit(&l, 0, pkt, 1000, 1000), DWCL_WANLINK_QUEUED);
    cr_assert_eq(dwcl_wanlink_submit(&l, 0, pkt, 1000, 1000), DWCL_WANLINK_DROP_QUEUE);
    /* 1.5 ms later 500 bytes are left: room again */
    cr_assert_eq(dwcl_wanlink_submit(&l, 1500 * US, pkt, 1000, 1000), DWCL_WANLINK_QUEUED);
    cr_assert_eq(l.stats.drop_queue, 1);
    cr_assert_eq(l.stats.queue_peak, 2000);
    /* a packet larger than the queue passes when the link is idle */
    cr_assert_eq(dwcl_wanlink_submit(&l, 1 * SEC, pkt, 1000, 9000), DWCL_WANLINK_QUEUED);
    dwcl_wanlink_fini(&l);
}

Test(link, iid_loss_rate)
{
    dwcl_wanlink_t l;
    uint8_t pkt[64] = {0};
    int n = 200000;

    link_with(&l, "delay=1ms loss=1%");
    for (int i = 0; i < n; i++) {
        dwcl_wanlink_submit(&l, (uint64_t)i * US, pkt, sizeof(pkt), 64);
        while (dwcl_wanlink_next(&l) <= (uint64_t)i * US) {
            dwcl_wanlink_pop(&l);
        }
    }
    /* 1% of 200000 = 2000, sigma ~ 44 */
    cr_assert(l.stats.drop_loss > 1800 && l.stats.drop_loss < 2200, "drop_loss=%llu",
              (unsigned long long)l.stats.drop_loss);
    cr_assert_eq(l.stats.drop_loss + l.stats.sent_pkts + l.count, (uint64_t)n);
    dwcl_wanlink_fini(&l);
}

Test(link, blackout_window)
{
    dwcl_wanlink_t l;
    uint8_t pkt[64] = {0};

    link_with(&l, "delay=1ms blackout=1s-2s");
    cr_assert_eq(dwcl_wanlink_submit(&l, SEC / 2, pkt, 64, 64), DWCL_WANLINK_QUEUED);
    cr_assert_eq(dwcl_wanlink_submit(&l, SEC, pkt, 64, 64), DWCL_WANLINK_DROP_BLACKOUT);
    cr_assert_eq(dwcl_wanlink_submit(&l, 3 * SEC / 2, pkt, 64, 64),
                 DWCL_WANLINK_DROP_BLACKOUT);
    cr_assert_eq(dwcl_wanlink_submit(&l, 2 * SEC, pkt, 64, 64), DWCL_WANLINK_QUEUED);
    cr_assert_eq(l.stats.drop_blackout, 2);
    dwcl_wanlink_fini(&l);
}

Test(link, jitter_never_reorders)
{
    dwcl_wanlink_t l;
    uint8_t pkt[64] = {0};
    uint64_t prev = 0, lo = UINT64_MAX, hi = 0;

    /* dense packets: jitter larger than their spacing must not reorder */
    link_with(&l, "delay=10ms jitter=5ms");
    for (int i = 0; i < 2000; i++) {
        uint64_t t = (uint64_t)i * 100 * US;
        cr_assert_eq(dwcl_wanlink_submit(&l, t, pkt, 64, 64), DWCL_WANLINK_QUEUED);
        cr_assert_geq(l.last_release_ns, prev, "release times must not decrease");
        cr_assert_geq(l.last_release_ns, t + 5 * MS);
        prev = l.last_release_ns;
    }
    dwcl_wanlink_fini(&l);
    /* sparse packets: the delay spreads over 10 ms +- 5 ms */
    link_with(&l, "delay=10ms jitter=5ms");
    for (int i = 0; i < 500; i++) {
        uint64_t t = (uint64_t)i * 20 * MS, r;
        cr_assert_eq(dwcl_wanlink_submit(&l, t, pkt, 64, 64), DWCL_WANLINK_QUEUED);
        r = l.last_release_ns - t;
        cr_assert(r >= 5 * MS && r <= 15 * MS, "delay %llu out of range", (unsigned long long)r);
        lo = r < lo ? r : lo;
        hi = r > hi ? r : hi;
    }
    cr_assert_lt(lo, 6 * MS, "jitter should reach low delays (lo=%llu)", (unsigned long long)lo);
    cr_assert_gt(hi, 14 * MS, "jitter should reach high delays (hi=%llu)", (unsigned long long)hi);
    dwcl_wanlink_fini(&l);
}

Test(link, ring_grows_and_frees)
{
    dwcl_wanlink_t l;
    uint8_t pkt[32] = {0};

    link_with(&l, "delay=1s");
    for (int i = 0; i < 5000; i++) {
        pkt[0] = (uint8_t)i;
        cr_assert_eq(dwcl_wanlink_submit(&l, (uint64_t)i, pkt, sizeof(pkt), 32),
                     DWCL_WANLINK_QUEUED);
    }
    cr_assert_eq(l.count, 5000);
    for (int i = 0; i < 100; i++) {
        cr_assert_eq(dwcl_wanlink_head(&l)->data[0], (uint8_t)i);
        dwcl_wanlink_pop(&l);
    }
    dwcl_wanlink_fini(&l); /* frees the 4900 left */
}

Test(link, wire_bytes_of_super_packets)
{
    uint8_t ip[3000] = {0};

    ip[0] = 0x45;      /* IPv4, 20-byte header */
    ip[9] = 6;         /* TCP */
    ip[20 + 12] = 0x80; /* TCP header 32 bytes */
    /* 52 bytes of headers + 2 * 1448 payload -> two 1500-byte packets */
    cr_assert_eq(dwcl_wanlink_wire_bytes(ip, 52 + 2896, 1448), 3000);
    cr_assert_eq(dwcl_wanlink_wire_bytes(ip, 52 + 2000, 1448), 2000 + 2 * 52);
    cr_assert_eq(dwcl_wanlink_wire_bytes(ip, 1500, 0), 1500);
}

/* Mutated sites files must parse or fail with a message, never crash
 * (a small built-in fuzz run; ASan builds make it stricter). */
Test(sites, mutations_never_crash)
{
    static const char seed[] = "site A slots=2 hosts=a1,a2\nsite B\n"
                               "default delay=1ms rate=1gbit loss=0.1% queue=64k\n"
                               "link A B delay=50ms jitter=1ms queue=1.0bdp blackout=1s-2s\n"
                               "link A->B loss=1%\n";
    static const char alphabet[] = "sitelnkdfau=->#%.,0123456789 \n\tABmgbpk";
    uint64_t x = 88172645463325252ull;
    char text[sizeof(seed) + 64];

    for (int iter = 0; iter < 20000; iter++) {
        size_t len = sizeof(seed) - 1;
        dwcl_sites_t *s = NULL;
        char err[256] = "";

        memcpy(text, seed, sizeof(seed));
        for (int m = 0; m < 1 + iter % 6; m++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            size_t pos = (size_t)(x % len);
            switch ((x >> 32) % 3) {
            case 0: /* replace */
                text[pos] = alphabet[(x >> 40) % (sizeof(alphabet) - 1)];
                break;
            case 1: /* delete */
                memmove(text + pos, text + pos + 1, len - pos);
                len--;
                break;
            default: /* insert */
                if (len + 1 < sizeof(text)) {
                    memmove(text + pos + 1, text + pos, len - pos + 1);
                    text[pos] = alphabet[(x >> 40) % (sizeof(alphabet) - 1)];
                    len++;
                }
                break;
            }
        }
        if (dwcl_sites_parse_string(text, "fuzz", &s, err, sizeof(err)) == 0) {
            cr_assert_not_null(s);
            cr_assert_gt(s->nsites, 0);
            for (int a = 0; a < s->nsites; a++) {
                cr_assert_eq(dwcl_sites_link(s, a, a)->delay_ns, 0);
            }
            dwcl_sites_free(s);
        } else {
            cr_assert_null(s);
            cr_assert(strncmp(err, "fuzz", 4) == 0, "error without file name: %s", err);
        }
    }
}
