/*
 * large_2g: one message larger than 2 GiB. Rank 0 sends 300M MPI_DOUBLE
 * (2.4 GB, count fits in int, bytes do not) to rank 1 with MPI_Send, and
 * rank 1 returns it with MPI_Isend/MPI_Irecv. Checks MPI_Get_count
 * (300M doubles; in MPI_BYTE it is MPI_UNDEFINED), MPI_Get_elements_x in
 * bytes, and the full content (a cheap per-word pattern), including the
 * words around the 2 GiB and 4 GiB-unsafe boundaries. Needs 2 ranks and
 * ~5 GB of memory: testlist label=large.
 */
#include "mptest.h"

static const int N = 300000000;

static inline uint64_t word(size_t i, unsigned seed)
{
    return (uint64_t)i * 0x9E3779B97F4A7C15ull ^ seed;
}

static void fill(uint64_t *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++) {
        p[i] = word(i, seed);
    }
}

static void verify(const uint64_t *p, size_t n, unsigned seed,
                   const char *what)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] != word(i, seed)) {
            MPT_FAIL("%s: word %zu (byte offset %zu) is %016llx, want "
                     "%016llx", what, i, i * 8, (unsigned long long)p[i],
                     (unsigned long long)word(i, seed));
        }
    }
}

int main(int argc, char **argv)
{
    uint64_t *buf;
    MPI_Status st;
    MPI_Request rq;
    MPI_Count cx;
    int cnt;
    double t0;

    mpt_init(&argc, &argv, 2);
    if (mpt_rank > 1) {
        return mpt_finish();
    }
    buf = malloc((size_t)N * 8);
    CHECK(buf != NULL, "cannot allocate %zu bytes", (size_t)N * 8);
    t0 = MPI_Wtime();
    if (mpt_rank == 0) {
        fill(buf, (size_t)N, 1);
        CHECK_MPI(MPI_Send(buf, N, MPI_DOUBLE, 1, 1, MPI_COMM_WORLD));
        memset(buf, 0, (size_t)N * 8);
        CHECK_MPI(MPI_Irecv(buf, N, MPI_DOUBLE, 1, 2, MPI_COMM_WORLD, &rq));
        CHECK_MPI(MPI_Wait(&rq, &st));
        CHECK_MPI(MPI_Get_count(&st, MPI_DOUBLE, &cnt));
        CHECK_EQ(cnt, N, "count of returned message");
        verify(buf, (size_t)N, 2, "returned message");
    } else {
        memset(buf, 0, (size_t)N * 8);
        CHECK_MPI(MPI_Recv(buf, N, MPI_DOUBLE, 0, 1, MPI_COMM_WORLD, &st));
        CHECK_MPI(MPI_Get_count(&st, MPI_DOUBLE, &cnt));
        CHECK_EQ(cnt, N, "MPI_Get_count(MPI_DOUBLE)");
        CHECK_MPI(MPI_Get_count(&st, MPI_BYTE, &cnt));
        CHECK_EQ(cnt, MPI_UNDEFINED, "MPI_Get_count(MPI_BYTE) of 2.4 GB");
        CHECK_MPI(MPI_Get_elements_x(&st, MPI_BYTE, &cx));
        CHECK_EQ(cx, (MPI_Count)N * 8, "MPI_Get_elements_x(MPI_BYTE)");
        CHECK_MPI(MPI_Get_elements_x(&st, MPI_DOUBLE, &cx));
        CHECK_EQ(cx, N, "MPI_Get_elements_x(MPI_DOUBLE)");
        verify(buf, (size_t)N, 1, "received message");
        fill(buf, (size_t)N, 2);
        CHECK_MPI(MPI_Isend(buf, N, MPI_DOUBLE, 0, 2, MPI_COMM_WORLD, &rq));
        CHECK_MPI(MPI_Wait(&rq, MPI_STATUS_IGNORE));
    }
    if (mpt_rank == 0 && getenv("MPT_VERBOSE")) {
        fprintf(stderr, "large_2g: round trip of 2 x %.2f GB in %.2f s\n",
                N * 8e-9, MPI_Wtime() - t0);
    }
    free(buf);
    return mpt_finish();
}
