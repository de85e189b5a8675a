/*
 * test_dt_op.c — reduction operations: every predefined operation on the types the standard
 * allows, rejected combinations, MINLOC/MAXLOC, derived datatypes, user operations.
 */
#include <complex.h>
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "mpi.h"

static void setup(void)
{
    cr_assert_eq(MPI_Init(NULL, NULL), MPI_SUCCESS);
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
}

static void teardown(void)
{
    MPI_Finalize();
}

TestSuite(dtop, .init = setup, .fini = teardown);

Test(dtop, integer_ops)
{
    int a[] = {5, -3, 0, 7}, b[] = {2, 4, 0, -9}, r[4];
    struct {
        MPI_Op op;
        int want[4];
    } c[] = {
        {MPI_MAX, {5, 4, 0, 7}},       {MPI_MIN, {2, -3, 0, -9}},
        {MPI_SUM, {7, 1, 0, -2}},      {MPI_PROD, {10, -12, 0, -63}},
        {MPI_LAND, {1, 1, 0, 1}},      {MPI_LOR, {1, 1, 0, 1}},
        {MPI_LXOR, {0, 0, 0, 0}},      {MPI_BAND, {5 & 2, -3 & 4, 0, 7 & -9}},
        {MPI_BOR, {5 | 2, -3 | 4, 0, 7 | -9}}, {MPI_BXOR, {5 ^ 2, -3 ^ 4, 0, 7 ^ -9}},
        {MPI_REPLACE, {5, -3, 0, 7}},  {MPI_NO_OP, {2, 4, 0, -9}},
    };
    for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
        memcpy(r, b, sizeof(r));
        cr_assert_eq(MPI_Reduce_local(a, r, 4, MPI_INT, c[i].op), MPI_SUCCESS, "case %zu", i);
        for (int k = 0; k < 4; k++) {
            cr_assert_eq(r[k], c[i].want[k], "case %zu element %d: %d", i, k, r[k]);
        }
    }
    /* wrapping, unsigned and narrow types */
    int8_t x = 100, y = 100;
    MPI_Reduce_local(&x, &y, 1, MPI_INT8_T, MPI_SUM);
    cr_assert_eq(y, (int8_t)200);
    unsigned long long u = 3, v = ~0ULL;
    MPI_Reduce_local(&u, &v, 1, MPI_UNSIGNED_LONG_LONG, MPI_MIN);
    cr_assert_eq(v, 3);
    unsigned char byte_a = 0xf0, byte_b = 0x3c;
    MPI_Reduce_local(&byte_a, &byte_b, 1, MPI_BYTE, MPI_BXOR);
    cr_assert_eq(byte_b, 0xcc);
    int32_t fi = 6, fo = 7;
    MPI_Reduce_local(&fi, &fo, 1, MPI_INTEGER, MPI_PROD);
    cr_assert_eq(fo, 42);
    long la = 1L << 40, lb = 5;
    MPI_Reduce_local(&la, &lb, 1, MPI_LONG, MPI_SUM);
    cr_assert_eq(lb, (1L << 40) + 5);
}

Test(dtop, float_complex_logical)
{
    double a[] = {1.5, -2.0}, b[] = {0.5, 3.0};
    MPI_Reduce_local(a, b, 2, MPI_DOUBLE, MPI_SUM);
    cr_assert(b[0] == 2.0 && b[1] == 1.0);
    MPI_Reduce_local(a, b, 2, MPI_DOUBLE, MPI_MAX);
    cr_assert(b[0] == 2.0 && b[1] == 1.0);
    float fa = 3.0f, fb = 2.0f;
    MPI_Reduce_local(&fa, &fb, 1, MPI_REAL, MPI_PROD);
    cr_assert(fb == 6.0f);
    long double la = 2.0L, lb = 0.25L;
    MPI_Reduce_local(&la, &lb, 1, MPI_LONG_DOUBLE, MPI_MIN);
    cr_assert(lb == 0.25L);
    double _Complex ca = 1.0 + 2.0 * I, cb = 3.0 - 1.0 * I;
    MPI_Reduce_local(&ca, &cb, 1, MPI_C_DOUBLE_COMPLEX, MPI_PROD);
    cr_assert(creal(cb) == 5.0 && cimag(cb) == 5.0);
    float _Complex fca = 1.0f + 1.0f * I, fcb = 2.0f;
    MPI_Reduce_local(&fca, &fcb, 1, MPI_COMPLEX, MPI_SUM);
    cr_assert(crealf(fcb) == 3.0f && cimagf(fcb) == 1.0f);
    bool ba[] = {true, true, false, false}, bb[] = {true, false, true, false};
    bool r[4];
    memcpy(r, bb, sizeof(r));
    MPI_Reduce_local(ba, r, 4, MPI_C_BOOL, MPI_LXOR);
    cr_assert(!r[0] && r[1] && r[2] && !r[3]);
    memcpy(r, bb, sizeof(r));
    MPI_Reduce_local(ba, r, 4, MPI_C_BOOL, MPI_LAND);
    cr_assert(r[0] && !r[1] && !r[2] && !r[3]);
    int32_t la4[] = {7, 0}, lb4[] = {-1, 0};
    MPI_Reduce_local(la4, lb4, 2, MPI_LOGICAL, MPI_LOR);
    cr_assert(lb4[0] == 1 && lb4[1] == 0);
}

Test(dtop, invalid_combinations)
{
    double d = 1, e = 2;
    cr_assert_eq(MPI_Reduce_local(&d, &e, 1, MPI_DOUBLE, MPI_BAND), MPI_ERR_OP);
    cr_assert_eq(MPI_Reduce_local(&d, &e, 1, MPI_DOUBLE, MPI_LAND), MPI_ERR_OP);
    cr_assert_eq(MPI_Reduce_local(&d, &e, 1, MPI_DOUBLE, MPI_MAXLOC), MPI_ERR_OP);
    double _Complex c = 1, c2 = 2;
    cr_assert_eq(MPI_Reduce_local(&c, &c2, 1, MPI_C_DOUBLE_COMPLEX, MPI_MAX), MPI_ERR_OP);
    /* MPI_CHAR is accepted as a C integer (as MPICH and Open MPI do; see op_kernels.c) */
    char ch = 3, ch2 = 4;
    cr_assert_eq(MPI_Reduce_local(&ch, &ch2, 1, MPI_CHAR, MPI_SUM), MPI_SUCCESS);
    cr_assert_eq(ch2, 7);
    cr_assert_eq(MPI_Reduce_local(&ch, &ch2, 1, MPI_CHAR, MPI_MAX), MPI_SUCCESS);
    cr_assert_eq(ch2, 7);
    unsigned char by = 1, by2 = 2;
    cr_assert_eq(MPI_Reduce_local(&by, &by2, 1, MPI_BYTE, MPI_SUM), MPI_ERR_OP);
    bool b = true, b2 = false;
    cr_assert_eq(MPI_Reduce_local(&b, &b2, 1, MPI_C_BOOL, MPI_BOR), MPI_ERR_OP);
    int32_t fi = 1, fi2 = 2;
    cr_assert_eq(MPI_Reduce_local(&fi, &fi2, 1, MPI_INTEGER, MPI_LAND), MPI_ERR_OP);
    struct {
        double v;
        int k;
    } p = {1, 2}, p2 = {3, 4};
    cr_assert_eq(MPI_Reduce_local(&p, &p2, 1, MPI_DOUBLE_INT, MPI_SUM), MPI_ERR_OP);
    cr_assert_eq(MPI_Reduce_local(&d, &e, 1, MPI_DOUBLE, MPI_OP_NULL), MPI_ERR_OP);
    cr_assert_eq(MPI_Reduce_local(&d, &e, -1, MPI_DOUBLE, MPI_SUM), MPI_ERR_COUNT);
    /* a struct of int and double is not one builtin type */
    MPI_Datatype s;
    int bl[] = {1, 1};
    MPI_Aint ds[] = {0, 8};
    MPI_Datatype ty[] = {MPI_INT, MPI_DOUBLE};
    MPI_Type_create_struct(2, bl, ds, ty, &s);
    MPI_Type_commit(&s);
    char buf1[16] = {0}, buf2[16] = {0};
    cr_assert_eq(MPI_Reduce_local(buf1, buf2, 1, s, MPI_SUM), MPI_ERR_OP);
    cr_assert_eq(MPI_Reduce_local(buf1, buf2, 1, s, MPI_REPLACE), MPI_SUCCESS);
    MPI_Type_free(&s);
}

Test(dtop, minloc_maxloc_pairs)
{
    struct {
        double v;
        int k;
    } a[] = {{1.0, 3}, {5.0, 1}, {2.0, 0}}, b[] = {{1.0, 2}, {4.0, 0}, {2.5, 9}};
    MPI_Reduce_local(a, b, 3, MPI_DOUBLE_INT, MPI_MAXLOC);
    cr_assert(b[0].v == 1.0 && b[0].k == 2); /* tie: smaller index */
    cr_assert(b[1].v == 5.0 && b[1].k == 1);
    cr_assert(b[2].v == 2.5 && b[2].k == 9);
    struct {
        short v;
        int k;
    } sa[] = {{-4, 7}, {3, 3}}, sb[] = {{-4, 5}, {2, 8}};
    MPI_Reduce_local(sa, sb, 2, MPI_SHORT_INT, MPI_MINLOC);
    cr_assert(sb[0].v == -4 && sb[0].k == 5);
    cr_assert(sb[1].v == 2 && sb[1].k == 8);
    int ia[] = {9, 1, 9, 0}, ib[] = {9, 4, 8, 6};
    MPI_Reduce_local(ia, ib, 2, MPI_2INT, MPI_MAXLOC);
    cr_assert(ib[0] == 9 && ib[1] == 1 && ib[2] == 9 && ib[3] == 0);
    struct {
        long double v;
        int k;
    } la = {3.0L, 1}, lb = {3.0L, 0};
    MPI_Reduce_local(&la, &lb, 1, MPI_LONG_DOUBLE_INT, MPI_MINLOC);
    cr_assert(lb.k == 0);
    float ra[] = {1.0f, 10.0f}, rb[] = {2.0f, 20.0f};
    MPI_Reduce_local(ra, rb, 1, MPI_2REAL, MPI_MINLOC);
    cr_assert(rb[0] == 1.0f && rb[1] == 10.0f);
}

Test(dtop, derived_single_basic_types)
{
    /* vector of ints with gaps: only the mapped elements change */
    MPI_Datatype v;
    MPI_Type_vector(3, 1, 2, MPI_INT, &v);
    MPI_Type_commit(&v);
    int a[10], b[10];
    for (int i = 0; i < 10; i++) {
        a[i] = i;
        b[i] = 100 * i;
    }
    cr_assert_eq(MPI_Reduce_local(a, b, 1, v, MPI_SUM), MPI_SUCCESS);
    int want[10] = {0, 100, 202, 300, 404, 500, 600, 700, 800, 900};
    for (int i = 0; i < 10; i++) {
        cr_assert_eq(b[i], want[i], "element %d: %d", i, b[i]);
    }
    MPI_Type_free(&v);
    /* contiguous of padded pairs, two elements */
    MPI_Datatype c;
    MPI_Type_contiguous(2, MPI_DOUBLE_INT, &c);
    MPI_Type_commit(&c);
    struct {
        double v;
        int k;
    } pa[4] = {{1, 0}, {9, 1}, {3, 2}, {0, 3}}, pb[4] = {{2, 5}, {8, 6}, {3, 1}, {1, 7}};
    cr_assert_eq(MPI_Reduce_local(pa, pb, 2, c, MPI_MINLOC), MPI_SUCCESS);
    cr_assert(pb[0].v == 1 && pb[0].k == 0);
    cr_assert(pb[1].v == 8 && pb[1].k == 6);
    cr_assert(pb[2].v == 3 && pb[2].k == 1);
    cr_assert(pb[3].v == 0 && pb[3].k == 3);
    MPI_Type_free(&c);
    /* a vector of padded pairs with a stride (non-contiguous, padded builtin) */
    MPI_Datatype pv;
    MPI_Type_vector(2, 1, 2, MPI_DOUBLE_INT, &pv);
    MPI_Type_commit(&pv);
    struct {
        double v;
        int k;
    } qa[3] = {{5, 1}, {77, 77}, {1, 2}}, qb[3] = {{4, 9}, {66, 66}, {2, 8}};
    cr_assert_eq(MPI_Reduce_local(qa, qb, 1, pv, MPI_MAXLOC), MPI_SUCCESS);
    cr_assert(qb[0].v == 5 && qb[0].k == 1);
    cr_assert(qb[1].v == 66 && qb[1].k == 66);
    cr_assert(qb[2].v == 2 && qb[2].k == 8);
    MPI_Type_free(&pv);
}

Test(dtop, large_noncontiguous_in_chunks)
{
    /* more than one reduction chunk (256 KiB packed) of strided ints and padded pairs */
    enum { N = 300000 };
    int *a = malloc(2 * N * sizeof(int)), *b = malloc(2 * N * sizeof(int));
    for (int i = 0; i < 2 * N; i++) {
        a[i] = i;
        b[i] = -3 * i;
    }
    MPI_Datatype v;
    MPI_Type_vector(N, 1, 2, MPI_INT, &v);
    MPI_Type_commit(&v);
    cr_assert_eq(MPI_Reduce_local(a, b, 1, v, MPI_SUM), MPI_SUCCESS);
    for (int i = 0; i < 2 * N; i++) {
        cr_assert_eq(b[i], i % 2 == 0 ? -2 * i : -3 * i, "element %d: %d", i, b[i]);
    }
    MPI_Type_free(&v);
    free(a);
    free(b);
    struct pair {
        double v;
        int k;
    } *pa = malloc(2 * N * sizeof(struct pair)), *pb = malloc(2 * N * sizeof(struct pair));
    for (int i = 0; i < 2 * N; i++) {
        pa[i].v = i % 7;
        pa[i].k = i;
        pb[i].v = i % 5;
        pb[i].k = -i;
    }
    MPI_Type_vector(N, 1, 2, MPI_DOUBLE_INT, &v);
    MPI_Type_commit(&v);
    cr_assert_eq(MPI_Reduce_local(pa, pb, 1, v, MPI_MAXLOC), MPI_SUCCESS);
    for (int i = 0; i < 2 * N; i++) {
        double wv = i % 2 == 0 && i % 7 > i % 5 ? i % 7 : i % 5;
        int wk = i % 2 == 0 && i % 7 > i % 5 ? i : -i;
        if (i % 2 == 0 && i % 7 == i % 5) {
            wk = -i < i ? -i : i;
        }
        cr_assert(pb[i].v == wv && pb[i].k == wk, "pair %d: %g %d, want %g %d", i, pb[i].v,
                  pb[i].k, wv, wk);
    }
    MPI_Type_free(&v);
    free(pa);
    free(pb);
}

static int calls;

static void user_absmax(void *in, void *inout, int *len, MPI_Datatype *dt)
{
    int *a = in, *b = inout;
    calls++;
    cr_assert_eq(*dt, MPI_INT);
    for (int i = 0; i < *len; i++) {
        int x = a[i] < 0 ? -a[i] : a[i], y = b[i] < 0 ? -b[i] : b[i];
        if (x > y) {
            b[i] = a[i];
        }
    }
}

Test(dtop, user_operations)
{
    MPI_Op op;
    int commute;
    cr_assert_eq(MPI_Op_create(user_absmax, 0, &op), MPI_SUCCESS);
    MPI_Op_commutative(op, &commute);
    cr_assert_eq(commute, 0);
    MPI_Op_commutative(MPI_SUM, &commute);
    cr_assert_eq(commute, 1);
    int a[] = {-7, 2, 3}, b[] = {5, -6, 1};
    calls = 0;
    cr_assert_eq(MPI_Reduce_local(a, b, 3, MPI_INT, op), MPI_SUCCESS);
    cr_assert_eq(calls, 1);
    cr_assert(b[0] == -7 && b[1] == -6 && b[2] == 3);
    cr_assert_eq(MPI_Op_free(&op), MPI_SUCCESS);
    cr_assert_eq(op, MPI_OP_NULL);
    MPI_Op sum = MPI_SUM;
    cr_assert_eq(MPI_Op_free(&sum), MPI_ERR_OP);
}

#ifdef __SIZEOF_FLOAT128__
Test(dtop, real16_complex32_are_binary128)
{
    __float128 a[] = {1.5, -2}, b[] = {0.25, 3};
    cr_assert_eq(MPI_Reduce_local(a, b, 2, MPI_REAL16, MPI_SUM), MPI_SUCCESS);
    cr_assert((double)b[0] == 1.75 && (double)b[1] == 1.0);
    cr_assert_eq(MPI_Reduce_local(a, b, 2, MPI_REAL16, MPI_MAX), MPI_SUCCESS);
    cr_assert((double)b[0] == 1.75 && (double)b[1] == 1.0);
    __float128 c[2] = {1, 2}, d[2] = {3, -1}; /* (1+2i)(3-i) = 5+5i */
    cr_assert_eq(MPI_Reduce_local(c, d, 1, MPI_COMPLEX32, MPI_PROD), MPI_SUCCESS);
    cr_assert((double)d[0] == 5.0 && (double)d[1] == 5.0);
    unsigned char x[16];
    MPI_Aint pos = 0;
    __float128 one = 1, back = 0;
    MPI_Pack_external("external32", &one, 1, MPI_REAL16, x, 16, &pos);
    cr_assert(x[0] == 0x3f && x[1] == 0xff && x[2] == 0 && x[15] == 0);
    pos = 0;
    MPI_Unpack_external("external32", x, 16, &pos, &back, 1, MPI_REAL16);
    cr_assert((double)back == 1.0);
}
#endif
