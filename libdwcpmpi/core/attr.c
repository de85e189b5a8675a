/*
 * Keyvals and attribute caching. Keyvals are small ints (not handles): 1..DWCP_SITE are the
 * predefined attribute keys, user keyvals start at FIRST_USER_KEYVAL.
 */
#include <stdlib.h>
#include <string.h>

#include "dwcp.h"
#include "dwcp_attr.h"

#define FIRST_USER_KEYVAL 64

typedef int copy_fn_t(int, int, void *, void *, void *, int *);
typedef int delete_fn_t(int, int, void *, void *);

typedef struct keyval {
    int kind;
    copy_fn_t *copy;
    delete_fn_t *del;
    void *extra;
    int refcount; /* 1 for the user's reference + 1 per attribute using it */
    int freed;
} keyval_t;

static keyval_t **keyvals; /* index: keyval - FIRST_USER_KEYVAL */
static int nkeyvals;

/* Values of the predefined attributes (the attribute value is a pointer to these). */
static int attr_tag_ub = 0x3fffffff;
static int attr_host = MPI_PROC_NULL;
static int attr_io = MPI_ANY_SOURCE;
static int attr_wtime_global = 0;
static int attr_universe;
static int attr_appnum;
static int attr_site;
extern int dwcp_lastusedcode;

static keyval_t *kv_get(int kind, int keyval)
{
    int i = keyval - FIRST_USER_KEYVAL;
    if (i < 0 || i >= nkeyvals || keyvals[i] == NULL || keyvals[i]->kind != kind) {
        return NULL;
    }
    return keyvals[i];
}

static void kv_release(int keyval)
{
    int i = keyval - FIRST_USER_KEYVAL;
    keyval_t *k = keyvals[i];
    if (--k->refcount == 0) {
        free(k);
        keyvals[i] = NULL;
    }
}

int dwcp_keyval_create(int kind, void (*copy_fn)(void), void (*delete_fn)(void), void *extra,
                       int *keyval)
{
    keyval_t *k = calloc(1, sizeof(*k));
    keyval_t **n = realloc(keyvals, (size_t)(nkeyvals + 1) * sizeof(*n));
    if (k == NULL || n == NULL) {
        free(k);
        if (n != NULL) {
            keyvals = n;
        }
        return MPI_ERR_NO_MEM;
    }
    keyvals = n;
    k->kind = kind;
    k->copy = (copy_fn_t *)copy_fn;
    k->del = (delete_fn_t *)delete_fn;
    k->extra = extra;
    k->refcount = 1;
    keyvals[nkeyvals] = k;
    *keyval = FIRST_USER_KEYVAL + nkeyvals++;
    return MPI_SUCCESS;
}

int dwcp_keyval_free(int kind, int *keyval)
{
    keyval_t *k = kv_get(kind, *keyval);
    if (k == NULL) {
        return MPI_ERR_KEYVAL;
    }
    /* Freeing again (through a copy of the handle) while attributes still keep the keyval
     * alive is accepted as a no-op, like MPICH and Open MPI do; once the last attribute is
     * gone the keyval number is invalid for good (numbers are never reused). */
    if (!k->freed) {
        k->freed = 1;
        kv_release(*keyval);
    }
    *keyval = MPI_KEYVAL_INVALID;
    return MPI_SUCCESS;
}

static int call_delete(int kind, int handle, dwcp_attr_t *a)
{
    keyval_t *k = kv_get(kind, a->keyval);
    if (k != NULL && k->del != NULL) {
        int rc = k->del(handle, a->keyval, a->value, k->extra);
        if (rc != MPI_SUCCESS) {
            return rc;
        }
    }
    return MPI_SUCCESS;
}

int dwcp_attr_set(int kind, int handle, dwcp_attr_t **list, int keyval, void *value)
{
    keyval_t *k = kv_get(kind, keyval);
    dwcp_attr_t *a;
    if (k == NULL || k->freed) {
        return MPI_ERR_KEYVAL;
    }
    for (a = *list; a != NULL; a = a->next) {
        if (a->keyval == keyval) {
            int rc = call_delete(kind, handle, a);
            if (rc != MPI_SUCCESS) {
                return rc;
            }
            a->value = value;
            return MPI_SUCCESS;
        }
    }
    a = calloc(1, sizeof(*a));
    if (a == NULL) {
        return MPI_ERR_NO_MEM;
    }
    a->keyval = keyval;
    a->value = value;
    a->next = *list;
    *list = a;
    k->refcount++;
    return MPI_SUCCESS;
}

static int predefined(int handle, int keyval, void **value)
{
    if (handle != MPI_COMM_WORLD) {
        return 0;
    }
    attr_universe = dwcp_g.universe_size;
    attr_appnum = dwcp_g.appnum;
    attr_site = dwcp_g.site_of ? dwcp_g.site_of[dwcp_g.rank] : 0;
    switch (keyval) {
    case MPI_TAG_UB: *value = &attr_tag_ub; return 1;
    case MPI_HOST: *value = &attr_host; return 1;
    case MPI_IO: *value = &attr_io; return 1;
    case MPI_WTIME_IS_GLOBAL: *value = &attr_wtime_global; return 1;
    case MPI_UNIVERSE_SIZE: *value = &attr_universe; return 1;
    case MPI_APPNUM: *value = &attr_appnum; return 1;
    case MPI_LASTUSEDCODE: *value = &dwcp_lastusedcode; return 1;
    case DWCP_SITE: *value = &attr_site; return 1;
    default: return 0;
    }
}

int dwcp_attr_get(int kind, int handle, dwcp_attr_t *list, int keyval, void **value, int *flag)
{
    dwcp_attr_t *a;
    *flag = 0;
    if (kind == DWCP_KIND_COMM && keyval > 0 && keyval < FIRST_USER_KEYVAL) {
        *flag = predefined(handle, keyval, value);
        return MPI_SUCCESS;
    }
    if (kind == DWCP_KIND_WIN && keyval >= MPI_WIN_BASE && keyval <= MPI_WIN_MODEL) {
        return MPI_SUCCESS; /* answered by the RMA module before calling here */
    }
    keyval_t *k = kv_get(kind, keyval);
    if (k == NULL) {
        return MPI_ERR_KEYVAL;
    }
    for (a = list; a != NULL; a = a->next) {
        if (a->keyval == keyval) {
            *value = a->value;
            *flag = 1;
            break;
        }
    }
    return MPI_SUCCESS;
}

int dwcp_attr_delete(int kind, int handle, dwcp_attr_t **list, int keyval)
{
    dwcp_attr_t **pp;
    if (kv_get(kind, keyval) == NULL) {
        return MPI_ERR_KEYVAL;
    }
    for (pp = list; *pp != NULL; pp = &(*pp)->next) {
        if ((*pp)->keyval == keyval) {
            dwcp_attr_t *a = *pp;
            int rc = call_delete(kind, handle, a);
            if (rc != MPI_SUCCESS) {
                return rc;
            }
            *pp = a->next;
            kv_release(a->keyval);
            free(a);
            return MPI_SUCCESS;
        }
    }
    return MPI_ERR_KEYVAL; /* not set */
}

int dwcp_attr_delete_all(int kind, int handle, dwcp_attr_t **list)
{
    int first_err = MPI_SUCCESS;
    while (*list != NULL) {
        dwcp_attr_t *a = *list;
        int rc = call_delete(kind, handle, a);
        if (rc != MPI_SUCCESS && first_err == MPI_SUCCESS) {
            first_err = rc;
        }
        *list = a->next;
        kv_release(a->keyval);
        free(a);
    }
    return first_err;
}

int dwcp_attr_copy_all(int kind, int oldhandle, dwcp_attr_t *from, dwcp_attr_t **to)
{
    dwcp_attr_t *a;
    for (a = from; a != NULL; a = a->next) {
        keyval_t *k = kv_get(kind, a->keyval);
        void *out = NULL;
        int flag = 0;
        if (k == NULL || k->copy == NULL) {
            continue;
        }
        int rc = k->copy(oldhandle, a->keyval, k->extra, a->value, &out, &flag);
        if (rc != MPI_SUCCESS) {
            return rc;
        }
        if (flag) {
            dwcp_attr_t *n = calloc(1, sizeof(*n));
            if (n == NULL) {
                return MPI_ERR_NO_MEM;
            }
            n->keyval = a->keyval;
            n->value = out;
            n->next = *to;
            *to = n;
            k->refcount++;
        }
    }
    return MPI_SUCCESS;
}

dwcs_status_t dwcp_attr_init(void)
{
    attr_host = MPI_PROC_NULL;
    attr_io = MPI_ANY_SOURCE;
    return DWCS_OK;
}

void dwcp_attr_finalize(void)
{
    int i;
    for (i = 0; i < nkeyvals; i++) {
        free(keyvals[i]);
    }
    free(keyvals);
    keyvals = NULL;
    nkeyvals = 0;
}

/* Predefined callbacks. */
int dwcp_comm_null_copy_fn(MPI_Comm c, int k, void *e, void *in, void *out, int *flag)
{
    (void)c, (void)k, (void)e, (void)in, (void)out;
    *flag = 0;
    return MPI_SUCCESS;
}

int dwcp_comm_dup_fn(MPI_Comm c, int k, void *e, void *in, void *out, int *flag)
{
    (void)c, (void)k, (void)e;
    *(void **)out = in;
    *flag = 1;
    return MPI_SUCCESS;
}

int dwcp_comm_null_delete_fn(MPI_Comm c, int k, void *v, void *e)
{
    (void)c, (void)k, (void)v, (void)e;
    return MPI_SUCCESS;
}

int dwcp_type_null_copy_fn(MPI_Datatype t, int k, void *e, void *in, void *out, int *flag)
{
    return dwcp_comm_null_copy_fn(t, k, e, in, out, flag);
}

int dwcp_type_dup_fn(MPI_Datatype t, int k, void *e, void *in, void *out, int *flag)
{
    return dwcp_comm_dup_fn(t, k, e, in, out, flag);
}

int dwcp_type_null_delete_fn(MPI_Datatype t, int k, void *v, void *e)
{
    return dwcp_comm_null_delete_fn(t, k, v, e);
}

int dwcp_win_null_copy_fn(MPI_Win w, int k, void *e, void *in, void *out, int *flag)
{
    return dwcp_comm_null_copy_fn(w, k, e, in, out, flag);
}

int dwcp_win_dup_fn(MPI_Win w, int k, void *e, void *in, void *out, int *flag)
{
    return dwcp_comm_dup_fn(w, k, e, in, out, flag);
}

int dwcp_win_null_delete_fn(MPI_Win w, int k, void *v, void *e)
{
    return dwcp_comm_null_delete_fn(w, k, v, e);
}
