/*
 * env_abort: rank (size-1) calls MPI_Abort(MPI_COMM_WORLD, 7) while the
 * other ranks block in a receive that never matches. The expected outcome
 * is a job exit code of 7 (testlist: exit=7) within the time limit, with
 * no process left behind. Rank 0 never prints "No Errors".
 */
#include "mptest.h"

int main(int argc, char **argv)
{
    int x = 0;

    mpt_init(&argc, &argv, 1);
    if (mpt_rank == mpt_size - 1) {
        mpt_msleep(300);
        MPI_Abort(MPI_COMM_WORLD, 7);
        /* Not reached. */
        fprintf(stderr, "MPI_Abort returned\n");
        return 3;
    }
    /* Never satisfied: nobody sends tag 99. */
    MPI_Recv(&x, 1, MPI_INT, MPI_ANY_SOURCE, 99, MPI_COMM_WORLD,
             MPI_STATUS_IGNORE);
    fprintf(stderr, "rank %d: receive completed unexpectedly\n", mpt_rank);
    return 4;
}
