/*
 * large_count: counts at the 32-bit limits.
 * (a) count = INT_MAX of MPI_BYTE (2^31 - 1 bytes);
 * (b) 140M elements of a contiguous type of 2 doubles (2.24 GB: the
 *     count fits in int, count * type size does not);
 * (c) 300 elements of a contiguous type of 1M doubles (a type of 8 MB,
 *     2.4 GB in total), received as MPI_DOUBLE with count 300M.
 * Checks the content (every 64-bit word), MPI_Get_count and
 * MPI_Get_elements_x, and MPI_Type_size_x of the big types. Rank 0 sends
 * to rank 1. Needs ~5 GB of memory: testlist label=large.
 */
#include "mptest.h"
#include <limits.h>

static inline uint64_t word(size_t i, unsigned seed)
{
    return ((uint64_t)i + 1) * 0xD6E8FEB86659FD93ull ^ seed;
}

static void fill(unsigned char *p, size_t bytes, unsigned seed)
{
    size_t nw = bytes / 8, i;
    uint64_t *w = (uint64_t *)p;
    for (i = 0; i < nw; i++) {
        w[i] = word(i, seed);
    }
    for (i = nw * 8; i < bytes; i++) {
        p[i] = (unsigned char)(i ^ seed);
    }
}

static void verify(const unsigned char *p, size_t bytes, unsigned seed,
                   const char *what)
{
    size_t nw = bytes / 8, i;
    const uint64_t *w = (const uint64_t *)p;
    for (i = 0; i < nw; i++) {
        if (w[i] != word(i, seed)) {
            MPT_FAIL("%s: byte offset %zu wrong", what, i * 8);
        }
    }
    for (i = nw * 8; i < bytes; i++) {
        if (p[i] != (unsigned char)(i ^ seed)) {
            MPT_FAIL("%s: tail byte %zu wrong", what, i);
        }
    }
}

int main(int argc, char **argv)
{
    const size_t maxb = (size_t)300 * (1 << 20) * 8;
    unsigned char *buf;
    MPI_Datatype two, mega;
    MPI_Status st;
    MPI_Count cx, sx;
    int cnt;
    const int n2 = 140000000;

    mpt_init(&argc, &argv, 2);
    if (mpt_rank > 1) {
        return mpt_finish();
    }
    buf = malloc(maxb);
    CHECK(buf != NULL, "cannot allocate %zu bytes", maxb);
    CHECK_MPI(MPI_Type_contiguous(2, MPI_DOUBLE, &two));
    CHECK_MPI(MPI_Type_commit(&two));
    CHECK_MPI(MPI_Type_contiguous(1 << 20, MPI_DOUBLE, &mega));
    CHECK_MPI(MPI_Type_commit(&mega));
    CHECK_MPI(MPI_Type_size_x(mega, &sx));
    CHECK_EQ(sx, (MPI_Count)8 << 20, "Type_size_x of 1M doubles");

    if (mpt_rank == 0) {
        fill(buf, (size_t)INT_MAX, 1);
        CHECK_MPI(MPI_Send(buf, INT_MAX, MPI_BYTE, 1, 1, MPI_COMM_WORLD));
        fill(buf, (size_t)n2 * 16, 2);
        CHECK_MPI(MPI_Send(buf, n2, two, 1, 2, MPI_COMM_WORLD));
        fill(buf, maxb, 3);
        CHECK_MPI(MPI_Send(buf, 300, mega, 1, 3, MPI_COMM_WORLD));
    } else {
        memset(buf, 0, (size_t)INT_MAX + 16);
        CHECK_MPI(MPI_Recv(buf, INT_MAX, MPI_BYTE, 0, 1, MPI_COMM_WORLD,
                           &st));
        CHECK_MPI(MPI_Get_count(&st, MPI_BYTE, &cnt));
        CHECK_EQ(cnt, INT_MAX, "(a) count of INT_MAX bytes");
        verify(buf, (size_t)INT_MAX, 1, "(a) INT_MAX bytes");
        CHECK_EQ(buf[INT_MAX], 0, "(a) byte after the message");

        memset(buf, 0, (size_t)n2 * 16);
        CHECK_MPI(MPI_Recv(buf, n2, two, 0, 2, MPI_COMM_WORLD, &st));
        CHECK_MPI(MPI_Get_count(&st, two, &cnt));
        CHECK_EQ(cnt, n2, "(b) count of 2-double type");
        CHECK_MPI(MPI_Get_elements_x(&st, two, &cx));
        CHECK_EQ(cx, (MPI_Count)n2 * 2, "(b) elements (doubles)");
        CHECK_MPI(MPI_Get_elements_x(&st, MPI_BYTE, &cx));
        CHECK_EQ(cx, (MPI_Count)n2 * 16, "(b) elements in bytes");
        verify(buf, (size_t)n2 * 16, 2, "(b) 140M x 2 doubles");

        memset(buf, 0, maxb);
        CHECK_MPI(MPI_Recv(buf, 300 << 20, MPI_DOUBLE, 0, 3, MPI_COMM_WORLD,
                           &st));
        CHECK_MPI(MPI_Get_count(&st, MPI_DOUBLE, &cnt));
        CHECK_EQ(cnt, 300 << 20, "(c) count as MPI_DOUBLE");
        CHECK_MPI(MPI_Get_count(&st, mega, &cnt));
        CHECK_EQ(cnt, 300, "(c) count as 1M-double type");
        verify(buf, maxb, 3, "(c) 300 x 8 MB");
    }
    CHECK_MPI(MPI_Type_free(&two));
    CHECK_MPI(MPI_Type_free(&mega));
    free(buf);
    return mpt_finish();
}
