/* Group constructors: incl, excl, ranges, union, intersection, difference. */
#include <stdlib.h>

#include "dwcp_bind.h"

int dwcp_group_publish(dwcp_group_t *g, MPI_Group *out);

#define GERR(fn, cls, ...) dwcp_err_comm(MPI_COMM_WORLD, cls, fn, __VA_ARGS__)

static int get(const char *fn, MPI_Group h, dwcp_group_t **g)
{
    *g = dwcp_htab_get(&dwcp_g.groups, h);
    return *g ? MPI_SUCCESS : GERR(fn, MPI_ERR_GROUP, "invalid group handle");
}

/* Publish a new group of @p n world ranks (MPI_GROUP_EMPTY when n == 0). */
static int make(const char *fn, int n, const int *world, MPI_Group *out)
{
    if (out == NULL) {
        return GERR(fn, MPI_ERR_ARG, "NULL newgroup");
    }
    if (n == 0) {
        *out = MPI_GROUP_EMPTY;
        return MPI_SUCCESS;
    }
    dwcp_group_t *g = dwcp_group_create(n, world);
    if (g == NULL || dwcp_group_publish(g, out) != MPI_SUCCESS) {
        dwcp_group_release(g);
        return GERR(fn, MPI_ERR_NO_MEM, "no memory");
    }
    return MPI_SUCCESS;
}

static int contains(const dwcp_group_t *g, int w)
{
    int i;
    for (i = 0; i < g->size; i++) {
        if (g->world[i] == w) {
            return 1;
        }
    }
    return 0;
}

int PMPI_Group_incl(MPI_Group group, int n, const int *ranks, MPI_Group *newgroup)
{
    const char *fn = "MPI_Group_incl";
    dwcp_group_t *g;
    int i, j;
    DWCP_CHECK_INIT(fn);
    int rc = get(fn, group, &g);
    if (rc != MPI_SUCCESS) {
        return rc;
    }
    if (n < 0 || n > g->size || (n > 0 && ranks == NULL)) {
        return GERR(fn, MPI_ERR_ARG, "invalid count %d (group size %d)", n, g->size);
    }
    int *w = malloc((size_t)(n ? n : 1) * sizeof(int));
    if (w == NULL) {
        return GERR(fn, MPI_ERR_NO_MEM, "no memory");
    }
    for (i = 0; i < n; i++) {
        if (ranks[i] < 0 || ranks[i] >= g->size) {
            free(w);
            return GERR(fn, MPI_ERR_RANK, "rank %d not in the group (size %d)", ranks[i], g->size);
        }
        for (j = 0; j < i; j++) {
            if (ranks[j] == ranks[i]) {
                free(w);
                return GERR(fn, MPI_ERR_RANK, "rank %d listed twice", ranks[i]);
            }
        }
        w[i] = g->world[ranks[i]];
    }
    rc = make(fn, n, w, newgroup);
    free(w);
    return rc;
}
DWCP_WEAK(Group_incl)

int PMPI_Group_excl(MPI_Group group, int n, const int *ranks, MPI_Group *newgroup)
{
    const char *fn = "MPI_Group_excl";
    dwcp_group_t *g;
    int i, k = 0;
    DWCP_CHECK_INIT(fn);
    int rc = get(fn, group, &g);
    if (rc != MPI_SUCCESS) {
        return rc;
    }
    if (n < 0 || n > g->size || (n > 0 && ranks == NULL)) {
        return GERR(fn, MPI_ERR_ARG, "invalid count %d (group size %d)", n, g->size);
    }
    char *drop = calloc((size_t)g->size + 1, 1);
    int *w = malloc((size_t)(g->size ? g->size : 1) * sizeof(int));
    if (drop == NULL || w == NULL) {
        free(drop);
        free(w);
        return GERR(fn, MPI_ERR_NO_MEM, "no memory");
    }
    for (i = 0; i < n; i++) {
        if (ranks[i] < 0 || ranks[i] >= g->size || drop[ranks[i]]) {
            free(drop);
            free(w);
            return GERR(fn, MPI_ERR_RANK, "invalid or repeated rank %d", ranks[i]);
        }
        drop[ranks[i]] = 1;
    }
    for (i = 0; i < g->size; i++) {
        if (!drop[i]) {
            w[k++] = g->world[i];
        }
    }
    rc = make(fn, k, w, newgroup);
    free(drop);
    free(w);
    return rc;
}
DWCP_WEAK(Group_excl)

/* Expand (first, last, stride) triplets into a rank list; NULL + error on bad input. */
static int *expand_ranges(const char *fn, const dwcp_group_t *g, int n, int ranges[][3], int *cnt,
                          int *rc)
{
    int i, total = 0;
    *rc = MPI_SUCCESS;
    if (n < 0 || (n > 0 && ranges == NULL)) {
        *rc = GERR(fn, MPI_ERR_ARG, "invalid range count %d", n);
        return NULL;
    }
    for (i = 0; i < n; i++) {
        int f = ranges[i][0], l = ranges[i][1], s = ranges[i][2];
        if (s == 0 || f < 0 || f >= g->size || l < 0 || l >= g->size ||
            (s > 0 && f > l) || (s < 0 && f < l)) {
            *rc = GERR(fn, MPI_ERR_ARG, "invalid range (%d, %d, %d) for group size %d", f, l, s,
                       g->size);
            return NULL;
        }
        total += (l - f) / s + 1;
    }
    int *list = malloc((size_t)(total ? total : 1) * sizeof(int));
    char *seen = calloc((size_t)g->size + 1, 1);
    if (list == NULL || seen == NULL) {
        free(list);
        free(seen);
        *rc = GERR(fn, MPI_ERR_NO_MEM, "no memory");
        return NULL;
    }
    int k = 0;
    for (i = 0; i < n; i++) {
        int r;
        for (r = ranges[i][0]; ranges[i][2] > 0 ? r <= ranges[i][1] : r >= ranges[i][1];
             r += ranges[i][2]) {
            if (seen[r]) {
                free(list);
                free(seen);
                *rc = GERR(fn, MPI_ERR_RANK, "rank %d appears in more than one range", r);
                return NULL;
            }
            seen[r] = 1;
            list[k++] = r;
        }
    }
    free(seen);
    *cnt = k;
    return list;
}

int PMPI_Group_range_incl(MPI_Group group, int n, int ranges[][3], MPI_Group *newgroup)
{
    const char *fn = "MPI_Group_range_incl";
    dwcp_group_t *g;
    int cnt = 0;
    DWCP_CHECK_INIT(fn);
    int rc = get(fn, group, &g);
    if (rc != MPI_SUCCESS) {
        return rc;
    }
    int *list = expand_ranges(fn, g, n, ranges, &cnt, &rc);
    if (list == NULL) {
        return rc;
    }
    rc = PMPI_Group_incl(group, cnt, list, newgroup);
    free(list);
    return rc;
}
DWCP_WEAK(Group_range_incl)

int PMPI_Group_range_excl(MPI_Group group, int n, int ranges[][3], MPI_Group *newgroup)
{
    const char *fn = "MPI_Group_range_excl";
    dwcp_group_t *g;
    int cnt = 0;
    DWCP_CHECK_INIT(fn);
    int rc = get(fn, group, &g);
    if (rc != MPI_SUCCESS) {
        return rc;
    }
    int *list = expand_ranges(fn, g, n, ranges, &cnt, &rc);
    if (list == NULL) {
        return rc;
    }
    rc = PMPI_Group_excl(group, cnt, list, newgroup);
    free(list);
    return rc;
}
DWCP_WEAK(Group_range_excl)

/* op: 0 union, 1 intersection, 2 difference. Order: group1's order, then group2's (union). */
static int setop(const char *fn, MPI_Group group1, MPI_Group group2, int op, MPI_Group *out)
{
    dwcp_group_t *a, *b;
    int i, k = 0;
    DWCP_CHECK_INIT(fn);
    int rc = get(fn, group1, &a);
    if (rc == MPI_SUCCESS) {
        rc = get(fn, group2, &b);
    }
    if (rc != MPI_SUCCESS) {
        return rc;
    }
    int *w = malloc((size_t)(a->size + b->size + 1) * sizeof(int));
    if (w == NULL) {
        return GERR(fn, MPI_ERR_NO_MEM, "no memory");
    }
    for (i = 0; i < a->size; i++) {
        int inb = contains(b, a->world[i]);
        if (op == 0 || (op == 1 && inb) || (op == 2 && !inb)) {
            w[k++] = a->world[i];
        }
    }
    if (op == 0) {
        for (i = 0; i < b->size; i++) {
            if (!contains(a, b->world[i])) {
                w[k++] = b->world[i];
            }
        }
    }
    rc = make(fn, k, w, out);
    free(w);
    return rc;
}

int PMPI_Group_union(MPI_Group group1, MPI_Group group2, MPI_Group *newgroup)
{
    return setop("MPI_Group_union", group1, group2, 0, newgroup);
}
DWCP_WEAK(Group_union)

int PMPI_Group_intersection(MPI_Group group1, MPI_Group group2, MPI_Group *newgroup)
{
    return setop("MPI_Group_intersection", group1, group2, 1, newgroup);
}
DWCP_WEAK(Group_intersection)

int PMPI_Group_difference(MPI_Group group1, MPI_Group group2, MPI_Group *newgroup)
{
    return setop("MPI_Group_difference", group1, group2, 2, newgroup);
}
DWCP_WEAK(Group_difference)
