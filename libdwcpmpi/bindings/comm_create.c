/* Communicator creation and destruction bindings. */
#include <stdlib.h>
#include <string.h>

#include "dwcp_attr.h"
#include "dwcp_bind.h"
#include "dwcp_comm.h"
#include "dwcp_info.h"

int dwcp_group_publish(dwcp_group_t *g, MPI_Group *out);

static int fail(const char *fn, MPI_Comm comm, dwcs_status_t st)
{
    return dwcp_err_comm(comm, dwcp_status_to_class(st), fn, "%s", dwcs_status_string(st));
}

/*
 * What a dup adds to the bare communicator: attributes (copy callbacks), hints (@p info, or
 * the parent's when NULL), topology. On failure @p n is destroyed and an MPI error class is
 * returned.
 */
static int dup_decorate(MPI_Comm comm, dwcp_comm_t *c, dwcp_info_t *info, dwcp_comm_t *n)
{
    int rc = dwcp_attr_copy_all(DWCP_KIND_COMM, comm, c->attrs, &n->attrs);
    if (rc != MPI_SUCCESS) {
        dwcp_attr_delete_all(DWCP_KIND_COMM, n->handle, &n->attrs);
        dwcp_ctx_release(n->ctx);
        dwcp_comm_release(n);
        return rc;
    }
    dwcp_info_t *src = info ? info : dwcp_info_get(c->info);
    if (src != NULL) {
        dwcp_info_t *d = dwcp_info_clone(src);
        n->info = d ? d->handle : MPI_INFO_NULL;
    }
    if (c->topo != NULL && dwcp_topo_dup_hook != NULL) {
        dwcp_topo_dup_hook(c, n);
    }
    return MPI_SUCCESS;
}

/* Dup with attribute copying; @p info (may be NULL) becomes the new communicator's hints. */
static int dup_common(const char *fn, MPI_Comm comm, dwcp_info_t *info, MPI_Comm *newcomm)
{
    DWCP_CHECK_INIT(fn);
    DWCP_GET_COMM(fn, comm, c);
    if (newcomm == NULL) {
        return dwcp_err_comm(comm, MPI_ERR_ARG, fn, "NULL newcomm");
    }
    dwcp_comm_t *n;
    dwcs_status_t st = dwcp_comm_dup(c, &n);
    if (st != DWCS_OK) {
        return fail(fn, comm, st);
    }
    int rc = dup_decorate(comm, c, info, n);
    if (rc != MPI_SUCCESS) {
        return dwcp_err_comm(comm, rc, fn, "an attribute copy callback failed");
    }
    *newcomm = n->handle;
    return MPI_SUCCESS;
}

void (*dwcp_topo_dup_hook)(dwcp_comm_t *from, dwcp_comm_t *to);

int PMPI_Comm_dup(MPI_Comm comm, MPI_Comm *newcomm)
{
    return dup_common("MPI_Comm_dup", comm, NULL, newcomm);
}
DWCP_WEAK(Comm_dup)

/* The hints of a *_with_info call: MPI_INFO_NULL means "no hints" (not the parent's). */
static int info_arg(const char *fn, MPI_Comm comm, MPI_Info info, dwcp_info_t **out)
{
    static dwcp_info_t empty;
    *out = dwcp_info_get(info);
    if (*out == NULL && info != MPI_INFO_NULL) {
        return dwcp_err_comm(comm, MPI_ERR_INFO, fn, "invalid info");
    }
    if (*out == NULL) {
        *out = &empty;
    }
    return MPI_SUCCESS;
}

int PMPI_Comm_dup_with_info(MPI_Comm comm, MPI_Info info, MPI_Comm *newcomm)
{
    dwcp_info_t *i;
    int rc = info_arg("MPI_Comm_dup_with_info", comm, info, &i);
    if (rc != MPI_SUCCESS) {
        return rc;
    }
    return dup_common("MPI_Comm_dup_with_info", comm, i, newcomm);
}
DWCP_WEAK(Comm_dup_with_info)

/*
 * MPI_Comm_idup: the context-id agreement runs in the progress engine (ctxid.c) while the
 * program does other things; the communicator is built, its attributes copied and *newcomm
 * written when the request is first found complete.
 */
typedef struct idup {
    dwcp_comm_t *parent;     /* referenced until completion */
    MPI_Comm parent_handle;
    dwcp_ctxop_t *op;
    dwcp_info_t *info;       /* clone of the hints to set, or NULL for the parent's */
    int use_info;
    MPI_Comm *newcomm;
    int finished;
} idup_t;

static void idup_cleanup(dwcp_req_t *r)
{
    idup_t *d = r->extra;
    if (d == NULL) {
        return;
    }
    dwcp_ctxop_free(d->op);
    if (d->info != NULL) {
        dwcp_info_destroy(d->info);
    }
    dwcp_comm_release(d->parent);
    free(d);
    r->extra = NULL;
}

static int idup_poll(dwcp_req_t *r)
{
    idup_t *d = r->extra;
    if (d == NULL || d->finished) {
        return 1;
    }
    if (!dwcp_ctxop_test(d->op)) {
        return 0;
    }
    d->finished = 1;
    dwcp_comm_t *n = NULL;
    dwcs_status_t st = dwcp_comm_dup_finish(d->parent, d->op, &n);
    d->op = NULL;
    int rc = st == DWCS_OK ? MPI_SUCCESS : dwcp_status_to_class(st);
    if (rc == MPI_SUCCESS) {
        static dwcp_info_t empty;
        rc = dup_decorate(d->parent_handle, d->parent, d->use_info ? (d->info ? d->info : &empty)
                                                                    : NULL, n);
    }
    *d->newcomm = rc == MPI_SUCCESS ? n->handle : MPI_COMM_NULL;
    r->status.MPI_ERROR = rc;
    return 1;
}

static int idup_common(const char *fn, MPI_Comm comm, MPI_Info info, int use_info,
                       MPI_Comm *newcomm, MPI_Request *request)
{
    DWCP_CHECK_INIT(fn);
    DWCP_GET_COMM(fn, comm, c);
    if (newcomm == NULL || request == NULL) {
        return dwcp_err_comm(comm, MPI_ERR_ARG, fn, "NULL %s", newcomm ? "request" : "newcomm");
    }
    dwcp_info_t *hints = NULL;
    if (use_info) {
        int rc = info_arg(fn, comm, info, &hints);
        if (rc != MPI_SUCCESS) {
            return rc;
        }
        /* the caller may free its info before completion: keep a copy */
        hints = info != MPI_INFO_NULL ? dwcp_info_clone(hints) : NULL;
        if (info != MPI_INFO_NULL && hints == NULL) {
            return dwcp_err_comm(comm, MPI_ERR_NO_MEM, fn, "no memory");
        }
    }
    idup_t *d = calloc(1, sizeof(*d));
    dwcp_req_t *r = dwcp_req_alloc(DWCP_REQ_COLL);
    if (d == NULL || r == NULL) {
        free(d);
        dwcp_req_free(r);
        if (hints != NULL) {
            dwcp_info_destroy(hints);
        }
        return dwcp_err_comm(comm, MPI_ERR_NO_MEM, fn, "no memory");
    }
    d->parent = c;
    c->refcount++;
    d->parent_handle = comm;
    d->info = hints;
    d->use_info = use_info;
    d->newcomm = newcomm;
    r->extra = d;
    r->cleanup = idup_cleanup;
    r->comm = c;
    dwcs_status_t st = dwcp_comm_dup_start(c, &d->op);
    if (st == DWCS_OK) {
        r->poll = idup_poll;
        st = dwcp_req_publish(r, request);
    }
    if (st != DWCS_OK) {
        dwcp_req_free(r);
        return fail(fn, comm, st);
    }
    return MPI_SUCCESS;
}

int PMPI_Comm_idup(MPI_Comm comm, MPI_Comm *newcomm, MPI_Request *request)
{
    return idup_common("MPI_Comm_idup", comm, MPI_INFO_NULL, 0, newcomm, request);
}
DWCP_WEAK(Comm_idup)

int PMPI_Comm_idup_with_info(MPI_Comm comm, MPI_Info info, MPI_Comm *newcomm,
                             MPI_Request *request)
{
    return idup_common("MPI_Comm_idup_with_info", comm, info, 1, newcomm, request);
}
DWCP_WEAK(Comm_idup_with_info)

int PMPI_Comm_split(MPI_Comm comm, int color, int key, MPI_Comm *newcomm)
{
    const char *fn = "MPI_Comm_split";
    DWCP_CHECK_INIT(fn);
    DWCP_GET_COMM(fn, comm, c);
    if (newcomm == NULL) {
        return dwcp_err_comm(comm, MPI_ERR_ARG, fn, "NULL newcomm");
    }
    if (color < 0 && color != MPI_UNDEFINED) {
        return dwcp_err_comm(comm, MPI_ERR_ARG, fn, "invalid color %d", color);
    }
    dwcp_comm_t *n;
    dwcs_status_t st = c->remote != NULL ? dwcp_intercomm_split(c, color, key, &n)
                                         : dwcp_comm_split(c, color, key, &n);
    if (st != DWCS_OK) {
        return fail(fn, comm, st);
    }
    *newcomm = n ? n->handle : MPI_COMM_NULL;
    return MPI_SUCCESS;
}
DWCP_WEAK(Comm_split)

int PMPI_Comm_split_type(MPI_Comm comm, int split_type, int key, MPI_Info info,
                         MPI_Comm *newcomm)
{
    const char *fn = "MPI_Comm_split_type";
    DWCP_CHECK_INIT(fn);
    DWCP_GET_COMM(fn, comm, c);
    int color;
    const char *level = NULL;
    dwcp_info_t *in = dwcp_info_get(info);
    if (in == NULL && info != MPI_INFO_NULL) {
        return dwcp_err_comm(comm, MPI_ERR_INFO, fn, "invalid info");
    }
    if (newcomm == NULL) {
        return dwcp_err_comm(comm, MPI_ERR_ARG, fn, "NULL newcomm");
    }
    if (c->remote != NULL) {
        return dwcp_err_comm(comm, MPI_ERR_COMM, fn, "an intracommunicator is required");
    }
    if (split_type == MPI_UNDEFINED) {
        color = MPI_UNDEFINED;
    } else if (split_type == MPI_COMM_TYPE_SHARED) {
        color = dwcp_g.node_of[dwcp_g.rank];
    } else if (split_type == DWCP_COMM_TYPE_SITE) {
        color = dwcp_g.site_of[dwcp_g.rank];
    } else if (split_type == MPI_COMM_TYPE_HW_GUIDED) {
        /* no key, or a resource type we do not know: MPI_COMM_NULL (MPI-4.0 7.4.2) */
        level = in != NULL ? dwcp_info_lookup(in, "mpi_hw_resource_type") : NULL;
        color = dwcp_comm_hw_color(level);
    } else if (split_type == MPI_COMM_TYPE_HW_UNGUIDED) {
        dwcs_status_t st = dwcp_comm_hw_unguided(c, &color, &level);
        if (st != DWCS_OK) {
            return fail(fn, comm, st);
        }
    } else {
        return dwcp_err_comm(comm, MPI_ERR_ARG, fn, "unknown split type %d", split_type);
    }
    dwcp_comm_t *n;
    dwcs_status_t st = dwcp_comm_split(c, color, key, &n);
    if (st != DWCS_OK) {
        return fail(fn, comm, st);
    }
    *newcomm = n ? n->handle : MPI_COMM_NULL;
    if (n != NULL && level != NULL) {
        /* report the resource type used, on the new communicator and (UNGUIDED) to the caller */
        dwcp_info_t *h = dwcp_info_new();
        if (h != NULL && dwcp_info_set(h, "mpi_hw_resource_type", level) == DWCS_OK) {
            n->info = h->handle;
        } else if (h != NULL) {
            dwcp_info_destroy(h);
        }
        if (split_type == MPI_COMM_TYPE_HW_UNGUIDED && in != NULL) {
            dwcp_info_set(in, "mpi_hw_resource_type", level);
        }
    }
    return MPI_SUCCESS;
}
DWCP_WEAK(Comm_split_type)

static int get_group(const char *fn, MPI_Comm comm, MPI_Group h, dwcp_group_t **g)
{
    *g = dwcp_htab_get(&dwcp_g.groups, h);
    if (*g == NULL) {
        return dwcp_err_comm(comm, MPI_ERR_GROUP, fn, "invalid group");
    }
    return MPI_SUCCESS;
}

/* Is every member of @p g in @p c's group? */
static int subset(const dwcp_group_t *g, const dwcp_comm_t *c)
{
    int i, j;
    for (i = 0; i < g->size; i++) {
        for (j = 0; j < c->group->size && c->group->world[j] != g->world[i]; j++) {
        }
        if (j == c->group->size) {
            return 0;
        }
    }
    return 1;
}

int PMPI_Comm_create(MPI_Comm comm, MPI_Group group, MPI_Comm *newcomm)
{
    const char *fn = "MPI_Comm_create";
    dwcp_group_t *g;
    DWCP_CHECK_INIT(fn);
    DWCP_GET_COMM(fn, comm, c);
    int rc = get_group(fn, comm, group, &g);
    if (rc != MPI_SUCCESS) {
        return rc;
    }
    if (newcomm == NULL) {
        return dwcp_err_comm(comm, MPI_ERR_ARG, fn, "NULL newcomm");
    }
    if (!subset(g, c)) {
        return dwcp_err_comm(comm, MPI_ERR_GROUP, fn, "group is not a subset of the communicator");
    }
    /* Collective over comm: a split where non-members pass MPI_UNDEFINED and the order is the
     * group's. MPI-2.2 lets disjoint subgroups be passed by different processes: the color is
     * the group's lowest member (its parent rank), the same for all of one group and different
     * between disjoint groups. On an intercommunicator the local groups are split and joined
     * (MPI-3.1 6.4.2); a side with an empty group gives MPI_COMM_NULL everywhere. */
    dwcp_comm_t *n = NULL;
    int color = MPI_UNDEFINED, i, j;
    if (g->rank != MPI_UNDEFINED) {
        for (i = 0; i < g->size; i++) {
            for (j = 0; j < c->group->size && c->group->world[j] != g->world[i]; j++) {
            }
            if (color == MPI_UNDEFINED || j < color) {
                color = j;
            }
        }
        if (c->remote != NULL) {
            color = 0;
        }
    }
    dwcs_status_t st = c->remote != NULL ? dwcp_intercomm_split(c, color, g->rank, &n)
                                         : dwcp_comm_split(c, color, g->rank, &n);
    if (st != DWCS_OK) {
        return fail(fn, comm, st);
    }
    *newcomm = n ? n->handle : MPI_COMM_NULL;
    return MPI_SUCCESS;
}
DWCP_WEAK(Comm_create)

int PMPI_Comm_create_group(MPI_Comm comm, MPI_Group group, int tag, MPI_Comm *newcomm)
{
    const char *fn = "MPI_Comm_create_group";
    dwcp_group_t *g;
    DWCP_CHECK_INIT(fn);
    DWCP_GET_COMM(fn, comm, c);
    int rc = get_group(fn, comm, group, &g);
    if (rc != MPI_SUCCESS) {
        return rc;
    }
    if (newcomm == NULL) {
        return dwcp_err_comm(comm, MPI_ERR_ARG, fn, "NULL newcomm");
    }
    if (tag < 0 || tag > DWCP_TAG_UB) {
        return dwcp_err_comm(comm, MPI_ERR_TAG, fn, "invalid tag %d", tag);
    }
    if (!subset(g, c)) {
        return dwcp_err_comm(comm, MPI_ERR_GROUP, fn, "group is not a subset of the communicator");
    }
    dwcp_comm_t *n;
    dwcs_status_t st = dwcp_comm_create_group(c, g, tag, &n);
    if (st != DWCS_OK) {
        return fail(fn, comm, st);
    }
    *newcomm = n ? n->handle : MPI_COMM_NULL;
    return MPI_SUCCESS;
}
DWCP_WEAK(Comm_create_group)

int PMPI_Comm_free(MPI_Comm *comm)
{
    const char *fn = "MPI_Comm_free";
    DWCP_CHECK_INIT(fn);
    if (comm == NULL) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_ARG, fn, "NULL argument");
    }
    if (*comm == MPI_COMM_WORLD || *comm == MPI_COMM_SELF) {
        return dwcp_err_comm(*comm, MPI_ERR_COMM, fn, "predefined communicators cannot be freed");
    }
    DWCP_GET_COMM(fn, *comm, c);
    int rc = dwcp_attr_delete_all(DWCP_KIND_COMM, *comm, &c->attrs);
    if (rc != MPI_SUCCESS) {
        return dwcp_err_comm(*comm, rc, fn, "an attribute delete callback failed");
    }
    dwcp_info_destroy(dwcp_info_get(c->info));
    c->info = MPI_INFO_NULL;
    /* Operations still pending on it (an idup of it, a nonblocking collective) hold references
     * and keep using its context: the id returns to the pool with the last reference. */
    if (c->refcount > 1) {
        c->ctx_release_late = 1;
    } else {
        dwcp_ctx_release(c->ctx);
    }
    dwcp_htab_remove(&dwcp_g.comms, c->handle);
    c->handle = MPI_COMM_NULL;
    dwcp_comm_release(c);
    *comm = MPI_COMM_NULL;
    return MPI_SUCCESS;
}
DWCP_WEAK(Comm_free)

int PMPI_Comm_set_info(MPI_Comm comm, MPI_Info info)
{
    const char *fn = "MPI_Comm_set_info";
    DWCP_CHECK_INIT(fn);
    DWCP_GET_COMM(fn, comm, c);
    dwcp_info_t *i = dwcp_info_get(info);
    if (i == NULL) {
        return dwcp_err_comm(comm, MPI_ERR_INFO, fn, "invalid info");
    }
    dwcp_info_t *d = dwcp_info_clone(i);
    if (d == NULL) {
        return dwcp_err_comm(comm, MPI_ERR_NO_MEM, fn, "no memory");
    }
    dwcp_info_destroy(dwcp_info_get(c->info));
    c->info = d->handle;
    return MPI_SUCCESS;
}
DWCP_WEAK(Comm_set_info)

int PMPI_Comm_get_info(MPI_Comm comm, MPI_Info *info_used)
{
    const char *fn = "MPI_Comm_get_info";
    DWCP_CHECK_INIT(fn);
    DWCP_GET_COMM(fn, comm, c);
    if (info_used == NULL) {
        return dwcp_err_comm(comm, MPI_ERR_ARG, fn, "NULL argument");
    }
    dwcp_info_t *d = dwcp_info_clone(dwcp_info_get(c->info));
    if (d == NULL) {
        return dwcp_err_comm(comm, MPI_ERR_NO_MEM, fn, "no memory");
    }
    *info_used = d->handle;
    return MPI_SUCCESS;
}
DWCP_WEAK(Comm_get_info)

int PMPI_Comm_remote_size(MPI_Comm comm, int *size)
{
    const char *fn = "MPI_Comm_remote_size";
    DWCP_CHECK_INIT(fn);
    DWCP_GET_COMM(fn, comm, c);
    if (c->remote == NULL) {
        return dwcp_err_comm(comm, MPI_ERR_COMM, fn, "not an intercommunicator");
    }
    if (size == NULL) {
        return dwcp_err_comm(comm, MPI_ERR_ARG, fn, "NULL argument");
    }
    *size = c->remote->size;
    return MPI_SUCCESS;
}
DWCP_WEAK(Comm_remote_size)

int PMPI_Comm_remote_group(MPI_Comm comm, MPI_Group *group)
{
    const char *fn = "MPI_Comm_remote_group";
    DWCP_CHECK_INIT(fn);
    DWCP_GET_COMM(fn, comm, c);
    if (c->remote == NULL) {
        return dwcp_err_comm(comm, MPI_ERR_COMM, fn, "not an intercommunicator");
    }
    if (group == NULL) {
        return dwcp_err_comm(comm, MPI_ERR_ARG, fn, "NULL argument");
    }
    dwcp_group_t *g = dwcp_group_create(c->remote->size, c->remote->world);
    if (g == NULL || dwcp_group_publish(g, group) != MPI_SUCCESS) {
        dwcp_group_release(g);
        return dwcp_err_comm(comm, MPI_ERR_NO_MEM, fn, "no memory");
    }
    return MPI_SUCCESS;
}
DWCP_WEAK(Comm_remote_group)

int PMPI_Intercomm_create(MPI_Comm local_comm, int local_leader, MPI_Comm peer_comm,
                          int remote_leader, int tag, MPI_Comm *newintercomm)
{
    const char *fn = "MPI_Intercomm_create";
    DWCP_CHECK_INIT(fn);
    DWCP_GET_COMM(fn, local_comm, lc);
    if (newintercomm == NULL) {
        return dwcp_err_comm(local_comm, MPI_ERR_ARG, fn, "NULL newintercomm");
    }
    if (lc->remote != NULL) {
        return dwcp_err_comm(local_comm, MPI_ERR_COMM, fn, "local_comm must be an intracommunicator");
    }
    if (local_leader < 0 || local_leader >= lc->size) {
        return dwcp_err_comm(local_comm, MPI_ERR_RANK, fn, "invalid local leader %d", local_leader);
    }
    if (tag < 0 || tag > DWCP_TAG_UB) {
        return dwcp_err_comm(local_comm, MPI_ERR_TAG, fn, "invalid tag %d", tag);
    }
    dwcp_comm_t *pc = NULL;
    if (lc->rank == local_leader) {
        pc = dwcp_comm_get(peer_comm);
        if (pc == NULL) {
            return dwcp_err_comm(local_comm, MPI_ERR_COMM, fn, "invalid peer communicator");
        }
        if (remote_leader < 0 || remote_leader >= dwcp_comm_peer_size(pc)) {
            return dwcp_err_comm(local_comm, MPI_ERR_RANK, fn, "invalid remote leader %d",
                                 remote_leader);
        }
    }
    dwcp_comm_t *n;
    dwcs_status_t st = dwcp_intercomm_create(lc, local_leader, pc, remote_leader, tag, &n);
    if (st != DWCS_OK) {
        return fail(fn, local_comm, st);
    }
    *newintercomm = n->handle;
    return MPI_SUCCESS;
}
DWCP_WEAK(Intercomm_create)

int PMPI_Intercomm_merge(MPI_Comm intercomm, int high, MPI_Comm *newintracomm)
{
    const char *fn = "MPI_Intercomm_merge";
    DWCP_CHECK_INIT(fn);
    DWCP_GET_COMM(fn, intercomm, c);
    if (c->remote == NULL) {
        return dwcp_err_comm(intercomm, MPI_ERR_COMM, fn, "not an intercommunicator");
    }
    if (newintracomm == NULL) {
        return dwcp_err_comm(intercomm, MPI_ERR_ARG, fn, "NULL newintracomm");
    }
    dwcp_comm_t *n;
    dwcs_status_t st = dwcp_intercomm_merge(c, high, &n);
    if (st != DWCS_OK) {
        return fail(fn, intercomm, st);
    }
    *newintracomm = n->handle;
    return MPI_SUCCESS;
}
DWCP_WEAK(Intercomm_merge)
