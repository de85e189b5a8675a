/*
 * dt_external.c — the "external32" data representation (MPI standard, section 13.5.2):
 * big-endian, IEEE formats, fixed sizes (long 4 bytes, wchar 2, long double 16 as binary128).
 * Elements are converted one builtin at a time, walking the layout in type-map order.
 */
#include <float.h>
#include <stdint.h>
#include <string.h>

#include "dt_impl.h"

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define HOST_LE 1
#else
#define HOST_LE 0
#endif

/* Signed or unsigned native integer of @p ns bytes at @p p, widened to 64 bits. */
static uint64_t int_load(const char *p, size_t ns, int sign)
{
    switch (ns) {
    case 1: {
        uint8_t v;
        memcpy(&v, p, 1);
        return sign ? (uint64_t)(int64_t)(int8_t)v : v;
    }
    case 2: {
        uint16_t v;
        memcpy(&v, p, 2);
        return sign ? (uint64_t)(int64_t)(int16_t)v : v;
    }
    case 4: {
        uint32_t v;
        memcpy(&v, p, 4);
        return sign ? (uint64_t)(int64_t)(int32_t)v : v;
    }
    default: {
        uint64_t v;
        memcpy(&v, p, 8);
        return v;
    }
    }
}

static void int_store(char *p, size_t ns, uint64_t v)
{
    switch (ns) {
    case 1: {
        uint8_t x = (uint8_t)v;
        memcpy(p, &x, 1);
        break;
    }
    case 2: {
        uint16_t x = (uint16_t)v;
        memcpy(p, &x, 2);
        break;
    }
    case 4: {
        uint32_t x = (uint32_t)v;
        memcpy(p, &x, 4);
        break;
    }
    default:
        memcpy(p, &v, 8);
        break;
    }
}

static void be_store(char *x, size_t es, uint64_t v)
{
    for (size_t i = 0; i < es; i++) {
        x[es - 1 - i] = (char)(v >> (8 * i));
    }
}

static uint64_t be_load(const char *x, size_t es, int sign)
{
    uint64_t v = 0;
    for (size_t i = 0; i < es; i++) {
        v = (v << 8) | (unsigned char)x[i];
    }
    if (sign && es < 8 && (v >> (8 * es - 1)) & 1) {
        v |= ~(uint64_t)0 << (8 * es);
    }
    return v;
}

/* Copy n bytes reversing them on little-endian hosts (IEEE values of equal size). */
static void swap_copy(char *dst, const char *src, size_t n)
{
    if (!HOST_LE) {
        memcpy(dst, src, n);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        dst[i] = src[n - 1 - i];
    }
}

/* Native long double <-> 16 bytes of big-endian IEEE binary128. */
static void ld_pack(const char *nat, char *x)
{
#if LDBL_MANT_DIG == 64
    uint64_t m;
    uint16_t se;
    memcpy(&m, nat, 8);
    memcpy(&se, nat + 8, 2);
    uint64_t f = m & 0x7fffffffffffffffULL;
    uint64_t hi = ((uint64_t)se << 48) | (f >> 15);
    uint64_t lo = (f & 0x7fff) << 49;
    be_store(x, 8, hi);
    be_store(x + 8, 8, lo);
#elif LDBL_MANT_DIG == 113
    swap_copy(x, nat, 16);
#else
    double d = (double)*(const long double *)nat;
    uint64_t b;
    memcpy(&b, &d, 8);
    uint64_t sign = b >> 63, e = (b >> 52) & 0x7ff, f = b & 0xfffffffffffffULL;
    uint64_t qe = e == 0 ? 0 : e == 0x7ff ? 0x7fff : e - 1023 + 16383;
    be_store(x, 8, (sign << 63) | (qe << 48) | (f >> 4));
    be_store(x + 8, 8, (f & 0xf) << 60);
#endif
}

static void ld_unpack(const char *x, char *nat)
{
#if LDBL_MANT_DIG == 64
    uint64_t hi = be_load(x, 8, 0), lo = be_load(x + 8, 8, 0);
    uint16_t se = (uint16_t)(hi >> 48);
    uint64_t m = ((hi & 0xffffffffffffULL) << 15) | (lo >> 49);
    if ((se & 0x7fff) != 0) {
        m |= 1ULL << 63;
    }
    memset(nat, 0, sizeof(long double));
    memcpy(nat, &m, 8);
    memcpy(nat + 8, &se, 2);
#elif LDBL_MANT_DIG == 113
    swap_copy(nat, x, 16);
#else
    uint64_t hi = be_load(x, 8, 0), lo = be_load(x + 8, 8, 0);
    uint64_t sign = hi >> 63, qe = (hi >> 48) & 0x7fff;
    uint64_t f = ((hi & 0xffffffffffffULL) << 4) | (lo >> 60);
    uint64_t e = qe == 0 ? 0 : qe == 0x7fff ? 0x7ff : qe + 1023 - 16383;
    uint64_t b = (sign << 63) | (e << 52) | f;
    double d;
    memcpy(&d, &b, 8);
    *(long double *)nat = d;
#endif
}

/* Convert one builtin leaf element between native @p nat and external @p x. */
static void conv(const dt_impl_t *b, char *nat, char *x, int unpack)
{
    size_t ns = b->pub.size, es = b->xsize;
    switch (b->cv) {
    case DT_CV_RAW:
        if (unpack) {
            memcpy(nat, x, ns);
        } else {
            memcpy(x, nat, ns);
        }
        break;
    case DT_CV_INT:
    case DT_CV_UINT:
        if (unpack) {
            int_store(nat, ns, be_load(x, es, b->cv == DT_CV_INT));
        } else {
            be_store(x, es, int_load(nat, ns, b->cv == DT_CV_INT));
        }
        break;
    case DT_CV_FLOAT:
        if (unpack) {
            swap_copy(nat, x, ns);
        } else {
            swap_copy(x, nat, ns);
        }
        break;
    case DT_CV_CFLOAT:
        for (int h = 0; h < 2; h++) {
            if (unpack) {
                swap_copy(nat + h * ns / 2, x + h * es / 2, ns / 2);
            } else {
                swap_copy(x + h * es / 2, nat + h * ns / 2, ns / 2);
            }
        }
        break;
    case DT_CV_LDOUBLE:
    case DT_CV_CLDOUBLE: {
        int parts = b->cv == DT_CV_LDOUBLE ? 1 : 2;
        for (int h = 0; h < parts; h++) {
            if (unpack) {
                ld_unpack(x + h * 16, nat + h * (ns / parts));
            } else {
                ld_pack(nat + h * (ns / parts), x + h * 16);
            }
        }
        break;
    }
    }
}

typedef struct xwalk {
    char *x;
    int unpack;
} xwalk_t;

static void xwalk(const dt_impl_t *t, intptr_t base, size_t count, xwalk_t *w)
{
    for (size_t i = 0; i < count; i++, base += t->pub.extent) {
        switch (t->kind) {
        case DT_BASIC:
            conv(t, (char *)base, w->x, w->unpack);
            w->x += t->xsize;
            break;
        case DT_ALIAS:
            xwalk(t->child, base, 1, w);
            break;
        case DT_VECTOR:
            for (size_t b = 0; b < t->count; b++) {
                xwalk(t->child, base + (intptr_t)b * t->stride, t->blocklen, w);
            }
            break;
        case DT_BLOCKS:
            for (size_t b = 0; b < t->count; b++) {
                const dt_impl_t *c = t->children != NULL ? t->children[b] : t->child;
                xwalk(c, base + t->disps[b], t->blens[b], w);
            }
            break;
        }
    }
}

void dt_external_pack(const void *buf, size_t count, const dt_impl_t *t, void *out)
{
    xwalk_t w = {.x = out, .unpack = 0};
    xwalk(t, (intptr_t)buf, count, &w);
}

void dt_external_unpack(const void *in, void *buf, size_t count, const dt_impl_t *t)
{
    xwalk_t w = {.x = (char *)in, .unpack = 1};
    xwalk(t, (intptr_t)buf, count, &w);
}
