/*
 * ord_anysrc: many senders to one receiver through MPI_ANY_SOURCE,
 * independent of how fair the library is: every message arrives exactly
 * once, per-source order is kept, payload and counts are right, with
 * eager and rendezvous sizes mixed. Phase 1 uses pre-posted ANY_SOURCE
 * Irecvs (more than needed; the extra ones are cancelled), phase 2
 * blocking ANY_SOURCE Recvs mixed with specific-source Recvs.
 * Rank 0 receives, all others send. Needs >= 2 ranks (use 6-8).
 */
#include "mptest.h"

#define K 30
#define MAXLEN 150000

static int len_of(int src, int i)
{
    return (i % 6 == 5) ? 100000 + src * 7 + i : 8 + (src * 13 + i) % 200;
}

int main(int argc, char **argv)
{
    int i, nsend, total;
    char *b;

    mpt_init(&argc, &argv, 2);
    nsend = mpt_size - 1;
    total = nsend * K;
    if (mpt_rank > 0) {
        b = mpt_malloc(MAXLEN);
        for (int phase = 0; phase < 2; phase++) {
            for (i = 0; i < K; i++) {
                int hdr[2] = {mpt_rank, i};
                memcpy(b, hdr, sizeof(hdr));
                mpt_fill(b + 8, (size_t)len_of(mpt_rank, i) - 8,
                         (unsigned)(mpt_rank * K + i));
                CHECK_MPI(MPI_Send(b, len_of(mpt_rank, i), MPI_BYTE, 0,
                                   phase, MPI_COMM_WORLD));
            }
        }
        free(b);
        return mpt_finish();
    }

    int *next = calloc((size_t)mpt_size, sizeof(int));
    MPI_Request *rq = mpt_malloc(sizeof(MPI_Request) * (size_t)(total + 5));
    char **bufs = mpt_malloc(sizeof(char *) * (size_t)(total + 5));
    MPI_Status st;

    for (i = 0; i < total + 5; i++) {
        bufs[i] = mpt_malloc(MAXLEN);
        CHECK_MPI(MPI_Irecv(bufs[i], MAXLEN, MPI_BYTE, MPI_ANY_SOURCE, 0,
                            MPI_COMM_WORLD, &rq[i]));
    }
    /* Receives complete in posting order for a given source: the k-th
     * completed receive from src must hold message k of src. */
    for (i = 0; i < total; i++) {
        int hdr[2], cnt;
        CHECK_MPI(MPI_Wait(&rq[i], &st));
        memcpy(hdr, bufs[i], sizeof(hdr));
        CHECK(hdr[0] == st.MPI_SOURCE, "payload source %d, status %d",
              hdr[0], st.MPI_SOURCE);
        CHECK(hdr[1] == next[hdr[0]], "from %d: got #%d, expected #%d",
              hdr[0], hdr[1], next[hdr[0]]);
        next[hdr[0]]++;
        CHECK_MPI(MPI_Get_count(&st, MPI_BYTE, &cnt));
        CHECK_EQ(cnt, len_of(hdr[0], hdr[1]), "length");
        CHECK(mpt_verify(bufs[i] + 8, (size_t)cnt - 8,
                         (unsigned)(hdr[0] * K + hdr[1])) < 0,
              "content of #%d from %d", hdr[1], hdr[0]);
    }
    for (i = 1; i < mpt_size; i++) {
        CHECK_EQ(next[i], K, "messages from a sender (phase 1)");
    }
    for (i = total; i < total + 5; i++) {
        int flag;
        CHECK_MPI(MPI_Cancel(&rq[i]));
        CHECK_MPI(MPI_Wait(&rq[i], &st));
        CHECK_MPI(MPI_Test_cancelled(&st, &flag));
        CHECK_EQ(flag, 1, "extra ANY_SOURCE receive cancelled");
    }

    /* Phase 2: alternate ANY_SOURCE and specific-source receives. */
    memset(next, 0, sizeof(int) * (size_t)mpt_size);
    for (i = 0; i < total; i++) {
        int src = MPI_ANY_SOURCE, hdr[2], cnt;
        if (i % 3 == 1) {
            /* Pick a source that still has messages. */
            for (int s = 1 + i % nsend, tries = 0; tries < nsend; tries++) {
                int c = 1 + (s - 1 + tries) % nsend;
                if (next[c] < K) {
                    src = c;
                    break;
                }
            }
        }
        CHECK_MPI(MPI_Recv(bufs[0], MAXLEN, MPI_BYTE, src, 1,
                           MPI_COMM_WORLD, &st));
        memcpy(hdr, bufs[0], sizeof(hdr));
        if (src != MPI_ANY_SOURCE) {
            CHECK_EQ(st.MPI_SOURCE, src, "specific receive source");
        }
        CHECK(hdr[1] == next[hdr[0]], "phase 2 from %d: got #%d, want #%d",
              hdr[0], hdr[1], next[hdr[0]]);
        next[hdr[0]]++;
        CHECK_MPI(MPI_Get_count(&st, MPI_BYTE, &cnt));
        CHECK_EQ(cnt, len_of(hdr[0], hdr[1]), "phase 2 length");
    }
    for (i = 0; i < total + 5; i++) {
        free(bufs[i]);
    }
    free(bufs);
    free(rq);
    free(next);
    return mpt_finish();
}
