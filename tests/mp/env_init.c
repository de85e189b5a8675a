/*
 * env_init: MPI_Initialized/MPI_Finalized before, during and after,
 * MPI_Get_version against MPI_VERSION/MPI_SUBVERSION (also callable
 * before Init and after Finalize), MPI_Get_library_version,
 * MPI_Get_processor_name, COMM_WORLD/COMM_SELF rank and size.
 * Run with any number of ranks.
 */
#include "mptest.h"

int main(int argc, char **argv)
{
    int flag = -1, ver = -1, sub = -1, len = -1, rank, size;
    char name[MPI_MAX_PROCESSOR_NAME + 1];
    char lib[MPI_MAX_LIBRARY_VERSION_STRING + 1];

    CHECK_MPI(MPI_Initialized(&flag));
    CHECK_EQ(flag, 0, "MPI_Initialized before MPI_Init");
    CHECK_MPI(MPI_Finalized(&flag));
    CHECK_EQ(flag, 0, "MPI_Finalized before MPI_Init");
    CHECK_MPI(MPI_Get_version(&ver, &sub));
    CHECK_EQ(ver, MPI_VERSION, "MPI_Get_version before Init: version");
    CHECK_EQ(sub, MPI_SUBVERSION, "MPI_Get_version before Init: subversion");

    CHECK_MPI(MPI_Init(&argc, &argv));
    mpt_setup();

    CHECK_MPI(MPI_Initialized(&flag));
    CHECK_EQ(flag, 1, "MPI_Initialized after MPI_Init");
    CHECK_MPI(MPI_Finalized(&flag));
    CHECK_EQ(flag, 0, "MPI_Finalized after MPI_Init");

    ver = sub = -1;
    CHECK_MPI(MPI_Get_version(&ver, &sub));
    CHECK_EQ(ver, MPI_VERSION, "MPI_Get_version: version");
    CHECK_EQ(sub, MPI_SUBVERSION, "MPI_Get_version: subversion");
    CHECK(ver >= 3, "MPI version %d.%d is below 3.0", ver, sub);
    CHECK(ver > 3 || sub >= 1, "MPI version %d.%d is below 3.1", ver, sub);

    memset(lib, 'X', sizeof(lib));
    CHECK_MPI(MPI_Get_library_version(lib, &len));
    CHECK(len > 0 && len < MPI_MAX_LIBRARY_VERSION_STRING,
          "library version length %d out of range (max %d)", len,
          MPI_MAX_LIBRARY_VERSION_STRING);
    CHECK(lib[len] == '\0' || (int)strlen(lib) <= len,
          "library version string not terminated at len %d", len);
    /* resultlen should be strlen(version); Open MPI 4.1 counts the
     * terminating NUL too, so accept both. */
    CHECK((int)strlen(lib) == len || (int)strlen(lib) + 1 == len,
          "strlen(lib)=%zu but len=%d", strlen(lib), len);

    memset(name, 'X', sizeof(name));
    len = -1;
    CHECK_MPI(MPI_Get_processor_name(name, &len));
    CHECK(len > 0 && len < MPI_MAX_PROCESSOR_NAME,
          "processor name length %d out of range", len);
    CHECK((int)strlen(name) == len, "strlen(name)=%zu but len=%d",
          strlen(name), len);

    CHECK_MPI(MPI_Comm_rank(MPI_COMM_WORLD, &rank));
    CHECK_MPI(MPI_Comm_size(MPI_COMM_WORLD, &size));
    CHECK(size >= 1, "COMM_WORLD size %d", size);
    CHECK(rank >= 0 && rank < size, "COMM_WORLD rank %d size %d", rank, size);
    if (getenv("MPT_EXPECT_NP") != NULL) {
        CHECK_EQ(size, atoi(getenv("MPT_EXPECT_NP")),
                 "COMM_WORLD size vs MPT_EXPECT_NP");
    }
    CHECK_MPI(MPI_Comm_rank(MPI_COMM_SELF, &rank));
    CHECK_MPI(MPI_Comm_size(MPI_COMM_SELF, &size));
    CHECK_EQ(rank, 0, "COMM_SELF rank");
    CHECK_EQ(size, 1, "COMM_SELF size");

    /* Exchange a token around a ring to prove ranks are distinct. */
    if (mpt_size > 1) {
        int left = (mpt_rank + mpt_size - 1) % mpt_size;
        int right = (mpt_rank + 1) % mpt_size;
        int got = -1;
        CHECK_MPI(MPI_Sendrecv(&mpt_rank, 1, MPI_INT, right, 5, &got, 1,
                               MPI_INT, left, 5, MPI_COMM_WORLD,
                               MPI_STATUS_IGNORE));
        CHECK_EQ(got, left, "ring token from left neighbour");
    }

    /* Same as mpt_finish, but also check the state after Finalize. */
    if (mpt_rank == 0) {
        int i, v;
        for (i = 1; i < mpt_size; i++) {
            CHECK_MPI(MPI_Recv(&v, 1, MPI_INT, i, 9, MPI_COMM_WORLD,
                               MPI_STATUS_IGNORE));
        }
    } else {
        CHECK_MPI(MPI_Send(&mpt_rank, 1, MPI_INT, 0, 9, MPI_COMM_WORLD));
    }
    CHECK_MPI(MPI_Finalize());
    flag = -1;
    MPI_Initialized(&flag);
    CHECK_EQ(flag, 1, "MPI_Initialized after MPI_Finalize");
    flag = -1;
    MPI_Finalized(&flag);
    CHECK_EQ(flag, 1, "MPI_Finalized after MPI_Finalize");
    ver = sub = -1;
    MPI_Get_version(&ver, &sub);
    CHECK_EQ(ver, MPI_VERSION, "MPI_Get_version after Finalize");
    if (mpt_rank == 0) {
        printf("No Errors\n");
    }
    return 0;
}
