/*
 * ord_flood: flow control under a flood of unexpected messages. Every
 * rank > 0 sends FLOOD small messages (and a 200 KB one every 1000) to
 * rank 0 with blocking sends while rank 0 sleeps for a second; then
 * rank 0 receives all of them with ANY_SOURCE and checks per-source order
 * and content. The library must neither lose, reorder nor deadlock, and
 * must not run out of memory. Needs >= 2 ranks.
 */
#include "mptest.h"

#define FLOOD 20000
#define BIGLEN 200000

int main(int argc, char **argv)
{
    int i, cnt;
    char *big;
    MPI_Status st;

    mpt_init(&argc, &argv, 2);
    big = mpt_malloc(BIGLEN);
    if (mpt_rank > 0) {
        for (i = 0; i < FLOOD; i++) {
            if (i % 1000 == 999) {
                memcpy(big, &i, sizeof(int));
                mpt_fill(big + 4, BIGLEN - 4, (unsigned)(mpt_rank + i));
                CHECK_MPI(MPI_Send(big, BIGLEN, MPI_BYTE, 0, 1,
                                   MPI_COMM_WORLD));
            } else {
                int msg[2] = {i, mpt_rank * 7 + i};
                CHECK_MPI(MPI_Send(msg, 2, MPI_INT, 0, 1, MPI_COMM_WORLD));
            }
        }
    } else {
        int *next = calloc((size_t)mpt_size, sizeof(int));
        long total = (long)(mpt_size - 1) * FLOOD, k;
        mpt_msleep(1000);
        for (k = 0; k < total; k++) {
            int seq, src;
            CHECK_MPI(MPI_Recv(big, BIGLEN, MPI_BYTE, MPI_ANY_SOURCE, 1,
                               MPI_COMM_WORLD, &st));
            src = st.MPI_SOURCE;
            CHECK(src > 0 && src < mpt_size, "source %d", src);
            memcpy(&seq, big, sizeof(int));
            CHECK(seq == next[src], "from %d: message %d, expected %d", src,
                  seq, next[src]);
            next[src]++;
            CHECK_MPI(MPI_Get_count(&st, MPI_BYTE, &cnt));
            if (seq % 1000 == 999) {
                CHECK_EQ(cnt, BIGLEN, "large message length");
                CHECK(mpt_verify(big + 4, BIGLEN - 4,
                                 (unsigned)(src + seq)) < 0,
                      "large message %d from %d content", seq, src);
            } else {
                int v;
                CHECK_EQ(cnt, 8, "small message length");
                memcpy(&v, big + 4, sizeof(int));
                CHECK_EQ(v, src * 7 + seq, "small message payload");
            }
        }
        for (i = 1; i < mpt_size; i++) {
            CHECK_EQ(next[i], FLOOD, "messages received from a rank");
        }
        free(next);
    }
    free(big);
    return mpt_finish();
}
