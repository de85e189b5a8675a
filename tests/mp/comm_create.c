/* Communicator creation: dup, split (colors, keys, UNDEFINED), create, create_group,
 * split_type, compare, group set operations; p2p traffic on every new communicator. */
#include <stdlib.h>
#include <string.h>

#include "mptest.h"

/* Every rank sends its world rank to every other rank of @p c and checks what arrives. */
static void exchange(MPI_Comm c, const int *expect_world)
{
    int r, n, i, me;
    MPI_Comm_rank(c, &r);
    MPI_Comm_size(c, &n);
    MPI_Comm_rank(MPI_COMM_WORLD, &me);
    MPI_Request *q = malloc(sizeof(MPI_Request) * 2 * (size_t)n);
    int *got = malloc(sizeof(int) * (size_t)n);
    for (i = 0; i < n; i++) {
        MPI_Irecv(&got[i], 1, MPI_INT, i, 5, c, &q[i]);
        MPI_Isend(&me, 1, MPI_INT, i, 5, c, &q[n + i]);
    }
    MPI_Waitall(2 * n, q, MPI_STATUSES_IGNORE);
    for (i = 0; i < n; i++) {
        CHECK(got[i] == expect_world[i], "comm rank %d: got world rank %d, expected %d", i,
              got[i], expect_world[i]);
    }
    free(q);
    free(got);
}

int main(int argc, char **argv)
{
    int rank, size, i, res;
    mpt_init(&argc, &argv, 1);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    int *w = malloc(sizeof(int) * (size_t)size);

    /* dup: same group, different context */
    MPI_Comm d;
    MPI_Comm_dup(MPI_COMM_WORLD, &d);
    MPI_Comm_compare(MPI_COMM_WORLD, d, &res);
    CHECK(res == MPI_CONGRUENT, "dup compare %d", res);
    for (i = 0; i < size; i++) {
        w[i] = i;
    }
    /* a message on world must not match a receive on the dup */
    int a = 11, b = 22, x = 0, y = 0;
    if (size > 1) {
        int peer = rank ^ 1;
        if (peer < size) {
            MPI_Request rq[2];
            MPI_Irecv(&x, 1, MPI_INT, peer, 1, d, &rq[0]);
            MPI_Irecv(&y, 1, MPI_INT, peer, 1, MPI_COMM_WORLD, &rq[1]);
            MPI_Send(&a, 1, MPI_INT, peer, 1, MPI_COMM_WORLD);
            MPI_Send(&b, 1, MPI_INT, peer, 1, d);
            MPI_Waitall(2, rq, MPI_STATUSES_IGNORE);
            CHECK(x == 22 && y == 11, "context isolation: dup got %d world got %d", x, y);
        }
    }
    exchange(d, w);

    /* split by parity, reversed key order */
    MPI_Comm s;
    MPI_Comm_split(MPI_COMM_WORLD, rank % 2, -rank, &s);
    int sr, ss, k = 0;
    MPI_Comm_rank(s, &sr);
    MPI_Comm_size(s, &ss);
    for (i = size - 1; i >= 0; i--) {
        if (i % 2 == rank % 2) {
            w[k++] = i;
        }
    }
    CHECK(ss == k, "split size %d expected %d", ss, k);
    exchange(s, w);

    /* split with UNDEFINED */
    MPI_Comm u;
    MPI_Comm_split(MPI_COMM_WORLD, rank == 0 ? MPI_UNDEFINED : 1, 0, &u);
    CHECK((rank == 0) == (u == MPI_COMM_NULL), "UNDEFINED color gives MPI_COMM_NULL");

    /* create from the group of even ranks (non-members get COMM_NULL) */
    MPI_Group wg, eg;
    MPI_Comm_group(MPI_COMM_WORLD, &wg);
    int ranges[1][3] = {{0, size - 1, 2}};
    MPI_Group_range_incl(wg, 1, ranges, &eg);
    MPI_Comm e;
    MPI_Comm_create(MPI_COMM_WORLD, eg, &e);
    CHECK((rank % 2 == 0) == (e != MPI_COMM_NULL), "create membership");
    if (e != MPI_COMM_NULL) {
        k = 0;
        for (i = 0; i < size; i += 2) {
            w[k++] = i;
        }
        exchange(e, w);
    }
    /* create_group: only the members call it */
    if (rank % 2 == 0) {
        MPI_Comm cg;
        MPI_Comm_create_group(MPI_COMM_WORLD, eg, 77, &cg);
        CHECK(cg != MPI_COMM_NULL, "create_group gave COMM_NULL to a member");
        exchange(cg, w);
        MPI_Comm_free(&cg);
    }

    /* group algebra */
    MPI_Group og, un, in, df;
    MPI_Group_difference(wg, eg, &og);
    MPI_Group_union(eg, og, &un);
    MPI_Group_intersection(eg, og, &in);
    int n1, n2, n3;
    MPI_Group_size(un, &n1);
    MPI_Group_size(in, &n2);
    MPI_Group_size(og, &n3);
    CHECK(n1 == size && n2 == 0 && n3 == size / 2, "group sizes %d %d %d", n1, n2, n3);
    MPI_Group_compare(un, wg, &res);
    CHECK(res == (size > 2 ? MPI_SIMILAR : MPI_IDENT) || size <= 1, "union vs world: %d", res);
    MPI_Group_difference(wg, wg, &df);
    CHECK(df == MPI_GROUP_EMPTY, "empty difference is MPI_GROUP_EMPTY");
    int tr[1] = {0}, out[1];
    MPI_Group_translate_ranks(eg, 1, tr, wg, out);
    CHECK(out[0] == 0, "translate");

    /* split_type SHARED: all ranks of this test run on one host */
    MPI_Comm sh;
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank, MPI_INFO_NULL, &sh);
    MPI_Comm_size(sh, &n1);
    CHECK(n1 == size, "shared split size %d", n1);

    /* many dups and frees: context ids are recycled */
    for (i = 0; i < 300; i++) {
        MPI_Comm t;
        MPI_Comm_dup(MPI_COMM_WORLD, &t);
        MPI_Comm_free(&t);
        CHECK(t == MPI_COMM_NULL, "free sets COMM_NULL");
    }
    MPI_Group_free(&wg);
    MPI_Group_free(&eg);
    MPI_Group_free(&og);
    MPI_Group_free(&un);
    MPI_Group_free(&in);
    MPI_Comm_free(&d);
    MPI_Comm_free(&s);
    MPI_Comm_free(&sh);
    if (u != MPI_COMM_NULL) {
        MPI_Comm_free(&u);
    }
    if (e != MPI_COMM_NULL) {
        MPI_Comm_free(&e);
    }
    free(w);
    return mpt_finish();
}
