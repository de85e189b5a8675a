/*
 * amst_bench.c — loopback figures for AMST (not part of `make check`).
 *   amst_bench tput <bytes> [reps]   one large message rank 0 -> 1, median goodput
 *   amst_bench lat [iters] [bulk]    8-byte ping-pong half round trip; bulk=1 streams 64 MiB
 *                                    messages 0 -> 1 at the same time
 * Lanes, chunk size, variant: DWCP_AMST_LANES, DWCP_AMST_CHUNK, AMST_BENCH_VARIANT=tcp1, ...
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "amst_harness.h"

static size_t bytes = 256u << 20;
static int reps = 5;
static int iters = 2000;
static int with_bulk;
static int idle_sleep; /* AMST_BENCH_NETNS set: sleep when idle (the emulator needs CPU) */

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static const char *variant(void)
{
    return getenv("AMST_BENCH_VARIANT");
}

static int tput(int rank, const char *dir)
{
    th_ctx_t c;
    if (th_init(&c, rank, dir, variant(), TH_FETCH_NOW) != 0) {
        return 1;
    }
    uint8_t *buf = malloc(bytes);
    memset(buf, 0x3c, bytes);
    double *t = calloc((size_t)reps, sizeof(double));
    int bad = 0;
    for (int r = 0; r < reps && !bad; r++) {
        if (rank == 0) {
            dwct_hdr_t h = th_hdr(0, (uint64_t)r, bytes);
            double t0 = th_now();
            bad |= th_send_wait(&c, 1, &h, buf, bytes, 120);
            /* wait for the receiver's 1-byte "got it" so both ends are measured */
            bad |= th_wait_msgs(&c, (size_t)r + 1, 120);
            t[r] = th_now() - t0;
        } else {
            bad |= th_wait_msgs(&c, (size_t)r + 1, 120);
            bad |= th_wait_flag(&c, &c.msgs[r].done, 120);
            free(c.msgs[r].data);
            c.msgs[r].data = NULL;
            dwct_hdr_t h = th_hdr(1, (uint64_t)r, 1);
            bad |= th_send_wait(&c, 0, &h, buf, 1, 60);
        }
    }
    if (rank == 0 && !bad) {
        qsort(t, (size_t)reps, sizeof(double), cmp_d);
        double med = t[reps / 2];
        printf("tput variant=%s lanes=%s chunk=%s bytes=%zu reps=%d median %.3f s = %.2f Gbit/s "
               "(min %.3f max %.3f)\n",
               variant() ? variant() : "amst", getenv("DWCP_AMST_LANES") ?: "default",
               getenv("DWCP_AMST_CHUNK") ?: "default", bytes, reps, med, bytes * 8 / med / 1e9,
               t[0], t[reps - 1]);
    }
    c.ops->flush(c.ifc, 10);
    th_spin(&c, 0.1);
    free(t);
    free(buf);
    th_fini(&c);
    return bad;
}

static void bulk_done(dwct_comp_t *comp, dwcs_status_t st)
{
    th_comp_t *tc = (th_comp_t *)comp;
    tc->done = 1;
    tc->status = st;
}

static int lat(int rank, const char *dir)
{
    th_ctx_t c;
    if (th_init(&c, rank, dir, variant(), TH_FETCH_NOW) != 0) {
        return 1;
    }
    int bad = 0;
    uint8_t ping[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    const size_t blen = 64u << 20;
    uint8_t *bulk = rank == 0 && with_bulk ? calloc(1, blen) : NULL;
    th_comp_t bc[2];
    int nbulk = 0;
    for (int k = 0; k < 2; k++) {
        th_comp_init(&bc[k]);
        bc[k].comp.cb = bulk_done;
        bc[k].done = 1;
    }
    double *t = calloc((size_t)iters, sizeof(double));
    size_t scanned = 0;
    int small_seen = 0;
    /* Count pings/pongs (bulk messages, tag 999, also land in the queue on rank 1). */
#define SCAN()                                                                                     \
    for (; scanned < c.nmsgs; scanned++) {                                                         \
        small_seen += c.msgs[scanned].hdr.tag != 999;                                              \
    }
    for (int i = 0; i < iters + 20 && !bad; i++) {
        if (bulk != NULL) {
            for (int k = 0; k < 2; k++) {
                if (bc[k].done) {
                    th_comp_init(&bc[k]);
                    bc[k].comp.cb = bulk_done;
                    dwct_hdr_t h = th_hdr(0, 1000000 + (uint64_t)nbulk, blen);
                    h.tag = 999;
                    dwcs_status_t st = c.ops->send(c.ifc, 1, &h, bulk, blen, &bc[k].comp);
                    if (st != DWCS_INPROGRESS) {
                        bc[k].done = 1;
                    }
                    nbulk++;
                }
            }
        }
        dwct_hdr_t h = th_hdr(rank, (uint64_t)i, 8);
        double t0 = th_now();
        if (rank == 0) {
            bad |= th_send_wait(&c, 1, &h, ping, 8, 30);
        }
        for (;;) {
            SCAN();
            if (small_seen > i) {
                break;
            }
            if (c.ops->progress(c.ifc) == 0 && idle_sleep) {
                usleep(20); /* under wanem: do not starve the emulator of CPU */
            }
            if (th_now() - t0 > 30) {
                fprintf(stderr, "rank %d: no ping/pong %d within 30 s\n", rank, i);
                bad = 1;
                break;
            }
        }
        if (rank == 0 && i >= 20) {
            t[i - 20] = (th_now() - t0) / 2;
        }
        if (rank == 1) {
            for (size_t k = 0; k < c.nmsgs; k++) {
                if (c.msgs[k].hdr.tag == 999 && c.msgs[k].done && c.msgs[k].data != NULL) {
                    free(c.msgs[k].data);
                    c.msgs[k].data = NULL;
                }
            }
            if (c.nmsgs > 4000) {
                fprintf(stderr, "bench: message table full\n");
                bad = 1;
            }
            bad |= th_send_wait(&c, 0, &h, ping, 8, 30);
        }
    }
    if (rank == 0 && !bad) {
        qsort(t, (size_t)iters, sizeof(double), cmp_d);
        printf("lat variant=%s bulk=%d iters=%d half-RTT median %.1f us p90 %.1f us p99 %.1f us "
               "(bulk messages sent: %d)\n",
               variant() ? variant() : "amst", with_bulk, iters, t[iters / 2] * 1e6,
               t[iters * 9 / 10] * 1e6, t[iters * 99 / 100] * 1e6, nbulk);
    }
    free(t);
    free(bulk);
    th_fini(&c);
    return bad;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s tput <bytes> [reps] | lat [iters] [bulk]\n", argv[0]);
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    idle_sleep = getenv("AMST_BENCH_NETNS") != NULL;
    if (strcmp(argv[1], "tput") == 0) {
        if (argc > 2) {
            bytes = strtoull(argv[2], NULL, 0);
        }
        if (argc > 3) {
            reps = atoi(argv[3]);
        }
        return th_run_pair("tput", tput, NULL, NULL, 600) != 0;
    }
    if (argc > 2) {
        iters = atoi(argv[2]);
    }
    if (argc > 3) {
        with_bulk = atoi(argv[3]);
    }
    return th_run_pair("lat", lat, NULL, NULL, 600) != 0;
}
