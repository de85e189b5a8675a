/*
 * dt_predef: every predefined C datatype, fixed-width, bool, complex,
 * address/offset/count and pair types: MPI_Type_size and extent against
 * the C type (pair types: size = sum of members, extent = C struct),
 * default names ("MPI_INT"...), an array of 37 values sent rank 0 ->
 * rank 1 and compared by value (so padding is ignored), and a local
 * MPI_Pack/MPI_Unpack round trip. Runs on 1 rank (pack only) or more.
 */
#include "mptest.h"
#include <complex.h>
#include <stdbool.h>
#include <stddef.h>
#include <wchar.h>

#define NE 37

struct t_di { double v; int i; };
struct t_2i { int v; int i; };
struct t_fi { float v; int i; };
struct t_li { long v; int i; };
struct t_si { short v; int i; };
struct t_ldi { long double v; int i; };

/* fill_X / eq_X for a scalar C type with a value expression of i. */
#define SCALAR(N, CT, EXPR)                                                  \
    static void fill_##N(void *p, int n)                                     \
    {                                                                        \
        CT *a = p;                                                           \
        for (int i = 0; i < n; i++) {                                        \
            a[i] = (CT)(EXPR);                                               \
        }                                                                    \
    }                                                                        \
    static int eq_##N(const void *x, const void *y, int i)                   \
    {                                                                        \
        return ((const CT *)x)[i] == ((const CT *)y)[i];                     \
    }

#define PAIR(N, ST, EXPR)                                                    \
    static void fill_##N(void *p, int n)                                     \
    {                                                                        \
        ST *a = p;                                                           \
        for (int i = 0; i < n; i++) {                                        \
            a[i].v = (EXPR);                                                 \
            a[i].i = 3 * i - 50;                                             \
        }                                                                    \
    }                                                                        \
    static int eq_##N(const void *x, const void *y, int i)                   \
    {                                                                        \
        return ((const ST *)x)[i].v == ((const ST *)y)[i].v &&               \
               ((const ST *)x)[i].i == ((const ST *)y)[i].i;                 \
    }

SCALAR(char, char, 'A' + i % 26)
SCALAR(schar, signed char, -60 + i)
SCALAR(uchar, unsigned char, 200 + i)
SCALAR(byte, unsigned char, 255 - i)
SCALAR(wchar, wchar_t, 0x400 + i)
SCALAR(short, short, -30000 + 997 * i)
SCALAR(ushort, unsigned short, 65535 - 1231 * i)
SCALAR(int, int, (int)(100000007u * (unsigned)i - 2000000000u))
SCALAR(uint, unsigned, 4000000000u - 77777777u * (unsigned)i)
SCALAR(long, long, -9000000000000000000L + 123456789012345L * i)
SCALAR(ulong, unsigned long, 18000000000000000000UL - 98765432101UL * i)
SCALAR(llong, long long, -9000000000000000000LL + 11111111111111LL * i)
SCALAR(ullong, unsigned long long, 0xFFFFFFFFFFFFFFFFULL - 7ULL * i)
SCALAR(float, float, 1.5f * i - 17.25f)
SCALAR(double, double, 1e300 / (i + 1) - 3.0)
SCALAR(ldouble, long double, 1.0L / (i + 3) + 1e-30L * i)
SCALAR(i8, int8_t, -128 + 7 * i)
SCALAR(i16, int16_t, -32768 + 1771 * i)
SCALAR(i32, int32_t, 2147483647 - 58000000 * i)
SCALAR(i64, int64_t, INT64_MIN + 249999999999999999LL * i)
SCALAR(u8, uint8_t, 255 - 6 * i)
SCALAR(u16, uint16_t, 65535 - 1700 * i)
SCALAR(u32, uint32_t, 4294967295u - 116000000u * (unsigned)i)
SCALAR(u64, uint64_t, UINT64_MAX - 0x123456789ULL * i)
SCALAR(cbool, _Bool, i % 3 == 0)
SCALAR(fcx, float _Complex, (1.5f * i) + I * (2.0f - i))
SCALAR(dcx, double _Complex, (1e10 * i) + I * (1e-10 * i - 3))
SCALAR(ldcx, long double _Complex, (1.25L * i) + I * (7.0L / (i + 1)))
SCALAR(aint, MPI_Aint, (MPI_Aint)1 << 40 | i)
SCALAR(offset, MPI_Offset, -((MPI_Offset)1 << 42) + i)
SCALAR(count, MPI_Count, ((MPI_Count)1 << 50) + 3 * i)
PAIR(di, struct t_di, 0.5 * i - 3)
PAIR(2i, struct t_2i, 1000 - i)
PAIR(fi, struct t_fi, 0.25f * i)
PAIR(li, struct t_li, 100000000000L * i)
PAIR(si, struct t_si, (short)(i * 100 - 1000))
PAIR(ldi, struct t_ldi, 1.0L / (i + 1))

struct tinfo {
    const char *name;   /* expected default name, '|' between synonyms */
    MPI_Datatype dt;
    size_t esz;         /* C element size (array stride) */
    size_t size;        /* expected MPI_Type_size */
    void (*fill)(void *, int);
    int (*eq)(const void *, const void *, int);
};

#define T(NAME, DT, N, CT) {NAME, DT, sizeof(CT), sizeof(CT), fill_##N, eq_##N}
#define P(NAME, DT, N, ST, A) \
    {NAME, DT, sizeof(ST), sizeof(A) + sizeof(int), fill_##N, eq_##N}

static const struct tinfo types[] = {
    T("MPI_CHAR", MPI_CHAR, char, char),
    T("MPI_SIGNED_CHAR", MPI_SIGNED_CHAR, schar, signed char),
    T("MPI_UNSIGNED_CHAR", MPI_UNSIGNED_CHAR, uchar, unsigned char),
    T("MPI_BYTE", MPI_BYTE, byte, unsigned char),
    T("MPI_WCHAR", MPI_WCHAR, wchar, wchar_t),
    T("MPI_SHORT", MPI_SHORT, short, short),
    T("MPI_UNSIGNED_SHORT", MPI_UNSIGNED_SHORT, ushort, unsigned short),
    T("MPI_INT", MPI_INT, int, int),
    T("MPI_UNSIGNED", MPI_UNSIGNED, uint, unsigned),
    T("MPI_LONG", MPI_LONG, long, long),
    T("MPI_UNSIGNED_LONG", MPI_UNSIGNED_LONG, ulong, unsigned long),
    T("MPI_LONG_LONG_INT|MPI_LONG_LONG", MPI_LONG_LONG_INT, llong,
      long long),
    T("MPI_LONG_LONG|MPI_LONG_LONG_INT", MPI_LONG_LONG, llong, long long),
    T("MPI_UNSIGNED_LONG_LONG", MPI_UNSIGNED_LONG_LONG, ullong,
      unsigned long long),
    T("MPI_FLOAT", MPI_FLOAT, float, float),
    T("MPI_DOUBLE", MPI_DOUBLE, double, double),
    T("MPI_LONG_DOUBLE", MPI_LONG_DOUBLE, ldouble, long double),
    T("MPI_INT8_T", MPI_INT8_T, i8, int8_t),
    T("MPI_INT16_T", MPI_INT16_T, i16, int16_t),
    T("MPI_INT32_T", MPI_INT32_T, i32, int32_t),
    T("MPI_INT64_T", MPI_INT64_T, i64, int64_t),
    T("MPI_UINT8_T", MPI_UINT8_T, u8, uint8_t),
    T("MPI_UINT16_T", MPI_UINT16_T, u16, uint16_t),
    T("MPI_UINT32_T", MPI_UINT32_T, u32, uint32_t),
    T("MPI_UINT64_T", MPI_UINT64_T, u64, uint64_t),
    T("MPI_C_BOOL", MPI_C_BOOL, cbool, _Bool),
    T("MPI_C_COMPLEX|MPI_C_FLOAT_COMPLEX", MPI_C_COMPLEX, fcx,
      float _Complex),
    T("MPI_C_FLOAT_COMPLEX|MPI_C_COMPLEX", MPI_C_FLOAT_COMPLEX, fcx,
      float _Complex),
    T("MPI_C_DOUBLE_COMPLEX", MPI_C_DOUBLE_COMPLEX, dcx, double _Complex),
    T("MPI_C_LONG_DOUBLE_COMPLEX", MPI_C_LONG_DOUBLE_COMPLEX, ldcx,
      long double _Complex),
    T("MPI_AINT", MPI_AINT, aint, MPI_Aint),
    T("MPI_OFFSET", MPI_OFFSET, offset, MPI_Offset),
    T("MPI_COUNT", MPI_COUNT, count, MPI_Count),
    P("MPI_DOUBLE_INT", MPI_DOUBLE_INT, di, struct t_di, double),
    P("MPI_2INT", MPI_2INT, 2i, struct t_2i, int),
    P("MPI_FLOAT_INT", MPI_FLOAT_INT, fi, struct t_fi, float),
    P("MPI_LONG_INT", MPI_LONG_INT, li, struct t_li, long),
    P("MPI_SHORT_INT", MPI_SHORT_INT, si, struct t_si, short),
    P("MPI_LONG_DOUBLE_INT", MPI_LONG_DOUBLE_INT, ldi, struct t_ldi,
      long double),
};

/* Is got one of the '|'-separated names in want? */
static int name_ok(const char *got, const char *want)
{
    size_t n = strlen(got);
    while (*want) {
        const char *bar = strchr(want, '|');
        size_t wl = bar ? (size_t)(bar - want) : strlen(want);
        if (wl == n && strncmp(got, want, n) == 0) {
            return 1;
        }
        want += wl + (bar ? 1 : 0);
    }
    return 0;
}

#define NT ((int)(sizeof(types) / sizeof(types[0])))

int main(int argc, char **argv)
{
    int t, i, len, psz, pos, cnt;
    char name[MPI_MAX_OBJECT_NAME];
    MPI_Aint lb, ext;
    unsigned char *a, *b, *pk;
    MPI_Status st;

    mpt_init(&argc, &argv, 1);
    a = mpt_malloc(NE * 64);
    b = mpt_malloc(NE * 64);
    pk = mpt_malloc(NE * 64 + 1024);
    for (t = 0; t < NT; t++) {
        const struct tinfo *ti = &types[t];
        int sz;
        const char *nm = ti->name;

        CHECK_MPI(MPI_Type_size(ti->dt, &sz));
        CHECK(sz == (int)ti->size, "%s: Type_size %d, want %zu", nm, sz,
              ti->size);
        CHECK_MPI(MPI_Type_get_extent(ti->dt, &lb, &ext));
        CHECK(lb == 0 && ext == (MPI_Aint)ti->esz,
              "%s: lb %ld extent %ld, want 0 and %zu", nm, (long)lb,
              (long)ext, ti->esz);
        name[0] = '\0';
        CHECK_MPI(MPI_Type_get_name(ti->dt, name, &len));
        CHECK(name_ok(name, ti->name), "default name '%s', want '%s'", name,
              ti->name);
        CHECK_EQ(len, strlen(name), "name length");

        /* Pack / Unpack. */
        memset(a, 0, NE * 64);
        memset(b, 0, NE * 64);
        ti->fill(a, NE);
        CHECK_MPI(MPI_Pack_size(NE, ti->dt, MPI_COMM_WORLD, &psz));
        CHECK(psz >= NE * (int)ti->size, "%s: Pack_size %d < %d", nm, psz,
              NE * (int)ti->size);
        pos = 0;
        CHECK_MPI(MPI_Pack(a, NE, ti->dt, pk, psz, &pos, MPI_COMM_WORLD));
        CHECK(pos > 0 && pos <= psz, "%s: pack position %d (size %d)", nm,
              pos, psz);
        pos = 0;
        CHECK_MPI(MPI_Unpack(pk, psz, &pos, b, NE, ti->dt, MPI_COMM_WORLD));
        for (i = 0; i < NE; i++) {
            CHECK(ti->eq(a, b, i), "%s: element %d differs after pack/unpack",
                  nm, i);
        }

        /* Across ranks. */
        if (mpt_size >= 2 && mpt_rank == 0) {
            CHECK_MPI(MPI_Send(a, NE, ti->dt, 1, t, MPI_COMM_WORLD));
        } else if (mpt_size >= 2 && mpt_rank == 1) {
            memset(b, 0, NE * 64);
            CHECK_MPI(MPI_Recv(b, NE, ti->dt, 0, t, MPI_COMM_WORLD, &st));
            CHECK_MPI(MPI_Get_count(&st, ti->dt, &cnt));
            CHECK(cnt == NE, "%s: count %d", nm, cnt);
            for (i = 0; i < NE; i++) {
                CHECK(ti->eq(a, b, i), "%s: element %d differs after send",
                      nm, i);
            }
        }
    }
    free(a);
    free(b);
    free(pk);
    return mpt_finish();
}
