/*
 * dwcp_attr.h — keyvals and cached attributes for communicators, datatypes and windows.
 * Every function returns an MPI error code (MPI_SUCCESS or a class); the binding reports it.
 * @p kind is DWCP_KIND_COMM, DWCP_KIND_DATATYPE or DWCP_KIND_WIN.
 */
#ifndef DWCP_ATTR_H
#define DWCP_ATTR_H

#include "dwcp.h"

/** Create a keyval; copy/delete are the kind's callback types cast to void (*)(void). */
int dwcp_keyval_create(int kind, void (*copy_fn)(void), void (*delete_fn)(void), void *extra,
                       int *keyval);
/**
 * Mark a keyval freed (it lives while attributes use it); sets *keyval to MPI_KEYVAL_INVALID.
 * Freeing an already freed keyval that attributes still keep alive is a no-op; MPI_ERR_KEYVAL
 * when the keyval does not exist (any more) or is of another kind.
 */
int dwcp_keyval_free(int kind, int *keyval);
/** Set (replacing, which calls the delete callback on the old value). */
int dwcp_attr_set(int kind, int handle, dwcp_attr_t **list, int keyval, void *value);
/** Get; *flag 0 when not set. Predefined keys are answered for MPI_COMM_WORLD. */
int dwcp_attr_get(int kind, int handle, dwcp_attr_t *list, int keyval, void **value, int *flag);
/** Delete one attribute (calls the delete callback). */
int dwcp_attr_delete(int kind, int handle, dwcp_attr_t **list, int keyval);

#endif
