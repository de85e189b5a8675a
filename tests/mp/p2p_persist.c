/*
 * p2p_persist: persistent requests. MPI_Send_init/MPI_Ssend_init/
 * MPI_Bsend_init/MPI_Rsend_init and MPI_Recv_init created once and
 * restarted 500 times with MPI_Start/MPI_Startall (buffer contents change
 * between iterations, small and large messages), statuses right each
 * time, the request stays valid after Wait, MPI_Request_free at the end.
 * Ring over all ranks (>= 2).
 */
#include "mptest.h"

#define ITERS 500
#define BIG 300000

int main(int argc, char **argv)
{
    int right, left, it, sv[4], rv[4], cnt;
    char *sb, *rb;
    MPI_Request rq[6];
    MPI_Status sts[6];
    void *bbuf;
    int bsz, psz;

    mpt_init(&argc, &argv, 2);
    right = (mpt_rank + 1) % mpt_size;
    left = (mpt_rank + mpt_size - 1) % mpt_size;
    sb = mpt_malloc(BIG);
    rb = mpt_malloc(BIG);
    CHECK_MPI(MPI_Pack_size(1, MPI_INT, MPI_COMM_WORLD, &psz));
    bsz = 4 * (psz + MPI_BSEND_OVERHEAD);
    bbuf = mpt_malloc((size_t)bsz);
    CHECK_MPI(MPI_Buffer_attach(bbuf, bsz));

    /* Receives first (Rsend needs them posted before the peer sends). */
    CHECK_MPI(MPI_Recv_init(&rv[0], 1, MPI_INT, left, 1, MPI_COMM_WORLD,
                            &rq[0]));
    CHECK_MPI(MPI_Recv_init(&rv[1], 1, MPI_INT, left, 2, MPI_COMM_WORLD,
                            &rq[1]));
    CHECK_MPI(MPI_Recv_init(rb, BIG, MPI_BYTE, MPI_ANY_SOURCE, 3,
                            MPI_COMM_WORLD, &rq[2]));
    CHECK_MPI(MPI_Send_init(&sv[0], 1, MPI_INT, right, 1, MPI_COMM_WORLD,
                            &rq[3]));
    CHECK_MPI(MPI_Bsend_init(&sv[1], 1, MPI_INT, right, 2, MPI_COMM_WORLD,
                             &rq[4]));
    CHECK_MPI(MPI_Ssend_init(sb, BIG, MPI_BYTE, right, 3, MPI_COMM_WORLD,
                             &rq[5]));

    for (it = 0; it < ITERS; it++) {
        int n = (it % 7 == 0) ? BIG : 1 + it;
        sv[0] = it * 10 + mpt_rank;
        sv[1] = -it;
        rv[0] = rv[1] = -12345;
        mpt_fill(sb, (size_t)(it % 7 == 0 ? 64 : 1), (unsigned)it);
        CHECK_MPI(MPI_Startall(3, rq));
        if (it % 2) {
            CHECK_MPI(MPI_Startall(3, rq + 3));
        } else {
            CHECK_MPI(MPI_Start(&rq[3]));
            CHECK_MPI(MPI_Start(&rq[4]));
            CHECK_MPI(MPI_Start(&rq[5]));
        }
        CHECK_MPI(MPI_Waitall(6, rq, sts));
        for (int i = 0; i < 6; i++) {
            CHECK(rq[i] != MPI_REQUEST_NULL,
                  "persistent request %d freed by Waitall", i);
        }
        CHECK_EQ(rv[0], it * 10 + left, "Send_init value");
        CHECK_EQ(rv[1], -it, "Bsend_init value");
        CHECK_EQ(sts[2].MPI_SOURCE, left, "Recv_init ANY_SOURCE status");
        CHECK_MPI(MPI_Get_count(&sts[2], MPI_BYTE, &cnt));
        CHECK_EQ(cnt, BIG, "Ssend_init count");
        CHECK(mpt_verify(rb, (size_t)(it % 7 == 0 ? 64 : 1), (unsigned)it) < 0,
              "Ssend_init data at iteration %d", it);
        (void)n;
    }
    for (int i = 0; i < 6; i++) {
        CHECK_MPI(MPI_Request_free(&rq[i]));
        CHECK(rq[i] == MPI_REQUEST_NULL, "Request_free");
    }

    /* Rsend_init: the receiver posts, then tells the sender. */
    {
        int go = 0, val = -1, i;
        MPI_Request rr, rs, gr;
        CHECK_MPI(MPI_Recv_init(&val, 1, MPI_INT, left, 9, MPI_COMM_WORLD,
                                &rr));
        CHECK_MPI(MPI_Rsend_init(&sv[2], 1, MPI_INT, right, 9,
                                 MPI_COMM_WORLD, &rs));
        for (i = 0; i < 50; i++) {
            CHECK_MPI(MPI_Start(&rr));
            CHECK_MPI(MPI_Irecv(&go, 1, MPI_INT, right, 10, MPI_COMM_WORLD,
                                &gr));
            CHECK_MPI(MPI_Send(&go, 1, MPI_INT, left, 10, MPI_COMM_WORLD));
            CHECK_MPI(MPI_Wait(&gr, MPI_STATUS_IGNORE));
            sv[2] = i * 3 + mpt_rank;
            CHECK_MPI(MPI_Start(&rs));
            CHECK_MPI(MPI_Wait(&rs, MPI_STATUS_IGNORE));
            CHECK_MPI(MPI_Wait(&rr, MPI_STATUS_IGNORE));
            CHECK_EQ(val, i * 3 + left, "Rsend_init value");
        }
        CHECK_MPI(MPI_Request_free(&rr));
        CHECK_MPI(MPI_Request_free(&rs));
    }
    CHECK_MPI(MPI_Buffer_detach(&bbuf, &bsz));
    free(bbuf);
    free(sb);
    free(rb);
    return mpt_finish();
}
