/*
 * dt_create.c — building layout nodes: bounds (lb/ub, true bounds) per the MPI standard,
 * sizes, the flat piece list, envelopes, references and destruction.
 */
#include <stdlib.h>
#include <string.h>

#include "dt_impl.h"
#include "dt_walk.h"

static dt_impl_t *dt_alloc(int kind)
{
    dt_impl_t *t = calloc(1, sizeof(*t));
    if (t == NULL) {
        return NULL;
    }
    t->kind = kind;
    t->pub.handle = MPI_DATATYPE_NULL;
    t->pub.refcount = 1;
    t->pub.basic = -1;
    t->combiner = MPI_COMBINER_NAMED;
    t->index = -1;
    return t;
}

static void ref(dt_impl_t *t)
{
    if (t != NULL && !t->pub.builtin) {
        t->pub.refcount++;
    }
}

/* Accumulates bounds and sizes over blocks. */
typedef struct acc {
    int any, anydata, basic_set;
    MPI_Aint lb, ub, tlb, tub;
    size_t size, xsize, align;
    MPI_Count nbasic;
    int basic, markers;
    int elb_set, eub_set;  /* explicit bounds seen (children with lb / ub markers) */
    int anylb, anyub;      /* unmarked bounds seen */
    MPI_Aint elb, eub;
} acc_t;

static void acc_init(acc_t *a)
{
    memset(a, 0, sizeof(*a));
    a->basic = -1;
    a->align = 1;
}

static MPI_Aint amin(MPI_Aint a, MPI_Aint b)
{
    return a < b ? a : b;
}

static MPI_Aint amax(MPI_Aint a, MPI_Aint b)
{
    return a > b ? a : b;
}

/*
 * Add n elements of c at displacements spanning [dlo, dhi] (a vector's first and last block)
 * with mult blocks in total.
 */
static void acc_add(acc_t *a, MPI_Aint dlo, MPI_Aint dhi, size_t n, size_t mult,
                    const dt_impl_t *c)
{
    if (n == 0 || mult == 0) {
        return;
    }
    MPI_Aint span = (MPI_Aint)(n - 1) * c->pub.extent;
    MPI_Aint lo = dlo + amin(0, span), hi = dhi + amax(0, span);
    MPI_Aint lb = lo + c->pub.lb, ub = hi + c->pub.ub;
    /* MPI-2: a marked bound (MPI_LB / MPI_UB / resized) overrides the data's bound and is
     * "sticky" in types built on it; an unmarked bound counts as a data bound, except for
     * a pure marker (no data): {(LB, 10)} has lb 10, ub 0. */
    int pure = c->pub.size == 0 && (c->lbmark || c->ubmark);
    if (c->lbmark) {
        a->elb = a->elb_set ? amin(a->elb, lb) : lb;
        a->elb_set = 1;
    } else if (!pure) {
        a->lb = a->anylb ? amin(a->lb, lb) : lb;
        a->anylb = 1;
    }
    if (c->ubmark) {
        a->eub = a->eub_set ? amax(a->eub, ub) : ub;
        a->eub_set = 1;
    } else if (!pure) {
        a->ub = a->anyub ? amax(a->ub, ub) : ub;
        a->anyub = 1;
    }
    a->any = 1;
    a->markers |= c->markers;
    if (c->align > a->align) {
        a->align = c->align;
    }
    if (c->pub.size == 0) {
        return;
    }
    MPI_Aint tlb = lo + c->pub.true_lb, tub = hi + c->pub.true_ub;
    if (!a->anydata) {
        a->tlb = tlb;
        a->tub = tub;
        a->anydata = 1;
    } else {
        a->tlb = amin(a->tlb, tlb);
        a->tub = amax(a->tub, tub);
    }
    a->size += n * mult * c->pub.size;
    a->xsize += n * mult * c->xsize;
    a->nbasic += (MPI_Count)(n * mult) * c->pub.nbasic;
    if (!a->basic_set) {
        a->basic = c->pub.basic;
        a->basic_set = 1;
    } else if (a->basic != c->pub.basic) {
        a->basic = -1;
    }
}

/* Copy accumulated values into t; an empty type keeps the basic type of @p first. */
static void acc_store(dt_impl_t *t, const acc_t *a, const dt_impl_t *first)
{
    t->pub.size = a->size;
    t->xsize = a->xsize;
    t->pub.nbasic = a->nbasic;
    t->pub.lb = a->elb_set ? a->elb : a->anylb ? a->lb : 0;
    t->pub.ub = a->eub_set ? a->eub : a->anyub ? a->ub : 0;
    t->lbmark = a->elb_set;
    t->ubmark = a->eub_set;
    t->pub.extent = t->pub.ub - t->pub.lb;
    t->pub.true_lb = a->anydata ? a->tlb : 0;
    t->pub.true_ub = a->anydata ? a->tub : 0;
    t->pub.basic = a->basic_set ? a->basic : (first != NULL ? first->pub.basic : -1);
    t->align = a->align;
    t->markers = a->markers;
}

dt_impl_t *dt_new_vector(size_t count, size_t bl, MPI_Aint stride, dt_impl_t *child)
{
    dt_impl_t *t = dt_alloc(DT_VECTOR);
    if (t == NULL) {
        return NULL;
    }
    t->count = count;
    t->blocklen = bl;
    t->stride = stride;
    t->child = child;
    ref(child);
    acc_t a;
    acc_init(&a);
    if (count > 0) {
        MPI_Aint last = (MPI_Aint)(count - 1) * stride;
        acc_add(&a, amin(0, last), amax(0, last), bl, count, child);
    }
    acc_store(t, &a, child);
    dt_flatten(t);
    return t;
}

dt_impl_t *dt_new_blocks(size_t n, const size_t *blens, const MPI_Aint *disps, dt_impl_t *child,
                         dt_impl_t *const *children)
{
    dt_impl_t *t = dt_alloc(DT_BLOCKS);
    if (t == NULL) {
        return NULL;
    }
    t->blens = malloc((n + 1) * sizeof(*t->blens));
    t->disps = malloc((n + 1) * sizeof(*t->disps));
    t->psum = malloc((n + 1) * sizeof(*t->psum));
    if (children != NULL) {
        t->children = calloc(n + 1, sizeof(*t->children));
    }
    if (t->blens == NULL || t->disps == NULL || t->psum == NULL ||
        (children != NULL && t->children == NULL)) {
        dt_unref(t);
        return NULL;
    }
    t->count = n;
    if (n > 0) {
        memcpy(t->blens, blens, n * sizeof(*blens));
        memcpy(t->disps, disps, n * sizeof(*disps));
    }
    acc_t a;
    acc_init(&a);
    size_t pos = 0;
    if (children == NULL) {
        t->child = child;
        ref(child);
    }
    for (size_t i = 0; i < n; i++) {
        dt_impl_t *c = child;
        if (children != NULL) {
            c = children[i];
            t->children[i] = c;
            ref(c);
        }
        t->psum[i] = pos;
        pos += blens[i] * c->pub.size;
        acc_add(&a, disps[i], disps[i], blens[i], 1, c);
    }
    t->psum[n] = pos;
    acc_store(t, &a, children != NULL ? (n > 0 ? children[0] : NULL) : child);
    if (children != NULL && !a.markers && !a.eub_set && a.anyub) {
        /* struct: pad the extent to the largest alignment (the standard's epsilon) */
        MPI_Aint ext = t->pub.ub - t->pub.lb, al = (MPI_Aint)t->align;
        if (ext > 0 && al > 1 && ext % al != 0) {
            t->pub.ub += al - ext % al;
            t->pub.extent = t->pub.ub - t->pub.lb;
        }
    }
    dt_flatten(t);
    return t;
}

dt_impl_t *dt_new_alias(dt_impl_t *child, MPI_Aint lb, MPI_Aint extent, int resized)
{
    dt_impl_t *t = dt_alloc(DT_ALIAS);
    if (t == NULL) {
        return NULL;
    }
    t->child = child;
    ref(child);
    t->pub.size = child->pub.size;
    t->pub.lb = lb;
    t->pub.extent = extent;
    t->pub.ub = lb + extent;
    t->pub.true_lb = child->pub.true_lb;
    t->pub.true_ub = child->pub.true_ub;
    t->pub.nbasic = child->pub.nbasic;
    t->pub.basic = child->pub.basic;
    t->align = child->align;
    t->xsize = child->xsize;
    t->markers = resized || child->markers;
    /* MPI-3.1 4.1.7: resizing erases the old markers and puts an lb and an ub marker at the
     * new bounds, which then fix the bounds of types built on this one (the "sticky" rule of
     * MPI_LB / MPI_UB). An alias that keeps the child's bounds keeps its markers. */
    t->lbmark = resized ? 1 : child->lbmark;
    t->ubmark = resized ? 1 : child->ubmark;
    dt_flatten(t);
    return t;
}

void dt_flatten(dt_impl_t *t)
{
    if (t->flat != NULL) {
        return;
    }
    dt_piece_t one;
    size_t n = 0;
    dt_piece_t *pieces = NULL;
    if (t->kind == DT_BASIC) {
        one.disp = 0;
        one.len = t->pub.size;
        n = 1;
        pieces = &one;
    } else if (t->pub.size == 0) {
        n = 0;
        pieces = &one;
    } else {
        pieces = malloc(DT_FLAT_MAX * sizeof(*pieces));
        if (pieces == NULL) {
            return;
        }
        if (dt_walk_pieces(t, pieces, DT_FLAT_MAX, &n) != 0) {
            free(pieces);
            return;
        }
    }
    t->flat = malloc((n + 1) * sizeof(*t->flat));
    t->flat_psum = malloc((n + 1) * sizeof(*t->flat_psum));
    if (t->flat == NULL || t->flat_psum == NULL) {
        free(t->flat);
        free(t->flat_psum);
        t->flat = NULL;
        t->flat_psum = NULL;
    } else {
        size_t pos = 0;
        for (size_t i = 0; i < n; i++) {
            t->flat[i] = pieces[i];
            t->flat_psum[i] = pos;
            pos += pieces[i].len;
        }
        t->flat_psum[n] = pos;
        t->nflat = n;
    }
    if (pieces != &one) {
        free(pieces);
    }
    t->pub.contig = t->pub.size == 0 ||
                    (t->flat != NULL && t->nflat == 1 && (MPI_Aint)t->pub.size == t->pub.extent);
}

dwcs_status_t dt_set_contents(dt_impl_t *t, int combiner, int ni, const int *ints, int na,
                              const MPI_Aint *aints, int nd, dt_impl_t *const *types)
{
    t->combiner = combiner;
    t->ints = malloc(((size_t)ni + 1) * sizeof(int));
    t->aints = malloc(((size_t)na + 1) * sizeof(MPI_Aint));
    t->types = calloc((size_t)nd + 1, sizeof(dt_impl_t *));
    if (t->ints == NULL || t->aints == NULL || t->types == NULL) {
        return DWCS_ERR_NO_MEMORY;
    }
    if (ni > 0) {
        memcpy(t->ints, ints, (size_t)ni * sizeof(int));
    }
    if (na > 0) {
        memcpy(t->aints, aints, (size_t)na * sizeof(MPI_Aint));
    }
    for (int i = 0; i < nd; i++) {
        t->types[i] = types[i];
        ref(types[i]);
    }
    t->ni = ni;
    t->na = na;
    t->nd = nd;
    return DWCS_OK;
}

dt_impl_t *dt_clone(dt_impl_t *t)
{
    dt_impl_t *c = dt_new_alias(t, t->pub.lb, t->pub.extent, 0);
    if (c == NULL) {
        return NULL;
    }
    c->markers = t->markers;
    c->lbmark = t->lbmark;
    c->ubmark = t->ubmark;
    c->pub.committed = t->pub.committed;
    if (dt_set_contents(c, t->combiner, t->ni, t->ints, t->na, t->aints, t->nd, t->types) !=
        DWCS_OK) {
        dt_unref(c);
        return NULL;
    }
    return c;
}

void dt_unref(dt_impl_t *t)
{
    if (t == NULL || t->pub.builtin) {
        return;
    }
    if (--t->pub.refcount > 0) {
        return;
    }
    dt_unref(t->child);
    if (t->children != NULL) {
        for (size_t i = 0; i < t->count; i++) {
            dt_unref(t->children[i]);
        }
    }
    if (t->types != NULL) {
        for (int i = 0; i < t->nd; i++) {
            dt_unref(t->types[i]);
        }
    }
    dwcp_attr_t *a = t->attrs;
    while (a != NULL) {
        dwcp_attr_t *n = a->next;
        free(a);
        a = n;
    }
    free(t->blens);
    free(t->disps);
    free(t->children);
    free(t->psum);
    free(t->flat);
    free(t->flat_psum);
    free(t->ints);
    free(t->aints);
    free(t->types);
    free(t);
}
