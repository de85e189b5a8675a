/*
 * rma_win.c — window objects: creation (create, allocate, allocate_shared, create_dynamic),
 * attach/detach and free.
 *
 * Creation duplicates the user's communicator (the window's private traffic and its wire id,
 * the new context id), registers the window for arriving frames, then allgathers every rank's
 * (base, size, disp_unit). Registration precedes the allgather, so once any rank leaves
 * creation every rank can already accept frames for the window.
 *
 * Shared windows: every member must be on this host. Rank 0 creates a POSIX shared memory
 * object with a unique name (/dwcp-win-<pid>-<ctx>-<n>), sized to the sum of the ranks' sizes,
 * and broadcasts the name; everyone maps it; after a barrier rank 0 unlinks the name, so
 * nothing is left behind even if the job dies later. Rank r's part starts at the sum of the
 * sizes of ranks below r (contiguous, as the standard's default requires).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dwcp_coll.h"
#include "dwcp_comm.h"
#include "dwcp_info.h"
#include "dwcp_rma.h"

void dwcp_errh_release(dwcp_errh_t *e);

static dwcp_win_t *wins_head;
static unsigned shm_counter;

dwcp_win_t *dwcp_win_find(uint32_t id)
{
    dwcp_win_t *w;
    for (w = wins_head; w != NULL; w = w->next) {
        if (w->id == id) {
            return w;
        }
    }
    return NULL;
}

typedef struct win_info {
    uint64_t base;
    int64_t size;
    int32_t disp_unit;
    int32_t pad;
} win_info_t;

static int allgather_info(dwcp_win_t *w, win_info_t *all)
{
    win_info_t mine = {(uint64_t)(uintptr_t)w->base, (int64_t)w->size, w->disp_unit, 0};
    dwcp_dt_t *byte = dwcp_dt_get(MPI_BYTE);
    dwcp_sched_t *s = dwcp_sched_new(w->comm);
    if (s == NULL) {
        return MPI_ERR_NO_MEM;
    }
    if (dwcp_coll_allgatherv(s, &mine, sizeof(mine), byte, all, NULL, NULL, sizeof(mine), byte) !=
        DWCS_OK) {
        dwcp_sched_discard(s);
        return MPI_ERR_NO_MEM;
    }
    return dwcp_sched_run(s);
}

static int bcast_bytes(dwcp_win_t *w, void *buf, size_t len)
{
    dwcp_sched_t *s = dwcp_sched_new(w->comm);
    if (s == NULL) {
        return MPI_ERR_NO_MEM;
    }
    if (dwcp_coll_bcast(s, buf, len, dwcp_dt_get(MPI_BYTE), 0) != DWCS_OK) {
        dwcp_sched_discard(s);
        return MPI_ERR_NO_MEM;
    }
    return dwcp_sched_run(s);
}

/* Map the shared segment (collective); sets w->shm, shm_off, base. */
static int shared_setup(dwcp_win_t *w, const win_info_t *all)
{
    int n = w->comm->size, r, rc = MPI_SUCCESS, fd = -1;
    size_t total = 0;
    char name[96] = "";
    for (r = 0; r < n; r++) {
        w->shm_off[r] = (MPI_Aint)total;
        total += (size_t)all[r].size;
    }
    w->shm_len = total;
    if (total == 0) {
        w->base = NULL;
        return MPI_SUCCESS;
    }
    if (w->comm->rank == 0) {
        snprintf(name, sizeof(name), "/dwcp-win-%d-%u-%u", (int)getpid(), w->id, shm_counter++);
        fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600);
        if (fd < 0 || ftruncate(fd, (off_t)total) != 0) {
            DWCS_ERROR("MPI_Win_allocate_shared: cannot create shared memory %s of %zu bytes: %m",
                       name, total);
            if (fd >= 0) {
                close(fd);
                shm_unlink(name);
                fd = -1;
            }
            name[0] = '\0';
        }
    }
    rc = bcast_bytes(w, name, sizeof(name));
    if (rc != MPI_SUCCESS) {
        return rc;
    }
    if (name[0] == '\0') {
        return MPI_ERR_NO_MEM;
    }
    if (w->comm->rank != 0) {
        fd = shm_open(name, O_RDWR, 0600);
        if (fd < 0) {
            DWCS_ERROR("MPI_Win_allocate_shared: cannot open shared memory %s: %m", name);
        }
    }
    void *p = MAP_FAILED;
    if (fd >= 0) {
        p = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (p == MAP_FAILED) {
            DWCS_ERROR("MPI_Win_allocate_shared: cannot map %zu bytes of %s: %m", total, name);
        }
        close(fd);
    }
    int ok = p != MAP_FAILED, all_ok = ok;
    /* agree on success (and make sure everyone has opened the name before it is unlinked) */
    int *oks = malloc((size_t)n * sizeof(int));
    if (oks == NULL || dwcp_comm_allgather_int(w->comm, &ok, 1, oks) != DWCS_OK) {
        all_ok = 0;
    } else {
        for (r = 0; r < n; r++) {
            all_ok &= oks[r];
        }
    }
    free(oks);
    if (w->comm->rank == 0) {
        shm_unlink(name);
    }
    if (!all_ok) {
        if (ok) {
            munmap(p, total);
        }
        return MPI_ERR_NO_MEM;
    }
    w->shm = p;
    w->base = (char *)p + w->shm_off[w->comm->rank];
    return MPI_SUCCESS;
}

static void win_destroy(dwcp_win_t *w)
{
    dwcp_win_t **pp;
    for (pp = &wins_head; *pp != NULL; pp = &(*pp)->next) {
        if (*pp == w) {
            *pp = w->next;
            break;
        }
    }
    if (w->handle != MPI_WIN_NULL && w->handle != 0) {
        dwcp_htab_remove(&dwcp_g.wins, w->handle);
    }
    dwcp_rma_ucx_free(w);
    if (w->shm != NULL) {
        munmap(w->shm, w->shm_len);
    }
    free(w->alloc);
    while (w->regions != NULL) {
        dwcp_rma_region_t *r = w->regions;
        w->regions = r->next;
        free(r);
    }
    while (w->lockq_head != NULL) {
        dwcp_rma_lockq_t *q = w->lockq_head;
        w->lockq_head = q->next;
        free(q);
    }
    if (w->info != NULL) {
        dwcp_info_destroy(w->info);
    }
    dwcp_errh_release(dwcp_htab_get(&dwcp_g.errhs, w->errhandler));
    free(w->rbase);
    free(w->rsize);
    free(w->rdisp);
    free(w->shm_off);
    free(w->lock_type);
    free(w->lock_nocheck);
    free(w->dirty);
    free(w->tpending);
    free(w->grant_wait);
    free(w->ack_wait);
    free(w->post_recv);
    free(w->start_ranks);
    if (w->comm != NULL) {
        dwcp_ctx_release(w->comm->ctx);
        dwcp_comm_release(w->comm);
    }
    free(w);
}

int dwcp_win_create(dwcp_comm_t *comm, int flavor, void *base, MPI_Aint size, int disp_unit,
                    MPI_Info info, void *base_out, dwcp_win_t **out)
{
    dwcp_comm_t *c = NULL;
    dwcp_rma_module_init();
    if (flavor == MPI_WIN_FLAVOR_SHARED) {
        int i;
        for (i = 0; i < comm->size; i++) {
            if (dwcp_g.node_of[comm->group->world[i]] != dwcp_g.node_of[dwcp_g.rank]) {
                return MPI_ERR_RMA_SHARED;
            }
        }
    }
    if (dwcp_comm_dup(comm, &c) != DWCS_OK) {
        return MPI_ERR_NO_MEM;
    }
    dwcp_win_t *w = calloc(1, sizeof(*w));
    int n = c->size;
    if (w == NULL) {
        dwcp_ctx_release(c->ctx);
        dwcp_comm_release(c);
        return MPI_ERR_NO_MEM;
    }
    w->errhandler = MPI_ERRORS_ARE_FATAL;
    w->comm = c;
    w->id = c->ctx;
    w->flavor = flavor;
    w->model = MPI_WIN_UNIFIED;
    w->ops = &dwcp_rma_am_ops;
    w->disp_unit = disp_unit;
    w->size = flavor == MPI_WIN_FLAVOR_DYNAMIC ? 0 : size;
    w->rbase = calloc((size_t)n, sizeof(*w->rbase));
    w->rsize = calloc((size_t)n, sizeof(*w->rsize));
    w->rdisp = calloc((size_t)n, sizeof(*w->rdisp));
    w->shm_off = calloc((size_t)n, sizeof(*w->shm_off));
    w->lock_type = calloc((size_t)n, sizeof(int));
    w->lock_nocheck = calloc((size_t)n, sizeof(int));
    w->dirty = calloc((size_t)n, sizeof(int));
    w->tpending = calloc((size_t)n, sizeof(int));
    w->grant_wait = calloc((size_t)n, sizeof(int));
    w->ack_wait = calloc((size_t)n, sizeof(int));
    w->post_recv = calloc((size_t)n, sizeof(int));
    dwcp_info_t *ii = dwcp_info_get(info);
    w->info = dwcp_info_clone(ii);
    win_info_t *all = calloc((size_t)n, sizeof(*all));
    int rc = MPI_SUCCESS;
    if (!w->rbase || !w->rsize || !w->rdisp || !w->shm_off || !w->lock_type ||
        !w->lock_nocheck || !w->dirty || !w->tpending || !w->grant_wait || !w->ack_wait ||
        !w->post_recv || !all || !w->info) {
        rc = MPI_ERR_NO_MEM; /* continue through the collectives so nobody hangs */
    }
    if (flavor == MPI_WIN_FLAVOR_CREATE) {
        w->base = base;
    } else if (flavor == MPI_WIN_FLAVOR_ALLOCATE) {
        if (posix_memalign(&w->alloc, 64, size > 0 ? (size_t)size : 1) != 0) {
            w->alloc = NULL;
            rc = MPI_ERR_NO_MEM;
        }
        w->base = size > 0 ? w->alloc : NULL;
    }
    /* register before the collective: peers may send as soon as they leave it */
    w->next = wins_head;
    wins_head = w;
    if (dwcp_htab_add(&dwcp_g.wins, w, &w->handle) != DWCS_OK) {
        w->handle = 0;
        rc = MPI_ERR_NO_MEM;
    }
    int rc2 = all != NULL ? allgather_info(w, all) : MPI_ERR_NO_MEM;
    if (rc == MPI_SUCCESS) {
        rc = rc2;
    }
    if (rc == MPI_SUCCESS && flavor == MPI_WIN_FLAVOR_SHARED) {
        rc = shared_setup(w, all);
    }
    if (rc == MPI_SUCCESS) {
        rc = dwcp_rma_ucx_setup(w);
    }
    if (rc == MPI_SUCCESS) {
        int r;
        for (r = 0; r < n; r++) {
            w->rbase[r] = all[r].base;
            w->rsize[r] = (MPI_Aint)all[r].size;
            w->rdisp[r] = all[r].disp_unit;
        }
        if (flavor == MPI_WIN_FLAVOR_SHARED) {
            for (r = 0; r < n; r++) {
                w->rbase[r] = (uint64_t)(uintptr_t)((char *)w->shm + w->shm_off[r]);
            }
        }
    }
    free(all);
    if (rc != MPI_SUCCESS) {
        win_destroy(w);
        return rc;
    }
    if (base_out != NULL) {
        *(void **)base_out = w->base;
    }
    *out = w;
    return MPI_SUCCESS;
}

int dwcp_win_free(dwcp_win_t *w)
{
    int rc = dwcp_rma_wait_le(&w->pending, 0, "MPI_Win_free waiting for operations");
    int rc2 = dwcp_rma_barrier(w);
    win_destroy(w);
    return rc != MPI_SUCCESS ? rc : rc2;
}

int dwcp_win_attach(dwcp_win_t *w, void *base, MPI_Aint size)
{
    dwcp_rma_region_t *r = calloc(1, sizeof(*r));
    if (r == NULL) {
        return MPI_ERR_NO_MEM;
    }
    r->base = (uintptr_t)base;
    r->len = (size_t)size;
    r->next = w->regions;
    w->regions = r;
    return MPI_SUCCESS;
}

int dwcp_win_detach(dwcp_win_t *w, const void *base)
{
    dwcp_rma_region_t **pp;
    for (pp = &w->regions; *pp != NULL; pp = &(*pp)->next) {
        if ((*pp)->base == (uintptr_t)base) {
            dwcp_rma_region_t *r = *pp;
            *pp = r->next;
            free(r);
            return MPI_SUCCESS;
        }
    }
    return MPI_ERR_RMA_ATTACH;
}
