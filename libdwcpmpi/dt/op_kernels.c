/*
 * op_kernels.c — the predefined reduction operations on arrays of one builtin type.
 *
 * Each builtin datatype maps to a C element type and to the standard's categories (C integer,
 * Fortran integer, floating point, logical, complex, byte, pair); each operation lists the
 * categories it accepts (MPI standard, section 5.9.2). Signed integer sums and products wrap
 * (computed in the unsigned type) instead of being undefined behaviour.
 */
#include <complex.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "dt_impl.h"

enum { C_CINT = 1, C_FINT = 2, C_FLOAT = 4, C_LOGICAL = 8, C_COMPLEX = 16, C_BYTE = 32,
       C_PAIR = 64 };

enum {
    T_NONE, T_I8, T_U8, T_I16, T_U16, T_I32, T_U32, T_I64, T_U64, T_FLT, T_DBL, T_LDBL, T_CFLT,
    T_CDBL, T_CLDBL, T_QUAD, T_CQUAD, T_BOOL, T_FLOG, /* Fortran LOGICAL: int32, nonzero is true */
    T_P_FLOAT_INT, T_P_DOUBLE_INT, T_P_LONG_INT, T_P_2INT, T_P_SHORT_INT, T_P_LDOUBLE_INT,
    T_P_2FLOAT, T_P_2DOUBLE,
};

#define T_SIGNED(sz) ((sz) == 1 ? T_I8 : (sz) == 2 ? T_I16 : (sz) == 4 ? T_I32 : T_I64)
#define T_UNSIGNED(sz) ((sz) == 1 ? T_U8 : (sz) == 2 ? T_U16 : (sz) == 4 ? T_U32 : T_U64)

static const struct {
    unsigned char ctype, cat;
} tmap[DWCP_DT_NUM_BUILTIN] = {
    /* MPI_CHAR: the standard lists it with no reduction (it is text), but MPICH and Open MPI
     * accept it as a C integer, and portable programs (MPICH's test suite: rma/fetch_and_op_char,
     * rma/large_acc_flush_local) reduce and accumulate on it; treated as plain C char. */
    [1] = {(char)-1 < 0 ? T_I8 : T_U8, C_CINT},
    [2] = {T_I8, C_CINT},
    [3] = {T_U8, C_CINT},
    [4] = {T_U8, C_BYTE},
    [6] = {T_SIGNED(sizeof(short)), C_CINT},
    [7] = {T_UNSIGNED(sizeof(short)), C_CINT},
    [8] = {T_SIGNED(sizeof(int)), C_CINT},
    [9] = {T_UNSIGNED(sizeof(int)), C_CINT},
    [10] = {T_SIGNED(sizeof(long)), C_CINT},
    [11] = {T_UNSIGNED(sizeof(long)), C_CINT},
    [12] = {T_SIGNED(sizeof(long long)), C_CINT},
    [13] = {T_UNSIGNED(sizeof(long long)), C_CINT},
    [14] = {T_FLT, C_FLOAT},
    [15] = {T_DBL, C_FLOAT},
    [16] = {T_LDBL, C_FLOAT},
    [17] = {T_BOOL, C_LOGICAL},
    [18] = {T_I8, C_CINT},
    [19] = {T_I16, C_CINT},
    [20] = {T_I32, C_CINT},
    [21] = {T_I64, C_CINT},
    [22] = {T_U8, C_CINT},
    [23] = {T_U16, C_CINT},
    [24] = {T_U32, C_CINT},
    [25] = {T_U64, C_CINT},
    [26] = {T_CFLT, C_COMPLEX},
    [27] = {T_CDBL, C_COMPLEX},
    [28] = {T_CLDBL, C_COMPLEX},
    [29] = {T_SIGNED(sizeof(MPI_Aint)), C_CINT | C_FINT},
    [30] = {T_SIGNED(sizeof(MPI_Offset)), C_CINT | C_FINT},
    [31] = {T_SIGNED(sizeof(MPI_Count)), C_CINT | C_FINT},
    [33] = {T_P_FLOAT_INT, C_PAIR},
    [34] = {T_P_DOUBLE_INT, C_PAIR},
    [35] = {T_P_LONG_INT, C_PAIR},
    [36] = {T_P_2INT, C_PAIR},
    [37] = {T_P_SHORT_INT, C_PAIR},
    [38] = {T_P_LDOUBLE_INT, C_PAIR},
    [40] = {T_FLOG, C_LOGICAL},
    [41] = {T_I32, C_FINT},
    [42] = {T_FLT, C_FLOAT},
    [43] = {T_DBL, C_FLOAT},
    [44] = {T_CFLT, C_COMPLEX},
    [45] = {T_CDBL, C_COMPLEX},
    [46] = {T_P_2FLOAT, C_PAIR},
    [47] = {T_P_2DOUBLE, C_PAIR},
    [48] = {T_P_2INT, C_PAIR},
    [49] = {T_I8, C_FINT},
    [50] = {T_I16, C_FINT},
    [51] = {T_I32, C_FINT},
    [52] = {T_I64, C_FINT},
    [53] = {T_FLT, C_FLOAT},
    [54] = {T_DBL, C_FLOAT},
    [55] = {T_QUAD, C_FLOAT},
    [56] = {T_CFLT, C_COMPLEX},
    [57] = {T_CDBL, C_COMPLEX},
    [58] = {T_CQUAD, C_COMPLEX},
    [59] = {T_BOOL, C_LOGICAL},
    [60] = {T_CFLT, C_COMPLEX},
    [61] = {T_CDBL, C_COMPLEX},
    [62] = {T_CLDBL, C_COMPLEX},
};

/* Categories accepted by operation index 1..14 (REPLACE and NO_OP take anything). */
static const unsigned char op_cats[15] = {
    [1] = C_CINT | C_FINT | C_FLOAT,             /* MAX */
    [2] = C_CINT | C_FINT | C_FLOAT,             /* MIN */
    [3] = C_CINT | C_FINT | C_FLOAT | C_COMPLEX, /* SUM */
    [4] = C_CINT | C_FINT | C_FLOAT | C_COMPLEX, /* PROD */
    [5] = C_CINT | C_LOGICAL,                    /* LAND */
    [6] = C_CINT | C_FINT | C_BYTE,              /* BAND */
    [7] = C_CINT | C_LOGICAL,                    /* LOR */
    [8] = C_CINT | C_FINT | C_BYTE,              /* BOR */
    [9] = C_CINT | C_LOGICAL,                    /* LXOR */
    [10] = C_CINT | C_FINT | C_BYTE,             /* BXOR */
    [11] = C_PAIR,                               /* MINLOC */
    [12] = C_PAIR,                               /* MAXLOC */
    [13] = 0xff,                                 /* REPLACE */
    [14] = 0xff,                                 /* NO_OP */
};

int dt_op_allowed(int op, int basic)
{
    if (op < 1 || op > 14 || basic <= 0 || basic >= DWCP_DT_NUM_BUILTIN) {
        return 0;
    }
    if (op >= 13) {
        return 1;
    }
    return (tmap[basic].cat & op_cats[op]) != 0;
}

#define LOOP(T, STMT)                                                                              \
    do {                                                                                           \
        const T *a = in;                                                                           \
        T *b = io;                                                                                 \
        for (size_t i = 0; i < n; i++) {                                                           \
            STMT;                                                                                  \
        }                                                                                          \
    } while (0)

/* Integer kernels; U is the unsigned type of T for wrapping arithmetic. */
#define INT_OPS(T, U)                                                                              \
    switch (op) {                                                                                  \
    case 1: LOOP(T, if (a[i] > b[i]) { b[i] = a[i]; }); break;                                     \
    case 2: LOOP(T, if (a[i] < b[i]) { b[i] = a[i]; }); break;                                     \
    case 3: LOOP(T, b[i] = (T)((U)a[i] + (U)b[i])); break;                                         \
    case 4: LOOP(T, b[i] = (T)((U)a[i] * (U)b[i])); break;                                         \
    case 5: LOOP(T, b[i] = (T)(a[i] && b[i])); break;                                              \
    case 6: LOOP(T, b[i] = (T)(a[i] & b[i])); break;                                               \
    case 7: LOOP(T, b[i] = (T)(a[i] || b[i])); break;                                              \
    case 8: LOOP(T, b[i] = (T)(a[i] | b[i])); break;                                               \
    case 9: LOOP(T, b[i] = (T)(!a[i] != !b[i])); break;                                            \
    case 10: LOOP(T, b[i] = (T)(a[i] ^ b[i])); break;                                              \
    default: return MPI_ERR_OP;                                                                    \
    }

#define FLOAT_OPS(T)                                                                               \
    switch (op) {                                                                                  \
    case 1: LOOP(T, if (a[i] > b[i]) { b[i] = a[i]; }); break;                                     \
    case 2: LOOP(T, if (a[i] < b[i]) { b[i] = a[i]; }); break;                                     \
    case 3: LOOP(T, b[i] = a[i] + b[i]); break;                                                    \
    case 4: LOOP(T, b[i] = a[i] * b[i]); break;                                                    \
    default: return MPI_ERR_OP;                                                                    \
    }

#define COMPLEX_OPS(T)                                                                             \
    switch (op) {                                                                                  \
    case 3: LOOP(T, b[i] = a[i] + b[i]); break;                                                    \
    case 4: LOOP(T, b[i] = a[i] * b[i]); break;                                                    \
    default: return MPI_ERR_OP;                                                                    \
    }

#define LOGICAL_OPS(T, TRUEV)                                                                      \
    switch (op) {                                                                                  \
    case 5: LOOP(T, b[i] = (a[i] && b[i]) ? TRUEV : 0); break;                                     \
    case 7: LOOP(T, b[i] = (a[i] || b[i]) ? TRUEV : 0); break;                                     \
    case 9: LOOP(T, b[i] = (!a[i] != !b[i]) ? TRUEV : 0); break;                                   \
    default: return MPI_ERR_OP;                                                                    \
    }

#define TIE_LOWER(a, b, i) ((a)[i].v == (b)[i].v && (a)[i].k < (b)[i].k)

/* MINLOC/MAXLOC on pairs {value v; index k}: ties keep the smaller index. */
#define LOC_OPS(P)                                                                                 \
    switch (op) {                                                                                  \
    case 11:                                                                                       \
        LOOP(P, if (a[i].v < b[i].v || TIE_LOWER(a, b, i)) { b[i] = a[i]; });                      \
        break;                                                                                     \
    case 12:                                                                                       \
        LOOP(P, if (a[i].v > b[i].v || TIE_LOWER(a, b, i)) { b[i] = a[i]; });                      \
        break;                                                                                     \
    default: return MPI_ERR_OP;                                                                    \
    }

struct p_float_int { float v; int k; };
struct p_double_int { double v; int k; };
struct p_long_int { long v; int k; };
struct p_2int { int v; int k; };
struct p_short_int { short v; int k; };
struct p_ldouble_int { long double v; int k; };
struct p_2float { float v; float k; };
struct p_2double { double v; double k; };

/*
 * The element loops are the whole cost of large reductions and accumulates (MPICH's test
 * rma/large_acc_flush_local applies ~37 GB of MPI_CHAR sums at one rank). GCC's -O2 cost model
 * ("very cheap") leaves them scalar since the count is unknown and in/inout may overlap;
 * the dynamic model vectorizes them with a runtime overlap check (MPI_Reduce_local of
 * 2 MiB, MPI_SUM: MPI_CHAR 0.5 -> 10.7 GB/s, MPI_INT 2 -> 15 GB/s on the CI machine).
 */
#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("tree-vectorize", "vect-cost-model=dynamic")))
#endif
int dt_op_basic(int op, int basic, const void *in, void *io, size_t n, size_t extent)
{
    if (!dt_op_allowed(op, basic)) {
        return MPI_ERR_OP;
    }
    if (op == 14) {
        return MPI_SUCCESS; /* NO_OP */
    }
    if (op == 13) {
        memmove(io, in, n * extent); /* REPLACE */
        return MPI_SUCCESS;
    }
    switch (tmap[basic].ctype) {
    case T_I8: INT_OPS(int8_t, uint8_t); break;
    case T_U8: INT_OPS(uint8_t, uint8_t); break;
    case T_I16: INT_OPS(int16_t, uint16_t); break;
    case T_U16: INT_OPS(uint16_t, uint16_t); break;
    case T_I32: INT_OPS(int32_t, uint32_t); break;
    case T_U32: INT_OPS(uint32_t, uint32_t); break;
    case T_I64: INT_OPS(int64_t, uint64_t); break;
    case T_U64: INT_OPS(uint64_t, uint64_t); break;
    case T_FLT: FLOAT_OPS(float); break;
    case T_DBL: FLOAT_OPS(double); break;
    case T_LDBL: FLOAT_OPS(long double); break;
    case T_CFLT: COMPLEX_OPS(float _Complex); break;
    case T_CDBL: COMPLEX_OPS(double _Complex); break;
    case T_CLDBL: COMPLEX_OPS(long double _Complex); break;
    case T_QUAD: FLOAT_OPS(dt_quad_t); break;
    case T_CQUAD:
        switch (op) {
        case 3: LOOP(dt_cquad_t, { b[i].re += a[i].re; b[i].im += a[i].im; }); break;
        case 4:
            LOOP(dt_cquad_t, {
                dt_quad_t re = a[i].re * b[i].re - a[i].im * b[i].im;
                b[i].im = a[i].re * b[i].im + a[i].im * b[i].re;
                b[i].re = re;
            });
            break;
        default: return MPI_ERR_OP;
        }
        break;
    case T_BOOL: LOGICAL_OPS(_Bool, 1); break;
    case T_FLOG: LOGICAL_OPS(int32_t, 1); break;
    case T_P_FLOAT_INT: LOC_OPS(struct p_float_int); break;
    case T_P_DOUBLE_INT: LOC_OPS(struct p_double_int); break;
    case T_P_LONG_INT: LOC_OPS(struct p_long_int); break;
    case T_P_2INT: LOC_OPS(struct p_2int); break;
    case T_P_SHORT_INT: LOC_OPS(struct p_short_int); break;
    case T_P_LDOUBLE_INT: LOC_OPS(struct p_ldouble_int); break;
    case T_P_2FLOAT: LOC_OPS(struct p_2float); break;
    case T_P_2DOUBLE: LOC_OPS(struct p_2double); break;
    default: return MPI_ERR_OP;
    }
    return MPI_SUCCESS;
}
