/*
 * p2p_sizes: blocking MPI_Send/MPI_Recv of every size class from 0 bytes
 * to 8 MiB (all powers of two, their neighbours +-1, and odd sizes), in
 * both directions between rank pairs (0-1, 2-3, ...). Checks the content,
 * MPI_Get_count, status source/tag, and that bytes past the message in a
 * larger receive buffer are untouched. Also MPI_INT and MPI_DOUBLE counts.
 */
#include "mptest.h"

#define MAXB (8 << 20)
#define GUARD 64

static void one(char *sb, char *rb, int n, MPI_Datatype dt, int esz,
                int peer, int sender, unsigned seed)
{
    MPI_Status st;
    size_t bytes = (size_t)n * (size_t)esz;
    int cnt = -1;
    long long bad;

    if (sender) {
        mpt_fill(sb, bytes, seed);
        CHECK_MPI(MPI_Send(sb, n, dt, peer, n & 0x7fff, MPI_COMM_WORLD));
    } else {
        memset(rb, 0xEE, bytes + GUARD);
        /* Receive buffer is larger than the message (count + 16). */
        CHECK_MPI(MPI_Recv(rb, n + GUARD / esz, dt, peer, n & 0x7fff,
                           MPI_COMM_WORLD, &st));
        CHECK_EQ(st.MPI_SOURCE, peer, "status source");
        CHECK_EQ(st.MPI_TAG, n & 0x7fff, "status tag");
        CHECK_MPI(MPI_Get_count(&st, dt, &cnt));
        CHECK_EQ(cnt, n, "MPI_Get_count");
        bad = mpt_verify(rb, bytes, seed);
        CHECK(bad < 0, "count %d esz %d: byte %lld wrong (got %u want %u)",
              n, esz, bad, (unsigned char)rb[bad], mpt_pat(seed, bad));
        for (int i = 0; i < GUARD; i++) {
            CHECK((unsigned char)rb[bytes + i] == 0xEE,
                  "count %d: guard byte %d after message overwritten", n, i);
        }
    }
}

int main(int argc, char **argv)
{
    int sizes[200], ns = 0, i, k, peer;
    char *sb, *rb;

    mpt_init(&argc, &argv, 2);
    for (i = 0; i <= 16; i++) {
        sizes[ns++] = i;
    }
    for (k = 5; k <= 23; k++) {
        sizes[ns++] = (1 << k) - 1;
        sizes[ns++] = 1 << k;
        sizes[ns++] = (1 << k) + 1;
        sizes[ns++] = (1 << k) + (1 << (k - 1)) + 7; /* odd, 1.5x */
    }
    sb = mpt_malloc((size_t)MAXB * 2 + GUARD);
    rb = mpt_malloc((size_t)MAXB * 2 + GUARD);
    peer = mpt_rank ^ 1;
    if (peer >= mpt_size) {
        return mpt_finish(); /* odd rank count: the last one idles */
    }
    for (i = 0; i < ns; i++) {
        int n = sizes[i];
        if (n > MAXB) {
            continue;
        }
        /* Even rank sends first, then the odd rank answers. */
        one(sb, rb, n, MPI_BYTE, 1, peer, (mpt_rank & 1) == 0, (unsigned)i);
        one(sb, rb, n, MPI_BYTE, 1, peer, (mpt_rank & 1) == 1,
            (unsigned)i + 1000);
        if (n <= MAXB / 8) {
            one(sb, rb, n, MPI_INT, 4, peer, (mpt_rank & 1) == 0,
                (unsigned)i + 2000);
            one(sb, rb, n, MPI_DOUBLE, 8, peer, (mpt_rank & 1) == 1,
                (unsigned)i + 3000);
        }
    }
    free(sb);
    free(rb);
    return mpt_finish();
}
