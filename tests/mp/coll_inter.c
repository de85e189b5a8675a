/* Collectives on an intercommunicator between two unequal halves of COMM_WORLD: group A =
 * the first (size+2)/3 world ranks, group B = the rest. Every collective, blocking and
 * nonblocking (argument "nb" runs only the nonblocking forms), with roots on both sides.
 * Needs >= 2 ranks (passes trivially on 1). */
#include "mptest.h"

static int isA, na, lsize, rsize, lrank, wrank;
static MPI_Comm inter;
static int nb;

/* World rank of remote local rank i. */
static int rworld(int i)
{
    return isA ? na + i : i;
}

/* Contribution k of world rank w. */
static int val(int w, int k)
{
    return w * 100 + k;
}

static void wait1(MPI_Request *r)
{
    CHECK_MPI(MPI_Wait(r, MPI_STATUS_IGNORE));
}

#define RUN(blocking, nonblocking)                                                                 \
    do {                                                                                           \
        if (nb) {                                                                                  \
            MPI_Request r_;                                                                        \
            CHECK_MPI(nonblocking);                                                                \
            wait1(&r_);                                                                            \
        } else {                                                                                   \
            CHECK_MPI(blocking);                                                                   \
        }                                                                                          \
    } while (0)

/* Root argument for a collective rooted at local rank @p lr_root of group A (rootA=1) or B. */
static int root_arg(int rootA, int lr_root)
{
    if (isA == rootA) {
        return lrank == lr_root ? MPI_ROOT : MPI_PROC_NULL;
    }
    return lr_root;
}

static void t_bcast_reduce(int rootA)
{
    int lr_root = (rootA ? na : mpt_size - na) - 1; /* last rank of the root group */
    int root = root_arg(rootA, lr_root), k, i, buf[5];
    int rw = rootA ? lr_root : na + lr_root; /* root's world rank */
    for (k = 0; k < 5; k++) {
        buf[k] = root == MPI_ROOT ? val(wrank, k) : -1;
    }
    RUN(MPI_Bcast(buf, 5, MPI_INT, root, inter), MPI_Ibcast(buf, 5, MPI_INT, root, inter, &r_));
    for (k = 0; k < 5; k++) {
        int exp = root == MPI_PROC_NULL ? -1 : val(rw, k);
        CHECK_EQ(buf[k], exp, "bcast element");
    }
    /* reduce: the root receives the sum over the other group */
    int in[3], out[3] = {-7, -7, -7};
    for (k = 0; k < 3; k++) {
        in[k] = val(wrank, k);
    }
    RUN(MPI_Reduce(in, out, 3, MPI_INT, MPI_SUM, root, inter),
        MPI_Ireduce(in, out, 3, MPI_INT, MPI_SUM, root, inter, &r_));
    for (k = 0; k < 3; k++) {
        int exp = -7;
        if (root == MPI_ROOT) {
            exp = 0;
            for (i = 0; i < rsize; i++) {
                exp += val(rworld(i), k);
            }
        }
        CHECK_EQ(out[k], exp, "reduce element");
    }
}

static void t_gather_scatter(int rootA)
{
    int lr_root = 0;
    int root = root_arg(rootA, lr_root), i, k;
    int rw = rootA ? lr_root : na + lr_root;
    int mine[2] = {val(wrank, 0), val(wrank, 1)};
    int *all = mpt_malloc(sizeof(int) * 2 * (size_t)rsize * 3);
    int *counts = mpt_malloc(sizeof(int) * (size_t)rsize),
        *displs = mpt_malloc(sizeof(int) * (size_t)rsize);
    for (i = 0; i < 2 * rsize * 3; i++) {
        all[i] = -1;
    }
    RUN(MPI_Gather(mine, 2, MPI_INT, all, 2, MPI_INT, root, inter),
        MPI_Igather(mine, 2, MPI_INT, all, 2, MPI_INT, root, inter, &r_));
    if (root == MPI_ROOT) {
        for (i = 0; i < rsize; i++) {
            CHECK_EQ(all[2 * i], val(rworld(i), 0), "gather block");
            CHECK_EQ(all[2 * i + 1], val(rworld(i), 1), "gather block");
        }
    }
    /* gatherv: remote i sends i % 2 + 1 ints, placed at 3 * i (reversed order of blocks) */
    for (i = 0; i < rsize; i++) {
        counts[i] = i % 2 + 1;
        displs[i] = 3 * (rsize - 1 - i);
    }
    for (i = 0; i < 3 * rsize; i++) {
        all[i] = -1;
    }
    RUN(MPI_Gatherv(mine, lrank % 2 + 1, MPI_INT, all, counts, displs, MPI_INT, root, inter),
        MPI_Igatherv(mine, lrank % 2 + 1, MPI_INT, all, counts, displs, MPI_INT, root, inter, &r_));
    if (root == MPI_ROOT) {
        for (i = 0; i < rsize; i++) {
            for (k = 0; k < 3; k++) {
                int exp = k < counts[i] ? val(rworld(i), k) : -1;
                CHECK_EQ(all[displs[i] + k], exp, "gatherv element");
            }
        }
    }
    /* scatter / scatterv: the root sends block i = val(root, 10 * i + k) */
    for (i = 0; i < rsize; i++) {
        for (k = 0; k < 3; k++) {
            all[3 * i + k] = val(wrank, 10 * i + k);
        }
    }
    int got[3] = {-1, -1, -1};
    RUN(MPI_Scatter(all, 3, MPI_INT, got, 3, MPI_INT, root, inter),
        MPI_Iscatter(all, 3, MPI_INT, got, 3, MPI_INT, root, inter, &r_));
    for (k = 0; k < 3; k++) {
        CHECK_EQ(got[k], root >= 0 ? val(rw, 10 * lrank + k) : -1, "scatter element");
    }
    for (i = 0; i < rsize; i++) {
        counts[i] = i % 3 + 1;
        displs[i] = 3 * i;
    }
    got[0] = got[1] = got[2] = -1;
    RUN(MPI_Scatterv(all, counts, displs, MPI_INT, got, lrank % 3 + 1, MPI_INT, root, inter),
        MPI_Iscatterv(all, counts, displs, MPI_INT, got, lrank % 3 + 1, MPI_INT, root, inter, &r_));
    for (k = 0; k < 3; k++) {
        int exp = root >= 0 && k <= lrank % 3 ? val(rw, 10 * lrank + k) : -1;
        CHECK_EQ(got[k], exp, "scatterv element");
    }
    free(all);
    free(counts);
    free(displs);
}

static void t_all(void)
{
    int i, k;
    int in[4], out[4];
    /* allreduce: everyone gets the other group's sum; MAX too */
    for (k = 0; k < 4; k++) {
        in[k] = val(wrank, k);
    }
    RUN(MPI_Allreduce(in, out, 4, MPI_INT, MPI_SUM, inter),
        MPI_Iallreduce(in, out, 4, MPI_INT, MPI_SUM, inter, &r_));
    for (k = 0; k < 4; k++) {
        int exp = 0;
        for (i = 0; i < rsize; i++) {
            exp += val(rworld(i), k);
        }
        CHECK_EQ(out[k], exp, "allreduce element");
    }
    RUN(MPI_Allreduce(in, out, 4, MPI_INT, MPI_MAX, inter),
        MPI_Iallreduce(in, out, 4, MPI_INT, MPI_MAX, inter, &r_));
    CHECK_EQ(out[0], val(rworld(rsize - 1), 0), "allreduce max");

    /* allgather(v) */
    int *all = mpt_malloc(sizeof(int) * 4 * (size_t)rsize);
    int *counts = mpt_malloc(sizeof(int) * (size_t)rsize),
        *displs = mpt_malloc(sizeof(int) * (size_t)rsize);
    RUN(MPI_Allgather(in, 2, MPI_INT, all, 2, MPI_INT, inter),
        MPI_Iallgather(in, 2, MPI_INT, all, 2, MPI_INT, inter, &r_));
    for (i = 0; i < rsize; i++) {
        CHECK_EQ(all[2 * i], val(rworld(i), 0), "allgather");
        CHECK_EQ(all[2 * i + 1], val(rworld(i), 1), "allgather");
    }
    for (i = 0; i < rsize; i++) {
        counts[i] = (i + 1) % 3;
        displs[i] = 4 * (rsize - 1 - i);
    }
    for (i = 0; i < 4 * rsize; i++) {
        all[i] = -1;
    }
    RUN(MPI_Allgatherv(in, (lrank + 1) % 3, MPI_INT, all, counts, displs, MPI_INT, inter),
        MPI_Iallgatherv(in, (lrank + 1) % 3, MPI_INT, all, counts, displs, MPI_INT, inter, &r_));
    for (i = 0; i < rsize; i++) {
        for (k = 0; k < 4; k++) {
            CHECK_EQ(all[displs[i] + k], k < counts[i] ? val(rworld(i), k) : -1, "allgatherv");
        }
    }
    free(all);
    free(counts);
    free(displs);
}

static void t_alltoall(void)
{
    int i, k;
    int n = rsize;
    int *sb = mpt_malloc(sizeof(int) * 3 * (size_t)n),
        *rb = mpt_malloc(sizeof(int) * 3 * (size_t)n);
    int *sc = mpt_malloc(sizeof(int) * (size_t)n), *sd = mpt_malloc(sizeof(int) * (size_t)n);
    int *rc = mpt_malloc(sizeof(int) * (size_t)n), *rd = mpt_malloc(sizeof(int) * (size_t)n);
    MPI_Datatype *ty = mpt_malloc(sizeof(MPI_Datatype) * (size_t)n);
    /* block for remote j: val(me, 10 * j + k) */
    for (i = 0; i < n; i++) {
        for (k = 0; k < 3; k++) {
            sb[3 * i + k] = val(wrank, 10 * i + k);
        }
    }
    RUN(MPI_Alltoall(sb, 3, MPI_INT, rb, 3, MPI_INT, inter),
        MPI_Ialltoall(sb, 3, MPI_INT, rb, 3, MPI_INT, inter, &r_));
    for (i = 0; i < n; i++) {
        for (k = 0; k < 3; k++) {
            CHECK_EQ(rb[3 * i + k], val(rworld(i), 10 * lrank + k), "alltoall");
        }
    }
    /* v: I send (j + lrank) % 3 + 1... to remote j; remote j sends me (lrank + j) % 3 + 1 */
    for (i = 0; i < n; i++) {
        sc[i] = (i + lrank) % 3 + 1;
        sd[i] = 3 * i;
        rc[i] = (lrank + i) % 3 + 1;
        rd[i] = 3 * (n - 1 - i);
    }
    for (i = 0; i < 3 * n; i++) {
        rb[i] = -1;
    }
    RUN(MPI_Alltoallv(sb, sc, sd, MPI_INT, rb, rc, rd, MPI_INT, inter),
        MPI_Ialltoallv(sb, sc, sd, MPI_INT, rb, rc, rd, MPI_INT, inter, &r_));
    for (i = 0; i < n; i++) {
        for (k = 0; k < 3; k++) {
            CHECK_EQ(rb[rd[i] + k], k < rc[i] ? val(rworld(i), 10 * lrank + k) : -1, "alltoallv");
        }
    }
    /* w: byte displacements, all MPI_INT */
    for (i = 0; i < n; i++) {
        sd[i] *= (int)sizeof(int);
        rd[i] *= (int)sizeof(int);
        ty[i] = MPI_INT;
    }
    for (i = 0; i < 3 * n; i++) {
        rb[i] = -1;
    }
    RUN(MPI_Alltoallw(sb, sc, sd, ty, rb, rc, rd, ty, inter),
        MPI_Ialltoallw(sb, sc, sd, ty, rb, rc, rd, ty, inter, &r_));
    for (i = 0; i < n; i++) {
        for (k = 0; k < 3; k++) {
            CHECK_EQ(rb[rd[i] / (int)sizeof(int) + k],
                     k < rc[i] ? val(rworld(i), 10 * lrank + k) : -1, "alltoallw");
        }
    }
    free(sb);
    free(rb);
    free(sc);
    free(sd);
    free(rc);
    free(rd);
    free(ty);
}

static void t_reduce_scatter(void)
{
    /* Both groups reduce vectors of the same length T = 6; each group splits it its own way. */
    const int T = 6;
    int *counts = mpt_malloc(sizeof(int) * (size_t)lsize);
    int i, k, off = 0, in[6], out[6];
    for (i = 0; i < lsize; i++) {
        counts[i] = T / lsize + (i < T % lsize ? 1 : 0);
        if (i < lrank) {
            off += counts[i];
        }
    }
    for (k = 0; k < T; k++) {
        in[k] = val(wrank, k);
        out[k] = -1;
    }
    RUN(MPI_Reduce_scatter(in, out, counts, MPI_INT, MPI_SUM, inter),
        MPI_Ireduce_scatter(in, out, counts, MPI_INT, MPI_SUM, inter, &r_));
    for (k = 0; k < 6; k++) {
        int exp = -1;
        if (k < counts[lrank]) {
            exp = 0;
            for (i = 0; i < rsize; i++) {
                exp += val(rworld(i), off + k);
            }
        }
        CHECK_EQ(out[k], exp, "reduce_scatter element");
    }
    free(counts);
    /* block form: recvcount * lsize must match between groups → recvcount = rsize here,
     * so each group's vector has lsize * rsize elements */
    int n = lsize * rsize;
    int *vin = mpt_malloc(sizeof(int) * (size_t)n), vout[64];
    for (k = 0; k < n; k++) {
        vin[k] = val(wrank, k);
    }
    RUN(MPI_Reduce_scatter_block(vin, vout, rsize, MPI_INT, MPI_SUM, inter),
        MPI_Ireduce_scatter_block(vin, vout, rsize, MPI_INT, MPI_SUM, inter, &r_));
    for (k = 0; k < rsize; k++) {
        int exp = 0;
        for (i = 0; i < rsize; i++) {
            exp += val(rworld(i), lrank * rsize + k);
        }
        CHECK_EQ(vout[k], exp, "reduce_scatter_block element");
    }
    free(vin);
}

/* Large vectors: the local phases switch to their bandwidth algorithms. */
static void t_large(void)
{
    const int N = 100000;
    int *a = mpt_malloc(sizeof(int) * (size_t)N), *b = mpt_malloc(sizeof(int) * (size_t)N);
    int i, k;
    for (k = 0; k < N; k++) {
        a[k] = wrank + k;
    }
    RUN(MPI_Allreduce(a, b, N, MPI_INT, MPI_SUM, inter),
        MPI_Iallreduce(a, b, N, MPI_INT, MPI_SUM, inter, &r_));
    long base = 0;
    for (i = 0; i < rsize; i++) {
        base += rworld(i);
    }
    for (k = 0; k < N; k += 997) {
        CHECK_EQ(b[k], base + (long)rsize * k, "large allreduce element");
    }
    /* group A's rank 0 broadcasts to group B */
    int root = isA ? (lrank == 0 ? MPI_ROOT : MPI_PROC_NULL) : 0;
    for (k = 0; k < N; k++) {
        b[k] = root == MPI_ROOT ? 3 * k : -1;
    }
    RUN(MPI_Bcast(b, N, MPI_INT, root, inter), MPI_Ibcast(b, N, MPI_INT, root, inter, &r_));
    for (k = 0; k < N; k += 101) {
        CHECK_EQ(b[k], root == MPI_PROC_NULL ? -1 : 3 * k, "large bcast element");
    }
    free(a);
    free(b);
}

int main(int argc, char **argv)
{
    mpt_init(&argc, &argv, 1);
    nb = argc > 1 && strcmp(argv[1], "nb") == 0;
    if (mpt_size < 2 || mpt_size > 64) {
        return mpt_finish();
    }
    wrank = mpt_rank;
    na = (mpt_size + 2) / 3;
    isA = wrank < na;
    MPI_Comm half;
    CHECK_MPI(MPI_Comm_split(MPI_COMM_WORLD, isA ? 0 : 1, wrank, &half));
    CHECK_MPI(MPI_Intercomm_create(half, 0, MPI_COMM_WORLD, isA ? na : 0, 7, &inter));
    MPI_Comm_size(inter, &lsize);
    MPI_Comm_remote_size(inter, &rsize);
    MPI_Comm_rank(inter, &lrank);
    CHECK_EQ(lsize, isA ? na : mpt_size - na, "local size");

    int rep;
    for (rep = 0; rep < 2; rep++) {
        RUN(MPI_Barrier(inter), MPI_Ibarrier(inter, &r_));
        t_bcast_reduce(1);
        t_bcast_reduce(0);
        t_gather_scatter(1);
        t_gather_scatter(0);
        t_all();
        t_alltoall();
        t_reduce_scatter();
    }
    t_large();
    /* Scan and Exscan are not defined on intercommunicators */
    MPI_Comm_set_errhandler(inter, MPI_ERRORS_RETURN);
    int a = 1, b = 0;
    CHECK_ERRCLASS(MPI_Scan(&a, &b, 1, MPI_INT, MPI_SUM, inter), MPI_ERR_COMM);
#ifndef OPEN_MPI /* Open MPI 4.1.4 calls a NULL function pointer for Exscan on an intercomm */
    CHECK_ERRCLASS(MPI_Exscan(&a, &b, 1, MPI_INT, MPI_SUM, inter), MPI_ERR_COMM);
#endif
    CHECK_MPI(MPI_Comm_free(&inter));
    CHECK_MPI(MPI_Comm_free(&half));
    return mpt_finish();
}
