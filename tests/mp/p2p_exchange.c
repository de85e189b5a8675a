/*
 * p2p_exchange: all-to-all exchange built from point-to-point calls,
 * which needs the library to progress many eager and rendezvous
 * transfers in both directions at once. Each round every rank sends a
 * message to every other rank (size depends on round, sender and
 * receiver: 0 bytes with NULL buffers, small, and up to 1 MiB); receives
 * are posted before the sends in even rounds and after them in odd
 * rounds; receives complete through MPI_Waitany, sends through
 * MPI_Testall polling. Needs >= 2 ranks (use 4-6).
 */
#include "mptest.h"

#define ROUNDS 12

static int len_of(int round, int from, int to)
{
    switch (round % 4) {
    case 0:
        return 0;
    case 1:
        return 1 + (from * 31 + to * 7 + round) % 500;
    case 2:
        return (1 << 20) - from - to;
    default:
        return 70000 + 1000 * from + to;
    }
}

int main(int argc, char **argv)
{
    int r, i, n = 0, idx, cnt, flag;
    char **sb, **rb;
    MPI_Request *sr, *rr;
    MPI_Status st;

    mpt_init(&argc, &argv, 2);
    n = mpt_size;
    sb = mpt_malloc(sizeof(char *) * (size_t)n);
    rb = mpt_malloc(sizeof(char *) * (size_t)n);
    sr = mpt_malloc(sizeof(MPI_Request) * (size_t)n);
    rr = mpt_malloc(sizeof(MPI_Request) * (size_t)n);
    for (i = 0; i < n; i++) {
        sb[i] = mpt_malloc(1 << 20);
        rb[i] = mpt_malloc(1 << 20);
    }
    for (r = 0; r < ROUNDS; r++) {
        int done = 0;
        double t0;
        for (i = 0; i < n; i++) {
            sr[i] = rr[i] = MPI_REQUEST_NULL;
        }
        for (int pass = 0; pass < 2; pass++) {
            int post_recv = (pass == 0) == (r % 2 == 0);
            for (int k = 1; k < n; k++) {
                /* Stagger partners so not everyone hits rank 0 first. */
                int to = (mpt_rank + k) % n, from = (mpt_rank - k + n) % n;
                if (post_recv) {
                    int len = len_of(r, from, mpt_rank);
                    CHECK_MPI(MPI_Irecv(len ? rb[from] : NULL, len, MPI_BYTE,
                                        from, r, MPI_COMM_WORLD, &rr[from]));
                } else {
                    int len = len_of(r, mpt_rank, to);
                    mpt_fill(sb[to], (size_t)len,
                             (unsigned)(r * 1000 + mpt_rank * 10 + to));
                    CHECK_MPI(MPI_Isend(len ? sb[to] : NULL, len, MPI_BYTE,
                                        to, r, MPI_COMM_WORLD, &sr[to]));
                }
            }
        }
        for (done = 0; done < n - 1; done++) {
            CHECK_MPI(MPI_Waitany(n, rr, &idx, &st));
            CHECK(idx >= 0 && idx < n && idx != mpt_rank,
                  "round %d: Waitany index %d", r, idx);
            CHECK_EQ(st.MPI_SOURCE, idx, "source of completed receive");
            CHECK_MPI(MPI_Get_count(&st, MPI_BYTE, &cnt));
            CHECK(cnt == len_of(r, idx, mpt_rank),
                  "round %d from %d: %d bytes, want %d", r, idx, cnt,
                  len_of(r, idx, mpt_rank));
            CHECK(mpt_verify(rb[idx], (size_t)cnt,
                             (unsigned)(r * 1000 + idx * 10 + mpt_rank)) < 0,
                  "round %d from %d: content", r, idx);
        }
        CHECK_MPI(MPI_Waitany(n, rr, &idx, &st));
        CHECK_EQ(idx, MPI_UNDEFINED, "Waitany after all receives");
        t0 = MPI_Wtime();
        do {
            CHECK(MPI_Wtime() - t0 < 60, "round %d: sends never completed",
                  r);
            CHECK_MPI(MPI_Testall(n, sr, &flag, MPI_STATUSES_IGNORE));
        } while (!flag);
    }
    for (i = 0; i < n; i++) {
        free(sb[i]);
        free(rb[i]);
    }
    free(sb);
    free(rb);
    free(sr);
    free(rr);
    return mpt_finish();
}
