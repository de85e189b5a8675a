/*
 * fuzz_amst_frame.c — libFuzzer target for the AMST frame decoder.
 * Build with clang -fsanitize=fuzzer,address; replay.c runs the corpus without libFuzzer.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "amst_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    amst_frame_t f;
    if (amst_frame_decode(data, size, &f) == DWCS_OK) {
        /* A frame accepted by the decoder must be self-consistent. */
        if (f.payload != data + AMST_HDR_LEN || size < AMST_HDR_LEN + (size_t)f.length ||
            f.length > AMST_MAX_PAYLOAD || f.type < AMST_F_HELLO || f.type > AMST_F_MAX) {
            abort();
        }
        if (f.type == AMST_F_DATA &&
            (f.aux == 0 || f.offset >= f.total || f.offset + f.length > f.total)) {
            abort();
        }
        if ((f.type == AMST_F_MSG || f.type == AMST_F_ANNOUNCE) && f.length < AMST_ENV_LEN) {
            abort();
        }
        /* Re-encoding the header must reproduce the checksum. */
        uint8_t hdr[AMST_HDR_LEN];
        struct iovec iov = {(void *)f.payload, f.length};
        amst_frame_encode(&f, &iov, 1, hdr);
        if (amst_get32(hdr + 60) != f.crc) {
            abort();
        }
    }
    /* The header-only decoder must agree with the full one on the header. */
    amst_frame_t h;
    if (amst_hdr_decode(data, size, &h) != DWCS_OK && amst_frame_decode(data, size, &f) == DWCS_OK) {
        abort();
    }
    return 0;
}
