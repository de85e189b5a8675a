/*
 * p2p_modes: ready and buffered modes between ranks 0 and 1.
 * - MPI_Rsend / MPI_Irsend after the receiver has posted (signalled).
 * - MPI_Buffer_attach, several MPI_Bsend / MPI_Ibsend that must complete
 *   locally while the receiver has not posted yet, then MPI_Buffer_detach
 *   (which waits until the buffered messages are gone: the buffer is
 *   scribbled right after detach and the receiver must still get the
 *   right data), detach returns the attached address and size.
 * - a Bsend larger than the attached buffer fails with MPI_ERR_BUFFER.
 */
#include "mptest.h"

#define NB 8
#define BIG 100000

int main(int argc, char **argv)
{
    int i, go = 0, sz, psz, cnt;
    int small[NB][16];
    char *big, *abuf, *dbuf;
    MPI_Request rq[NB + 1];
    MPI_Status st;

    mpt_init(&argc, &argv, 2);
    big = mpt_malloc(BIG);

    /* --- ready mode --- */
    if (mpt_rank == 1) {
        for (i = 0; i < NB; i++) {
            CHECK_MPI(MPI_Irecv(small[i], 16, MPI_INT, 0, 100 + i,
                                MPI_COMM_WORLD, &rq[i]));
        }
        CHECK_MPI(MPI_Irecv(big, BIG, MPI_BYTE, 0, 99, MPI_COMM_WORLD,
                            &rq[NB]));
        CHECK_MPI(MPI_Send(&go, 1, MPI_INT, 0, 1, MPI_COMM_WORLD));
        CHECK_MPI(MPI_Waitall(NB + 1, rq, MPI_STATUSES_IGNORE));
        for (i = 0; i < NB; i++) {
            for (int j = 0; j < 16; j++) {
                CHECK_EQ(small[i][j], i * 100 + j, "Rsend data");
            }
        }
        CHECK(mpt_verify(big, BIG, 9) < 0, "Rsend large data wrong");
    } else if (mpt_rank == 0) {
        CHECK_MPI(MPI_Recv(&go, 1, MPI_INT, 1, 1, MPI_COMM_WORLD, &st));
        for (i = 0; i < NB; i++) {
            for (int j = 0; j < 16; j++) {
                small[i][j] = i * 100 + j;
            }
        }
        for (i = 0; i < NB / 2; i++) {
            CHECK_MPI(MPI_Rsend(small[i], 16, MPI_INT, 1, 100 + i,
                                MPI_COMM_WORLD));
        }
        for (; i < NB; i++) {
            CHECK_MPI(MPI_Irsend(small[i], 16, MPI_INT, 1, 100 + i,
                                 MPI_COMM_WORLD, &rq[i]));
        }
        mpt_fill(big, BIG, 9);
        CHECK_MPI(MPI_Rsend(big, BIG, MPI_BYTE, 1, 99, MPI_COMM_WORLD));
        CHECK_MPI(MPI_Waitall(NB / 2, rq + NB / 2, MPI_STATUSES_IGNORE));
    }

    /* --- buffered mode --- */
    if (mpt_rank == 0) {
        CHECK_MPI(MPI_Pack_size(16, MPI_INT, MPI_COMM_WORLD, &psz));
        sz = NB * (psz + MPI_BSEND_OVERHEAD);
        CHECK_MPI(MPI_Pack_size(BIG, MPI_BYTE, MPI_COMM_WORLD, &psz));
        sz += psz + MPI_BSEND_OVERHEAD;
        abuf = mpt_malloc((size_t)sz);
        CHECK_MPI(MPI_Buffer_attach(abuf, sz));
        for (i = 0; i < NB; i++) {
            for (int j = 0; j < 16; j++) {
                small[i][j] = -(i * 1000 + j);
            }
        }
        /* None of these may wait for the receiver (it has not posted). */
        for (i = 0; i < NB / 2; i++) {
            CHECK_MPI(MPI_Bsend(small[i], 16, MPI_INT, 1, 200 + i,
                                MPI_COMM_WORLD));
        }
        for (; i < NB; i++) {
            CHECK_MPI(MPI_Ibsend(small[i], 16, MPI_INT, 1, 200 + i,
                                 MPI_COMM_WORLD, &rq[i]));
        }
        mpt_fill(big, BIG, 11);
        CHECK_MPI(MPI_Bsend(big, BIG, MPI_BYTE, 1, 299, MPI_COMM_WORLD));
        CHECK_MPI(MPI_Waitall(NB / 2, rq + NB / 2, MPI_STATUSES_IGNORE));
        /* User buffers are free once Bsend returned. */
        memset(small, 0, sizeof(small));
        memset(big, 0, BIG);
        CHECK_MPI(MPI_Send(&go, 1, MPI_INT, 1, 2, MPI_COMM_WORLD));
        CHECK_MPI(MPI_Buffer_detach(&dbuf, &cnt));
        CHECK(dbuf == abuf, "Buffer_detach address %p, attached %p",
              (void *)dbuf, (void *)abuf);
        CHECK_EQ(cnt, sz, "Buffer_detach size");
        memset(abuf, 0x5A, (size_t)sz); /* must not affect delivery */
        free(abuf);

        /* Too small a buffer. */
        CHECK_MPI(MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN));
        abuf = mpt_malloc(MPI_BSEND_OVERHEAD + 64);
        CHECK_MPI(MPI_Buffer_attach(abuf, MPI_BSEND_OVERHEAD + 64));
        CHECK_ERRCLASS(MPI_Bsend(big, BIG, MPI_BYTE, 1, 298,
                                 MPI_COMM_WORLD),
                       MPI_ERR_BUFFER);
        CHECK_MPI(MPI_Buffer_detach(&dbuf, &cnt));
        free(abuf);
        CHECK_MPI(MPI_Comm_set_errhandler(MPI_COMM_WORLD,
                                          MPI_ERRORS_ARE_FATAL));
    } else if (mpt_rank == 1) {
        CHECK_MPI(MPI_Recv(&go, 1, MPI_INT, 0, 2, MPI_COMM_WORLD, &st));
        mpt_msleep(200); /* let the sender's detach wait for us */
        memset(big, 0, BIG);
        CHECK_MPI(MPI_Recv(big, BIG, MPI_BYTE, 0, 299, MPI_COMM_WORLD, &st));
        CHECK(mpt_verify(big, BIG, 11) < 0, "Bsend large data wrong");
        for (i = NB - 1; i >= 0; i--) {
            memset(small[i], 0, sizeof(small[i]));
            CHECK_MPI(MPI_Recv(small[i], 16, MPI_INT, 0, 200 + i,
                               MPI_COMM_WORLD, &st));
            for (int j = 0; j < 16; j++) {
                CHECK_EQ(small[i][j], -(i * 1000 + j), "Bsend data");
            }
        }
    }
    free(big);
    return mpt_finish();
}
