#include "dwcs_status.h"

const char *dwcs_status_string(dwcs_status_t st)
{
    switch (st) {
    case DWCS_INPROGRESS: return "in progress";
    case DWCS_OK: return "success";
    case DWCS_ERR_NO_MEMORY: return "out of memory";
    case DWCS_ERR_INVALID_PARAM: return "invalid parameter";
    case DWCS_ERR_UNSUPPORTED: return "operation not supported";
    case DWCS_ERR_IO: return "input/output error";
    case DWCS_ERR_TRUNCATE: return "message truncated";
    case DWCS_ERR_NOT_FOUND: return "not found";
    case DWCS_ERR_TIMEOUT: return "timed out";
    case DWCS_ERR_PROTOCOL: return "protocol error (malformed or unexpected frame)";
    case DWCS_ERR_BOOTSTRAP: return "bootstrap (PMIx) failure";
    case DWCS_ERR_BUSY: return "resource busy";
    case DWCS_ERR_CANCELED: return "canceled";
    case DWCS_ERR_INTERNAL: return "internal error";
    case DWCS_ERR_EXISTS: return "already exists";
    case DWCS_ERR_OVERFLOW: return "value out of range";
    case DWCS_ERR_PERMISSION: return "permission denied";
    case DWCS_ERR_UNREACHABLE: return "peer unreachable";
    case DWCS_ERR_CONN_RESET: return "connection reset by peer";
    case DWCS_ERR_PEER_FAILED: return "peer process failed";
    case DWCS_ERR_AUTH: return "peer failed authentication";
    default: break;
    }
    return dwcs_status_is_link(st) ? "link failure" : "unknown error";
}
