/*
 * amst_check.h — the CHECK macro of the single-process AMST unit tests: report a failed
 * condition with its place and a message, count it in the test's `fails`, and go on.
 */
#ifndef AMST_CHECK_H
#define AMST_CHECK_H

#include <stdio.h>

/** Failed checks so far (each test program has its own). */
static int fails;

/** If @p cond is false: print "FAIL file:line: " and the printf-style message, count it. */
#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                   \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
            fails++;                                                                               \
        }                                                                                          \
    } while (0)

#endif /* AMST_CHECK_H */
