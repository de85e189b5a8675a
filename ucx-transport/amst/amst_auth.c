/*
 * amst_auth.c — SipHash-2-4 (written from the SipHash paper's description) and the
 * challenge/response proofs of the AMST handshake.
 */
#include <string.h>

#include "amst_wire.h"

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

static inline void sip_round(uint64_t v[4])
{
    v[0] += v[1];
    v[1] = ROTL(v[1], 13);
    v[1] ^= v[0];
    v[0] = ROTL(v[0], 32);
    v[2] += v[3];
    v[3] = ROTL(v[3], 16);
    v[3] ^= v[2];
    v[0] += v[3];
    v[3] = ROTL(v[3], 21);
    v[3] ^= v[0];
    v[2] += v[1];
    v[1] = ROTL(v[1], 17);
    v[1] ^= v[2];
    v[2] = ROTL(v[2], 32);
}

uint64_t amst_siphash(uint64_t k0, uint64_t k1, const void *buf, size_t len)
{
    const uint8_t *p = buf;
    uint64_t v[4] = {k0 ^ 0x736f6d6570736575ull, k1 ^ 0x646f72616e646f6dull,
                     k0 ^ 0x6c7967656e657261ull, k1 ^ 0x7465646279746573ull};
    size_t nblocks = len / 8;
    for (size_t i = 0; i < nblocks; i++) {
        uint64_t m = amst_get64(p + 8 * i);
        v[3] ^= m;
        sip_round(v);
        sip_round(v);
        v[0] ^= m;
    }
    uint64_t last = (uint64_t)(len & 0xff) << 56;
    size_t rem = len & 7;
    for (size_t i = 0; i < rem; i++) {
        last |= (uint64_t)p[8 * nblocks + i] << (8 * i);
    }
    v[3] ^= last;
    sip_round(v);
    sip_round(v);
    v[0] ^= last;
    v[2] ^= 0xff;
    for (int i = 0; i < 4; i++) {
        sip_round(v);
    }
    return v[0] ^ v[1] ^ v[2] ^ v[3];
}

void amst_key_derive(const char *secret, amst_key_t *key)
{
    size_t n = strlen(secret);
    /* Fixed, public derivation keys: the secret is the only unknown. */
    key->k[0] = amst_siphash(0x6477637061707374ull, 0x6b65792d30000000ull, secret, n);
    key->k[1] = amst_siphash(0x6477637061707374ull, 0x6b65792d31000000ull, secret, n);
    key->k[2] = amst_siphash(0x6477637061707374ull, 0x6b65792d32000000ull, secret, n);
    key->k[3] = amst_siphash(0x6477637061707374ull, 0x6b65792d33000000ull, secret, n);
}

void amst_auth_mac(const amst_key_t *key, char label, const uint8_t nc[AMST_NONCE_LEN],
                   const uint8_t ns[AMST_NONCE_LEN], uint32_t client_rank, uint32_t server_rank,
                   uint16_t lane_id, uint8_t kind, uint8_t out[AMST_MAC_LEN])
{
    uint8_t m[1 + 2 * AMST_NONCE_LEN + 4 + 4 + 2 + 1];
    m[0] = (uint8_t)label;
    memcpy(m + 1, nc, AMST_NONCE_LEN);
    memcpy(m + 1 + AMST_NONCE_LEN, ns, AMST_NONCE_LEN);
    uint8_t *q = m + 1 + 2 * AMST_NONCE_LEN;
    amst_put32(q, client_rank);
    amst_put32(q + 4, server_rank);
    amst_put16(q + 8, lane_id);
    q[10] = kind;
    amst_put64(out, amst_siphash(key->k[0], key->k[1], m, sizeof(m)));
    amst_put64(out + 8, amst_siphash(key->k[2], key->k[3], m, sizeof(m)));
}

int amst_mac_equal(const uint8_t *a, const uint8_t *b)
{
    uint8_t d = 0;
    for (unsigned i = 0; i < AMST_MAC_LEN; i++) {
        d |= (uint8_t)(a[i] ^ b[i]);
    }
    return d == 0;
}
