/*
 * dwcs_log.h — logging for every layer.
 *
 * Messages go to stderr as "DWCP-MPI[<prefix>] <level>: <text>" where the prefix (e.g. "rank 3
 * on node1") is set once by the MPI layer. Errors are logged once, where found, with the real
 * cause. The verbosity comes from the `log_level` parameter (DWCP_LOG_LEVEL=0..4).
 * In debug builds (-DDWCP_DEBUG) messages also carry file:line.
 */
#ifndef DWCS_LOG_H
#define DWCS_LOG_H

typedef enum dwcs_log_level {
    DWCS_LOG_ERROR = 0,
    DWCS_LOG_WARN = 1,
    DWCS_LOG_INFO = 2,
    DWCS_LOG_DEBUG = 3,
    DWCS_LOG_TRACE = 4,
} dwcs_log_level_t;

/** Current threshold; messages above it are dropped. */
extern int dwcs_log_threshold;

/** Set the prefix shown in every message (copied). */
void dwcs_log_set_prefix(const char *prefix);

/** Set the threshold (clamped to ERROR..TRACE). */
void dwcs_log_set_level(int level);

/** Print one message; prefer the DWCS_LOG_* macros. */
void dwcs_log_emit(dwcs_log_level_t lvl, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#define DWCS_LOG_(lvl, ...)                                                                        \
    do {                                                                                           \
        if ((int)(lvl) <= dwcs_log_threshold) {                                                    \
            dwcs_log_emit((lvl), __FILE__, __LINE__, __VA_ARGS__);                                 \
        }                                                                                          \
    } while (0)
#define DWCS_ERROR(...) DWCS_LOG_(DWCS_LOG_ERROR, __VA_ARGS__)
#define DWCS_WARN(...) DWCS_LOG_(DWCS_LOG_WARN, __VA_ARGS__)
#define DWCS_INFO(...) DWCS_LOG_(DWCS_LOG_INFO, __VA_ARGS__)
#define DWCS_DEBUG(...) DWCS_LOG_(DWCS_LOG_DEBUG, __VA_ARGS__)
#define DWCS_TRACE(...) DWCS_LOG_(DWCS_LOG_TRACE, __VA_ARGS__)

#endif
