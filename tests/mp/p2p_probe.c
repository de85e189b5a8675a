/*
 * p2p_probe: MPI_Probe/MPI_Iprobe report source, tag and count of a
 * pending message without receiving it (probing twice gives the same
 * message; Iprobe is false when nothing matches); matched probes
 * MPI_Mprobe/MPI_Improbe + MPI_Mrecv/MPI_Imrecv take the message out of
 * matching (a later wildcard receive does not see it); MPI_PROC_NULL
 * gives MPI_MESSAGE_NO_PROC and an empty status. Needs 2 ranks; with
 * more, the others send to rank 0 too (ANY_SOURCE probes).
 */
#include "mptest.h"

int main(int argc, char **argv)
{
    int flag, cnt, i, buf[1000];
    MPI_Status st, st2;
    MPI_Message msg;
    MPI_Request rq;

    mpt_init(&argc, &argv, 2);
    if (mpt_rank == 1) {
        for (i = 0; i < 1000; i++) {
            buf[i] = i;
        }
        /* Nonblocking: rank 0 probes them in another order than sent,
         * which must work without the library buffering the sends. */
        MPI_Request sr[5];
        CHECK_MPI(MPI_Isend(buf, 17, MPI_INT, 0, 5, MPI_COMM_WORLD, &sr[0]));
        CHECK_MPI(MPI_Isend(buf, 1000, MPI_INT, 0, 6, MPI_COMM_WORLD,
                            &sr[1]));
        CHECK_MPI(MPI_Isend(buf, 3, MPI_INT, 0, 7, MPI_COMM_WORLD, &sr[2]));
        CHECK_MPI(MPI_Isend(buf + 10, 4, MPI_INT, 0, 8, MPI_COMM_WORLD,
                            &sr[3]));
        CHECK_MPI(MPI_Isend(buf + 20, 5, MPI_INT, 0, 8, MPI_COMM_WORLD,
                            &sr[4]));
        CHECK_MPI(MPI_Waitall(5, sr, MPI_STATUSES_IGNORE));
    } else if (mpt_rank == 0) {
        /* Nothing with tag 99 exists. */
        flag = -1;
        CHECK_MPI(MPI_Iprobe(1, 99, MPI_COMM_WORLD, &flag, &st));
        CHECK_EQ(flag, 0, "Iprobe for a message never sent");

        CHECK_MPI(MPI_Probe(1, 6, MPI_COMM_WORLD, &st));
        CHECK_EQ(st.MPI_SOURCE, 1, "Probe source");
        CHECK_EQ(st.MPI_TAG, 6, "Probe tag");
        CHECK_MPI(MPI_Get_count(&st, MPI_INT, &cnt));
        CHECK_EQ(cnt, 1000, "Probe count");
        /* Probing again gives the same message. */
        CHECK_MPI(MPI_Probe(MPI_ANY_SOURCE, 6, MPI_COMM_WORLD, &st2));
        CHECK_MPI(MPI_Get_count(&st2, MPI_INT, &cnt));
        CHECK_EQ(cnt, 1000, "second Probe count");
        /* ANY_TAG probe from 1 sees the first message (tag 5). */
        CHECK_MPI(MPI_Probe(1, MPI_ANY_TAG, MPI_COMM_WORLD, &st));
        CHECK_EQ(st.MPI_TAG, 5, "ANY_TAG Probe tag (non-overtaking)");
        CHECK_MPI(MPI_Get_count(&st, MPI_BYTE, &cnt));
        CHECK_EQ(cnt, 17 * 4, "Probe count in bytes");
        /* Iprobe eventually true for tag 7. */
        {
            double t0 = MPI_Wtime();
            do {
                CHECK_MPI(MPI_Iprobe(MPI_ANY_SOURCE, 7, MPI_COMM_WORLD,
                                     &flag, &st));
                CHECK(MPI_Wtime() - t0 < 20, "Iprobe never saw tag 7");
            } while (!flag);
            CHECK_EQ(st.MPI_SOURCE, 1, "Iprobe source");
            CHECK_MPI(MPI_Get_count(&st, MPI_INT, &cnt));
            CHECK_EQ(cnt, 3, "Iprobe count");
        }
        /* Receive with the sizes learnt from probe. */
        CHECK_MPI(MPI_Recv(buf, 1000, MPI_INT, 1, 6, MPI_COMM_WORLD, &st));
        CHECK_EQ(buf[999], 999, "tag 6 data");
        CHECK_MPI(MPI_Recv(buf, 17, MPI_INT, 1, 5, MPI_COMM_WORLD, &st));
        CHECK_EQ(buf[16], 16, "tag 5 data");

        /* Mprobe the tag 7 message, then a wildcard Recv must skip it. */
        CHECK_MPI(MPI_Mprobe(1, 7, MPI_COMM_WORLD, &msg, &st));
        CHECK(msg != MPI_MESSAGE_NULL && msg != MPI_MESSAGE_NO_PROC,
              "Mprobe gave a null message");
        CHECK_MPI(MPI_Get_count(&st, MPI_INT, &cnt));
        CHECK_EQ(cnt, 3, "Mprobe count");
        {
            /* Improbe may be false at first; wait for it. */
            MPI_Message m8 = MPI_MESSAGE_NULL;
            double t0 = MPI_Wtime();
            flag = 0;
            while (!flag) {
                CHECK(MPI_Wtime() - t0 < 20, "Improbe never saw tag 8");
                CHECK_MPI(MPI_Improbe(1, 8, MPI_COMM_WORLD, &flag, &m8,
                                      &st));
            }
            CHECK_MPI(MPI_Get_count(&st, MPI_INT, &cnt));
            CHECK_EQ(cnt, 4, "Improbe count (first tag-8 message)");
            /* The second tag-8 message is the one a Recv now gets. */
            memset(buf, 0, sizeof(buf));
            CHECK_MPI(MPI_Recv(buf, 1000, MPI_INT, 1, MPI_ANY_TAG,
                               MPI_COMM_WORLD, &st2));
            CHECK_EQ(st2.MPI_TAG, 8, "wildcard Recv after Mprobe: tag");
            CHECK_MPI(MPI_Get_count(&st2, MPI_INT, &cnt));
            CHECK_EQ(cnt, 5, "wildcard Recv got the unprobed tag-8 message");
            CHECK_EQ(buf[0], 20, "second tag-8 data");
            /* Imrecv the first tag-8 message. */
            CHECK_MPI(MPI_Imrecv(buf, 4, MPI_INT, &m8, &rq));
            CHECK(m8 == MPI_MESSAGE_NULL, "Imrecv did not reset message");
            CHECK_MPI(MPI_Wait(&rq, &st2));
            CHECK_EQ(st2.MPI_TAG, 8, "Imrecv tag");
            CHECK_EQ(buf[0], 10, "Imrecv data");
            CHECK_EQ(buf[3], 13, "Imrecv data");
        }
        /* Mrecv the tag 7 message (from the earlier Mprobe). */
        CHECK_MPI(MPI_Mrecv(buf, 3, MPI_INT, &msg, &st2));
        CHECK(msg == MPI_MESSAGE_NULL, "Mrecv did not reset message");
        CHECK_EQ(st2.MPI_TAG, 7, "Mrecv tag");
        CHECK_EQ(buf[2], 2, "Mrecv data");

        /* PROC_NULL. */
        CHECK_MPI(MPI_Mprobe(MPI_PROC_NULL, 3, MPI_COMM_WORLD, &msg, &st));
        CHECK(msg == MPI_MESSAGE_NO_PROC, "Mprobe(PROC_NULL) message");
        CHECK_EQ(st.MPI_SOURCE, MPI_PROC_NULL, "Mprobe(PROC_NULL) source");
        CHECK_EQ(st.MPI_TAG, MPI_ANY_TAG, "Mprobe(PROC_NULL) tag");
        buf[0] = 4242;
        CHECK_MPI(MPI_Mrecv(buf, 10, MPI_INT, &msg, &st));
        CHECK(msg == MPI_MESSAGE_NULL, "Mrecv(NO_PROC) message not reset");
        CHECK_EQ(st.MPI_SOURCE, MPI_PROC_NULL, "Mrecv(NO_PROC) source");
        CHECK_MPI(MPI_Get_count(&st, MPI_INT, &cnt));
        CHECK_EQ(cnt, 0, "Mrecv(NO_PROC) count");
        CHECK_EQ(buf[0], 4242, "Mrecv(NO_PROC) touched the buffer");
        flag = 0;
        CHECK_MPI(MPI_Improbe(MPI_PROC_NULL, 3, MPI_COMM_WORLD, &flag, &msg,
                              &st));
        CHECK_EQ(flag, 1, "Improbe(PROC_NULL) flag");
        CHECK(msg == MPI_MESSAGE_NO_PROC, "Improbe(PROC_NULL) message");
        CHECK_MPI(MPI_Imrecv(buf, 10, MPI_INT, &msg, &rq));
        CHECK_MPI(MPI_Wait(&rq, &st));
        CHECK_EQ(st.MPI_SOURCE, MPI_PROC_NULL, "Imrecv(NO_PROC) source");
        CHECK_MPI(MPI_Probe(MPI_PROC_NULL, 3, MPI_COMM_WORLD, &st));
        CHECK_EQ(st.MPI_SOURCE, MPI_PROC_NULL, "Probe(PROC_NULL) source");
        CHECK_EQ(st.MPI_TAG, MPI_ANY_TAG, "Probe(PROC_NULL) tag");
        flag = 0;
        CHECK_MPI(MPI_Iprobe(MPI_PROC_NULL, 3, MPI_COMM_WORLD, &flag, &st));
        CHECK_EQ(flag, 1, "Iprobe(PROC_NULL) flag");
        CHECK_MPI(MPI_Get_count(&st, MPI_INT, &cnt));
        CHECK_EQ(cnt, 0, "Iprobe(PROC_NULL) count");

        /* Messages from every other rank via ANY_SOURCE probes. */
        for (i = 2; i < mpt_size; i++) {
            CHECK_MPI(MPI_Probe(MPI_ANY_SOURCE, 30, MPI_COMM_WORLD, &st));
            CHECK_MPI(MPI_Get_count(&st, MPI_INT, &cnt));
            CHECK_EQ(cnt, st.MPI_SOURCE, "count = sender rank");
            CHECK_MPI(MPI_Recv(buf, cnt, MPI_INT, st.MPI_SOURCE, 30,
                               MPI_COMM_WORLD, &st2));
            CHECK_EQ(st2.MPI_SOURCE, st.MPI_SOURCE, "Recv after Probe source");
        }
    } else {
        memset(buf, 0, sizeof(buf));
        CHECK_MPI(MPI_Send(buf, mpt_rank, MPI_INT, 0, 30, MPI_COMM_WORLD));
    }
    return mpt_finish();
}
