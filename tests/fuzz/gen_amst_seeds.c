/*
 * gen_amst_seeds.c — write the seed corpus of fuzz_amst_frame: one valid frame of every type
 * and a set of malformed ones. Usage: gen_amst_seeds <dir>
 */
#include <stdio.h>
#include <string.h>

#include "amst_wire.h"

static const char *dir;

static void put(const char *name, const uint8_t *buf, size_t len)
{
    char p[1024];
    snprintf(p, sizeof(p), "%s/%s", dir, name);
    FILE *f = fopen(p, "wb");
    if (f == NULL || fwrite(buf, 1, len, f) != len) {
        perror(p);
    }
    if (f != NULL) {
        fclose(f);
    }
}

/* Build header+payload into out; returns the total length. */
static size_t frame(uint8_t *out, amst_frame_t f, const uint8_t *pl, uint32_t plen)
{
    f.length = plen;
    memcpy(out + AMST_HDR_LEN, pl, plen);
    struct iovec iov = {out + AMST_HDR_LEN, plen};
    amst_frame_encode(&f, &iov, 1, out);
    return AMST_HDR_LEN + plen;
}

int main(int argc, char **argv)
{
    static uint8_t b[1 << 16], pl[1 << 15];
    if (argc < 2) {
        fprintf(stderr, "usage: %s dir\n", argv[0]);
        return 2;
    }
    dir = argv[1];
    size_t n;
    amst_hello_t h = {.dst_rank = 1, .kind = AMST_LANE_BULK, .variant = 0, .lane_id = 3};
    memset(h.nonce, 0x5a, sizeof(h.nonce));
    amst_hello_pack(&h, pl);
    n = frame(b, (amst_frame_t){.type = AMST_F_HELLO, .src = 0}, pl, AMST_HELLO_LEN);
    put("valid_hello", b, n);
    memset(pl, 0x11, 32);
    n = frame(b, (amst_frame_t){.type = AMST_F_CHALLENGE, .src = 1}, pl, AMST_CHALLENGE_LEN);
    put("valid_challenge", b, n);
    n = frame(b, (amst_frame_t){.type = AMST_F_AUTH, .src = 0}, pl, AMST_MAC_LEN);
    put("valid_auth", b, n);
    dwct_hdr_t e = {.type = DWCT_MSG_P2P, .src = 2, .ctx = 7, .tag = 42, .crank = 2, .seq = 9,
                    .len = 100, .sreq = 77};
    amst_env_pack(&e, pl);
    for (int i = 0; i < 100; i++) {
        pl[AMST_ENV_LEN + i] = (uint8_t)i;
    }
    amst_frame_t mf = {.type = AMST_F_MSG, .src = 2, .ctx = 7, .tag = 42, .total = 100};
    n = frame(b, mf, pl, AMST_ENV_LEN + 100);
    put("valid_msg", b, n);
    e.len = 5000000;
    amst_env_pack(&e, pl);
    amst_frame_t af = {.type = AMST_F_ANNOUNCE, .src = 2, .ctx = 7, .tag = 42, .msg_id = 5,
                       .total = 5000000, .aux = 1 << 20};
    n = frame(b, af, pl, AMST_ENV_LEN);
    put("valid_announce", b, n);
    memset(pl, 0xa5, 1000);
    amst_frame_t df = {.type = AMST_F_DATA, .src = 2, .msg_id = 5, .offset = 8192,
                       .total = 9192, .aux = 4096};
    n = frame(b, df, pl, 1000);
    put("valid_data_last", b, n);
    df.total = 20000;
    n = frame(b, df, pl, 4096);
    put("valid_data_mid", b, n);
    n = frame(b, (amst_frame_t){.type = AMST_F_ACK, .src = 1, .msg_id = 5, .total = 9192}, pl, 0);
    put("valid_ack", b, n);
    n = frame(b, (amst_frame_t){.type = AMST_F_BYE, .src = 1}, pl, 0);
    put("valid_bye", b, n);

    /* Malformed. */
    put("bad_empty", b, 0);
    n = frame(b, mf, pl, AMST_ENV_LEN + 100);
    put("bad_truncated_header", b, 40);
    put("bad_truncated_payload", b, n - 1);
    b[0] ^= 1;
    put("bad_magic", b, n);
    b[0] ^= 1;
    b[4] = 2;
    put("bad_version", b, n);
    b[4] = AMST_VERSION;
    b[70] ^= 0x80;
    put("bad_payload_crc", b, n);
    b[70] ^= 0x80;
    b[20] ^= 0x01; /* length changed without fixing the header check */
    put("bad_header_crc", b, n);
    b[20] ^= 0x01;
    e.len = 100;
    e.tag = 43; /* envelope disagrees with the header */
    amst_env_pack(&e, pl);
    n = frame(b, mf, pl, AMST_ENV_LEN + 100);
    put("bad_env_mismatch", b, n);
    df.offset = 100; /* not a multiple of the chunk size */
    n = frame(b, df, pl, 4096);
    put("bad_data_unaligned", b, n);
    df.offset = 16384;
    n = frame(b, df, pl, 4096); /* chunk longer than what is left of the message */
    put("bad_data_overrun", b, n);
    amst_frame_t big = {.type = AMST_F_DATA, .src = 2, .msg_id = 1, .offset = 0,
                        .total = 1ull << 40, .aux = 0x7fffffff};
    n = frame(b, big, pl, 16);
    amst_put32(b + 20, 0x7fffffff); /* huge claimed length, re-sealed header check */
    amst_put32(b + 56, amst_crc32c(0, b, 56));
    put("bad_huge_length", b, n);
    n = frame(b, (amst_frame_t){.type = 99, .src = 1}, pl, 0);
    put("bad_type", b, n);
    n = frame(b, (amst_frame_t){.type = AMST_F_ACK, .flags = 4, .src = 1}, pl, 0);
    put("bad_flags", b, n);
    amst_hello_t hb = h;
    hb.kind = 9;
    amst_hello_pack(&hb, pl);
    n = frame(b, (amst_frame_t){.type = AMST_F_HELLO, .src = 0}, pl, AMST_HELLO_LEN);
    put("bad_hello_kind", b, n);
    return 0;
}
