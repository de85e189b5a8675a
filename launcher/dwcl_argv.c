/*
 * dwcl_argv.c — growable argument vector (see dwcl_argv.h).
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "dwcl_argv.h"

static void die_oom(void)
{
    fprintf(stderr, "dwcprun: out of memory\n");
    exit(1);
}

static void push(dwcl_argv_t *a, char *s)
{
    if (a->n + 2 > a->cap) {
        int cap = a->cap ? a->cap * 2 : 16;
        char **v = realloc(a->v, (size_t)cap * sizeof(*v));
        if (v == NULL) {
            die_oom();
        }
        a->v = v;
        a->cap = cap;
    }
    a->v[a->n++] = s;
    a->v[a->n] = NULL;
}

void dwcl_argv_add(dwcl_argv_t *a, const char *arg)
{
    char *s = strdup(arg);
    if (s == NULL) {
        die_oom();
    }
    push(a, s);
}

void dwcl_argv_addf(dwcl_argv_t *a, const char *fmt, ...)
{
    va_list ap;
    char *s = NULL;

    va_start(ap, fmt);
    if (vasprintf(&s, fmt, ap) < 0) {
        die_oom();
    }
    va_end(ap);
    push(a, s);
}

void dwcl_argv_addv(dwcl_argv_t *a, char *const *args, int n)
{
    for (int i = 0; i < n; i++) {
        dwcl_argv_add(a, args[i]);
    }
}

void dwcl_argv_free(dwcl_argv_t *a)
{
    if (a == NULL) {
        return;
    }
    for (int i = 0; i < a->n; i++) {
        free(a->v[i]);
    }
    free(a->v);
    a->v = NULL;
    a->n = 0;
    a->cap = 0;
}

void dwcl_shell_quote(FILE *out, const char *s)
{
    static const char safe[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                               "0123456789_-+=/.,:@%^";
    if (*s != '\0' && strspn(s, safe) == strlen(s)) {
        fputs(s, out);
        return;
    }
    fputc('\'', out);
    for (; *s; s++) {
        if (*s == '\'') {
            fputs("'\\''", out);
        } else {
            fputc(*s, out);
        }
    }
    fputc('\'', out);
}

void dwcl_argv_print(const dwcl_argv_t *a, FILE *out, const char *prefix)
{
    if (prefix != NULL) {
        fputs(prefix, out);
    }
    for (int i = 0; i < a->n; i++) {
        if (i > 0) {
            fputc(' ', out);
        }
        dwcl_shell_quote(out, a->v[i]);
    }
    fputc('\n', out);
    fflush(out);
}
