/*
 * dwcs_params.h — typed parameter tables, one per module.
 *
 * A module describes its parameters in a static table (name, type, default, help, level) and
 * the offset of each value in its configuration struct. dwcs_params_load() fills the struct
 * from, in decreasing precedence:
 *   1. the environment variable DWCP_<NAME> (upper case),
 *   2. OMPI_MCA_dwcp_<name> (what `mpirun --mca dwcp_<name> v` sets),
 *   3. the params file: $DWCP_PARAMS_FILE, else $HOME/.dwcp/params.conf (lines `name = value`),
 *   4. the default.
 * Every table registered with dwcs_params_register() is listed by `dwcp_info`.
 */
#ifndef DWCS_PARAMS_H
#define DWCS_PARAMS_H

#include <stddef.h>
#include <stdint.h>

#include "dwcs_status.h"

typedef enum dwcs_param_type {
    DWCS_PARAM_INT,    /* int; decimal, may be negative */
    DWCS_PARAM_SIZE,   /* size_t; accepts k, m, g suffixes (powers of 1024) */
    DWCS_PARAM_BOOL,   /* int 0/1; accepts 1/0, yes/no, true/false, on/off */
    DWCS_PARAM_DOUBLE, /* double */
    DWCS_PARAM_STRING, /* char * (owned by the struct; freed by dwcs_params_release) */
    DWCS_PARAM_ENUM,   /* int index into the comma-separated list in `choices` */
    DWCS_PARAM_TIME,   /* double seconds; accepts us, ms, s suffixes */
} dwcs_param_type_t;

/* Level: who the parameter is for. */
#define DWCS_PARAM_LEVEL_USER 1
#define DWCS_PARAM_LEVEL_TUNER 2
#define DWCS_PARAM_LEVEL_DEV 3

/** One parameter. */
typedef struct dwcs_param {
    const char *name;    /* lower case, e.g. "eager_limit" (env DWCP_EAGER_LIMIT) */
    dwcs_param_type_t type;
    const char *defval;  /* default, as text */
    const char *help;    /* one sentence */
    int level;           /* DWCS_PARAM_LEVEL_* */
    const char *choices; /* DWCS_PARAM_ENUM only: "auto,ucx,amst,tcp1" */
    size_t offset;       /* offsetof(config struct, field) */
} dwcs_param_t;

/** A module's table. */
typedef struct dwcs_param_table {
    const char *module;         /* "mpi", "ucx", "amst", ... */
    const dwcs_param_t *params;
    size_t count;
    struct dwcs_param_table *next; /* registry link, set by dwcs_params_register */
} dwcs_param_table_t;

/** Where a value came from. */
typedef enum dwcs_param_source {
    DWCS_PARAM_SRC_DEFAULT,
    DWCS_PARAM_SRC_FILE,
    DWCS_PARAM_SRC_MCA,
    DWCS_PARAM_SRC_ENV,
} dwcs_param_source_t;

/**
 * Fill @p config from the sources above. On a bad value returns DWCS_ERR_INVALID_PARAM and
 * writes a message naming the parameter, the value and its source into @p err.
 */
dwcs_status_t dwcs_params_load(const dwcs_param_table_t *table, void *config, char *err,
                               size_t errlen);

/** Free the strings dwcs_params_load() allocated in @p config. */
void dwcs_params_release(const dwcs_param_table_t *table, void *config);

/** Add @p table to the registry listed by dwcs_params_print (idempotent). */
void dwcs_params_register(dwcs_param_table_t *table);

/** First registered table, for iteration with ->next. */
const dwcs_param_table_t *dwcs_params_registry(void);

/**
 * Look up the raw text of parameter @p name (without the dwcp_ prefix) from the sources above.
 * Returns the source, and sets *value to a string valid until the next call, or to the
 * default @p defval when no source sets it.
 */
dwcs_param_source_t dwcs_params_lookup(const char *name, const char *defval, const char **value);

/** Human-readable name of a source ("default", "file", "mca", "env"). */
const char *dwcs_param_source_name(dwcs_param_source_t src);

/** Parse @p text as @p p's type into @p out (sizeof field). Returns DWCS_OK or an error. */
dwcs_status_t dwcs_param_parse(const dwcs_param_t *p, const char *text, void *out);

/**
 * Print every parameter of every registered table (name, type, current value, source,
 * default, help) to stdout; @p max_level filters by level.
 */
void dwcs_params_print(int max_level);

#endif
