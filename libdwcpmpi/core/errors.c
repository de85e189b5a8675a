/*
 * Error classes, codes, strings and error handlers.
 *
 * Predefined classes are their own codes. MPI_Add_error_class/code create user classes and
 * codes above MPI_T_ERR_INVALID/DWCP_ERR_LINK; each code remembers its class and string.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dwcp.h"

#define NUM_PREDEF (MPI_ERR_SESSION + 1)

static const char *class_names[NUM_PREDEF] = {
    "MPI_SUCCESS", "MPI_ERR_BUFFER", "MPI_ERR_COUNT", "MPI_ERR_TYPE", "MPI_ERR_TAG",
    "MPI_ERR_COMM", "MPI_ERR_RANK", "MPI_ERR_REQUEST", "MPI_ERR_ROOT", "MPI_ERR_GROUP",
    "MPI_ERR_OP", "MPI_ERR_TOPOLOGY", "MPI_ERR_DIMS", "MPI_ERR_ARG", "MPI_ERR_UNKNOWN",
    "MPI_ERR_TRUNCATE", "MPI_ERR_OTHER", "MPI_ERR_INTERN", "MPI_ERR_IN_STATUS",
    "MPI_ERR_PENDING", "MPI_ERR_KEYVAL", "MPI_ERR_NO_MEM", "MPI_ERR_BASE", "MPI_ERR_INFO_KEY",
    "MPI_ERR_INFO_VALUE", "MPI_ERR_INFO_NOKEY", "MPI_ERR_SPAWN", "MPI_ERR_PORT",
    "MPI_ERR_SERVICE", "MPI_ERR_NAME", "MPI_ERR_WIN", "MPI_ERR_SIZE", "MPI_ERR_DISP",
    "MPI_ERR_INFO", "MPI_ERR_LOCKTYPE", "MPI_ERR_ASSERT", "MPI_ERR_RMA_CONFLICT",
    "MPI_ERR_RMA_SYNC", "MPI_ERR_FILE", "MPI_ERR_NOT_SAME", "MPI_ERR_AMODE",
    "MPI_ERR_UNSUPPORTED_DATAREP", "MPI_ERR_UNSUPPORTED_OPERATION", "MPI_ERR_NO_SUCH_FILE",
    "MPI_ERR_FILE_EXISTS", "MPI_ERR_BAD_FILE", "MPI_ERR_ACCESS", "MPI_ERR_NO_SPACE",
    "MPI_ERR_QUOTA", "MPI_ERR_READ_ONLY", "MPI_ERR_FILE_IN_USE", "MPI_ERR_DUP_DATAREP",
    "MPI_ERR_CONVERSION", "MPI_ERR_IO", "MPI_ERR_RMA_RANGE", "MPI_ERR_RMA_ATTACH",
    "MPI_ERR_RMA_SHARED", "MPI_ERR_RMA_FLAVOR", "MPI_T_ERR_INVALID", "DWCP_ERR_LINK",
    "MPI_ERR_SESSION"};

static const char *class_strings[NUM_PREDEF] = {
    "no error", "invalid buffer pointer", "invalid count argument", "invalid datatype",
    "invalid tag", "invalid communicator", "invalid rank", "invalid request",
    "invalid root", "invalid group", "invalid reduction operation",
    "invalid topology", "invalid dimension argument", "invalid argument",
    "unknown error", "message truncated", "other error", "internal error",
    "error code is in status", "pending request", "invalid keyval",
    "out of memory", "invalid base address", "invalid info key", "invalid info value",
    "info key not defined", "spawn error", "invalid port", "invalid service name",
    "invalid name", "invalid window", "invalid size", "invalid displacement",
    "invalid info object", "invalid lock type", "invalid assert argument",
    "conflicting RMA accesses", "wrong RMA synchronization", "invalid file handle",
    "collective argument not identical on all processes", "invalid access mode",
    "unsupported data representation", "unsupported operation", "no such file",
    "file exists", "invalid file name", "permission denied", "no space left",
    "quota exceeded", "read-only file or file system", "file in use",
    "data representation already defined", "data conversion error", "I/O error",
    "target memory outside the window", "memory cannot be attached",
    "memory cannot be shared", "window flavor does not support the call",
    "invalid MPI_T handle", "a peer or WAN link failed", "invalid session"};

/* User-defined classes and codes: code -> (class, string). */
typedef struct user_code {
    int cls;
    char *str;
} user_code_t;
static user_code_t *user_codes; /* index: code - USER_BASE */
static int n_user_codes;
/* User-defined classes and codes lie above MPI_ERR_LASTCODE, as the standard expects. */
#define USER_BASE (MPI_ERR_LASTCODE + 1)
int dwcp_lastusedcode = MPI_ERR_LASTCODE;

static dwcp_errh_t errh_fatal = {MPI_ERRORS_ARE_FATAL, 1, DWCP_ERRH_COMM, NULL};
static dwcp_errh_t errh_return = {MPI_ERRORS_RETURN, 1, DWCP_ERRH_COMM, NULL};

const char *dwcp_error_class_name(int cls)
{
    if (cls >= 0 && cls < NUM_PREDEF) {
        return class_names[cls];
    }
    return "user-defined error class";
}

int dwcp_error_valid(int code)
{
    return (code >= 0 && code < NUM_PREDEF) || (code >= USER_BASE && code - USER_BASE < n_user_codes);
}

int dwcp_error_class_of(int code)
{
    if (code >= 0 && code < NUM_PREDEF) {
        return code;
    }
    if (code >= USER_BASE && code - USER_BASE < n_user_codes) {
        return user_codes[code - USER_BASE].cls;
    }
    return MPI_ERR_UNKNOWN;
}

const char *dwcp_error_string_of(int code)
{
    if (code >= 0 && code < NUM_PREDEF) {
        return class_strings[code];
    }
    if (code >= USER_BASE && code - USER_BASE < n_user_codes) {
        return user_codes[code - USER_BASE].str ? user_codes[code - USER_BASE].str : "";
    }
    return "unknown error code";
}

int dwcp_error_add(int cls, int *code)
{
    user_code_t *n = realloc(user_codes, (size_t)(n_user_codes + 1) * sizeof(*n));
    if (n == NULL) {
        return MPI_ERR_NO_MEM;
    }
    user_codes = n;
    int c = USER_BASE + n_user_codes;
    user_codes[n_user_codes].cls = cls < 0 ? c : cls; /* a new class is its own class */
    user_codes[n_user_codes].str = NULL;
    n_user_codes++;
    dwcp_lastusedcode = c;
    *code = c;
    return MPI_SUCCESS;
}

int dwcp_error_set_string(int code, const char *s)
{
    if (code < USER_BASE || code - USER_BASE >= n_user_codes) {
        return MPI_ERR_ARG;
    }
    user_code_t *u = &user_codes[code - USER_BASE];
    char *d = strdup(s);
    if (d == NULL) {
        return MPI_ERR_NO_MEM;
    }
    free(u->str);
    u->str = d;
    return MPI_SUCCESS;
}

int dwcp_status_to_class(dwcs_status_t st)
{
    switch (st) {
    case DWCS_OK:
    case DWCS_INPROGRESS: return MPI_SUCCESS;
    case DWCS_ERR_NO_MEMORY: return MPI_ERR_NO_MEM;
    case DWCS_ERR_INVALID_PARAM: return MPI_ERR_ARG;
    case DWCS_ERR_UNSUPPORTED: return MPI_ERR_UNSUPPORTED_OPERATION;
    case DWCS_ERR_TRUNCATE: return MPI_ERR_TRUNCATE;
    case DWCS_ERR_CANCELED: return MPI_SUCCESS;
    case DWCS_ERR_INTERNAL: return MPI_ERR_INTERN;
    case DWCS_ERR_OVERFLOW: return MPI_ERR_COUNT;
    default: break;
    }
    return dwcs_status_is_link(st) ? DWCP_ERR_LINK : MPI_ERR_OTHER;
}

dwcs_status_t dwcp_errors_init(void)
{
    dwcp_htab_init(&dwcp_g.errhs, DWCP_KIND_ERRHANDLER, 3);
    dwcp_htab_set(&dwcp_g.errhs, 1, &errh_fatal);
    dwcp_htab_set(&dwcp_g.errhs, 2, &errh_return);
    return DWCS_OK;
}

void dwcp_errors_finalize(void)
{
    int i;
    for (i = 0; i < n_user_codes; i++) {
        free(user_codes[i].str);
    }
    free(user_codes);
    user_codes = NULL;
    n_user_codes = 0;
    dwcp_htab_fini(&dwcp_g.errhs);
}

void dwcp_errh_release(dwcp_errh_t *e)
{
    if (e != NULL && e->fn != NULL && --e->refcount == 0) {
        dwcp_htab_remove(&dwcp_g.errhs, e->handle);
        free(e);
    }
}

/* Print and abort for ERRORS_ARE_FATAL. */
static void fatal(int code, const char *fname, const char *objdesc, const char *detail)
{
    fprintf(stderr,
            "DWCP-MPI: %s (rank %d of %d, %s): %s: %s%s%s\n"
            "DWCP-MPI: the error handler is MPI_ERRORS_ARE_FATAL: aborting the job.\n",
            fname, dwcp_g.rank, dwcp_g.size, objdesc,
            dwcp_error_class_name(dwcp_error_class_of(code)), dwcp_error_string_of(code),
            detail[0] ? ": " : "", detail);
    fflush(stderr);
    dwcp_bootstrap_abort(code > 0 && code < 256 ? code : 1, "MPI error (ERRORS_ARE_FATAL)");
}

int dwcp_err_comm(MPI_Comm comm, int code, const char *fname, const char *fmt, ...)
{
    char detail[512] = "";
    char objdesc[160];
    if (fmt != NULL) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(detail, sizeof(detail), fmt, ap);
        va_end(ap);
    }
    dwcp_comm_t *c = dwcp_comm_get(comm);
    if (c == NULL) {
        c = dwcp_g.world;
    }
    if (c == NULL) { /* before init or after finalize */
        fprintf(stderr, "DWCP-MPI: %s: %s: %s\n", fname,
                dwcp_error_class_name(dwcp_error_class_of(code)), detail);
        return code;
    }
    snprintf(objdesc, sizeof(objdesc), "communicator %s", c->name[0] ? c->name : "(unnamed)");
    dwcp_errh_t *e = dwcp_htab_get(&dwcp_g.errhs, c->errhandler);
    if (e == NULL || e->handle == MPI_ERRORS_ARE_FATAL) {
        fatal(code, fname, objdesc, detail);
    }
    if (e->handle == MPI_ERRORS_RETURN) {
        if (dwcs_log_threshold >= DWCS_LOG_INFO) {
            DWCS_INFO("%s: %s: %s", fname, dwcp_error_class_name(dwcp_error_class_of(code)),
                      detail);
        }
        return code;
    }
    MPI_Comm h = c->handle;
    int ecode = code;
    ((MPI_Comm_errhandler_function *)e->fn)(&h, &ecode, fname);
    return code;
}

int dwcp_err_win(MPI_Win win, int code, const char *fname, const char *fmt, ...)
{
    char detail[512] = "";
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof(detail), fmt, ap);
    va_end(ap);
    /* Windows carry their error handler as their first field (see the RMA module). */
    int *w = dwcp_htab_get(&dwcp_g.wins, win);
    if (w == NULL) {
        return dwcp_err_comm(MPI_COMM_WORLD, code, fname, "%s", detail);
    }
    dwcp_errh_t *e = dwcp_htab_get(&dwcp_g.errhs, w[0]);
    if (e == NULL || e->handle == MPI_ERRORS_ARE_FATAL) {
        fatal(code, fname, "window", detail);
    }
    if (e->handle != MPI_ERRORS_RETURN) {
        MPI_Win h = win;
        int ecode = code;
        ((MPI_Win_errhandler_function *)e->fn)(&h, &ecode, fname);
    }
    return code;
}

int dwcp_err_not_initialized(const char *fname)
{
    fprintf(stderr, "DWCP-MPI: %s called %s MPI_Init; aborting.\n", fname,
            dwcp_g.finalized ? "after MPI_Finalize" : "before");
    fflush(stderr);
    exit(1);
}
