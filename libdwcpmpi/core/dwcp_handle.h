/*
 * dwcp_handle.h — int handles (kind << 26 | index) to objects.
 *
 * Each object kind has one table. Index 0 is the kind's NULL handle; predefined objects take
 * the low indices and are registered at init with dwcp_htab_set. Lookups check the kind bits,
 * the range and that the slot is live, so a wrong or freed handle is an error, not a crash.
 */
#ifndef DWCP_HANDLE_H
#define DWCP_HANDLE_H

#include "mpi.h"
#include "dwcs_status.h"

#define DWCP_HANDLE_KIND(h) ((int)(((unsigned)(h) >> 26) & 0x3f))
#define DWCP_HANDLE_INDEX(h) ((int)((unsigned)(h) & ((1u << 26) - 1)))

/** A table of objects of one kind. */
typedef struct dwcp_htab {
    int kind;
    void **slots;
    int cap;
    int used;      /* high-water mark of used indices */
    int *free;     /* free indices (stack) */
    int nfree;
    int capfree;
    int nlive;     /* live user-created objects (leak reports) */
    int first_user; /* first index available to dwcp_htab_add */
} dwcp_htab_t;

/** Initialise an empty table for @p kind reserving indices [0, reserved). */
void dwcp_htab_init(dwcp_htab_t *t, int kind, int reserved);

/** Free the table (not the objects). */
void dwcp_htab_fini(dwcp_htab_t *t);

/** Put a predefined object at a fixed index (< reserved). */
dwcs_status_t dwcp_htab_set(dwcp_htab_t *t, int index, void *obj);

/** Add @p obj; returns its handle in *handle. */
dwcs_status_t dwcp_htab_add(dwcp_htab_t *t, void *obj, int *handle);

/** Remove the object at @p handle (its slot is reused later). */
void dwcp_htab_remove(dwcp_htab_t *t, int handle);

/** The object for @p handle, or NULL if the handle is not a live object of this kind. */
static inline void *dwcp_htab_get(const dwcp_htab_t *t, int handle)
{
    int idx = DWCP_HANDLE_INDEX(handle);
    if (DWCP_HANDLE_KIND(handle) != t->kind || idx <= 0 || idx >= t->used) {
        return (void *)0;
    }
    return t->slots[idx];
}

#endif
