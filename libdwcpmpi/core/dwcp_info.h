/* dwcp_info.h — MPI_Info objects (ordered key/value lists) for every module. */
#ifndef DWCP_INFO_H
#define DWCP_INFO_H

#include "dwcp.h"

typedef struct dwcp_info_kv {
    char *key;
    char *value;
    struct dwcp_info_kv *next;
} dwcp_info_kv_t;

typedef struct dwcp_info {
    int handle;
    int nkeys;
    dwcp_info_kv_t *head;
} dwcp_info_t;

/** Create the info handle table (with MPI_INFO_ENV) if needed; Info works before MPI_Init. */
void dwcp_info_ensure(void);
/**
 * Add the MPI_Info_create_env keys to @p info: command and argv (from @p argc / @p argv when
 * given), host and wdir. Independent of MPI_Init, so the same before and after it.
 */
dwcs_status_t dwcp_info_fill_env(dwcp_info_t *info, int argc, char **argv);
/** The info object for @p h (MPI_INFO_ENV included), or NULL. */
dwcp_info_t *dwcp_info_get(MPI_Info h);
/** A new empty info object with a handle; NULL when out of memory. */
dwcp_info_t *dwcp_info_new(void);
/** A copy of @p src (may be NULL: empty copy). */
dwcp_info_t *dwcp_info_clone(dwcp_info_t *src);
/** Free @p info and its handle (NULL and MPI_INFO_ENV are no-ops). */
void dwcp_info_destroy(dwcp_info_t *info);
/** Set (replace) a key. */
dwcs_status_t dwcp_info_set(dwcp_info_t *info, const char *key, const char *value);
/** Value of @p key or NULL (info may be NULL). */
const char *dwcp_info_lookup(dwcp_info_t *info, const char *key);
/** Remove @p key; 1 if it was there. */
int dwcp_info_delete(dwcp_info_t *info, const char *key);
/** The @p n-th key (0-based) or NULL. */
const char *dwcp_info_nth(dwcp_info_t *info, int n);

#endif
