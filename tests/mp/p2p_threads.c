/*
 * p2p_threads: point-to-point from several threads at once under
 * MPI_THREAD_MULTIPLE. On each rank pair (0-1, 2-3...) NT threads each
 * run a ping-pong of ITERS messages on their own tag (sizes from 0 to
 * 100 KB), the odd rank's last thread using MPI_Mprobe + MPI_Mrecv and
 * another thread nonblocking calls; content encodes (thread, iteration).
 * If the library does not provide MPI_THREAD_MULTIPLE the test passes
 * without running, unless MPT_REQUIRE_MULTIPLE is set.
 */
#include "mptest.h"
#include <pthread.h>

#define NT 4
#define ITERS 300
#define MAXLEN 100000

static int peer, pinger;

static int len_of(int t, int i)
{
    return (i % 50 == 49) ? MAXLEN : (t * 31 + i * 7) % 300;
}

static void *worker(void *arg)
{
    int t = (int)(intptr_t)arg, i, cnt;
    char *b = mpt_malloc(MAXLEN);
    MPI_Status st;
    MPI_Message m;
    MPI_Request rq;

    for (i = 0; i < ITERS; i++) {
        int n = len_of(t, i);
        unsigned seed = (unsigned)(t * 100000 + i);
        if (pinger) {
            mpt_fill(b, (size_t)n, seed);
            CHECK_MPI(MPI_Send(b, n, MPI_BYTE, peer, t, MPI_COMM_WORLD));
            memset(b, 0, (size_t)n);
            if (t == 1) {
                CHECK_MPI(MPI_Irecv(b, MAXLEN, MPI_BYTE, peer, t,
                                    MPI_COMM_WORLD, &rq));
                CHECK_MPI(MPI_Wait(&rq, &st));
            } else {
                CHECK_MPI(MPI_Recv(b, MAXLEN, MPI_BYTE, peer, t,
                                   MPI_COMM_WORLD, &st));
            }
            CHECK_MPI(MPI_Get_count(&st, MPI_BYTE, &cnt));
            CHECK(cnt == n, "thread %d iter %d: reply length %d, want %d", t,
                  i, cnt, n);
            CHECK(mpt_verify(b, (size_t)n, seed + 1) < 0,
                  "thread %d iter %d: reply content", t, i);
        } else {
            if (t == NT - 1) {
                CHECK_MPI(MPI_Mprobe(MPI_ANY_SOURCE, t, MPI_COMM_WORLD, &m,
                                     &st));
                CHECK_MPI(MPI_Get_count(&st, MPI_BYTE, &cnt));
                CHECK(cnt == n, "thread %d iter %d: probed length %d, want "
                      "%d", t, i, cnt, n);
                CHECK_MPI(MPI_Mrecv(b, cnt, MPI_BYTE, &m, &st));
            } else {
                CHECK_MPI(MPI_Recv(b, MAXLEN, MPI_BYTE, peer, t,
                                   MPI_COMM_WORLD, &st));
                CHECK_MPI(MPI_Get_count(&st, MPI_BYTE, &cnt));
                CHECK(cnt == n, "thread %d iter %d: length %d, want %d", t,
                      i, cnt, n);
            }
            CHECK(mpt_verify(b, (size_t)n, seed) < 0,
                  "thread %d iter %d: content", t, i);
            mpt_fill(b, (size_t)n, seed + 1);
            if (t == 1) {
                CHECK_MPI(MPI_Isend(b, n, MPI_BYTE, peer, t, MPI_COMM_WORLD,
                                    &rq));
                CHECK_MPI(MPI_Wait(&rq, MPI_STATUS_IGNORE));
            } else {
                CHECK_MPI(MPI_Send(b, n, MPI_BYTE, peer, t, MPI_COMM_WORLD));
            }
        }
    }
    free(b);
    return NULL;
}

int main(int argc, char **argv)
{
    int prov, t;
    pthread_t th[NT];

    CHECK_MPI(MPI_Init_thread(&argc, &argv, MPI_THREAD_MULTIPLE, &prov));
    mpt_setup();
    if (prov < MPI_THREAD_MULTIPLE) {
        CHECK(getenv("MPT_REQUIRE_MULTIPLE") == NULL,
              "MPI_THREAD_MULTIPLE not provided (got %d)", prov);
        return mpt_finish();
    }
    CHECK(mpt_size >= 2, "needs 2 ranks");
    peer = mpt_rank ^ 1;
    if (peer >= mpt_size) {
        return mpt_finish();
    }
    pinger = (mpt_rank & 1) == 0;
    for (t = 0; t < NT; t++) {
        CHECK(pthread_create(&th[t], NULL, worker, (void *)(intptr_t)t) == 0,
              "pthread_create");
    }
    for (t = 0; t < NT; t++) {
        pthread_join(th[t], NULL);
    }
    return mpt_finish();
}
