/*
 * ord_nonovertake: messages from one sender with the same tag (and
 * through ANY_TAG receives, different tags) are received in the order
 * sent, even when eager-sized and rendezvous-sized messages are mixed:
 * (a) receives pre-posted (Irecv, all at once), sends nonblocking;
 * (b) sends first (unexpected), receives later with blocking Recv;
 * (c) blocking sends, ANY_TAG receives, different tags.
 * Each message carries its sequence number, length is checked with
 * MPI_Get_count. Runs on rank pairs (0->1, 2->3, ...).
 */
#include "mptest.h"

#define NM 120
#define MAXLEN (1 << 20)

static int len_of(int i)
{
    static const int pat[] = {4, 200000, 8, 1 << 20, 4, 70000, 1024,
                              12, 65536, 300, 4, 4096 + 3};
    return pat[i % 12];
}

static void fill_msg(char *b, int i)
{
    memcpy(b, &i, sizeof(int));
    mpt_fill(b + 4, (size_t)len_of(i) - 4, (unsigned)i);
}

static void check_msg(const char *b, const MPI_Status *st, int i,
                      const char *phase)
{
    int seq, cnt;
    memcpy(&seq, b, sizeof(int));
    CHECK(seq == i, "%s: receive #%d got message #%d", phase, i, seq);
    CHECK_MPI(MPI_Get_count(st, MPI_BYTE, &cnt));
    CHECK(cnt == len_of(i), "%s: message #%d length %d, want %d", phase, i,
          cnt, len_of(i));
    CHECK(mpt_verify(b + 4, (size_t)cnt - 4, (unsigned)i) < 0,
          "%s: message #%d content wrong", phase, i);
}

int main(int argc, char **argv)
{
    int i, peer, sender;
    char **b;
    MPI_Request rq[NM];
    MPI_Status sts[NM];

    mpt_init(&argc, &argv, 2);
    peer = mpt_rank ^ 1;
    if (peer >= mpt_size) {
        return mpt_finish();
    }
    sender = (mpt_rank & 1) == 0;
    b = mpt_malloc(sizeof(char *) * NM);
    for (i = 0; i < NM; i++) {
        b[i] = mpt_malloc(MAXLEN);
        if (sender) {
            fill_msg(b[i], i);
        }
    }

    /* (a) pre-posted receives, all with the same tag. */
    if (sender) {
        CHECK_MPI(MPI_Recv(&i, 1, MPI_INT, peer, 1, MPI_COMM_WORLD,
                           MPI_STATUS_IGNORE));
        for (i = 0; i < NM; i++) {
            CHECK_MPI(MPI_Isend(b[i], len_of(i), MPI_BYTE, peer, 5,
                                MPI_COMM_WORLD, &rq[i]));
        }
        CHECK_MPI(MPI_Waitall(NM, rq, MPI_STATUSES_IGNORE));
    } else {
        for (i = 0; i < NM; i++) {
            CHECK_MPI(MPI_Irecv(b[i], MAXLEN, MPI_BYTE, peer, 5,
                                MPI_COMM_WORLD, &rq[i]));
        }
        CHECK_MPI(MPI_Send(&i, 1, MPI_INT, peer, 1, MPI_COMM_WORLD));
        CHECK_MPI(MPI_Waitall(NM, rq, sts));
        for (i = 0; i < NM; i++) {
            check_msg(b[i], &sts[i], i, "pre-posted");
        }
    }

    /* (b) unexpected: all sent before the receiver posts anything. */
    if (sender) {
        for (i = 0; i < NM; i++) {
            CHECK_MPI(MPI_Isend(b[i], len_of(i), MPI_BYTE, peer, 6,
                                MPI_COMM_WORLD, &rq[i]));
        }
        CHECK_MPI(MPI_Send(&i, 1, MPI_INT, peer, 2, MPI_COMM_WORLD));
        CHECK_MPI(MPI_Waitall(NM, rq, MPI_STATUSES_IGNORE));
    } else {
        CHECK_MPI(MPI_Recv(&i, 1, MPI_INT, peer, 2, MPI_COMM_WORLD,
                           MPI_STATUS_IGNORE));
        mpt_msleep(100);
        for (i = 0; i < NM; i++) {
            memset(b[i], 0, 8);
            CHECK_MPI(MPI_Recv(b[i], MAXLEN, MPI_BYTE, peer, 6,
                               MPI_COMM_WORLD, &sts[0]));
            check_msg(b[i], &sts[0], i, "unexpected");
        }
    }

    /* (c) blocking sends with changing tags, ANY_TAG receives. */
    if (sender) {
        for (i = 0; i < NM; i++) {
            if (i % 5 == 0) {
                CHECK_MPI(MPI_Ssend(b[i], len_of(i), MPI_BYTE, peer,
                                    100 + i % 9, MPI_COMM_WORLD));
            } else {
                CHECK_MPI(MPI_Send(b[i], len_of(i), MPI_BYTE, peer,
                                   100 + i % 9, MPI_COMM_WORLD));
            }
        }
    } else {
        for (i = 0; i < NM; i++) {
            CHECK_MPI(MPI_Recv(b[i], MAXLEN, MPI_BYTE, MPI_ANY_SOURCE,
                               MPI_ANY_TAG, MPI_COMM_WORLD, &sts[0]));
            CHECK_EQ(sts[0].MPI_TAG, 100 + i % 9, "ANY_TAG status tag");
            CHECK_EQ(sts[0].MPI_SOURCE, peer, "ANY_SOURCE status source");
            check_msg(b[i], &sts[0], i, "any-tag");
        }
    }
    for (i = 0; i < NM; i++) {
        free(b[i]);
    }
    free(b);
    return mpt_finish();
}
