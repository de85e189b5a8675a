/*
 * dtcheck.h - layout checker shared by the derived-datatype tests.
 *
 * A derived type built on MPI_INT is described by the list of int
 * positions (relative to the buffer origin, may be negative) that its
 * type map touches, in type-map order. dt_check() then verifies, for
 * `count` elements of the type:
 *  - MPI_Type_size = 4 * n;
 *  - MPI_Pack gives the ints in that order, MPI_Unpack scatters them
 *    back to exactly those positions and leaves every other int alone;
 *  - across ranks (pairs 0-1, 2-3..., or to itself on a lone rank):
 *    sending with the type and receiving contiguous MPI_INTs gives the
 *    same sequence, and sending contiguous ints and receiving with the
 *    type scatters them to the right positions only (type matching:
 *    the type signatures are both n x MPI_INT).
 */
#ifndef DTCHECK_H
#define DTCHECK_H

#include "mptest.h"

/** Span of the test array in ints; origin is in the middle. */
#define DT_SPAN 8192
#define DT_ORIGIN 4096
#define DT_SENTINEL (-777)

/** Value stored at array position p (relative to the origin). */
static inline int dt_val(long p)
{
    return (int)(100000 + p * 3);
}

/**
 * Check `count` elements of type dt whose first element touches the int
 * positions pos[0..n-1] (n = ints per element * count, positions of all
 * elements listed). what names the type in messages.
 */
static inline void dt_check(MPI_Datatype dt, int count, const long *pos,
                            int n, const char *what)
{
    int *arr = mpt_malloc(sizeof(int) * DT_SPAN);
    int *out = mpt_malloc(sizeof(int) * DT_SPAN);
    int *seq = mpt_malloc(sizeof(int) * (size_t)(n + 1));
    char *pk;
    int sz, psz, position, i, peer, cnt;
    long p;
    MPI_Status st;

    for (i = 0; i < n; i++) {
        CHECK(pos[i] > -DT_ORIGIN && pos[i] < DT_SPAN - DT_ORIGIN,
              "%s: test position %ld outside the array", what, pos[i]);
    }
    for (p = 0; p < DT_SPAN; p++) {
        arr[p] = dt_val(p - DT_ORIGIN);
    }
    CHECK_MPI(MPI_Type_size(dt, &sz));
    CHECK(sz * count == 4 * n, "%s: Type_size %d x count %d, want %d bytes",
          what, sz, count, 4 * n);

    /* Pack gives the ints in type-map order. */
    CHECK_MPI(MPI_Pack_size(count, dt, MPI_COMM_WORLD, &psz));
    CHECK(psz >= 4 * n, "%s: Pack_size %d < %d", what, psz, 4 * n);
    pk = mpt_malloc((size_t)psz + 16);
    position = 0;
    CHECK_MPI(MPI_Pack(arr + DT_ORIGIN, count, dt, pk, psz, &position,
                       MPI_COMM_WORLD));
    CHECK(position == 4 * n || (position > 0 && position <= psz),
          "%s: pack position %d", what, position);
    {
        int upos = 0;
        CHECK_MPI(MPI_Unpack(pk, psz, &upos, seq, n, MPI_INT,
                             MPI_COMM_WORLD));
    }
    for (i = 0; i < n; i++) {
        CHECK(seq[i] == dt_val(pos[i]),
              "%s: packed int #%d is %d (position %ld), want position %ld",
              what, i, seq[i], (long)(seq[i] - 100000) / 3, pos[i]);
    }
    /* Unpack scatters to the right places only. */
    for (p = 0; p < DT_SPAN; p++) {
        out[p] = DT_SENTINEL;
    }
    {
        int upos = 0;
        CHECK_MPI(MPI_Unpack(pk, psz, &upos, out + DT_ORIGIN, count, dt,
                             MPI_COMM_WORLD));
        CHECK(upos == position, "%s: unpack consumed %d, packed %d", what,
              upos, position);
    }
    for (i = 0; i < n; i++) {
        CHECK(out[DT_ORIGIN + pos[i]] == dt_val(pos[i]),
              "%s: unpack: position %ld holds %d", what, pos[i],
              out[DT_ORIGIN + pos[i]]);
        out[DT_ORIGIN + pos[i]] = DT_SENTINEL;
    }
    for (p = 0; p < DT_SPAN; p++) {
        CHECK(out[p] == DT_SENTINEL, "%s: unpack wrote position %ld", what,
              p - DT_ORIGIN);
    }
    free(pk);

    /* Across ranks: typed send -> contiguous receive. */
    peer = mpt_rank ^ 1;
    if (peer >= mpt_size) {
        peer = mpt_rank;
    }
    for (i = 0; i <= n; i++) {
        seq[i] = DT_SENTINEL;
    }
    CHECK_MPI(MPI_Sendrecv(arr + DT_ORIGIN, count, dt, peer, 1, seq, n + 1,
                           MPI_INT, peer, 1, MPI_COMM_WORLD, &st));
    CHECK_MPI(MPI_Get_count(&st, MPI_INT, &cnt));
    CHECK(cnt == n, "%s: received %d ints, want %d", what, cnt, n);
    for (i = 0; i < n; i++) {
        CHECK(seq[i] == dt_val(pos[i]),
              "%s: sent int #%d arrived as %d, want value of position %ld",
              what, i, seq[i], pos[i]);
    }
    CHECK(seq[n] == DT_SENTINEL, "%s: receive wrote past %d ints", what, n);

    /* Contiguous send -> typed receive. */
    for (p = 0; p < DT_SPAN; p++) {
        out[p] = DT_SENTINEL;
    }
    CHECK_MPI(MPI_Sendrecv(seq, n, MPI_INT, peer, 2, out + DT_ORIGIN, count,
                           dt, peer, 2, MPI_COMM_WORLD, &st));
    CHECK_MPI(MPI_Get_count(&st, dt, &cnt));
    /* A zero-size type gives a count of 0 (MPI-3.1 3.2.5). */
    CHECK(cnt == (n == 0 ? 0 : count),
          "%s: Get_count with the type %d, want %d", what, cnt,
          n == 0 ? 0 : count);
    CHECK_MPI(MPI_Get_elements(&st, dt, &cnt));
    CHECK(cnt == n, "%s: Get_elements %d, want %d", what, cnt, n);
    for (i = 0; i < n; i++) {
        CHECK(out[DT_ORIGIN + pos[i]] == dt_val(pos[i]),
              "%s: typed receive: position %ld holds %d", what, pos[i],
              out[DT_ORIGIN + pos[i]]);
        out[DT_ORIGIN + pos[i]] = DT_SENTINEL;
    }
    for (p = 0; p < DT_SPAN; p++) {
        CHECK(out[p] == DT_SENTINEL, "%s: typed receive wrote position %ld",
              what, p - DT_ORIGIN);
    }
    free(arr);
    free(out);
    free(seq);
}

/**
 * Positions of `count` elements of a type whose single element touches
 * pos1[0..n1-1] and whose extent is ext_ints ints.
 */
static inline long *dt_repeat(const long *pos1, int n1, int count,
                              long ext_ints)
{
    long *p = mpt_malloc(sizeof(long) * (size_t)(n1 * count + 1));
    for (int c = 0; c < count; c++) {
        for (int i = 0; i < n1; i++) {
            p[c * n1 + i] = pos1[i] + c * ext_ints;
        }
    }
    return p;
}

#endif /* DTCHECK_H */
