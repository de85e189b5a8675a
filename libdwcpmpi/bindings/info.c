/* MPI_Info bindings. */
#include <stdio.h>
#include <string.h>

#include "dwcp_bind.h"
#include "dwcp_info.h"

#define FN_ERR(fn, cls, ...) dwcp_err_comm(MPI_COMM_WORLD, cls, fn, __VA_ARGS__)

/*
 * Entry of every Info binding: unlike DWCP_CHECK_INIT this works before MPI_Init and after
 * MPI_Finalize (MPI-4); errors then go to stderr and are returned. Takes the library lock
 * for the binding's scope like DWCP_CHECK_INIT.
 */
static inline int info_enter(void)
{
    int held = dwcp_lock_enter();
    dwcp_info_ensure();
    return held;
}
#define INFO_ENTER()                                                                              \
    int info_lock_held_ __attribute__((cleanup(dwcp_lock_leave), unused)) = info_enter()

static int get_info(const char *fn, MPI_Info h, dwcp_info_t **out)
{
    *out = dwcp_info_get(h);
    if (*out == NULL) {
        return FN_ERR(fn, MPI_ERR_INFO, h == MPI_INFO_NULL ? "MPI_INFO_NULL is not a valid info"
                                                           : "invalid info handle");
    }
    return MPI_SUCCESS;
}

static int check_key(const char *fn, const char *key)
{
    if (key == NULL) {
        return FN_ERR(fn, MPI_ERR_INFO_KEY, "NULL key");
    }
    size_t n = strlen(key);
    if (n == 0 || n > MPI_MAX_INFO_KEY) {
        return FN_ERR(fn, MPI_ERR_INFO_KEY, "key length %zu outside 1..%d", n, MPI_MAX_INFO_KEY);
    }
    return MPI_SUCCESS;
}

/* get_info and check_key together: the checks of every call that takes an info and a key. */
static int get_info_key(const char *fn, MPI_Info h, const char *key, dwcp_info_t **out)
{
    int rc = get_info(fn, h, out);
    return rc == MPI_SUCCESS ? check_key(fn, key) : rc;
}

int PMPI_Info_create(MPI_Info *info)
{
    INFO_ENTER();
    if (info == NULL) {
        return FN_ERR("MPI_Info_create", MPI_ERR_ARG, "NULL argument");
    }
    dwcp_info_t *i = dwcp_info_new();
    if (i == NULL) {
        return FN_ERR("MPI_Info_create", MPI_ERR_NO_MEM, "no memory");
    }
    *info = i->handle;
    return MPI_SUCCESS;
}
DWCP_WEAK(Info_create)

int PMPI_Info_set(MPI_Info info, const char *key, const char *value)
{
    const char *fn = "MPI_Info_set";
    dwcp_info_t *i;
    INFO_ENTER();
    int rc = get_info_key(fn, info, key, &i);
    if (rc != MPI_SUCCESS) {
        return rc;
    }
    if (value == NULL || strlen(value) == 0 || strlen(value) > MPI_MAX_INFO_VAL) {
        return FN_ERR(fn, MPI_ERR_INFO_VALUE, "value must have 1..%d characters", MPI_MAX_INFO_VAL);
    }
    if (info == MPI_INFO_ENV) {
        return FN_ERR(fn, MPI_ERR_INFO, "MPI_INFO_ENV is read-only");
    }
    if (dwcp_info_set(i, key, value) != DWCS_OK) {
        return FN_ERR(fn, MPI_ERR_NO_MEM, "no memory");
    }
    return MPI_SUCCESS;
}
DWCP_WEAK(Info_set)

int PMPI_Info_get(MPI_Info info, const char *key, int valuelen, char *value, int *flag)
{
    const char *fn = "MPI_Info_get";
    dwcp_info_t *i;
    INFO_ENTER();
    int rc = get_info_key(fn, info, key, &i);
    if (rc != MPI_SUCCESS) {
        return rc;
    }
    if (valuelen < 0 || flag == NULL || (value == NULL && valuelen > 0)) {
        return FN_ERR(fn, MPI_ERR_ARG, "invalid value buffer or flag");
    }
    const char *v = dwcp_info_lookup(i, key);
    *flag = v != NULL;
    if (v != NULL && valuelen >= 0) {
        /* valuelen excludes the terminating NUL, as in the standard's C binding */
        snprintf(value, (size_t)valuelen + 1, "%s", v);
    }
    return MPI_SUCCESS;
}
DWCP_WEAK(Info_get)

int PMPI_Info_get_valuelen(MPI_Info info, const char *key, int *valuelen, int *flag)
{
    const char *fn = "MPI_Info_get_valuelen";
    dwcp_info_t *i;
    INFO_ENTER();
    int rc = get_info_key(fn, info, key, &i);
    if (rc != MPI_SUCCESS) {
        return rc;
    }
    if (valuelen == NULL || flag == NULL) {
        return FN_ERR(fn, MPI_ERR_ARG, "NULL argument");
    }
    const char *v = dwcp_info_lookup(i, key);
    *flag = v != NULL;
    if (v != NULL) {
        *valuelen = (int)strlen(v);
    }
    return MPI_SUCCESS;
}
DWCP_WEAK(Info_get_valuelen)

int PMPI_Info_get_nkeys(MPI_Info info, int *nkeys)
{
    dwcp_info_t *i;
    INFO_ENTER();
    int rc = get_info("MPI_Info_get_nkeys", info, &i);
    if (rc != MPI_SUCCESS) {
        return rc;
    }
    if (nkeys == NULL) {
        return FN_ERR("MPI_Info_get_nkeys", MPI_ERR_ARG, "NULL argument");
    }
    *nkeys = i->nkeys;
    return MPI_SUCCESS;
}
DWCP_WEAK(Info_get_nkeys)

int PMPI_Info_get_nthkey(MPI_Info info, int n, char *key)
{
    dwcp_info_t *i;
    INFO_ENTER();
    int rc = get_info("MPI_Info_get_nthkey", info, &i);
    if (rc != MPI_SUCCESS) {
        return rc;
    }
    if (key == NULL || n < 0 || n >= i->nkeys) {
        return FN_ERR("MPI_Info_get_nthkey", MPI_ERR_ARG, "key number %d outside 0..%d", n,
                      i->nkeys - 1);
    }
    snprintf(key, MPI_MAX_INFO_KEY + 1, "%s", dwcp_info_nth(i, n));
    return MPI_SUCCESS;
}
DWCP_WEAK(Info_get_nthkey)

int PMPI_Info_delete(MPI_Info info, const char *key)
{
    dwcp_info_t *i;
    INFO_ENTER();
    int rc = get_info("MPI_Info_delete", info, &i);
    if (rc == MPI_SUCCESS) {
        rc = check_key("MPI_Info_delete", key);
    }
    if (rc != MPI_SUCCESS) {
        return rc;
    }
    if (info == MPI_INFO_ENV) {
        return FN_ERR("MPI_Info_delete", MPI_ERR_INFO, "MPI_INFO_ENV is read-only");
    }
    if (!dwcp_info_delete(i, key)) {
        return FN_ERR("MPI_Info_delete", MPI_ERR_INFO_NOKEY, "key '%s' is not set", key);
    }
    return MPI_SUCCESS;
}
DWCP_WEAK(Info_delete)

int PMPI_Info_dup(MPI_Info info, MPI_Info *newinfo)
{
    dwcp_info_t *i;
    INFO_ENTER();
    int rc = get_info("MPI_Info_dup", info, &i);
    if (rc != MPI_SUCCESS) {
        return rc;
    }
    if (newinfo == NULL) {
        return FN_ERR("MPI_Info_dup", MPI_ERR_ARG, "NULL argument");
    }
    dwcp_info_t *d = dwcp_info_clone(i);
    if (d == NULL) {
        return FN_ERR("MPI_Info_dup", MPI_ERR_NO_MEM, "no memory");
    }
    *newinfo = d->handle;
    return MPI_SUCCESS;
}
DWCP_WEAK(Info_dup)

int PMPI_Info_free(MPI_Info *info)
{
    dwcp_info_t *i;
    INFO_ENTER();
    if (info == NULL) {
        return FN_ERR("MPI_Info_free", MPI_ERR_ARG, "NULL argument");
    }
    int rc = get_info("MPI_Info_free", *info, &i);
    if (rc != MPI_SUCCESS) {
        return rc;
    }
    if (*info == MPI_INFO_ENV) {
        return FN_ERR("MPI_Info_free", MPI_ERR_INFO, "MPI_INFO_ENV cannot be freed");
    }
    dwcp_info_destroy(i);
    *info = MPI_INFO_NULL;
    return MPI_SUCCESS;
}
DWCP_WEAK(Info_free)

int PMPI_Info_get_string(MPI_Info info, const char *key, int *buflen, char *value, int *flag)
{
    const char *fn = "MPI_Info_get_string";
    dwcp_info_t *i;
    INFO_ENTER();
    int rc = get_info_key(fn, info, key, &i);
    if (rc != MPI_SUCCESS) {
        return rc;
    }
    if (buflen == NULL || flag == NULL || *buflen < 0 || (value == NULL && *buflen > 0)) {
        return FN_ERR(fn, MPI_ERR_ARG, "invalid buflen, value buffer or flag");
    }
    const char *v = dwcp_info_lookup(i, key);
    *flag = v != NULL;
    if (v == NULL) {
        return MPI_SUCCESS; /* value and buflen untouched */
    }
    /* *buflen counts the terminating NUL; copy at most *buflen - 1 characters */
    if (*buflen > 0) {
        snprintf(value, (size_t)*buflen, "%s", v);
    }
    *buflen = (int)strlen(v) + 1;
    return MPI_SUCCESS;
}
DWCP_WEAK(Info_get_string)

int PMPI_Info_create_env(int argc, char *argv[], MPI_Info *info)
{
    const char *fn = "MPI_Info_create_env";
    INFO_ENTER();
    if (info == NULL || argc < 0) {
        return FN_ERR(fn, MPI_ERR_ARG, info == NULL ? "NULL info" : "negative argc");
    }
    dwcp_info_t *i = dwcp_info_new();
    if (i == NULL || dwcp_info_fill_env(i, argc, argv) != DWCS_OK) {
        dwcp_info_destroy(i);
        return FN_ERR(fn, MPI_ERR_NO_MEM, "no memory");
    }
    *info = i->handle;
    return MPI_SUCCESS;
}
DWCP_WEAK(Info_create_env)
