/*
 * dt_builtin.c — the predefined datatypes, the datatype handle table and references.
 *
 * Builtin types are static objects at their fixed indices (see mpi.h). Simple ones are BASIC
 * leaves; the pair types (MPI_DOUBLE_INT, MPI_2REAL, ...) are two-block BLOCKS nodes laid out
 * like the C struct { a; b; } so their extent includes the struct padding.
 */
#include <complex.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "dt_impl.h"
#include "dwcp_op.h"

static dt_impl_t bt[DWCP_DT_NUM_BUILTIN];

typedef struct bdesc {
    const char *name;
    size_t size, align, xsize;
    int cv;
} bdesc_t;

#define B(name, ctype, xs, cv) {name, sizeof(ctype), _Alignof(ctype), xs, cv}

static const bdesc_t bdesc[DWCP_DT_NUM_BUILTIN] = {
    [1] = B("MPI_CHAR", char, 1, DT_CV_RAW),
    [2] = B("MPI_SIGNED_CHAR", signed char, 1, DT_CV_RAW),
    [3] = B("MPI_UNSIGNED_CHAR", unsigned char, 1, DT_CV_RAW),
    [4] = B("MPI_BYTE", unsigned char, 1, DT_CV_RAW),
    [5] = B("MPI_WCHAR", wchar_t, 2, DT_CV_UINT),
    [6] = B("MPI_SHORT", short, 2, DT_CV_INT),
    [7] = B("MPI_UNSIGNED_SHORT", unsigned short, 2, DT_CV_UINT),
    [8] = B("MPI_INT", int, 4, DT_CV_INT),
    [9] = B("MPI_UNSIGNED", unsigned, 4, DT_CV_UINT),
    [10] = B("MPI_LONG", long, 4, DT_CV_INT),
    [11] = B("MPI_UNSIGNED_LONG", unsigned long, 4, DT_CV_UINT),
    [12] = B("MPI_LONG_LONG_INT", long long, 8, DT_CV_INT),
    [13] = B("MPI_UNSIGNED_LONG_LONG", unsigned long long, 8, DT_CV_UINT),
    [14] = B("MPI_FLOAT", float, 4, DT_CV_FLOAT),
    [15] = B("MPI_DOUBLE", double, 8, DT_CV_FLOAT),
    [16] = B("MPI_LONG_DOUBLE", long double, 16, DT_CV_LDOUBLE),
    [17] = B("MPI_C_BOOL", _Bool, 1, DT_CV_UINT),
    [18] = B("MPI_INT8_T", int8_t, 1, DT_CV_INT),
    [19] = B("MPI_INT16_T", int16_t, 2, DT_CV_INT),
    [20] = B("MPI_INT32_T", int32_t, 4, DT_CV_INT),
    [21] = B("MPI_INT64_T", int64_t, 8, DT_CV_INT),
    [22] = B("MPI_UINT8_T", uint8_t, 1, DT_CV_UINT),
    [23] = B("MPI_UINT16_T", uint16_t, 2, DT_CV_UINT),
    [24] = B("MPI_UINT32_T", uint32_t, 4, DT_CV_UINT),
    [25] = B("MPI_UINT64_T", uint64_t, 8, DT_CV_UINT),
    /* MPI_C_COMPLEX and MPI_C_FLOAT_COMPLEX are one handle; MPI-2.2 names it MPI_C_COMPLEX */
    [26] = B("MPI_C_COMPLEX", float _Complex, 8, DT_CV_CFLOAT),
    [27] = B("MPI_C_DOUBLE_COMPLEX", double _Complex, 16, DT_CV_CFLOAT),
    [28] = B("MPI_C_LONG_DOUBLE_COMPLEX", long double _Complex, 32, DT_CV_CLDOUBLE),
    [29] = B("MPI_AINT", MPI_Aint, 8, DT_CV_INT),
    [30] = B("MPI_OFFSET", MPI_Offset, 8, DT_CV_INT),
    [31] = B("MPI_COUNT", MPI_Count, 8, DT_CV_INT),
    [32] = B("MPI_PACKED", unsigned char, 1, DT_CV_RAW),
    [33] = {"MPI_FLOAT_INT", 0, 0, 0, 0},
    [34] = {"MPI_DOUBLE_INT", 0, 0, 0, 0},
    [35] = {"MPI_LONG_INT", 0, 0, 0, 0},
    [36] = {"MPI_2INT", 0, 0, 0, 0},
    [37] = {"MPI_SHORT_INT", 0, 0, 0, 0},
    [38] = {"MPI_LONG_DOUBLE_INT", 0, 0, 0, 0},
    [39] = B("MPI_CHARACTER", char, 1, DT_CV_RAW),
    [40] = B("MPI_LOGICAL", int32_t, 4, DT_CV_INT),
    [41] = B("MPI_INTEGER", int32_t, 4, DT_CV_INT),
    [42] = B("MPI_REAL", float, 4, DT_CV_FLOAT),
    [43] = B("MPI_DOUBLE_PRECISION", double, 8, DT_CV_FLOAT),
    [44] = B("MPI_COMPLEX", float _Complex, 8, DT_CV_CFLOAT),
    [45] = B("MPI_DOUBLE_COMPLEX", double _Complex, 16, DT_CV_CFLOAT),
    [46] = {"MPI_2REAL", 0, 0, 0, 0},
    [47] = {"MPI_2DOUBLE_PRECISION", 0, 0, 0, 0},
    [48] = {"MPI_2INTEGER", 0, 0, 0, 0},
    [49] = B("MPI_INTEGER1", int8_t, 1, DT_CV_INT),
    [50] = B("MPI_INTEGER2", int16_t, 2, DT_CV_INT),
    [51] = B("MPI_INTEGER4", int32_t, 4, DT_CV_INT),
    [52] = B("MPI_INTEGER8", int64_t, 8, DT_CV_INT),
    [53] = B("MPI_REAL4", float, 4, DT_CV_FLOAT),
    [54] = B("MPI_REAL8", double, 8, DT_CV_FLOAT),
    [55] = B("MPI_REAL16", dt_quad_t, 16, DT_QUAD_CV),
    [56] = B("MPI_COMPLEX8", float _Complex, 8, DT_CV_CFLOAT),
    [57] = B("MPI_COMPLEX16", double _Complex, 16, DT_CV_CFLOAT),
    [58] = B("MPI_COMPLEX32", dt_cquad_t, 32, DT_CQUAD_CV),
    [59] = B("MPI_CXX_BOOL", bool, 1, DT_CV_UINT),
    [60] = B("MPI_CXX_FLOAT_COMPLEX", float _Complex, 8, DT_CV_CFLOAT),
    [61] = B("MPI_CXX_DOUBLE_COMPLEX", double _Complex, 16, DT_CV_CFLOAT),
    [62] = B("MPI_CXX_LONG_DOUBLE_COMPLEX", long double _Complex, 32, DT_CV_CLDOUBLE),
    [63] = {"MPI_LB", 0, 0, 0, 0},
    [64] = {"MPI_UB", 0, 0, 0, 0},
    /* external32 of a 16-byte integer is a plain byte reversal, as for IEEE floats */
    [65] = B("MPI_INTEGER16", __int128, 16, DT_CV_FLOAT),
};

/* The bound markers: no data, extent 0; their displacement in a struct sets lb / ub. */
#define IDX_LB 63
#define IDX_UB 64

/* Pair types: index, first and second component, offset of the second, struct size/align. */
struct pair_float_int { float a; int b; };
struct pair_double_int { double a; int b; };
struct pair_long_int { long a; int b; };
struct pair_2int { int a; int b; };
struct pair_short_int { short a; int b; };
struct pair_ldouble_int { long double a; int b; };
struct pair_2real { float a; float b; };
struct pair_2dp { double a; double b; };
struct pair_2integer { int32_t a; int32_t b; };

#define P(idx, st, ia, ib) {idx, ia, ib, offsetof(struct st, b), sizeof(struct st), \
                            _Alignof(struct st)}

static const struct pdesc {
    int idx, a, b;
    size_t off, size, align;
} pdesc[] = {
    P(33, pair_float_int, 14, 8),   P(34, pair_double_int, 15, 8),
    P(35, pair_long_int, 10, 8),    P(36, pair_2int, 8, 8),
    P(37, pair_short_int, 6, 8),    P(38, pair_ldouble_int, 16, 8),
    P(46, pair_2real, 42, 42),      P(47, pair_2dp, 43, 43),
    P(48, pair_2integer, 41, 41),
};
#define NPAIRS (sizeof(pdesc) / sizeof(pdesc[0]))

static size_t p_blens[NPAIRS][2];
static MPI_Aint p_disps[NPAIRS][2];
static dt_impl_t *p_children[NPAIRS][2];
static size_t p_psum[NPAIRS][3];

dt_impl_t *dt_builtin(int i)
{
    if (i <= 0 || i >= DWCP_DT_NUM_BUILTIN) {
        return NULL;
    }
    return &bt[i];
}

static void builtin_common(dt_impl_t *t, int i)
{
    t->pub.handle = DWCP_DT_(i);
    t->pub.refcount = 1;
    t->pub.committed = 1;
    t->pub.builtin = 1;
    t->pub.basic = i;
    t->combiner = MPI_COMBINER_NAMED;
    t->index = i;
    strncpy(t->name, bdesc[i].name, sizeof(t->name) - 1);
}

dwcs_status_t dwcp_dt_init(void)
{
    dwcp_htab_init(&dwcp_g.dts, DWCP_KIND_DATATYPE, DWCP_DT_NUM_BUILTIN);
    memset(bt, 0, sizeof(bt));
    for (int i = 1; i < DWCP_DT_NUM_BUILTIN; i++) {
        dt_impl_t *t = &bt[i];
        builtin_common(t, i);
        if (i == IDX_LB || i == IDX_UB) {
            t->kind = DT_BLOCKS; /* no blocks */
            t->pub.contig = 1;
            t->pub.basic = -1;
            t->align = 1;
            t->lbmark = i == IDX_LB;
            t->ubmark = i == IDX_UB;
            continue;
        }
        if (bdesc[i].size == 0) {
            continue; /* pair type, below */
        }
        t->kind = DT_BASIC;
        t->pub.size = bdesc[i].size;
        t->pub.lb = 0;
        t->pub.ub = t->pub.extent = (MPI_Aint)bdesc[i].size;
        t->pub.true_lb = 0;
        t->pub.true_ub = (MPI_Aint)bdesc[i].size;
        t->pub.contig = 1;
        t->pub.nbasic = 1;
        t->align = bdesc[i].align;
        t->xsize = bdesc[i].xsize;
        t->cv = bdesc[i].cv;
    }
    for (size_t k = 0; k < NPAIRS; k++) {
        const struct pdesc *p = &pdesc[k];
        dt_impl_t *t = &bt[p->idx], *a = &bt[p->a], *b = &bt[p->b];
        t->kind = DT_BLOCKS;
        t->count = 2;
        p_blens[k][0] = p_blens[k][1] = 1;
        p_disps[k][0] = 0;
        p_disps[k][1] = (MPI_Aint)p->off;
        p_children[k][0] = a;
        p_children[k][1] = b;
        p_psum[k][0] = 0;
        p_psum[k][1] = a->pub.size;
        p_psum[k][2] = a->pub.size + b->pub.size;
        t->blens = p_blens[k];
        t->disps = p_disps[k];
        t->children = p_children[k];
        t->psum = p_psum[k];
        t->pub.size = a->pub.size + b->pub.size;
        t->pub.lb = 0;
        t->pub.ub = t->pub.extent = (MPI_Aint)p->size;
        t->pub.true_lb = 0;
        t->pub.true_ub = (MPI_Aint)(p->off + b->pub.size);
        t->pub.nbasic = 2;
        t->align = p->align;
        t->xsize = a->xsize + b->xsize;
    }
    for (int i = 1; i < DWCP_DT_NUM_BUILTIN; i++) {
        dt_flatten(&bt[i]);
        if (bt[i].flat == NULL) {
            return DWCS_ERR_NO_MEMORY;
        }
        dwcs_status_t st = dwcp_htab_set(&dwcp_g.dts, i, &bt[i]);
        if (st != DWCS_OK) {
            return st;
        }
    }
    return dwcp_op_init();
}

void dwcp_dt_finalize(void)
{
    dwcp_op_finalize();
    /* Drop the handle reference of user types the program did not free. */
    for (int i = dwcp_g.dts.first_user; i < dwcp_g.dts.used; i++) {
        dt_impl_t *t = dwcp_g.dts.slots ? dwcp_g.dts.slots[i] : NULL;
        if (t != NULL) {
            dwcp_htab_remove(&dwcp_g.dts, t->pub.handle);
            t->pub.handle = MPI_DATATYPE_NULL;
            t->pub.user_freed = 1;
            dt_unref(t);
        }
    }
    for (int i = 1; i < DWCP_DT_NUM_BUILTIN; i++) {
        free(bt[i].flat);
        free(bt[i].flat_psum);
        bt[i].flat = NULL;
        bt[i].flat_psum = NULL;
        dwcp_attr_t *a = bt[i].attrs;
        while (a != NULL) {
            dwcp_attr_t *n = a->next;
            free(a);
            a = n;
        }
        bt[i].attrs = NULL;
    }
    dwcp_htab_fini(&dwcp_g.dts);
}

dwcp_dt_t *dwcp_dt_get(MPI_Datatype h)
{
    return (dwcp_dt_t *)dwcp_htab_get(&dwcp_g.dts, h);
}

dwcs_status_t dwcp_dt_check(MPI_Datatype h, dwcp_dt_t **dt)
{
    dwcp_dt_t *d = dwcp_dt_get(h);
    if (d == NULL || !d->committed) {
        return DWCS_ERR_INVALID_PARAM;
    }
    *dt = d;
    return DWCS_OK;
}

void dwcp_dt_retain(dwcp_dt_t *dt)
{
    if (dt != NULL && !dt->builtin) {
        dt->refcount++;
    }
}

void dwcp_dt_release(dwcp_dt_t *dt)
{
    if (dt != NULL && !dt->builtin) {
        dt_unref(dt_impl(dt));
    }
}

const char *dwcp_dt_basic_name(int basic)
{
    if (basic <= 0 || basic >= DWCP_DT_NUM_BUILTIN) {
        return "(derived)";
    }
    return bdesc[basic].name;
}

dwcs_status_t dt_publish(dt_impl_t *t, MPI_Datatype *handle)
{
    int h;
    dwcs_status_t st = dwcp_htab_add(&dwcp_g.dts, t, &h);
    if (st != DWCS_OK) {
        return st;
    }
    t->pub.handle = h;
    *handle = h;
    return DWCS_OK;
}
