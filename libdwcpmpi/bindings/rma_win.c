/* Window bindings: creation, free, memory, group, name, info and attributes. */
#include <string.h>

#include "dwcp_attr.h"
#include "dwcp_bind.h"
#include "dwcp_info.h"
#include "dwcp_rma.h"

int dwcp_group_publish(dwcp_group_t *g, MPI_Group *out);

/* Common checks and the collective creation. */
static int create(const char *fn, int flavor, void *base, MPI_Aint size, int disp_unit,
                  MPI_Info info, MPI_Comm comm, void *baseptr, MPI_Win *win)
{
    DWCP_CHECK_INIT(fn);
    DWCP_GET_COMM(fn, comm, c);
    if (c->remote != NULL) {
        return dwcp_err_comm(comm, MPI_ERR_COMM, fn, "windows need an intracommunicator");
    }
    if (win == NULL) {
        return dwcp_err_comm(comm, MPI_ERR_ARG, fn, "NULL win");
    }
    if (size < 0) {
        return dwcp_err_comm(comm, MPI_ERR_SIZE, fn, "negative size %ld", (long)size);
    }
    if (disp_unit <= 0) {
        return dwcp_err_comm(comm, MPI_ERR_DISP, fn, "displacement unit %d is not positive",
                             disp_unit);
    }
    if (info != MPI_INFO_NULL && dwcp_info_get(info) == NULL) {
        return dwcp_err_comm(comm, MPI_ERR_INFO, fn, "invalid info handle");
    }
    if ((flavor == MPI_WIN_FLAVOR_ALLOCATE || flavor == MPI_WIN_FLAVOR_SHARED) &&
        baseptr == NULL) {
        return dwcp_err_comm(comm, MPI_ERR_ARG, fn, "NULL baseptr");
    }
    dwcp_win_t *w = NULL;
    int rc = dwcp_win_create(c, flavor, base, size, disp_unit, info, baseptr, &w);
    if (rc != MPI_SUCCESS) {
        return dwcp_err_comm(comm, rc, fn,
                             rc == MPI_ERR_RMA_SHARED
                                 ? "all ranks of a shared window must be on one host"
                                 : "window creation failed");
    }
    *win = w->handle;
    return MPI_SUCCESS;
}

int PMPI_Win_create(void *base, MPI_Aint size, int disp_unit, MPI_Info info, MPI_Comm comm,
                    MPI_Win *win)
{
    return create("MPI_Win_create", MPI_WIN_FLAVOR_CREATE, base, size, disp_unit, info, comm,
                  NULL, win);
}
DWCP_WEAK(Win_create)

int PMPI_Win_allocate(MPI_Aint size, int disp_unit, MPI_Info info, MPI_Comm comm, void *baseptr,
                      MPI_Win *win)
{
    return create("MPI_Win_allocate", MPI_WIN_FLAVOR_ALLOCATE, NULL, size, disp_unit, info, comm,
                  baseptr, win);
}
DWCP_WEAK(Win_allocate)

int PMPI_Win_allocate_shared(MPI_Aint size, int disp_unit, MPI_Info info, MPI_Comm comm,
                             void *baseptr, MPI_Win *win)
{
    return create("MPI_Win_allocate_shared", MPI_WIN_FLAVOR_SHARED, NULL, size, disp_unit, info,
                  comm, baseptr, win);
}
DWCP_WEAK(Win_allocate_shared)

int PMPI_Win_create_dynamic(MPI_Info info, MPI_Comm comm, MPI_Win *win)
{
    return create("MPI_Win_create_dynamic", MPI_WIN_FLAVOR_DYNAMIC, NULL, 0, 1, info, comm, NULL,
                  win);
}
DWCP_WEAK(Win_create_dynamic)

int PMPI_Win_shared_query(MPI_Win win, int rank, MPI_Aint *size, int *disp_unit, void *baseptr)
{
    const char *fn = "MPI_Win_shared_query";
    DWCP_CHECK_INIT(fn);
    DWCP_GET_WIN(fn, win, w);
    if (w->flavor != MPI_WIN_FLAVOR_SHARED) {
        return dwcp_err_win(win, MPI_ERR_RMA_FLAVOR, fn, "not a shared-memory window");
    }
    if (size == NULL || disp_unit == NULL || baseptr == NULL) {
        return dwcp_err_win(win, MPI_ERR_ARG, fn, "NULL output argument");
    }
    if (rank == MPI_PROC_NULL) { /* the lowest rank with a non-empty part */
        int r;
        for (r = 0; r < w->comm->size && w->rsize[r] == 0; r++) {
        }
        rank = r < w->comm->size ? r : 0;
    } else if (rank < 0 || rank >= w->comm->size) {
        return dwcp_err_win(win, MPI_ERR_RANK, fn, "rank %d not in [0, %d)", rank, w->comm->size);
    }
    *size = w->rsize[rank];
    *disp_unit = w->rdisp[rank];
    /* A rank that contributed no memory has no segment: NULL (MPI-4.0 11.2.3; MPICH and
     * its test rma/win_shared_noncontig_put rely on it), not an address inside another's. */
    *(void **)baseptr = w->shm != NULL && w->rsize[rank] > 0
                            ? (char *)w->shm + w->shm_off[rank]
                            : NULL;
    return MPI_SUCCESS;
}
DWCP_WEAK(Win_shared_query)

int PMPI_Win_attach(MPI_Win win, void *base, MPI_Aint size)
{
    const char *fn = "MPI_Win_attach";
    DWCP_CHECK_INIT(fn);
    DWCP_GET_WIN(fn, win, w);
    if (w->flavor != MPI_WIN_FLAVOR_DYNAMIC) {
        return dwcp_err_win(win, MPI_ERR_RMA_FLAVOR, fn, "not a dynamic window");
    }
    if (size < 0) {
        return dwcp_err_win(win, MPI_ERR_SIZE, fn, "negative size %ld", (long)size);
    }
    int rc = dwcp_win_attach(w, base, size);
    return rc == MPI_SUCCESS ? rc : dwcp_err_win(win, rc, fn, "cannot attach");
}
DWCP_WEAK(Win_attach)

int PMPI_Win_detach(MPI_Win win, const void *base)
{
    const char *fn = "MPI_Win_detach";
    DWCP_CHECK_INIT(fn);
    DWCP_GET_WIN(fn, win, w);
    if (w->flavor != MPI_WIN_FLAVOR_DYNAMIC) {
        return dwcp_err_win(win, MPI_ERR_RMA_FLAVOR, fn, "not a dynamic window");
    }
    int rc = dwcp_win_detach(w, base);
    return rc == MPI_SUCCESS ? rc
                             : dwcp_err_win(win, rc, fn, "%p is not an attached region", base);
}
DWCP_WEAK(Win_detach)

int PMPI_Win_free(MPI_Win *win)
{
    const char *fn = "MPI_Win_free";
    DWCP_CHECK_INIT(fn);
    if (win == NULL) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_ARG, fn, "NULL win");
    }
    DWCP_GET_WIN(fn, *win, w);
    if (w->lock_all || w->started || w->posted) {
        return dwcp_err_win(*win, MPI_ERR_RMA_SYNC, fn, "an epoch is still open");
    }
    int i;
    for (i = 0; i < w->comm->size; i++) {
        if (w->lock_type[i]) {
            return dwcp_err_win(*win, MPI_ERR_RMA_SYNC, fn, "the lock on rank %d is still held",
                                i);
        }
    }
    int rc = dwcp_attr_delete_all(DWCP_KIND_WIN, *win, &w->attrs);
    if (rc != MPI_SUCCESS) {
        return dwcp_err_win(*win, rc, fn, "an attribute delete callback failed");
    }
    MPI_Win h = *win;
    rc = dwcp_win_free(w);
    *win = MPI_WIN_NULL;
    if (rc != MPI_SUCCESS) {
        return dwcp_err_comm(MPI_COMM_WORLD, rc, fn, "freeing window %d failed", h);
    }
    return MPI_SUCCESS;
}
DWCP_WEAK(Win_free)

int PMPI_Win_get_group(MPI_Win win, MPI_Group *group)
{
    const char *fn = "MPI_Win_get_group";
    DWCP_CHECK_INIT(fn);
    DWCP_GET_WIN(fn, win, w);
    if (group == NULL) {
        return dwcp_err_win(win, MPI_ERR_ARG, fn, "NULL group");
    }
    dwcp_group_t *g = dwcp_group_create(w->comm->group->size, w->comm->group->world);
    if (g == NULL || dwcp_group_publish(g, group) != MPI_SUCCESS) {
        dwcp_group_release(g);
        return dwcp_err_win(win, MPI_ERR_NO_MEM, fn, "no memory");
    }
    return MPI_SUCCESS;
}
DWCP_WEAK(Win_get_group)

int PMPI_Win_set_name(MPI_Win win, const char *win_name)
{
    const char *fn = "MPI_Win_set_name";
    DWCP_CHECK_INIT(fn);
    DWCP_GET_WIN(fn, win, w);
    if (win_name == NULL) {
        return dwcp_err_win(win, MPI_ERR_ARG, fn, "NULL name");
    }
    strncpy(w->name, win_name, sizeof(w->name) - 1);
    w->name[sizeof(w->name) - 1] = '\0';
    return MPI_SUCCESS;
}
DWCP_WEAK(Win_set_name)

int PMPI_Win_get_name(MPI_Win win, char *win_name, int *resultlen)
{
    const char *fn = "MPI_Win_get_name";
    DWCP_CHECK_INIT(fn);
    DWCP_GET_WIN(fn, win, w);
    if (win_name == NULL || resultlen == NULL) {
        return dwcp_err_win(win, MPI_ERR_ARG, fn, "NULL argument");
    }
    strcpy(win_name, w->name);
    *resultlen = (int)strlen(w->name);
    return MPI_SUCCESS;
}
DWCP_WEAK(Win_get_name)

int PMPI_Win_set_info(MPI_Win win, MPI_Info info)
{
    const char *fn = "MPI_Win_set_info";
    DWCP_CHECK_INIT(fn);
    DWCP_GET_WIN(fn, win, w);
    dwcp_info_t *i = dwcp_info_get(info);
    if (i == NULL) {
        return dwcp_err_win(win, MPI_ERR_INFO, fn, "invalid info handle");
    }
    dwcp_info_kv_t *kv;
    for (kv = i->head; kv != NULL; kv = kv->next) {
        if (dwcp_info_set(w->info, kv->key, kv->value) != DWCS_OK) {
            return dwcp_err_win(win, MPI_ERR_NO_MEM, fn, "no memory");
        }
    }
    return MPI_SUCCESS;
}
DWCP_WEAK(Win_set_info)

int PMPI_Win_get_info(MPI_Win win, MPI_Info *info_used)
{
    const char *fn = "MPI_Win_get_info";
    DWCP_CHECK_INIT(fn);
    DWCP_GET_WIN(fn, win, w);
    if (info_used == NULL) {
        return dwcp_err_win(win, MPI_ERR_ARG, fn, "NULL info_used");
    }
    dwcp_info_t *d = dwcp_info_clone(w->info);
    if (d == NULL) {
        return dwcp_err_win(win, MPI_ERR_NO_MEM, fn, "no memory");
    }
    /* The window hints the standard defines (MPI-3.1 11.2.1), with their defaults when the
     * user set none: the values the window works under (it honours every setting). */
    static const char *const defaults[][2] = {
        {"no_locks", "false"},
        {"accumulate_ordering", "rar,raw,war,waw"},
        {"accumulate_ops", "same_op_no_op"},
        {"same_size", "false"},
        {"same_disp_unit", "false"},
        {"alloc_shared_noncontig", "false"},
    };
    size_t k;
    for (k = 0; k < sizeof(defaults) / sizeof(defaults[0]); k++) {
        if (k == 5 && w->flavor != MPI_WIN_FLAVOR_SHARED) {
            continue;
        }
        if (dwcp_info_lookup(d, defaults[k][0]) == NULL &&
            dwcp_info_set(d, defaults[k][0], defaults[k][1]) != DWCS_OK) {
            dwcp_info_destroy(d);
            return dwcp_err_win(win, MPI_ERR_NO_MEM, fn, "no memory");
        }
    }
    *info_used = d->handle;
    return MPI_SUCCESS;
}
DWCP_WEAK(Win_get_info)

int PMPI_Win_create_keyval(MPI_Win_copy_attr_function *win_copy_attr_fn,
                           MPI_Win_delete_attr_function *win_delete_attr_fn, int *win_keyval,
                           void *extra_state)
{
    const char *fn = "MPI_Win_create_keyval";
    DWCP_CHECK_INIT(fn);
    if (win_keyval == NULL) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_ARG, fn, "NULL keyval");
    }
    int rc = dwcp_keyval_create(DWCP_KIND_WIN, (void (*)(void))win_copy_attr_fn,
                                (void (*)(void))win_delete_attr_fn, extra_state, win_keyval);
    return rc == MPI_SUCCESS ? rc : dwcp_err_comm(MPI_COMM_WORLD, rc, fn, "no memory");
}
DWCP_WEAK(Win_create_keyval)

int PMPI_Win_free_keyval(int *win_keyval)
{
    const char *fn = "MPI_Win_free_keyval";
    DWCP_CHECK_INIT(fn);
    if (win_keyval == NULL) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_ARG, fn, "NULL keyval");
    }
    int rc = dwcp_keyval_free(DWCP_KIND_WIN, win_keyval);
    return rc == MPI_SUCCESS ? rc : dwcp_err_comm(MPI_COMM_WORLD, rc, fn, "invalid keyval");
}
DWCP_WEAK(Win_free_keyval)

int PMPI_Win_set_attr(MPI_Win win, int win_keyval, void *attribute_val)
{
    const char *fn = "MPI_Win_set_attr";
    DWCP_CHECK_INIT(fn);
    DWCP_GET_WIN(fn, win, w);
    int rc = dwcp_attr_set(DWCP_KIND_WIN, win, &w->attrs, win_keyval, attribute_val);
    return rc == MPI_SUCCESS ? rc : dwcp_err_win(win, rc, fn, "keyval %d", win_keyval);
}
DWCP_WEAK(Win_set_attr)

int PMPI_Win_get_attr(MPI_Win win, int win_keyval, void *attribute_val, int *flag)
{
    const char *fn = "MPI_Win_get_attr";
    DWCP_CHECK_INIT(fn);
    DWCP_GET_WIN(fn, win, w);
    if (attribute_val == NULL || flag == NULL) {
        return dwcp_err_win(win, MPI_ERR_ARG, fn, "NULL argument");
    }
    void **out = attribute_val;
    *flag = 1;
    switch (win_keyval) {
    case MPI_WIN_BASE: *out = w->base; return MPI_SUCCESS;
    case MPI_WIN_SIZE: *out = &w->size; return MPI_SUCCESS;
    case MPI_WIN_DISP_UNIT: *out = &w->disp_unit; return MPI_SUCCESS;
    case MPI_WIN_CREATE_FLAVOR: *out = &w->flavor; return MPI_SUCCESS;
    case MPI_WIN_MODEL: *out = &w->model; return MPI_SUCCESS;
    default: break;
    }
    int rc = dwcp_attr_get(DWCP_KIND_WIN, win, w->attrs, win_keyval, out, flag);
    return rc == MPI_SUCCESS ? rc : dwcp_err_win(win, rc, fn, "keyval %d", win_keyval);
}
DWCP_WEAK(Win_get_attr)

int PMPI_Win_delete_attr(MPI_Win win, int win_keyval)
{
    const char *fn = "MPI_Win_delete_attr";
    DWCP_CHECK_INIT(fn);
    DWCP_GET_WIN(fn, win, w);
    int rc = dwcp_attr_delete(DWCP_KIND_WIN, win, &w->attrs, win_keyval);
    return rc == MPI_SUCCESS ? rc : dwcp_err_win(win, rc, fn, "keyval %d", win_keyval);
}
DWCP_WEAK(Win_delete_attr)
