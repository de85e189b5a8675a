#include "dwcs_log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int dwcs_log_threshold = DWCS_LOG_WARN;
static char log_prefix[128] = "";

void dwcs_log_set_prefix(const char *prefix)
{
    snprintf(log_prefix, sizeof(log_prefix), "%s", prefix ? prefix : "");
}

void dwcs_log_set_level(int level)
{
    if (level < DWCS_LOG_ERROR) {
        level = DWCS_LOG_ERROR;
    }
    if (level > DWCS_LOG_TRACE) {
        level = DWCS_LOG_TRACE;
    }
    dwcs_log_threshold = level;
}

void dwcs_log_emit(dwcs_log_level_t lvl, const char *file, int line, const char *fmt, ...)
{
    static const char *names[] = {"error", "warning", "info", "debug", "trace"};
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
#ifdef DWCP_DEBUG
    fprintf(stderr, "DWCP-MPI[%s] %s: %s (%s:%d)\n", log_prefix, names[lvl], msg, file, line);
#else
    (void)file;
    (void)line;
    if (log_prefix[0]) {
        fprintf(stderr, "DWCP-MPI[%s] %s: %s\n", log_prefix, names[lvl], msg);
    } else {
        fprintf(stderr, "DWCP-MPI %s: %s\n", names[lvl], msg);
    }
#endif
    fflush(stderr);
}
