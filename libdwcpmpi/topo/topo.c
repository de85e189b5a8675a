/* Topology objects, Cartesian arithmetic and MPI_Dims_create (see dwcp_topo.h). */
#include <stdlib.h>
#include <string.h>

#include "dwcp_topo.h"

/* Copy of @p n ints (at least one slot so a 0-dimensional topology has non-NULL arrays). */
static int *dup_ints(const int *src, int n)
{
    int *d = malloc(sizeof(int) * (size_t)(n > 0 ? n : 1));
    if (d != NULL && src != NULL && n > 0) {
        memcpy(d, src, sizeof(int) * (size_t)n);
    }
    return d;
}

void dwcp_topo_free(dwcp_topo_t *t)
{
    if (t == NULL) {
        return;
    }
    free(t->dims);
    free(t->periods);
    free(t->coords);
    free(t->index);
    free(t->edges);
    free(t->sources);
    free(t->dests);
    free(t->sweights);
    free(t->dweights);
    free(t);
}

dwcp_topo_t *dwcp_topo_cart_new(int ndims, const int *dims, const int *periods, int rank)
{
    dwcp_topo_t *t = calloc(1, sizeof(*t));
    int i;
    if (t == NULL) {
        return NULL;
    }
    t->kind = MPI_CART;
    t->ndims = ndims;
    t->dims = dup_ints(dims, ndims);
    t->periods = dup_ints(periods, ndims);
    t->coords = dup_ints(NULL, ndims);
    if (t->dims == NULL || t->periods == NULL || t->coords == NULL) {
        dwcp_topo_free(t);
        return NULL;
    }
    for (i = 0; i < ndims; i++) {
        t->periods[i] = t->periods[i] != 0;
    }
    dwcp_topo_cart_coords(t, rank, t->coords);
    return t;
}

dwcp_topo_t *dwcp_topo_graph_new(int nnodes, const int *index, const int *edges)
{
    dwcp_topo_t *t = calloc(1, sizeof(*t));
    if (t == NULL) {
        return NULL;
    }
    t->kind = MPI_GRAPH;
    t->nnodes = nnodes;
    t->nedges = nnodes > 0 ? index[nnodes - 1] : 0;
    t->index = dup_ints(index, nnodes);
    t->edges = dup_ints(edges, t->nedges);
    if (t->index == NULL || t->edges == NULL) {
        dwcp_topo_free(t);
        return NULL;
    }
    return t;
}

dwcp_topo_t *dwcp_topo_dist_new(int indegree, const int *sources, const int *sweights,
                                int outdegree, const int *dests, const int *dweights, int weighted)
{
    dwcp_topo_t *t = calloc(1, sizeof(*t));
    if (t == NULL) {
        return NULL;
    }
    t->kind = MPI_DIST_GRAPH;
    t->indegree = indegree;
    t->outdegree = outdegree;
    t->weighted = weighted;
    t->sources = dup_ints(sources, indegree);
    t->dests = dup_ints(dests, outdegree);
    if (weighted) {
        t->sweights = dup_ints(sweights, indegree);
        t->dweights = dup_ints(dweights, outdegree);
    }
    if (t->sources == NULL || t->dests == NULL ||
        (weighted && (t->sweights == NULL || t->dweights == NULL))) {
        dwcp_topo_free(t);
        return NULL;
    }
    return t;
}

static dwcp_topo_t *clone(const dwcp_topo_t *t)
{
    dwcp_topo_t *n = NULL;
    switch (t->kind) {
    case MPI_CART:
        n = dwcp_topo_cart_new(t->ndims, t->dims, t->periods, 0);
        if (n != NULL && t->ndims > 0) {
            memcpy(n->coords, t->coords, sizeof(int) * (size_t)t->ndims);
        }
        break;
    case MPI_GRAPH:
        n = dwcp_topo_graph_new(t->nnodes, t->index, t->edges);
        break;
    default:
        n = dwcp_topo_dist_new(t->indegree, t->sources, t->sweights, t->outdegree, t->dests,
                               t->dweights, t->weighted);
        break;
    }
    return n;
}

/* Communicator free hook: drop the topology. */
static void topo_free_hook(dwcp_comm_t *c)
{
    dwcp_topo_free(c->topo);
    c->topo = NULL;
}

/* MPI_Comm_dup: the copy carries the same topology. */
static void topo_dup_hook(dwcp_comm_t *from, dwcp_comm_t *to)
{
    if (from->topo != NULL && to->topo == NULL) {
        to->topo = clone(from->topo);
        if (to->topo == NULL) {
            DWCS_ERROR("no memory to copy a topology in MPI_Comm_dup");
        }
    }
}

dwcs_status_t dwcp_topo_attach(dwcp_comm_t *c, dwcp_topo_t *t)
{
    dwcs_status_t st = dwcp_comm_free_hook_add(topo_free_hook);
    if (st != DWCS_OK) {
        dwcp_topo_free(t);
        return st;
    }
    dwcp_topo_dup_hook = topo_dup_hook;
    dwcp_topo_free(c->topo);
    c->topo = t;
    return DWCS_OK;
}

void dwcp_topo_cart_coords(const dwcp_topo_t *t, int rank, int *coords)
{
    int i;
    /* row-major: the last dimension varies fastest */
    for (i = t->ndims - 1; i >= 0; i--) {
        coords[i] = t->dims[i] > 0 ? rank % t->dims[i] : 0;
        rank = t->dims[i] > 0 ? rank / t->dims[i] : 0;
    }
}

int dwcp_topo_cart_rank(const dwcp_topo_t *t, const int *coords)
{
    int i, r = 0;
    for (i = 0; i < t->ndims; i++) {
        int x = coords[i], d = t->dims[i];
        if (x < 0 || x >= d) {
            if (!t->periods[i]) {
                return -1;
            }
            x %= d;
            if (x < 0) {
                x += d;
            }
        }
        r = r * d + x;
    }
    return r;
}

void dwcp_topo_cart_shift(const dwcp_topo_t *t, int dir, int disp, int *src, int *dst)
{
    int *c = malloc(sizeof(int) * (size_t)(t->ndims > 0 ? t->ndims : 1));
    if (c == NULL) {
        *src = *dst = MPI_PROC_NULL;
        return;
    }
    memcpy(c, t->coords, sizeof(int) * (size_t)t->ndims);
    c[dir] = t->coords[dir] + disp;
    *dst = dwcp_topo_cart_rank(t, c);
    c[dir] = t->coords[dir] - disp;
    *src = dwcp_topo_cart_rank(t, c);
    if (*dst < 0) {
        *dst = MPI_PROC_NULL;
    }
    if (*src < 0) {
        *src = MPI_PROC_NULL;
    }
    free(c);
}

dwcs_status_t dwcp_topo_neighbors(const dwcp_comm_t *c, int *indeg, int **in, int *outdeg,
                                  int **out)
{
    const dwcp_topo_t *t = dwcp_topo_get(c);
    int i, nin, nout;
    const int *src = NULL, *dst = NULL;
    if (t == NULL) {
        return DWCS_ERR_INVALID_PARAM;
    }
    if (t->kind == MPI_CART) {
        nin = nout = 2 * t->ndims;
    } else if (t->kind == MPI_GRAPH) {
        int lo = c->rank > 0 ? t->index[c->rank - 1] : 0;
        nin = nout = t->index[c->rank] - lo;
        src = dst = t->edges + lo;
    } else {
        nin = t->indegree;
        nout = t->outdegree;
        src = t->sources;
        dst = t->dests;
    }
    *in = dup_ints(src, nin);
    *out = dup_ints(dst, nout);
    if (*in == NULL || *out == NULL) {
        free(*in);
        free(*out);
        return DWCS_ERR_NO_MEMORY;
    }
    if (t->kind == MPI_CART) {
        for (i = 0; i < t->ndims; i++) {
            dwcp_topo_cart_shift(t, i, 1, &(*in)[2 * i], &(*in)[2 * i + 1]);
            (*out)[2 * i] = (*in)[2 * i];
            (*out)[2 * i + 1] = (*in)[2 * i + 1];
        }
    }
    *indeg = nin;
    *outdeg = nout;
    return DWCS_OK;
}

/*
 * Balanced factorisation for MPI_Dims_create: among all non-increasing factorisations of
 * the free product into nfree factors, pick the one with the smallest spread (largest minus
 * smallest factor); ties go to the one whose factors, compared from the smallest upwards, are
 * larger. Branch and bound over the divisors of the product.
 */
typedef struct {
    const int *divs; /* divisors of the product, ascending */
    int ndivs;
    int k;           /* number of factors */
    int *cur, *best;
    int have_best;
} dims_search_t;

/* 1 when base^exp >= m (exp >= 1, base >= 1), computed without overflow. */
static int pow_at_least(int base, int exp, int m)
{
    long long v = 1;
    int i;
    if (base == 1) {
        return m <= 1;
    }
    for (i = 0; i < exp; i++) {
        v *= base;
        if (v >= m) {
            return 1;
        }
    }
    return 0;
}

/* 1 when base^exp <= m. */
static int pow_at_most(int base, int exp, int m)
{
    return base <= 1 || exp <= 0 || !pow_at_least(base, exp, m + 1);
}

/* 1 when the complete candidate in s->cur beats s->best. */
static int dims_better(const dims_search_t *s)
{
    int i, k = s->k;
    if (!s->have_best) {
        return 1;
    }
    int rc = s->cur[0] - s->cur[k - 1], rb = s->best[0] - s->best[k - 1];
    if (rc != rb) {
        return rc < rb;
    }
    for (i = k - 1; i >= 0; i--) {
        if (s->cur[i] != s->best[i]) {
            return s->cur[i] > s->best[i];
        }
    }
    return 0;
}

/* Largest r with r^k <= m (k >= 1, m >= 1). */
static int iroot(int m, int k)
{
    int lo = 1, hi = m;
    while (lo < hi) {
        int mid = lo + (hi - lo + 1) / 2;
        if (pow_at_most(mid, k, m)) {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    return lo;
}

/* Record s->cur (complete, factors depth.. are 1) when it beats the best so far. */
static void dims_offer(dims_search_t *s, int depth)
{
    int i;
    for (i = depth; i < s->k; i++) {
        s->cur[i] = 1;
    }
    if (dims_better(s)) {
        memcpy(s->best, s->cur, sizeof(int) * (size_t)s->k);
        s->have_best = 1;
    }
}

/* Choose factors depth..k-1 (each <= maxf, non-increasing) whose product is m; depth >= 1. */
static void dims_search(dims_search_t *s, int depth, int m, int maxf)
{
    int left = s->k - depth, i;
    if (m == 1) {
        dims_offer(s, depth);
        return;
    }
    if (left == 0) {
        return;
    }
    /* factors below lo would make the spread worse than the best one found */
    int lo = s->cur[0] - (s->best[0] - s->best[s->k - 1]);
    for (i = s->ndivs - 1; i >= 0; i--) {
        int d = s->divs[i];
        if (d > maxf || d > m || m % d != 0) {
            continue;
        }
        if (d < lo || !pow_at_least(d, left, m)) {
            break; /* smaller factors cannot do better */
        }
        if (left > 1 && lo > 1 && !pow_at_most(lo, left - 1, m / d)) {
            continue;
        }
        s->cur[depth] = d;
        dims_search(s, depth + 1, m / d, d);
    }
}

/* Seed: prime factors, largest first, each to the currently smallest factor. */
static void dims_greedy(dims_search_t *s, int m)
{
    int i, p, k = s->k;
    for (i = 0; i < k; i++) {
        s->best[i] = 1;
    }
    int primes[32], np = 0;
    for (p = 2; (long long)p * p <= m; p++) {
        while (m % p == 0) {
            primes[np++] = p;
            m /= p;
        }
    }
    if (m > 1) {
        primes[np++] = m;
    }
    for (p = np - 1; p >= 0; p--) {
        int best = 0;
        for (i = 1; i < k; i++) {
            if (s->best[i] < s->best[best]) {
                best = i;
            }
        }
        s->best[best] *= primes[p];
    }
    for (i = 1; i < k; i++) { /* insertion sort, non-increasing */
        int v = s->best[i], j = i - 1;
        while (j >= 0 && s->best[j] < v) {
            s->best[j + 1] = s->best[j];
            j--;
        }
        s->best[j + 1] = v;
    }
    s->have_best = 1;
}

/* Exact search: first factor ascending from the k-th root, the rest by dims_search. */
static void dims_run(dims_search_t *s, int m)
{
    int i, k = s->k;
    dims_greedy(s, m);
    if (k == 1) {
        return;
    }
    for (i = 0; i < s->ndivs; i++) {
        int d = s->divs[i];
        if (!pow_at_least(d, k, m)) {
            continue;
        }
        /* the smallest factor is at most the (k-1)-th root of what is left */
        if (d - iroot(m / d, k - 1) > s->best[0] - s->best[k - 1]) {
            break;
        }
        s->cur[0] = d;
        dims_search(s, 1, m / d, d);
    }
}

/* Fill @p out[0..k-1] with the balanced factorisation of @p m (>= 1). */
static int dims_factor(int m, int k, int *out)
{
    int nd = 0, cap = 64, d;
    int *divs = malloc(sizeof(int) * (size_t)cap);
    int *cur = malloc(sizeof(int) * (size_t)k);
    int *hi = malloc(sizeof(int) * (size_t)cap);
    int nh = 0;
    if (divs == NULL || cur == NULL || hi == NULL) {
        free(divs);
        free(cur);
        free(hi);
        return MPI_ERR_NO_MEM;
    }
    /* divisors ascending: small ones in divs, their cofactors (descending) in hi */
    for (d = 1; (long long)d * d <= m; d++) {
        if (m % d != 0) {
            continue;
        }
        if (nd == cap || nh == cap) {
            cap *= 2;
            int *a = realloc(divs, sizeof(int) * (size_t)cap);
            int *b = a ? realloc(hi, sizeof(int) * (size_t)cap) : NULL;
            if (a != NULL) {
                divs = a;
            }
            if (b == NULL) {
                free(divs);
                free(hi);
                free(cur);
                return MPI_ERR_NO_MEM;
            }
            hi = b;
        }
        divs[nd++] = d;
        if (d != m / d) {
            hi[nh++] = m / d;
        }
    }
    int *all = realloc(divs, sizeof(int) * (size_t)(nd + nh));
    if (all == NULL) {
        free(divs);
        free(hi);
        free(cur);
        return MPI_ERR_NO_MEM;
    }
    for (d = 0; d < nh; d++) {
        all[nd + d] = hi[nh - 1 - d];
    }
    free(hi);
    dims_search_t s = {all, nd + nh, k, cur, out, 0};
    dims_run(&s, m);
    free(all);
    free(cur);
    return s.have_best ? MPI_SUCCESS : MPI_ERR_DIMS;
}

int dwcp_topo_dims_create(int nnodes, int ndims, int *dims)
{
    int i, p, nfree = 0;
    long long fixed = 1;
    if (nnodes <= 0 || ndims < 0) {
        return MPI_ERR_DIMS;
    }
    for (i = 0; i < ndims; i++) {
        if (dims[i] < 0) {
            return MPI_ERR_DIMS;
        }
        if (dims[i] > 0) {
            fixed *= dims[i];
            if (fixed > nnodes) {
                return MPI_ERR_DIMS;
            }
        } else {
            nfree++;
        }
    }
    if (nnodes % fixed != 0) {
        return MPI_ERR_DIMS;
    }
    int rem = (int)(nnodes / fixed);
    if (nfree == 0) {
        return rem == 1 ? MPI_SUCCESS : MPI_ERR_DIMS;
    }
    int *prod = malloc(sizeof(int) * (size_t)nfree);
    if (prod == NULL) {
        return MPI_ERR_NO_MEM;
    }
    int rc = dims_factor(rem, nfree, prod);
    if (rc == MPI_SUCCESS) {
        for (i = 0, p = 0; i < ndims; i++) {
            if (dims[i] == 0) {
                dims[i] = prod[p++];
            }
        }
    }
    free(prod);
    return rc;
}
