/*
 * test_dt_random.c — randomly nested datatypes checked against the naive type-map model:
 * bounds, true bounds, pack, unpack, every packed range on a grid, iov, element counting.
 * The seed is fixed so a failure reproduces; DT_SEED overrides it.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mpi.h"
#include "dwcp_dt.h"
#include "test_dt_oracle.h"

static void setup(void)
{
    cr_assert_eq(MPI_Init(NULL, NULL), MPI_SUCCESS);
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
}

static void teardown(void)
{
    MPI_Finalize();
}

TestSuite(dtrand, .init = setup, .fini = teardown);

static uint64_t rng;

static int rnd(int n)
{
    rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return (int)((rng >> 33) % (uint64_t)n);
}

/* A random type of depth <= depth; *m receives its model. */
static MPI_Datatype random_type(int depth, tm_t *m)
{
    static const MPI_Datatype basics[] = {MPI_CHAR, MPI_SHORT, MPI_INT, MPI_DOUBLE};
    static const int bsize[] = {1, 2, 4, 8};
    MPI_Datatype t, c;
    tm_t cm;
    int k = depth == 0 ? 0 : rnd(8);
    if (k == 0) {
        int i = rnd(4);
        *m = tm_basic(bsize[i]);
        return basics[i];
    }
    if (k != 6) {
        c = random_type(depth - 1, &cm);
    }
    long ext = 0;
    switch (k) {
    case 1: {
        int n = rnd(4);
        MPI_Type_contiguous(n, c, &t);
        *m = tm_hvector(1, n, 0, &cm);
        break;
    }
    case 2: {
        int n = 1 + rnd(4), bl = rnd(3), st = rnd(9) - 4;
        MPI_Type_vector(n, bl, st, c, &t);
        *m = tm_hvector(n, bl, st * tm_extent(&cm), &cm);
        break;
    }
    case 3: {
        int n = 1 + rnd(4), bl = 1 + rnd(2);
        long st = rnd(64) - 20;
        MPI_Type_create_hvector(n, bl, st, c, &t);
        *m = tm_hvector(n, bl, st, &cm);
        break;
    }
    case 4: {
        int n = 1 + rnd(4), bl[4], di[4];
        long dl[4];
        for (int i = 0; i < n; i++) {
            bl[i] = rnd(3);
            di[i] = rnd(12) - 3;
            dl[i] = di[i] * tm_extent(&cm);
        }
        MPI_Type_indexed(n, bl, di, c, &t);
        *m = tm_hindexed(n, bl, dl, &cm);
        break;
    }
    case 5: {
        int n = 1 + rnd(3), bl[3];
        MPI_Aint d[3];
        long dl[3];
        for (int i = 0; i < n; i++) {
            bl[i] = 1 + rnd(2);
            d[i] = rnd(80) - 10;
            dl[i] = d[i];
        }
        MPI_Type_create_hindexed(n, bl, d, c, &t);
        *m = tm_hindexed(n, bl, dl, &cm);
        break;
    }
    case 6: {
        int n = 1 + rnd(3), bl[3];
        MPI_Aint d[3];
        long dl[3];
        MPI_Datatype ty[3];
        tm_t ms[3];
        const tm_t *mp[3];
        for (int i = 0; i < n; i++) {
            ty[i] = random_type(depth - 1, &ms[i]);
            mp[i] = &ms[i];
            bl[i] = rnd(3);
            d[i] = rnd(100) - 20;
            dl[i] = d[i];
        }
        MPI_Type_create_struct(n, bl, d, ty, &t);
        *m = tm_struct(n, bl, dl, mp, 0);
        for (int i = 0; i < n; i++) {
            tm_free(&ms[i]);
            if (ty[i] != MPI_CHAR && ty[i] != MPI_SHORT && ty[i] != MPI_INT &&
                ty[i] != MPI_DOUBLE) {
                MPI_Type_free(&ty[i]);
            }
        }
        return t;
    }
    default: {
        long lb = rnd(16) - 8;
        ext = tm_extent(&cm) + rnd(16);
        if (ext <= 0) {
            ext = 1 + rnd(8);
        }
        MPI_Type_create_resized(c, lb, ext, &t);
        *m = tm_resized(&cm, lb, ext);
        break;
    }
    }
    tm_free(&cm);
    if (c != MPI_CHAR && c != MPI_SHORT && c != MPI_INT && c != MPI_DOUBLE) {
        MPI_Type_free(&c);
    }
    return t;
}

static void check_random(MPI_Datatype t, const tm_t *m, int count, int iter)
{
    MPI_Count size;
    MPI_Aint lb, ext, tlb, text;
    MPI_Type_size_x(t, &size);
    MPI_Type_get_extent(t, &lb, &ext);
    MPI_Type_get_true_extent(t, &tlb, &text);
    cr_assert_eq((size_t)size, tm_size(m), "iter %d: size %lld model %zu", iter, size,
                 tm_size(m));
    cr_assert_eq(lb, m->lb, "iter %d: lb %ld model %ld", iter, (long)lb, m->lb);
    cr_assert_eq(ext, tm_extent(m), "iter %d: extent %ld model %ld", iter, (long)ext,
                 tm_extent(m));
    if (m->n > 0) {
        long mlo = m->e[0].disp, mhi = m->e[0].disp + m->e[0].len;
        for (size_t i = 1; i < m->n; i++) {
            mlo = m->e[i].disp < mlo ? m->e[i].disp : mlo;
            mhi = m->e[i].disp + m->e[i].len > mhi ? m->e[i].disp + m->e[i].len : mhi;
        }
        cr_assert_eq(tlb, mlo, "iter %d: true lb %ld model %ld", iter, (long)tlb, mlo);
        cr_assert_eq(text, mhi - mlo, "iter %d: true extent", iter);
    }
    /* buffer covering every element */
    long lo = 0, hi = 1;
    for (int k = 0; k < count; k++) {
        for (size_t i = 0; i < m->n; i++) {
            long a = k * tm_extent(m) + m->e[i].disp;
            lo = a < lo ? a : lo;
            hi = a + m->e[i].len > hi ? a + m->e[i].len : hi;
        }
    }
    size_t span = (size_t)(hi - lo);
    char *region = malloc(span), *buf = region - lo;
    for (size_t i = 0; i < span; i++) {
        region[i] = (char)rnd(256);
    }
    size_t total = (size_t)size * count;
    char *want = malloc(total + 1), *got = malloc(total + 1);
    tm_pack(m, buf, count, want);
    dwcp_dt_t *d = dwcp_dt_get(t);
    dwcp_dt_pack(buf, (size_t)count, d, 0, got, total);
    cr_assert(memcmp(want, got, total) == 0, "iter %d: pack differs", iter);
    for (size_t off = 0; off < total; off += 1 + (size_t)rnd(7)) {
        size_t len = 1 + (size_t)rnd((int)(total - off));
        dwcp_dt_pack(buf, (size_t)count, d, off, got, len);
        cr_assert(memcmp(want + off, got, len) == 0, "iter %d: range [%zu,+%zu)", iter, off,
                  len);
    }
    /* iov pieces concatenate to the packed bytes */
    struct iovec iov[4096];
    size_t n;
    if (dwcp_dt_iov(buf, (size_t)count, d, iov, 4096, &n) == DWCS_OK) {
        size_t pos = 0;
        for (size_t i = 0; i < n; i++) {
            cr_assert(memcmp(want + pos, iov[i].iov_base, iov[i].iov_len) == 0,
                      "iter %d: iov %zu", iter, i);
            pos += iov[i].iov_len;
        }
        cr_assert_eq(pos, total);
    }
    /* element counts at every element boundary, undefined inside */
    size_t pos = 0;
    for (int k = 0; k < count; k++) {
        for (size_t i = 0; i < m->n; i++) {
            MPI_Count e = (MPI_Count)(k * m->n + i);
            cr_assert_eq(dwcp_dt_elements(d, pos), e, "iter %d: elements at %zu", iter, pos);
            cr_assert_eq(dwcp_dt_elements_bytes(d, e), pos, "iter %d: bytes of %lld", iter, e);
            if (m->e[i].len > 1) {
                cr_assert_eq(dwcp_dt_elements(d, pos + 1), MPI_UNDEFINED);
            }
            pos += (size_t)m->e[i].len;
        }
    }
    /* unpack when no byte is mapped twice */
    char *seen = calloc(span, 1);
    int overlap = 0;
    for (int k = 0; k < count && !overlap; k++) {
        for (size_t i = 0; i < m->n; i++) {
            long a = k * tm_extent(m) + m->e[i].disp - lo;
            for (int j = 0; j < m->e[i].len; j++) {
                overlap |= seen[a + j]++;
            }
        }
    }
    if (!overlap) {
        char *r2 = calloc(span, 1), *r3 = calloc(span, 1);
        for (size_t i = 0; i < span; i++) {
            if (seen[i]) {
                r3[i] = region[i];
            }
        }
        size_t off = 0;
        while (off < total) {
            size_t len = 1 + (size_t)rnd(13);
            len = len < total - off ? len : total - off;
            dwcp_dt_unpack(want + off, len, r2 - lo, (size_t)count, d, off);
            off += len;
        }
        cr_assert(memcmp(r2, r3, span) == 0, "iter %d: unpack differs", iter);
        free(r2);
        free(r3);
    }
    free(seen);
    free(region);
    free(want);
    free(got);
}

Test(dtrand, nested_types_match_model)
{
    const char *s = getenv("DT_SEED");
    rng = s ? strtoull(s, NULL, 0) : 12345;
    int checked = 0;
    for (int iter = 0; iter < 400; iter++) {
        tm_t m;
        MPI_Datatype t = random_type(1 + rnd(3), &m);
        MPI_Count size;
        MPI_Type_size_x(t, &size);
        if (tm_extent(&m) < 0 || size > (1 << 16)) {
            /* skip negative-extent multi-element layouts and very large types */
            if (t != MPI_CHAR && t != MPI_SHORT && t != MPI_INT && t != MPI_DOUBLE) {
                MPI_Type_free(&t);
            }
            tm_free(&m);
            continue;
        }
        MPI_Type_commit(&t);
        check_random(t, &m, 1 + rnd(3), iter);
        checked++;
        if (t != MPI_CHAR && t != MPI_SHORT && t != MPI_INT && t != MPI_DOUBLE) {
            MPI_Type_free(&t);
        }
        tm_free(&m);
    }
    cr_assert_gt(checked, 200);
}
