/*
 * p2p_cancel_order: many send cancellations interleaved with normal traffic
 * on one (source, tag). Every rank but the last sends NMSG messages with
 * the same tag to the last rank (16 B, 64 KiB or 1 MiB, standard or
 * synchronous mode; each carries its index and a pattern). Some are
 * cancelled right after they were started, some several sends later; the
 * receiver has a few receives posted before the traffic starts, so some
 * cancels come too late (the message was matched) and must fail.
 * The sender reports which sends were cancelled; the receiver must then
 * get exactly the others, in sending order, with intact data, and
 * nothing else.
 */
#include "mptest.h"

#define NMSG 300
#define NPOST 10
#define TAG 7
#define TAG_CTL 8
#define TAG_GO 9
#define MAXLEN (1 << 20)

static int msg_len(int i)
{
    return i % 17 == 0 ? MAXLEN : i % 5 == 0 ? 65536 : 16;
}

static void fill(char *buf, int i)
{
    int n = msg_len(i);
    mpt_fill(buf, (size_t)n, (unsigned)i);
    memcpy(buf, &i, sizeof(i));
}

static void check_msg(const char *buf, const MPI_Status *st, int src, int want)
{
    int got = -1, count = -1;
    memcpy(&got, buf, sizeof(got));
    CHECK_MPI(MPI_Get_count(st, MPI_BYTE, &count));
    CHECK(got == want, "from rank %d: expected message %d, got %d (order broken or a cancelled "
          "message delivered)", src, want, got);
    CHECK_EQ(count, msg_len(want), "message size");
    char *ref = mpt_malloc((size_t)count);
    fill(ref, want);
    CHECK(memcmp(ref, buf, (size_t)count) == 0, "message %d from rank %d: data corrupted", want,
          src);
    free(ref);
}

static void sender(int dst)
{
    static MPI_Request req[NMSG];
    static int asked[NMSG], flags[NMSG];
    char **bufs = mpt_malloc(NMSG * sizeof(char *));
    int i, go = 0, ncancel = 0;
    MPI_Status st;
    CHECK_MPI(MPI_Recv(&go, 1, MPI_INT, dst, TAG_GO, MPI_COMM_WORLD, &st));
    for (i = 0; i < NMSG; i++) {
        bufs[i] = mpt_malloc((size_t)msg_len(i));
        fill(bufs[i], i);
        if (i % 4 == 3) {
            CHECK_MPI(MPI_Issend(bufs[i], msg_len(i), MPI_BYTE, dst, TAG, MPI_COMM_WORLD,
                                 &req[i]));
        } else {
            CHECK_MPI(MPI_Isend(bufs[i], msg_len(i), MPI_BYTE, dst, TAG, MPI_COMM_WORLD,
                                &req[i]));
        }
        asked[i] = flags[i] = 0;
        if (i % 3 == 1) {
            CHECK_MPI(MPI_Cancel(&req[i]));
            asked[i] = 1;
        }
        if (i >= 5 && (i - 5) % 7 == 2) {
            CHECK_MPI(MPI_Cancel(&req[i - 5])); /* a second cancel of one has no effect */
            asked[i - 5] = 1;
        }
    }
    /* Cancelled requests complete whatever the receiver does; the others that were asked
     * complete because a posted receive matched them. */
    for (i = 0; i < NMSG; i++) {
        if (asked[i]) {
            CHECK_MPI(MPI_Wait(&req[i], &st));
            CHECK_MPI(MPI_Test_cancelled(&st, &flags[i]));
            ncancel += flags[i];
        }
    }
    CHECK(ncancel > NMSG / 4, "only %d of the sends were cancelled", ncancel);
    CHECK_MPI(MPI_Send(flags, NMSG, MPI_INT, dst, TAG_CTL, MPI_COMM_WORLD));
    for (i = 0; i < NMSG; i++) {
        CHECK_MPI(MPI_Wait(&req[i], &st));
        free(bufs[i]);
    }
    free(bufs);
}

static void receiver(int src)
{
    static int flags[NMSG];
    char *post[NPOST], *buf = mpt_malloc(MAXLEN);
    MPI_Request preq[NPOST];
    MPI_Status st;
    int i, k, next = 0, go = 0;
    for (k = 0; k < NPOST; k++) {
        post[k] = mpt_malloc(MAXLEN);
        CHECK_MPI(MPI_Irecv(post[k], MAXLEN, MPI_BYTE, src, TAG, MPI_COMM_WORLD, &preq[k]));
    }
    CHECK_MPI(MPI_Send(&go, 1, MPI_INT, src, TAG_GO, MPI_COMM_WORLD));
    CHECK_MPI(MPI_Recv(flags, NMSG, MPI_INT, src, TAG_CTL, MPI_COMM_WORLD, &st));
    for (k = 0; k < NPOST; k++) {
        while (next < NMSG && flags[next]) {
            next++;
        }
        CHECK(next < NMSG, "too few messages were left uncancelled");
        CHECK_MPI(MPI_Wait(&preq[k], &st));
        check_msg(post[k], &st, src, next++);
        free(post[k]);
    }
    for (i = next; i < NMSG; i++) {
        if (flags[i]) {
            continue;
        }
        CHECK_MPI(MPI_Recv(buf, MAXLEN, MPI_BYTE, src, TAG, MPI_COMM_WORLD, &st));
        check_msg(buf, &st, src, i);
    }
    int flag = 1;
    CHECK_MPI(MPI_Iprobe(src, TAG, MPI_COMM_WORLD, &flag, &st));
    CHECK(!flag, "a cancelled message from rank %d was delivered", src);
    free(buf);
}

int main(int argc, char **argv)
{
    int r;
    mpt_init(&argc, &argv, 2);
    int last = mpt_size - 1;
    if (mpt_rank == last) {
        for (r = 0; r < last; r++) {
            receiver(r);
        }
    } else {
        sender(last);
    }
    return mpt_finish();
}
