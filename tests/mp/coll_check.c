/*
 * Collective result checker: every collective (blocking and nonblocking), every root, several
 * sizes (small, and large enough for the bandwidth algorithms), MPI_IN_PLACE, a derived type,
 * and a non-commutative user operation (2x2 matrix product) whose result depends on order.
 */
#include <stdlib.h>
#include <string.h>

#include "mptest.h"

static int rank, size;

/* 2x2 integer matrix product, row-major: inout = in * inout (non-commutative). */
static void matmul(void *in, void *inout, int *len, MPI_Datatype *dt)
{
    int *a = in, *b = inout, i;
    (void)dt;
    for (i = 0; i < *len; i++, a += 4, b += 4) {
        int c0 = a[0] * b[0] + a[1] * b[2], c1 = a[0] * b[1] + a[1] * b[3];
        int c2 = a[2] * b[0] + a[3] * b[2], c3 = a[2] * b[1] + a[3] * b[3];
        b[0] = c0, b[1] = c1, b[2] = c2, b[3] = c3;
    }
}

/* Rank r's matrix: [[1, r+1], [0, 1]] mod nothing; products of these are [[1, s],[0,1]] with
 * s the sum, which is commutative, so use [[r+1, 1], [1, 0]] (Fibonacci-like, order matters). */
static void rank_matrix(int r, int *m)
{
    m[0] = (r % 3) + 1, m[1] = 1, m[2] = 1, m[3] = 0;
}

static void matrix_prefix(int upto, int *out) /* M0 * M1 * ... * M_upto */
{
    int r, t[4];
    rank_matrix(0, out);
    for (r = 1; r <= upto; r++) {
        rank_matrix(r, t);
        int a0 = out[0] * t[0] + out[1] * t[2], a1 = out[0] * t[1] + out[1] * t[3];
        int a2 = out[2] * t[0] + out[3] * t[2], a3 = out[2] * t[1] + out[3] * t[3];
        out[0] = a0, out[1] = a1, out[2] = a2, out[3] = a3;
    }
}

static void check_reductions(int n, int nb)
{
    long *s = malloc(sizeof(long) * (size_t)n), *r = malloc(sizeof(long) * (size_t)n);
    int i, root;
    MPI_Request q;
    for (i = 0; i < n; i++) {
        s[i] = rank * 1000L + i;
    }
    long sumr = (long)size * (size - 1) / 2 * 1000L;
    /* allreduce SUM, then in place MAX */
    if (nb) {
        MPI_Iallreduce(s, r, n, MPI_LONG, MPI_SUM, MPI_COMM_WORLD, &q);
        MPI_Wait(&q, MPI_STATUS_IGNORE);
    } else {
        MPI_Allreduce(s, r, n, MPI_LONG, MPI_SUM, MPI_COMM_WORLD);
    }
    for (i = 0; i < n; i++) {
        CHECK(r[i] == sumr + (long)size * i, "allreduce[%d] = %ld n=%d", i, r[i], n);
    }
    memcpy(r, s, sizeof(long) * (size_t)n);
    MPI_Allreduce(MPI_IN_PLACE, r, n, MPI_LONG, MPI_MAX, MPI_COMM_WORLD);
    for (i = 0; i < n; i++) {
        CHECK(r[i] == (size - 1) * 1000L + i, "allreduce max in place[%d] = %ld", i, r[i]);
    }
    for (root = 0; root < size; root++) {
        memset(r, 0, sizeof(long) * (size_t)n);
        if (rank == root) {
            memcpy(r, s, sizeof(long) * (size_t)n);
        }
        if (nb) {
            MPI_Ireduce(rank == root ? MPI_IN_PLACE : s, r, n, MPI_LONG, MPI_SUM, root,
                        MPI_COMM_WORLD, &q);
            MPI_Wait(&q, MPI_STATUS_IGNORE);
        } else {
            MPI_Reduce(rank == root ? MPI_IN_PLACE : s, r, n, MPI_LONG, MPI_SUM, root,
                       MPI_COMM_WORLD);
        }
        if (rank == root) {
            for (i = 0; i < n; i++) {
                CHECK(r[i] == sumr + (long)size * i, "reduce root %d [%d] = %ld", root, i, r[i]);
            }
        }
    }
    free(s);
    free(r);
}

static void check_noncommutative(void)
{
    MPI_Op op;
    int m[8], res[8], expect[4], root;
    MPI_Datatype mt;
    MPI_Type_contiguous(4, MPI_INT, &mt);
    MPI_Type_commit(&mt);
    MPI_Op_create(matmul, 0, &op);
    rank_matrix(rank, m);
    memcpy(m + 4, m, sizeof(int) * 4);
    matrix_prefix(size - 1, expect);
    MPI_Allreduce(m, res, 2, mt, op, MPI_COMM_WORLD); /* count 2: two matrices */
    CHECK(!memcmp(res, expect, sizeof(expect)) && !memcmp(res + 4, expect, sizeof(expect)),
          "non-commutative allreduce wrong: %d %d %d %d", res[0], res[1], res[2], res[3]);
    for (root = 0; root < size; root++) {
        memset(res, 0, sizeof(res));
        MPI_Reduce(m, res, 1, mt, op, root, MPI_COMM_WORLD);
        if (rank == root) {
            CHECK(!memcmp(res, expect, sizeof(expect)), "non-commutative reduce root %d", root);
        }
    }
    MPI_Scan(m, res, 1, mt, op, MPI_COMM_WORLD);
    matrix_prefix(rank, expect);
    CHECK(!memcmp(res, expect, sizeof(expect)), "non-commutative scan at %d", rank);
    MPI_Exscan(m, res, 1, mt, op, MPI_COMM_WORLD);
    if (rank > 0) {
        matrix_prefix(rank - 1, expect);
        CHECK(!memcmp(res, expect, sizeof(expect)), "non-commutative exscan at %d", rank);
    }
    MPI_Type_free(&mt);
    MPI_Op_free(&op);
}

static void check_movement(int n, int nb)
{
    int i, j, root;
    MPI_Request q;
    int *s = malloc(sizeof(int) * (size_t)n * size), *r = malloc(sizeof(int) * (size_t)n * size);
    for (root = 0; root < size; root++) {
        /* bcast */
        for (i = 0; i < n; i++) {
            r[i] = rank == root ? i * 7 + root : -1;
        }
        if (nb) {
            MPI_Ibcast(r, n, MPI_INT, root, MPI_COMM_WORLD, &q);
            MPI_Wait(&q, MPI_STATUS_IGNORE);
        } else {
            MPI_Bcast(r, n, MPI_INT, root, MPI_COMM_WORLD);
        }
        for (i = 0; i < n; i++) {
            CHECK(r[i] == i * 7 + root, "bcast root %d n %d [%d] = %d", root, n, i, r[i]);
        }
        /* gather */
        for (i = 0; i < n; i++) {
            s[i] = rank * n + i;
        }
        memset(r, 0xff, sizeof(int) * (size_t)n * size);
        MPI_Gather(s, n, MPI_INT, r, n, MPI_INT, root, MPI_COMM_WORLD);
        if (rank == root) {
            for (i = 0; i < n * size; i++) {
                CHECK(r[i] == i, "gather root %d [%d] = %d", root, i, r[i]);
            }
        }
        /* scatter */
        for (i = 0; i < n * size; i++) {
            s[i] = i * 3;
        }
        MPI_Scatter(s, n, MPI_INT, r, n, MPI_INT, root, MPI_COMM_WORLD);
        for (i = 0; i < n; i++) {
            CHECK(r[i] == (rank * n + i) * 3, "scatter root %d [%d] = %d", root, i, r[i]);
        }
    }
    /* allgather, in place */
    for (i = 0; i < n; i++) {
        r[rank * n + i] = rank * n + i;
    }
    if (nb) {
        MPI_Iallgather(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, r, n, MPI_INT, MPI_COMM_WORLD, &q);
        MPI_Wait(&q, MPI_STATUS_IGNORE);
    } else {
        MPI_Allgather(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, r, n, MPI_INT, MPI_COMM_WORLD);
    }
    for (i = 0; i < n * size; i++) {
        CHECK(r[i] == i, "allgather [%d] = %d", i, r[i]);
    }
    /* alltoall */
    for (j = 0; j < size; j++) {
        for (i = 0; i < n; i++) {
            s[j * n + i] = rank * 100000 + j * 100 + i % 100;
        }
    }
    if (nb) {
        MPI_Ialltoall(s, n, MPI_INT, r, n, MPI_INT, MPI_COMM_WORLD, &q);
        MPI_Wait(&q, MPI_STATUS_IGNORE);
    } else {
        MPI_Alltoall(s, n, MPI_INT, r, n, MPI_INT, MPI_COMM_WORLD);
    }
    for (j = 0; j < size; j++) {
        for (i = 0; i < n; i++) {
            CHECK(r[j * n + i] == j * 100000 + rank * 100 + i % 100, "alltoall from %d [%d]", j,
                  i);
        }
    }
    /* alltoall in place */
    for (j = 0; j < size; j++) {
        for (i = 0; i < n; i++) {
            r[j * n + i] = rank * 100000 + j * 100 + i % 100;
        }
    }
    MPI_Alltoall(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, r, n, MPI_INT, MPI_COMM_WORLD);
    for (j = 0; j < size; j++) {
        for (i = 0; i < n; i++) {
            CHECK(r[j * n + i] == j * 100000 + rank * 100 + i % 100, "alltoall in place");
        }
    }
    free(s);
    free(r);
}

static void check_v_forms(void)
{
    /* rank i contributes i+1 ints; gatherv/allgatherv/scatterv/alltoallv/reduce_scatter */
    int *counts = malloc(sizeof(int) * size), *displs = malloc(sizeof(int) * size), total = 0, i, j;
    for (i = 0; i < size; i++) {
        counts[i] = i + 1;
        displs[i] = total + i; /* gaps of one element */
        total += i + 1;
    }
    int span = displs[size - 1] + counts[size - 1];
    int *mine = malloc(sizeof(int) * (rank + 1)), *all = malloc(sizeof(int) * span);
    for (i = 0; i <= rank; i++) {
        mine[i] = rank * 10 + i;
    }
    for (i = 0; i < span; i++) {
        all[i] = -5;
    }
    MPI_Allgatherv(mine, rank + 1, MPI_INT, all, counts, displs, MPI_INT, MPI_COMM_WORLD);
    for (j = 0; j < size; j++) {
        for (i = 0; i < counts[j]; i++) {
            CHECK(all[displs[j] + i] == j * 10 + i, "allgatherv from %d [%d]", j, i);
        }
        if (j > 0) {
            CHECK(all[displs[j] - 1] == -5, "allgatherv wrote into a gap");
        }
    }
    int *back = malloc(sizeof(int) * (rank + 1));
    MPI_Scatterv(all, counts, displs, MPI_INT, back, rank + 1, MPI_INT, size - 1, MPI_COMM_WORLD);
    for (i = 0; i <= rank; i++) {
        CHECK(back[i] == rank * 10 + i, "scatterv [%d] = %d", i, back[i]);
    }
    /* reduce_scatter: vector of total ints of value rank; block j has counts[j] ints */
    int *vec = malloc(sizeof(int) * total), *blk = malloc(sizeof(int) * (rank + 1));
    for (i = 0; i < total; i++) {
        vec[i] = rank + i;
    }
    MPI_Reduce_scatter(vec, blk, counts, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    int off = rank * (rank + 1) / 2;
    for (i = 0; i <= rank; i++) {
        CHECK(blk[i] == size * (size - 1) / 2 + size * (off + i), "reduce_scatter [%d] = %d", i,
              blk[i]);
    }
    int rb[2];
    int *vb = malloc(sizeof(int) * 2 * size);
    for (i = 0; i < 2 * size; i++) {
        vb[i] = i;
    }
    MPI_Reduce_scatter_block(vb, rb, 2, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    CHECK(rb[0] == 2 * rank * size && rb[1] == (2 * rank + 1) * size, "reduce_scatter_block");
    free(counts), free(displs), free(mine), free(all), free(back), free(vec), free(blk), free(vb);
}

static void check_derived(void)
{
    /* bcast and allreduce of every other double of an array (vector type) */
    double a[16];
    int i;
    MPI_Datatype v;
    MPI_Type_vector(8, 1, 2, MPI_DOUBLE, &v);
    MPI_Type_commit(&v);
    for (i = 0; i < 16; i++) {
        a[i] = rank == 0 ? i : -1;
    }
    MPI_Bcast(a, 1, v, 0, MPI_COMM_WORLD);
    for (i = 0; i < 16; i++) {
        CHECK(a[i] == (i % 2 == 0 ? i : (rank == 0 ? i : -1)), "vector bcast [%d] = %g", i, a[i]);
    }
#ifdef DWCP_MPI /* predefined ops on derived types of one basic type; Open MPI refuses them */
    for (i = 0; i < 16; i++) {
        a[i] = i % 2 == 0 ? 1.0 : 42.0;
    }
    MPI_Allreduce(MPI_IN_PLACE, a, 1, v, MPI_SUM, MPI_COMM_WORLD);
    for (i = 0; i < 16; i++) {
        CHECK(a[i] == (i % 2 == 0 ? size : 42.0), "vector allreduce [%d] = %g", i, a[i]);
    }
#endif
    MPI_Type_free(&v);
    /* MINLOC on DOUBLE_INT */
    struct {
        double v;
        int i;
    } in = {(double)((rank * 7) % size), rank}, out;
    MPI_Allreduce(&in, &out, 1, MPI_DOUBLE_INT, MPI_MINLOC, MPI_COMM_WORLD);
    CHECK(out.v == 0.0 && out.i == 0, "minloc got (%g, %d)", out.v, out.i);
}

int main(int argc, char **argv)
{
    mpt_init(&argc, &argv, 1);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    int sizes[] = {0, 1, 7, 1000, 40000}, k, nb;
    MPI_Barrier(MPI_COMM_WORLD);
    for (nb = 0; nb < 2; nb++) {
        for (k = 0; k < 5; k++) {
            check_reductions(sizes[k], nb);
            check_movement(sizes[k], nb);
        }
    }
    check_noncommutative();
    check_v_forms();
    check_derived();
    /* several nonblocking collectives in flight at once, completed in reverse order */
    int x = rank, y = 0, z[2] = {0, 0};
    MPI_Request q[3];
    MPI_Iallreduce(&x, &y, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD, &q[0]);
    MPI_Ibarrier(MPI_COMM_WORLD, &q[1]);
    int b = rank == 0 ? 77 : 0;
    MPI_Ibcast(&b, 1, MPI_INT, 0, MPI_COMM_WORLD, &q[2]);
    MPI_Wait(&q[2], MPI_STATUS_IGNORE);
    MPI_Waitall(2, q, MPI_STATUSES_IGNORE);
    CHECK(y == size * (size - 1) / 2 && b == 77, "concurrent nonblocking: %d %d", y, b);
    (void)z;
    return mpt_finish();
}
