/*
 * env_initnull: MPI_Init(NULL, NULL) is allowed; the program's own argv
 * is left alone (arguments given in testlist arrive unchanged), and
 * MPI works afterwards (a ring exchange). Also checks the communicator
 * names of MPI_COMM_WORLD and MPI_COMM_SELF.
 */
#include "mptest.h"

int main(int argc, char **argv)
{
    int len, got = -1;
    char name[MPI_MAX_OBJECT_NAME];

    CHECK_MPI(MPI_Init(NULL, NULL));
    mpt_setup();
    CHECK(argc == 3 && strcmp(argv[1], "alpha") == 0 &&
              strcmp(argv[2], "beta") == 0,
          "arguments changed: argc %d", argc);
    CHECK_MPI(MPI_Comm_get_name(MPI_COMM_WORLD, name, &len));
    CHECK(strcmp(name, "MPI_COMM_WORLD") == 0, "COMM_WORLD name '%s'", name);
    CHECK_EQ(len, 14, "COMM_WORLD name length");
    CHECK_MPI(MPI_Comm_get_name(MPI_COMM_SELF, name, &len));
    CHECK(strcmp(name, "MPI_COMM_SELF") == 0, "COMM_SELF name '%s'", name);
    CHECK_MPI(MPI_Sendrecv(&mpt_rank, 1, MPI_INT, (mpt_rank + 1) % mpt_size,
                           0, &got, 1, MPI_INT,
                           (mpt_rank + mpt_size - 1) % mpt_size, 0,
                           MPI_COMM_WORLD, MPI_STATUS_IGNORE));
    CHECK_EQ(got, (mpt_rank + mpt_size - 1) % mpt_size, "ring value");
    return mpt_finish();
}
