/* Communicator queries, names, groups basics and communicator attributes. */
#include <stdio.h>
#include <string.h>

#include "dwcp_attr.h"
#include "dwcp_bind.h"

int PMPI_Comm_rank(MPI_Comm comm, int *rank)
{
    DWCP_CHECK_INIT("MPI_Comm_rank");
    DWCP_GET_COMM("MPI_Comm_rank", comm, c);
    if (rank == NULL) {
        return dwcp_err_comm(comm, MPI_ERR_ARG, "MPI_Comm_rank", "NULL rank pointer");
    }
    *rank = c->rank;
    return MPI_SUCCESS;
}
DWCP_WEAK(Comm_rank)

int PMPI_Comm_size(MPI_Comm comm, int *size)
{
    DWCP_CHECK_INIT("MPI_Comm_size");
    DWCP_GET_COMM("MPI_Comm_size", comm, c);
    if (size == NULL) {
        return dwcp_err_comm(comm, MPI_ERR_ARG, "MPI_Comm_size", "NULL size pointer");
    }
    *size = c->size;
    return MPI_SUCCESS;
}
DWCP_WEAK(Comm_size)

int PMPI_Comm_set_name(MPI_Comm comm, const char *comm_name)
{
    DWCP_CHECK_INIT("MPI_Comm_set_name");
    DWCP_GET_COMM("MPI_Comm_set_name", comm, c);
    if (comm_name == NULL) {
        return dwcp_err_comm(comm, MPI_ERR_ARG, "MPI_Comm_set_name", "NULL name");
    }
    snprintf(c->name, sizeof(c->name), "%s", comm_name);
    return MPI_SUCCESS;
}
DWCP_WEAK(Comm_set_name)

int PMPI_Comm_get_name(MPI_Comm comm, char *comm_name, int *resultlen)
{
    DWCP_CHECK_INIT("MPI_Comm_get_name");
    DWCP_GET_COMM("MPI_Comm_get_name", comm, c);
    if (comm_name == NULL || resultlen == NULL) {
        return dwcp_err_comm(comm, MPI_ERR_ARG, "MPI_Comm_get_name", "NULL argument");
    }
    snprintf(comm_name, MPI_MAX_OBJECT_NAME, "%s", c->name);
    *resultlen = (int)strlen(comm_name);
    return MPI_SUCCESS;
}
DWCP_WEAK(Comm_get_name)

int PMPI_Comm_test_inter(MPI_Comm comm, int *flag)
{
    DWCP_CHECK_INIT("MPI_Comm_test_inter");
    DWCP_GET_COMM("MPI_Comm_test_inter", comm, c);
    if (flag == NULL) {
        return dwcp_err_comm(comm, MPI_ERR_ARG, "MPI_Comm_test_inter", "NULL flag");
    }
    *flag = c->remote != NULL;
    return MPI_SUCCESS;
}
DWCP_WEAK(Comm_test_inter)

/* Publish a group object (refcounted) as a handle. */
int dwcp_group_publish(dwcp_group_t *g, MPI_Group *out)
{
    if (g->handle == MPI_GROUP_NULL) {
        if (dwcp_htab_add(&dwcp_g.groups, g, &g->handle) != DWCS_OK) {
            return MPI_ERR_NO_MEM;
        }
    }
    *out = g->handle;
    return MPI_SUCCESS;
}

int PMPI_Comm_group(MPI_Comm comm, MPI_Group *group)
{
    DWCP_CHECK_INIT("MPI_Comm_group");
    DWCP_GET_COMM("MPI_Comm_group", comm, c);
    if (group == NULL) {
        return dwcp_err_comm(comm, MPI_ERR_ARG, "MPI_Comm_group", "NULL group");
    }
    /* Each call returns a new group object the caller frees. */
    dwcp_group_t *g = dwcp_group_create(c->group->size, c->group->world);
    if (g == NULL || dwcp_group_publish(g, group) != MPI_SUCCESS) {
        dwcp_group_release(g);
        return dwcp_err_comm(comm, MPI_ERR_NO_MEM, "MPI_Comm_group", "no memory");
    }
    return MPI_SUCCESS;
}
DWCP_WEAK(Comm_group)

static int get_group(const char *fn, MPI_Group h, dwcp_group_t **g)
{
    *g = dwcp_htab_get(&dwcp_g.groups, h);
    if (*g == NULL) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_GROUP, fn, "invalid group handle");
    }
    return MPI_SUCCESS;
}

int PMPI_Group_size(MPI_Group group, int *size)
{
    dwcp_group_t *g;
    DWCP_CHECK_INIT("MPI_Group_size");
    int rc = get_group("MPI_Group_size", group, &g);
    if (rc != MPI_SUCCESS) {
        return rc;
    }
    if (size == NULL) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_ARG, "MPI_Group_size", "NULL size");
    }
    *size = g->size;
    return MPI_SUCCESS;
}
DWCP_WEAK(Group_size)

int PMPI_Group_rank(MPI_Group group, int *rank)
{
    dwcp_group_t *g;
    DWCP_CHECK_INIT("MPI_Group_rank");
    int rc = get_group("MPI_Group_rank", group, &g);
    if (rc != MPI_SUCCESS) {
        return rc;
    }
    if (rank == NULL) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_ARG, "MPI_Group_rank", "NULL rank");
    }
    *rank = g->rank;
    return MPI_SUCCESS;
}
DWCP_WEAK(Group_rank)

int PMPI_Group_free(MPI_Group *group)
{
    dwcp_group_t *g;
    DWCP_CHECK_INIT("MPI_Group_free");
    if (group == NULL) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_ARG, "MPI_Group_free", "NULL argument");
    }
    int rc = get_group("MPI_Group_free", *group, &g);
    if (rc != MPI_SUCCESS) {
        return rc;
    }
    dwcp_group_release(g); /* MPI_GROUP_EMPTY is never destroyed */
    *group = MPI_GROUP_NULL;
    return MPI_SUCCESS;
}
DWCP_WEAK(Group_free)

int PMPI_Group_translate_ranks(MPI_Group group1, int n, const int ranks1[], MPI_Group group2,
                               int ranks2[])
{
    const char *fn = "MPI_Group_translate_ranks";
    dwcp_group_t *g1, *g2;
    int i, j;
    DWCP_CHECK_INIT(fn);
    int rc = get_group(fn, group1, &g1);
    if (rc == MPI_SUCCESS) {
        rc = get_group(fn, group2, &g2);
    }
    if (rc != MPI_SUCCESS) {
        return rc;
    }
    if (n < 0 || (n > 0 && (ranks1 == NULL || ranks2 == NULL))) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_ARG, fn, "invalid rank arrays");
    }
    for (i = 0; i < n; i++) {
        if (ranks1[i] == MPI_PROC_NULL) {
            ranks2[i] = MPI_PROC_NULL;
            continue;
        }
        if (ranks1[i] < 0 || ranks1[i] >= g1->size) {
            return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_RANK, fn, "rank %d not in group 1 (size %d)",
                                 ranks1[i], g1->size);
        }
        ranks2[i] = MPI_UNDEFINED;
        for (j = 0; j < g2->size; j++) {
            if (g2->world[j] == g1->world[ranks1[i]]) {
                ranks2[i] = j;
                break;
            }
        }
    }
    return MPI_SUCCESS;
}
DWCP_WEAK(Group_translate_ranks)

/* MPI_IDENT if same members in the same order, MPI_SIMILAR if same members, else UNEQUAL. */
int dwcp_group_compare(const dwcp_group_t *a, const dwcp_group_t *b)
{
    int i, j, same_order = 1;
    if (a->size != b->size) {
        return MPI_UNEQUAL;
    }
    for (i = 0; i < a->size; i++) {
        if (a->world[i] != b->world[i]) {
            same_order = 0;
            break;
        }
    }
    if (same_order) {
        return MPI_IDENT;
    }
    for (i = 0; i < a->size; i++) {
        for (j = 0; j < b->size && b->world[j] != a->world[i]; j++) {
        }
        if (j == b->size) {
            return MPI_UNEQUAL;
        }
    }
    return MPI_SIMILAR;
}

int PMPI_Group_compare(MPI_Group group1, MPI_Group group2, int *result)
{
    dwcp_group_t *g1, *g2;
    DWCP_CHECK_INIT("MPI_Group_compare");
    int rc = get_group("MPI_Group_compare", group1, &g1);
    if (rc == MPI_SUCCESS) {
        rc = get_group("MPI_Group_compare", group2, &g2);
    }
    if (rc != MPI_SUCCESS) {
        return rc;
    }
    if (result == NULL) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_ARG, "MPI_Group_compare", "NULL result");
    }
    *result = dwcp_group_compare(g1, g2);
    return MPI_SUCCESS;
}
DWCP_WEAK(Group_compare)

int PMPI_Comm_compare(MPI_Comm comm1, MPI_Comm comm2, int *result)
{
    DWCP_CHECK_INIT("MPI_Comm_compare");
    DWCP_GET_COMM("MPI_Comm_compare", comm1, c1);
    DWCP_GET_COMM("MPI_Comm_compare", comm2, c2);
    if (result == NULL) {
        return dwcp_err_comm(comm1, MPI_ERR_ARG, "MPI_Comm_compare", "NULL result");
    }
    if (c1 == c2) {
        *result = MPI_IDENT;
        return MPI_SUCCESS;
    }
    if ((c1->remote == NULL) != (c2->remote == NULL)) {
        *result = MPI_UNEQUAL;
        return MPI_SUCCESS;
    }
    int r = dwcp_group_compare(c1->group, c2->group);
    if (r != MPI_UNEQUAL && c1->remote != NULL) {
        int r2 = dwcp_group_compare(c1->remote, c2->remote);
        r = r2 == MPI_UNEQUAL ? MPI_UNEQUAL : (r == MPI_IDENT && r2 == MPI_IDENT ? MPI_IDENT : MPI_SIMILAR);
    }
    *result = r == MPI_IDENT ? MPI_CONGRUENT : r;
    return MPI_SUCCESS;
}
DWCP_WEAK(Comm_compare)

/* ---- Communicator attributes -------------------------------------------------------------- */

int PMPI_Comm_create_keyval(MPI_Comm_copy_attr_function *comm_copy_attr_fn,
                            MPI_Comm_delete_attr_function *comm_delete_attr_fn, int *comm_keyval,
                            void *extra_state)
{
    DWCP_CHECK_INIT("MPI_Comm_create_keyval");
    if (comm_keyval == NULL) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_ARG, "MPI_Comm_create_keyval", "NULL keyval");
    }
    int rc = dwcp_keyval_create(DWCP_KIND_COMM, (void (*)(void))comm_copy_attr_fn,
                                (void (*)(void))comm_delete_attr_fn, extra_state, comm_keyval);
    return rc == MPI_SUCCESS ? rc : dwcp_err_comm(MPI_COMM_WORLD, rc, "MPI_Comm_create_keyval", "failed");
}
DWCP_WEAK(Comm_create_keyval)

int PMPI_Comm_free_keyval(int *comm_keyval)
{
    DWCP_CHECK_INIT("MPI_Comm_free_keyval");
    if (comm_keyval == NULL) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_ARG, "MPI_Comm_free_keyval", "NULL keyval");
    }
    int rc = dwcp_keyval_free(DWCP_KIND_COMM, comm_keyval);
    return rc == MPI_SUCCESS ? rc : dwcp_err_comm(MPI_COMM_WORLD, rc, "MPI_Comm_free_keyval",
                                                  "invalid keyval %d", *comm_keyval);
}
DWCP_WEAK(Comm_free_keyval)

int PMPI_Comm_set_attr(MPI_Comm comm, int comm_keyval, void *attribute_val)
{
    DWCP_CHECK_INIT("MPI_Comm_set_attr");
    DWCP_GET_COMM("MPI_Comm_set_attr", comm, c);
    int rc = dwcp_attr_set(DWCP_KIND_COMM, comm, &c->attrs, comm_keyval, attribute_val);
    return rc == MPI_SUCCESS ? rc : dwcp_err_comm(comm, rc, "MPI_Comm_set_attr",
                                                  "keyval %d", comm_keyval);
}
DWCP_WEAK(Comm_set_attr)

int PMPI_Comm_get_attr(MPI_Comm comm, int comm_keyval, void *attribute_val, int *flag)
{
    DWCP_CHECK_INIT("MPI_Comm_get_attr");
    DWCP_GET_COMM("MPI_Comm_get_attr", comm, c);
    if (attribute_val == NULL || flag == NULL) {
        return dwcp_err_comm(comm, MPI_ERR_ARG, "MPI_Comm_get_attr", "NULL argument");
    }
    int rc = dwcp_attr_get(DWCP_KIND_COMM, comm, c->attrs, comm_keyval, (void **)attribute_val,
                           flag);
    return rc == MPI_SUCCESS ? rc : dwcp_err_comm(comm, rc, "MPI_Comm_get_attr",
                                                  "invalid keyval %d", comm_keyval);
}
DWCP_WEAK(Comm_get_attr)

int PMPI_Comm_delete_attr(MPI_Comm comm, int comm_keyval)
{
    DWCP_CHECK_INIT("MPI_Comm_delete_attr");
    DWCP_GET_COMM("MPI_Comm_delete_attr", comm, c);
    int rc = dwcp_attr_delete(DWCP_KIND_COMM, comm, &c->attrs, comm_keyval);
    return rc == MPI_SUCCESS ? rc : dwcp_err_comm(comm, rc, "MPI_Comm_delete_attr",
                                                  "keyval %d", comm_keyval);
}
DWCP_WEAK(Comm_delete_attr)

/* MPI-1 names of the same operations. */
int PMPI_Keyval_create(MPI_Copy_function *copy_fn, MPI_Delete_function *delete_fn, int *keyval,
                       void *extra_state)
{
    return PMPI_Comm_create_keyval(copy_fn, delete_fn, keyval, extra_state);
}
DWCP_WEAK(Keyval_create)

int PMPI_Keyval_free(int *keyval)
{
    return PMPI_Comm_free_keyval(keyval);
}
DWCP_WEAK(Keyval_free)

int PMPI_Attr_put(MPI_Comm comm, int keyval, void *attribute_val)
{
    return PMPI_Comm_set_attr(comm, keyval, attribute_val);
}
DWCP_WEAK(Attr_put)

int PMPI_Attr_get(MPI_Comm comm, int keyval, void *attribute_val, int *flag)
{
    return PMPI_Comm_get_attr(comm, keyval, attribute_val, flag);
}
DWCP_WEAK(Attr_get)

int PMPI_Attr_delete(MPI_Comm comm, int keyval)
{
    return PMPI_Comm_delete_attr(comm, keyval);
}
DWCP_WEAK(Attr_delete)
