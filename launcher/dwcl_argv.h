/*
 * dwcl_argv.h — a growable, NULL-terminated argument vector for building command lines.
 *
 * Used by dwcprun to assemble the mpirun (and wanem) command. Strings are copied; the vector
 * owns them. Allocation failure is fatal for a launcher, so the add functions print a message
 * and exit(1) instead of returning an error every caller would have to check.
 */
#ifndef DWCL_ARGV_H
#define DWCL_ARGV_H

#include <stdio.h>

/** An argument vector: v[0..n-1] are owned strings, v[n] is NULL. */
typedef struct dwcl_argv {
    char **v; /* NULL-terminated once anything was added */
    int n;    /* number of arguments */
    int cap;  /* allocated slots (including the NULL) */
} dwcl_argv_t;

/** Append a copy of @p arg. */
void dwcl_argv_add(dwcl_argv_t *a, const char *arg);

/** Append a printf-formatted argument. */
void dwcl_argv_addf(dwcl_argv_t *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** Append copies of the @p n strings at @p args. */
void dwcl_argv_addv(dwcl_argv_t *a, char *const *args, int n);

/** Free every string and the vector; the struct is left empty (reusable). NULL is a no-op. */
void dwcl_argv_free(dwcl_argv_t *a);

/**
 * Print the vector on one line to @p out, quoting arguments with shell-special characters so the
 * line can be pasted into a shell. @p prefix is printed first (may be NULL).
 */
void dwcl_argv_print(const dwcl_argv_t *a, FILE *out, const char *prefix);

/**
 * Write @p s to @p out quoted for a POSIX shell (unchanged when it needs no quoting).
 */
void dwcl_shell_quote(FILE *out, const char *s);

#endif
