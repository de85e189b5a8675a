/*
 * err_truncate: a message longer than the receive buffer gives
 * MPI_ERR_TRUNCATE from MPI_Recv, MPI_Wait and MPI_Waitany; MPI_Waitall
 * and MPI_Testall give MPI_ERR_IN_STATUS with status.MPI_ERROR of class
 * MPI_ERR_TRUNCATE for the bad request and MPI_SUCCESS for the good one;
 * status.MPI_SOURCE/TAG of the truncated message are still right.
 * With argument "large", also a 1 MiB (rendezvous) message into a 1000
 * byte buffer (Open MPI 4.1.4 crashes there with its vader/CMA single-copy
 * path: "Read -1, expected 1048576, errno = 14", then SIGSEGV).
 * Needs 2 ranks (MPI_ERRORS_RETURN).
 */
#include "mptest.h"

#define N 64

int main(int argc, char **argv)
{
    int sbuf[N], rbuf[N], i, cls, idx, flag;
    MPI_Request r[2];
    MPI_Status st[2], s1;

    int large;

    mpt_init(&argc, &argv, 2);
    large = argc > 1 && strcmp(argv[1], "large") == 0;
    CHECK_MPI(MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN));
    for (i = 0; i < N; i++) {
        sbuf[i] = i * 3 + 1;
    }
    if (mpt_rank == 0) {
        /* 1: Recv; 2: Wait; 3: Waitany; 4+5: Waitall; 6+7: Testall;
         * 8: large (rendezvous-size) message into a small buffer. */
        int tags[] = {1, 2, 3, 4, 5, 6, 7};
        int counts[] = {N, 10, 11, 5, N, 3, 20};
        for (i = 0; i < 7; i++) {
            CHECK_MPI(MPI_Send(sbuf, counts[i], MPI_INT, 1, tags[i],
                               MPI_COMM_WORLD));
        }
        if (large) {
            int n = 1 << 20;
            char *big = mpt_malloc((size_t)n);
            memset(big, 5, (size_t)n);
            CHECK_MPI(MPI_Send(big, n, MPI_BYTE, 1, 8, MPI_COMM_WORLD));
            free(big);
        }
        /* The link still works afterwards. */
        CHECK_MPI(MPI_Send(sbuf, 1, MPI_INT, 1, 9, MPI_COMM_WORLD));
    } else if (mpt_rank == 1) {
        s1.MPI_SOURCE = s1.MPI_TAG = -99;
        CHECK_ERRCLASS(MPI_Recv(rbuf, N - 1, MPI_INT, 0, 1, MPI_COMM_WORLD,
                                &s1),
                       MPI_ERR_TRUNCATE);
        CHECK_EQ(s1.MPI_SOURCE, 0, "source of truncated Recv");
        CHECK_EQ(s1.MPI_TAG, 1, "tag of truncated Recv");

        CHECK_MPI(MPI_Irecv(rbuf, 9, MPI_INT, 0, 2, MPI_COMM_WORLD, &r[0]));
        CHECK_ERRCLASS(MPI_Wait(&r[0], &s1), MPI_ERR_TRUNCATE);
        CHECK(r[0] == MPI_REQUEST_NULL, "request not freed after Wait");

        CHECK_MPI(MPI_Irecv(rbuf, 1, MPI_INT, 0, 3, MPI_COMM_WORLD, &r[0]));
        r[1] = MPI_REQUEST_NULL;
        CHECK_ERRCLASS(MPI_Waitany(2, r, &idx, &s1), MPI_ERR_TRUNCATE);
        CHECK_EQ(idx, 0, "Waitany index");

        CHECK_MPI(MPI_Irecv(rbuf, 5, MPI_INT, 0, 4, MPI_COMM_WORLD, &r[0]));
        CHECK_MPI(MPI_Irecv(rbuf + 5, 7, MPI_INT, 0, 5, MPI_COMM_WORLD,
                            &r[1]));
        st[0].MPI_ERROR = st[1].MPI_ERROR = -12345;
        CHECK_ERRCLASS(MPI_Waitall(2, r, st), MPI_ERR_IN_STATUS);
        CHECK_EQ(st[0].MPI_ERROR, MPI_SUCCESS, "Waitall status[0].MPI_ERROR");
        MPI_Error_class(st[1].MPI_ERROR, &cls);
        CHECK_EQ(cls, MPI_ERR_TRUNCATE, "Waitall status[1].MPI_ERROR class");
        CHECK_EQ(st[1].MPI_TAG, 5, "Waitall status[1].MPI_TAG");
        for (i = 0; i < 5; i++) {
            CHECK_EQ(rbuf[i], sbuf[i], "good message of Waitall");
        }

        CHECK_MPI(MPI_Irecv(rbuf, 2, MPI_INT, 0, 6, MPI_COMM_WORLD, &r[0]));
        CHECK_MPI(MPI_Irecv(rbuf + 2, 20, MPI_INT, 0, 7, MPI_COMM_WORLD,
                            &r[1]));
        st[0].MPI_ERROR = st[1].MPI_ERROR = -12345;
        {
            double t0 = MPI_Wtime();
            int rc;
            do {
                rc = MPI_Testall(2, r, &flag, st);
                CHECK(MPI_Wtime() - t0 < 30, "Testall never completed");
            } while (rc == MPI_SUCCESS && !flag);
            MPI_Error_class(rc, &cls);
            CHECK_EQ(cls, MPI_ERR_IN_STATUS, "Testall return class");
        }
        MPI_Error_class(st[0].MPI_ERROR, &cls);
        CHECK_EQ(cls, MPI_ERR_TRUNCATE, "Testall status[0].MPI_ERROR class");
        CHECK_EQ(st[1].MPI_ERROR, MPI_SUCCESS, "Testall status[1].MPI_ERROR");
        for (i = 0; i < 20; i++) {
            CHECK_EQ(rbuf[2 + i], sbuf[i], "good message of Testall");
        }
        if (large) {
            char small[1000];
            CHECK_ERRCLASS(MPI_Recv(small, 1000, MPI_BYTE, 0, 8,
                                    MPI_COMM_WORLD, &s1),
                           MPI_ERR_TRUNCATE);
        }
        rbuf[0] = -1;
        CHECK_MPI(MPI_Recv(rbuf, 1, MPI_INT, 0, 9, MPI_COMM_WORLD, &s1));
        CHECK_EQ(rbuf[0], sbuf[0], "message after truncations");
    }
    return mpt_finish();
}
