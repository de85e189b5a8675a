/*
 * amst_wire.c — AMST frame encoding and the pure, bounds-checked decoder; CRC32C.
 * The byte layout is documented in docs/wire_format.md.
 */
#include "amst_wire.h"

#include <string.h>

/* ---- CRC32C ------------------------------------------------------------------------------- */

static uint32_t crc_table[8][256];
static int crc_ready;
static int crc_hw; /* 1 if SSE4.2 crc32 instructions are available */

static void crc_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) {
            c = (c & 1) ? (c >> 1) ^ 0x82f63b78u : c >> 1;
        }
        crc_table[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; i++) {
        for (int t = 1; t < 8; t++) {
            uint32_t c = crc_table[t - 1][i];
            crc_table[t][i] = (c >> 8) ^ crc_table[0][c & 0xff];
        }
    }
#if defined(__x86_64__)
    __builtin_cpu_init();
    crc_hw = __builtin_cpu_supports("sse4.2");
#endif
    crc_ready = 1;
}

static uint32_t crc_sw(uint32_t c, const uint8_t *p, size_t n)
{
    while (n >= 8) {
        uint32_t lo = amst_get32(p) ^ c;
        uint32_t hi = amst_get32(p + 4);
        c = crc_table[7][lo & 0xff] ^ crc_table[6][(lo >> 8) & 0xff] ^
            crc_table[5][(lo >> 16) & 0xff] ^ crc_table[4][lo >> 24] ^
            crc_table[3][hi & 0xff] ^ crc_table[2][(hi >> 8) & 0xff] ^
            crc_table[1][(hi >> 16) & 0xff] ^ crc_table[0][hi >> 24];
        p += 8;
        n -= 8;
    }
    while (n-- > 0) {
        c = (c >> 8) ^ crc_table[0][(c ^ *p++) & 0xff];
    }
    return c;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) static uint32_t crc_hw_run(uint32_t c, const uint8_t *p,
                                                             size_t n)
{
    uint64_t c64 = c;
    while (n >= 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        c64 = __builtin_ia32_crc32di(c64, v);
        p += 8;
        n -= 8;
    }
    uint32_t c32 = (uint32_t)c64;
    while (n-- > 0) {
        c32 = __builtin_ia32_crc32qi(c32, *p++);
    }
    return c32;
}
#endif

uint32_t amst_crc32c(uint32_t crc, const void *buf, size_t len)
{
    if (!crc_ready) {
        crc_init();
    }
    uint32_t c = ~crc;
#if defined(__x86_64__)
    if (crc_hw) {
        return ~crc_hw_run(c, buf, len);
    }
#endif
    return ~crc_sw(c, buf, len);
}

/* ---- Header ------------------------------------------------------------------------------- */

void amst_frame_encode(const amst_frame_t *f, const struct iovec *iov, size_t iovcnt,
                       uint8_t out[AMST_HDR_LEN])
{
    memset(out, 0, AMST_HDR_LEN);
    amst_put32(out + 0, AMST_MAGIC);
    out[4] = AMST_VERSION;
    out[5] = f->type;
    amst_put16(out + 6, f->flags);
    amst_put32(out + 8, f->src);
    amst_put32(out + 12, f->ctx);
    amst_put32(out + 16, (uint32_t)f->tag);
    amst_put32(out + 20, f->length);
    amst_put64(out + 24, f->msg_id);
    amst_put64(out + 32, f->offset);
    amst_put64(out + 40, f->total);
    amst_put32(out + 48, f->aux);
    amst_put32(out + 52, 0);
    amst_put32(out + 56, amst_crc32c(0, out, 56));
    uint32_t crc = amst_crc32c(0, out, 60);
    for (size_t i = 0; i < iovcnt; i++) {
        crc = amst_crc32c(crc, iov[i].iov_base, iov[i].iov_len);
    }
    amst_put32(out + 60, crc);
}

/* Type-specific rules on header fields. */
static int hdr_rules_ok(const amst_frame_t *f)
{
    switch (f->type) {
    case AMST_F_HELLO:
    case AMST_F_CHALLENGE:
    case AMST_F_AUTH:
    case AMST_F_BYE: {
        uint32_t want = f->type == AMST_F_HELLO       ? AMST_HELLO_LEN
                        : f->type == AMST_F_CHALLENGE ? AMST_CHALLENGE_LEN
                        : f->type == AMST_F_AUTH      ? AMST_MAC_LEN
                                                      : 0;
        return f->length == want && f->msg_id == 0 && f->offset == 0 && f->total == 0 &&
               f->aux == 0;
    }
    case AMST_F_MSG:
        return f->length >= AMST_ENV_LEN && f->total == (uint64_t)f->length - AMST_ENV_LEN &&
               f->offset == 0 && f->aux == 0;
    case AMST_F_ANNOUNCE:
        return f->length == AMST_ENV_LEN && f->total > 0 && f->offset == 0 && f->aux > 0 &&
               f->aux <= AMST_MAX_PAYLOAD;
    case AMST_F_DATA: {
        if (f->aux == 0 || f->aux > AMST_MAX_PAYLOAD || f->offset >= f->total ||
            f->offset % f->aux != 0) {
            return 0;
        }
        uint64_t rest = f->total - f->offset;
        uint64_t want = rest < f->aux ? rest : f->aux;
        return f->length == want;
    }
    case AMST_F_ACK:
        return f->length == 0 && f->offset == 0 && f->aux == 0;
    default:
        return 0;
    }
}

dwcs_status_t amst_hdr_decode(const uint8_t *buf, size_t len, amst_frame_t *out)
{
    if (buf == NULL || out == NULL || len < AMST_HDR_LEN) {
        return DWCS_ERR_PROTOCOL;
    }
    if (amst_get32(buf) != AMST_MAGIC || buf[4] != AMST_VERSION) {
        return DWCS_ERR_PROTOCOL;
    }
    if (amst_get32(buf + 56) != amst_crc32c(0, buf, 56) || amst_get32(buf + 52) != 0) {
        return DWCS_ERR_PROTOCOL;
    }
    amst_frame_t f;
    memset(&f, 0, sizeof(f));
    f.version = buf[4];
    f.type = buf[5];
    f.flags = amst_get16(buf + 6);
    f.src = amst_get32(buf + 8);
    f.ctx = amst_get32(buf + 12);
    f.tag = (int32_t)amst_get32(buf + 16);
    f.length = amst_get32(buf + 20);
    f.msg_id = amst_get64(buf + 24);
    f.offset = amst_get64(buf + 32);
    f.total = amst_get64(buf + 40);
    f.aux = amst_get32(buf + 48);
    f.crc = amst_get32(buf + 60);
    if (f.type < AMST_F_HELLO || f.type > AMST_F_MAX || f.flags != 0 ||
        f.length > AMST_MAX_PAYLOAD || !hdr_rules_ok(&f)) {
        return DWCS_ERR_PROTOCOL;
    }
    *out = f;
    return DWCS_OK;
}

dwcs_status_t amst_payload_check(const amst_frame_t *f, const uint8_t *payload, uint32_t crc)
{
    if (crc != f->crc) {
        return DWCS_ERR_PROTOCOL;
    }
    if (f->type == AMST_F_MSG || f->type == AMST_F_ANNOUNCE) {
        dwct_hdr_t h;
        amst_env_unpack(payload, &h);
        if (h.src != f->src || h.ctx != f->ctx || h.tag != f->tag || h.len != f->total) {
            return DWCS_ERR_PROTOCOL;
        }
    } else if (f->type == AMST_F_HELLO) {
        amst_hello_t h;
        amst_hello_unpack(payload, &h);
        if (h.kind > AMST_LANE_SINGLE || h.variant > 1) {
            return DWCS_ERR_PROTOCOL;
        }
    }
    return DWCS_OK;
}

dwcs_status_t amst_frame_decode(const uint8_t *buf, size_t len, amst_frame_t *out)
{
    amst_frame_t f;
    if (amst_hdr_decode(buf, len, &f) != DWCS_OK) {
        return DWCS_ERR_PROTOCOL;
    }
    if (len - AMST_HDR_LEN < f.length) {
        return DWCS_ERR_PROTOCOL;
    }
    const uint8_t *pl = buf + AMST_HDR_LEN;
    uint32_t crc = amst_crc32c(amst_crc32c(0, buf, 60), pl, f.length);
    if (amst_payload_check(&f, pl, crc) != DWCS_OK) {
        return DWCS_ERR_PROTOCOL;
    }
    f.payload = pl;
    *out = f;
    return DWCS_OK;
}

/* ---- Payloads ----------------------------------------------------------------------------- */

void amst_env_pack(const dwct_hdr_t *h, uint8_t out[AMST_ENV_LEN])
{
    amst_put16(out + 0, h->type);
    amst_put16(out + 2, h->flags);
    amst_put32(out + 4, h->src);
    amst_put32(out + 8, h->ctx);
    amst_put32(out + 12, (uint32_t)h->tag);
    amst_put32(out + 16, (uint32_t)h->crank);
    amst_put32(out + 20, h->aux);
    amst_put64(out + 24, h->seq);
    amst_put64(out + 32, h->len);
    amst_put64(out + 40, h->sreq);
}

void amst_env_unpack(const uint8_t in[AMST_ENV_LEN], dwct_hdr_t *h)
{
    h->type = amst_get16(in + 0);
    h->flags = amst_get16(in + 2);
    h->src = amst_get32(in + 4);
    h->ctx = amst_get32(in + 8);
    h->tag = (int32_t)amst_get32(in + 12);
    h->crank = (int32_t)amst_get32(in + 16);
    h->aux = amst_get32(in + 20);
    h->seq = amst_get64(in + 24);
    h->len = amst_get64(in + 32);
    h->sreq = amst_get64(in + 40);
}

void amst_hello_pack(const amst_hello_t *h, uint8_t out[AMST_HELLO_LEN])
{
    amst_put32(out + 0, h->dst_rank);
    out[4] = h->kind;
    out[5] = h->variant;
    amst_put16(out + 6, h->lane_id);
    memcpy(out + 8, h->nonce, AMST_NONCE_LEN);
}

void amst_hello_unpack(const uint8_t in[AMST_HELLO_LEN], amst_hello_t *h)
{
    h->dst_rank = amst_get32(in + 0);
    h->kind = in[4];
    h->variant = in[5];
    h->lane_id = amst_get16(in + 6);
    memcpy(h->nonce, in + 8, AMST_NONCE_LEN);
}
