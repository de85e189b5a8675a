/* A 5-point stencil on a periodic 2-D torus: each process owns an LX x LY block with a halo,
 * exchanged by (I)Neighbor_alltoallw with row and column datatypes; after ITER steps every
 * cell must equal a serial computation of the whole grid (exact integer arithmetic), and an
 * Allreduce checksum must match. Any number of ranks. */
#include "mptest.h"

#define LX 4
#define LY 5
#define ITER 6
#define MOD 1000003

static int init_val(int gx, int gy)
{
    return (gx * 131 + gy * 71 + gx * gy) % 997;
}

static int step(int c, int n, int s, int w, int e)
{
    return (int)(((long)n + s + w + e + 2L * c) % MOD);
}

int main(int argc, char **argv)
{
    mpt_init(&argc, &argv, 1);
    int dims[2] = {0, 0}, periods[2] = {1, 1}, coords[2], rank, i, x, y, it;
    MPI_Comm torus;
    CHECK_MPI(MPI_Dims_create(mpt_size, 2, dims));
    CHECK_MPI(MPI_Cart_create(MPI_COMM_WORLD, 2, dims, periods, 1, &torus));
    MPI_Comm_rank(torus, &rank);
    CHECK_MPI(MPI_Cart_coords(torus, rank, 2, coords));
    int NX = dims[0] * LX, NY = dims[1] * LY;
    int nonblocking_ok = 1;
#ifdef OPEN_MPI
    /* Open MPI 4.1.4's nonblocking neighbourhood collectives swap the blocks of a periodic
     * dimension of size <= 2 (see nbr_cart.c); use its blocking form there. */
    nonblocking_ok = dims[0] > 2 && dims[1] > 2;
#endif

    /* serial reference over the whole grid */
    int *g = mpt_malloc(sizeof(int) * (size_t)NX * NY),
        *g2 = mpt_malloc(sizeof(int) * (size_t)NX * NY);
    for (x = 0; x < NX; x++) {
        for (y = 0; y < NY; y++) {
            g[x * NY + y] = init_val(x, y);
        }
    }
    for (it = 0; it < ITER; it++) {
        for (x = 0; x < NX; x++) {
            for (y = 0; y < NY; y++) {
                g2[x * NY + y] =
                    step(g[x * NY + y], g[((x - 1 + NX) % NX) * NY + y], g[((x + 1) % NX) * NY + y],
                         g[x * NY + (y - 1 + NY) % NY], g[x * NY + (y + 1) % NY]);
            }
        }
        int *t = g;
        g = g2;
        g2 = t;
    }

    /* distributed: local array (LX + 2) x (LY + 2) with halo */
    enum { W = LY + 2 };
    int u[LX + 2][W], v[LX + 2][W], sb[LX + 2][W]; /* sb: send copy (no aliasing) */
    memset(u, 0, sizeof(u));
    for (x = 0; x < LX; x++) {
        for (y = 0; y < LY; y++) {
            u[x + 1][y + 1] = init_val(coords[0] * LX + x, coords[1] * LY + y);
        }
    }
    MPI_Datatype row, col;
    CHECK_MPI(MPI_Type_contiguous(LY, MPI_INT, &row));
    CHECK_MPI(MPI_Type_vector(LX, 1, W, MPI_INT, &col));
    CHECK_MPI(MPI_Type_commit(&row));
    CHECK_MPI(MPI_Type_commit(&col));
    /* neighbours: x-1, x+1, y-1, y+1 */
#define OFF(r, c) ((MPI_Aint)(((r)*W + (c)) * (int)sizeof(int)))
    MPI_Aint sd[4] = {OFF(1, 1), OFF(LX, 1), OFF(1, 1), OFF(1, LY)};
    MPI_Aint rd[4] = {OFF(0, 1), OFF(LX + 1, 1), OFF(1, 0), OFF(1, LY + 1)};
    MPI_Datatype ty[4] = {row, row, col, col};
    int cnt[4] = {1, 1, 1, 1};
    for (it = 0; it < ITER; it++) {
        memcpy(sb, u, sizeof(u));
        if (it % 2 == 1 && nonblocking_ok) {
            MPI_Request rq;
            CHECK_MPI(MPI_Ineighbor_alltoallw(sb, cnt, sd, ty, u, cnt, rd, ty, torus, &rq));
            CHECK_MPI(MPI_Wait(&rq, MPI_STATUS_IGNORE));
        } else {
            CHECK_MPI(MPI_Neighbor_alltoallw(sb, cnt, sd, ty, u, cnt, rd, ty, torus));
        }
        for (x = 1; x <= LX; x++) {
            for (y = 1; y <= LY; y++) {
                v[x][y] = step(u[x][y], u[x - 1][y], u[x + 1][y], u[x][y - 1], u[x][y + 1]);
            }
        }
        for (x = 1; x <= LX; x++) {
            for (y = 1; y <= LY; y++) {
                u[x][y] = v[x][y];
            }
        }
    }
    long sum = 0, gsum = 0, ref = 0;
    for (x = 0; x < LX; x++) {
        for (y = 0; y < LY; y++) {
            int gx = coords[0] * LX + x, gy = coords[1] * LY + y;
            CHECK(u[x + 1][y + 1] == g[gx * NY + gy], "cell (%d,%d): %d, serial %d", gx, gy,
                  u[x + 1][y + 1], g[gx * NY + gy]);
            sum += u[x + 1][y + 1];
        }
    }
    for (i = 0; i < NX * NY; i++) {
        ref += g[i];
    }
    CHECK_MPI(MPI_Allreduce(&sum, &gsum, 1, MPI_LONG, MPI_SUM, torus));
    CHECK_EQ(gsum, ref, "global checksum");
    MPI_Type_free(&row);
    MPI_Type_free(&col);
    CHECK_MPI(MPI_Comm_free(&torus));
    free(g);
    free(g2);
    return mpt_finish();
}
