/*
 * p2p_procnull: MPI_PROC_NULL as destination/source of every kind of
 * point-to-point call completes at once; receive statuses have source
 * MPI_PROC_NULL, tag MPI_ANY_TAG and count 0, and the receive buffer is
 * untouched. Covers Send/Ssend/Rsend/Bsend/Isend/Issend/Irsend/Ibsend,
 * Recv/Irecv, Sendrecv (one side PROC_NULL), Sendrecv_replace, Probe,
 * Iprobe and persistent requests. Runs on any number of ranks.
 */
#include "mptest.h"

static void check_null_status(const MPI_Status *st, const char *what)
{
    int cnt = -1;
    CHECK(st->MPI_SOURCE == MPI_PROC_NULL, "%s: source %d, want PROC_NULL",
          what, st->MPI_SOURCE);
    CHECK(st->MPI_TAG == MPI_ANY_TAG, "%s: tag %d, want ANY_TAG", what,
          st->MPI_TAG);
    CHECK_MPI(MPI_Get_count(st, MPI_INT, &cnt));
    CHECK(cnt == 0, "%s: count %d, want 0", what, cnt);
}

int main(int argc, char **argv)
{
    int buf[16], i, flag;
    MPI_Request rq[8];
    MPI_Status st, sts[8];
    char bbuf[1024];
    void *bp;
    int bs;

    mpt_init(&argc, &argv, 1);
    for (i = 0; i < 16; i++) {
        buf[i] = 1000 + i;
    }
    CHECK_MPI(MPI_Send(buf, 16, MPI_INT, MPI_PROC_NULL, 1, MPI_COMM_WORLD));
    CHECK_MPI(MPI_Ssend(buf, 16, MPI_INT, MPI_PROC_NULL, 1, MPI_COMM_WORLD));
    CHECK_MPI(MPI_Rsend(buf, 16, MPI_INT, MPI_PROC_NULL, 1, MPI_COMM_WORLD));
    CHECK_MPI(MPI_Buffer_attach(bbuf, sizeof(bbuf)));
    CHECK_MPI(MPI_Bsend(buf, 16, MPI_INT, MPI_PROC_NULL, 1, MPI_COMM_WORLD));

    st.MPI_SOURCE = st.MPI_TAG = 4;
    CHECK_MPI(MPI_Recv(buf, 16, MPI_INT, MPI_PROC_NULL, 1, MPI_COMM_WORLD,
                       &st));
    check_null_status(&st, "Recv(PROC_NULL)");
    CHECK_MPI(MPI_Recv(buf, 16, MPI_INT, MPI_PROC_NULL, MPI_ANY_TAG,
                       MPI_COMM_WORLD, &st));
    check_null_status(&st, "Recv(PROC_NULL, ANY_TAG)");
    for (i = 0; i < 16; i++) {
        CHECK_EQ(buf[i], 1000 + i, "buffer after Recv(PROC_NULL)");
    }

    CHECK_MPI(MPI_Isend(buf, 16, MPI_INT, MPI_PROC_NULL, 2, MPI_COMM_WORLD,
                        &rq[0]));
    CHECK_MPI(MPI_Issend(buf, 16, MPI_INT, MPI_PROC_NULL, 2, MPI_COMM_WORLD,
                         &rq[1]));
    CHECK_MPI(MPI_Irsend(buf, 16, MPI_INT, MPI_PROC_NULL, 2, MPI_COMM_WORLD,
                         &rq[2]));
    CHECK_MPI(MPI_Ibsend(buf, 16, MPI_INT, MPI_PROC_NULL, 2, MPI_COMM_WORLD,
                         &rq[3]));
    CHECK_MPI(MPI_Irecv(buf, 16, MPI_INT, MPI_PROC_NULL, 2, MPI_COMM_WORLD,
                        &rq[4]));
    CHECK_MPI(MPI_Irecv(buf, 16, MPI_INT, MPI_PROC_NULL, MPI_ANY_TAG,
                        MPI_COMM_WORLD, &rq[5]));
    /* All complete without any progress by others: Testall is true. */
    CHECK_MPI(MPI_Testall(6, rq, &flag, sts));
    CHECK_EQ(flag, 1, "Testall of PROC_NULL requests");
    check_null_status(&sts[4], "Irecv(PROC_NULL)");
    check_null_status(&sts[5], "Irecv(PROC_NULL, ANY_TAG)");
    for (i = 0; i < 6; i++) {
        CHECK(rq[i] == MPI_REQUEST_NULL, "request %d not freed", i);
    }

    /* Sendrecv with one side PROC_NULL. */
    CHECK_MPI(MPI_Sendrecv(buf, 16, MPI_INT, MPI_PROC_NULL, 3, buf, 16,
                           MPI_INT, MPI_PROC_NULL, 3, MPI_COMM_WORLD, &st));
    check_null_status(&st, "Sendrecv(PROC_NULL, PROC_NULL)");
    {
        int right = (mpt_rank + 1) % mpt_size;
        int left = (mpt_rank + mpt_size - 1) % mpt_size;
        int got = -1;
        /* Chain 0 -> 1 -> ... -> n-1: the ends talk to PROC_NULL. */
        int dst = mpt_rank == mpt_size - 1 ? MPI_PROC_NULL : right;
        int src = mpt_rank == 0 ? MPI_PROC_NULL : left;
        CHECK_MPI(MPI_Sendrecv(&mpt_rank, 1, MPI_INT, dst, 4, &got, 1,
                               MPI_INT, src, 4, MPI_COMM_WORLD, &st));
        if (src == MPI_PROC_NULL) {
            check_null_status(&st, "chain Sendrecv at rank 0");
            CHECK_EQ(got, -1, "buffer after Sendrecv from PROC_NULL");
        } else {
            CHECK_EQ(got, left, "chain Sendrecv value");
            CHECK_EQ(st.MPI_SOURCE, left, "chain Sendrecv source");
        }
    }
    CHECK_MPI(MPI_Sendrecv_replace(buf, 16, MPI_INT, MPI_PROC_NULL, 5,
                                   MPI_PROC_NULL, 5, MPI_COMM_WORLD, &st));
    check_null_status(&st, "Sendrecv_replace(PROC_NULL)");
    for (i = 0; i < 16; i++) {
        CHECK_EQ(buf[i], 1000 + i, "buffer after Sendrecv_replace");
    }

    CHECK_MPI(MPI_Probe(MPI_PROC_NULL, 6, MPI_COMM_WORLD, &st));
    check_null_status(&st, "Probe(PROC_NULL)");
    flag = 0;
    CHECK_MPI(MPI_Iprobe(MPI_PROC_NULL, MPI_ANY_TAG, MPI_COMM_WORLD, &flag,
                         &st));
    CHECK_EQ(flag, 1, "Iprobe(PROC_NULL) flag");
    check_null_status(&st, "Iprobe(PROC_NULL)");

    /* Persistent. */
    CHECK_MPI(MPI_Send_init(buf, 16, MPI_INT, MPI_PROC_NULL, 7,
                            MPI_COMM_WORLD, &rq[0]));
    CHECK_MPI(MPI_Recv_init(buf, 16, MPI_INT, MPI_PROC_NULL, 7,
                            MPI_COMM_WORLD, &rq[1]));
    for (i = 0; i < 3; i++) {
        CHECK_MPI(MPI_Startall(2, rq));
        CHECK_MPI(MPI_Waitall(2, rq, sts));
        check_null_status(&sts[1], "persistent Recv(PROC_NULL)");
    }
    CHECK_MPI(MPI_Request_free(&rq[0]));
    CHECK_MPI(MPI_Request_free(&rq[1]));
    CHECK_MPI(MPI_Buffer_detach(&bp, &bs));
    return mpt_finish();
}
