/*
 * Bootstrap: rank, size and key/value exchange through PMIx; a singleton mode (one rank, no
 * server) when the program is started without a launcher.
 */
#include <pmix.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dwcp.h"

static pmix_proc_t myproc;
static int pmix_up;

/* Singleton key/value store: only our own values. */
typedef struct kv {
    char *key;
    void *val;
    size_t len;
    struct kv *next;
} kv_t;
static kv_t *local_kv;

static dwcs_status_t kv_publish(void *arg, const char *key, const void *val, size_t len)
{
    (void)arg;
    if (pmix_up) {
        pmix_value_t v;
        pmix_byte_object_t bo;
        bo.bytes = (char *)val;
        bo.size = len;
        PMIX_VALUE_LOAD(&v, &bo, PMIX_BYTE_OBJECT);
        pmix_status_t rc = PMIx_Put(PMIX_GLOBAL, key, &v);
        PMIX_VALUE_DESTRUCT(&v);
        if (rc != PMIX_SUCCESS) {
            DWCS_ERROR("PMIx_Put(%s) failed: %s", key, PMIx_Error_string(rc));
            return DWCS_ERR_BOOTSTRAP;
        }
        return DWCS_OK;
    }
    kv_t *e = calloc(1, sizeof(*e));
    if (e == NULL || (e->key = strdup(key)) == NULL || (e->val = malloc(len ? len : 1)) == NULL) {
        if (e != NULL) {
            free(e->key);
        }
        free(e);
        return DWCS_ERR_NO_MEMORY;
    }
    memcpy(e->val, val, len);
    e->len = len;
    e->next = local_kv;
    local_kv = e;
    return DWCS_OK;
}

static dwcs_status_t kv_lookup(void *arg, int peer, const char *key, void **val, size_t *len)
{
    (void)arg;
    if (pmix_up) {
        pmix_proc_t p;
        pmix_value_t *v = NULL;
        PMIX_LOAD_PROCID(&p, myproc.nspace, (pmix_rank_t)peer);
        pmix_status_t rc = PMIx_Get(&p, key, NULL, 0, &v);
        if (rc != PMIX_SUCCESS || v == NULL) {
            DWCS_ERROR("PMIx_Get(rank %d, %s) failed: %s", peer, key, PMIx_Error_string(rc));
            return DWCS_ERR_BOOTSTRAP;
        }
        if (v->type != PMIX_BYTE_OBJECT) {
            PMIX_VALUE_RELEASE(v);
            return DWCS_ERR_PROTOCOL;
        }
        *len = v->data.bo.size;
        *val = malloc(*len ? *len : 1);
        if (*val == NULL) {
            PMIX_VALUE_RELEASE(v);
            return DWCS_ERR_NO_MEMORY;
        }
        memcpy(*val, v->data.bo.bytes, *len);
        PMIX_VALUE_RELEASE(v);
        return DWCS_OK;
    }
    kv_t *e;
    if (peer != 0) {
        return DWCS_ERR_NOT_FOUND;
    }
    for (e = local_kv; e != NULL; e = e->next) {
        if (strcmp(e->key, key) == 0) {
            *val = malloc(e->len ? e->len : 1);
            if (*val == NULL) {
                return DWCS_ERR_NO_MEMORY;
            }
            memcpy(*val, e->val, e->len);
            *len = e->len;
            return DWCS_OK;
        }
    }
    return DWCS_ERR_NOT_FOUND;
}

const dwct_bootstrap_t dwcp_bootstrap_kv = {NULL, kv_publish, kv_lookup};

static int get_u32(const pmix_proc_t *p, const char *key, uint32_t *out)
{
    pmix_value_t *v = NULL;
    if (PMIx_Get(p, key, NULL, 0, &v) != PMIX_SUCCESS || v == NULL) {
        return -1;
    }
    int ok = 0;
    switch (v->type) {
    case PMIX_UINT32: *out = v->data.uint32; break;
    case PMIX_INT: *out = (uint32_t)v->data.integer; break;
    case PMIX_UINT16: *out = v->data.uint16; break;
    case PMIX_PROC_RANK: *out = v->data.rank; break;
    default: ok = -1; break;
    }
    PMIX_VALUE_RELEASE(v);
    return ok;
}

dwcs_status_t dwcp_bootstrap_init(void)
{
    /* Only talk to a PMIx server if a launcher started us; otherwise run as a singleton. */
    if (getenv("PMIX_NAMESPACE") == NULL && getenv("PMIX_SERVER_URI4") == NULL &&
        getenv("PMIX_SERVER_URI3") == NULL && getenv("PMIX_SERVER_URI2") == NULL &&
        getenv("PMIX_SERVER_URI41") == NULL) {
        dwcp_g.rank = 0;
        dwcp_g.size = 1;
        dwcp_g.singleton = 1;
        dwcp_g.universe_size = 1;
        dwcp_g.appnum = 0;
        return DWCS_OK;
    }
    pmix_status_t rc = PMIx_Init(&myproc, NULL, 0);
    if (rc != PMIX_SUCCESS) {
        DWCS_ERROR("PMIx_Init failed (%s): the launcher's PMIx server is unreachable",
                   PMIx_Error_string(rc));
        return DWCS_ERR_BOOTSTRAP;
    }
    pmix_up = 1;
    pmix_proc_t wild;
    PMIX_LOAD_PROCID(&wild, myproc.nspace, PMIX_RANK_WILDCARD);
    uint32_t size = 0, u = 0;
    if (get_u32(&wild, PMIX_JOB_SIZE, &size) != 0 || size == 0) {
        DWCS_ERROR("PMIx did not provide the job size");
        return DWCS_ERR_BOOTSTRAP;
    }
    dwcp_g.rank = (int)myproc.rank;
    dwcp_g.size = (int)size;
    dwcp_g.universe_size = get_u32(&wild, PMIX_UNIV_SIZE, &u) == 0 ? (int)u : (int)size;
    dwcp_g.appnum = get_u32(&myproc, PMIX_APPNUM, &u) == 0 ? (int)u : 0;
    return DWCS_OK;
}

dwcs_status_t dwcp_bootstrap_fence(void)
{
    if (!pmix_up) {
        return DWCS_OK;
    }
    pmix_proc_t wild;
    pmix_info_t info;
    bool collect = true;
    PMIX_LOAD_PROCID(&wild, myproc.nspace, PMIX_RANK_WILDCARD);
    pmix_status_t rc = PMIx_Commit();
    if (rc != PMIX_SUCCESS) {
        DWCS_ERROR("PMIx_Commit failed: %s", PMIx_Error_string(rc));
        return DWCS_ERR_BOOTSTRAP;
    }
    PMIX_INFO_LOAD(&info, PMIX_COLLECT_DATA, &collect, PMIX_BOOL);
    rc = PMIx_Fence(&wild, 1, &info, 1);
    PMIX_INFO_DESTRUCT(&info);
    if (rc != PMIX_SUCCESS) {
        DWCS_ERROR("PMIx_Fence failed: %s", PMIx_Error_string(rc));
        return DWCS_ERR_BOOTSTRAP;
    }
    return DWCS_OK;
}

static void fence_done(pmix_status_t status, void *cbdata)
{
    __atomic_store_n((int *)cbdata, status == PMIX_SUCCESS ? 1 : -1, __ATOMIC_RELEASE);
}

dwcs_status_t dwcp_bootstrap_fence_progress(void)
{
    if (!pmix_up) {
        return DWCS_OK;
    }
    pmix_proc_t wild;
    volatile int done = 0;
    unsigned idle = 0;
    PMIX_LOAD_PROCID(&wild, myproc.nspace, PMIX_RANK_WILDCARD);
    pmix_status_t rc = PMIx_Fence_nb(&wild, 1, NULL, 0, fence_done, (void *)&done);
    if (rc == PMIX_OPERATION_SUCCEEDED) {
        return DWCS_OK;
    }
    if (rc != PMIX_SUCCESS) {
        DWCS_ERROR("PMIx_Fence_nb failed: %s", PMIx_Error_string(rc));
        return DWCS_ERR_BOOTSTRAP;
    }
    /* Unbounded like PMIx_Fence (a peer may still be computing), but idle passes sleep (up to
     * 1 ms) so that waiting ranks leave the cores to the ones still working. */
    while (__atomic_load_n(&done, __ATOMIC_ACQUIRE) == 0) {
        if (dwcp_progress() > 0) {
            idle = 0;
            continue;
        }
        idle++;
        struct timespec ts = {0, idle < 100 ? 0 : idle < 1000 ? 50000 : 1000000};
        if (ts.tv_nsec == 0) {
            sched_yield();
        } else {
            nanosleep(&ts, NULL);
        }
    }
    if (done < 0) {
        DWCS_ERROR("PMIx fence at finalize failed");
        return DWCS_ERR_BOOTSTRAP;
    }
    return DWCS_OK;
}

void dwcp_bootstrap_abort(int code, const char *msg)
{
    if (pmix_up) {
        /* The server kills every rank of the job; the launcher exits with our code. */
        PMIx_Abort(code, msg, NULL, 0);
    }
    _exit(code);
}

void dwcp_bootstrap_finalize(void)
{
    kv_t *e = local_kv;
    while (e != NULL) {
        kv_t *n = e->next;
        free(e->key);
        free(e->val);
        free(e);
        e = n;
    }
    local_kv = NULL;
    if (pmix_up) {
        PMIx_Finalize(NULL, 0);
        pmix_up = 0;
    }
}
