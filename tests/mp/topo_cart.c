/* Cartesian topologies: MPI_Dims_create (free and fixed entries, error cases), Cart_create
 * in 2-D and 3-D, coordinate/rank round trips, Cart_shift at edges and with wrap-around,
 * Cart_get / Cartdim_get / Cart_map / Topo_test, the topology surviving MPI_Comm_dup, and
 * Cart_sub rows and columns checked with Allreduce. Any number of ranks. */
#include "mptest.h"

static void check_dims(int nnodes, int ndims, const int *in, const int *exp)
{
    int d[8], i;
    memcpy(d, in, sizeof(int) * (size_t)ndims);
    CHECK_MPI(MPI_Dims_create(nnodes, ndims, d));
    for (i = 0; i < ndims; i++) {
        if (d[i] != exp[i]) {
            MPT_FAIL("Dims_create(%d, %d): dims[%d] = %d, expected %d", nnodes, ndims, i, d[i],
                     exp[i]);
        }
    }
}

static void t_dims(void)
{
    check_dims(12, 2, (int[]){0, 0}, (int[]){4, 3});
    check_dims(8, 3, (int[]){0, 0, 0}, (int[]){2, 2, 2});
    check_dims(7, 2, (int[]){0, 0}, (int[]){7, 1});
    check_dims(16, 2, (int[]){0, 0}, (int[]){4, 4});
    check_dims(24, 3, (int[]){0, 0, 0}, (int[]){4, 3, 2});
    check_dims(1, 3, (int[]){0, 0, 0}, (int[]){1, 1, 1});
    check_dims(12, 3, (int[]){0, 3, 0}, (int[]){2, 3, 2});
    check_dims(6, 2, (int[]){0, 2}, (int[]){3, 2});
    check_dims(6, 2, (int[]){3, 2}, (int[]){3, 2});
    check_dims(30, 2, (int[]){0, 0}, (int[]){6, 5});
    /* property check over many sizes: product, order, balance within a factor */
    int n, d[3];
    for (n = 1; n <= 64; n++) {
        d[0] = d[1] = d[2] = 0;
        CHECK_MPI(MPI_Dims_create(n, 3, d));
        CHECK_EQ(d[0] * d[1] * d[2], n, "product of dims");
        CHECK(d[0] >= d[1] && d[1] >= d[2], "non-increasing dims for %d: %d %d %d", n, d[0], d[1],
              d[2]);
    }
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    int e[2] = {5, 0};
    CHECK_ERRCLASS(MPI_Dims_create(12, 2, e), MPI_ERR_DIMS); /* 5 does not divide 12 */
    int f[2] = {-1, 0};
    CHECK_ERRCLASS2(MPI_Dims_create(4, 2, f), MPI_ERR_DIMS, MPI_ERR_ARG);
    int g[2] = {2, 3};
    CHECK_ERRCLASS2(MPI_Dims_create(12, 2, g), MPI_ERR_DIMS, MPI_ERR_ARG); /* 6 != 12 */
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_ARE_FATAL);
}

/* Exercise one Cartesian communicator. */
static void t_cart(int ndims, const int *dims, const int *periods)
{
    MPI_Comm cart, dup;
    int i, n = 1, rank, size, type;
    for (i = 0; i < ndims; i++) {
        n *= dims[i];
    }
    CHECK_MPI(MPI_Cart_create(MPI_COMM_WORLD, ndims, dims, periods, 0, &cart));
    if (mpt_rank >= n) {
        CHECK(cart == MPI_COMM_NULL, "rank %d beyond the %d-process grid got a communicator",
              mpt_rank, n);
        return;
    }
    CHECK(cart != MPI_COMM_NULL, "no Cartesian communicator");
    MPI_Comm_rank(cart, &rank);
    MPI_Comm_size(cart, &size);
    CHECK_EQ(size, n, "cart size");
    CHECK_EQ(rank, mpt_rank, "cart rank (no reordering)");
    CHECK_MPI(MPI_Topo_test(cart, &type));
    CHECK_EQ(type, MPI_CART, "topo_test");
    int nd, gd[4], gp[4], gc[4], c[4], r;
    CHECK_MPI(MPI_Cartdim_get(cart, &nd));
    CHECK_EQ(nd, ndims, "cartdim");
    CHECK_MPI(MPI_Cart_get(cart, 4, gd, gp, gc));
    /* row-major coordinates computed by hand */
    int rem = rank;
    for (i = ndims - 1; i >= 0; i--) {
        c[i] = rem % dims[i];
        rem /= dims[i];
    }
    for (i = 0; i < ndims; i++) {
        CHECK_EQ(gd[i], dims[i], "cart_get dims");
        CHECK_EQ(!!gp[i], !!periods[i], "cart_get periods");
        CHECK_EQ(gc[i], c[i], "cart_get coords");
    }
    /* coords <-> rank for every rank */
    for (r = 0; r < size; r++) {
        int rr;
        CHECK_MPI(MPI_Cart_coords(cart, r, 4, c));
        CHECK_MPI(MPI_Cart_rank(cart, c, &rr));
        CHECK_EQ(rr, r, "cart_rank(cart_coords(r))");
    }
    /* shifts: compare with coordinates */
    for (i = 0; i < ndims; i++) {
        int disp;
        for (disp = -2; disp <= 2; disp++) {
            int src, dst, k;
            CHECK_MPI(MPI_Cart_shift(cart, i, disp, &src, &dst));
            for (k = 0; k < 2; k++) {
                int cc[4], got = k ? dst : src, x = gc[i] + (k ? disp : -disp), exp;
                memcpy(cc, gc, sizeof(cc));
                if (x < 0 || x >= dims[i]) {
                    if (!periods[i]) {
                        CHECK_EQ(got, MPI_PROC_NULL, "shift off a non-periodic edge");
                        continue;
                    }
                    x = ((x % dims[i]) + dims[i]) % dims[i];
                }
                cc[i] = x;
                CHECK_MPI(MPI_Cart_rank(cart, cc, &exp));
                CHECK_EQ(got, exp, "shift neighbour");
            }
        }
    }
    /* wrap-around in Cart_rank on periodic dimensions, error on non-periodic ones */
    MPI_Comm_set_errhandler(cart, MPI_ERRORS_RETURN);
    for (i = 0; i < ndims; i++) {
        memcpy(c, gc, sizeof(c));
        c[i] = gc[i] + dims[i];
        if (periods[i]) {
            CHECK_MPI(MPI_Cart_rank(cart, c, &r));
            CHECK_EQ(r, rank, "periodic wrap of cart_rank");
            c[i] = gc[i] - 3 * dims[i];
            CHECK_MPI(MPI_Cart_rank(cart, c, &r));
            CHECK_EQ(r, rank, "negative periodic wrap of cart_rank");
        } else {
            CHECK_ERRCLASS2(MPI_Cart_rank(cart, c, &r), MPI_ERR_RANK, MPI_ERR_ARG);
        }
    }
    /* topology survives dup */
    CHECK_MPI(MPI_Comm_dup(cart, &dup));
    CHECK_MPI(MPI_Topo_test(dup, &type));
    CHECK_EQ(type, MPI_CART, "topo_test after dup");
    CHECK_MPI(MPI_Cart_get(dup, 4, gd, gp, c));
    for (i = 0; i < ndims; i++) {
        CHECK_EQ(gd[i], dims[i], "dup dims");
        CHECK_EQ(c[i], gc[i], "dup coords");
    }
    CHECK_MPI(MPI_Comm_free(&dup));
    /* Cart_map: identity within the grid */
    CHECK_MPI(MPI_Cart_map(MPI_COMM_WORLD, ndims, dims, periods, &r));
    CHECK_EQ(r, mpt_rank, "cart_map");

    /* Cart_sub: keep each single dimension, sum the world ranks along it */
    for (i = 0; i < ndims; i++) {
        int remain[4] = {0, 0, 0, 0}, sub_size, sub_rank, sum, exp = 0, sd;
        MPI_Comm sub;
        remain[i] = 1;
        CHECK_MPI(MPI_Cart_sub(cart, remain, &sub));
        MPI_Comm_size(sub, &sub_size);
        MPI_Comm_rank(sub, &sub_rank);
        CHECK_EQ(sub_size, dims[i], "cart_sub size");
        CHECK_EQ(sub_rank, gc[i], "cart_sub rank = coordinate");
        CHECK_MPI(MPI_Cartdim_get(sub, &sd));
        CHECK_EQ(sd, 1, "cart_sub dimensions");
        CHECK_MPI(MPI_Allreduce(&rank, &sum, 1, MPI_INT, MPI_SUM, sub));
        for (r = 0; r < dims[i]; r++) {
            memcpy(c, gc, sizeof(c));
            c[i] = r;
            int rr;
            CHECK_MPI(MPI_Cart_rank(cart, c, &rr));
            exp += rr;
        }
        CHECK_EQ(sum, exp, "allreduce along a cart_sub line");
        CHECK_MPI(MPI_Comm_free(&sub));
    }
    if (ndims >= 2) {
        /* drop dimension 0: planes/rows of the remaining dimensions */
        int remain[4] = {0, 1, 1, 1}, sub_size, cnt;
        MPI_Comm sub;
        CHECK_MPI(MPI_Cart_sub(cart, remain, &sub));
        MPI_Comm_size(sub, &sub_size);
        CHECK_EQ(sub_size, n / dims[0], "cart_sub plane size");
        int one = 1;
        CHECK_MPI(MPI_Allreduce(&one, &cnt, 1, MPI_INT, MPI_SUM, sub));
        CHECK_EQ(cnt, n / dims[0], "allreduce count in a plane");
        CHECK_MPI(MPI_Comm_free(&sub));
    }
    CHECK_MPI(MPI_Comm_free(&cart));
}

int main(int argc, char **argv)
{
    int type;
    mpt_init(&argc, &argv, 1);
    t_dims();
    CHECK_MPI(MPI_Topo_test(MPI_COMM_WORLD, &type));
    CHECK_EQ(type, MPI_UNDEFINED, "world has no topology");

    int d2[2] = {0, 0}, p2[2] = {1, 0};
    CHECK_MPI(MPI_Dims_create(mpt_size, 2, d2));
    t_cart(2, d2, p2);
    int d3[3] = {0, 0, 0}, p3[3] = {0, 1, 1};
    CHECK_MPI(MPI_Dims_create(mpt_size, 3, d3));
    t_cart(3, d3, p3);
    /* a grid smaller than the world: the last rank is left out when size > 1 */
    int d1[1] = {mpt_size > 1 ? mpt_size - 1 : 1}, p1[1] = {0};
    t_cart(1, d1, p1);
    /* zero dimensions: a one-process communicator with a 0-dimensional grid; Cart_sub that
     * keeps no dimension gives one-process communicators too */
    MPI_Comm c0, sub;
    int nd, sz;
    CHECK_MPI(MPI_Cart_create(MPI_COMM_WORLD, 0, NULL, NULL, 0, &c0));
    if (mpt_rank == 0) {
        CHECK(c0 != MPI_COMM_NULL, "rank 0 got no 0-dimensional communicator");
        MPI_Comm_size(c0, &sz);
        CHECK_EQ(sz, 1, "0-dimensional grid size");
        CHECK_MPI(MPI_Cartdim_get(c0, &nd));
        CHECK_EQ(nd, 0, "0-dimensional grid dims");
        CHECK_MPI(MPI_Topo_test(c0, &type));
        CHECK_EQ(type, MPI_CART, "0-dimensional grid is Cartesian");
        CHECK_MPI(MPI_Comm_free(&c0));
    } else {
        CHECK(c0 == MPI_COMM_NULL, "rank %d got a 0-dimensional communicator", mpt_rank);
    }
    MPI_Comm full;
    int rem0[2] = {0, 0};
    CHECK_MPI(MPI_Cart_create(MPI_COMM_WORLD, 2, d2, p2, 0, &full));
    CHECK_MPI(MPI_Cart_sub(full, rem0, &sub));
    MPI_Comm_size(sub, &sz);
    CHECK_EQ(sz, 1, "cart_sub keeping no dimension");
    CHECK_MPI(MPI_Cartdim_get(sub, &nd));
    CHECK_EQ(nd, 0, "cart_sub keeping no dimension: dims");
    CHECK_MPI(MPI_Comm_free(&sub));
    CHECK_MPI(MPI_Comm_free(&full));

    /* too many processes requested */
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    int big[2] = {mpt_size + 1, 1}, pp[2] = {0, 0};
    MPI_Comm bad = MPI_COMM_NULL;
    CHECK(MPI_Cart_create(MPI_COMM_WORLD, 2, big, pp, 0, &bad) != MPI_SUCCESS,
          "cart_create with %d > %d processes succeeded", mpt_size + 1, mpt_size);
    return mpt_finish();
}
