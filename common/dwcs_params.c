#include "dwcs_params.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static dwcs_param_table_t *registry;

/* Params file: parsed once, kept as name/value pairs. */
typedef struct file_kv {
    char *name;
    char *value;
} file_kv_t;
static file_kv_t *file_kvs;
static size_t file_nkvs;
static int file_loaded;

static char *trim(char *s)
{
    while (isspace((unsigned char)*s)) {
        s++;
    }
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1])) {
        *--e = '\0';
    }
    return s;
}

static void load_file(void)
{
    char path[4096];
    const char *p = getenv("DWCP_PARAMS_FILE");
    file_loaded = 1;
    if (p == NULL || *p == '\0') {
        const char *home = getenv("HOME");
        if (home == NULL) {
            return;
        }
        snprintf(path, sizeof(path), "%s/.dwcp/params.conf", home);
        p = path;
    }
    FILE *f = fopen(p, "r");
    if (f == NULL) {
        return;
    }
    char line[2048];
    while (fgets(line, sizeof(line), f) != NULL) {
        char *hash = strchr(line, '#');
        if (hash != NULL) {
            *hash = '\0';
        }
        char *eq = strchr(line, '=');
        if (eq == NULL) {
            continue;
        }
        *eq = '\0';
        char *name = trim(line);
        char *value = trim(eq + 1);
        if (strncmp(name, "dwcp_", 5) == 0) {
            name += 5;
        }
        if (*name == '\0') {
            continue;
        }
        file_kv_t *n = realloc(file_kvs, (file_nkvs + 1) * sizeof(*n));
        if (n == NULL) {
            break;
        }
        file_kvs = n;
        file_kvs[file_nkvs].name = strdup(name);
        file_kvs[file_nkvs].value = strdup(value);
        file_nkvs++;
    }
    fclose(f);
}

const char *dwcs_param_source_name(dwcs_param_source_t src)
{
    switch (src) {
    case DWCS_PARAM_SRC_ENV: return "env";
    case DWCS_PARAM_SRC_MCA: return "mca";
    case DWCS_PARAM_SRC_FILE: return "file";
    default: return "default";
    }
}

dwcs_param_source_t dwcs_params_lookup(const char *name, const char *defval, const char **value)
{
    static char envname[256];
    size_t i;
    snprintf(envname, sizeof(envname), "DWCP_%s", name);
    for (i = 5; envname[i] != '\0'; i++) {
        envname[i] = (char)toupper((unsigned char)envname[i]);
    }
    const char *v = getenv(envname);
    if (v != NULL) {
        *value = v;
        return DWCS_PARAM_SRC_ENV;
    }
    snprintf(envname, sizeof(envname), "OMPI_MCA_dwcp_%s", name);
    v = getenv(envname);
    if (v != NULL) {
        *value = v;
        return DWCS_PARAM_SRC_MCA;
    }
    if (!file_loaded) {
        load_file();
    }
    for (i = file_nkvs; i > 0; i--) { /* last assignment in the file wins */
        if (strcmp(file_kvs[i - 1].name, name) == 0) {
            *value = file_kvs[i - 1].value;
            return DWCS_PARAM_SRC_FILE;
        }
    }
    *value = defval;
    return DWCS_PARAM_SRC_DEFAULT;
}

static int parse_suffixed(const char *text, double *out, const char *const *sfx,
                          const double *mult, int nsfx)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || errno != 0) {
        return -1;
    }
    while (isspace((unsigned char)*end)) {
        end++;
    }
    if (*end != '\0') {
        int k;
        for (k = 0; k < nsfx; k++) {
            if (strcasecmp(end, sfx[k]) == 0) {
                v *= mult[k];
                break;
            }
        }
        if (k == nsfx) {
            return -1;
        }
    }
    *out = v;
    return 0;
}

dwcs_status_t dwcs_param_parse(const dwcs_param_t *p, const char *text, void *out)
{
    static const char *const size_sfx[] = {"b", "k", "kb", "kib", "m", "mb", "mib", "g", "gb", "gib"};
    static const double size_mul[] = {1, 1024.0, 1024.0, 1024.0, 1048576.0, 1048576.0, 1048576.0,
                                      1073741824.0, 1073741824.0, 1073741824.0};
    static const char *const time_sfx[] = {"ns", "us", "ms", "s"};
    static const double time_mul[] = {1e-9, 1e-6, 1e-3, 1.0};
    char *end;
    double d;
    switch (p->type) {
    case DWCS_PARAM_INT: {
        errno = 0;
        long v = strtol(text, &end, 0);
        if (end == text || *end != '\0' || errno != 0 || v < -2147483647L || v > 2147483647L) {
            return DWCS_ERR_INVALID_PARAM;
        }
        *(int *)out = (int)v;
        return DWCS_OK;
    }
    case DWCS_PARAM_SIZE:
        if (parse_suffixed(text, &d, size_sfx, size_mul, 10) != 0 || d < 0 || d > 1e18) {
            return DWCS_ERR_INVALID_PARAM;
        }
        *(size_t *)out = (size_t)d;
        return DWCS_OK;
    case DWCS_PARAM_TIME:
        if (parse_suffixed(text, &d, time_sfx, time_mul, 4) != 0 || d < 0) {
            return DWCS_ERR_INVALID_PARAM;
        }
        *(double *)out = d;
        return DWCS_OK;
    case DWCS_PARAM_DOUBLE:
        errno = 0;
        d = strtod(text, &end);
        if (end == text || *end != '\0' || errno != 0) {
            return DWCS_ERR_INVALID_PARAM;
        }
        *(double *)out = d;
        return DWCS_OK;
    case DWCS_PARAM_BOOL:
        if (!strcasecmp(text, "1") || !strcasecmp(text, "yes") || !strcasecmp(text, "true") ||
            !strcasecmp(text, "on")) {
            *(int *)out = 1;
        } else if (!strcasecmp(text, "0") || !strcasecmp(text, "no") ||
                   !strcasecmp(text, "false") || !strcasecmp(text, "off")) {
            *(int *)out = 0;
        } else {
            return DWCS_ERR_INVALID_PARAM;
        }
        return DWCS_OK;
    case DWCS_PARAM_STRING: {
        char *s = strdup(text);
        if (s == NULL) {
            return DWCS_ERR_NO_MEMORY;
        }
        *(char **)out = s;
        return DWCS_OK;
    }
    case DWCS_PARAM_ENUM: {
        const char *c = p->choices;
        int idx = 0;
        size_t len = strlen(text);
        while (c != NULL && *c != '\0') {
            const char *comma = strchr(c, ',');
            size_t n = comma ? (size_t)(comma - c) : strlen(c);
            if (n == len && strncasecmp(c, text, n) == 0) {
                *(int *)out = idx;
                return DWCS_OK;
            }
            idx++;
            c = comma ? comma + 1 : NULL;
        }
        return DWCS_ERR_INVALID_PARAM;
    }
    }
    return DWCS_ERR_INVALID_PARAM;
}

static const char *type_name(const dwcs_param_t *p)
{
    static const char *names[] = {"int", "size", "bool", "double", "string", "enum", "time"};
    return names[p->type];
}

dwcs_status_t dwcs_params_load(const dwcs_param_table_t *table, void *config, char *err,
                               size_t errlen)
{
    size_t i;
    for (i = 0; i < table->count; i++) {
        const dwcs_param_t *p = &table->params[i];
        const char *text;
        dwcs_param_source_t src = dwcs_params_lookup(p->name, p->defval, &text);
        dwcs_status_t st = dwcs_param_parse(p, text, (char *)config + p->offset);
        if (st != DWCS_OK) {
            if (p->type == DWCS_PARAM_ENUM) {
                snprintf(err, errlen, "parameter dwcp_%s: '%s' (from %s) is not one of %s",
                         p->name, text, dwcs_param_source_name(src), p->choices);
            } else {
                snprintf(err, errlen, "parameter dwcp_%s: '%s' (from %s) is not a valid %s",
                         p->name, text, dwcs_param_source_name(src), type_name(p));
            }
            return st;
        }
    }
    return DWCS_OK;
}

void dwcs_params_release(const dwcs_param_table_t *table, void *config)
{
    size_t i;
    for (i = 0; i < table->count; i++) {
        if (table->params[i].type == DWCS_PARAM_STRING) {
            char **s = (char **)((char *)config + table->params[i].offset);
            free(*s);
            *s = NULL;
        }
    }
}

void dwcs_params_register(dwcs_param_table_t *table)
{
    dwcs_param_table_t *t;
    for (t = registry; t != NULL; t = t->next) {
        if (t == table) {
            return;
        }
    }
    table->next = registry;
    registry = table;
}

const dwcs_param_table_t *dwcs_params_registry(void)
{
    return registry;
}

void dwcs_params_print(int max_level)
{
    const dwcs_param_table_t *t;
    for (t = registry; t != NULL; t = t->next) {
        size_t i;
        printf("# module %s\n", t->module);
        for (i = 0; i < t->count; i++) {
            const dwcs_param_t *p = &t->params[i];
            const char *value;
            if (p->level > max_level) {
                continue;
            }
            dwcs_param_source_t src = dwcs_params_lookup(p->name, p->defval, &value);
            printf("dwcp_%-28s = %-12s (%s; default %s; %s%s%s)\n      %s\n", p->name, value,
                   dwcs_param_source_name(src), p->defval, type_name(p),
                   p->type == DWCS_PARAM_ENUM ? ": " : "",
                   p->type == DWCS_PARAM_ENUM ? p->choices : "", p->help);
        }
    }
}
