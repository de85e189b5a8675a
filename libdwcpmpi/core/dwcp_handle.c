#include "dwcp_handle.h"

#include <stdlib.h>
#include <string.h>

void dwcp_htab_init(dwcp_htab_t *t, int kind, int reserved)
{
    memset(t, 0, sizeof(*t));
    t->kind = kind;
    t->used = reserved > 0 ? reserved : 1;
    t->first_user = t->used;
}

void dwcp_htab_fini(dwcp_htab_t *t)
{
    free(t->slots);
    free(t->free);
    memset(t, 0, sizeof(*t));
}

static dwcs_status_t grow(dwcp_htab_t *t, int need)
{
    if (need <= t->cap) {
        return DWCS_OK;
    }
    int cap = t->cap ? t->cap : 64;
    while (cap < need) {
        cap *= 2;
    }
    if (cap > (1 << 26)) {
        return DWCS_ERR_NO_MEMORY;
    }
    void **s = realloc(t->slots, (size_t)cap * sizeof(*s));
    if (s == NULL) {
        return DWCS_ERR_NO_MEMORY;
    }
    memset(s + t->cap, 0, (size_t)(cap - t->cap) * sizeof(*s));
    t->slots = s;
    t->cap = cap;
    return DWCS_OK;
}

dwcs_status_t dwcp_htab_set(dwcp_htab_t *t, int index, void *obj)
{
    dwcs_status_t st = grow(t, index + 1 > t->used ? index + 1 : t->used);
    if (st != DWCS_OK) {
        return st;
    }
    t->slots[index] = obj;
    return DWCS_OK;
}

dwcs_status_t dwcp_htab_add(dwcp_htab_t *t, void *obj, int *handle)
{
    int idx;
    if (t->nfree > 0) {
        idx = t->free[--t->nfree];
    } else {
        dwcs_status_t st = grow(t, t->used + 1);
        if (st != DWCS_OK) {
            return st;
        }
        idx = t->used++;
    }
    t->slots[idx] = obj;
    t->nlive++;
    *handle = DWCP_HANDLE_(t->kind, idx);
    return DWCS_OK;
}

void dwcp_htab_remove(dwcp_htab_t *t, int handle)
{
    int idx = DWCP_HANDLE_INDEX(handle);
    if (DWCP_HANDLE_KIND(handle) != t->kind || idx < t->first_user || idx >= t->used ||
        t->slots[idx] == NULL) {
        return;
    }
    t->slots[idx] = NULL;
    t->nlive--;
    if (t->nfree == t->capfree) {
        int cap = t->capfree ? t->capfree * 2 : 64;
        int *f = realloc(t->free, (size_t)cap * sizeof(*f));
        if (f == NULL) {
            return; /* the slot is simply not reused */
        }
        t->free = f;
        t->capfree = cap;
    }
    t->free[t->nfree++] = idx;
}
