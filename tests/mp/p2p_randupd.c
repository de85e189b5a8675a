/*
 * p2p_randupd: the message pattern of HPCC's MPIRandomAccess. Every rank
 * sends many small messages (1..1024 longs, tag UPD) to random peers with
 * one outstanding MPI_Isend at a time, while polling NRECV receives
 * MPI_Irecv(MPI_ANY_SOURCE, MPI_ANY_TAG) in separate slots with
 * MPI_Testany (each re-posted when it completes); then it sends a 0-byte
 * FIN message (Isend) to every peer, drains with MPI_Waitany until all FINs
 * are in, and cancels the remaining receives. Like HPCC, it relies on
 * Testany/Waitany reporting a sender's messages in the order they were
 * matched: otherwise a FIN is seen before that sender's last UPD, which is
 * then lost in a cancelled slot (the bug HPCC showed at >= 5 ranks). Checks
 * per-source order, that every cancelled slot was really unmatched, that
 * every message arrived (counts through MPI_Alltoall) with the right payload
 * and MPI_Get_count, over two rounds. Use 5-8 ranks. The standard lets
 * Waitany/Testany pick any complete request: this checks DWCP-MPI's own
 * guarantee (testlist label dwcp-qoi; Open MPI fails it).
 */
#include "mptest.h"

#define UPD 1
#define FIN 2
#define MAXN 1024
#define NRECV 4
#ifndef NMSG
#define NMSG 400
#endif

static long rbufs[NRECV][MAXN];
static long *rbuf;
static long sbuf[MAXN];

/* check_upd: one received message; a FIN marks its source finished, an
 * UPD from src holds {src, seq, seq*7+k+src ...}. */
static void check_upd(MPI_Status *st, int *next, int *fin)
{
    if (st->MPI_TAG == FIN) {
        int cnt;
        CHECK_MPI(MPI_Get_count(st, MPI_LONG, &cnt));
        CHECK_EQ(cnt, 0, "FIN count");
        CHECK(!fin[st->MPI_SOURCE], "second FIN from %d", st->MPI_SOURCE);
        fin[st->MPI_SOURCE] = 1;
        return;
    }
    CHECK_EQ(st->MPI_TAG, UPD, "tag");
    int cnt, src = st->MPI_SOURCE;
    CHECK_MPI(MPI_Get_count(st, MPI_LONG, &cnt));
    CHECK(cnt >= 2 && cnt <= MAXN, "count %d from %d", cnt, src);
    CHECK(!fin[src], "UPD from %d after its FIN (overtaken)", src);
    CHECK_EQ(rbuf[0], src, "payload source");
    CHECK_EQ(rbuf[1], next[src], "sequence number from source");
    for (int k = 2; k < cnt; k++) {
        CHECK_EQ(rbuf[k], rbuf[1] * 7 + k + src, "payload word");
    }
    next[src]++;
}

int main(int argc, char **argv)
{
    int n, me, nfin = 0, done;
    MPI_Request in[NRECV], out = MPI_REQUEST_NULL;
    int idx;
    MPI_Status st;

    mpt_init(&argc, &argv, 2);
    n = mpt_size;
    me = mpt_rank;
    int *sent = calloc((size_t)n, sizeof(int));
    int *next = calloc((size_t)n, sizeof(int));
    int *fin = calloc((size_t)n, sizeof(int));
    int *expect = calloc((size_t)n, sizeof(int));
    MPI_Request *freq = mpt_malloc(sizeof(MPI_Request) * (size_t)n);
    unsigned seed = 12345u + (unsigned)me * 7919u;

    /* Two rounds, as HPCC runs a timed round then the real one: the
     * receive cancelled at the end of round 1 must not swallow a message
     * of round 2. */
    for (int round = 0; round < 2; round++) {
    memset(sent, 0, sizeof(int) * (size_t)n);
    memset(next, 0, sizeof(int) * (size_t)n);
    memset(fin, 0, sizeof(int) * (size_t)n);
    for (int k = 0; k < NRECV; k++) {
        CHECK_MPI(MPI_Irecv(rbufs[k], MAXN, MPI_LONG, MPI_ANY_SOURCE,
                            MPI_ANY_TAG, MPI_COMM_WORLD, &in[k]));
    }
    for (int i = 0; i < NMSG; ) {
        do {
            CHECK_MPI(MPI_Testany(NRECV, in, &idx, &done, &st));
            if (done) {
                rbuf = rbufs[idx];
                check_upd(&st, next, fin);
                CHECK_MPI(MPI_Irecv(rbufs[idx], MAXN, MPI_LONG,
                                    MPI_ANY_SOURCE, MPI_ANY_TAG,
                                    MPI_COMM_WORLD, &in[idx]));
            }
        } while (done);
        CHECK_MPI(MPI_Test(&out, &done, MPI_STATUS_IGNORE));
        if (done) {
            int pe, cnt;
            seed = seed * 1103515245u + 12345u;
            pe = (int)((seed >> 8) % (unsigned)n);
            if (pe == me) {
                pe = (pe + 1) % n;
            }
            cnt = 2 + (int)((seed >> 4) % (MAXN - 1));
            sbuf[0] = me;
            sbuf[1] = sent[pe];
            for (int k = 2; k < cnt; k++) {
                sbuf[k] = sbuf[1] * 7 + k + me;
            }
            sent[pe]++;
            CHECK_MPI(MPI_Isend(sbuf, cnt, MPI_LONG, pe, UPD, MPI_COMM_WORLD,
                                &out));
            i++;
        }
    }
    for (int p = 0; p < n; p++) {
        freq[p] = MPI_REQUEST_NULL;
        if (p != me) {
            CHECK_MPI(MPI_Isend(sbuf, 0, MPI_LONG, p, FIN, MPI_COMM_WORLD,
                                &freq[p]));
        }
    }
    for (;;) {
        nfin = 0;
        for (int p = 0; p < n; p++) {
            nfin += fin[p];
        }
        if (nfin == n - 1) {
            break;
        }
        CHECK_MPI(MPI_Waitany(NRECV, in, &idx, &st));
        rbuf = rbufs[idx];
        check_upd(&st, next, fin);
        CHECK_MPI(MPI_Irecv(rbufs[idx], MAXN, MPI_LONG, MPI_ANY_SOURCE,
                            MPI_ANY_TAG, MPI_COMM_WORLD, &in[idx]));
    }
    CHECK_MPI(MPI_Waitall(n, freq, MPI_STATUSES_IGNORE));
    for (int k = 0; k < NRECV; k++) {
        int cancelled;
        CHECK_MPI(MPI_Cancel(&in[k]));
        CHECK_MPI(MPI_Wait(&in[k], &st));
        CHECK_MPI(MPI_Test_cancelled(&st, &cancelled));
        CHECK(cancelled, "round %d: slot %d held an unreported message "
              "(tag %d from %d) after all FINs", round, k, st.MPI_TAG,
              st.MPI_SOURCE);
    }
    CHECK_MPI(MPI_Wait(&out, MPI_STATUS_IGNORE));
    CHECK_MPI(MPI_Alltoall(sent, 1, MPI_INT, expect, 1, MPI_INT,
                           MPI_COMM_WORLD));
    for (int p = 0; p < n; p++) {
        CHECK(next[p] == expect[p],
              "round %d: got %d UPD messages from %d, it sent %d", round,
              next[p], p, expect[p]);
    }
    }
    free(sent);
    free(next);
    free(fin);
    free(expect);
    free(freq);
    return mpt_finish();
}
