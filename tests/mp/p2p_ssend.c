/*
 * p2p_ssend: synchronous mode. MPI_Issend (small and large) must not
 * complete before the matching receive is posted: rank 0 tests it
 * repeatedly for 300 ms while rank 1 has not posted yet (flag must stay
 * false), then rank 1 posts and the Wait completes. Blocking MPI_Ssend
 * must not return before the receiver (which sleeps 300 ms first) posts:
 * the receiver sends its post time back and the sender compares with
 * the time its Ssend returned (clocks are the same machine or
 * MPI_WTIME_IS_GLOBAL; we use only intervals on each side to be safe).
 */
#include "mptest.h"

static void issend_case(int n)
{
    char *buf = mpt_malloc((size_t)n);
    int go = 0, flag = 0, i;
    MPI_Request req;
    MPI_Status st;

    if (mpt_rank == 0) {
        mpt_fill(buf, (size_t)n, (unsigned)n);
        CHECK_MPI(MPI_Issend(buf, n, MPI_BYTE, 1, 10, MPI_COMM_WORLD, &req));
        for (i = 0; i < 30; i++) {
            CHECK_MPI(MPI_Test(&req, &flag, &st));
            CHECK(!flag, "Issend of %d bytes completed before the receive "
                  "was posted (iteration %d)", n, i);
            mpt_msleep(10);
        }
        /* Tell rank 1 it may now post its receive. */
        CHECK_MPI(MPI_Send(&go, 1, MPI_INT, 1, 11, MPI_COMM_WORLD));
        CHECK_MPI(MPI_Wait(&req, &st));
        CHECK(req == MPI_REQUEST_NULL, "request not freed");
    } else if (mpt_rank == 1) {
        CHECK_MPI(MPI_Recv(&go, 1, MPI_INT, 0, 11, MPI_COMM_WORLD, &st));
        CHECK_MPI(MPI_Recv(buf, n, MPI_BYTE, 0, 10, MPI_COMM_WORLD, &st));
        long long bad = mpt_verify(buf, (size_t)n, (unsigned)n);
        CHECK(bad < 0, "Issend data of %d bytes wrong at %lld", n, bad);
    }
    free(buf);
}

static void ssend_case(int n)
{
    char *buf = mpt_malloc((size_t)n);
    double t0, t1, waited;
    MPI_Status st;

    if (mpt_rank == 0) {
        int go = 1;
        mpt_fill(buf, (size_t)n, 7);
        t0 = MPI_Wtime();
        /* The receiver starts its clock only after ours has started. */
        CHECK_MPI(MPI_Send(&go, 1, MPI_INT, 1, 19, MPI_COMM_WORLD));
        CHECK_MPI(MPI_Ssend(buf, n, MPI_BYTE, 1, 20, MPI_COMM_WORLD));
        t1 = MPI_Wtime();
        /* Receiver reports how long it slept before posting. */
        CHECK_MPI(MPI_Recv(&waited, 1, MPI_DOUBLE, 1, 21, MPI_COMM_WORLD,
                           &st));
        CHECK(t1 - t0 >= waited - 0.05,
              "Ssend of %d bytes returned after %.3f s but the receive was "
              "posted only after %.3f s", n, t1 - t0, waited);
    } else if (mpt_rank == 1) {
        int go;
        CHECK_MPI(MPI_Recv(&go, 1, MPI_INT, 0, 19, MPI_COMM_WORLD, &st));
        t0 = MPI_Wtime();
        mpt_msleep(300);
        waited = MPI_Wtime() - t0;
        CHECK_MPI(MPI_Recv(buf, n, MPI_BYTE, 0, 20, MPI_COMM_WORLD, &st));
        CHECK(mpt_verify(buf, (size_t)n, 7) < 0, "Ssend data wrong");
        CHECK_MPI(MPI_Send(&waited, 1, MPI_DOUBLE, 0, 21, MPI_COMM_WORLD));
    }
    free(buf);
}

int main(int argc, char **argv)
{
    mpt_init(&argc, &argv, 2);
    /* Pair ranks 0 and 1 sync with the start to not measure startup. */
    mpt_sync(MPI_COMM_WORLD);
    issend_case(0);
    issend_case(4);
    issend_case(1000);
    issend_case(1 << 20);
    mpt_sync(MPI_COMM_WORLD);
    ssend_case(0);
    ssend_case(8);
    ssend_case(1 << 20);
    return mpt_finish();
}
