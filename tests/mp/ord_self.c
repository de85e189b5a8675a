/*
 * ord_self: messages a rank sends to itself, on MPI_COMM_WORLD and on
 * MPI_COMM_SELF: Isend-then-Recv and Irecv-then-Send (small and large),
 * blocking small Send then Recv, Sendrecv and Sendrecv_replace with
 * itself, ANY_SOURCE on COMM_SELF (status source 0), ordering of several
 * self messages, and isolation: a COMM_SELF message never matches a
 * COMM_WORLD receive and vice versa. Any number of ranks.
 */
#include "mptest.h"

#define BIG (2 << 20)

static void self_round(MPI_Comm comm, int me, const char *what)
{
    char *s = mpt_malloc(BIG), *r = mpt_malloc(BIG);
    int sizes[] = {0, 1, 100, 65536, BIG}, i, cnt, v, w;
    MPI_Request rq;
    MPI_Status st;

    for (i = 0; i < 5; i++) {
        int n = sizes[i];
        mpt_fill(s, (size_t)n, (unsigned)(i + me));
        memset(r, 0, (size_t)n);
        CHECK_MPI(MPI_Isend(s, n, MPI_BYTE, me, i, comm, &rq));
        CHECK_MPI(MPI_Recv(r, n, MPI_BYTE, me, i, comm, &st));
        CHECK_MPI(MPI_Wait(&rq, MPI_STATUS_IGNORE));
        CHECK_MPI(MPI_Get_count(&st, MPI_BYTE, &cnt));
        CHECK(cnt == n, "%s Isend/Recv %d: count %d", what, n, cnt);
        CHECK(st.MPI_SOURCE == me, "%s: source %d", what, st.MPI_SOURCE);
        CHECK(mpt_verify(r, (size_t)n, (unsigned)(i + me)) < 0,
              "%s Isend/Recv %d bytes content", what, n);

        memset(r, 0, (size_t)n);
        CHECK_MPI(MPI_Irecv(r, n, MPI_BYTE, MPI_ANY_SOURCE, i, comm, &rq));
        CHECK_MPI(MPI_Send(s, n, MPI_BYTE, me, i, comm));
        CHECK_MPI(MPI_Wait(&rq, &st));
        CHECK(st.MPI_SOURCE == me, "%s Irecv(ANY_SOURCE): source %d", what,
              st.MPI_SOURCE);
        CHECK(mpt_verify(r, (size_t)n, (unsigned)(i + me)) < 0,
              "%s Irecv/Send %d bytes content", what, n);

        memset(r, 0, (size_t)n);
        CHECK_MPI(MPI_Sendrecv(s, n, MPI_BYTE, me, 40 + i, r, n, MPI_BYTE,
                               me, 40 + i, comm, &st));
        CHECK(mpt_verify(r, (size_t)n, (unsigned)(i + me)) < 0,
              "%s Sendrecv %d bytes content", what, n);
    }
    /* Small blocking send to self, then recv: this relies on the library
     * buffering a 4-byte standard-mode send (as every MPI does; strictly
     * it is "unsafe" in MPI terms). */
    v = 4711;
    CHECK_MPI(MPI_Send(&v, 1, MPI_INT, me, 60, comm));
    w = 0;
    CHECK_MPI(MPI_Recv(&w, 1, MPI_INT, me, 60, comm, &st));
    CHECK(w == 4711, "%s blocking self send: %d", what, w);
    /* Several messages, same tag: arrive in order. */
    {
        int vals[10], out[10];
        MPI_Request rs[10];
        for (i = 0; i < 10; i++) {
            vals[i] = i * 11;
            CHECK_MPI(MPI_Isend(&vals[i], 1, MPI_INT, me, 61, comm, &rs[i]));
        }
        for (i = 0; i < 10; i++) {
            CHECK_MPI(MPI_Recv(&out[i], 1, MPI_INT, MPI_ANY_SOURCE,
                               MPI_ANY_TAG, comm, &st));
            CHECK(out[i] == i * 11, "%s self order: #%d got %d", what, i,
                  out[i]);
        }
        CHECK_MPI(MPI_Waitall(10, rs, MPI_STATUSES_IGNORE));
    }
    {
        int rep[3] = {1, 2, 3};
        CHECK_MPI(MPI_Sendrecv_replace(rep, 3, MPI_INT, me, 62, me, 62, comm,
                                       &st));
        CHECK(rep[0] == 1 && rep[2] == 3, "%s Sendrecv_replace self", what);
    }
    free(s);
    free(r);
}

int main(int argc, char **argv)
{
    int a = 1, b = 2, x = 0, flag;
    MPI_Request r1, r2;
    MPI_Status st;

    mpt_init(&argc, &argv, 1);
    /* The rounds use wildcards: run the world-sized one on a private copy of
     * COMM_WORLD, where no other rank's traffic (e.g. mpt_finish's token from
     * a rank that finished first) can legitimately match them. */
    MPI_Comm world2;
    CHECK_MPI(MPI_Comm_dup(MPI_COMM_WORLD, &world2));
    self_round(world2, mpt_rank, "COMM_WORLD dup");
    self_round(MPI_COMM_SELF, 0, "COMM_SELF");
    CHECK_MPI(MPI_Comm_free(&world2));

    /* Isolation between COMM_SELF and COMM_WORLD (sources named: other ranks
     * may already be sending their end-of-test token on COMM_WORLD). */
    CHECK_MPI(MPI_Isend(&a, 1, MPI_INT, 0, 7, MPI_COMM_SELF, &r1));
    CHECK_MPI(MPI_Isend(&b, 1, MPI_INT, mpt_rank, 7, MPI_COMM_WORLD, &r2));
    CHECK_MPI(MPI_Recv(&x, 1, MPI_INT, mpt_rank, MPI_ANY_TAG,
                       MPI_COMM_WORLD, &st));
    CHECK_EQ(x, 2, "COMM_WORLD receive got the COMM_WORLD message");
    flag = 1;
    CHECK_MPI(MPI_Iprobe(mpt_rank, MPI_ANY_TAG, MPI_COMM_WORLD, &flag,
                         &st));
    CHECK_EQ(flag, 0, "COMM_SELF message visible on COMM_WORLD");
    CHECK_MPI(MPI_Recv(&x, 1, MPI_INT, MPI_ANY_SOURCE, MPI_ANY_TAG,
                       MPI_COMM_SELF, &st));
    CHECK_EQ(x, 1, "COMM_SELF receive got the COMM_SELF message");
    CHECK_EQ(st.MPI_SOURCE, 0, "COMM_SELF status source");
    CHECK_MPI(MPI_Wait(&r1, MPI_STATUS_IGNORE));
    CHECK_MPI(MPI_Wait(&r2, MPI_STATUS_IGNORE));
    return mpt_finish();
}
