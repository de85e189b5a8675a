/*
 * ord_unexpected: messages that arrive before any receive is posted.
 * Rank 0 sends (Isend) many small and large messages with distinct tags
 * while rank 1 sleeps; a blocking large Send and an Ssend also wait for
 * the late receiver. Rank 1 then receives them in a different order
 * (reverse tags, then by probe), checking content and counts. A burst
 * of 2000 small unexpected messages checks that queues grow as needed.
 * Needs 2 ranks.
 */
#include "mptest.h"

#define NM 40
#define BURST 2000

static int len_of(int i)
{
    return (i % 4 == 0) ? 250000 + i : 1 + 37 * i;
}

int main(int argc, char **argv)
{
    int i, cnt;
    char *b[NM];
    MPI_Request rq[NM];
    MPI_Status st;

    mpt_init(&argc, &argv, 2);
    for (i = 0; i < NM; i++) {
        b[i] = mpt_malloc((size_t)len_of(i));
    }
    if (mpt_rank == 0) {
        double t0, t1;
        for (i = 0; i < NM; i++) {
            mpt_fill(b[i], (size_t)len_of(i), (unsigned)i);
            CHECK_MPI(MPI_Isend(b[i], len_of(i), MPI_BYTE, 1, i,
                                MPI_COMM_WORLD, &rq[i]));
        }
        /* Blocking sends: must complete once rank 1 receives them. */
        t0 = MPI_Wtime();
        CHECK_MPI(MPI_Send(b[0], len_of(0), MPI_BYTE, 1, 500,
                           MPI_COMM_WORLD));
        CHECK_MPI(MPI_Ssend(b[1], len_of(1), MPI_BYTE, 1, 501,
                            MPI_COMM_WORLD));
        t1 = MPI_Wtime();
        CHECK(t1 - t0 > 0.2, "Ssend to a sleeping receiver returned after "
              "%.3f s (receiver sleeps 500 ms)", t1 - t0);
        CHECK_MPI(MPI_Waitall(NM, rq, MPI_STATUSES_IGNORE));
        for (i = 0; i < BURST; i++) {
            CHECK_MPI(MPI_Send(&i, 1, MPI_INT, 1, 1000, MPI_COMM_WORLD));
        }
    } else if (mpt_rank == 1) {
        mpt_msleep(500);
        /* The blocking ones first (tags 500, 501), then reverse order. */
        CHECK_MPI(MPI_Recv(b[0], len_of(0), MPI_BYTE, 0, 500,
                           MPI_COMM_WORLD, &st));
        CHECK(mpt_verify(b[0], (size_t)len_of(0), 0) < 0, "Send content");
        CHECK_MPI(MPI_Recv(b[1], len_of(1), MPI_BYTE, 0, 501,
                           MPI_COMM_WORLD, &st));
        CHECK(mpt_verify(b[1], (size_t)len_of(1), 1) < 0, "Ssend content");
        for (i = NM - 1; i >= NM / 2; i--) {
            memset(b[i], 0, (size_t)len_of(i));
            CHECK_MPI(MPI_Recv(b[i], len_of(i), MPI_BYTE, 0, i,
                               MPI_COMM_WORLD, &st));
            CHECK_MPI(MPI_Get_count(&st, MPI_BYTE, &cnt));
            CHECK_EQ(cnt, len_of(i), "count");
            CHECK(mpt_verify(b[i], (size_t)len_of(i), (unsigned)i) < 0,
                  "message %d content", i);
        }
        /* The rest by probing with ANY_TAG: lowest tag comes first. */
        for (i = 0; i < NM / 2; i++) {
            CHECK_MPI(MPI_Probe(0, MPI_ANY_TAG, MPI_COMM_WORLD, &st));
            CHECK_EQ(st.MPI_TAG, i, "probed tag (send order)");
            CHECK_MPI(MPI_Get_count(&st, MPI_BYTE, &cnt));
            CHECK_EQ(cnt, len_of(i), "probed count");
            memset(b[i], 0, (size_t)len_of(i));
            CHECK_MPI(MPI_Recv(b[i], cnt, MPI_BYTE, 0, st.MPI_TAG,
                               MPI_COMM_WORLD, &st));
            CHECK(mpt_verify(b[i], (size_t)len_of(i), (unsigned)i) < 0,
                  "message %d content", i);
        }
        mpt_msleep(300); /* let the burst pile up */
        for (i = 0; i < BURST; i++) {
            int v = -1;
            CHECK_MPI(MPI_Recv(&v, 1, MPI_INT, 0, 1000, MPI_COMM_WORLD,
                               &st));
            CHECK_EQ(v, i, "burst message order");
        }
    }
    for (i = 0; i < NM; i++) {
        free(b[i]);
    }
    return mpt_finish();
}
