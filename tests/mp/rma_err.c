/*
 * rma_err.c - RMA error classes with MPI_ERRORS_RETURN: operations outside an epoch
 * (MPI_ERR_RMA_SYNC), bad target rank (MPI_ERR_RANK), invalid window handles (MPI_ERR_WIN),
 * unlock without lock (MPI_ERR_RMA_SYNC), bad lock type (MPI_ERR_LOCKTYPE), access outside
 * the target window (MPI_ERR_RMA_RANGE or MPI_ERR_ARG), bad disp_unit (MPI_ERR_DISP or
 * MPI_ERR_ARG); the window stays usable afterwards.
 */
#include "mptest.h"

int main(int argc, char **argv)
{
    mpt_init(&argc, &argv, 1);
    int me = mpt_rank, n = mpt_size;
    int *base, v = 5;
    MPI_Win win, bogus;
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    CHECK_MPI(MPI_Win_allocate(sizeof(int) * 4, sizeof(int), MPI_INFO_NULL, MPI_COMM_WORLD, &base,
                               &win));
    CHECK_MPI(MPI_Win_set_errhandler(win, MPI_ERRORS_RETURN));
    base[0] = base[1] = base[2] = base[3] = 0;
    MPI_Barrier(MPI_COMM_WORLD);

    /* Put outside any epoch */
    CHECK_ERRCLASS(MPI_Put(&v, 1, MPI_INT, 0, 0, 1, MPI_INT, win), MPI_ERR_RMA_SYNC);
    /* bad target ranks */
    CHECK_MPI(MPI_Win_lock_all(0, win));
    CHECK_ERRCLASS(MPI_Put(&v, 1, MPI_INT, n, 0, 1, MPI_INT, win), MPI_ERR_RANK);
    CHECK_ERRCLASS(MPI_Get(&v, 1, MPI_INT, -5, 0, 1, MPI_INT, win), MPI_ERR_RANK);
    /* PROC_NULL is fine */
    CHECK_MPI(MPI_Put(&v, 1, MPI_INT, MPI_PROC_NULL, 0, 1, MPI_INT, win));
    /* beyond the end of the target window */
    CHECK_ERRCLASS2(MPI_Put(&v, 1, MPI_INT, 0, 4, 1, MPI_INT, win), MPI_ERR_RMA_RANGE,
                    MPI_ERR_ARG);
    CHECK_MPI(MPI_Win_unlock_all(win));

    /* invalid windows (reported on MPI_COMM_WORLD's handler) */
    bogus = MPI_WIN_NULL;
    CHECK_ERRCLASS(MPI_Put(&v, 1, MPI_INT, 0, 0, 1, MPI_INT, bogus), MPI_ERR_WIN);
    CHECK_ERRCLASS(MPI_Win_fence(0, bogus), MPI_ERR_WIN);
    CHECK_ERRCLASS(MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, bogus), MPI_ERR_WIN);

    /* sync errors */
    CHECK_ERRCLASS(MPI_Win_unlock(0, win), MPI_ERR_RMA_SYNC);
    CHECK_ERRCLASS(MPI_Win_lock(12345, 0, 0, win), MPI_ERR_LOCKTYPE);
    CHECK_ERRCLASS(MPI_Win_lock(MPI_LOCK_SHARED, n + 3, 0, win), MPI_ERR_RANK);
#ifdef DWCP_MPI
    /* Open MPI 4.1.4 does not detect these (and is left unusable by the first two) */
    CHECK_ERRCLASS(MPI_Win_complete(win), MPI_ERR_RMA_SYNC);
    CHECK_ERRCLASS(MPI_Win_wait(win), MPI_ERR_RMA_SYNC);
    CHECK_ERRCLASS(MPI_Win_flush(0, win), MPI_ERR_RMA_SYNC);
#endif
    CHECK_ERRCLASS(MPI_Win_unlock_all(win), MPI_ERR_RMA_SYNC);

    /* creation errors */
    MPI_Win w2;
    CHECK_ERRCLASS2(MPI_Win_create(base, sizeof(int), 0, MPI_INFO_NULL, MPI_COMM_WORLD, &w2),
                    MPI_ERR_DISP, MPI_ERR_ARG);
    CHECK_ERRCLASS2(MPI_Win_create(base, -1, 1, MPI_INFO_NULL, MPI_COMM_WORLD, &w2),
                    MPI_ERR_SIZE, MPI_ERR_ARG);

    /* still usable */
    int tgt = (me + 1) % n;
    CHECK_MPI(MPI_Win_fence(0, win));
    CHECK_MPI(MPI_Put(&v, 1, MPI_INT, tgt, 2, 1, MPI_INT, win));
    CHECK_MPI(MPI_Win_fence(0, win));
    CHECK_EQ(base[2], 5, "put after the errors");
    CHECK_MPI(MPI_Win_fence(MPI_MODE_NOSUCCEED, win));
    CHECK_MPI(MPI_Win_free(&win));
    CHECK_ERRCLASS(MPI_Win_free(&win), MPI_ERR_WIN);
    return mpt_finish();
}
