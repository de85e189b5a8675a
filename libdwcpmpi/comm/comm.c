/*
 * Communicators and groups: the predefined ones and the shared object lifecycle.
 * Context ids: MPI_COMM_WORLD uses 0 (and 1 for its collectives), MPI_COMM_SELF 2 (3); new
 * communicators get ids from the allocator in the communicator-creation module.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dwcp_comm.h"

static dwcp_group_t group_empty;

dwcp_group_t *dwcp_group_create(int size, const int *world)
{
    dwcp_group_t *g = calloc(1, sizeof(*g));
    int i;
    if (g == NULL) {
        return NULL;
    }
    g->world = malloc((size_t)(size > 0 ? size : 1) * sizeof(int));
    if (g->world == NULL) {
        free(g);
        return NULL;
    }
    g->size = size;
    g->rank = MPI_UNDEFINED;
    g->refcount = 1;
    g->handle = MPI_GROUP_NULL;
    for (i = 0; i < size; i++) {
        g->world[i] = world ? world[i] : i;
        if (g->world[i] == dwcp_g.rank) {
            g->rank = i;
        }
    }
    return g;
}

void dwcp_group_release(dwcp_group_t *g)
{
    if (g == NULL || g == &group_empty || --g->refcount > 0) {
        return;
    }
    if (g->handle != MPI_GROUP_NULL) {
        dwcp_htab_remove(&dwcp_g.groups, g->handle);
    }
    free(g->world);
    free(g);
}

static dwcp_comm_t *comm_new(dwcp_group_t *g, uint32_t ctx, const char *name)
{
    dwcp_comm_t *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        return NULL;
    }
    c->refcount = 1;
    c->ctx = ctx;
    c->group = g;
    c->rank = g->rank;
    c->size = g->size;
    c->errhandler = MPI_ERRORS_ARE_FATAL;
    c->info = MPI_INFO_NULL;
    snprintf(c->name, sizeof(c->name), "%s", name);
    return c;
}

dwcs_status_t dwcp_comm_init_predefined(void)
{
    int me = dwcp_g.rank;
    dwcp_htab_init(&dwcp_g.comms, DWCP_KIND_COMM, 3);
    dwcp_htab_init(&dwcp_g.groups, DWCP_KIND_GROUP, 2);
    memset(&group_empty, 0, sizeof(group_empty));
    group_empty.handle = MPI_GROUP_EMPTY;
    group_empty.refcount = 1;
    group_empty.rank = MPI_UNDEFINED;
    dwcp_htab_set(&dwcp_g.groups, 1, &group_empty);

    dwcp_group_t *gw = dwcp_group_create(dwcp_g.size, NULL);
    dwcp_group_t *gs = dwcp_group_create(1, &me);
    if (gw == NULL || gs == NULL) {
        dwcp_group_release(gw);
        dwcp_group_release(gs);
        return DWCS_ERR_NO_MEMORY;
    }
    dwcp_g.world = comm_new(gw, 0, "MPI_COMM_WORLD");
    dwcp_g.self = comm_new(gs, 2, "MPI_COMM_SELF");
    if (dwcp_g.world == NULL || dwcp_g.self == NULL) {
        return DWCS_ERR_NO_MEMORY;
    }
    dwcp_g.world->handle = MPI_COMM_WORLD;
    dwcp_g.self->handle = MPI_COMM_SELF;
    dwcp_g.world->site_of = malloc((size_t)dwcp_g.size * sizeof(int));
    if (dwcp_g.world->site_of != NULL) {
        memcpy(dwcp_g.world->site_of, dwcp_g.site_of, (size_t)dwcp_g.size * sizeof(int));
    }
    dwcp_htab_set(&dwcp_g.comms, 1, dwcp_g.world);
    dwcp_htab_set(&dwcp_g.comms, 2, dwcp_g.self);
    dwcp_g.next_ctx = 4;
    return DWCS_OK;
}

/* Functions of modules that hang state on communicators (topologies, collectives). */
#define MAX_FREE_HOOKS 8
static void (*free_hooks[MAX_FREE_HOOKS])(dwcp_comm_t *c);
static int nfree_hooks;

dwcs_status_t dwcp_comm_free_hook_add(void (*fn)(dwcp_comm_t *c))
{
    int i;
    for (i = 0; i < nfree_hooks; i++) {
        if (free_hooks[i] == fn) {
            return DWCS_OK;
        }
    }
    if (nfree_hooks == MAX_FREE_HOOKS) {
        return DWCS_ERR_OVERFLOW;
    }
    free_hooks[nfree_hooks++] = fn;
    return DWCS_OK;
}

void dwcp_comm_release(dwcp_comm_t *c)
{
    if (c == NULL || --c->refcount > 0) {
        return;
    }
    int i;
    for (i = nfree_hooks - 1; i >= 0; i--) {
        free_hooks[i](c);
    }
    if (c->handle != MPI_COMM_WORLD && c->handle != MPI_COMM_SELF &&
        c->handle != MPI_COMM_NULL) {
        dwcp_htab_remove(&dwcp_g.comms, c->handle);
    }
    if (c->ctx_release_late) {
        dwcp_ctx_release(c->ctx);
    }
    if (c->local != NULL) {
        dwcp_ctx_release(c->local->ctx);
        dwcp_comm_release(c->local);
    }
    dwcp_group_release(c->group);
    dwcp_group_release(c->remote);
    free(c->site_of);
    free(c);
}

void dwcp_comm_finalize(void)
{
    int i;
    /* MPI-3.1 8.7.1: attributes on MPI_COMM_SELF are deleted first, as if it were freed. */
    dwcp_attr_delete_all(DWCP_KIND_COMM, MPI_COMM_SELF, &dwcp_g.self->attrs);
    for (i = dwcp_g.comms.first_user; i < dwcp_g.comms.used; i++) {
        dwcp_comm_t *c = dwcp_g.comms.slots[i];
        if (c != NULL) { /* leaked by the program: release quietly */
            c->refcount = 1;
            dwcp_comm_release(c);
        }
    }
    dwcp_attr_delete_all(DWCP_KIND_COMM, MPI_COMM_WORLD, &dwcp_g.world->attrs);
    dwcp_g.self->refcount = 1;
    dwcp_g.world->refcount = 1;
    dwcp_comm_release(dwcp_g.self);
    dwcp_comm_release(dwcp_g.world);
    dwcp_g.self = dwcp_g.world = NULL;
    for (i = dwcp_g.groups.first_user; i < dwcp_g.groups.used; i++) {
        dwcp_group_t *g = dwcp_g.groups.slots[i];
        if (g != NULL) {
            g->refcount = 1;
            dwcp_group_release(g);
        }
    }
    dwcp_htab_fini(&dwcp_g.comms);
    dwcp_htab_fini(&dwcp_g.groups);
    dwcp_comm_hw_finalize();
}
