/*
 * amst_wire_test.c — unit checks of the AMST wire layer: CRC32C and SipHash-2-4 reference
 * vectors, encode/decode round trips of every frame type, and rejection of corrupted,
 * truncated and inconsistent frames.
 */
#include <stdio.h>
#include <string.h>

#include "amst_wire.h"

#include "amst_check.h"

static size_t build(uint8_t *out, amst_frame_t f, const uint8_t *pl, uint32_t plen)
{
    f.length = plen;
    memcpy(out + AMST_HDR_LEN, pl, plen);
    struct iovec iov = {out + AMST_HDR_LEN, plen};
    amst_frame_encode(&f, &iov, 1, out);
    return AMST_HDR_LEN + plen;
}

int main(void)
{
    /* CRC32C check value (RFC 3720 / the usual "123456789" test). */
    CHECK(amst_crc32c(0, "123456789", 9) == 0xe3069283u, "crc32c(123456789) = %08x",
          amst_crc32c(0, "123456789", 9));
    /* Incremental == one shot; long buffers (hardware path) agree with a split at odd offsets. */
    static uint8_t big[100003];
    for (size_t i = 0; i < sizeof(big); i++) {
        big[i] = (uint8_t)(i * 31 + 7);
    }
    uint32_t one = amst_crc32c(0, big, sizeof(big));
    uint32_t two = amst_crc32c(amst_crc32c(0, big, 12345), big + 12345, sizeof(big) - 12345);
    CHECK(one == two, "incremental crc differs");
    /* SipHash-2-4 reference: key 00..0f, message 00..0e -> a129ca6149be45e5. */
    uint8_t msg[15];
    for (int i = 0; i < 15; i++) {
        msg[i] = (uint8_t)i;
    }
    uint64_t k0 = 0x0706050403020100ull, k1 = 0x0f0e0d0c0b0a0908ull;
    CHECK(amst_siphash(k0, k1, msg, 15) == 0xa129ca6149be45e5ull, "siphash vector");
    CHECK(amst_siphash(k0, k1, msg, 0) == 0x726fdb47dd0e0e31ull, "siphash empty vector");
    /* Keys from different secrets differ; MACs depend on every input. */
    amst_key_t ka, kb;
    amst_key_derive("alpha", &ka);
    amst_key_derive("alphb", &kb);
    uint8_t nc[16] = {1}, ns[16] = {2}, m1[16], m2[16];
    amst_auth_mac(&ka, 'S', nc, ns, 0, 1, 0, 0, m1);
    amst_auth_mac(&kb, 'S', nc, ns, 0, 1, 0, 0, m2);
    CHECK(!amst_mac_equal(m1, m2), "mac independent of the key");
    amst_auth_mac(&ka, 'C', nc, ns, 0, 1, 0, 0, m2);
    CHECK(!amst_mac_equal(m1, m2), "mac independent of the role");
    amst_auth_mac(&ka, 'S', nc, ns, 0, 1, 1, 0, m2);
    CHECK(!amst_mac_equal(m1, m2), "mac independent of the lane");

    /* Round trip of a MSG frame, then every single-bit flip is rejected. */
    static uint8_t buf[4096], pl[2048];
    dwct_hdr_t e = {.type = 1, .flags = 1, .src = 3, .ctx = 9, .tag = -5, .crank = 4, .aux = 2,
                    .seq = 1ull << 40, .len = 300, .sreq = 0xdeadbeefcafeull};
    amst_env_pack(&e, pl);
    for (int i = 0; i < 300; i++) {
        pl[AMST_ENV_LEN + i] = (uint8_t)(i ^ 0x5c);
    }
    amst_frame_t f = {.type = AMST_F_MSG, .src = 3, .ctx = 9, .tag = -5, .total = 300,
                      .msg_id = 77};
    size_t n = build(buf, f, pl, AMST_ENV_LEN + 300);
    amst_frame_t d;
    CHECK(amst_frame_decode(buf, n, &d) == DWCS_OK, "valid MSG rejected");
    CHECK(d.src == 3 && d.ctx == 9 && d.tag == -5 && d.msg_id == 77 && d.total == 300 &&
              d.length == AMST_ENV_LEN + 300 && d.payload == buf + AMST_HDR_LEN,
          "MSG fields");
    dwct_hdr_t e2;
    amst_env_unpack(d.payload, &e2);
    CHECK(memcmp(&e, &e2, sizeof(e)) == 0, "envelope round trip");
    int flips_ok = 0;
    for (size_t bit = 0; bit < n * 8; bit++) {
        buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        flips_ok += amst_frame_decode(buf, n, &d) == DWCS_OK;
        buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    CHECK(flips_ok == 0, "%d single-bit corruptions accepted", flips_ok);
    for (size_t cut = 0; cut < n; cut++) {
        CHECK(amst_frame_decode(buf, cut, &d) != DWCS_OK, "truncation to %zu accepted", cut);
    }
    CHECK(amst_frame_decode(NULL, 0, &d) != DWCS_OK, "NULL accepted");

    /* DATA geometry. */
    amst_frame_t df = {.type = AMST_F_DATA, .src = 1, .msg_id = 2, .offset = 4096, .total = 5000,
                       .aux = 4096};
    n = build(buf, df, pl, 904);
    CHECK(amst_frame_decode(buf, n, &d) == DWCS_OK, "valid last chunk rejected");
    n = build(buf, df, pl, 903);
    CHECK(amst_frame_decode(buf, n, &d) != DWCS_OK, "short last chunk accepted");
    df.offset = 5000;
    n = build(buf, df, pl, 0);
    CHECK(amst_frame_decode(buf, n, &d) != DWCS_OK, "chunk at the end accepted");
    df.offset = 0;
    df.aux = 0;
    n = build(buf, df, pl, 0);
    CHECK(amst_frame_decode(buf, n, &d) != DWCS_OK, "chunk size 0 accepted");

    /* Control frames with wrong sizes. */
    n = build(buf, (amst_frame_t){.type = AMST_F_ACK, .src = 1, .msg_id = 3}, pl, 1);
    CHECK(amst_frame_decode(buf, n, &d) != DWCS_OK, "ACK with payload accepted");
    n = build(buf, (amst_frame_t){.type = AMST_F_AUTH, .src = 1}, pl, 15);
    CHECK(amst_frame_decode(buf, n, &d) != DWCS_OK, "short AUTH accepted");
    n = build(buf, (amst_frame_t){.type = AMST_F_BYE, .src = 1}, pl, 0);
    CHECK(amst_frame_decode(buf, n, &d) == DWCS_OK, "BYE rejected");

    printf("%s amst_wire_test (%d failures)\n", fails ? "FAIL" : "PASS", fails);
    return fails ? 1 : 0;
}
