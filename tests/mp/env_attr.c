/*
 * env_attr: predefined attributes of MPI_COMM_WORLD through
 * MPI_Comm_get_attr: MPI_TAG_UB (>= 32767, and a message with tag TAG_UB
 * works), MPI_HOST, MPI_IO, MPI_WTIME_IS_GLOBAL (0 or 1 when set),
 * MPI_UNIVERSE_SIZE (>= 1 when set), MPI_APPNUM (0 when set).
 */
#include "mptest.h"

int main(int argc, char **argv)
{
    int *v = NULL, flag = -1, tag_ub;

    mpt_init(&argc, &argv, 1);

    CHECK_MPI(MPI_Comm_get_attr(MPI_COMM_WORLD, MPI_TAG_UB, &v, &flag));
    CHECK_EQ(flag, 1, "MPI_TAG_UB attribute present");
    CHECK(v != NULL, "MPI_TAG_UB value pointer NULL");
    tag_ub = *v;
    CHECK(tag_ub >= 32767, "MPI_TAG_UB = %d < 32767", tag_ub);

    flag = -1;
    CHECK_MPI(MPI_Comm_get_attr(MPI_COMM_WORLD, MPI_HOST, &v, &flag));
    CHECK_EQ(flag, 1, "MPI_HOST attribute present");
    CHECK(*v == MPI_PROC_NULL || (*v >= 0 && *v < mpt_size),
          "MPI_HOST = %d", *v);

    flag = -1;
    CHECK_MPI(MPI_Comm_get_attr(MPI_COMM_WORLD, MPI_IO, &v, &flag));
    CHECK_EQ(flag, 1, "MPI_IO attribute present");
    CHECK(*v == MPI_ANY_SOURCE || *v == MPI_PROC_NULL ||
              (*v >= 0 && *v < mpt_size),
          "MPI_IO = %d", *v);

    flag = -1;
    CHECK_MPI(MPI_Comm_get_attr(MPI_COMM_WORLD, MPI_WTIME_IS_GLOBAL, &v,
                                &flag));
    CHECK(flag == 0 || flag == 1, "WTIME_IS_GLOBAL flag %d", flag);
    if (flag) {
        CHECK(*v == 0 || *v == 1, "MPI_WTIME_IS_GLOBAL = %d", *v);
    }

    flag = -1;
    CHECK_MPI(MPI_Comm_get_attr(MPI_COMM_WORLD, MPI_UNIVERSE_SIZE, &v,
                                &flag));
    CHECK(flag == 0 || flag == 1, "UNIVERSE_SIZE flag %d", flag);
    if (flag) {
        /* It is the number of processes that can "usefully" run, which
         * may be below the world size when oversubscribing (Open MPI
         * gives the slot count), so only require a positive value. */
        CHECK(*v >= 1, "MPI_UNIVERSE_SIZE = %d", *v);
    }

    flag = -1;
    CHECK_MPI(MPI_Comm_get_attr(MPI_COMM_WORLD, MPI_APPNUM, &v, &flag));
    CHECK(flag == 0 || flag == 1, "APPNUM flag %d", flag);
    if (flag) {
        CHECK_EQ(*v, 0, "MPI_APPNUM for a single-program launch");
    }

    /* The standard only defines them on COMM_WORLD (Open MPI does not set
     * TAG_UB on COMM_SELF); if present it must agree. */
    flag = -1;
    CHECK_MPI(MPI_Comm_get_attr(MPI_COMM_SELF, MPI_TAG_UB, &v, &flag));
    if (flag) {
        CHECK_EQ(*v, tag_ub, "MPI_TAG_UB on COMM_SELF");
    }

    /* The largest tag really works. */
    if (mpt_size >= 2 && mpt_rank < 2) {
        int x = 31337, st_tag;
        MPI_Status st;
        if (mpt_rank == 0) {
            CHECK_MPI(MPI_Send(&x, 1, MPI_INT, 1, tag_ub, MPI_COMM_WORLD));
        } else {
            x = 0;
            CHECK_MPI(MPI_Recv(&x, 1, MPI_INT, 0, tag_ub, MPI_COMM_WORLD,
                               &st));
            st_tag = st.MPI_TAG;
            CHECK_EQ(st_tag, tag_ub, "status tag for tag TAG_UB");
            CHECK_EQ(x, 31337, "value sent with tag TAG_UB");
        }
    }
    return mpt_finish();
}
