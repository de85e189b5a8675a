/*
 * dwcp_op.h — reduction operations (MPI_Op): the predefined ones on every datatype the standard
 * allows, and user functions. Used by the reduction collectives, RMA accumulate and
 * MPI_Reduce_local.
 */
#ifndef DWCP_OP_H
#define DWCP_OP_H

#include <stddef.h>

#include "mpi.h"
#include "dwcp_dt.h"
#include "dwcs_status.h"

typedef struct dwcp_op {
    int handle;              /* MPI_Op */
    int refcount;            /* user handle + pending operations */
    int builtin;             /* 1 for MPI_MAX .. MPI_NO_OP */
    int index;               /* builtin: handle index (1 = MPI_MAX ... 14 = MPI_NO_OP) */
    int commute;             /* commutative */
    MPI_User_function *fn;   /* user operation, NULL for builtin */
} dwcp_op_t;

/** Create the predefined operations and the table (called by dwcp_dt_init). */
dwcs_status_t dwcp_op_init(void);

/** Free user operations left and the table (called by dwcp_dt_finalize). */
void dwcp_op_finalize(void);

/** The live operation for @p h, or NULL (MPI_OP_NULL is not live). */
dwcp_op_t *dwcp_op_get(MPI_Op h);

/** Create a user operation and give it a handle. */
dwcs_status_t dwcp_op_create(MPI_User_function *fn, int commute, MPI_Op *handle);

/** Drop the user handle of @p op (the object lives while pending operations hold it). */
void dwcp_op_free(dwcp_op_t *op);

/** Take / drop a reference (pending nonblocking reductions). Builtins are not counted. */
void dwcp_op_retain(dwcp_op_t *op);
void dwcp_op_release(dwcp_op_t *op);

/**
 * MPI_SUCCESS if @p op may be applied to @p dt (for predefined operations: every builtin
 * element of dt is of one type the standard allows for op), else MPI_ERR_OP.
 */
int dwcp_op_check(const dwcp_op_t *op, const dwcp_dt_t *dt);

/**
 * inout[i] = in[i] op inout[i] for @p count elements of @p dt (the standard's order: the
 * left operand is @p in). Non-contiguous derived types are packed through temporaries.
 * Returns MPI_SUCCESS, MPI_ERR_OP for a combination the standard does not allow, or
 * MPI_ERR_NO_MEM.
 */
int dwcp_op_apply(const dwcp_op_t *op, const void *in, void *inout, size_t count,
                  const dwcp_dt_t *dt);

/** Name of a predefined operation ("MPI_SUM"), for messages. */
const char *dwcp_op_name(const dwcp_op_t *op);

#endif
