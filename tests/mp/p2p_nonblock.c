/*
 * p2p_nonblock: MPI_Isend/MPI_Irecv/MPI_Issend with many requests in
 * flight in both directions at once (receives posted before and after
 * the sends, small and large), MPI_Sendrecv around a ring, and
 * MPI_Sendrecv_replace (the buffer gets the neighbour's data, also with
 * different send/receive counts). Any number of ranks >= 2.
 */
#include "mptest.h"

#define NMSG 32

static int msg_len(int i)
{
    return (i % 4 == 3) ? 200000 + i : 10 * i + 1;
}

int main(int argc, char **argv)
{
    int i, right, left, cnt;
    char *sb[NMSG], *rb[NMSG];
    MPI_Request sr[NMSG], rr[NMSG];
    MPI_Status st[NMSG];

    mpt_init(&argc, &argv, 2);
    right = (mpt_rank + 1) % mpt_size;
    left = (mpt_rank + mpt_size - 1) % mpt_size;

    /* Ring: send NMSG to the right, receive NMSG from the left. The first
     * half of the receives is posted before the sends, the rest after. */
    for (i = 0; i < NMSG; i++) {
        sb[i] = mpt_malloc((size_t)msg_len(i));
        rb[i] = mpt_malloc((size_t)msg_len(i));
        mpt_fill(sb[i], (size_t)msg_len(i), (unsigned)(mpt_rank * 100 + i));
    }
    for (i = 0; i < NMSG / 2; i++) {
        CHECK_MPI(MPI_Irecv(rb[i], msg_len(i), MPI_BYTE, left, i,
                            MPI_COMM_WORLD, &rr[i]));
    }
    for (i = 0; i < NMSG; i++) {
        if (i % 3 == 0) {
            CHECK_MPI(MPI_Issend(sb[i], msg_len(i), MPI_BYTE, right, i,
                                 MPI_COMM_WORLD, &sr[i]));
        } else {
            CHECK_MPI(MPI_Isend(sb[i], msg_len(i), MPI_BYTE, right, i,
                                MPI_COMM_WORLD, &sr[i]));
        }
    }
    for (i = NMSG / 2; i < NMSG; i++) {
        CHECK_MPI(MPI_Irecv(rb[i], msg_len(i), MPI_BYTE, left, i,
                            MPI_COMM_WORLD, &rr[i]));
    }
    CHECK_MPI(MPI_Waitall(NMSG, rr, st));
    for (i = 0; i < NMSG; i++) {
        CHECK(rr[i] == MPI_REQUEST_NULL, "recv request %d not freed", i);
        CHECK_EQ(st[i].MPI_SOURCE, left, "status source");
        CHECK_EQ(st[i].MPI_TAG, i, "status tag");
        CHECK_MPI(MPI_Get_count(&st[i], MPI_BYTE, &cnt));
        CHECK_EQ(cnt, msg_len(i), "count");
        long long bad = mpt_verify(rb[i], (size_t)msg_len(i),
                                   (unsigned)(left * 100 + i));
        CHECK(bad < 0, "message %d from %d wrong at byte %lld", i, left,
              bad);
    }
    CHECK_MPI(MPI_Waitall(NMSG, sr, MPI_STATUSES_IGNORE));
    for (i = 0; i < NMSG; i++) {
        CHECK(sr[i] == MPI_REQUEST_NULL, "send request %d not freed", i);
        free(sb[i]);
        free(rb[i]);
    }

    /* Sendrecv around the ring, several sizes. */
    {
        int n, sizes[] = {0, 1, 100, 70000, 1 << 20};
        char *s = mpt_malloc(1 << 20), *r = mpt_malloc(1 << 20);
        MPI_Status s1;
        for (i = 0; i < 5; i++) {
            n = sizes[i];
            mpt_fill(s, (size_t)n, (unsigned)(mpt_rank + 7 * i));
            CHECK_MPI(MPI_Sendrecv(s, n, MPI_BYTE, right, 50 + i, r, n,
                                   MPI_BYTE, left, 50 + i, MPI_COMM_WORLD,
                                   &s1));
            CHECK_EQ(s1.MPI_SOURCE, left, "Sendrecv source");
            CHECK_MPI(MPI_Get_count(&s1, MPI_BYTE, &cnt));
            CHECK_EQ(cnt, n, "Sendrecv count");
            CHECK(mpt_verify(r, (size_t)n, (unsigned)(left + 7 * i)) < 0,
                  "Sendrecv data of %d bytes wrong", n);
        }
        free(s);
        free(r);
    }

    /* Sendrecv_replace: same and different counts. */
    {
        int buf[5000], j;
        MPI_Status s1;
        for (j = 0; j < 5000; j++) {
            buf[j] = mpt_rank * 100000 + j;
        }
        CHECK_MPI(MPI_Sendrecv_replace(buf, 5000, MPI_INT, right, 60, left,
                                       60, MPI_COMM_WORLD, &s1));
        for (j = 0; j < 5000; j++) {
            CHECK_EQ(buf[j], left * 100000 + j, "Sendrecv_replace data");
        }
        CHECK_EQ(s1.MPI_SOURCE, left, "Sendrecv_replace source");
        CHECK_EQ(s1.MPI_TAG, 60, "Sendrecv_replace tag");
        /* Send 3 ints, receive up to 10: only 3 arrive. */
        for (j = 0; j < 10; j++) {
            buf[j] = mpt_rank * 10 + j;
        }
        CHECK_MPI(MPI_Sendrecv_replace(buf, 3, MPI_INT, right, 61, left, 61,
                                       MPI_COMM_WORLD, &s1));
        CHECK_MPI(MPI_Get_count(&s1, MPI_INT, &cnt));
        CHECK_EQ(cnt, 3, "Sendrecv_replace count");
        for (j = 0; j < 3; j++) {
            CHECK_EQ(buf[j], left * 10 + j, "Sendrecv_replace short data");
        }
    }
    return mpt_finish();
}
