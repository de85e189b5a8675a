/*
 * Intercommunicators made from others: MPI_Comm_split (each side split by color, MPI_COMM_NULL
 * where the other side lacks the color), MPI_Comm_create with a subgroup (and an empty side),
 * MPI_Comm_dup keeping attributes and the name-free state, MPI_Probe across; plus
 * MPI_Comm_create on an intracommunicator with disjoint groups passed by different processes
 * (MPI-2.2). Checks sizes, rank order and traffic. Needs >= 2 ranks.
 */
#include "mptest.h"

/* Sizes of the intercomm @p c are @p l / @p r, and an allreduce across gives the remote sum. */
static void check_inter(MPI_Comm c, int l, int r, const char *what)
{
    int lsize, rsize, lrank, sum = -1, flag;
    MPI_Comm_test_inter(c, &flag);
    CHECK(flag, "%s: not an intercommunicator", what);
    MPI_Comm_size(c, &lsize);
    MPI_Comm_remote_size(c, &rsize);
    MPI_Comm_rank(c, &lrank);
    CHECK_EQ(lsize, l, what);
    CHECK_EQ(rsize, r, what);
    MPI_Allreduce(&lrank, &sum, 1, MPI_INT, MPI_SUM, c);
    CHECK_EQ(sum, r * (r - 1) / 2, what);
}

int main(int argc, char **argv)
{
    int rank, size, i;
    mpt_init(&argc, &argv, 2);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    int side = rank % 2, nside[2] = {(size + 1) / 2, size / 2};
    MPI_Comm half, inter, sub;
    MPI_Comm_split(MPI_COMM_WORLD, side, rank, &half);
    MPI_Intercomm_create(half, 0, MPI_COMM_WORLD, 1 - side, 11, &inter);
    int lrank;
    MPI_Comm_rank(inter, &lrank);

    /* 1. split by color = lrank % 2, key = -lrank (reverse order); side 1 also uses color 5
     * for its rank 0 only, which side 0 lacks -> MPI_COMM_NULL there */
    int color = lrank % 2;
    if (side == 1 && lrank == 0) {
        color = 5;
    }
    CHECK_MPI(MPI_Comm_split(inter, color, -lrank, &sub));
    int cnt[2][2] = {{0, 0}, {0, 0}}; /* [side][color] members */
    for (i = 0; i < size; i++) {
        int s = i % 2, lr = i / 2, col = lr % 2;
        if (!(s == 1 && lr == 0)) {
            cnt[s][col]++;
        }
    }
    if (color == 5) {
        CHECK(sub == MPI_COMM_NULL, "color only on one side must give MPI_COMM_NULL");
    } else if (cnt[1 - side][color] == 0) {
        CHECK(sub == MPI_COMM_NULL, "no remote member of color %d", color);
    } else {
        CHECK(sub != MPI_COMM_NULL, "split gave MPI_COMM_NULL");
        check_inter(sub, cnt[side][color], cnt[1 - side][color], "split intercomm");
        /* key = -lrank: the highest local rank of the color is rank 0 */
        int srank, last = -1;
        MPI_Comm_rank(sub, &srank);
        for (i = nside[side] - 1; i >= 0; i--) {
            if (i % 2 == color && !(side == 1 && i == 0)) {
                last++;
                if (i == lrank) {
                    break;
                }
            }
        }
        CHECK_EQ(srank, last, "rank order by key");
        MPI_Comm_free(&sub);
    }

    /* 2. create: local ranks 0 (and 1) of each side; then side 1 passes an empty group */
    MPI_Group lg, g2;
    int two[2] = {0, 1};
    MPI_Comm_group(inter, &lg);
    MPI_Group_incl(lg, nside[side] > 1 ? 2 : 1, two, &g2);
    CHECK_MPI(MPI_Comm_create(inter, g2, &sub));
    if (lrank < 2) {
        check_inter(sub, nside[side] > 1 ? 2 : 1, nside[1 - side] > 1 ? 2 : 1, "create");
        MPI_Comm_free(&sub);
    } else {
        CHECK(sub == MPI_COMM_NULL, "non-member got a communicator");
    }
    MPI_Group_free(&g2);
    CHECK_MPI(MPI_Comm_create(inter, side == 1 ? MPI_GROUP_EMPTY : lg, &sub));
    CHECK(sub == MPI_COMM_NULL, "empty remote group must give MPI_COMM_NULL");
    MPI_Group_free(&lg);

    /* 3. dup keeps attributes; probe across the duplicate */
    int key, val = 7, *got, flag;
    MPI_Comm_create_keyval(MPI_COMM_DUP_FN, MPI_COMM_NULL_DELETE_FN, &key, NULL);
    MPI_Comm_set_attr(inter, key, &val);
    MPI_Comm dup;
    MPI_Comm_dup(inter, &dup);
    MPI_Comm_get_attr(dup, key, &got, &flag);
    CHECK(flag && got == &val, "intercomm dup keeps attributes");
    check_inter(dup, nside[side], nside[1 - side], "dup");
    if (lrank == 0) {
        int msg = 100 + side, in = -1, count;
        MPI_Status st;
        MPI_Send(&msg, 1, MPI_INT, 0, 3, dup);
        MPI_Probe(0, 3, dup, &st);
        MPI_Get_count(&st, MPI_INT, &count);
        CHECK_EQ(st.MPI_SOURCE, 0, "probe source (remote rank)");
        CHECK_EQ(count, 1, "probe count");
        MPI_Recv(&in, 1, MPI_INT, st.MPI_SOURCE, 3, dup, MPI_STATUS_IGNORE);
        CHECK_EQ(in, 100 + (1 - side), "message across duplicate");
    }
    MPI_Comm_free(&dup);
    MPI_Comm_free_keyval(&key);

    /* 4. intracomm create with disjoint groups (odd / even world ranks) */
    MPI_Group wg, mine;
    int *r = malloc(sizeof(int) * (size_t)size), n = 0;
    for (i = side; i < size; i += 2) {
        r[n++] = i;
    }
    MPI_Comm_group(MPI_COMM_WORLD, &wg);
    MPI_Group_incl(wg, n, r, &mine);
    CHECK_MPI(MPI_Comm_create(MPI_COMM_WORLD, mine, &sub));
    int ssize, srank;
    MPI_Comm_size(sub, &ssize);
    MPI_Comm_rank(sub, &srank);
    CHECK_EQ(ssize, n, "disjoint create size");
    CHECK_EQ(srank, rank / 2, "disjoint create rank");
    MPI_Comm_free(&sub);
    MPI_Group_free(&mine);
    MPI_Group_free(&wg);
    free(r);

    MPI_Comm_free(&inter);
    MPI_Comm_free(&half);
    return mpt_finish();
}
