/* MPI_Info objects: ordered key/value lists. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dwcp.h"
#include "dwcp_info.h"

static dwcp_info_t info_env; /* MPI_INFO_ENV: command, argv, host, ... */

dwcp_info_t *dwcp_info_get(MPI_Info h)
{
    return dwcp_htab_get(&dwcp_g.infos, h);
}

dwcp_info_t *dwcp_info_new(void)
{
    dwcp_info_t *i = calloc(1, sizeof(*i));
    if (i == NULL) {
        return NULL;
    }
    if (dwcp_htab_add(&dwcp_g.infos, i, &i->handle) != DWCS_OK) {
        free(i);
        return NULL;
    }
    return i;
}

static dwcp_info_kv_t *find(dwcp_info_t *info, const char *key)
{
    dwcp_info_kv_t *kv;
    for (kv = info->head; kv != NULL; kv = kv->next) {
        if (strcmp(kv->key, key) == 0) {
            return kv;
        }
    }
    return NULL;
}

const char *dwcp_info_lookup(dwcp_info_t *info, const char *key)
{
    dwcp_info_kv_t *kv = info ? find(info, key) : NULL;
    return kv ? kv->value : NULL;
}

dwcs_status_t dwcp_info_set(dwcp_info_t *info, const char *key, const char *value)
{
    dwcp_info_kv_t *kv = find(info, key);
    char *v = strdup(value);
    if (v == NULL) {
        return DWCS_ERR_NO_MEMORY;
    }
    if (kv != NULL) {
        free(kv->value);
        kv->value = v;
        return DWCS_OK;
    }
    kv = calloc(1, sizeof(*kv));
    if (kv == NULL || (kv->key = strdup(key)) == NULL) {
        free(kv);
        free(v);
        return DWCS_ERR_NO_MEMORY;
    }
    kv->value = v;
    dwcp_info_kv_t **tail = &info->head;
    while (*tail != NULL) {
        tail = &(*tail)->next;
    }
    *tail = kv;
    info->nkeys++;
    return DWCS_OK;
}

int dwcp_info_delete(dwcp_info_t *info, const char *key)
{
    dwcp_info_kv_t **pp;
    for (pp = &info->head; *pp != NULL; pp = &(*pp)->next) {
        if (strcmp((*pp)->key, key) == 0) {
            dwcp_info_kv_t *kv = *pp;
            *pp = kv->next;
            free(kv->key);
            free(kv->value);
            free(kv);
            info->nkeys--;
            return 1;
        }
    }
    return 0;
}

const char *dwcp_info_nth(dwcp_info_t *info, int n)
{
    dwcp_info_kv_t *kv = info->head;
    while (kv != NULL && n-- > 0) {
        kv = kv->next;
    }
    return kv ? kv->key : NULL;
}

static void clear(dwcp_info_t *info)
{
    while (info->head != NULL) {
        dwcp_info_delete(info, info->head->key);
    }
}

void dwcp_info_destroy(dwcp_info_t *info)
{
    if (info == NULL || info == &info_env) {
        return;
    }
    clear(info);
    dwcp_htab_remove(&dwcp_g.infos, info->handle);
    free(info);
}

dwcp_info_t *dwcp_info_clone(dwcp_info_t *src)
{
    dwcp_info_t *d = dwcp_info_new();
    dwcp_info_kv_t *kv;
    if (d == NULL) {
        return NULL;
    }
    for (kv = src ? src->head : NULL; kv != NULL; kv = kv->next) {
        if (dwcp_info_set(d, kv->key, kv->value) != DWCS_OK) {
            dwcp_info_destroy(d);
            return NULL;
        }
    }
    return d;
}

dwcs_status_t dwcp_info_init(void)
{
    dwcp_htab_init(&dwcp_g.infos, DWCP_KIND_INFO, 2);
    memset(&info_env, 0, sizeof(info_env));
    info_env.handle = MPI_INFO_ENV;
    dwcp_htab_set(&dwcp_g.infos, 1, &info_env);
    char buf[64];
    dwcp_info_set(&info_env, "host", dwcp_g.hostname);
    snprintf(buf, sizeof(buf), "%d", dwcp_g.size);
    dwcp_info_set(&info_env, "maxprocs", buf);
    dwcp_info_set(&info_env, "thread_level", "MPI_THREAD_SERIALIZED");
    return DWCS_OK;
}

void dwcp_info_finalize(void)
{
    int i;
    for (i = dwcp_g.infos.first_user; i < dwcp_g.infos.used; i++) {
        dwcp_info_t *info = dwcp_g.infos.slots[i];
        if (info != NULL) {
            clear(info);
            free(info);
        }
    }
    clear(&info_env);
    dwcp_htab_fini(&dwcp_g.infos);
}
