/*
 * p2p_wait: completion calls. MPI_Wait/Test/Waitall/Testall/Waitany/
 * Testany/Waitsome/Testsome on empty lists, on MPI_REQUEST_NULL and on
 * inactive persistent requests (empty status, index/outcount
 * MPI_UNDEFINED, flag true), Test* false before the peer sends, and each
 * request reported exactly once with the right status when messages
 * arrive. Needs 2 ranks: rank 1 receives, rank 0 sends on request.
 */
#include "mptest.h"

#define N 8

static void check_empty(const MPI_Status *st, const char *what)
{
    int cnt = -1;
    CHECK(st->MPI_SOURCE == MPI_ANY_SOURCE && st->MPI_TAG == MPI_ANY_TAG,
          "%s: status not empty (source %d tag %d)", what, st->MPI_SOURCE,
          st->MPI_TAG);
    MPI_Get_count(st, MPI_INT, &cnt);
    CHECK_EQ(cnt, 0, what);
}

/* Rank 0: wait for a go message with a count, send that many messages
 * with tags 0..count-1 (in reverse order), values tag*10+phase. */
static void sender_phase(int phase)
{
    int n, i, v;
    CHECK_MPI(MPI_Recv(&n, 1, MPI_INT, 1, 1000, MPI_COMM_WORLD,
                       MPI_STATUS_IGNORE));
    for (i = n - 1; i >= 0; i--) {
        v = i * 10 + phase;
        CHECK_MPI(MPI_Send(&v, 1, MPI_INT, 1, i, MPI_COMM_WORLD));
    }
}

static void go(int n)
{
    CHECK_MPI(MPI_Send(&n, 1, MPI_INT, 0, 1000, MPI_COMM_WORLD));
}

static void post(MPI_Request *r, int *v, int n)
{
    for (int i = 0; i < n; i++) {
        v[i] = -1;
        CHECK_MPI(MPI_Irecv(&v[i], 1, MPI_INT, 0, i, MPI_COMM_WORLD, &r[i]));
    }
}

int main(int argc, char **argv)
{
    MPI_Request r[N], nulls[N], pers;
    MPI_Status st, sts[N];
    int v[N], idx[N], flag, index, outcount, i, seen[N], total, pv;

    mpt_init(&argc, &argv, 2);
    if (mpt_rank == 0) {
        for (i = 1; i <= 5; i++) {
            sender_phase(i);
        }
        return mpt_finish();
    }
    if (mpt_rank != 1) {
        return mpt_finish();
    }
    for (i = 0; i < N; i++) {
        nulls[i] = MPI_REQUEST_NULL;
    }

    /* Empty lists and null requests. */
    CHECK_MPI(MPI_Waitall(0, NULL, MPI_STATUSES_IGNORE));
    flag = 0;
    CHECK_MPI(MPI_Testall(0, NULL, &flag, MPI_STATUSES_IGNORE));
    CHECK_EQ(flag, 1, "Testall(0) flag");
    CHECK_MPI(MPI_Waitany(0, NULL, &index, &st));
    CHECK_EQ(index, MPI_UNDEFINED, "Waitany(0) index");
    CHECK_MPI(MPI_Testany(0, NULL, &index, &flag, &st));
    CHECK_EQ(flag, 1, "Testany(0) flag");
    CHECK_EQ(index, MPI_UNDEFINED, "Testany(0) index");
    CHECK_MPI(MPI_Waitsome(0, NULL, &outcount, idx, sts));
    CHECK_EQ(outcount, MPI_UNDEFINED, "Waitsome(0) outcount");
    CHECK_MPI(MPI_Testsome(0, NULL, &outcount, idx, sts));
    CHECK_EQ(outcount, MPI_UNDEFINED, "Testsome(0) outcount");

    r[0] = MPI_REQUEST_NULL;
    CHECK_MPI(MPI_Wait(&r[0], &st));
    check_empty(&st, "Wait(REQUEST_NULL)");
    flag = 0;
    CHECK_MPI(MPI_Test(&r[0], &flag, &st));
    CHECK_EQ(flag, 1, "Test(REQUEST_NULL) flag");
    check_empty(&st, "Test(REQUEST_NULL)");
    CHECK_MPI(MPI_Waitall(N, nulls, sts));
    for (i = 0; i < N; i++) {
        check_empty(&sts[i], "Waitall(nulls) status");
    }
    CHECK_MPI(MPI_Waitany(N, nulls, &index, &st));
    CHECK_EQ(index, MPI_UNDEFINED, "Waitany(nulls) index");
    check_empty(&st, "Waitany(nulls)");
    CHECK_MPI(MPI_Testany(N, nulls, &index, &flag, &st));
    CHECK_EQ(flag, 1, "Testany(nulls) flag");
    CHECK_EQ(index, MPI_UNDEFINED, "Testany(nulls) index");
    CHECK_MPI(MPI_Waitsome(N, nulls, &outcount, idx, sts));
    CHECK_EQ(outcount, MPI_UNDEFINED, "Waitsome(nulls) outcount");
    CHECK_MPI(MPI_Testsome(N, nulls, &outcount, idx, sts));
    CHECK_EQ(outcount, MPI_UNDEFINED, "Testsome(nulls) outcount");
    CHECK_MPI(MPI_Testall(N, nulls, &flag, sts));
    CHECK_EQ(flag, 1, "Testall(nulls) flag");

    /* Inactive persistent request: like a null one, but kept. */
    CHECK_MPI(MPI_Recv_init(&pv, 1, MPI_INT, 0, 77, MPI_COMM_WORLD, &pers));
    CHECK_MPI(MPI_Wait(&pers, &st));
    check_empty(&st, "Wait(inactive persistent)");
    CHECK(pers != MPI_REQUEST_NULL, "Wait freed an inactive persistent");
    CHECK_MPI(MPI_Test(&pers, &flag, &st));
    CHECK_EQ(flag, 1, "Test(inactive persistent) flag");
    CHECK_MPI(MPI_Waitany(1, &pers, &index, &st));
    CHECK_EQ(index, MPI_UNDEFINED, "Waitany(inactive) index");
    CHECK_MPI(MPI_Testsome(1, &pers, &outcount, idx, sts));
    CHECK_EQ(outcount, MPI_UNDEFINED, "Testsome(inactive) outcount");
    CHECK_MPI(MPI_Request_free(&pers));
    CHECK(pers == MPI_REQUEST_NULL, "Request_free did not set NULL");

    /* Phase 1: Test* are false before the sender starts; then Waitall. */
    post(r, v, N);
    CHECK_MPI(MPI_Test(&r[0], &flag, &st));
    CHECK_EQ(flag, 0, "Test before send");
    CHECK_MPI(MPI_Testall(N, r, &flag, sts));
    CHECK_EQ(flag, 0, "Testall before send");
    CHECK_MPI(MPI_Testany(N, r, &index, &flag, &st));
    CHECK_EQ(flag, 0, "Testany before send");
    CHECK_EQ(index, MPI_UNDEFINED, "Testany index before send");
    CHECK_MPI(MPI_Testsome(N, r, &outcount, idx, sts));
    CHECK_EQ(outcount, 0, "Testsome before send");
    go(N);
    CHECK_MPI(MPI_Waitall(N, r, sts));
    for (i = 0; i < N; i++) {
        CHECK(r[i] == MPI_REQUEST_NULL, "Waitall left request %d", i);
        CHECK_EQ(v[i], i * 10 + 1, "Waitall value");
        CHECK_EQ(sts[i].MPI_TAG, i, "Waitall status tag");
        CHECK_EQ(sts[i].MPI_SOURCE, 0, "Waitall status source");
    }

    /* Phase 2: Waitany, with a NULL in the middle of the list. */
    post(r, v, N);
    go(N);
    memset(seen, 0, sizeof(seen));
    for (total = 0; total < N; total++) {
        CHECK_MPI(MPI_Waitany(N, r, &index, &st));
        CHECK(index >= 0 && index < N, "Waitany index %d", index);
        CHECK(!seen[index], "Waitany returned index %d twice", index);
        seen[index] = 1;
        CHECK(r[index] == MPI_REQUEST_NULL, "Waitany left request");
        CHECK_EQ(st.MPI_TAG, index, "Waitany status tag");
        CHECK_EQ(v[index], index * 10 + 2, "Waitany value");
    }
    CHECK_MPI(MPI_Waitany(N, r, &index, &st));
    CHECK_EQ(index, MPI_UNDEFINED, "Waitany after all done");

    /* Phase 3: Waitsome. */
    post(r, v, N);
    go(N);
    memset(seen, 0, sizeof(seen));
    total = 0;
    while (total < N) {
        CHECK_MPI(MPI_Waitsome(N, r, &outcount, idx, sts));
        CHECK(outcount >= 1 && outcount <= N - total,
              "Waitsome outcount %d with %d left", outcount, N - total);
        for (i = 0; i < outcount; i++) {
            CHECK(!seen[idx[i]], "Waitsome index %d twice", idx[i]);
            seen[idx[i]] = 1;
            CHECK_EQ(sts[i].MPI_TAG, idx[i], "Waitsome status tag");
            CHECK_EQ(v[idx[i]], idx[i] * 10 + 3, "Waitsome value");
        }
        total += outcount;
    }
    CHECK_MPI(MPI_Waitsome(N, r, &outcount, idx, sts));
    CHECK_EQ(outcount, MPI_UNDEFINED, "Waitsome after all done");

    /* Phase 4: Testany / Testsome polling. */
    post(r, v, N);
    go(N);
    memset(seen, 0, sizeof(seen));
    {
        double t0 = MPI_Wtime();
        total = 0;
        while (total < N) {
            CHECK(MPI_Wtime() - t0 < 30, "Testany polling timed out");
            CHECK_MPI(MPI_Testany(N, r, &index, &flag, &st));
            if (flag) {
                CHECK(index >= 0 && index < N && !seen[index],
                      "Testany index %d bad or repeated", index);
                seen[index] = 1;
                CHECK_EQ(v[index], index * 10 + 4, "Testany value");
                total++;
            }
        }
    }
    post(r, v, N);
    go(N);
    memset(seen, 0, sizeof(seen));
    {
        double t0 = MPI_Wtime();
        total = 0;
        while (total < N) {
            CHECK(MPI_Wtime() - t0 < 30, "Testsome polling timed out");
            CHECK_MPI(MPI_Testsome(N, r, &outcount, idx, MPI_STATUSES_IGNORE));
            CHECK(outcount >= 0 && outcount <= N - total,
                  "Testsome outcount %d", outcount);
            for (i = 0; i < outcount; i++) {
                CHECK(!seen[idx[i]], "Testsome index %d twice", idx[i]);
                seen[idx[i]] = 1;
                CHECK_EQ(v[idx[i]], idx[i] * 10 + 5, "Testsome value");
            }
            total += outcount;
        }
    }
    return mpt_finish();
}
