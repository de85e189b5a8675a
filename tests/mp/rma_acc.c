/*
 * rma_acc.c - MPI_Accumulate with MPI_SUM, MPI_MAX, MPI_REPLACE and MPI_NO_OP, from every
 * rank to every rank (concurrent accumulates to one location must all count), with derived
 * datatypes on the origin side (vector), the target side (indexed) and both; MPI_MAXLOC on
 * MPI_2INT; Get_accumulate with a strided result type.
 */
#include "mptest.h"

#define N 24

int main(int argc, char **argv)
{
    mpt_init(&argc, &argv, 1);
    int me = mpt_rank, n = mpt_size, i, p, it;
    int *base;
    MPI_Win win;
    CHECK_MPI(MPI_Win_allocate((MPI_Aint)(sizeof(int) * 4 * N), sizeof(int), MPI_INFO_NULL,
                               MPI_COMM_WORLD, &base, &win));
    for (i = 0; i < 4 * N; i++) {
        base[i] = 0;
    }
    /* 1. SUM from everyone to everyone, 10 rounds inside one fence epoch */
    int src[N];
    for (i = 0; i < N; i++) {
        src[i] = me + i;
    }
    CHECK_MPI(MPI_Win_fence(0, win));
    for (it = 0; it < 10; it++) {
        for (p = 0; p < n; p++) {
            CHECK_MPI(MPI_Accumulate(src, N, MPI_INT, p, 0, N, MPI_INT, MPI_SUM, win));
        }
    }
    /* MAX into [N, 2N) */
    for (p = 0; p < n; p++) {
        CHECK_MPI(MPI_Accumulate(src, N, MPI_INT, p, N, N, MPI_INT, MPI_MAX, win));
    }
    CHECK_MPI(MPI_Win_fence(0, win));
    int sumr = n * (n - 1) / 2;
    for (i = 0; i < N; i++) {
        CHECK_EQ(base[i], 10 * (sumr + n * i), "sum of all ranks' contributions");
        CHECK_EQ(base[N + i], n - 1 + i, "max over ranks");
    }

    /* 2. derived types: origin vector (every other element of a 2N array) into target indexed */
    MPI_Datatype ovec, tidx;
    int blens[3] = {2, 3, 1}, disps[3] = {0, 5, 11}; /* 6 ints spread over [0, 12) */
    CHECK_MPI(MPI_Type_vector(6, 1, 2, MPI_INT, &ovec));
    CHECK_MPI(MPI_Type_commit(&ovec));
    CHECK_MPI(MPI_Type_indexed(3, blens, disps, MPI_INT, &tidx));
    CHECK_MPI(MPI_Type_commit(&tidx));
    int osrc[12];
    for (i = 0; i < 12; i++) {
        osrc[i] = i % 2 == 0 ? (i / 2 + 1) * (me + 1) : 999999;
    }
    for (i = 2 * N; i < 4 * N; i++) {
        base[i] = 0;
    }
    CHECK_MPI(MPI_Win_fence(0, win));
    for (p = 0; p < n; p++) {
        CHECK_MPI(MPI_Accumulate(osrc, 1, ovec, p, 2 * N, 1, tidx, MPI_SUM, win));
    }
    CHECK_MPI(MPI_Win_fence(0, win));
    int sum1 = n * (n + 1) / 2, k = 0;
    int exp[12];
    memset(exp, 0, sizeof(exp));
    for (int b = 0; b < 3; b++) {
        for (int j = 0; j < blens[b]; j++) {
            exp[disps[b] + j] = (k + 1) * sum1;
            k++;
        }
    }
    for (i = 0; i < 12; i++) {
        CHECK_EQ(base[2 * N + i], exp[i], "derived-type accumulate (SUM)");
    }

    /* 3. REPLACE with a target vector, then Get_accumulate(NO_OP) reads without changing */
    CHECK_MPI(MPI_Win_fence(0, win));
    int rep[6] = {7, 8, 9, 10, 11, 12};
    if (me == 0) {
        for (p = 0; p < n; p++) {
            CHECK_MPI(MPI_Accumulate(rep, 6, MPI_INT, p, 3 * N, 1, ovec, MPI_REPLACE, win));
        }
    }
    CHECK_MPI(MPI_Win_fence(0, win));
    int rd[6] = {-1, -1, -1, -1, -1, -1};
    CHECK_MPI(MPI_Get_accumulate(rep, 6, MPI_INT, rd, 6, MPI_INT, (me + 1) % n, 3 * N, 1, ovec,
                                 MPI_NO_OP, win));
    CHECK_MPI(MPI_Win_fence(0, win));
    for (i = 0; i < 6; i++) {
        CHECK_EQ(rd[i], 7 + i, "Get_accumulate(NO_OP) reads the replaced values");
    }
    for (i = 0; i < 12; i++) {
        CHECK_EQ(base[3 * N + i], i % 2 == 0 ? 7 + i / 2 : 0, "REPLACE through a vector");
    }

    /* 4. Get_accumulate SUM returning the old values into a strided result */
    CHECK_MPI(MPI_Win_fence(0, win));
    int res[12], one[6] = {1, 1, 1, 1, 1, 1};
    for (i = 0; i < 12; i++) {
        res[i] = -3;
    }
    int tgt = (me + 1) % n;
    CHECK_MPI(MPI_Win_fence(0, win));
    if (me == 0) {
        CHECK_MPI(MPI_Get_accumulate(one, 6, MPI_INT, res, 1, ovec, tgt, 3 * N, 1, ovec, MPI_SUM,
                                     win));
    }
    CHECK_MPI(MPI_Win_fence(0, win));
    if (me == 0) {
        for (i = 0; i < 12; i++) {
            CHECK_EQ(res[i], i % 2 == 0 ? 7 + i / 2 : -3, "Get_accumulate old values");
        }
    }
    if (me == tgt) {
        for (i = 0; i < 12; i++) {
            CHECK_EQ(base[3 * N + i], i % 2 == 0 ? 8 + i / 2 : 0, "Get_accumulate new values");
        }
    }

    /* 5. MAXLOC on MPI_2INT */
    CHECK_MPI(MPI_Win_fence(0, win));
    base[0] = -1;
    base[1] = -1;
    CHECK_MPI(MPI_Win_fence(0, win));
    int pair[2] = {(me * 37) % (n + 3), me};
    for (p = 0; p < n; p++) {
        CHECK_MPI(MPI_Accumulate(pair, 1, MPI_2INT, p, 0, 1, MPI_2INT, MPI_MAXLOC, win));
    }
    CHECK_MPI(MPI_Win_fence(0, win));
    int bestv = -1, bestr = -1;
    for (p = 0; p < n; p++) {
        int v = (p * 37) % (n + 3);
        if (v > bestv) {
            bestv = v;
            bestr = p;
        }
    }
    CHECK_EQ(base[0], bestv, "MAXLOC value");
    CHECK_EQ(base[1], bestr, "MAXLOC location");
    CHECK_MPI(MPI_Win_fence(MPI_MODE_NOSUCCEED, win));

    /* 6. accumulate under exclusive lock: doubles */
    MPI_Win dw;
    double *db;
    CHECK_MPI(MPI_Win_allocate(sizeof(double) * 4, sizeof(double), MPI_INFO_NULL,
                               MPI_COMM_WORLD, &db, &dw));
    for (i = 0; i < 4; i++) {
        db[i] = 0.5;
    }
    MPI_Barrier(MPI_COMM_WORLD);
    double dv[4] = {1.0, 2.0, 0.25, -1.0};
    for (p = 0; p < n; p++) {
        CHECK_MPI(MPI_Win_lock(MPI_LOCK_SHARED, p, 0, dw));
        CHECK_MPI(MPI_Accumulate(dv, 4, MPI_DOUBLE, p, 0, 4, MPI_DOUBLE, MPI_SUM, dw));
        CHECK_MPI(MPI_Win_unlock(p, dw));
    }
    MPI_Barrier(MPI_COMM_WORLD);
    for (i = 0; i < 4; i++) {
        CHECK(db[i] == 0.5 + n * dv[i], "double sum %d: got %g", i, db[i]);
    }
    CHECK_MPI(MPI_Win_free(&dw));

    /* 7. MINLOC on MPI_DOUBLE_INT (a pair type with padding) through a strided target type */
    struct di {
        double v;
        int i;
    } *pb;
    MPI_Win pw;
    CHECK_MPI(MPI_Win_allocate(sizeof(struct di) * 6, sizeof(struct di), MPI_INFO_NULL,
                               MPI_COMM_WORLD, &pb, &pw));
    for (i = 0; i < 6; i++) {
        pb[i].v = 1e9;
        pb[i].i = -1;
    }
    MPI_Datatype pvec;
    CHECK_MPI(MPI_Type_vector(3, 1, 2, MPI_DOUBLE_INT, &pvec));
    CHECK_MPI(MPI_Type_commit(&pvec));
    struct di mineq[3];
    for (i = 0; i < 3; i++) {
        mineq[i].v = (double)((me * 7 + i * 3) % (n + 2));
        mineq[i].i = me;
    }
    CHECK_MPI(MPI_Win_fence(0, pw));
    for (p = 0; p < n; p++) {
        CHECK_MPI(MPI_Accumulate(mineq, 3, MPI_DOUBLE_INT, p, 0, 1, pvec, MPI_MINLOC, pw));
    }
    CHECK_MPI(MPI_Win_fence(0, pw));
    for (i = 0; i < 3; i++) {
        double bv = 1e18;
        int br = -1;
        for (p = 0; p < n; p++) {
            double v = (double)((p * 7 + i * 3) % (n + 2));
            if (v < bv) {
                bv = v;
                br = p;
            }
        }
        CHECK(pb[2 * i].v == bv, "MINLOC value %d: %g", i, pb[2 * i].v);
        CHECK_EQ(pb[2 * i].i, br, "MINLOC location (lowest rank on ties)");
        CHECK(pb[2 * i + 1].v == 1e9 && pb[2 * i + 1].i == -1, "gap element untouched");
    }
    CHECK_MPI(MPI_Win_fence(MPI_MODE_NOSUCCEED, pw));
    CHECK_MPI(MPI_Type_free(&pvec));
    CHECK_MPI(MPI_Win_free(&pw));

    /* 8. ordering: a large REPLACE (rendezvous-sized) then small SUMs from the same origin to
     *    the same elements must apply in order */
    {
        int big = 1 << 18, *bb, *src8 = mpt_malloc(sizeof(int) * big);
        MPI_Win bw;
        CHECK_MPI(MPI_Win_allocate(sizeof(int) * big, sizeof(int), MPI_INFO_NULL,
                                   MPI_COMM_WORLD, &bb, &bw));
        for (i = 0; i < big; i++) {
            bb[i] = -1;
            src8[i] = i;
        }
        int tg = (me + 1) % n, inc[4] = {1, 1, 1, 1};
        MPI_Barrier(MPI_COMM_WORLD);
        CHECK_MPI(MPI_Win_lock(MPI_LOCK_EXCLUSIVE, tg, 0, bw));
        CHECK_MPI(MPI_Accumulate(src8, big, MPI_INT, tg, 0, big, MPI_INT, MPI_REPLACE, bw));
        CHECK_MPI(MPI_Accumulate(inc, 4, MPI_INT, tg, 0, 4, MPI_INT, MPI_SUM, bw));
        CHECK_MPI(MPI_Accumulate(inc, 4, MPI_INT, tg, big - 4, 4, MPI_INT, MPI_SUM, bw));
        CHECK_MPI(MPI_Win_unlock(tg, bw));
        MPI_Barrier(MPI_COMM_WORLD);
        for (i = 0; i < big; i++) {
            int e = i < 4 || i >= big - 4 ? i + 1 : i;
            CHECK_EQ(bb[i], e, "large REPLACE then SUM, in order");
        }
        CHECK_MPI(MPI_Win_free(&bw));
        free(src8);
    }
    CHECK_MPI(MPI_Type_free(&ovec));
    CHECK_MPI(MPI_Type_free(&tidx));
    CHECK_MPI(MPI_Win_free(&win));
    return mpt_finish();
}
