/* Empty groups: MPI_Group_incl/excl/range_incl/range_excl producing no process (n = 0 with
 * ranks = NULL, excluding everything) give a group equal to MPI_GROUP_EMPTY, also when the
 * input is MPI_GROUP_EMPTY; such results and MPI_GROUP_EMPTY itself can be freed. Any
 * number of ranks. */
#include "mptest.h"

static void expect_empty(MPI_Group g, const char *what)
{
    int size, res;
    CHECK(g != MPI_GROUP_NULL, "%s gave MPI_GROUP_NULL", what);
    CHECK_MPI(MPI_Group_size(g, &size));
    CHECK_EQ(size, 0, what);
    CHECK_MPI(MPI_Group_compare(g, MPI_GROUP_EMPTY, &res));
    CHECK(res == MPI_IDENT, "%s not identical to MPI_GROUP_EMPTY (%d)", what, res);
    CHECK_MPI(MPI_Group_free(&g));
}

static void t_from(MPI_Group base)
{
    MPI_Group g;
    int ranks[1] = {0}, size, i;
    int range[1][3];
    CHECK_MPI(MPI_Group_incl(base, 0, NULL, &g));
    expect_empty(g, "incl(0, NULL)");
    CHECK_MPI(MPI_Group_incl(base, 0, ranks, &g));
    expect_empty(g, "incl(0, ranks)");
    CHECK_MPI(MPI_Group_range_incl(base, 0, NULL, &g));
    expect_empty(g, "range_incl(0, NULL)");
    CHECK_MPI(MPI_Group_size(base, &size));
    /* excl(0) is the group itself */
    CHECK_MPI(MPI_Group_excl(base, 0, NULL, &g));
    int res;
    CHECK_MPI(MPI_Group_compare(g, base, &res));
    CHECK(res == MPI_IDENT, "excl(0) differs from the input (%d)", res);
    CHECK_MPI(MPI_Group_free(&g));
    CHECK_MPI(MPI_Group_range_excl(base, 0, NULL, &g));
    CHECK_MPI(MPI_Group_compare(g, base, &res));
    CHECK(res == MPI_IDENT, "range_excl(0) differs from the input (%d)", res);
    CHECK_MPI(MPI_Group_free(&g));
    if (size > 0) {
        int *all = mpt_malloc(sizeof(int) * (size_t)size);
        for (i = 0; i < size; i++) {
            all[i] = size - 1 - i;
        }
        CHECK_MPI(MPI_Group_excl(base, size, all, &g));
        expect_empty(g, "excl(all)");
        range[0][0] = 0;
        range[0][1] = size - 1;
        range[0][2] = 1;
        CHECK_MPI(MPI_Group_range_excl(base, 1, range, &g));
        expect_empty(g, "range_excl(all)");
        free(all);
    }
}

int main(int argc, char **argv)
{
    MPI_Group world, e = MPI_GROUP_EMPTY, g;
    mpt_init(&argc, &argv, 1);
    CHECK_MPI(MPI_Comm_group(MPI_COMM_WORLD, &world));
    t_from(world);
    t_from(MPI_GROUP_EMPTY);
    /* set operations with the empty group */
    CHECK_MPI(MPI_Group_intersection(world, MPI_GROUP_EMPTY, &g));
    expect_empty(g, "intersection with empty");
    CHECK_MPI(MPI_Group_difference(world, world, &g));
    expect_empty(g, "difference with itself");
    CHECK_MPI(MPI_Group_free(&world));
    CHECK_MPI(MPI_Group_free(&e)); /* freeing MPI_GROUP_EMPTY is allowed */
    CHECK(e == MPI_GROUP_NULL, "freed handle not set to MPI_GROUP_NULL");
    int size;
    CHECK_MPI(MPI_Group_size(MPI_GROUP_EMPTY, &size));
    CHECK_EQ(size, 0, "MPI_GROUP_EMPTY still usable after a free");
    return mpt_finish();
}
