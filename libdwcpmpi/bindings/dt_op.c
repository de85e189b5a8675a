/*
 * dt_op.c — MPI bindings: user reduction operations and MPI_Reduce_local.
 */
#include "dwcp.h"
#include "dwcp_op.h"
#include "dt_impl.h"

#define ERR(code, fn, ...) dwcp_err_comm(MPI_COMM_WORLD, code, fn, __VA_ARGS__)

int PMPI_Op_create(MPI_User_function *user_fn, int commute, MPI_Op *op)
{
    const char *fn = "MPI_Op_create";
    DWCP_CHECK_INIT(fn);
    if (user_fn == NULL || op == NULL) {
        return ERR(MPI_ERR_ARG, fn, "user_fn or op is NULL");
    }
    if (dwcp_op_create(user_fn, commute, op) != DWCS_OK) {
        return ERR(MPI_ERR_NO_MEM, fn, "cannot allocate an operation");
    }
    return MPI_SUCCESS;
}
#pragma weak MPI_Op_create = PMPI_Op_create

int PMPI_Op_free(MPI_Op *op)
{
    const char *fn = "MPI_Op_free";
    DWCP_CHECK_INIT(fn);
    if (op == NULL) {
        return ERR(MPI_ERR_ARG, fn, "op is NULL");
    }
    dwcp_op_t *o = dwcp_op_get(*op);
    if (o == NULL) {
        return ERR(MPI_ERR_OP, fn, "%#x is not a valid operation", (unsigned)*op);
    }
    if (o->builtin) {
        return ERR(MPI_ERR_OP, fn, "cannot free the predefined operation %s", dwcp_op_name(o));
    }
    dwcp_op_free(o);
    *op = MPI_OP_NULL;
    return MPI_SUCCESS;
}
#pragma weak MPI_Op_free = PMPI_Op_free

int PMPI_Op_commutative(MPI_Op op, int *commute)
{
    const char *fn = "MPI_Op_commutative";
    DWCP_CHECK_INIT(fn);
    dwcp_op_t *o = dwcp_op_get(op);
    if (o == NULL) {
        return ERR(MPI_ERR_OP, fn, "%#x is not a valid operation", (unsigned)op);
    }
    if (commute == NULL) {
        return ERR(MPI_ERR_ARG, fn, "commute is NULL");
    }
    *commute = o->commute;
    return MPI_SUCCESS;
}
#pragma weak MPI_Op_commutative = PMPI_Op_commutative

int PMPI_Reduce_local(const void *inbuf, void *inoutbuf, int count, MPI_Datatype datatype,
                      MPI_Op op)
{
    const char *fn = "MPI_Reduce_local";
    DWCP_CHECK_INIT(fn);
    if (count < 0) {
        return ERR(MPI_ERR_COUNT, fn, "count %d is negative", count);
    }
    dwcp_dt_t *dt;
    if (dwcp_dt_check(datatype, &dt) != DWCS_OK) {
        return ERR(MPI_ERR_TYPE, fn, "%#x is not a valid committed datatype",
                   (unsigned)datatype);
    }
    dwcp_op_t *o = dwcp_op_get(op);
    if (o == NULL) {
        return ERR(MPI_ERR_OP, fn, "%#x is not a valid operation", (unsigned)op);
    }
    if (count > 0 && (inbuf == MPI_IN_PLACE || inoutbuf == MPI_IN_PLACE)) {
        return ERR(MPI_ERR_BUFFER, fn, "MPI_IN_PLACE is not allowed in MPI_Reduce_local");
    }
    if (dwcp_op_check(o, dt) != MPI_SUCCESS) {
        return ERR(MPI_ERR_OP, fn, "%s is not defined for datatype %s", dwcp_op_name(o),
                   dt->basic >= 0 ? dwcp_dt_basic_name(dt->basic) : "(mixed derived type)");
    }
    int rc = dwcp_op_apply(o, inbuf, inoutbuf, (size_t)count, dt);
    if (rc != MPI_SUCCESS) {
        return ERR(rc, fn, "applying %s failed", dwcp_op_name(o));
    }
    return MPI_SUCCESS;
}
#pragma weak MPI_Reduce_local = PMPI_Reduce_local
