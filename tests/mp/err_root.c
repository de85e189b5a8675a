/*
 * err_root: invalid roots to rooted collectives (MPI_Bcast, MPI_Reduce,
 * MPI_Gather) return MPI_ERR_ROOT under MPI_ERRORS_RETURN, on every rank,
 * and a valid MPI_Bcast still works afterwards. Needs collectives.
 */
#include "mptest.h"

int main(int argc, char **argv)
{
    int v = 1, r = 0, *g;

    mpt_init(&argc, &argv, 2);
    CHECK_MPI(MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN));
    g = mpt_malloc(sizeof(int) * (size_t)mpt_size);
    CHECK_ERRCLASS(MPI_Bcast(&v, 1, MPI_INT, mpt_size, MPI_COMM_WORLD),
                   MPI_ERR_ROOT);
    CHECK_ERRCLASS(MPI_Bcast(&v, 1, MPI_INT, -1, MPI_COMM_WORLD),
                   MPI_ERR_ROOT);
    CHECK_ERRCLASS(MPI_Reduce(&v, &r, 1, MPI_INT, MPI_SUM, mpt_size + 2,
                              MPI_COMM_WORLD),
                   MPI_ERR_ROOT);
    CHECK_ERRCLASS(MPI_Gather(&v, 1, MPI_INT, g, 1, MPI_INT, -3,
                              MPI_COMM_WORLD),
                   MPI_ERR_ROOT);
    v = mpt_rank == 1 ? 777 : 0;
    CHECK_MPI(MPI_Bcast(&v, 1, MPI_INT, 1, MPI_COMM_WORLD));
    CHECK_EQ(v, 777, "Bcast value after errors");
    free(g);
    return mpt_finish();
}
