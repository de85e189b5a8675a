/*
 * dwcs_status.h — the one status type of DWCP-MPI's internal layers.
 *
 * 0 is success, DWCS_INPROGRESS (positive) means "started, a completion callback follows",
 * negative values are errors. Link and peer failures have their own range
 * [DWCS_ERR_LINK_LAST, DWCS_ERR_LINK_FIRST] so callers can retry through another path.
 * The MPI layer maps a status to an MPI error class in one place (dwcp_status_to_class).
 */
#ifndef DWCS_STATUS_H
#define DWCS_STATUS_H

typedef enum dwcs_status {
    DWCS_INPROGRESS = 1,
    DWCS_OK = 0,
    DWCS_ERR_NO_MEMORY = -1,
    DWCS_ERR_INVALID_PARAM = -2,
    DWCS_ERR_UNSUPPORTED = -3,
    DWCS_ERR_IO = -4,
    DWCS_ERR_TRUNCATE = -5,
    DWCS_ERR_NOT_FOUND = -6,
    DWCS_ERR_TIMEOUT = -7,
    DWCS_ERR_PROTOCOL = -8,
    DWCS_ERR_BOOTSTRAP = -9,
    DWCS_ERR_BUSY = -10,
    DWCS_ERR_CANCELED = -11,
    DWCS_ERR_INTERNAL = -12,
    DWCS_ERR_EXISTS = -13,
    DWCS_ERR_OVERFLOW = -14,
    DWCS_ERR_PERMISSION = -15,
    /* link / peer failures */
    DWCS_ERR_LINK_FIRST = -100,
    DWCS_ERR_UNREACHABLE = -100,
    DWCS_ERR_CONN_RESET = -101,
    DWCS_ERR_PEER_FAILED = -102,
    DWCS_ERR_AUTH = -103,
    DWCS_ERR_LINK_LAST = -199,
} dwcs_status_t;

/** True if @p st is a link or peer failure (retry elsewhere may help). */
static inline int dwcs_status_is_link(dwcs_status_t st)
{
    return st <= DWCS_ERR_LINK_FIRST && st >= DWCS_ERR_LINK_LAST;
}

/** A short English description of @p st ("no memory", ...). Never NULL. */
const char *dwcs_status_string(dwcs_status_t st);

#endif
