/*
 * test_dt_pack.c — iov, element counting, envelope/contents, external32, large counts,
 * chunked packing cost, references, names and argument errors of the datatype API.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mpi.h"
#include "dwcp_dt.h"

static void setup(void)
{
    cr_assert_eq(MPI_Init(NULL, NULL), MPI_SUCCESS);
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
}

static void teardown(void)
{
    MPI_Finalize();
}

TestSuite(dtpack, .init = setup, .fini = teardown);

Test(dtpack, iov_pieces_and_overflow)
{
    MPI_Datatype v;
    MPI_Type_vector(4, 1, 2, MPI_INT, &v);
    MPI_Type_commit(&v);
    int buf[8];
    struct iovec iov[8];
    size_t n = 0;
    dwcp_dt_t *d = dwcp_dt_get(v);
    cr_assert_eq(dwcp_dt_iov(buf, 1, d, iov, 8, &n), DWCS_OK);
    cr_assert_eq(n, 4);
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(iov[i].iov_base, &buf[2 * i]);
        cr_assert_eq(iov[i].iov_len, 4);
    }
    cr_assert_eq(dwcp_dt_iov(buf, 1, d, iov, 3, &n), DWCS_ERR_OVERFLOW);
    /* two elements (extent 7 ints): the last piece of the first (buf2[6]) and the first of
     * the second (buf2[7]) are adjacent and merge */
    int buf2[16];
    cr_assert_eq(dwcp_dt_iov(buf2, 2, d, iov, 8, &n), DWCS_OK);
    cr_assert_eq(n, 7);
    cr_assert_eq(iov[3].iov_base, &buf2[6]);
    cr_assert_eq(iov[3].iov_len, 8);
    cr_assert_eq(iov[4].iov_base, &buf2[9]);
    MPI_Type_free(&v);
    /* a contiguous type is one piece */
    MPI_Datatype c;
    MPI_Type_contiguous(100, MPI_DOUBLE, &c);
    MPI_Type_commit(&c);
    double db[300];
    cr_assert_eq(dwcp_dt_iov(db, 3, dwcp_dt_get(c), iov, 1, &n), DWCS_OK);
    cr_assert_eq(n, 1);
    cr_assert_eq(iov[0].iov_len, 2400);
    MPI_Type_free(&c);
}

Test(dtpack, elements_counting)
{
    /* struct { int; double } : elements per byte prefix */
    MPI_Datatype s;
    int bl[] = {1, 1};
    MPI_Aint d[] = {0, 8};
    MPI_Datatype ty[] = {MPI_INT, MPI_DOUBLE};
    MPI_Type_create_struct(2, bl, d, ty, &s);
    MPI_Type_commit(&s);
    dwcp_dt_t *t = dwcp_dt_get(s);
    cr_assert_eq(dwcp_dt_elements(t, 0), 0);
    cr_assert_eq(dwcp_dt_elements(t, 4), 1);
    cr_assert_eq(dwcp_dt_elements(t, 12), 2);
    cr_assert_eq(dwcp_dt_elements(t, 6), MPI_UNDEFINED);
    cr_assert_eq(dwcp_dt_elements(t, 12 * 3 + 4), 7);
    cr_assert_eq(dwcp_dt_elements(t, 12 * 3 + 5), MPI_UNDEFINED);
    /* and back: elements -> bytes */
    size_t want_bytes[] = {0, 4, 12, 16, 24, 28, 36, 40};
    for (int e = 0; e < 8; e++) {
        cr_assert_eq(dwcp_dt_elements_bytes(t, e), want_bytes[e], "%d elements", e);
        cr_assert_eq(dwcp_dt_elements(t, want_bytes[e]), e);
    }
    MPI_Type_free(&s);
    /* pair types count two elements each */
    cr_assert_eq(dwcp_dt_elements(dwcp_dt_get(MPI_DOUBLE_INT), 24), 4);
    cr_assert_eq(dwcp_dt_elements(dwcp_dt_get(MPI_DOUBLE_INT), 20), 3);
    cr_assert_eq(dwcp_dt_elements(dwcp_dt_get(MPI_INT), 10), MPI_UNDEFINED);
    /* vector of 3 blocks of 2 shorts */
    MPI_Datatype v;
    MPI_Type_vector(3, 2, 5, MPI_SHORT, &v);
    MPI_Type_commit(&v);
    cr_assert_eq(dwcp_dt_elements(dwcp_dt_get(v), 10), 5);
    cr_assert_eq(dwcp_dt_get(v)->nbasic, 6);
    cr_assert_eq(dwcp_dt_get(v)->basic, 6);
    MPI_Type_free(&v);
}

Test(dtpack, envelope_and_contents)
{
    MPI_Datatype vec, hv, idx, st, res, hib, contents[4];
    int ni, na, nd, comb, ints[16];
    MPI_Aint ad[8];
    MPI_Type_vector(3, 2, 7, MPI_FLOAT, &vec);
    MPI_Type_get_envelope(vec, &ni, &na, &nd, &comb);
    cr_assert_eq(comb, MPI_COMBINER_VECTOR);
    cr_assert(ni == 3 && na == 0 && nd == 1);
    MPI_Type_get_contents(vec, 16, 8, 4, ints, ad, contents);
    cr_assert(ints[0] == 3 && ints[1] == 2 && ints[2] == 7);
    cr_assert_eq(contents[0], MPI_FLOAT);

    MPI_Type_create_hvector(2, 1, 24, vec, &hv);
    MPI_Type_get_envelope(hv, &ni, &na, &nd, &comb);
    cr_assert_eq(comb, MPI_COMBINER_HVECTOR);
    cr_assert(ni == 2 && na == 1 && nd == 1);
    MPI_Type_get_contents(hv, 16, 8, 4, ints, ad, contents);
    cr_assert_eq(ad[0], 24);
    /* the derived input comes back as a new handle equivalent to vec */
    cr_assert_neq(contents[0], vec);
    int sz;
    MPI_Type_size(contents[0], &sz);
    cr_assert_eq(sz, 24);
    MPI_Type_get_envelope(contents[0], &ni, &na, &nd, &comb);
    cr_assert_eq(comb, MPI_COMBINER_VECTOR);
    MPI_Type_free(&contents[0]);

    int bl[] = {1, 2}, di[] = {4, 0};
    MPI_Type_indexed(2, bl, di, MPI_INT, &idx);
    MPI_Type_get_envelope(idx, &ni, &na, &nd, &comb);
    cr_assert(comb == MPI_COMBINER_INDEXED && ni == 5 && na == 0 && nd == 1);
    MPI_Type_get_contents(idx, 16, 8, 4, ints, ad, contents);
    cr_assert(ints[0] == 2 && ints[1] == 1 && ints[2] == 2 && ints[3] == 4 && ints[4] == 0);

    MPI_Aint hd[] = {0, 100, 200};
    MPI_Type_create_hindexed_block(3, 4, hd, MPI_CHAR, &hib);
    MPI_Type_get_envelope(hib, &ni, &na, &nd, &comb);
    cr_assert(comb == MPI_COMBINER_HINDEXED_BLOCK && ni == 2 && na == 3 && nd == 1);

    int sbl[] = {1, 3};
    MPI_Aint sd[] = {0, 16};
    MPI_Datatype sty[] = {MPI_DOUBLE, idx};
    MPI_Type_create_struct(2, sbl, sd, sty, &st);
    MPI_Type_get_envelope(st, &ni, &na, &nd, &comb);
    cr_assert(comb == MPI_COMBINER_STRUCT && ni == 3 && na == 2 && nd == 2);
    MPI_Type_get_contents(st, 16, 8, 4, ints, ad, contents);
    cr_assert(ints[0] == 2 && ints[1] == 1 && ints[2] == 3 && ad[1] == 16);
    cr_assert_eq(contents[0], MPI_DOUBLE);
    MPI_Type_free(&contents[1]);
    cr_assert_eq(MPI_Type_get_contents(st, 1, 8, 4, ints, ad, contents), MPI_ERR_ARG);

    MPI_Type_create_resized(st, -8, 100, &res);
    MPI_Type_get_envelope(res, &ni, &na, &nd, &comb);
    cr_assert(comb == MPI_COMBINER_RESIZED && ni == 0 && na == 2 && nd == 1);
    MPI_Type_get_contents(res, 0, 2, 1, ints, ad, contents);
    cr_assert(ad[0] == -8 && ad[1] == 100);
    MPI_Type_free(&contents[0]);
    cr_assert_neq(MPI_Type_get_contents(MPI_INT, 0, 0, 0, ints, ad, contents), MPI_SUCCESS);

    MPI_Datatype all[] = {vec, hv, idx, st, res, hib};
    for (int i = 0; i < 6; i++) {
        cr_assert_eq(MPI_Type_free(&all[i]), MPI_SUCCESS);
    }
}

static void be_check(const unsigned char *x, const unsigned char *want, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(x[i], want[i], "byte %zu: %02x, expected %02x", i, x[i], want[i]);
    }
}

Test(dtpack, external32)
{
    struct {
        int i;
        long l;
        double d;
        short s;
        long double ld;
    } v = {0x01020304, -2, 1.0, -3, 1.0L}, back;
    MPI_Datatype t;
    int bl[] = {1, 1, 1, 1, 1};
    MPI_Aint d[] = {offsetof(__typeof__(v), i), offsetof(__typeof__(v), l),
                    offsetof(__typeof__(v), d), offsetof(__typeof__(v), s),
                    offsetof(__typeof__(v), ld)};
    MPI_Datatype ty[] = {MPI_INT, MPI_LONG, MPI_DOUBLE, MPI_SHORT, MPI_LONG_DOUBLE};
    MPI_Type_create_struct(5, bl, d, ty, &t);
    MPI_Type_commit(&t);
    MPI_Aint size, pos = 0;
    cr_assert_eq(MPI_Pack_external_size("external32", 1, t, &size), MPI_SUCCESS);
    cr_assert_eq(size, 4 + 4 + 8 + 2 + 16);
    unsigned char x[64];
    cr_assert_eq(MPI_Pack_external("external32", &v, 1, t, x, sizeof(x), &pos), MPI_SUCCESS);
    cr_assert_eq(pos, 34);
    static const unsigned char want[] = {
        1, 2, 3, 4,                                     /* int, big-endian */
        0xff, 0xff, 0xff, 0xfe,                         /* long -2 in 4 bytes */
        0x3f, 0xf0, 0, 0, 0, 0, 0, 0,                   /* 1.0 */
        0xff, 0xfd,                                     /* short -3 */
        0x3f, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* binary128 1.0 */
    };
    be_check(x, want, sizeof(want));
    memset(&back, 0, sizeof(back));
    pos = 0;
    cr_assert_eq(MPI_Unpack_external("external32", x, 34, &pos, &back, 1, t), MPI_SUCCESS);
    cr_assert_eq(back.i, v.i);
    cr_assert_eq(back.l, -2);
    cr_assert_eq(back.d, 1.0);
    cr_assert_eq(back.s, -3);
    cr_assert(back.ld == 1.0L);
    /* a long double with a fraction survives the round trip */
    long double ld2 = -3.14159265358979323846264338327950288L, ld3 = 0;
    pos = 0;
    MPI_Pack_external("external32", &ld2, 1, MPI_LONG_DOUBLE, x, 16, &pos);
    pos = 0;
    MPI_Unpack_external("external32", x, 16, &pos, &ld3, 1, MPI_LONG_DOUBLE);
    cr_assert(ld2 == ld3);
    /* external32 sizes of the pair types and of types whose size differs from native */
    struct {
        MPI_Datatype t;
        MPI_Aint size;
    } xs[] = {{MPI_DOUBLE_INT, 12}, {MPI_SHORT_INT, 6},           {MPI_LONG_INT, 8},
              {MPI_WCHAR, 2},       {MPI_C_LONG_DOUBLE_COMPLEX, 32}, {MPI_LOGICAL, 4},
              {MPI_UNSIGNED_LONG, 4}, {MPI_2DOUBLE_PRECISION, 16}, {MPI_C_BOOL, 1}};
    for (size_t i = 0; i < sizeof(xs) / sizeof(xs[0]); i++) {
        MPI_Pack_external_size("external32", 3, xs[i].t, &size);
        cr_assert_eq(size, 3 * xs[i].size, "type %zu: %ld", i, (long)size);
    }
    struct {
        double v;
        int k;
    } di = {-0.5, 258}, di2 = {0, 0};
    pos = 0;
    MPI_Pack_external("external32", &di, 1, MPI_DOUBLE_INT, x, 64, &pos);
    cr_assert_eq(pos, 12);
    static const unsigned char want_di[] = {0xbf, 0xe0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2};
    be_check(x, want_di, 12);
    pos = 0;
    MPI_Unpack_external("external32", x, 12, &pos, &di2, 1, MPI_DOUBLE_INT);
    cr_assert(di2.v == -0.5 && di2.k == 258);
    unsigned long ul = 0x01020304UL, ul2 = 0;
    pos = 0;
    MPI_Pack_external("external32", &ul, 1, MPI_UNSIGNED_LONG, x, 64, &pos);
    pos = 0;
    MPI_Unpack_external("external32", x, 4, &pos, &ul2, 1, MPI_UNSIGNED_LONG);
    cr_assert_eq(ul2, ul);
    pos = 0;
    cr_assert_eq(MPI_Pack_external("external32", &v, 1, t, x, 10, &pos), MPI_ERR_TRUNCATE);
    cr_assert_eq(MPI_Pack_external("native", &v, 1, t, x, 64, &pos),
                 MPI_ERR_UNSUPPORTED_DATAREP);
    MPI_Type_free(&t);
}

Test(dtpack, large_count_over_2GiB)
{
    /* stride 0: 400M copies of one double, 3.2 GB packed, from an 8-byte buffer */
    MPI_Datatype t;
    double one = 42.5;
    MPI_Type_create_hvector(400000000, 1, 0, MPI_DOUBLE, &t);
    MPI_Type_commit(&t);
    int size;
    MPI_Count sx;
    MPI_Type_size(t, &size);
    MPI_Type_size_x(t, &sx);
    cr_assert_eq(size, MPI_UNDEFINED);
    cr_assert_eq(sx, 3200000000LL);
    double out[8];
    dwcp_dt_t *d = dwcp_dt_get(t);
    dwcp_dt_pack(&one, 1, d, 3200000000ULL - 64, out, 64);
    for (int i = 0; i < 8; i++) {
        cr_assert_eq(out[i], 42.5);
    }
    /* a contiguous count beyond 2^31 bytes addressed by offset */
    MPI_Datatype c;
    MPI_Type_contiguous(1 << 30, MPI_INT, &c); /* 4 GiB per element */
    MPI_Type_commit(&c);
    MPI_Type_size_x(c, &sx);
    cr_assert_eq(sx, 4LL << 30);
    MPI_Type_free(&c);
    MPI_Type_free(&t);
}

Test(dtpack, chunked_pack_is_not_quadratic)
{
    /* 1M pieces packed 8 bytes at a time: quadratic seeking would take hours */
    enum { N = 1 << 20 };
    int *src = malloc(2 * N * sizeof(int)), *dst = malloc(N * sizeof(int));
    for (int i = 0; i < 2 * N; i++) {
        src[i] = i;
    }
    MPI_Datatype v;
    MPI_Type_vector(N, 1, 2, MPI_INT, &v);
    MPI_Type_commit(&v);
    dwcp_dt_t *d = dwcp_dt_get(v);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (size_t off = 0; off < (size_t)N * 4; off += 8) {
        dwcp_dt_pack(src, 1, d, off, (char *)dst + off, 8);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    for (int i = 0; i < N; i++) {
        cr_assert_eq(dst[i], 2 * i);
    }
    double s = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
    cr_assert_lt(s, 10.0, "chunked pack took %.1f s", s);
    MPI_Type_free(&v);
    free(src);
    free(dst);
}

Test(dtpack, free_while_in_use)
{
    MPI_Datatype v;
    MPI_Type_vector(2, 1, 3, MPI_INT, &v);
    MPI_Type_commit(&v);
    dwcp_dt_t *d = dwcp_dt_get(v);
    dwcp_dt_retain(d); /* a pending operation */
    MPI_Datatype h = v;
    MPI_Type_free(&v);
    cr_assert_eq(v, MPI_DATATYPE_NULL);
    cr_assert_null(dwcp_dt_get(h)); /* the handle is gone ... */
    int src[4] = {1, 2, 3, 4}, out[2];
    dwcp_dt_pack(src, 1, d, 0, out, 8); /* ... the object is not */
    cr_assert(out[0] == 1 && out[1] == 4);
    cr_assert(d->user_freed);
    dwcp_dt_release(d);
    int size;
    cr_assert_eq(MPI_Type_size(h, &size), MPI_ERR_TYPE);
}

Test(dtpack, pack_unpack_api_errors)
{
    int src[4] = {1, 2, 3, 4}, pos = 0, size;
    char out[16];
    cr_assert_eq(MPI_Pack_size(4, MPI_INT, MPI_COMM_WORLD, &size), MPI_SUCCESS);
    cr_assert_eq(size, 16);
    cr_assert_eq(MPI_Pack(src, 4, MPI_INT, out, 12, &pos, MPI_COMM_WORLD), MPI_ERR_TRUNCATE);
    cr_assert_eq(MPI_Pack(src, 2, MPI_INT, out, 16, &pos, MPI_COMM_WORLD), MPI_SUCCESS);
    cr_assert_eq(MPI_Pack(src + 2, 2, MPI_INT, out, 16, &pos, MPI_COMM_WORLD), MPI_SUCCESS);
    cr_assert_eq(pos, 16);
    cr_assert_eq(MPI_Pack(src, 1, MPI_INT, out, 16, &pos, MPI_COMM_NULL), MPI_ERR_COMM);
    cr_assert_eq(MPI_Pack(src, -1, MPI_INT, out, 16, &pos, MPI_COMM_WORLD), MPI_ERR_COUNT);
    int back[5] = {0};
    pos = 0;
    cr_assert_eq(MPI_Unpack(out, 16, &pos, back, 5, MPI_INT, MPI_COMM_WORLD), MPI_ERR_TRUNCATE);
    cr_assert_eq(MPI_Unpack(out, 16, &pos, back, 4, MPI_INT, MPI_COMM_WORLD), MPI_SUCCESS);
    cr_assert(back[0] == 1 && back[3] == 4);
    MPI_Datatype u;
    MPI_Type_contiguous(2, MPI_INT, &u);
    pos = 0;
    cr_assert_eq(MPI_Pack(src, 1, u, out, 16, &pos, MPI_COMM_WORLD), MPI_ERR_TYPE);
    MPI_Type_free(&u);
    cr_assert_eq(MPI_Type_vector(2, -1, 1, MPI_INT, &u), MPI_ERR_COUNT);
    cr_assert_eq(MPI_Type_commit(&(MPI_Datatype){MPI_DATATYPE_NULL}), MPI_ERR_TYPE);
}

Test(dtpack, names_match_size_addresses)
{
    MPI_Datatype t;
    char name[MPI_MAX_OBJECT_NAME];
    int len;
    MPI_Type_contiguous(2, MPI_INT, &t);
    MPI_Type_get_name(t, name, &len);
    cr_assert_eq(len, 0);
    MPI_Type_set_name(t, "pair of ints");
    MPI_Type_get_name(t, name, &len);
    cr_assert_str_eq(name, "pair of ints");
    MPI_Type_free(&t);
    MPI_Type_match_size(MPI_TYPECLASS_REAL, 8, &t);
    cr_assert_eq(t, MPI_DOUBLE);
    MPI_Type_match_size(MPI_TYPECLASS_INTEGER, 4, &t);
    cr_assert_eq(t, MPI_INT);
    MPI_Type_match_size(MPI_TYPECLASS_COMPLEX, 16, &t);
    cr_assert_eq(t, MPI_C_DOUBLE_COMPLEX);
    cr_assert_eq(MPI_Type_match_size(MPI_TYPECLASS_INTEGER, 3, &t), MPI_ERR_ARG);
    int a[4];
    MPI_Aint p0, p3;
    MPI_Get_address(&a[0], &p0);
    MPI_Get_address(&a[3], &p3);
    cr_assert_eq(MPI_Aint_diff(p3, p0), 12);
    cr_assert_eq(MPI_Aint_add(p0, 12), p3);
}

static int deleted;

static int del_fn(MPI_Datatype t, int k, void *v, void *e)
{
    (void)t, (void)k, (void)e;
    deleted += (int)(intptr_t)v;
    return MPI_SUCCESS;
}

Test(dtpack, attributes_copy_on_dup_delete_on_free)
{
    int key;
    MPI_Datatype t, d;
    cr_assert_eq(MPI_Type_create_keyval(MPI_TYPE_DUP_FN, del_fn, &key, NULL), MPI_SUCCESS);
    MPI_Type_contiguous(2, MPI_INT, &t);
    MPI_Type_set_attr(t, key, (void *)(intptr_t)5);
    MPI_Type_dup(t, &d);
    void *v;
    int flag;
    MPI_Type_get_attr(d, key, &v, &flag);
    cr_assert(flag && (intptr_t)v == 5);
    deleted = 0;
    MPI_Type_free(&t);
    cr_assert_eq(deleted, 5);
    MPI_Type_delete_attr(d, key);
    cr_assert_eq(deleted, 10);
    MPI_Type_get_attr(d, key, &v, &flag);
    cr_assert_eq(flag, 0);
    MPI_Type_free(&d);
    MPI_Type_free_keyval(&key);
    cr_assert_eq(key, MPI_KEYVAL_INVALID);
}

Test(dtpack, typed_copy)
{
    /* column of a 3x4 matrix (vector) into a row-strided destination (another vector) */
    enum { R = 70000 };
    int *m = malloc(4 * R * sizeof(int)), *out = calloc(3 * R, sizeof(int));
    for (int i = 0; i < 4 * R; i++) {
        m[i] = i;
    }
    MPI_Datatype col, dst;
    MPI_Type_vector(R, 1, 4, MPI_INT, &col);
    MPI_Type_vector(R, 1, 3, MPI_INT, &dst);
    MPI_Type_commit(&col);
    MPI_Type_commit(&dst);
    cr_assert_eq(dwcp_dt_copy(m + 1, 1, dwcp_dt_get(col), out, 1, dwcp_dt_get(dst)), DWCS_OK);
    for (int i = 0; i < R; i++) {
        cr_assert_eq(out[3 * i], 4 * i + 1, "row %d", i);
        cr_assert_eq(out[3 * i + 1], 0);
    }
    /* into contiguous ints, and truncation */
    int *flat = calloc(R, sizeof(int));
    cr_assert_eq(dwcp_dt_copy(m, 1, dwcp_dt_get(col), flat, R, dwcp_dt_get(MPI_INT)), DWCS_OK);
    cr_assert(flat[0] == 0 && flat[R - 1] == 4 * (R - 1));
    cr_assert_eq(dwcp_dt_copy(m, 1, dwcp_dt_get(col), flat, 10, dwcp_dt_get(MPI_INT)),
                 DWCS_ERR_TRUNCATE);
    cr_assert_eq(flat[9], 36);
    MPI_Type_free(&col);
    MPI_Type_free(&dst);
    free(m);
    free(out);
    free(flat);
}

Test(dtpack, absolute_addresses_from_mpi_bottom)
{
    int x = 11;
    double y = 2.5;
    short z = -4;
    MPI_Aint ax, ay, az;
    MPI_Get_address(&x, &ax);
    MPI_Get_address(&y, &ay);
    MPI_Get_address(&z, &az);
    int bl[] = {1, 1, 1};
    MPI_Aint d[] = {ay, ax, az};
    MPI_Datatype ty[] = {MPI_DOUBLE, MPI_INT, MPI_SHORT}, t;
    MPI_Type_create_struct(3, bl, d, ty, &t);
    MPI_Type_commit(&t);
    char out[14];
    int pos = 0;
    cr_assert_eq(MPI_Pack(MPI_BOTTOM, 1, t, out, sizeof(out), &pos, MPI_COMM_WORLD),
                 MPI_SUCCESS);
    cr_assert_eq(pos, 14);
    double y2;
    int x2;
    short z2;
    memcpy(&y2, out, 8);
    memcpy(&x2, out + 8, 4);
    memcpy(&z2, out + 12, 2);
    cr_assert(y2 == 2.5 && x2 == 11 && z2 == -4);
    int nx = 99;
    memcpy(out + 8, &nx, 4);
    pos = 0;
    cr_assert_eq(MPI_Unpack(out, 14, &pos, MPI_BOTTOM, 1, t, MPI_COMM_WORLD), MPI_SUCCESS);
    cr_assert_eq(x, 99);
    MPI_Type_free(&t);
}
