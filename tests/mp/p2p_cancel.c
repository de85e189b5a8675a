/*
 * p2p_cancel: MPI_Cancel of send requests (MPI 3.1 3.8.4). Rank 0 sends to
 * the last rank (itself with one rank: the self transport); other ranks
 * only take part in the final handshake.
 *
 * 1. Unmatched sends of 0, 8, 64 KiB, 1 MiB and 8 MiB in every mode
 *    (Isend, Issend, Ibsend, Irsend, persistent standard/synchronous/
 *    buffered) are cancelled either at once (the message may still be in
 *    flight) or after the receiver saw it with MPI_Iprobe (it sits in the
 *    unexpected queue). The cancel must succeed (MPI_Test_cancelled true,
 *    MPI_Wait returns while the receiver only waits in MPI_Recv). Then a
 *    second message with the same tag follows: the receiver must get that
 *    one (its pattern and size), and nothing else may be left to probe.
 *    A cancelled Ibsend must give its attached-buffer space back (the
 *    buffer holds exactly one message; the next Ibsend must fit).
 * 2. Cancel after the receiver received the message: not cancelled, data
 *    intact; same after the receiver took it with MPI_Mprobe.
 * 3. Cancel racing a posted receive: either outcome, but exactly one: if
 *    cancelled the receive gets the resent message, else the original.
 * 4. Cancel of a send to a rank that is already in MPI_Finalize succeeds.
 */
#include "mptest.h"

enum { M_ISEND, M_ISSEND, M_IBSEND, M_IRSEND, M_PSEND, M_PSSEND, M_PBSEND, M_NMODES };
static const char *mode_name[M_NMODES] = {"Isend", "Issend", "Ibsend", "Irsend",
                                          "Send_init", "Ssend_init", "Bsend_init"};
static const int sizes[] = {0, 8, 65536, 1 << 20, 8 << 20};
#define NSIZES ((int)(sizeof(sizes) / sizeof(sizes[0])))
#define TAG_CTL 50
#define TAG_NOTE 51

static int src, dst;

/* Start a send of @p n bytes in @p mode; persistent modes create the request. */
static void start_send(int mode, const char *buf, int n, int tag, MPI_Request *req)
{
    switch (mode) {
    case M_ISEND: CHECK_MPI(MPI_Isend(buf, n, MPI_BYTE, dst, tag, MPI_COMM_WORLD, req)); break;
    case M_ISSEND: CHECK_MPI(MPI_Issend(buf, n, MPI_BYTE, dst, tag, MPI_COMM_WORLD, req)); break;
    case M_IBSEND: CHECK_MPI(MPI_Ibsend(buf, n, MPI_BYTE, dst, tag, MPI_COMM_WORLD, req)); break;
    case M_IRSEND: CHECK_MPI(MPI_Irsend(buf, n, MPI_BYTE, dst, tag, MPI_COMM_WORLD, req)); break;
    case M_PSEND:
        CHECK_MPI(MPI_Send_init(buf, n, MPI_BYTE, dst, tag, MPI_COMM_WORLD, req));
        CHECK_MPI(MPI_Start(req));
        break;
    case M_PSSEND:
        CHECK_MPI(MPI_Ssend_init(buf, n, MPI_BYTE, dst, tag, MPI_COMM_WORLD, req));
        CHECK_MPI(MPI_Start(req));
        break;
    case M_PBSEND:
        CHECK_MPI(MPI_Bsend_init(buf, n, MPI_BYTE, dst, tag, MPI_COMM_WORLD, req));
        CHECK_MPI(MPI_Start(req));
        break;
    }
}

static int persistent(int mode)
{
    return mode == M_PSEND || mode == M_PSSEND || mode == M_PBSEND;
}

static int buffered(int mode)
{
    return mode == M_IBSEND || mode == M_PBSEND;
}

/* Wait until the receiver sees a message of @p n bytes with @p tag (bounded: 60 s). */
static void probe_arrival(int tag, int n)
{
    int flag = 0, count = -1;
    MPI_Status st;
    double t0 = MPI_Wtime();
    while (!flag) {
        CHECK_MPI(MPI_Iprobe(src, tag, MPI_COMM_WORLD, &flag, &st));
        CHECK(flag || MPI_Wtime() - t0 < 60, "message with tag %d never arrived", tag);
    }
    CHECK_MPI(MPI_Get_count(&st, MPI_BYTE, &count));
    CHECK_EQ(count, n, "probed size of the message to cancel");
}

/* Nothing may be left to receive with @p tag (a cancelled message must not arrive). */
static void check_nothing_left(int tag)
{
    int flag = 1;
    MPI_Status st;
    CHECK_MPI(MPI_Iprobe(src, tag, MPI_COMM_WORLD, &flag, &st));
    CHECK(!flag, "a message with tag %d is still there (a cancelled one was delivered)", tag);
}

/* Part 1: cancel an unmatched send, then the next one with the same tag arrives. */
static void unmatched_case(int mode, int n, int after_probe, int tag)
{
    char *a = mpt_malloc((size_t)n), *b = mpt_malloc((size_t)n);
    char *bbuf = NULL;
    int bsize = n + MPI_BSEND_OVERHEAD;
    unsigned seed_a = (unsigned)(tag * 2 + 1), seed_b = (unsigned)(tag * 2 + 2);
    MPI_Request req = MPI_REQUEST_NULL, req_b = MPI_REQUEST_NULL;
    MPI_Status st;
    int flag = 0, got = -1;

    if (mpt_rank == src) {
        mpt_fill(a, (size_t)n, seed_a);
        mpt_fill(b, (size_t)n, seed_b);
        if (buffered(mode)) {
            bbuf = mpt_malloc((size_t)bsize); /* room for exactly one message */
            CHECK_MPI(MPI_Buffer_attach(bbuf, bsize));
        }
        start_send(mode, a, n, tag, &req);
        if (after_probe) {
            if (src == dst) {
                probe_arrival(tag, n);
            } else {
                CHECK_MPI(MPI_Recv(&got, 1, MPI_INT, dst, TAG_NOTE, MPI_COMM_WORLD, &st));
            }
        }
        CHECK_MPI(MPI_Cancel(&req));
        CHECK_MPI(MPI_Wait(&req, &st));
        CHECK_MPI(MPI_Test_cancelled(&st, &flag));
        CHECK(flag, "%s of %d bytes (cancel %s) was not cancelled", mode_name[mode], n,
              after_probe ? "after the receiver probed it" : "at once");
        CHECK(persistent(mode) ? req != MPI_REQUEST_NULL : req == MPI_REQUEST_NULL,
              "request handle after MPI_Wait");
        /* A cancelled inactive request: MPI_Cancel and MPI_Wait have no effect. */
        if (persistent(mode)) {
            CHECK_MPI(MPI_Cancel(&req));
            CHECK_MPI(MPI_Wait(&req, &st));
            CHECK_MPI(MPI_Test_cancelled(&st, &flag));
            CHECK(!flag, "inactive persistent request reported cancelled");
        }
        /* Tell the receiver, then send the second message with the same tag. */
        CHECK_MPI(MPI_Send(&n, 1, MPI_INT, dst, TAG_CTL, MPI_COMM_WORLD));
        if (persistent(mode)) {
            memcpy(a, b, (size_t)n); /* the persistent request is reused for the second one */
            CHECK_MPI(MPI_Start(&req));
            req_b = req;
        } else if (mode == M_IRSEND) {
            CHECK_MPI(MPI_Isend(b, n, MPI_BYTE, dst, tag, MPI_COMM_WORLD, &req_b));
        } else {
            start_send(mode, b, n, tag, &req_b); /* Ibsend: must fit in the freed space */
        }
    }
    if (mpt_rank == dst) {
        int ctl = -1;
        char *r = mpt_malloc((size_t)n + 16);
        if (after_probe && src != dst) {
            probe_arrival(tag, n);
            CHECK_MPI(MPI_Send(&ctl, 1, MPI_INT, src, TAG_NOTE, MPI_COMM_WORLD));
        }
        CHECK_MPI(MPI_Recv(&ctl, 1, MPI_INT, src, TAG_CTL, MPI_COMM_WORLD, &st));
        CHECK_EQ(ctl, n, "control message");
        memset(r, 0xee, (size_t)n + 16);
        CHECK_MPI(MPI_Recv(r, n + 16, MPI_BYTE, src, tag, MPI_COMM_WORLD, &st));
        CHECK_MPI(MPI_Get_count(&st, MPI_BYTE, &got));
        CHECK_EQ(got, n, "size of the message after the cancelled one");
        long long bad = mpt_verify(r, (size_t)n, seed_b);
        CHECK(bad < 0, "%s of %d bytes: the received message is not the second one (byte %lld)",
              mode_name[mode], n, bad);
        free(r);
    }
    if (mpt_rank == src) {
        CHECK_MPI(MPI_Wait(&req_b, &st));
        CHECK_MPI(MPI_Test_cancelled(&st, &flag));
        CHECK(!flag, "the second send was reported cancelled");
        if (persistent(mode)) {
            CHECK_MPI(MPI_Request_free(&req_b));
        }
        if (buffered(mode)) {
            void *p;
            int sz;
            CHECK_MPI(MPI_Buffer_detach(&p, &sz));
            free(bbuf);
        }
    }
    if (mpt_rank == dst) {
        check_nothing_left(tag);
    }
    free(a);
    free(b);
}

/* Part 2: cancel after the receiver received (or Mprobe'd) the message. */
static void received_case(int n, int use_mprobe, int tag)
{
    char *a = mpt_malloc((size_t)n), *r = mpt_malloc((size_t)n);
    MPI_Request req = MPI_REQUEST_NULL;
    MPI_Message msg = MPI_MESSAGE_NULL;
    MPI_Status st;
    int flag = 1, note = 0;
    if (mpt_rank == src) {
        mpt_fill(a, (size_t)n, (unsigned)tag);
        CHECK_MPI(MPI_Isend(a, n, MPI_BYTE, dst, tag, MPI_COMM_WORLD, &req));
    }
    if (mpt_rank == dst) {
        if (use_mprobe) {
            CHECK_MPI(MPI_Mprobe(src, tag, MPI_COMM_WORLD, &msg, &st));
        } else {
            CHECK_MPI(MPI_Recv(r, n, MPI_BYTE, src, tag, MPI_COMM_WORLD, &st));
        }
        if (src != dst) {
            CHECK_MPI(MPI_Send(&note, 1, MPI_INT, src, TAG_NOTE, MPI_COMM_WORLD));
        }
    }
    if (mpt_rank == src) {
        if (src != dst) {
            CHECK_MPI(MPI_Recv(&note, 1, MPI_INT, dst, TAG_NOTE, MPI_COMM_WORLD, &st));
        }
        CHECK_MPI(MPI_Cancel(&req));
        if (use_mprobe && src != dst) {
            /* A large message completes only once the receiver MPI_Mrecv's it. */
            CHECK_MPI(MPI_Send(&note, 1, MPI_INT, dst, TAG_NOTE, MPI_COMM_WORLD));
        }
        CHECK_MPI(MPI_Wait(&req, &st));
        CHECK_MPI(MPI_Test_cancelled(&st, &flag));
        CHECK(!flag, "a send of %d bytes the receiver had %s was reported cancelled", n,
              use_mprobe ? "taken with MPI_Mprobe" : "received");
    }
    if (mpt_rank == dst) {
        if (use_mprobe) {
            if (src != dst) {
                CHECK_MPI(MPI_Recv(&note, 1, MPI_INT, src, TAG_NOTE, MPI_COMM_WORLD, &st));
            }
            CHECK_MPI(MPI_Mrecv(r, n, MPI_BYTE, &msg, &st));
        }
        long long bad = mpt_verify(r, (size_t)n, (unsigned)tag);
        CHECK(bad < 0, "received data of %d bytes wrong at %lld", n, bad);
        check_nothing_left(tag);
    }
    free(r);
    free(a);
}

/* Part 3: the receive is posted while the sender cancels: exactly one outcome. */
static void race_case(int n, int tag)
{
    char *a = mpt_malloc((size_t)n), *b = mpt_malloc((size_t)n);
    MPI_Request req, rreq = MPI_REQUEST_NULL;
    MPI_Status st;
    int flag = 0, note = 0;
    char *r = mpt_malloc((size_t)n);
    if (mpt_rank == dst) {
        CHECK_MPI(MPI_Irecv(r, n, MPI_BYTE, src, tag, MPI_COMM_WORLD, &rreq));
        if (src != dst) {
            CHECK_MPI(MPI_Send(&note, 1, MPI_INT, src, TAG_NOTE, MPI_COMM_WORLD));
        }
    }
    if (mpt_rank == src) {
        mpt_fill(a, (size_t)n, 1000u + (unsigned)tag);
        mpt_fill(b, (size_t)n, 2000u + (unsigned)tag);
        if (src != dst) {
            CHECK_MPI(MPI_Recv(&note, 1, MPI_INT, dst, TAG_NOTE, MPI_COMM_WORLD, &st));
        }
        CHECK_MPI(MPI_Isend(a, n, MPI_BYTE, dst, tag, MPI_COMM_WORLD, &req));
        CHECK_MPI(MPI_Cancel(&req));
        CHECK_MPI(MPI_Wait(&req, &st));
        CHECK_MPI(MPI_Test_cancelled(&st, &flag));
        if (flag) {
            CHECK_MPI(MPI_Send(b, n, MPI_BYTE, dst, tag, MPI_COMM_WORLD));
        }
        CHECK_MPI(MPI_Send(&flag, 1, MPI_INT, dst, TAG_CTL, MPI_COMM_WORLD));
    }
    if (mpt_rank == dst) {
        int cancelled = -1;
        CHECK_MPI(MPI_Wait(&rreq, &st));
        CHECK_MPI(MPI_Recv(&cancelled, 1, MPI_INT, src, TAG_CTL, MPI_COMM_WORLD, &st));
        long long bad = mpt_verify(r, (size_t)n, (cancelled ? 2000u : 1000u) + (unsigned)tag);
        CHECK(bad < 0, "race of %d bytes: sender says %s, data wrong at %lld", n,
              cancelled ? "cancelled" : "not cancelled", bad);
        check_nothing_left(tag);
    }
    free(r);
    free(a);
    free(b);
}

/*
 * Part 4: the receiver is already in MPI_Finalize (it only tells the sender it is about to
 * call it): the cancel must still be answered, and succeed.
 */
static void finalize_case(int tag)
{
    int note = 0, flag = 0, n = 8 << 20;
    MPI_Status st;
    if (mpt_rank == dst) {
        CHECK_MPI(MPI_Send(&note, 1, MPI_INT, src, TAG_NOTE, MPI_COMM_WORLD));
        return;
    }
    char *a = mpt_malloc((size_t)n);
    MPI_Request req;
    mpt_fill(a, (size_t)n, 77);
    CHECK_MPI(MPI_Recv(&note, 1, MPI_INT, dst, TAG_NOTE, MPI_COMM_WORLD, &st));
    mpt_msleep(100); /* let it get into MPI_Finalize */
    CHECK_MPI(MPI_Isend(a, n, MPI_BYTE, dst, tag, MPI_COMM_WORLD, &req));
    CHECK_MPI(MPI_Cancel(&req));
    CHECK_MPI(MPI_Wait(&req, &st));
    CHECK_MPI(MPI_Test_cancelled(&st, &flag));
    CHECK(flag, "a send to a rank in MPI_Finalize was not cancelled");
    free(a);
}

int main(int argc, char **argv)
{
    int mode, s, v, tag = 100;
    mpt_init(&argc, &argv, 1);
    src = 0;
    dst = mpt_size - 1;
    if (mpt_rank == src || mpt_rank == dst) {
        for (mode = 0; mode < M_NMODES; mode++) {
            for (s = 0; s < NSIZES; s++) {
                for (v = 0; v < 2; v++) {
                    unmatched_case(mode, sizes[s], v, tag++);
                }
            }
        }
        for (s = 0; s < NSIZES; s++) {
            received_case(sizes[s], 0, tag++);
            received_case(sizes[s], 1, tag++);
            race_case(sizes[s], tag++);
        }
        /* Last: the receiver goes on to its final handshake and MPI_Finalize (rank 0 gets the
         * handshake tokens only after this, so the receiver cannot be waiting for it). */
        if (src != dst && dst != 0) {
            finalize_case(tag++);
        }
    }
    return mpt_finish();
}
