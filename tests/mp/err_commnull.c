/*
 * err_commnull: MPI_COMM_NULL passed to point-to-point and communicator
 * queries returns MPI_ERR_COMM when MPI_COMM_WORLD (and COMM_SELF) have
 * MPI_ERRORS_RETURN: MPI-3.1 section 8.3 says errors not tied to a valid
 * communicator are raised on MPI_COMM_WORLD.
 * Open MPI 4.1.4 raises them on MPI_COMM_NULL's own fatal handler instead
 * and aborts the job, so this test is labelled ompi-wrong in testlist.
 */
#include "mptest.h"

int main(int argc, char **argv)
{
    int buf[4] = {0}, flag, r;
    MPI_Request req = MPI_REQUEST_NULL;
    MPI_Status st;

    mpt_init(&argc, &argv, 1);
    CHECK_MPI(MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN));
    CHECK_MPI(MPI_Comm_set_errhandler(MPI_COMM_SELF, MPI_ERRORS_RETURN));
    CHECK_ERRCLASS(MPI_Send(buf, 1, MPI_INT, 0, 0, MPI_COMM_NULL),
                   MPI_ERR_COMM);
    CHECK_ERRCLASS(MPI_Recv(buf, 1, MPI_INT, 0, 0, MPI_COMM_NULL, &st),
                   MPI_ERR_COMM);
    CHECK_ERRCLASS(MPI_Isend(buf, 1, MPI_INT, 0, 0, MPI_COMM_NULL, &req),
                   MPI_ERR_COMM);
    CHECK(req == MPI_REQUEST_NULL, "failed Isend changed the request");
    CHECK_ERRCLASS(MPI_Irecv(buf, 1, MPI_INT, 0, 0, MPI_COMM_NULL, &req),
                   MPI_ERR_COMM);
    CHECK_ERRCLASS(MPI_Iprobe(0, 0, MPI_COMM_NULL, &flag, &st),
                   MPI_ERR_COMM);
    CHECK_ERRCLASS(MPI_Comm_rank(MPI_COMM_NULL, &r), MPI_ERR_COMM);
    CHECK_ERRCLASS(MPI_Comm_size(MPI_COMM_NULL, &r), MPI_ERR_COMM);
    CHECK_ERRCLASS(MPI_Comm_set_errhandler(MPI_COMM_NULL,
                                           MPI_ERRORS_RETURN),
                   MPI_ERR_COMM);
    return mpt_finish();
}
