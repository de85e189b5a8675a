/* Error classes, strings and error-handler bindings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dwcp_bind.h"

int dwcp_error_valid(int code);
int dwcp_error_class_of(int code);
const char *dwcp_error_string_of(int code);
int dwcp_error_add(int cls, int *code);
int dwcp_error_set_string(int code, const char *s);
void dwcp_errh_release(dwcp_errh_t *e);

int PMPI_Error_string(int errorcode, char *string, int *resultlen)
{
    if (string == NULL || resultlen == NULL) {
        return MPI_ERR_ARG;
    }
    if (!dwcp_error_valid(errorcode)) {
        snprintf(string, MPI_MAX_ERROR_STRING, "unknown error code %d", errorcode);
        *resultlen = (int)strlen(string);
        return MPI_ERR_ARG;
    }
    int cls = dwcp_error_class_of(errorcode);
    if (errorcode == cls && errorcode < MPI_ERR_LASTCODE && errorcode <= MPI_ERR_SESSION) {
        snprintf(string, MPI_MAX_ERROR_STRING, "%s: %s", dwcp_error_class_name(cls),
                 dwcp_error_string_of(errorcode));
    } else {
        snprintf(string, MPI_MAX_ERROR_STRING, "%s", dwcp_error_string_of(errorcode));
    }
    *resultlen = (int)strlen(string);
    return MPI_SUCCESS;
}
DWCP_WEAK(Error_string)

int PMPI_Error_class(int errorcode, int *errorclass)
{
    if (errorclass == NULL) {
        return MPI_ERR_ARG;
    }
    if (!dwcp_error_valid(errorcode)) {
        return dwcp_g.initialized ? dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_ARG, "MPI_Error_class",
                                                  "unknown error code %d", errorcode)
                                  : MPI_ERR_ARG;
    }
    *errorclass = dwcp_error_class_of(errorcode);
    return MPI_SUCCESS;
}
DWCP_WEAK(Error_class)

int PMPI_Add_error_class(int *errorclass)
{
    DWCP_CHECK_INIT("MPI_Add_error_class");
    if (errorclass == NULL) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_ARG, "MPI_Add_error_class", "NULL argument");
    }
    int rc = dwcp_error_add(-1, errorclass);
    return rc == MPI_SUCCESS ? rc : dwcp_err_comm(MPI_COMM_WORLD, rc, "MPI_Add_error_class", "no memory");
}
DWCP_WEAK(Add_error_class)

int PMPI_Add_error_code(int errorclass, int *errorcode)
{
    DWCP_CHECK_INIT("MPI_Add_error_code");
    if (errorcode == NULL || !dwcp_error_valid(errorclass) ||
        dwcp_error_class_of(errorclass) != errorclass) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_ARG, "MPI_Add_error_code",
                             "%d is not an error class", errorclass);
    }
    int rc = dwcp_error_add(errorclass, errorcode);
    return rc == MPI_SUCCESS ? rc : dwcp_err_comm(MPI_COMM_WORLD, rc, "MPI_Add_error_code", "no memory");
}
DWCP_WEAK(Add_error_code)

int PMPI_Add_error_string(int errorcode, const char *string)
{
    DWCP_CHECK_INIT("MPI_Add_error_string");
    if (string == NULL || strlen(string) >= MPI_MAX_ERROR_STRING) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_ARG, "MPI_Add_error_string", "bad string");
    }
    int rc = dwcp_error_set_string(errorcode, string);
    if (rc != MPI_SUCCESS) {
        return dwcp_err_comm(MPI_COMM_WORLD, rc, "MPI_Add_error_string",
                             "%d is not a user-defined error code or class", errorcode);
    }
    return MPI_SUCCESS;
}
DWCP_WEAK(Add_error_string)

static int errh_create(const char *fn, dwcp_errh_kind_t kind, void (*f)(void),
                       MPI_Errhandler *errhandler)
{
    DWCP_CHECK_INIT(fn);
    if (f == NULL || errhandler == NULL) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_ARG, fn, "NULL argument");
    }
    dwcp_errh_t *e = calloc(1, sizeof(*e));
    if (e == NULL || dwcp_htab_add(&dwcp_g.errhs, e, &e->handle) != DWCS_OK) {
        free(e);
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_NO_MEM, fn, "no memory");
    }
    e->refcount = 1;
    e->kind = kind;
    e->fn = f;
    *errhandler = e->handle;
    return MPI_SUCCESS;
}

int PMPI_Comm_create_errhandler(MPI_Comm_errhandler_function *function,
                                MPI_Errhandler *errhandler)
{
    return errh_create("MPI_Comm_create_errhandler", DWCP_ERRH_COMM, (void (*)(void))function,
                       errhandler);
}
DWCP_WEAK(Comm_create_errhandler)

int PMPI_Win_create_errhandler(MPI_Win_errhandler_function *function,
                               MPI_Errhandler *errhandler)
{
    return errh_create("MPI_Win_create_errhandler", DWCP_ERRH_WIN, (void (*)(void))function,
                       errhandler);
}
DWCP_WEAK(Win_create_errhandler)

int PMPI_Comm_set_errhandler(MPI_Comm comm, MPI_Errhandler errhandler)
{
    const char *fn = "MPI_Comm_set_errhandler";
    DWCP_CHECK_INIT(fn);
    DWCP_GET_COMM(fn, comm, c);
    dwcp_errh_t *e = dwcp_htab_get(&dwcp_g.errhs, errhandler);
    if (e == NULL || e->kind != DWCP_ERRH_COMM) {
        return dwcp_err_comm(comm, MPI_ERR_ARG, fn, "invalid communicator error handler");
    }
    if (e->fn != NULL) {
        e->refcount++;
    }
    dwcp_errh_release(dwcp_htab_get(&dwcp_g.errhs, c->errhandler));
    c->errhandler = errhandler;
    return MPI_SUCCESS;
}
DWCP_WEAK(Comm_set_errhandler)

int PMPI_Comm_get_errhandler(MPI_Comm comm, MPI_Errhandler *errhandler)
{
    const char *fn = "MPI_Comm_get_errhandler";
    DWCP_CHECK_INIT(fn);
    DWCP_GET_COMM(fn, comm, c);
    if (errhandler == NULL) {
        return dwcp_err_comm(comm, MPI_ERR_ARG, fn, "NULL argument");
    }
    dwcp_errh_t *e = dwcp_htab_get(&dwcp_g.errhs, c->errhandler);
    if (e != NULL && e->fn != NULL) {
        e->refcount++; /* the caller must free the handle it gets */
    }
    *errhandler = c->errhandler;
    return MPI_SUCCESS;
}
DWCP_WEAK(Comm_get_errhandler)

int PMPI_Comm_call_errhandler(MPI_Comm comm, int errorcode)
{
    const char *fn = "MPI_Comm_call_errhandler";
    DWCP_CHECK_INIT(fn);
    DWCP_GET_COMM(fn, comm, c);
    (void)c;
    dwcp_err_comm(comm, errorcode, fn, "raised by the application");
    return MPI_SUCCESS;
}
DWCP_WEAK(Comm_call_errhandler)

int PMPI_Errhandler_free(MPI_Errhandler *errhandler)
{
    DWCP_CHECK_INIT("MPI_Errhandler_free");
    if (errhandler == NULL) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_ARG, "MPI_Errhandler_free", "NULL argument");
    }
    dwcp_errh_t *e = dwcp_htab_get(&dwcp_g.errhs, *errhandler);
    if (e == NULL) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_ARG, "MPI_Errhandler_free",
                             "invalid error handler");
    }
    dwcp_errh_release(e);
    *errhandler = MPI_ERRHANDLER_NULL;
    return MPI_SUCCESS;
}
DWCP_WEAK(Errhandler_free)

/* Window error handlers: windows keep their handler in their first int (see rma module). */
int PMPI_Win_set_errhandler(MPI_Win win, MPI_Errhandler errhandler)
{
    DWCP_CHECK_INIT("MPI_Win_set_errhandler");
    int *w = dwcp_htab_get(&dwcp_g.wins, win);
    dwcp_errh_t *e = dwcp_htab_get(&dwcp_g.errhs, errhandler);
    if (w == NULL) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_WIN, "MPI_Win_set_errhandler", "invalid window");
    }
    if (e == NULL || (e->fn != NULL && e->kind != DWCP_ERRH_WIN)) {
        return dwcp_err_win(win, MPI_ERR_ARG, "MPI_Win_set_errhandler", "invalid error handler");
    }
    if (e->fn != NULL) {
        e->refcount++;
    }
    dwcp_errh_release(dwcp_htab_get(&dwcp_g.errhs, w[0]));
    w[0] = errhandler;
    return MPI_SUCCESS;
}
DWCP_WEAK(Win_set_errhandler)

int PMPI_Win_get_errhandler(MPI_Win win, MPI_Errhandler *errhandler)
{
    DWCP_CHECK_INIT("MPI_Win_get_errhandler");
    int *w = dwcp_htab_get(&dwcp_g.wins, win);
    if (w == NULL || errhandler == NULL) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_WIN, "MPI_Win_get_errhandler", "invalid window");
    }
    dwcp_errh_t *e = dwcp_htab_get(&dwcp_g.errhs, w[0]);
    if (e != NULL && e->fn != NULL) {
        e->refcount++;
    }
    *errhandler = w[0];
    return MPI_SUCCESS;
}
DWCP_WEAK(Win_get_errhandler)

int PMPI_Win_call_errhandler(MPI_Win win, int errorcode)
{
    DWCP_CHECK_INIT("MPI_Win_call_errhandler");
    if (dwcp_htab_get(&dwcp_g.wins, win) == NULL) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_WIN, "MPI_Win_call_errhandler", "invalid window");
    }
    dwcp_err_win(win, errorcode, "MPI_Win_call_errhandler", "raised by the application");
    return MPI_SUCCESS;
}
DWCP_WEAK(Win_call_errhandler)
