/*
 * test_dt_oracle.h — a naive reference model of MPI type maps for the datatype unit tests.
 *
 * A type map is the list of (displacement, length) of every builtin element in type-map order,
 * plus lb/ub. Constructors here follow the standard's definitions literally (replicate, shift),
 * without any of the engine's merging or search structures, so packing "by hand" from the map
 * gives the expected packed bytes.
 */
#ifndef TEST_DT_ORACLE_H
#define TEST_DT_ORACLE_H

#include <stdlib.h>
#include <string.h>

typedef struct tm_ent {
    long disp;
    int len;
} tm_ent_t;

typedef struct tm {
    tm_ent_t *e;
    size_t n, cap;
    long lb, ub; /* the bounds: a marker's where there is one, else the data's */
    long dlb, dub;
    int any;     /* dlb/dub are set */
    long mlb, mub;
    int lbm, ubm; /* the map has an lb / ub marker (resized): mlb / mub are set */
    long align;  /* largest builtin alignment */
    int markers; /* explicit bounds (resized) somewhere: no struct padding */
} tm_t;

static inline void tm_push(tm_t *t, long disp, int len)
{
    if (t->n == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 16;
        t->e = realloc(t->e, t->cap * sizeof(*t->e));
    }
    t->e[t->n].disp = disp;
    t->e[t->n].len = len;
    t->n++;
}

static inline void tm_settle(tm_t *t)
{
    t->lb = t->lbm ? t->mlb : t->dlb;
    t->ub = t->ubm ? t->mub : t->dub;
}

/* Widen the data bounds (a builtin, or an element without markers) to [lb, ub). */
static inline void tm_bound(tm_t *t, long lb, long ub)
{
    if (!t->any) {
        t->dlb = lb;
        t->dub = ub;
        t->any = 1;
    } else {
        t->dlb = lb < t->dlb ? lb : t->dlb;
        t->dub = ub > t->dub ? ub : t->dub;
    }
    tm_settle(t);
}

/* An element's bounds [lb, ub). Marked ones (MPI-3.1 4.1.7: resizing puts an lb and an ub
 * marker) are sticky: they override the data bounds of the enclosing type. Unmarked ones count
 * as data. (The oracle has no lone MPI_LB / MPI_UB markers.) */
static inline void tm_bound_el(tm_t *t, long lb, long ub, int marked)
{
    if (!marked) {
        tm_bound(t, lb, ub);
        return;
    }
    t->mlb = t->lbm ? (lb < t->mlb ? lb : t->mlb) : lb;
    t->mub = t->ubm ? (ub > t->mub ? ub : t->mub) : ub;
    t->lbm = t->ubm = 1;
    tm_settle(t);
}

static inline tm_t tm_basic(int size)
{
    tm_t t = {0};
    tm_push(&t, 0, size);
    tm_bound(&t, 0, size);
    t.align = size;
    return t;
}

static inline long tm_extent(const tm_t *t)
{
    return t->ub - t->lb;
}

/* Append n copies of c starting at disp. */
static inline void tm_append(tm_t *t, const tm_t *c, long disp, int n)
{
    if (n > 0 && c->align > t->align) {
        t->align = c->align;
    }
    if (n > 0) {
        t->markers |= c->markers;
    }
    for (int k = 0; k < n; k++) {
        long base = disp + k * tm_extent(c);
        for (size_t i = 0; i < c->n; i++) {
            tm_push(t, base + c->e[i].disp, c->e[i].len);
        }
        tm_bound_el(t, base + c->lb, base + c->ub, c->lbm);
    }
}

static inline tm_t tm_hvector(int count, int bl, long stride, const tm_t *c)
{
    tm_t t = {0};
    for (int i = 0; i < count; i++) {
        tm_append(&t, c, i * stride, bl);
    }
    return t;
}

static inline tm_t tm_hindexed(int n, const int *bl, const long *disp, const tm_t *c)
{
    tm_t t = {0};
    for (int i = 0; i < n; i++) {
        tm_append(&t, c, disp[i], bl[i]);
    }
    return t;
}

/*
 * struct; pad the extent to a multiple of @p align (the caller knows the largest member);
 * align 0: the largest member alignment, unless a member has explicit bounds.
 */
static inline tm_t tm_struct(int n, const int *bl, const long *disp, const tm_t *const *c,
                             long align)
{
    tm_t t = {0};
    for (int i = 0; i < n; i++) {
        tm_append(&t, c[i], disp[i], bl[i]);
    }
    long ext = tm_extent(&t);
    if (align == 0) {
        align = t.markers ? 1 : t.align;
    }
    if (align > 1 && ext % align && !t.ubm) {
        t.ub += align - ext % align;
        t.dub = t.ub;
    }
    return t;
}

static inline tm_t tm_resized(const tm_t *c, long lb, long extent)
{
    tm_t t = {0};
    tm_append(&t, c, 0, 1);
    t.mlb = lb;
    t.mub = lb + extent;
    t.lbm = t.ubm = 1;
    t.markers = 1;
    tm_settle(&t);
    return t;
}

static inline void tm_free(tm_t *t)
{
    free(t->e);
    memset(t, 0, sizeof(*t));
}

static inline size_t tm_size(const tm_t *t)
{
    size_t s = 0;
    for (size_t i = 0; i < t->n; i++) {
        s += (size_t)t->e[i].len;
    }
    return s;
}

/* Pack count elements of t at buf by hand; returns bytes written. */
static inline size_t tm_pack(const tm_t *t, const char *buf, int count, char *out)
{
    size_t pos = 0;
    for (int k = 0; k < count; k++) {
        for (size_t i = 0; i < t->n; i++) {
            memcpy(out + pos, buf + k * tm_extent(t) + t->e[i].disp, (size_t)t->e[i].len);
            pos += (size_t)t->e[i].len;
        }
    }
    return pos;
}

#endif
