/* Counting what a status describes. */
#include "dwcp_bind.h"

static int status_dt(const char *fn, const MPI_Status *status, MPI_Datatype datatype,
                     dwcp_dt_t **dt)
{
    if (status == NULL || status == MPI_STATUS_IGNORE) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_ARG, fn, "NULL or ignored status");
    }
    if (dwcp_dt_check(datatype, dt) != DWCS_OK) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_TYPE, fn, "invalid or uncommitted datatype");
    }
    return MPI_SUCCESS;
}

int PMPI_Get_count(const MPI_Status *status, MPI_Datatype datatype, int *count)
{
    dwcp_dt_t *dt;
    DWCP_CHECK_INIT("MPI_Get_count");
    int rc = status_dt("MPI_Get_count", status, datatype, &dt);
    if (rc != MPI_SUCCESS) {
        return rc;
    }
    if (count == NULL) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_ARG, "MPI_Get_count", "NULL count");
    }
    long long bytes = status->dwcp_count;
    if (dt->size == 0) {
        *count = 0;
    } else if (bytes % (long long)dt->size != 0 || bytes / (long long)dt->size > 0x7fffffff) {
        *count = MPI_UNDEFINED;
    } else {
        *count = (int)(bytes / (long long)dt->size);
    }
    return MPI_SUCCESS;
}
DWCP_WEAK(Get_count)

int PMPI_Get_elements_x(const MPI_Status *status, MPI_Datatype datatype, MPI_Count *count)
{
    dwcp_dt_t *dt;
    DWCP_CHECK_INIT("MPI_Get_elements_x");
    int rc = status_dt("MPI_Get_elements_x", status, datatype, &dt);
    if (rc != MPI_SUCCESS) {
        return rc;
    }
    if (count == NULL) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_ARG, "MPI_Get_elements_x", "NULL count");
    }
    *count = dwcp_dt_elements(dt, (size_t)status->dwcp_count);
    return MPI_SUCCESS;
}
DWCP_WEAK(Get_elements_x)

int PMPI_Get_elements(const MPI_Status *status, MPI_Datatype datatype, int *count)
{
    MPI_Count c;
    if (count == NULL) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_ARG, "MPI_Get_elements", "NULL count");
    }
    int rc = PMPI_Get_elements_x(status, datatype, &c);
    if (rc == MPI_SUCCESS) {
        *count = c > 0x7fffffff ? MPI_UNDEFINED : (int)c;
    }
    return rc;
}
DWCP_WEAK(Get_elements)

int PMPI_Status_set_elements_x(MPI_Status *status, MPI_Datatype datatype, MPI_Count count)
{
    dwcp_dt_t *dt;
    DWCP_CHECK_INIT("MPI_Status_set_elements_x");
    int rc = status_dt("MPI_Status_set_elements_x", status, datatype, &dt);
    if (rc != MPI_SUCCESS) {
        return rc;
    }
    if (count < 0) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_COUNT, "MPI_Status_set_elements_x",
                             "negative count");
    }
    /* Bytes of the first @p count builtin elements of this type (exact for mixed structs). */
    status->dwcp_count = (long long)dwcp_dt_elements_bytes(dt, count);
    return MPI_SUCCESS;
}
DWCP_WEAK(Status_set_elements_x)

int PMPI_Status_set_elements(MPI_Status *status, MPI_Datatype datatype, int count)
{
    return PMPI_Status_set_elements_x(status, datatype, count);
}
DWCP_WEAK(Status_set_elements)
