/*
 * nbody_tree.c - Barnes-Hut octree: build by insertion in global index order,
 * centres of mass bottom-up, monopole forces with an opening angle.
 */
#include "nbody_tree.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define LEAF_MAX 8    /* particles per leaf before it splits */
#define MAX_DEPTH 48  /* deeper leaves just grow (coincident particles) */
#define STACK_MAX (8 * MAX_DEPTH + 16)

typedef struct {
    double cx, cy, cz, half;  /* geometric centre and half side */
    double mx, my, mz, mass;  /* centre of mass and total mass */
    int32_t child[8];         /* -1: none */
    int32_t first, last;      /* particle list of a leaf (-1: empty) */
    int32_t count;            /* particles in a leaf */
    int32_t depth;
    int32_t leaf;             /* 1 leaf, 0 internal */
} cell_t;

struct nbody_tree {
    cell_t *cells;
    size_t ncells, cap;
    int32_t *next;    /* next particle in the same leaf, -1 ends */
    size_t next_cap;
    const double *xm; /* packed [x, y, z, m] of the last build */
    size_t n;
};

nbody_tree_t *nbody_tree_create(void)
{
    return calloc(1, sizeof(nbody_tree_t));
}

void nbody_tree_destroy(nbody_tree_t *t)
{
    if (t == NULL) {
        return;
    }
    free(t->cells);
    free(t->next);
    free(t);
}

size_t nbody_tree_cells(const nbody_tree_t *t)
{
    return t->ncells;
}

/* Append a new empty leaf of the given box; returns its index or -1. */
static int32_t cell_new(nbody_tree_t *t, double cx, double cy, double cz, double half,
                        int32_t depth)
{
    if (t->ncells == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 1024;
        cell_t *c = realloc(t->cells, cap * sizeof(cell_t));
        if (c == NULL) {
            return -1;
        }
        t->cells = c;
        t->cap = cap;
    }
    cell_t *c = &t->cells[t->ncells];
    memset(c, 0, sizeof(*c));
    c->cx = cx, c->cy = cy, c->cz = cz, c->half = half;
    for (int k = 0; k < 8; k++) {
        c->child[k] = -1;
    }
    c->first = c->last = -1;
    c->depth = depth;
    c->leaf = 1;
    return (int32_t)t->ncells++;
}

static int octant(const cell_t *c, const double *p)
{
    return (p[0] >= c->cx) | ((p[1] >= c->cy) << 1) | ((p[2] >= c->cz) << 2);
}

/* Child @p o of cell @p ci, created if missing; returns its index or -1. */
static int32_t child_of(nbody_tree_t *t, int32_t ci, int o)
{
    if (t->cells[ci].child[o] >= 0) {
        return t->cells[ci].child[o];
    }
    const cell_t c = t->cells[ci]; /* copy: cell_new may move the array */
    double h = 0.5 * c.half;
    int32_t k = cell_new(t, c.cx + ((o & 1) ? h : -h), c.cy + ((o & 2) ? h : -h),
                         c.cz + ((o & 4) ? h : -h), h, c.depth + 1);
    if (k >= 0) {
        t->cells[ci].child[o] = k;
    }
    return k;
}

static void leaf_append(nbody_tree_t *t, int32_t ci, int32_t p)
{
    cell_t *c = &t->cells[ci];
    t->next[p] = -1;
    if (c->last < 0) {
        c->first = p;
    } else {
        t->next[c->last] = p;
    }
    c->last = p;
    c->count++;
}

static int insert(nbody_tree_t *t, int32_t p)
{
    const double *pos = &t->xm[4 * (size_t)p];
    int32_t ci = 0;
    for (;;) {
        cell_t *c = &t->cells[ci];
        if (!c->leaf) {
            ci = child_of(t, ci, octant(c, pos));
            if (ci < 0) {
                return -1;
            }
            continue;
        }
        if (c->count < LEAF_MAX || c->depth >= MAX_DEPTH) {
            leaf_append(t, ci, p);
            return 0;
        }
        /* Split: move the particles one level down, keeping their order. */
        int32_t q = c->first;
        c->leaf = 0;
        c->first = c->last = -1;
        c->count = 0;
        while (q >= 0) {
            int32_t nq = t->next[q];
            int32_t k = child_of(t, ci, octant(&t->cells[ci], &t->xm[4 * (size_t)q]));
            if (k < 0) {
                return -1;
            }
            leaf_append(t, k, q);
            q = nq;
        }
    }
}

int nbody_tree_build(nbody_tree_t *t, const nbody_block_t *all)
{
    t->ncells = 0;
    t->xm = all->xm;
    t->n = all->n;
    if (all->n > t->next_cap) {
        int32_t *nx = realloc(t->next, all->n * sizeof(int32_t));
        if (nx == NULL) {
            return -1;
        }
        t->next = nx;
        t->next_cap = all->n;
    }
    double lo[3] = {INFINITY, INFINITY, INFINITY}, hi[3] = {-INFINITY, -INFINITY, -INFINITY};
    for (size_t i = 0; i < all->n; i++) {
        for (int k = 0; k < 3; k++) {
            lo[k] = fmin(lo[k], all->xm[4 * i + k]);
            hi[k] = fmax(hi[k], all->xm[4 * i + k]);
        }
    }
    double half = 0.0;
    for (int k = 0; k < 3; k++) {
        half = fmax(half, 0.5 * (hi[k] - lo[k]));
    }
    half = half * 1.001 + 1e-12;
    if (cell_new(t, 0.5 * (lo[0] + hi[0]), 0.5 * (lo[1] + hi[1]), 0.5 * (lo[2] + hi[2]), half,
                 0) < 0) {
        return -1;
    }
    for (size_t i = 0; i < all->n; i++) {
        if (insert(t, (int32_t)i) != 0) {
            return -1;
        }
    }
    /* Children have larger indices than their parent: a reverse sweep is bottom-up. */
    for (size_t ci = t->ncells; ci-- > 0;) {
        cell_t *c = &t->cells[ci];
        double m = 0.0, sx = 0.0, sy = 0.0, sz = 0.0;
        if (c->leaf) {
            for (int32_t q = c->first; q >= 0; q = t->next[q]) {
                const double *pq = &t->xm[4 * (size_t)q];
                m += pq[3];
                sx += pq[3] * pq[0];
                sy += pq[3] * pq[1];
                sz += pq[3] * pq[2];
            }
        } else {
            for (int k = 0; k < 8; k++) {
                if (c->child[k] >= 0) {
                    const cell_t *d = &t->cells[c->child[k]];
                    m += d->mass;
                    sx += d->mass * d->mx;
                    sy += d->mass * d->my;
                    sz += d->mass * d->mz;
                }
            }
        }
        c->mass = m;
        c->mx = m > 0.0 ? sx / m : c->cx;
        c->my = m > 0.0 ? sy / m : c->cy;
        c->mz = m > 0.0 ? sz / m : c->cz;
    }
    return 0;
}

/* One softened point-mass contribution, the same expression as the direct kernel. */
static inline void pair(double xj, double yj, double zj, double mj, double xi, double yi,
                        double zi, double eps2, nbody_fix_t *a)
{
    double dx = xj - xi;
    double dy = yj - yi;
    double dz = zj - zi;
    double r2 = dx * dx + dy * dy + dz * dz + eps2;
    double inv = 1.0 / sqrt(r2);
    double s = mj * (inv * inv * inv);
    nbody_fix_add(&a[0], dx * s);
    nbody_fix_add(&a[1], dy * s);
    nbody_fix_add(&a[2], dz * s);
}

size_t nbody_tree_accel(const nbody_tree_t *t, const nbody_set_t *tgt, double theta,
                        double eps2, nbody_fix_t *acc)
{
    size_t inter = 0;
    const double th2 = theta * theta;
    int32_t stack[STACK_MAX];
    for (size_t i = 0; i < tgt->n; i++) {
        const double xi = tgt->x[i], yi = tgt->y[i], zi = tgt->z[i];
        nbody_fix_t *a = &acc[3 * i];
        int sp = 0;
        stack[sp++] = 0;
        while (sp > 0) {
            const cell_t *c = &t->cells[stack[--sp]];
            if (c->mass == 0.0) {
                continue;
            }
            double dx = c->mx - xi, dy = c->my - yi, dz = c->mz - zi;
            double d2 = dx * dx + dy * dy + dz * dz;
            double s = 2.0 * c->half;
            int inside = fabs(xi - c->cx) <= c->half && fabs(yi - c->cy) <= c->half &&
                         fabs(zi - c->cz) <= c->half;
            if (!inside && s * s < th2 * d2) {
                pair(c->mx, c->my, c->mz, c->mass, xi, yi, zi, eps2, a);
                inter++;
            } else if (c->leaf) {
                for (int32_t q = c->first; q >= 0; q = t->next[q]) {
                    const double *pq = &t->xm[4 * (size_t)q];
                    pair(pq[0], pq[1], pq[2], pq[3], xi, yi, zi, eps2, a);
                    inter++;
                }
            } else {
                for (int k = 7; k >= 0; k--) {
                    if (c->child[k] >= 0 && sp < STACK_MAX) {
                        stack[sp++] = c->child[k];
                    }
                }
            }
        }
    }
    return inter;
}
