/*
 * p2p_randupd: the message pattern of HPCC's MPIRandomAccess. Every rank
 * sends many small messages (1..1024 longs, tag UPD) to random peers with
 * one outstanding MPI_Isend at a time, while polling a single
 * MPI_Irecv(MPI_ANY_SOURCE, MPI_ANY_TAG) with MPI_Test; then it sends a
 * 0-byte FIN message (Isend) to every peer and drains with MPI_Wait until
 * all FINs are in, and cancels the last receive. Checks that per-source
 * order holds (no UPD after that source's FIN, sequence numbers in order),
 * that every message arrived (counts compared through MPI_Alltoall) with
 * the right payload and MPI_Get_count. Use 5-8 ranks.
 */
#include "mptest.h"

#define UPD 1
#define FIN 2
#define MAXN 1024
#define NMSG 400

static long rbuf[MAXN];
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
    MPI_Request in, out = MPI_REQUEST_NULL;
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

    CHECK_MPI(MPI_Irecv(rbuf, MAXN, MPI_LONG, MPI_ANY_SOURCE, MPI_ANY_TAG,
                        MPI_COMM_WORLD, &in));
    for (int i = 0; i < NMSG; ) {
        do {
            CHECK_MPI(MPI_Test(&in, &done, &st));
            if (done) {
                check_upd(&st, next, fin);
                CHECK_MPI(MPI_Irecv(rbuf, MAXN, MPI_LONG, MPI_ANY_SOURCE,
                                    MPI_ANY_TAG, MPI_COMM_WORLD, &in));
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
        CHECK_MPI(MPI_Wait(&in, &st));
        check_upd(&st, next, fin);
        CHECK_MPI(MPI_Irecv(rbuf, MAXN, MPI_LONG, MPI_ANY_SOURCE, MPI_ANY_TAG,
                            MPI_COMM_WORLD, &in));
    }
    CHECK_MPI(MPI_Waitall(n, freq, MPI_STATUSES_IGNORE));
    CHECK_MPI(MPI_Cancel(&in));
    CHECK_MPI(MPI_Wait(&in, &st));
    {
        int cancelled;
        CHECK_MPI(MPI_Test_cancelled(&st, &cancelled));
        CHECK(cancelled, "last receive matched a message nobody sent");
    }
    CHECK_MPI(MPI_Wait(&out, MPI_STATUS_IGNORE));
    CHECK_MPI(MPI_Alltoall(sent, 1, MPI_INT, expect, 1, MPI_INT,
                           MPI_COMM_WORLD));
    for (int p = 0; p < n; p++) {
        CHECK(next[p] == expect[p], "got %d UPD messages from %d, it sent %d",
              next[p], p, expect[p]);
    }
    free(sent);
    free(next);
    free(fin);
    free(expect);
    free(freq);
    return mpt_finish();
}
