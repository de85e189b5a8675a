/*
 * p2p_reqmisc: MPI_Request_free on active sends (small and large: the
 * messages are still delivered), MPI_Request_get_status (does not free
 * the request, false before the peer sends, true after, on
 * MPI_REQUEST_NULL true with an empty status), MPI_Cancel of a posted
 * receive that can never match (MPI_Test_cancelled true, buffer
 * untouched), cancel of an already completed receive (Test_cancelled
 * false, data received), and a message sent after a cancelled receive
 * goes to the next receive. Needs 2 ranks.
 */
#include "mptest.h"

#define BIG (1 << 20)

int main(int argc, char **argv)
{
    MPI_Request rq;
    MPI_Status st;
    int flag, v, cnt, go = 0, i;
    char *big = mpt_malloc(BIG);
    int small[4] = {1, 2, 3, 4};

    mpt_init(&argc, &argv, 2);

    /* Request_get_status on MPI_REQUEST_NULL. */
    rq = MPI_REQUEST_NULL;
    flag = 0;
    st.MPI_ERROR = -77; /* the empty status has MPI_ERROR = MPI_SUCCESS */
    CHECK_MPI(MPI_Request_get_status(rq, &flag, &st));
    CHECK_EQ(flag, 1, "Request_get_status(REQUEST_NULL) flag");
    CHECK_EQ(st.MPI_SOURCE, MPI_ANY_SOURCE, "empty status source");
    CHECK_EQ(st.MPI_TAG, MPI_ANY_TAG, "empty status tag");
    CHECK_EQ(st.MPI_ERROR, MPI_SUCCESS, "empty status error");

    if (mpt_rank == 0) {
        /* 1. Request_free on sends; buffers stay untouched until rank 1
         * confirms it received them. */
        mpt_fill(big, BIG, 3);
        CHECK_MPI(MPI_Isend(small, 4, MPI_INT, 1, 1, MPI_COMM_WORLD, &rq));
        CHECK_MPI(MPI_Request_free(&rq));
        CHECK(rq == MPI_REQUEST_NULL, "Request_free did not set NULL");
        CHECK_MPI(MPI_Isend(big, BIG, MPI_BYTE, 1, 2, MPI_COMM_WORLD, &rq));
        CHECK_MPI(MPI_Request_free(&rq));
        CHECK_MPI(MPI_Recv(&go, 1, MPI_INT, 1, 3, MPI_COMM_WORLD, &st));

        /* 2. get_status: rank 1 polls before we send; send on go. */
        CHECK_MPI(MPI_Recv(&go, 1, MPI_INT, 1, 4, MPI_COMM_WORLD, &st));
        v = 555;
        CHECK_MPI(MPI_Send(&v, 1, MPI_INT, 1, 5, MPI_COMM_WORLD));

        /* 3. after rank 1 cancelled its tag-6 receive, send tag 6. */
        CHECK_MPI(MPI_Recv(&go, 1, MPI_INT, 1, 7, MPI_COMM_WORLD, &st));
        v = 666;
        CHECK_MPI(MPI_Send(&v, 1, MPI_INT, 1, 6, MPI_COMM_WORLD));
        v = 888;
        CHECK_MPI(MPI_Send(&v, 1, MPI_INT, 1, 8, MPI_COMM_WORLD));
    } else if (mpt_rank == 1) {
        int got[4] = {0};
        memset(big, 0, BIG);
        CHECK_MPI(MPI_Recv(got, 4, MPI_INT, 0, 1, MPI_COMM_WORLD, &st));
        for (i = 0; i < 4; i++) {
            CHECK_EQ(got[i], i + 1, "freed small send data");
        }
        CHECK_MPI(MPI_Recv(big, BIG, MPI_BYTE, 0, 2, MPI_COMM_WORLD, &st));
        CHECK(mpt_verify(big, BIG, 3) < 0, "freed large send data wrong");
        CHECK_MPI(MPI_Send(&go, 1, MPI_INT, 0, 3, MPI_COMM_WORLD));

        v = -1;
        CHECK_MPI(MPI_Irecv(&v, 1, MPI_INT, 0, 5, MPI_COMM_WORLD, &rq));
        for (i = 0; i < 5; i++) {
            CHECK_MPI(MPI_Request_get_status(rq, &flag, &st));
            CHECK_EQ(flag, 0, "Request_get_status before the send");
        }
        CHECK_MPI(MPI_Send(&go, 1, MPI_INT, 0, 4, MPI_COMM_WORLD));
        {
            double t0 = MPI_Wtime();
            do {
                CHECK(MPI_Wtime() - t0 < 20, "get_status never true");
                CHECK_MPI(MPI_Request_get_status(rq, &flag, &st));
            } while (!flag);
        }
        CHECK(rq != MPI_REQUEST_NULL, "Request_get_status freed request");
        CHECK_EQ(st.MPI_TAG, 5, "get_status tag");
        CHECK_EQ(st.MPI_SOURCE, 0, "get_status source");
        CHECK_MPI(MPI_Get_count(&st, MPI_INT, &cnt));
        CHECK_EQ(cnt, 1, "get_status count");
        CHECK_MPI(MPI_Request_get_status(rq, &flag, &st));
        CHECK_EQ(flag, 1, "second get_status");
        CHECK_MPI(MPI_Wait(&rq, &st));
        CHECK(rq == MPI_REQUEST_NULL, "Wait after get_status");
        CHECK_EQ(st.MPI_TAG, 5, "Wait status after get_status");
        CHECK_EQ(v, 555, "value");

        /* Cancel a receive nobody will match (tag 6 arrives only after
         * we tell rank 0, and then goes to the next receive). */
        v = -1;
        CHECK_MPI(MPI_Irecv(&v, 1, MPI_INT, 0, 6, MPI_COMM_WORLD, &rq));
        CHECK_MPI(MPI_Cancel(&rq));
        CHECK_MPI(MPI_Wait(&rq, &st));
        flag = 0;
        CHECK_MPI(MPI_Test_cancelled(&st, &flag));
        CHECK_EQ(flag, 1, "Test_cancelled of a cancelled receive");
        CHECK_EQ(v, -1, "cancelled receive wrote the buffer");
        /* Cancel via Test instead of Wait. */
        CHECK_MPI(MPI_Irecv(&v, 1, MPI_INT, MPI_ANY_SOURCE, 6,
                            MPI_COMM_WORLD, &rq));
        CHECK_MPI(MPI_Cancel(&rq));
        {
            double t0 = MPI_Wtime();
            do {
                CHECK(MPI_Wtime() - t0 < 20, "cancelled recv never done");
                CHECK_MPI(MPI_Test(&rq, &flag, &st));
            } while (!flag);
        }
        CHECK_MPI(MPI_Test_cancelled(&st, &flag));
        CHECK_EQ(flag, 1, "Test_cancelled after Test");

        CHECK_MPI(MPI_Send(&go, 1, MPI_INT, 0, 7, MPI_COMM_WORLD));
        /* The tag-6 message goes to this receive, not the cancelled. */
        CHECK_MPI(MPI_Recv(&v, 1, MPI_INT, 0, 6, MPI_COMM_WORLD, &st));
        CHECK_EQ(v, 666, "message after cancelled receives");
        CHECK_MPI(MPI_Test_cancelled(&st, &flag));
        CHECK_EQ(flag, 0, "Test_cancelled of a normal receive");

        /* Cancel after completion: no effect. */
        CHECK_MPI(MPI_Irecv(&v, 1, MPI_INT, 0, 8, MPI_COMM_WORLD, &rq));
        {
            double t0 = MPI_Wtime();
            do {
                CHECK(MPI_Wtime() - t0 < 20, "tag 8 never arrived");
                CHECK_MPI(MPI_Request_get_status(rq, &flag, &st));
            } while (!flag);
        }
        CHECK_MPI(MPI_Cancel(&rq));
        CHECK_MPI(MPI_Wait(&rq, &st));
        CHECK_MPI(MPI_Test_cancelled(&st, &flag));
        CHECK_EQ(flag, 0, "Test_cancelled after completed receive");
        CHECK_EQ(v, 888, "completed-then-cancelled receive data");
    }
    free(big);
    return mpt_finish();
}
