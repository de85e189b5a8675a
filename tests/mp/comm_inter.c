/* Intercommunicators: create from two halves of COMM_WORLD, p2p across, remote queries,
 * merge (high/low ordering), and traffic on the merged communicator. Needs >= 2 ranks. */
#include <stdlib.h>

#include "mptest.h"

int main(int argc, char **argv)
{
    int rank, size, i;
    mpt_init(&argc, &argv, 1);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (size < 2) {
        return mpt_finish();
    }
    int color = rank % 2;
    MPI_Comm half, inter, merged;
    MPI_Comm_split(MPI_COMM_WORLD, color, rank, &half);
    /* local leader 0 of each half; the other half's leader is world rank 1 - color */
    MPI_Intercomm_create(half, 0, MPI_COMM_WORLD, 1 - color, 99, &inter);
    int flag, lsize, rsize, lrank;
    MPI_Comm_test_inter(inter, &flag);
    CHECK(flag, "test_inter");
    MPI_Comm_size(inter, &lsize);
    MPI_Comm_rank(inter, &lrank);
    MPI_Comm_remote_size(inter, &rsize);
    CHECK(lsize + rsize == size, "sizes %d + %d != %d", lsize, rsize, size);
    MPI_Group rg;
    MPI_Comm_remote_group(inter, &rg);
    int r0 = 0, w0;
    MPI_Group wg;
    MPI_Comm_group(MPI_COMM_WORLD, &wg);
    MPI_Group_translate_ranks(rg, 1, &r0, wg, &w0);
    CHECK(w0 == 1 - color, "remote rank 0 is world %d", w0);

    /* every local rank sends to every remote rank; receives from every remote rank */
    int *got = malloc(sizeof(int) * (size_t)rsize);
    MPI_Request *q = malloc(sizeof(MPI_Request) * (size_t)(2 * rsize));
    for (i = 0; i < rsize; i++) {
        MPI_Irecv(&got[i], 1, MPI_INT, i, 3, inter, &q[i]);
        MPI_Isend(&rank, 1, MPI_INT, i, 3, inter, &q[rsize + i]);
    }
    MPI_Waitall(2 * rsize, q, MPI_STATUSES_IGNORE);
    for (i = 0; i < rsize; i++) {
        CHECK(got[i] % 2 == 1 - color && got[i] / 2 == i, "from remote %d got world %d", i,
              got[i]);
    }
    /* ANY_SOURCE on an intercommunicator reports the remote rank */
    MPI_Status st;
    int v = lrank, x;
    if (lrank == 0) {
        MPI_Send(&v, 1, MPI_INT, 0, 4, inter);
    }
    if (lrank == 0) {
        MPI_Recv(&x, 1, MPI_INT, MPI_ANY_SOURCE, 4, inter, &st);
        CHECK(st.MPI_SOURCE == 0 && x == 0, "any-source on intercomm: src %d", st.MPI_SOURCE);
    }

    /* dup of an intercommunicator: same groups, new context; a collective on it works */
    MPI_Comm idup;
    int sum, expect_sum = 0;
    MPI_Comm_dup(inter, &idup);
    MPI_Comm_compare(inter, idup, &i);
    CHECK(i == MPI_CONGRUENT, "intercomm dup compare %d", i);
    MPI_Allreduce(&rank, &sum, 1, MPI_INT, MPI_SUM, idup); /* sums the remote group's ranks */
    for (i = 0; i < size; i++) {
        expect_sum += i % 2 != color ? i : 0;
    }
    CHECK(sum == expect_sum, "allreduce on intercomm dup gave %d, expected %d", sum, expect_sum);
    MPI_Comm_free(&idup);

    /* merge: the odd half asks to be high, so evens come first */
    MPI_Intercomm_merge(inter, color == 1, &merged);
    int mr, ms;
    MPI_Comm_rank(merged, &mr);
    MPI_Comm_size(merged, &ms);
    int nevens = (size + 1) / 2;
    int expect = color == 0 ? rank / 2 : nevens + rank / 2;
    CHECK(ms == size && mr == expect, "merged rank %d (expected %d) size %d", mr, expect, ms);
    int left = (mr + ms - 1) % ms, right = (mr + 1) % ms, from;
    MPI_Sendrecv(&mr, 1, MPI_INT, right, 8, &from, 1, MPI_INT, left, 8, merged, MPI_STATUS_IGNORE);
    CHECK(from == left, "ring on merged: got %d expected %d", from, left);

    MPI_Group_free(&rg);
    MPI_Group_free(&wg);
    MPI_Comm_free(&merged);
    MPI_Comm_free(&inter);
    MPI_Comm_free(&half);
    free(got);
    free(q);
    return mpt_finish();
}
