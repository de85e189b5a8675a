/*
 * err_fatal: with the default MPI_ERRORS_ARE_FATAL handler, a send to an
 * invalid rank on rank 0 aborts the whole job: the expected outcome is a
 * non-zero exit code (testlist exit=nz) well within the time limit, while
 * the other ranks wait in a receive that never matches.
 */
#include "mptest.h"

int main(int argc, char **argv)
{
    int x = 0;

    mpt_init(&argc, &argv, 1);
    if (mpt_rank == 0) {
        MPI_Send(&x, 1, MPI_INT, mpt_size + 10, 0, MPI_COMM_WORLD);
        fprintf(stderr, "invalid send returned under ERRORS_ARE_FATAL\n");
        return 0;
    }
    MPI_Recv(&x, 1, MPI_INT, 0, 99, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    fprintf(stderr, "rank %d: receive completed unexpectedly\n", mpt_rank);
    return 0;
}
