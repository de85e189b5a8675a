/*
 * amst_test.c — two-process tests of the AMST transport over loopback.
 * Usage: amst_test [name...]   (no names: run every test)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "amst_harness.h"
#include "amst_internal.h"

#define MiB (1024u * 1024u)

/* Check every received message against what th_hdr/th_fill produce for seqs [0, n). */
static int verify(th_ctx_t *c, int peer, size_t n, const size_t *sizes)
{
    int bad = 0;
    char *seen = calloc(n, 1);
    size_t got = 0;
    for (size_t i = 0; i < c->nmsgs; i++) {
        th_msg_t *m = &c->msgs[i];
        uint64_t seq = m->hdr.seq;
        if (seq >= n) {
            fprintf(stderr, "rank %d: unexpected seq %llu\n", c->rank, (unsigned long long)seq);
            bad = 1;
            continue;
        }
        if (seen[seq]++) {
            fprintf(stderr, "rank %d: duplicate delivery of seq %llu\n", c->rank,
                    (unsigned long long)seq);
            bad = 1;
            continue;
        }
        got++;
        dwct_hdr_t w = th_hdr(peer, seq, sizes[seq]);
        if (m->hdr.src != w.src || m->hdr.tag != w.tag || m->hdr.ctx != w.ctx ||
            m->hdr.crank != w.crank || m->hdr.len != w.len || m->hdr.sreq != w.sreq ||
            m->hdr.type != w.type || m->len != sizes[seq]) {
            fprintf(stderr, "rank %d: seq %llu: envelope mismatch (src %u tag %d ctx %u len %llu)\n",
                    c->rank, (unsigned long long)seq, m->hdr.src, m->hdr.tag, m->hdr.ctx,
                    (unsigned long long)m->hdr.len);
            bad = 1;
            continue;
        }
        if (!m->done || m->status != DWCS_OK) {
            fprintf(stderr, "rank %d: seq %llu not completed (%s)\n", c->rank,
                    (unsigned long long)seq, dwcs_status_string(m->status));
            bad = 1;
            continue;
        }
        long at = th_check(m->data, m->len, ((uint64_t)peer << 32) | seq);
        if (at >= 0) {
            fprintf(stderr, "rank %d: seq %llu (%zu bytes): content differs at byte %ld\n",
                    c->rank, (unsigned long long)seq, m->len, at);
            bad = 1;
        }
    }
    if (got != n) {
        fprintf(stderr, "rank %d: got %zu distinct messages of %zu\n", c->rank, got, n);
        bad = 1;
    }
    free(seen);
    return bad;
}

/* Send sizes[0..n) to the peer, all in flight at once; wait for every completion. */
static int send_all(th_ctx_t *c, int peer, size_t n, const size_t *sizes, int use_iov,
                    uint8_t ***bufs_out)
{
    uint8_t **bufs = calloc(n, sizeof(*bufs));
    th_comp_t *comps = calloc(n, sizeof(*comps));
    dwct_hdr_t *hdrs = calloc(n, sizeof(*hdrs));
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        bufs[i] = malloc(sizes[i] ? sizes[i] : 1);
        th_fill(bufs[i], sizes[i], ((uint64_t)c->rank << 32) | i);
        hdrs[i] = th_hdr(c->rank, i, sizes[i]);
        th_comp_init(&comps[i]);
        dwcs_status_t st;
        if (use_iov) {
            /* Uneven pieces that straddle chunk boundaries. */
            struct iovec iov[5];
            size_t cuts[6] = {0, sizes[i] / 7, sizes[i] / 3 + 1, sizes[i] / 2 + 3,
                              sizes[i] - sizes[i] / 5, sizes[i]};
            for (int k = 0; k < 5; k++) {
                if (cuts[k + 1] < cuts[k]) {
                    cuts[k + 1] = cuts[k];
                }
                iov[k].iov_base = bufs[i] + cuts[k];
                iov[k].iov_len = cuts[k + 1] - cuts[k];
            }
            st = c->ops->sendv(c->ifc, peer, &hdrs[i], iov, 5, &comps[i].comp);
        } else {
            st = c->ops->send(c->ifc, peer, &hdrs[i], bufs[i], sizes[i], &comps[i].comp);
        }
        if (st == DWCS_OK) {
            comps[i].done = 1;
        } else if (st != DWCS_INPROGRESS) {
            fprintf(stderr, "rank %d: send %zu failed: %s\n", c->rank, i, dwcs_status_string(st));
            bad = 1;
            comps[i].done = 1;
        }
        c->ops->progress(c->ifc);
    }
    for (size_t i = 0; i < n; i++) {
        if (th_wait_flag(c, &comps[i].done, 120) != 0 || comps[i].status != DWCS_OK) {
            fprintf(stderr, "rank %d: send %zu: %s\n", c->rank, i,
                    comps[i].done ? dwcs_status_string(comps[i].status) : "timeout");
            bad = 1;
        }
    }
    free(comps);
    free(hdrs);
    if (bufs_out != NULL) {
        *bufs_out = bufs;
    } else {
        for (size_t i = 0; i < n; i++) {
            free(bufs[i]);
        }
        free(bufs);
    }
    return bad;
}

/* Both ranks send the same list to each other at the same time, then check. */
static int exchange(int rank, const char *dir, const char *variant, const size_t *sizes, size_t n,
                    int use_iov)
{
    th_ctx_t c;
    if (th_init(&c, rank, dir, variant, TH_FETCH_NOW) != 0) {
        return 1;
    }
    int bad = send_all(&c, 1 - rank, n, sizes, use_iov, NULL);
    bad |= th_wait_msgs(&c, n, 120) != 0;
    /* Wait until fetched payloads are in place. */
    for (size_t i = 0; i < c.nmsgs; i++) {
        bad |= th_wait_flag(&c, &c.msgs[i].done, 60) != 0;
    }
    bad |= verify(&c, 1 - rank, n, sizes);
    bad |= c.ops->flush(c.ifc, 10) != DWCS_OK;
    th_spin(&c, 0.05);
    th_fini(&c);
    return bad;
}

static const size_t basic_sizes[] = {0,          1,           8,           1000,
                                     64 * 1024,  64 * 1024 + 1, 300000,    1 * MiB,
                                     3 * MiB + 17, 16 * MiB,   64 * MiB + 5, 256 * MiB};
#define NBASIC (sizeof(basic_sizes) / sizeof(basic_sizes[0]))

static int t_basic(int rank, const char *dir)
{
    return exchange(rank, dir, NULL, basic_sizes, NBASIC, 0);
}

static int t_sendv(int rank, const char *dir)
{
    static const size_t s[] = {5, 4000, 65536, 70000, 2 * MiB + 3, 9 * MiB + 1};
    return exchange(rank, dir, NULL, s, sizeof(s) / sizeof(s[0]), 1);
}

static int t_tcp1(int rank, const char *dir)
{
    static const size_t s[] = {0, 8, 65536, 65537, 1 * MiB, 5 * MiB + 3, 64 * MiB};
    int bad = exchange(rank, dir, "tcp1", s, sizeof(s) / sizeof(s[0]), 0);
    return bad;
}

static int t_tcp1_sendv(int rank, const char *dir)
{
    static const size_t s[] = {7, 100000, 3 * MiB + 1};
    return exchange(rank, dir, "tcp1", s, sizeof(s) / sizeof(s[0]), 1);
}

/* Many messages in flight at once, mixed sizes. */
static int t_many(int rank, const char *dir)
{
    enum { N = 400 };
    static size_t s[N];
    for (int i = 0; i < N; i++) {
        s[i] = (i % 10 == 3) ? (size_t)(1 * MiB + 4096 * i) : (size_t)(i * 97 % 5000);
    }
    return exchange(rank, dir, NULL, s, N, 0);
}

/* KEEP everything, fetch later in reverse order with a small staging limit (backpressure). */
static int t_keep(int rank, const char *dir)
{
    static const size_t s[] = {100, 32 * MiB, 20000, 32 * MiB + 9, 24 * MiB, 77};
    const size_t n = sizeof(s) / sizeof(s[0]);
    th_ctx_t c;
    if (th_init(&c, rank, dir, NULL, TH_KEEP) != 0) {
        return 1;
    }
    int bad = 0;
    if (rank == 0) {
        bad |= send_all(&c, 1, n, s, 0, NULL);
        /* Also one message the receiver releases without fetching, then one more. */
        uint8_t *big = malloc(8 * MiB);
        th_fill(big, 8 * MiB, 999);
        dwct_hdr_t h = th_hdr(0, 1000, 8 * MiB);
        bad |= th_send_wait(&c, 1, &h, big, 8 * MiB, 60);
        free(big);
    } else {
        bad |= th_wait_msgs(&c, n, 60) != 0;
        th_spin(&c, 0.3); /* let chunks arrive and be staged up to the limit */
        amst_iface_t *ai = (amst_iface_t *)c.ifc;
        printf("  staged %zu bytes (limit %zu), %d lanes paused\n", ai->staged_bytes,
               ai->cfg.rx_limit, ai->nparked);
        if (ai->staged_bytes > ai->cfg.rx_limit + 2 * ai->cfg.chunk) {
            fprintf(stderr, "staging exceeded its limit\n");
            bad = 1;
        }
        size_t nfetch = c.nmsgs;
        for (size_t k = nfetch; k-- > 0;) {
            th_msg_t *m = &c.msgs[k];
            m->data = malloc(m->len ? m->len : 1);
            dwcs_status_t st = c.ops->rx_fetch(c.ifc, &m->rx, m->data, m->len, &m->comp);
            if (st != DWCS_INPROGRESS) {
                m->status = st;
                m->done = 1;
            }
        }
        for (size_t k = 0; k < nfetch; k++) {
            bad |= th_wait_flag(&c, &c.msgs[k].done, 60) != 0;
        }
        /* The sender sends the last one after the others completed: release it unread. */
        bad |= th_wait_msgs(&c, n + 1, 60) != 0;
        for (size_t k = nfetch; k < c.nmsgs; k++) {
            c.ops->rx_release(c.ifc, &c.msgs[k].rx);
        }
        /* Drop the released message from the list before verifying. */
        size_t w = 0;
        for (size_t k = 0; k < c.nmsgs; k++) {
            if (c.msgs[k].hdr.seq != 1000) {
                c.msgs[w++] = c.msgs[k];
            }
        }
        c.nmsgs = w;
        bad |= verify(&c, 0, n, s);
    }
    bad |= c.ops->flush(c.ifc, 10) != DWCS_OK;
    th_spin(&c, 0.1);
    th_fini(&c);
    return bad;
}

/* Kill a bulk lane mid-chunk (test hook on rank 0): nothing lost or duplicated. */
static int t_lanekill(int rank, const char *dir)
{
    static const size_t s[] = {128 * MiB, 8 * MiB, 20, 8 * MiB + 1, 40 * MiB};
    const size_t n = sizeof(s) / sizeof(s[0]);
    th_ctx_t c;
    if (th_init(&c, rank, dir, NULL, TH_FETCH_NOW) != 0) {
        return 1;
    }
    int bad = 0;
    if (rank == 0) {
        bad |= send_all(&c, 1, n, s, 0, NULL);
        amst_iface_t *ai = (amst_iface_t *)c.ifc;
        if (!ai->kill_done || ai->resent_chunks == 0) {
            fprintf(stderr, "the lane-kill hook did not fire or nothing was resent\n");
            bad = 1;
        }
        printf("  one bulk lane reset mid-chunk; %llu chunks resent on the other lanes\n",
               (unsigned long long)ai->resent_chunks);
    } else {
        bad |= th_wait_msgs(&c, n, 120) != 0;
        for (size_t i = 0; i < c.nmsgs; i++) {
            bad |= th_wait_flag(&c, &c.msgs[i].done, 60) != 0;
        }
        th_spin(&c, 0.2); /* late duplicates would show up as extra deliveries */
        bad |= verify(&c, 0, n, s);
    }
    bad |= c.ops->flush(c.ifc, 10) != DWCS_OK;
    th_spin(&c, 0.1);
    th_fini(&c);
    return bad;
}

/* Lane adaptation with short windows: lanes are added and drained mid-transfer; every byte
 * still arrives exactly once. */
static int t_adapt(int rank, const char *dir)
{
    enum { N = 12 };
    static size_t s[N];
    for (int i = 0; i < N; i++) {
        s[i] = 48 * MiB + (size_t)i * 4097;
    }
    th_ctx_t c;
    if (th_init(&c, rank, dir, NULL, TH_FETCH_NOW) != 0) {
        return 1;
    }
    int bad = 0;
    if (rank == 0) {
        bad |= send_all(&c, 1, N, s, 0, NULL);
        amst_iface_t *ai = (amst_iface_t *)c.ifc;
        printf("  lane count raised %u times, lowered %u times\n", ai->adapt_grows,
               ai->adapt_shrinks);
        if (ai->adapt_grows == 0) {
            fprintf(stderr, "the lane count never changed\n");
            bad = 1;
        }
    } else {
        bad |= th_wait_msgs(&c, N, 120) != 0;
        for (size_t i = 0; i < c.nmsgs; i++) {
            bad |= th_wait_flag(&c, &c.msgs[i].done, 60) != 0;
        }
        th_spin(&c, 0.1);
        bad |= verify(&c, 0, N, s);
    }
    bad |= c.ops->flush(c.ifc, 10) != DWCS_OK;
    th_spin(&c, 0.1);
    th_fini(&c);
    return bad;
}

/* Raw connection to rank 0's port that sends @p len bytes of @p buf, then waits briefly for
 * the close. Returns 1 if rank 0 closed the connection. */
static int raw_poke(const char *dir, const void *buf, size_t len)
{
    char path[512], txt[256] = {0};
    snprintf(path, sizeof(path), "%s/0.amst.addr", dir);
    FILE *f = NULL;
    for (int i = 0; i < 1000 && (f = fopen(path, "r")) == NULL; i++) {
        usleep(10000); /* rank 0 may not have published yet */
    }
    if (f == NULL || fread(txt, 1, sizeof(txt) - 1, f) == 0) {
        if (f != NULL) {
            fclose(f);
        }
        return 0;
    }
    fclose(f);
    unsigned port = 0;
    sscanf(txt, "amst1 %u", &port);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        return 0;
    }
    if (write(fd, buf, len) != (ssize_t)len) {
        close(fd);
        return 0;
    }
    struct timeval tv = {.tv_sec = 5};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    char tmp[256];
    ssize_t n;
    while ((n = read(fd, tmp, sizeof(tmp))) > 0) {
        /* a CHALLENGE may come first; keep reading until the close */
    }
    close(fd);
    return n == 0 || (n < 0 && errno == ECONNRESET);
}

/* Garbage, bad headers and unauthenticated frames on raw connections close only those
 * connections; real traffic keeps working. */
static int t_garbage(int rank, const char *dir)
{
    th_ctx_t c;
    if (th_init(&c, rank, dir, NULL, TH_FETCH_NOW) != 0) {
        return 1;
    }
    int bad = 0;
    if (rank == 0) {
        bad |= th_wait_msgs(&c, 1, 60) != 0;
        bad |= verify(&c, 1, 1, (const size_t[]){70000});
        th_spin(&c, 0.2);
    } else {
        uint8_t junk[300];
        for (size_t i = 0; i < sizeof(junk); i++) {
            junk[i] = (uint8_t)(i * 37 + 11);
        }
        /* 1: random bytes; 2: a sealed header announcing a 1 GiB MSG before any handshake;
         * 3: a valid HELLO followed by a DATA frame instead of AUTH. */
        uint8_t hdr[AMST_HDR_LEN + AMST_HELLO_LEN + AMST_HDR_LEN + 10] = {0};
        amst_frame_t f = {.type = AMST_F_MSG, .src = 1, .total = (1u << 30) - AMST_ENV_LEN};
        amst_frame_encode(&f, NULL, 0, hdr);
        amst_put32(hdr + 20, 1u << 30);
        amst_put32(hdr + 56, amst_crc32c(0, hdr, 56));
        int closed = 0;
        /* (let rank 0 spin a moment so that its progress serves the pokes) */
        closed += raw_poke(dir, junk, sizeof(junk));
        closed += raw_poke(dir, hdr, AMST_HDR_LEN);
        amst_hello_t h = {.dst_rank = 0, .kind = AMST_LANE_BULK};
        uint8_t pl[AMST_HELLO_LEN];
        amst_hello_pack(&h, pl);
        struct iovec iov = {pl, sizeof(pl)};
        amst_frame_t hf = {.type = AMST_F_HELLO, .src = 1, .length = AMST_HELLO_LEN};
        amst_frame_encode(&hf, &iov, 1, hdr);
        memcpy(hdr + AMST_HDR_LEN, pl, sizeof(pl));
        amst_frame_t df = {.type = AMST_F_DATA, .src = 1, .msg_id = 1, .total = 10, .aux = 4096};
        df.length = 10;
        struct iovec div = {hdr + 2 * AMST_HDR_LEN + AMST_HELLO_LEN, 10};
        amst_frame_encode(&df, &div, 1, hdr + AMST_HDR_LEN + AMST_HELLO_LEN);
        closed += raw_poke(dir, hdr, sizeof(hdr));
        if (closed != 3) {
            fprintf(stderr, "rank 0 kept %d bad connections open\n", 3 - closed);
            bad = 1;
        }
        uint8_t *buf = malloc(70000);
        th_fill(buf, 70000, ((uint64_t)1 << 32) | 0);
        dwct_hdr_t mh = th_hdr(1, 0, 70000);
        bad |= th_send_wait(&c, 0, &mh, buf, 70000, 30);
        free(buf);
    }
    bad |= c.ops->flush(c.ifc, 10) != DWCS_OK;
    th_spin(&c, 0.1);
    th_fini(&c);
    return bad;
}

/* The latency lane is cut between two messages: the next send reconnects and arrives. */
static int t_reconnect(int rank, const char *dir)
{
    static const size_t s[] = {3 * MiB, 100, 5 * MiB + 1, 7};
    th_ctx_t c;
    if (th_init(&c, rank, dir, NULL, TH_FETCH_NOW) != 0) {
        return 1;
    }
    int bad = 0;
    if (rank == 0) {
        uint8_t *buf = malloc(6 * MiB);
        for (uint64_t i = 0; i < 4 && !bad; i++) {
            th_fill(buf, s[i], i);
            dwct_hdr_t h = th_hdr(0, i, s[i]);
            bad |= th_send_wait(&c, 1, &h, buf, s[i], 30);
            if (i == 1) {
                amst_iface_t *ai = (amst_iface_t *)c.ifc;
                amst_peer_t *p = ai->peers[1];
                shutdown(p->lat->fd, SHUT_RDWR); /* both directions of the lane die */
                th_spin(&c, 0.3);
                if (p->state != AMST_PS_FAILED) {
                    fprintf(stderr, "the cut latency lane was not noticed\n");
                    bad = 1;
                }
            }
        }
        free(buf);
    } else {
        bad |= th_wait_msgs(&c, 4, 60) != 0;
        for (size_t i = 0; i < c.nmsgs; i++) {
            bad |= th_wait_flag(&c, &c.msgs[i].done, 60) != 0;
        }
        /* verify() wants sender seeds (rank << 32 | seq): refill expectations accordingly. */
        for (size_t i = 0; i < c.nmsgs; i++) {
            th_msg_t *m = &c.msgs[i];
            if (m->hdr.seq >= 4 || m->len != s[m->hdr.seq] ||
                th_check(m->data, m->len, m->hdr.seq) >= 0) {
                fprintf(stderr, "reconnect: message %zu wrong\n", i);
                bad = 1;
            }
        }
        if (c.nmsgs != 4) {
            fprintf(stderr, "reconnect: %zu messages\n", c.nmsgs);
            bad = 1;
        }
    }
    bad |= c.ops->flush(c.ifc, 10) != DWCS_OK;
    th_spin(&c, 0.1);
    th_fini(&c);
    return bad;
}

/* Wrong secret: sends fail with an auth/link error, nothing is delivered, nobody hangs. */
static int t_auth(int rank, const char *dir)
{
    th_ctx_t c;
    if (th_init(&c, rank, dir, NULL, TH_FETCH_NOW) != 0) {
        return 1;
    }
    int bad = 0;
    uint8_t *buf = malloc(4 * MiB);
    th_fill(buf, 4 * MiB, 5);
    th_comp_t small, large;
    th_comp_init(&small);
    th_comp_init(&large);
    dwct_hdr_t h1 = th_hdr(rank, 0, 16), h2 = th_hdr(rank, 1, 4 * MiB);
    dwcs_status_t s1 = c.ops->send(c.ifc, 1 - rank, &h1, buf, 16, &small.comp);
    dwcs_status_t s2 = c.ops->send(c.ifc, 1 - rank, &h2, buf, 4 * MiB, &large.comp);
    if (s1 == DWCS_OK) {
        fprintf(stderr, "rank %d: small send to an unauthenticated peer reported success\n",
                rank);
        bad = 1;
    }
    if (s1 != DWCS_INPROGRESS) {
        small.done = 1;
        small.status = s1;
    }
    if (s2 != DWCS_INPROGRESS) {
        large.done = 1;
        large.status = s2;
    }
    bad |= th_wait_flag(&c, &small.done, 20) != 0;
    bad |= th_wait_flag(&c, &large.done, 20) != 0;
    if (!dwcs_status_is_link(small.status) || !dwcs_status_is_link(large.status)) {
        fprintf(stderr, "rank %d: expected link/auth errors, got %s / %s\n", rank,
                dwcs_status_string(small.status), dwcs_status_string(large.status));
        bad = 1;
    }
    th_spin(&c, 0.5);
    if (c.nmsgs != 0) {
        fprintf(stderr, "rank %d: %zu messages delivered from an unauthenticated peer\n", rank,
                c.nmsgs);
        bad = 1;
    }
    printf("  rank %d: small send -> %s, large send -> %s\n", rank,
           dwcs_status_string(small.status), dwcs_status_string(large.status));
    free(buf);
    th_fini(&c);
    return bad;
}

/* The receiver dies mid-transfer: the sender's pending sends fail, no hang. */
static int t_peerdeath(int rank, const char *dir)
{
    th_ctx_t c;
    if (th_init(&c, rank, dir, NULL, TH_KEEP) != 0) {
        return 1;
    }
    int bad = 0;
    if (rank == 1) {
        bad |= th_wait_msgs(&c, 1, 30) != 0;
        _exit(bad); /* die without finalize: the kernel resets every lane */
    }
    size_t len = 256 * MiB;
    uint8_t *buf = malloc(len);
    th_fill(buf, len, 1);
    th_comp_t tc;
    th_comp_init(&tc);
    dwct_hdr_t h = th_hdr(0, 0, len);
    dwcs_status_t st = c.ops->send(c.ifc, 1, &h, buf, len, &tc.comp);
    if (st != DWCS_INPROGRESS) {
        tc.done = 1;
        tc.status = st;
    }
    bad |= th_wait_flag(&c, &tc.done, 30) != 0;
    if (!dwcs_status_is_link(tc.status)) {
        fprintf(stderr, "expected a link error, got %s\n", dwcs_status_string(tc.status));
        bad = 1;
    }
    printf("  pending 256 MiB send -> %s\n", dwcs_status_string(tc.status));
    /* A new send to the dead peer must fail too, promptly. */
    th_comp_init(&tc);
    h = th_hdr(0, 1, 8);
    st = c.ops->send(c.ifc, 1, &h, buf, 8, &tc.comp);
    if (st == DWCS_INPROGRESS) {
        bad |= th_wait_flag(&c, &tc.done, 30) != 0;
        st = tc.status;
    }
    if (st == DWCS_OK) {
        fprintf(stderr, "send to a dead peer succeeded\n");
        bad = 1;
    }
    free(buf);
    th_fini(&c);
    return bad;
}

/* Buffered large sends: up to amst_copy_limit (default 1 MiB) a send completes at once (DWCS_OK)
 * from AMST's copy, so the sender may overwrite its buffer right away; larger sends, or sends
 * beyond amst_copy_max, complete only when the receiver acknowledges (DWCS_INPROGRESS). With
 * DWCP_AMST_COPY_MAX set small (second variant) no send may be buffered. */
static int t_copy(int rank, const char *dir)
{
    static const size_t sizes[] = {100 * 1024, 300000, 1 * MiB, 2 * MiB};
    const size_t n = sizeof(sizes) / sizeof(sizes[0]);
    int may_copy = getenv("DWCP_AMST_COPY_MAX") == NULL;
    th_ctx_t c;
    if (th_init(&c, rank, dir, NULL, TH_FETCH_NOW) != 0) {
        return 1;
    }
    int bad = 0;
    if (rank == 0) {
        th_comp_t comps[4];
        uint8_t *bufs[4] = {NULL};
        dwct_hdr_t hdrs[4];
        for (size_t i = 0; i < n; i++) {
            bufs[i] = malloc(sizes[i]);
            th_fill(bufs[i], sizes[i], ((uint64_t)rank << 32) | i);
            hdrs[i] = th_hdr(rank, i, sizes[i]);
            th_comp_init(&comps[i]);
            dwcs_status_t st = c.ops->send(c.ifc, 1, &hdrs[i], bufs[i], sizes[i], &comps[i].comp);
            dwcs_status_t want = may_copy && sizes[i] <= 1 * MiB ? DWCS_OK : DWCS_INPROGRESS;
            if (st != want) {
                fprintf(stderr, "rank 0: send of %zu bytes returned %s, expected %s\n", sizes[i],
                        dwcs_status_string(st), dwcs_status_string(want));
                bad = 1;
            }
            if (st == DWCS_OK) {
                comps[i].done = 1;
                memset(bufs[i], 0xa5, sizes[i]); /* reuse at once: the receiver must not see it */
            } else if (st != DWCS_INPROGRESS) {
                comps[i].done = 1;
            }
        }
        for (size_t i = 0; i < n; i++) {
            if (th_wait_flag(&c, &comps[i].done, 60) != 0) {
                fprintf(stderr, "rank 0: send %zu never completed\n", i);
                bad = 1;
            }
            free(bufs[i]);
        }
    } else {
        bad |= th_wait_msgs(&c, n, 60) != 0;
        for (size_t i = 0; i < c.nmsgs; i++) {
            bad |= th_wait_flag(&c, &c.msgs[i].done, 60) != 0;
        }
        bad |= verify(&c, 0, n, sizes);
    }
    bad |= c.ops->flush(c.ifc, 10) != DWCS_OK;
    th_spin(&c, 0.05);
    th_fini(&c);
    return bad;
}

typedef struct test {
    const char *name;
    int (*fn)(int, const char *);
    const char *const *env0;
    const char *const *env1;
} test_t;

static const char *const sec_a[] = {"DWCP_JOB_SECRET=alpha", NULL};
static const char *const sec_b[] = {"DWCP_JOB_SECRET=bravo", NULL};
static const char *const keep_env[] = {"DWCP_JOB_SECRET=k", "DWCP_AMST_RX_LIMIT=4m", NULL};
static const char *const kill_env[] = {"DWCP_JOB_SECRET=k", "DWCP_AMST_TEST_KILL_AFTER=20m",
                                       "DWCP_AMST_CHUNK=256k", NULL};
static const char *const kill_env1[] = {"DWCP_JOB_SECRET=k", "DWCP_AMST_CHUNK=256k", NULL};
static const char *const plain[] = {"DWCP_JOB_SECRET=k", NULL};
static const char *const nocopy_env[] = {"DWCP_JOB_SECRET=k", "DWCP_AMST_COPY_MAX=64k", NULL};
static const char *const adapt_env[] = {"DWCP_JOB_SECRET=k", "DWCP_AMST_ADAPT_INTERVAL=10ms",
                                        "DWCP_AMST_LANES=2", "DWCP_AMST_MAX_LANES=12", NULL};

static const test_t tests[] = {
    {"basic", t_basic, plain, plain},
    {"sendv", t_sendv, plain, plain},
    {"many", t_many, plain, plain},
    {"keep", t_keep, plain, keep_env},
    {"lanekill", t_lanekill, kill_env, kill_env1},
    {"adapt", t_adapt, adapt_env, adapt_env},
    {"auth", t_auth, sec_a, sec_b},
    {"garbage", t_garbage, plain, plain},
    {"reconnect", t_reconnect, plain, plain},
    {"tcp1", t_tcp1, plain, plain},
    {"tcp1_sendv", t_tcp1_sendv, plain, plain},
    {"peerdeath", t_peerdeath, plain, plain},
    {"copy", t_copy, plain, plain},
    {"copy_max", t_copy, nocopy_env, nocopy_env},
};

int main(int argc, char **argv)
{
    int fails = 0, ran = 0;
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
        int want = argc < 2;
        for (int a = 1; a < argc; a++) {
            want |= strcmp(argv[a], tests[i].name) == 0;
        }
        if (!want) {
            continue;
        }
        ran++;
        fails += th_run_pair(tests[i].name, tests[i].fn, tests[i].env0, tests[i].env1, 180) != 0;
    }
    printf("%d of %d tests failed\n", fails, ran);
    return fails == 0 && ran > 0 ? 0 : 1;
}
