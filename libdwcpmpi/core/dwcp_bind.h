/*
 * dwcp_bind.h — helpers for the thin MPI bindings (the files in bindings/).
 *
 * Each binding is `int PMPI_X(...)` followed by DWCP_WEAK(X), which makes MPI_X a weak alias of
 * PMPI_X (profiling tools interpose MPI_X). Bindings check arguments in the standard's order
 * (communicator, count, datatype, rank, tag) and report through dwcp_err_comm.
 */
#ifndef DWCP_BIND_H
#define DWCP_BIND_H

#include "dwcp.h"

#define DWCP_STR_(x) #x
#define DWCP_PRAGMA_(x) _Pragma(DWCP_STR_(x))
#define DWCP_WEAK(fn) DWCP_PRAGMA_(weak MPI_##fn = PMPI_##fn)

/* Resolve communicator @p h into @p c or return MPI_ERR_COMM from @p fname. */
#define DWCP_GET_COMM(fname, h, c)                                                                 \
    dwcp_comm_t *c = dwcp_comm_get(h);                                                             \
    if (c == NULL) {                                                                               \
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_COMM, fname,                                  \
                             (h) == MPI_COMM_NULL ? "MPI_COMM_NULL is not a valid communicator"    \
                                                  : "invalid communicator handle");                \
    }

/* Resolve a committed datatype for communication. */
#define DWCP_GET_DT(fname, comm, h, dt)                                                            \
    dwcp_dt_t *dt;                                                                                 \
    if (dwcp_dt_check((h), &dt) != DWCS_OK) {                                                      \
        return dwcp_err_comm(comm, MPI_ERR_TYPE, fname,                                            \
                             (h) == MPI_DATATYPE_NULL ? "MPI_DATATYPE_NULL is not a valid datatype" \
                                                      : "invalid or uncommitted datatype");        \
    }

#define DWCP_CHECK_COUNT(fname, comm, n)                                                           \
    if ((n) < 0) {                                                                                 \
        return dwcp_err_comm(comm, MPI_ERR_COUNT, fname, "negative count %d", (int)(n));          \
    }

/* Largest tag (MPI_TAG_UB). */
#define DWCP_TAG_UB 0x3fffffff

/** Fill a user status (MPI_STATUS_IGNORE allowed). MPI_ERROR is left as the caller sets it. */
static inline void dwcp_status_out(MPI_Status *out, const MPI_Status *in)
{
    if (out != MPI_STATUS_IGNORE && out != NULL) {
        int err = out->MPI_ERROR;
        *out = *in;
        out->MPI_ERROR = err;
    }
}

#endif
