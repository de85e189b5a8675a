/*
 * test_dt.c — datatype constructors: sizes, bounds, pack/unpack against a naive type-map model,
 * partial ranges, nesting, subarray and darray.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
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

TestSuite(dt, .init = setup, .fini = teardown);

/* Span of count elements of tm (lowest and one-past-highest byte touched). */
static void tm_span(const tm_t *t, int count, long *lo, long *hi)
{
    *lo = 0;
    *hi = 1;
    int first = 1;
    for (int k = 0; k < count; k++) {
        for (size_t i = 0; i < t->n; i++) {
            long a = k * tm_extent(t) + t->e[i].disp, b = a + t->e[i].len;
            if (first || a < *lo) {
                *lo = a;
            }
            if (first || b > *hi) {
                *hi = b;
            }
            first = 0;
        }
    }
}

/*
 * Check dt against the model: size, lb/extent, full pack, unpack, and arbitrary packed ranges
 * through the internal interface. @p overlap: the type map repeats bytes (skip unpack check).
 */
static void check_type(MPI_Datatype dt, const tm_t *tm, int count, int overlap)
{
    int size;
    MPI_Aint lb, ext;
    cr_assert_eq(MPI_Type_size(dt, &size), MPI_SUCCESS);
    cr_assert_eq((size_t)size, tm_size(tm), "size %d, model %zu", size, tm_size(tm));
    cr_assert_eq(MPI_Type_get_extent(dt, &lb, &ext), MPI_SUCCESS);
    cr_assert_eq(lb, tm->lb, "lb %ld, model %ld", (long)lb, tm->lb);
    cr_assert_eq(ext, tm_extent(tm), "extent %ld, model %ld", (long)ext, tm_extent(tm));

    long lo, hi;
    tm_span(tm, count, &lo, &hi);
    size_t span = (size_t)(hi - lo);
    char *region = malloc(span + 64);
    for (size_t i = 0; i < span + 64; i++) {
        region[i] = (char)(i * 7 + 3);
    }
    char *buf = region + 32 - lo;
    size_t total = (size_t)size * count;
    char *expect = malloc(total + 1), *got = malloc(total + 1);
    cr_assert_eq(tm_pack(tm, buf, count, expect), total);
    int pos = 0;
    cr_assert_eq(MPI_Pack(buf, count, dt, got, (int)total, &pos, MPI_COMM_WORLD), MPI_SUCCESS);
    cr_assert_eq((size_t)pos, total);
    cr_assert(memcmp(expect, got, total) == 0, "packed bytes differ from the model");

    /* ranges: every (off, len) on a coarse grid plus odd ones */
    dwcp_dt_t *d = dwcp_dt_get(dt);
    cr_assert_not_null(d);
    for (size_t off = 0; off < total; off += 1 + total / 23) {
        for (size_t len = 1; off + len <= total; len += 1 + total / 17) {
            memset(got, 0, total);
            dwcp_dt_pack(buf, (size_t)count, d, off, got, len);
            cr_assert(memcmp(got, expect + off, len) == 0, "range [%zu, +%zu) differs", off,
                      len);
        }
    }

    if (!overlap) {
        /* unpack into a zeroed copy; only mapped bytes change */
        char *r2 = calloc(1, span + 64), *r3 = calloc(1, span + 64);
        char *b2 = r2 + 32 - lo, *b3 = r3 + 32 - lo;
        for (int k = 0; k < count; k++) {
            for (size_t i = 0; i < tm->n; i++) {
                long a = k * tm_extent(tm) + tm->e[i].disp;
                memcpy(b3 + a, buf + a, (size_t)tm->e[i].len);
            }
        }
        pos = 0;
        cr_assert_eq(MPI_Unpack(expect, (int)total, &pos, b2, count, dt, MPI_COMM_WORLD),
                     MPI_SUCCESS);
        cr_assert(memcmp(r2, r3, span + 64) == 0, "unpack differs from the model");
        /* chunked unpack with irregular chunk sizes */
        memset(r2, 0, span + 64);
        size_t off = 0, step = 1;
        while (off < total) {
            size_t n = step < total - off ? step : total - off;
            dwcp_dt_unpack(expect + off, n, b2, (size_t)count, d, off);
            off += n;
            step = step * 3 % 29 + 1;
        }
        cr_assert(memcmp(r2, r3, span + 64) == 0, "chunked unpack differs from the model");
        free(r2);
        free(r3);
    }
    free(region);
    free(expect);
    free(got);
}

static MPI_Datatype commit(MPI_Datatype t)
{
    cr_assert_eq(MPI_Type_commit(&t), MPI_SUCCESS);
    return t;
}

Test(dt, builtin_sizes_and_names)
{
    struct {
        MPI_Datatype t;
        int size;
        long extent;
        const char *name;
    } c[] = {
        {MPI_CHAR, 1, 1, "MPI_CHAR"},
        {MPI_INT, 4, 4, "MPI_INT"},
        {MPI_LONG, 8, 8, "MPI_LONG"},
        {MPI_DOUBLE, 8, 8, "MPI_DOUBLE"},
        {MPI_C_BOOL, (int)sizeof(_Bool), (long)sizeof(_Bool), "MPI_C_BOOL"},
        {MPI_DOUBLE_INT, 12, 16, "MPI_DOUBLE_INT"},
        {MPI_FLOAT_INT, 8, 8, "MPI_FLOAT_INT"},
        {MPI_SHORT_INT, 6, 8, "MPI_SHORT_INT"},
        {MPI_LONG_INT, 12, 16, "MPI_LONG_INT"},
        {MPI_2INT, 8, 8, "MPI_2INT"},
        {MPI_LONG_DOUBLE_INT, (int)sizeof(long double) + 4, 2 * (long)sizeof(long double),
         "MPI_LONG_DOUBLE_INT"},
        {MPI_INTEGER, 4, 4, "MPI_INTEGER"},
        {MPI_REAL, 4, 4, "MPI_REAL"},
        {MPI_DOUBLE_PRECISION, 8, 8, "MPI_DOUBLE_PRECISION"},
        {MPI_COMPLEX, 8, 8, "MPI_COMPLEX"},
        {MPI_DOUBLE_COMPLEX, 16, 16, "MPI_DOUBLE_COMPLEX"},
        {MPI_LOGICAL, 4, 4, "MPI_LOGICAL"},
        {MPI_CHARACTER, 1, 1, "MPI_CHARACTER"},
        {MPI_2REAL, 8, 8, "MPI_2REAL"},
        {MPI_2DOUBLE_PRECISION, 16, 16, "MPI_2DOUBLE_PRECISION"},
        {MPI_2INTEGER, 8, 8, "MPI_2INTEGER"},
        {MPI_INTEGER8, 8, 8, "MPI_INTEGER8"},
        {MPI_COMPLEX16, 16, 16, "MPI_COMPLEX16"},
        {MPI_AINT, 8, 8, "MPI_AINT"},
        {MPI_OFFSET, 8, 8, "MPI_OFFSET"},
        {MPI_COUNT, 8, 8, "MPI_COUNT"},
        {MPI_C_DOUBLE_COMPLEX, 16, 16, "MPI_C_DOUBLE_COMPLEX"},
        {MPI_C_COMPLEX, 8, 8, "MPI_C_COMPLEX"},
        {MPI_INTEGER16, 16, 16, "MPI_INTEGER16"},
        {MPI_LB, 0, 0, "MPI_LB"},
        {MPI_UB, 0, 0, "MPI_UB"},
        {MPI_CXX_LONG_DOUBLE_COMPLEX, 2 * (int)sizeof(long double),
         2 * (long)sizeof(long double), "MPI_CXX_LONG_DOUBLE_COMPLEX"},
    };
    for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
        int size, len, ni, na, nd, comb;
        MPI_Aint lb, ext;
        char name[MPI_MAX_OBJECT_NAME];
        cr_assert_eq(MPI_Type_size(c[i].t, &size), MPI_SUCCESS);
        cr_assert_eq(size, c[i].size, "%s size %d", c[i].name, size);
        MPI_Type_get_extent(c[i].t, &lb, &ext);
        cr_assert_eq(lb, 0);
        cr_assert_eq(ext, c[i].extent, "%s extent %ld", c[i].name, (long)ext);
        MPI_Type_get_name(c[i].t, name, &len);
        cr_assert_str_eq(name, c[i].name);
        cr_assert_eq(len, (int)strlen(c[i].name));
        MPI_Type_get_envelope(c[i].t, &ni, &na, &nd, &comb);
        cr_assert_eq(comb, MPI_COMBINER_NAMED);
    }
    /* MPI_SHORT_INT data: short at 0, int at 4 */
    MPI_Aint tlb, text;
    MPI_Type_get_true_extent(MPI_SHORT_INT, &tlb, &text);
    cr_assert_eq(tlb, 0);
    cr_assert_eq(text, 8);
    cr_assert_eq(dwcp_dt_get(MPI_SHORT_INT)->contig, 0);
    cr_assert_eq(dwcp_dt_get(MPI_DOUBLE_INT)->contig, 0);
    cr_assert_eq(dwcp_dt_get(MPI_2INT)->contig, 1);
    cr_assert_eq(MPI_Type_free(&(MPI_Datatype){MPI_INT}), MPI_ERR_TYPE);
}

Test(dt, contiguous)
{
    MPI_Datatype t;
    cr_assert_eq(MPI_Type_contiguous(5, MPI_INT, &t), MPI_SUCCESS);
    commit(t);
    tm_t b = tm_basic(4), m = tm_hvector(1, 5, 0, &b);
    check_type(t, &m, 3, 0);
    cr_assert_eq(dwcp_dt_get(t)->contig, 1);
    MPI_Type_free(&t);
    cr_assert_eq(t, MPI_DATATYPE_NULL);
    cr_assert_eq(MPI_Type_contiguous(-1, MPI_INT, &t), MPI_ERR_COUNT);
    cr_assert_eq(MPI_Type_contiguous(1, MPI_DATATYPE_NULL, &t), MPI_ERR_TYPE);
    tm_free(&m);
    tm_free(&b);
}

Test(dt, vector_positive_negative_and_contig)
{
    MPI_Datatype t;
    tm_t d = tm_basic(8);
    MPI_Type_vector(3, 2, 4, MPI_DOUBLE, &t);
    commit(t);
    tm_t m = tm_hvector(3, 2, 32, &d);
    check_type(t, &m, 2, 0);
    MPI_Aint lb, ext;
    MPI_Type_get_extent(t, &lb, &ext);
    cr_assert_eq(ext, (2 * 4 + 2) * 8); /* hand: (count-1)*stride + blocklen elements */
    cr_assert_eq(dwcp_dt_get(t)->contig, 0);
    MPI_Type_free(&t);
    tm_free(&m);

    MPI_Type_vector(3, 2, -4, MPI_DOUBLE, &t);
    commit(t);
    m = tm_hvector(3, 2, -32, &d);
    MPI_Type_get_extent(t, &lb, &ext);
    cr_assert_eq(lb, -64);
    cr_assert_eq(ext, 80);
    check_type(t, &m, 3, 0);
    MPI_Type_free(&t);
    tm_free(&m);

    /* small blocks (4 and 8 bytes) take the constant-size copy path */
    MPI_Type_vector(5, 1, 3, MPI_DOUBLE, &t);
    commit(t);
    m = tm_hvector(5, 1, 24, &d);
    check_type(t, &m, 3, 0);
    MPI_Type_free(&t);
    tm_free(&m);
    tm_t i4 = tm_basic(4);
    MPI_Type_vector(7, 2, -3, MPI_INT, &t);
    commit(t);
    m = tm_hvector(7, 2, -12, &i4);
    check_type(t, &m, 2, 0);
    MPI_Type_free(&t);
    tm_free(&m);
    MPI_Type_vector(9, 1, 2, MPI_INT, &t);
    commit(t);
    m = tm_hvector(9, 1, 8, &i4);
    check_type(t, &m, 4, 0);
    MPI_Type_free(&t);
    tm_free(&m);
    tm_free(&i4);

    /* stride == blocklength is contiguous */
    MPI_Type_vector(4, 3, 3, MPI_DOUBLE, &t);
    commit(t);
    cr_assert_eq(dwcp_dt_get(t)->contig, 1);
    m = tm_hvector(4, 3, 24, &d);
    check_type(t, &m, 2, 0);
    MPI_Type_free(&t);
    tm_free(&m);
    tm_free(&d);
}

Test(dt, hvector_and_zero_counts)
{
    MPI_Datatype t;
    tm_t i4 = tm_basic(4);
    MPI_Type_create_hvector(4, 3, 20, MPI_INT, &t);
    commit(t);
    tm_t m = tm_hvector(4, 3, 20, &i4);
    check_type(t, &m, 3, 0);
    MPI_Type_free(&t);
    tm_free(&m);

    MPI_Type_vector(0, 3, 5, MPI_INT, &t);
    commit(t);
    int size;
    MPI_Aint lb, ext;
    MPI_Type_size(t, &size);
    MPI_Type_get_extent(t, &lb, &ext);
    cr_assert_eq(size, 0);
    cr_assert_eq(ext, 0);
    int pos = 0;
    char out[4];
    cr_assert_eq(MPI_Pack(NULL, 10, t, out, 4, &pos, MPI_COMM_WORLD), MPI_SUCCESS);
    cr_assert_eq(pos, 0);
    MPI_Type_free(&t);
    tm_free(&i4);
}

Test(dt, indexed_family)
{
    MPI_Datatype t;
    tm_t i4 = tm_basic(4);
    int bl[] = {2, 0, 1, 3};
    int di[] = {5, 1, 0, 10};
    long dl[] = {20, 4, 0, 40};
    MPI_Type_indexed(4, bl, di, MPI_INT, &t);
    commit(t);
    tm_t m = tm_hindexed(4, bl, dl, &i4);
    check_type(t, &m, 3, 0);
    MPI_Type_free(&t);
    tm_free(&m);

    MPI_Aint ha[] = {-12, 100, 7};
    long hl[] = {-12, 100, 7};
    int hb[] = {3, 2, 1};
    MPI_Type_create_hindexed(3, hb, ha, MPI_INT, &t);
    commit(t);
    m = tm_hindexed(3, hb, hl, &i4);
    MPI_Aint lb, ext;
    MPI_Type_get_extent(t, &lb, &ext);
    cr_assert_eq(lb, -12);
    cr_assert_eq(ext, 108 - -12);
    check_type(t, &m, 2, 0);
    MPI_Type_free(&t);
    tm_free(&m);

    int bd[] = {6, 0, 3};
    long bdl[] = {24, 0, 12};
    int b2[] = {2, 2, 2};
    MPI_Type_create_indexed_block(3, 2, bd, MPI_INT, &t);
    commit(t);
    m = tm_hindexed(3, b2, bdl, &i4);
    check_type(t, &m, 2, 0);
    MPI_Type_free(&t);
    tm_free(&m);

    MPI_Aint hbd[] = {16, 0, 40};
    long hbdl[] = {16, 0, 40};
    MPI_Type_create_hindexed_block(3, 2, hbd, MPI_INT, &t);
    commit(t);
    m = tm_hindexed(3, b2, hbdl, &i4);
    check_type(t, &m, 4, 0);
    MPI_Type_free(&t);
    tm_free(&m);
    tm_free(&i4);
}

Test(dt, struct_alignment_epsilon)
{
    /* struct { char c; double d[2]; int i[3]; } -> data ends at 36, extent padded to 40 */
    MPI_Datatype t;
    int bl[] = {1, 2, 3};
    MPI_Aint d[] = {0, 8, 24};
    MPI_Datatype ty[] = {MPI_CHAR, MPI_DOUBLE, MPI_INT};
    MPI_Type_create_struct(3, bl, d, ty, &t);
    commit(t);
    MPI_Aint lb, ext, tlb, text;
    MPI_Type_get_extent(t, &lb, &ext);
    MPI_Type_get_true_extent(t, &tlb, &text);
    cr_assert_eq(lb, 0);
    cr_assert_eq(ext, 40);
    cr_assert_eq(tlb, 0);
    cr_assert_eq(text, 36);
    tm_t c = tm_basic(1), db = tm_basic(8), in = tm_basic(4);
    const tm_t *cs[] = {&c, &db, &in};
    long dl[] = {0, 8, 24};
    tm_t m = tm_struct(3, bl, dl, cs, 8);
    check_type(t, &m, 3, 0);
    cr_assert_eq(dwcp_dt_get(t)->basic, -1);
    MPI_Type_free(&t);
    tm_free(&m);

    /* a resized member has explicit bounds: no padding, and its markers fix the struct's
     * bounds whatever data lies outside them (the double at 8..16; Open MPI 4.1.4 agrees) */
    MPI_Datatype r;
    MPI_Type_create_resized(MPI_INT, 0, 6, &r);
    MPI_Datatype ty2[] = {r, MPI_DOUBLE};
    int bl2[] = {1, 1};
    MPI_Aint d2[] = {0, 8};
    MPI_Type_create_struct(2, bl2, d2, ty2, &t);
    MPI_Type_get_extent(t, &lb, &ext);
    cr_assert_eq(lb, 0);
    cr_assert_eq(ext, 6, "got %ld", (long)ext);
    MPI_Type_free(&t);
    MPI_Aint d3[] = {10, 0};
    MPI_Type_create_struct(2, bl2, d3, ty2, &t);
    MPI_Type_get_extent(t, &lb, &ext);
    cr_assert_eq(lb, 10);
    cr_assert_eq(ext, 6, "got %ld", (long)ext);
    /* without a resized member the same struct is padded to the double's alignment */
    MPI_Type_free(&t);
    MPI_Datatype ty5[] = {MPI_INT, MPI_DOUBLE};
    MPI_Aint d5[] = {12, 0};
    MPI_Type_create_struct(2, bl2, d5, ty5, &t);
    MPI_Type_get_extent(t, &lb, &ext);
    cr_assert_eq(lb, 0);
    cr_assert_eq(ext, 16, "got %ld", (long)ext);
    MPI_Type_free(&t);
    MPI_Type_free(&r);
    tm_free(&c);
    tm_free(&db);
    tm_free(&in);
}

Test(dt, resized_and_dup)
{
    MPI_Datatype r, v, dup;
    MPI_Type_create_resized(MPI_INT, -4, 12, &r);
    commit(r);
    MPI_Aint lb, ext, tlb, text;
    MPI_Type_get_extent(r, &lb, &ext);
    MPI_Type_get_true_extent(r, &tlb, &text);
    cr_assert_eq(lb, -4);
    cr_assert_eq(ext, 12);
    cr_assert_eq(tlb, 0);
    cr_assert_eq(text, 4);
    tm_t i4 = tm_basic(4), m = tm_resized(&i4, -4, 12);
    check_type(r, &m, 5, 0);
    /* vector of the resized type strides by 12 */
    MPI_Type_contiguous(3, r, &v);
    commit(v);
    tm_t mv = tm_hvector(1, 3, 0, &m);
    check_type(v, &mv, 2, 0);
    MPI_Type_dup(v, &dup);
    int ni, na, nd, comb;
    MPI_Type_get_envelope(dup, &ni, &na, &nd, &comb);
    cr_assert_eq(comb, MPI_COMBINER_DUP);
    cr_assert_eq(nd, 1);
    check_type(dup, &mv, 2, 0);
    MPI_Type_free(&dup);
    MPI_Type_free(&v);
    MPI_Type_free(&r);
    tm_free(&mv);
    tm_free(&m);
    tm_free(&i4);
}

Test(dt, nested_vector_struct_vector)
{
    /* inner: vector(2,1,3,short); s: struct{inner at 0, double at 16}; outer: vector(3,2,5,s) */
    MPI_Datatype inner, s, outer;
    MPI_Type_vector(2, 1, 3, MPI_SHORT, &inner);
    int bl[] = {2, 1};
    MPI_Aint d[] = {0, 16};
    MPI_Datatype ty[] = {inner, MPI_DOUBLE};
    MPI_Type_create_struct(2, bl, d, ty, &s);
    MPI_Type_vector(3, 2, 5, s, &outer);
    commit(outer);
    tm_t sh = tm_basic(2), db = tm_basic(8);
    tm_t mi = tm_hvector(2, 1, 6, &sh);
    const tm_t *cs[] = {&mi, &db};
    long dl[] = {0, 16};
    tm_t ms = tm_struct(2, bl, dl, cs, 8);
    tm_t mo = tm_hvector(3, 2, 5 * tm_extent(&ms), &ms);
    /* free the components first: outer keeps them alive */
    MPI_Type_free(&inner);
    MPI_Type_free(&s);
    check_type(outer, &mo, 3, 0);
    MPI_Type_free(&outer);
    tm_free(&mo);
    tm_free(&ms);
    tm_free(&mi);
    tm_free(&sh);
    tm_free(&db);
}

Test(dt, many_blocks_without_flat_list)
{
    /* more pieces than the flat-list limit: the tree walker must handle it */
    enum { N = 5000 };
    int *bl = malloc(N * sizeof(int)), *di = malloc(N * sizeof(int));
    long *dl = malloc(N * sizeof(long));
    for (int i = 0; i < N; i++) {
        bl[i] = 1 + i % 3;
        di[i] = 5 * i + (i % 2);
        dl[i] = 4L * di[i];
    }
    MPI_Datatype t;
    MPI_Type_indexed(N, bl, di, MPI_INT, &t);
    commit(t);
    tm_t i4 = tm_basic(4), m = tm_hindexed(N, bl, dl, &i4);
    check_type(t, &m, 2, 0);
    MPI_Type_free(&t);
    tm_free(&m);
    tm_free(&i4);
    free(bl);
    free(di);
    free(dl);
}

Test(dt, subarray_c_and_fortran)
{
    int sizes[] = {4, 5, 6}, sub[] = {2, 3, 2}, start[] = {1, 2, 3};
    int a[4][5][6];
    for (int i = 0; i < 4 * 5 * 6; i++) {
        ((int *)a)[i] = i;
    }
    MPI_Datatype t;
    cr_assert_eq(MPI_Type_create_subarray(3, sizes, sub, start, MPI_ORDER_C, MPI_INT, &t),
                 MPI_SUCCESS);
    commit(t);
    MPI_Aint lb, ext;
    MPI_Type_get_extent(t, &lb, &ext);
    cr_assert_eq(lb, 0);
    cr_assert_eq(ext, 4 * 5 * 6 * 4);
    int out[12], pos = 0;
    MPI_Pack(a, 1, t, out, sizeof(out), &pos, MPI_COMM_WORLD);
    cr_assert_eq(pos, 48);
    int k = 0;
    for (int i = 1; i < 3; i++) {
        for (int j = 2; j < 5; j++) {
            for (int l = 3; l < 5; l++) {
                cr_assert_eq(out[k], a[i][j][l], "C order element %d", k);
                k++;
            }
        }
    }
    MPI_Type_free(&t);
    /* Fortran order: dimension 0 varies fastest */
    cr_assert_eq(MPI_Type_create_subarray(3, sizes, sub, start, MPI_ORDER_FORTRAN, MPI_INT, &t),
                 MPI_SUCCESS);
    commit(t);
    pos = 0;
    MPI_Pack(a, 1, t, out, sizeof(out), &pos, MPI_COMM_WORLD);
    k = 0;
    for (int l = 3; l < 5; l++) {
        for (int j = 2; j < 5; j++) {
            for (int i = 1; i < 3; i++) {
                int idx = i + 4 * (j + 5 * l); /* Fortran layout index */
                cr_assert_eq(out[k], ((int *)a)[idx], "Fortran order element %d", k);
                k++;
            }
        }
    }
    int ni, na, nd, comb, ints[11];
    MPI_Aint ad[1];
    MPI_Datatype dts[1];
    MPI_Type_get_envelope(t, &ni, &na, &nd, &comb);
    cr_assert_eq(comb, MPI_COMBINER_SUBARRAY);
    cr_assert_eq(ni, 11);
    cr_assert_eq(na, 0);
    cr_assert_eq(nd, 1);
    MPI_Type_get_contents(t, 11, 0, 1, ints, ad, dts);
    cr_assert_eq(ints[0], 3);
    cr_assert_eq(ints[4], 2);
    cr_assert_eq(ints[9], 3);
    cr_assert_eq(ints[10], MPI_ORDER_FORTRAN);
    cr_assert_eq(dts[0], MPI_INT);
    MPI_Type_free(&t);
    int bad[] = {3, 5, 6};
    cr_assert_neq(MPI_Type_create_subarray(3, sizes, sub, bad, MPI_ORDER_C, MPI_INT, &t),
                  MPI_SUCCESS);
}

/* Owner coordinate of global index i in one dimension (reference, from the standard). */
static int owner(int dist, int darg, int g, int p, int i)
{
    if (dist == MPI_DISTRIBUTE_NONE) {
        return 0;
    }
    if (dist == MPI_DISTRIBUTE_BLOCK) {
        int b = darg == MPI_DISTRIBUTE_DFLT_DARG ? (g + p - 1) / p : darg;
        return i / b;
    }
    int b = darg == MPI_DISTRIBUTE_DFLT_DARG ? 1 : darg;
    return (i / b) % p;
}

static void check_darray(int ndims, const int *gs, const int *dist, const int *darg,
                         const int *ps, int order)
{
    int nprocs = 1, total = 1;
    for (int i = 0; i < ndims; i++) {
        nprocs *= ps[i];
        total *= gs[i];
    }
    int *a = malloc(total * sizeof(int)), *out = malloc(total * sizeof(int));
    int *seen = calloc(total, sizeof(int));
    for (int i = 0; i < total; i++) {
        a[i] = i;
    }
    for (int r = 0; r < nprocs; r++) {
        MPI_Datatype t;
        cr_assert_eq(MPI_Type_create_darray(nprocs, r, ndims, gs, dist, darg, ps, order,
                                            MPI_INT, &t),
                     MPI_SUCCESS);
        commit(t);
        MPI_Aint lb, ext;
        MPI_Type_get_extent(t, &lb, &ext);
        cr_assert_eq(lb, 0);
        cr_assert_eq(ext, (MPI_Aint)total * 4);
        int coord[4], rem = r;
        for (int i = ndims - 1; i >= 0; i--) {
            coord[i] = rem % ps[i];
            rem /= ps[i];
        }
        /* expected: elements owned by r, in memory order */
        int n = 0;
        for (int lin = 0; lin < total; lin++) {
            int idx[4], x = lin, mine = 1;
            for (int k = 0; k < ndims; k++) {
                int dim = order == MPI_ORDER_C ? ndims - 1 - k : k;
                idx[dim] = x % gs[dim];
                x /= gs[dim];
            }
            for (int i = 0; i < ndims; i++) {
                mine &= owner(dist[i], darg[i], gs[i], ps[i], idx[i]) == coord[i];
            }
            if (mine) {
                out[n++] = lin;
            }
        }
        int size;
        MPI_Type_size(t, &size);
        cr_assert_eq(size, n * 4, "rank %d: size %d, expected %d elements", r, size, n);
        int *got = malloc((n + 1) * sizeof(int)), pos = 0;
        MPI_Pack(a, 1, t, got, (n + 1) * 4, &pos, MPI_COMM_WORLD);
        for (int i = 0; i < n; i++) {
            cr_assert_eq(got[i], out[i], "rank %d element %d: %d, expected %d", r, i, got[i],
                         out[i]);
            seen[got[i]]++;
        }
        free(got);
        MPI_Type_free(&t);
    }
    for (int i = 0; i < total; i++) {
        cr_assert_eq(seen[i], 1, "element %d owned %d times", i, seen[i]);
    }
    free(a);
    free(out);
    free(seen);
}

Test(dt, darray_block_cyclic_none)
{
    int gs[] = {10, 7}, dist[] = {MPI_DISTRIBUTE_CYCLIC, MPI_DISTRIBUTE_BLOCK};
    int darg[] = {2, MPI_DISTRIBUTE_DFLT_DARG}, ps[] = {2, 2};
    check_darray(2, gs, dist, darg, ps, MPI_ORDER_C);
    check_darray(2, gs, dist, darg, ps, MPI_ORDER_FORTRAN);
    int gs3[] = {5, 4, 9};
    int dist3[] = {MPI_DISTRIBUTE_BLOCK, MPI_DISTRIBUTE_NONE, MPI_DISTRIBUTE_CYCLIC};
    int darg3[] = {2, MPI_DISTRIBUTE_DFLT_DARG, MPI_DISTRIBUTE_DFLT_DARG};
    int ps3[] = {3, 1, 2};
    check_darray(3, gs3, dist3, darg3, ps3, MPI_ORDER_C);
    check_darray(3, gs3, dist3, darg3, ps3, MPI_ORDER_FORTRAN);
    int darg4[] = {3, 4};
    int dist4[] = {MPI_DISTRIBUTE_CYCLIC, MPI_DISTRIBUTE_CYCLIC};
    check_darray(2, gs, dist4, darg4, ps, MPI_ORDER_C);
    MPI_Datatype t;
    int bad_darg[] = {2, 1}; /* BLOCK with darg * psize < gsize */
    cr_assert_neq(MPI_Type_create_darray(4, 0, 2, gs, dist, bad_darg, ps, MPI_ORDER_C, MPI_INT,
                                         &t),
                  MPI_SUCCESS);
}

/* MPI-2 bound markers: MPI_LB / MPI_UB in a struct set lb / ub and stay in derived types. */
static void bounds(MPI_Datatype t, long lb, long ext, int size)
{
    MPI_Aint l, e;
    int sz;
    MPI_Type_get_extent(t, &l, &e);
    MPI_Type_size(t, &sz);
    cr_assert_eq((long)l, lb, "lb %ld, expected %ld", (long)l, lb);
    cr_assert_eq((long)e, ext, "extent %ld, expected %ld", (long)e, ext);
    cr_assert_eq(sz, size);
}

Test(dt, lb_ub_markers)
{
    MPI_Datatype t1, t2, t3, t4, t5, pad;
    int bl[3] = {1, 1, 1};
    MPI_Datatype ty1[3] = {MPI_LB, MPI_INT, MPI_UB};
    MPI_Aint d1[3] = {-4, 0, 12};
    MPI_Type_create_struct(3, bl, d1, ty1, &t1);
    commit(t1);
    bounds(t1, -4, 16, 4);
    MPI_Aint tlb, text;
    MPI_Type_get_true_extent(t1, &tlb, &text);
    cr_assert_eq(tlb, 0);
    cr_assert_eq(text, 4);

    /* contiguous: markers of every element, stride = extent 16 */
    MPI_Type_contiguous(2, t1, &t2);
    commit(t2);
    bounds(t2, -4, 32, 8);
    int src[8] = {1, -1, -1, -1, 2, -1, -1, -1}, out[2], pos = 0;
    MPI_Pack(src, 1, t2, out, (int)sizeof(out), &pos, MPI_COMM_SELF);
    cr_assert_eq(pos, 8);
    cr_assert_eq(out[0], 1);
    cr_assert_eq(out[1], 2);

    /* only an lb marker: ub stays 0 (no data), extent negative */
    MPI_Aint d3 = 10;
    int one = 1;
    MPI_Datatype lbt = MPI_LB;
    MPI_Type_create_struct(1, &one, &d3, &lbt, &t3);
    bounds(t3, 10, -10, 0);

    /* sticky: t1 at 100 keeps its lb marker (96) although a char sits at 0 */
    MPI_Datatype ty4[2] = {t1, MPI_CHAR};
    int bl4[2] = {1, 1};
    MPI_Aint d4[2] = {100, 0};
    MPI_Type_create_struct(2, bl4, d4, ty4, &t4);
    bounds(t4, 96, 16, 5);

    /* an ub marker suppresses the alignment padding; without one the struct is padded */
    MPI_Datatype ty5[2] = {MPI_INT, MPI_UB};
    MPI_Aint d5[2] = {0, 6};
    int bl5[2] = {1, 1};
    MPI_Type_create_struct(2, bl5, d5, ty5, &t5);
    bounds(t5, 0, 6, 4);
    MPI_Datatype typ[2] = {MPI_INT, MPI_DOUBLE};
    MPI_Aint dp[2] = {0, 8};
    MPI_Type_create_struct(2, bl5, dp, typ, &pad);
    bounds(pad, 0, 16, 12);

    MPI_Type_free(&t1);
    MPI_Type_free(&t2);
    MPI_Type_free(&t3);
    MPI_Type_free(&t4);
    MPI_Type_free(&t5);
    MPI_Type_free(&pad);
}

/* MPI-3.1 4.1.7: a resized type carries lb and ub markers, and they are sticky in types built
 * on it, like MPI_LB / MPI_UB (Open MPI 4.1.4 gives the same bounds for all of these). */
Test(dt, resized_markers_sticky)
{
    MPI_Datatype r, d, s1, s2, s3, s4, v, rv;
    MPI_Type_create_resized(MPI_INT, 0, 16, &r);
    int bl[2] = {1, 1};
    /* data beyond the ub marker does not move the ub: {r@0, int@20} */
    MPI_Aint dp1[2] = {0, 20};
    MPI_Datatype ty1[2] = {r, MPI_INT};
    MPI_Type_create_struct(2, bl, dp1, ty1, &s1);
    commit(s1);
    bounds(s1, 0, 16, 8);
    MPI_Aint tlb, text;
    MPI_Type_get_true_extent(s1, &tlb, &text);
    cr_assert_eq(tlb, 0);
    cr_assert_eq(text, 24);
    /* two elements stride by the marked extent (16 bytes): ints 0, 5, then 4, 9 */
    int src[10], out[4], pos = 0;
    for (int i = 0; i < 10; i++) {
        src[i] = i;
    }
    MPI_Pack(src, 2, s1, out, (int)sizeof(out), &pos, MPI_COMM_SELF);
    cr_assert_eq(pos, 16);
    cr_assert(out[0] == 0 && out[1] == 5 && out[2] == 4 && out[3] == 9, "packed %d %d %d %d",
              out[0], out[1], out[2], out[3]);
    /* data below the lb marker does not move the lb: {r@8, int@-12} */
    MPI_Aint dp2[2] = {8, -12};
    MPI_Type_create_struct(2, bl, dp2, ty1, &s2);
    bounds(s2, 8, 16, 8);
    /* a dup keeps the markers */
    MPI_Type_dup(r, &d);
    MPI_Datatype ty3[2] = {d, MPI_INT};
    MPI_Type_create_struct(2, bl, dp1, ty3, &s3);
    bounds(s3, 0, 16, 8);
    /* interleaving: a 2-int vector resized to one int's extent, beside a char */
    MPI_Type_vector(2, 1, 4, MPI_INT, &v);
    MPI_Type_create_resized(v, 0, 4, &rv);
    MPI_Datatype ty4[2] = {rv, MPI_CHAR};
    MPI_Aint dp4[2] = {0, 2};
    MPI_Type_create_struct(2, bl, dp4, ty4, &s4);
    bounds(s4, 0, 4, 9);
    MPI_Datatype all[] = {r, d, s1, s2, s3, s4, v, rv};
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        MPI_Type_free(&all[i]);
    }
}

/* MPI-4 large-count constructors and queries: sizes above INT_MAX are exact. */
Test(dt, large_count_c)
{
    MPI_Datatype t, h, ib;
    MPI_Count size, lb, ext;
    MPI_Count big = (MPI_Count)INT32_MAX * 2 + 10;
    cr_assert_eq(MPI_Type_contiguous_c(big, MPI_CHAR, &t), MPI_SUCCESS);
    MPI_Type_size_c(t, &size);
    cr_assert_eq(size, big);
    MPI_Type_get_true_extent_c(t, &lb, &ext);
    cr_assert_eq(lb, 0);
    cr_assert_eq(ext, big);
    MPI_Count bl[2] = {3, big}, d[2] = {0, 3};
    cr_assert_eq(MPI_Type_create_hindexed_c(2, bl, d, MPI_CHAR, &h), MPI_SUCCESS);
    MPI_Type_size_c(h, &size);
    cr_assert_eq(size, big + 3);
    MPI_Type_get_extent_c(h, &lb, &ext);
    cr_assert_eq(ext, big + 3);
    MPI_Count id[3] = {0, 5, 10};
    cr_assert_eq(MPI_Type_create_indexed_block_c(3, 5, id, MPI_INT, &ib), MPI_SUCCESS);
    MPI_Type_size_c(ib, &size);
    cr_assert_eq(size, 60);
    MPI_Type_get_extent_c(ib, &lb, &ext);
    cr_assert_eq(ext, 60);
    cr_assert_eq(MPI_Type_contiguous_c(-1, MPI_CHAR, &t), MPI_ERR_COUNT);
    MPI_Type_free(&t);
    MPI_Type_free(&h);
    MPI_Type_free(&ib);
}
