/*
 * err_p2p: with MPI_ERRORS_RETURN on MPI_COMM_WORLD, invalid arguments to
 * point-to-point calls return the right error CLASS: invalid rank,
 * invalid tag (negative, > TAG_UB), negative count, MPI_DATATYPE_NULL,
 * uncommitted derived datatype (MPI_COMM_NULL is in err_commnull).
 * Afterwards communication still works. Needs 2 ranks.
 */
#include "mptest.h"

int main(int argc, char **argv)
{
    int buf[8] = {0}, *tub, flag, tag_ub, peer;
    MPI_Datatype vec;
    MPI_Request req = MPI_REQUEST_NULL;
    MPI_Status st;
    MPI_Message msg;

    mpt_init(&argc, &argv, 2);
    peer = (mpt_rank ^ 1) < mpt_size ? (mpt_rank ^ 1) : 0;
    CHECK_MPI(MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN));
    CHECK_MPI(MPI_Comm_get_attr(MPI_COMM_WORLD, MPI_TAG_UB, &tub, &flag));
    CHECK(flag, "no TAG_UB");
    tag_ub = *tub;

    /* Invalid rank. */
    CHECK_ERRCLASS(MPI_Send(buf, 1, MPI_INT, mpt_size, 0, MPI_COMM_WORLD),
                   MPI_ERR_RANK);
    CHECK_ERRCLASS(MPI_Send(buf, 1, MPI_INT, -5, 0, MPI_COMM_WORLD),
                   MPI_ERR_RANK);
    CHECK_ERRCLASS(MPI_Send(buf, 1, MPI_INT, MPI_ANY_SOURCE, 0,
                            MPI_COMM_WORLD),
                   MPI_ERR_RANK);
    CHECK_ERRCLASS(MPI_Recv(buf, 1, MPI_INT, mpt_size + 3, 0, MPI_COMM_WORLD,
                            &st),
                   MPI_ERR_RANK);
    CHECK_ERRCLASS(MPI_Isend(buf, 1, MPI_INT, mpt_size, 0, MPI_COMM_WORLD,
                             &req),
                   MPI_ERR_RANK);
    CHECK_ERRCLASS(MPI_Irecv(buf, 1, MPI_INT, -7, 0, MPI_COMM_WORLD, &req),
                   MPI_ERR_RANK);
    CHECK_ERRCLASS(MPI_Iprobe(mpt_size, 0, MPI_COMM_WORLD, &flag, &st),
                   MPI_ERR_RANK);
    CHECK_ERRCLASS(MPI_Improbe(mpt_size, 0, MPI_COMM_WORLD, &flag, &msg,
                               &st),
                   MPI_ERR_RANK);
    CHECK_ERRCLASS(MPI_Sendrecv(buf, 1, MPI_INT, mpt_size, 0, buf + 1, 1,
                                MPI_INT, peer, 0, MPI_COMM_WORLD, &st),
                   MPI_ERR_RANK);
    CHECK_ERRCLASS(MPI_Ssend(buf, 1, MPI_INT, mpt_size, 0, MPI_COMM_WORLD),
                   MPI_ERR_RANK);

    /* Invalid tag. */
    CHECK_ERRCLASS(MPI_Send(buf, 1, MPI_INT, peer, -1, MPI_COMM_WORLD),
                   MPI_ERR_TAG);
    CHECK_ERRCLASS(MPI_Send(buf, 1, MPI_INT, peer, MPI_ANY_TAG,
                            MPI_COMM_WORLD),
                   MPI_ERR_TAG);
    if (tag_ub < 0x7fffffff) {
        CHECK_ERRCLASS(MPI_Send(buf, 1, MPI_INT, peer, tag_ub + 1,
                                MPI_COMM_WORLD),
                       MPI_ERR_TAG);
        CHECK_ERRCLASS(MPI_Irecv(buf, 1, MPI_INT, peer, tag_ub + 1,
                                 MPI_COMM_WORLD, &req),
                       MPI_ERR_TAG);
    }
    CHECK_ERRCLASS(MPI_Recv(buf, 1, MPI_INT, peer, -7, MPI_COMM_WORLD, &st),
                   MPI_ERR_TAG);
    CHECK_ERRCLASS(MPI_Isend(buf, 1, MPI_INT, peer, -3, MPI_COMM_WORLD,
                             &req),
                   MPI_ERR_TAG);

    /* Negative count. */
    CHECK_ERRCLASS(MPI_Send(buf, -1, MPI_INT, peer, 0, MPI_COMM_WORLD),
                   MPI_ERR_COUNT);
    CHECK_ERRCLASS(MPI_Recv(buf, -4, MPI_INT, peer, 0, MPI_COMM_WORLD, &st),
                   MPI_ERR_COUNT);
    CHECK_ERRCLASS(MPI_Isend(buf, -2, MPI_INT, peer, 0, MPI_COMM_WORLD,
                             &req),
                   MPI_ERR_COUNT);

    /* Datatypes. */
    CHECK_ERRCLASS(MPI_Send(buf, 1, MPI_DATATYPE_NULL, peer, 0,
                            MPI_COMM_WORLD),
                   MPI_ERR_TYPE);
    CHECK_ERRCLASS(MPI_Recv(buf, 1, MPI_DATATYPE_NULL, peer, 0,
                            MPI_COMM_WORLD, &st),
                   MPI_ERR_TYPE);
    CHECK_MPI(MPI_Type_vector(2, 1, 2, MPI_INT, &vec));
    CHECK_ERRCLASS(MPI_Send(buf, 1, vec, peer, 0, MPI_COMM_WORLD),
                   MPI_ERR_TYPE);
    CHECK_ERRCLASS(MPI_Irecv(buf, 1, vec, peer, 0, MPI_COMM_WORLD, &req),
                   MPI_ERR_TYPE);
    CHECK_ERRCLASS(MPI_Type_commit(&(MPI_Datatype){MPI_DATATYPE_NULL}),
                   MPI_ERR_TYPE);
    {
        int sz = 0;
        CHECK_ERRCLASS(MPI_Type_size(MPI_DATATYPE_NULL, &sz), MPI_ERR_TYPE);
    }
    CHECK_MPI(MPI_Type_free(&vec));


    /* Everything still works after the errors. */
    if (mpt_rank < 2) {
        int v = mpt_rank + 100, got = -1;
        CHECK_MPI(MPI_Sendrecv(&v, 1, MPI_INT, peer, 4, &got, 1, MPI_INT,
                               peer, 4, MPI_COMM_WORLD, &st));
        CHECK_EQ(got, peer + 100, "value after errors");
    }
    return mpt_finish();
}
