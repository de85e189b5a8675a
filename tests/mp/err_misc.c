/*
 * err_misc: error classes (MPI_ERRORS_RETURN on COMM_WORLD) for misuse
 * of requests, datatypes, error codes and memory:
 * Request_free/Cancel/Start on MPI_REQUEST_NULL -> MPI_ERR_REQUEST;
 * Type_free of a predefined type -> MPI_ERR_TYPE; Type_contiguous with a
 * negative count -> MPI_ERR_COUNT; Type_vector with a negative block
 * length -> MPI_ERR_ARG or MPI_ERR_COUNT; Error_string/Error_class of an
 * unknown code -> MPI_ERR_ARG; Alloc_mem of a negative size ->
 * MPI_ERR_ARG (or MPI_ERR_NO_MEM); Comm_set_errhandler with
 * MPI_ERRHANDLER_NULL -> MPI_ERR_ARG; Send_init/Recv_init with an
 * invalid rank/tag -> MPI_ERR_RANK/MPI_ERR_TAG.
 * With argument "strict" also: a second Buffer_attach while one is
 * attached -> MPI_ERR_BUFFER (Open MPI 4.1.4
 * returns an internal negative code there, which is not a valid error
 * class; that testlist line is labelled ompi-wrong).
 */
#include "mptest.h"

int main(int argc, char **argv)
{
    MPI_Request r = MPI_REQUEST_NULL;
    MPI_Datatype d = MPI_INT, nd;
    char str[MPI_MAX_ERROR_STRING], buf[256];
    int len, cls, x = 0, strict;
    void *p;

    mpt_init(&argc, &argv, 1);
    strict = argc > 1 && strcmp(argv[1], "strict") == 0;
    CHECK_MPI(MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN));

    CHECK_ERRCLASS(MPI_Request_free(&r), MPI_ERR_REQUEST);
    CHECK_ERRCLASS(MPI_Cancel(&r), MPI_ERR_REQUEST);
    CHECK_ERRCLASS(MPI_Start(&r), MPI_ERR_REQUEST);
    CHECK_ERRCLASS(MPI_Startall(1, &r), MPI_ERR_REQUEST);

    CHECK_ERRCLASS(MPI_Type_free(&d), MPI_ERR_TYPE);
    CHECK(d == MPI_INT, "failed Type_free changed the handle");
    CHECK_ERRCLASS(MPI_Type_contiguous(-1, MPI_INT, &nd), MPI_ERR_COUNT);
    CHECK_ERRCLASS2(MPI_Type_vector(2, -1, 1, MPI_INT, &nd), MPI_ERR_ARG,
                    MPI_ERR_COUNT);
    CHECK_ERRCLASS(MPI_Type_contiguous(2, MPI_DATATYPE_NULL, &nd),
                   MPI_ERR_TYPE);

    CHECK_ERRCLASS(MPI_Error_string(MPI_ERR_LASTCODE + 100000, str, &len),
                   MPI_ERR_ARG);
    CHECK_ERRCLASS(MPI_Error_class(MPI_ERR_LASTCODE + 100000, &cls),
                   MPI_ERR_ARG);
    CHECK_ERRCLASS(MPI_Error_class(-12345, &cls), MPI_ERR_ARG);

    CHECK_ERRCLASS2(MPI_Alloc_mem(-5, MPI_INFO_NULL, &p), MPI_ERR_ARG,
                    MPI_ERR_NO_MEM);
    CHECK_ERRCLASS(MPI_Comm_set_errhandler(MPI_COMM_WORLD,
                                           MPI_ERRHANDLER_NULL),
                   MPI_ERR_ARG);

    CHECK_ERRCLASS(MPI_Send_init(&x, 1, MPI_INT, mpt_size + 1, 0,
                                 MPI_COMM_WORLD, &r),
                   MPI_ERR_RANK);
    CHECK_ERRCLASS(MPI_Recv_init(&x, 1, MPI_INT, 0, -9, MPI_COMM_WORLD, &r),
                   MPI_ERR_TAG);
    CHECK_ERRCLASS(MPI_Send_init(&x, -1, MPI_INT, 0, 0, MPI_COMM_WORLD, &r),
                   MPI_ERR_COUNT);

    if (strict) {
        void *dp;
        int ds;
        CHECK_MPI(MPI_Buffer_attach(buf, sizeof(buf)));
        CHECK_ERRCLASS(MPI_Buffer_attach(buf, sizeof(buf)), MPI_ERR_BUFFER);
        CHECK_MPI(MPI_Buffer_detach(&dp, &ds));
        CHECK(dp == buf && ds == (int)sizeof(buf), "detach after failure");
    }

    /* Still working: a self message. */
    CHECK_MPI(MPI_Sendrecv(&mpt_rank, 1, MPI_INT, mpt_rank, 1, &x, 1,
                           MPI_INT, mpt_rank, 1, MPI_COMM_WORLD,
                           MPI_STATUS_IGNORE));
    CHECK_EQ(x, mpt_rank, "self message after errors");
    return mpt_finish();
}
