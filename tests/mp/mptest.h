/*
 * mptest.h - tiny shared helpers for the multi-rank MPI test programs.
 *
 * Every program includes this header, calls mpt_init() (or MPI_Init itself
 * and then mpt_setup()), checks results with the CHECK macros below and
 * ends with mpt_finish(). A failed check prints the rank, file, line and
 * what was expected against what was got, then aborts the whole job with
 * a non-zero code, so a failure can never look like a pass.
 *
 * mpt_finish() uses only point-to-point messages (no collectives) to
 * confirm that every rank reached the end, then rank 0 prints exactly one
 * line, "No Errors", which the runner requires for a pass.
 */
#ifndef MPTEST_H
#define MPTEST_H

#include <mpi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/** Rank in MPI_COMM_WORLD, -1 before mpt_setup(). */
static int mpt_rank = -1;
/** Size of MPI_COMM_WORLD, 0 before mpt_setup(). */
static int mpt_size = 0;
/** Tag reserved for the helpers' own synchronisation messages. */
#define MPT_TAG_SYNC 32001

/** Abort the job (or exit when MPI is not usable) with code 1. */
static inline void mpt_die(void)
{
    int init = 0, fin = 0;
    fflush(stdout);
    fflush(stderr);
    MPI_Initialized(&init);
    MPI_Finalized(&fin);
    if (init && !fin) {
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    exit(1);
}

/** Print a failure message prefixed with rank and location, then die. */
#define MPT_FAIL(...)                                                        \
    do {                                                                     \
        fprintf(stderr, "FAIL [rank %d] %s:%d: ", mpt_rank, __FILE__,        \
                __LINE__);                                                   \
        fprintf(stderr, __VA_ARGS__);                                        \
        fputc('\n', stderr);                                                 \
        mpt_die();                                                           \
    } while (0)

/** Check a condition; on failure print the message and die. */
#define CHECK(cond, ...)                                                     \
    do {                                                                     \
        if (!(cond)) {                                                       \
            fprintf(stderr, "FAIL [rank %d] %s:%d: check '%s' failed: ",     \
                    mpt_rank, __FILE__, __LINE__, #cond);                    \
            fprintf(stderr, __VA_ARGS__);                                    \
            fputc('\n', stderr);                                             \
            mpt_die();                                                       \
        }                                                                    \
    } while (0)

/** Check two integer values (any integer type, compared as long long). */
#define CHECK_EQ(got, exp, what)                                             \
    do {                                                                     \
        long long g_ = (long long)(got), e_ = (long long)(exp);              \
        if (g_ != e_) {                                                      \
            MPT_FAIL("%s: expected %lld, got %lld", (what), e_, g_);         \
        }                                                                    \
    } while (0)

/** Check that an MPI call returns MPI_SUCCESS. */
#define CHECK_MPI(call)                                                      \
    do {                                                                     \
        int rc_ = (call);                                                    \
        if (rc_ != MPI_SUCCESS) {                                            \
            char s_[MPI_MAX_ERROR_STRING];                                   \
            int l_ = 0;                                                      \
            s_[0] = '\0';                                                    \
            MPI_Error_string(rc_, s_, &l_);                                  \
            MPT_FAIL("%s returned %d (%s)", #call, rc_, s_);                 \
        }                                                                    \
    } while (0)

/** Check that an MPI call fails with the given error class. */
#define CHECK_ERRCLASS(call, cls)                                            \
    do {                                                                     \
        int rc_ = (call), c_ = -1;                                           \
        if (rc_ == MPI_SUCCESS) {                                            \
            MPT_FAIL("%s: expected error class %s, got MPI_SUCCESS", #call,  \
                     #cls);                                                  \
        }                                                                    \
        MPI_Error_class(rc_, &c_);                                           \
        if (c_ != (cls)) {                                                   \
            char s_[MPI_MAX_ERROR_STRING];                                   \
            int l_ = 0;                                                      \
            s_[0] = '\0';                                                    \
            MPI_Error_string(rc_, s_, &l_);                                  \
            MPT_FAIL("%s: expected error class %s (%d), got class %d "      \
                     "(code %d: %s)", #call, #cls, (int)(cls), c_, rc_, s_); \
        }                                                                    \
    } while (0)

/** Check that an MPI call fails with one of two error classes. */
#define CHECK_ERRCLASS2(call, cls1, cls2)                                    \
    do {                                                                     \
        int rc_ = (call), c_ = -1;                                           \
        if (rc_ == MPI_SUCCESS) {                                            \
            MPT_FAIL("%s: expected error class %s or %s, got MPI_SUCCESS",   \
                     #call, #cls1, #cls2);                                   \
        }                                                                    \
        MPI_Error_class(rc_, &c_);                                           \
        if (c_ != (cls1) && c_ != (cls2)) {                                  \
            MPT_FAIL("%s: expected error class %s or %s, got class %d",      \
                     #call, #cls1, #cls2, c_);                               \
        }                                                                    \
    } while (0)

/** Fill in mpt_rank/mpt_size after MPI is initialised. */
static inline void mpt_setup(void)
{
    MPI_Comm_rank(MPI_COMM_WORLD, &mpt_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &mpt_size);
}

/** MPI_Init and mpt_setup; die unless at least minsize ranks run. */
static inline void mpt_init(int *argc, char ***argv, int minsize)
{
    CHECK_MPI(MPI_Init(argc, argv));
    mpt_setup();
    if (mpt_size < minsize) {
        MPT_FAIL("needs at least %d ranks, got %d", minsize, mpt_size);
    }
}

/** Barrier made of point-to-point messages through rank 0. */
static inline void mpt_sync(MPI_Comm comm)
{
    int rank, size, i, dummy = 0;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    if (rank == 0) {
        for (i = 1; i < size; i++) {
            CHECK_MPI(MPI_Recv(&dummy, 1, MPI_INT, i, MPT_TAG_SYNC, comm,
                               MPI_STATUS_IGNORE));
        }
        for (i = 1; i < size; i++) {
            CHECK_MPI(MPI_Send(&dummy, 1, MPI_INT, i, MPT_TAG_SYNC, comm));
        }
    } else {
        CHECK_MPI(MPI_Send(&dummy, 1, MPI_INT, 0, MPT_TAG_SYNC, comm));
        CHECK_MPI(MPI_Recv(&dummy, 1, MPI_INT, 0, MPT_TAG_SYNC, comm,
                           MPI_STATUS_IGNORE));
    }
}

/**
 * Confirm all ranks got here (point-to-point only), finalize, and let rank
 * 0 print "No Errors". Returns the process exit code (0).
 */
static inline int mpt_finish(void)
{
    int i, ok = 1;
    if (mpt_rank == 0) {
        for (i = 1; i < mpt_size; i++) {
            int v = 0;
            CHECK_MPI(MPI_Recv(&v, 1, MPI_INT, i, MPT_TAG_SYNC + 1,
                               MPI_COMM_WORLD, MPI_STATUS_IGNORE));
            CHECK_EQ(v, 1, "end-of-test token from a rank");
        }
    } else {
        CHECK_MPI(MPI_Send(&ok, 1, MPI_INT, 0, MPT_TAG_SYNC + 1,
                           MPI_COMM_WORLD));
    }
    CHECK_MPI(MPI_Finalize());
    if (mpt_rank == 0) {
        printf("No Errors\n");
        fflush(stdout);
    }
    return 0;
}

/** Sleep for the given number of milliseconds. */
static inline void mpt_msleep(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0) {
        /* interrupted: sleep the remainder */
    }
}

/** Deterministic byte pattern for a message: depends on seed and index. */
static inline unsigned char mpt_pat(unsigned seed, size_t i)
{
    return (unsigned char)((i * 2654435761u + seed * 40503u + (i >> 8)) >> 3);
}

/** Fill buf with mpt_pat(seed, i). */
static inline void mpt_fill(void *buf, size_t n, unsigned seed)
{
    unsigned char *p = buf;
    size_t i;
    for (i = 0; i < n; i++) {
        p[i] = mpt_pat(seed, i);
    }
}

/** Return the first index where buf differs from the pattern, or -1. */
static inline long long mpt_verify(const void *buf, size_t n, unsigned seed)
{
    const unsigned char *p = buf;
    size_t i;
    for (i = 0; i < n; i++) {
        if (p[i] != mpt_pat(seed, i)) {
            return (long long)i;
        }
    }
    return -1;
}

/** Malloc that dies on failure. */
static inline void *mpt_malloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (p == NULL) {
        MPT_FAIL("malloc(%zu) failed", n);
    }
    return p;
}

#endif /* MPTEST_H */
