/*
 * amst_wire.h — AMST frame format: constants, encoder, pure decoder, checksums, keyed hash.
 *
 * Every frame is a 64-byte little-endian header followed by `length` payload bytes. The layout
 * is specified in docs/wire_format.md; this header and amst_wire.c are its implementation.
 * Nothing here touches sockets or global state, so the decoder can be fuzzed on its own.
 */
#ifndef AMST_WIRE_H
#define AMST_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "dwct.h"
#include "dwcs_status.h"

#define AMST_MAGIC 0x54534d41u     /* bytes "AMST" on the wire */
#define AMST_VERSION 1u
#define AMST_HDR_LEN 64u           /* fixed header size */
#define AMST_ENV_LEN 48u           /* serialised dwct_hdr_t */
#define AMST_NONCE_LEN 16u
#define AMST_MAC_LEN 16u
#define AMST_MAX_PAYLOAD (64u << 20) /* largest payload of one frame (64 MiB) */
#define AMST_HELLO_LEN 24u
#define AMST_CHALLENGE_LEN (AMST_NONCE_LEN + AMST_MAC_LEN)

/** Frame types. */
typedef enum amst_ftype {
    AMST_F_HELLO = 1,     /* initiator -> acceptor: who I am, which lane, client nonce */
    AMST_F_CHALLENGE = 2, /* acceptor -> initiator: server nonce + server proof */
    AMST_F_AUTH = 3,      /* initiator -> acceptor: client proof */
    AMST_F_MSG = 4,       /* a whole small message: envelope + data */
    AMST_F_ANNOUNCE = 5,  /* first frame of a large message: envelope only */
    AMST_F_DATA = 6,      /* one chunk of a large message */
    AMST_F_ACK = 7,       /* acceptor -> initiator: large message fully received */
    AMST_F_BYE = 8,       /* graceful end of a lane (no error) */
    AMST_F_MAX = 8,
} amst_ftype_t;

/** Lane kinds carried in HELLO. */
typedef enum amst_lane_kind {
    AMST_LANE_LAT = 0,    /* latency lane: MSG, ANNOUNCE; acks come back on it */
    AMST_LANE_BULK = 1,   /* bulk lane: DATA only */
    AMST_LANE_SINGLE = 2, /* tcp1 variant: everything on one lane */
} amst_lane_kind_t;

/** A decoded frame header (host order); @c payload is set by amst_frame_decode only. */
typedef struct amst_frame {
    uint8_t type;
    uint8_t version;
    uint16_t flags;
    uint32_t src;
    uint32_t ctx;
    int32_t tag;
    uint32_t length;   /* payload bytes of this frame */
    uint64_t msg_id;
    uint64_t offset;
    uint64_t total;    /* total message length (MSG, ANNOUNCE, DATA, ACK) */
    uint32_t aux;      /* DATA/ANNOUNCE: chunk size; otherwise 0 */
    uint32_t crc;      /* CRC32C over header bytes 0..59 and the payload */
    const uint8_t *payload;
} amst_frame_t;

/** HELLO payload. */
typedef struct amst_hello {
    uint32_t dst_rank;
    uint8_t kind;      /* amst_lane_kind_t */
    uint8_t variant;   /* 0 amst, 1 tcp1 */
    uint16_t lane_id;
    uint8_t nonce[AMST_NONCE_LEN];
} amst_hello_t;

/** CRC32C (Castagnoli) of @p len bytes continuing from @p crc (start with 0). */
uint32_t amst_crc32c(uint32_t crc, const void *buf, size_t len);

/**
 * Write a frame header into @p out (64 bytes) from @p f (type..aux); computes the header
 * check and the frame checksum over the header and the payload pieces @p iov[0..iovcnt).
 */
void amst_frame_encode(const amst_frame_t *f, const struct iovec *iov, size_t iovcnt,
                       uint8_t out[AMST_HDR_LEN]);

/**
 * Decode and validate a header (the first 64 bytes of @p buf). Checks magic, version, type,
 * flags, reserved fields, the header check and the type's length/geometry rules.
 * Returns DWCS_OK or DWCS_ERR_PROTOCOL (never reads past @p len).
 */
dwcs_status_t amst_hdr_decode(const uint8_t *buf, size_t len, amst_frame_t *out);

/**
 * Validate a frame's payload once received: the checksum (@p crc is the CRC32C computed over
 * header bytes 0..59 and the payload) and the type's payload rules (envelope fields matching
 * the header, sizes). Returns DWCS_OK or DWCS_ERR_PROTOCOL.
 */
dwcs_status_t amst_payload_check(const amst_frame_t *f, const uint8_t *payload, uint32_t crc);

/**
 * Decode one complete frame from @p buf: header, checksum and payload rules.
 * On success fills @p out (out->payload points into @p buf) and returns DWCS_OK; a short
 * buffer or a malformed frame returns DWCS_ERR_PROTOCOL. Pure; never crashes on any input.
 */
dwcs_status_t amst_frame_decode(const uint8_t *buf, size_t len, amst_frame_t *out);

/** Serialise a dwct_hdr_t into 48 little-endian bytes. */
void amst_env_pack(const dwct_hdr_t *h, uint8_t out[AMST_ENV_LEN]);

/** Parse 48 bytes into a dwct_hdr_t. */
void amst_env_unpack(const uint8_t in[AMST_ENV_LEN], dwct_hdr_t *h);

/** Serialise / parse a HELLO payload. */
void amst_hello_pack(const amst_hello_t *h, uint8_t out[AMST_HELLO_LEN]);
void amst_hello_unpack(const uint8_t in[AMST_HELLO_LEN], amst_hello_t *h);

/** SipHash-2-4 of @p len bytes with the 128-bit key (k0, k1). */
uint64_t amst_siphash(uint64_t k0, uint64_t k1, const void *buf, size_t len);

/** A 128-bit job key derived from a secret string. */
typedef struct amst_key {
    uint64_t k[4];
} amst_key_t;

/** Derive the job key from @p secret (any length). */
void amst_key_derive(const char *secret, amst_key_t *key);

/**
 * The handshake proof: a 16-byte keyed hash of role label @p label ('S' or 'C'), both nonces,
 * both ranks, the lane id and kind.
 */
void amst_auth_mac(const amst_key_t *key, char label, const uint8_t nc[AMST_NONCE_LEN],
                   const uint8_t ns[AMST_NONCE_LEN], uint32_t client_rank, uint32_t server_rank,
                   uint16_t lane_id, uint8_t kind, uint8_t out[AMST_MAC_LEN]);

/** Constant-time comparison of two MACs; 1 if equal. */
int amst_mac_equal(const uint8_t *a, const uint8_t *b);

/* Little-endian helpers. */
static inline void amst_put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
static inline void amst_put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}
static inline void amst_put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}
static inline uint16_t amst_get16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}
static inline uint32_t amst_get32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}
static inline uint64_t amst_get64(const uint8_t *p)
{
    return (uint64_t)amst_get32(p) | ((uint64_t)amst_get32(p + 4) << 32);
}

#endif /* AMST_WIRE_H */
