/* MPI_Info objects: ordered key/value lists. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dwcp.h"
#include "dwcp_info.h"

static dwcp_info_t info_env; /* MPI_INFO_ENV: command, argv, host, ... */
static int tab_ready;        /* the handle table exists (set up by the first Info call) */

/*
 * MPI-4 lets the Info routines run before MPI_Init and after MPI_Finalize, so the table is
 * created on first use and outlives MPI_Finalize (info objects stay valid).
 */
void dwcp_info_ensure(void)
{
    if (tab_ready) {
        return;
    }
    dwcp_htab_init(&dwcp_g.infos, DWCP_KIND_INFO, 2);
    memset(&info_env, 0, sizeof(info_env));
    info_env.handle = MPI_INFO_ENV;
    dwcp_htab_set(&dwcp_g.infos, 1, &info_env);
    tab_ready = 1;
}

dwcp_info_t *dwcp_info_get(MPI_Info h)
{
    dwcp_info_ensure();
    return dwcp_htab_get(&dwcp_g.infos, h);
}

dwcp_info_t *dwcp_info_new(void)
{
    dwcp_info_ensure();
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

dwcs_status_t dwcp_info_fill_env(dwcp_info_t *info, int argc, char **argv)
{
    char host[256], *wd;
    dwcs_status_t st = DWCS_OK;
    int i;
    if (argc > 0 && argv != NULL && argv[0] != NULL) {
        st = dwcp_info_set(info, "command", argv[0]);
        /* the arguments after the command, separated by spaces */
        size_t len = 1;
        for (i = 1; i < argc && argv[i] != NULL; i++) {
            len += strlen(argv[i]) + 1;
        }
        if (st == DWCS_OK && len > 1) {
            char *all = malloc(len);
            if (all == NULL) {
                return DWCS_ERR_NO_MEMORY;
            }
            all[0] = '\0';
            for (i = 1; i < argc && argv[i] != NULL; i++) {
                if (i > 1) {
                    strcat(all, " ");
                }
                strcat(all, argv[i]);
            }
            if (strlen(all) <= MPI_MAX_INFO_VAL) {
                st = dwcp_info_set(info, "argv", all);
            }
            free(all);
        }
    }
    if (st == DWCS_OK && gethostname(host, sizeof(host) - 1) == 0) {
        host[sizeof(host) - 1] = '\0';
        st = dwcp_info_set(info, "host", host);
    }
    if (st == DWCS_OK && (wd = getcwd(NULL, 0)) != NULL) {
        if (strlen(wd) <= MPI_MAX_INFO_VAL) {
            st = dwcp_info_set(info, "wdir", wd);
        }
        free(wd);
    }
    return st;
}

dwcs_status_t dwcp_info_init(void)
{
    dwcp_info_ensure();
    clear(&info_env);
    char buf[64];
    dwcp_info_set(&info_env, "host", dwcp_g.hostname);
    snprintf(buf, sizeof(buf), "%d", dwcp_g.size);
    dwcp_info_set(&info_env, "maxprocs", buf);
    static const char *const levels[] = {"MPI_THREAD_SINGLE", "MPI_THREAD_FUNNELED",
                                         "MPI_THREAD_SERIALIZED", "MPI_THREAD_MULTIPLE"};
    int lv = dwcp_g.thread_level;
    dwcp_info_set(&info_env, "thread_level", levels[lv >= 0 && lv <= 3 ? lv : 0]);
    return DWCS_OK;
}

void dwcp_info_finalize(void)
{
    /* Info objects (and the table) stay valid after MPI_Finalize: MPI-4 allows their use. */
}
