/*
 * ord_tagmatch: matching rules with tags and wildcards.
 * (a) receives posted in reverse tag order get the right messages;
 * (b) posted receives R1=(0,tag2) R2=(ANY,ANY) R3=(0,tag1) R4=(ANY,tag2),
 *     then messages tags 1,2,2,3,1 arrive: an incoming message matches
 *     the earliest posted matching receive: R2<-m1, R1<-m2, R4<-m3,
 *     m4 unexpected, R3<-m5; a later Recv(ANY,ANY) gets m4;
 * (c) the same messages sent first (unexpected), then the same receives
 *     posted: a receive matches the earliest matching message:
 *     R1<-m2, R2<-m1, R3<-m5, R4<-m3, then Recv gets m4.
 * Rank 0 sends, rank 1 receives.
 */
#include "mptest.h"

#define NT 16

static const int mtags[5] = {1, 2, 2, 3, 1};

/* Nonblocking, so that the test does not rely on the library buffering
 * standard-mode sends in case (c); the marker (tag 98, if asked for) is
 * sent after the five. */
static void send_five(int marker)
{
    int v[6], m;
    MPI_Request r[6];
    for (m = 0; m < 5; m++) {
        v[m] = 1000 + m + 1; /* m1..m5 carry 1001..1005 */
        CHECK_MPI(MPI_Isend(&v[m], 1, MPI_INT, 1, mtags[m], MPI_COMM_WORLD,
                            &r[m]));
    }
    v[5] = 0;
    r[5] = MPI_REQUEST_NULL;
    if (marker) {
        CHECK_MPI(MPI_Isend(&v[5], 1, MPI_INT, 1, 98, MPI_COMM_WORLD,
                            &r[5]));
    }
    CHECK_MPI(MPI_Waitall(6, r, MPI_STATUSES_IGNORE));
}

static void post_four(MPI_Request *r, int *v)
{
    CHECK_MPI(MPI_Irecv(&v[0], 1, MPI_INT, 0, 2, MPI_COMM_WORLD, &r[0]));
    CHECK_MPI(MPI_Irecv(&v[1], 1, MPI_INT, MPI_ANY_SOURCE, MPI_ANY_TAG,
                        MPI_COMM_WORLD, &r[1]));
    CHECK_MPI(MPI_Irecv(&v[2], 1, MPI_INT, 0, 1, MPI_COMM_WORLD, &r[2]));
    CHECK_MPI(MPI_Irecv(&v[3], 1, MPI_INT, MPI_ANY_SOURCE, 2,
                        MPI_COMM_WORLD, &r[3]));
}

int main(int argc, char **argv)
{
    int i, go = 0, v[NT];
    MPI_Request r[NT];
    MPI_Status st[NT];

    mpt_init(&argc, &argv, 2);
    if (mpt_rank == 0) {
        /* (a) */
        CHECK_MPI(MPI_Recv(&go, 1, MPI_INT, 1, 99, MPI_COMM_WORLD,
                           MPI_STATUS_IGNORE));
        for (i = 0; i < NT; i++) {
            int x = i * i;
            CHECK_MPI(MPI_Send(&x, 1, MPI_INT, 1, 10 + i, MPI_COMM_WORLD));
        }
        /* (b) */
        CHECK_MPI(MPI_Recv(&go, 1, MPI_INT, 1, 99, MPI_COMM_WORLD,
                           MPI_STATUS_IGNORE));
        send_five(0);
        /* (c) */
        CHECK_MPI(MPI_Recv(&go, 1, MPI_INT, 1, 99, MPI_COMM_WORLD,
                           MPI_STATUS_IGNORE));
        send_five(1);
    } else if (mpt_rank == 1) {
        /* (a) reverse order posting */
        for (i = NT - 1; i >= 0; i--) {
            v[i] = -1;
            CHECK_MPI(MPI_Irecv(&v[i], 1, MPI_INT, 0, 10 + i, MPI_COMM_WORLD,
                                &r[i]));
        }
        CHECK_MPI(MPI_Send(&go, 1, MPI_INT, 0, 99, MPI_COMM_WORLD));
        CHECK_MPI(MPI_Waitall(NT, r, st));
        for (i = 0; i < NT; i++) {
            CHECK_EQ(v[i], i * i, "reverse-posted receive value");
            CHECK_EQ(st[i].MPI_TAG, 10 + i, "reverse-posted receive tag");
        }

        /* (b) posted first */
        post_four(r, v);
        CHECK_MPI(MPI_Send(&go, 1, MPI_INT, 0, 99, MPI_COMM_WORLD));
        CHECK_MPI(MPI_Waitall(4, r, st));
        CHECK_EQ(v[0], 1002, "(b) R1=(0,tag2) gets m2");
        CHECK_EQ(v[1], 1001, "(b) R2=(ANY,ANY) gets m1");
        CHECK_EQ(v[2], 1005, "(b) R3=(0,tag1) gets m5");
        CHECK_EQ(v[3], 1003, "(b) R4=(ANY,tag2) gets m3");
        CHECK_EQ(st[1].MPI_TAG, 1, "(b) R2 status tag");
        CHECK_MPI(MPI_Recv(&v[4], 1, MPI_INT, MPI_ANY_SOURCE, MPI_ANY_TAG,
                           MPI_COMM_WORLD, &st[4]));
        CHECK_EQ(v[4], 1004, "(b) later Recv gets m4");
        CHECK_EQ(st[4].MPI_TAG, 3, "(b) m4 tag");

        /* (c) unexpected first: wait until the marker sent after the
         * five messages has arrived, so all five are queued. */
        CHECK_MPI(MPI_Send(&go, 1, MPI_INT, 0, 99, MPI_COMM_WORLD));
        CHECK_MPI(MPI_Recv(&go, 1, MPI_INT, 0, 98, MPI_COMM_WORLD,
                           MPI_STATUS_IGNORE));
        post_four(r, v);
        CHECK_MPI(MPI_Waitall(4, r, st));
        CHECK_EQ(v[0], 1002, "(c) R1=(0,tag2) gets m2");
        CHECK_EQ(v[1], 1001, "(c) R2=(ANY,ANY) gets m1");
        CHECK_EQ(v[2], 1005, "(c) R3=(0,tag1) gets m5");
        CHECK_EQ(v[3], 1003, "(c) R4=(ANY,tag2) gets m3");
        CHECK_MPI(MPI_Recv(&v[4], 1, MPI_INT, 0, MPI_ANY_TAG, MPI_COMM_WORLD,
                           &st[4]));
        CHECK_EQ(v[4], 1004, "(c) later Recv gets m4");
    }
    return mpt_finish();
}
