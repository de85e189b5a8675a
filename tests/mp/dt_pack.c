/*
 * dt_pack: MPI_Pack/MPI_Unpack of several items in sequence with a
 * running position (int, double array, a vector type, chars),
 * MPI_Pack_size bounds, the packed buffer sent as MPI_PACKED and unpacked
 * on the peer, a typed message received as MPI_PACKED and unpacked, a
 * packed message received with the matching typed receive, unpacking in
 * pieces, too-small output buffer errors, MPI_Pack_external/
 * Unpack_external ("external32": big-endian) with Pack_external_size,
 * and MPI_Get_address/MPI_Aint_add/MPI_Aint_diff arithmetic.
 */
#include "mptest.h"

int main(int argc, char **argv)
{
    int iv = 0x12345678, ivo, psz, tot, pos, pos2, peer, cnt, i;
    double dv[5] = {1.5, -2.25, 3e100, 0.0, -1e-300}, dvo[5];
    int grid[4][5], go[4][5];
    char str[12] = "hello, mpi!", stro[12];
    MPI_Datatype col;
    char *pk, *rk;
    MPI_Status st;

    mpt_init(&argc, &argv, 1);
    peer = (mpt_rank ^ 1) < mpt_size ? (mpt_rank ^ 1) : mpt_rank;
    for (i = 0; i < 20; i++) {
        grid[i / 5][i % 5] = i * 7;
    }
    {
        /* A column of the 4x5 grid, resized so consecutive columns are
         * one int apart. */
        MPI_Datatype c1;
        CHECK_MPI(MPI_Type_vector(4, 1, 5, MPI_INT, &c1));
        CHECK_MPI(MPI_Type_create_resized(c1, 0, sizeof(int), &col));
        CHECK_MPI(MPI_Type_free(&c1));
        CHECK_MPI(MPI_Type_commit(&col));
    }

    /* Sizes. */
    tot = 0;
    CHECK_MPI(MPI_Pack_size(1, MPI_INT, MPI_COMM_WORLD, &psz));
    CHECK(psz >= 4, "Pack_size(1 int) = %d", psz);
    tot += psz;
    CHECK_MPI(MPI_Pack_size(5, MPI_DOUBLE, MPI_COMM_WORLD, &psz));
    CHECK(psz >= 40, "Pack_size(5 double) = %d", psz);
    tot += psz;
    CHECK_MPI(MPI_Pack_size(2, col, MPI_COMM_WORLD, &psz));
    CHECK(psz >= 32, "Pack_size(2 columns) = %d", psz);
    tot += psz;
    CHECK_MPI(MPI_Pack_size(12, MPI_CHAR, MPI_COMM_WORLD, &psz));
    tot += psz;
    pk = mpt_malloc((size_t)tot);
    rk = mpt_malloc((size_t)tot);

    /* Pack in sequence. */
    pos = 0;
    CHECK_MPI(MPI_Pack(&iv, 1, MPI_INT, pk, tot, &pos, MPI_COMM_WORLD));
    CHECK(pos >= 4, "position after int %d", pos);
    pos2 = pos;
    CHECK_MPI(MPI_Pack(dv, 5, MPI_DOUBLE, pk, tot, &pos, MPI_COMM_WORLD));
    CHECK(pos >= pos2 + 40, "position after doubles %d (was %d)", pos, pos2);
    CHECK_MPI(MPI_Pack(&grid[0][1], 2, col, pk, tot, &pos, MPI_COMM_WORLD));
    CHECK_MPI(MPI_Pack(str, 12, MPI_CHAR, pk, tot, &pos, MPI_COMM_WORLD));
    CHECK(pos <= tot, "packed %d > sum of Pack_size %d", pos, tot);

    /* Local unpack in the same order. */
    {
        int up = 0;
        memset(go, 0, sizeof(go));
        CHECK_MPI(MPI_Unpack(pk, pos, &up, &ivo, 1, MPI_INT, MPI_COMM_WORLD));
        CHECK_EQ(ivo, iv, "unpacked int");
        CHECK_MPI(MPI_Unpack(pk, pos, &up, dvo, 5, MPI_DOUBLE,
                             MPI_COMM_WORLD));
        CHECK(memcmp(dv, dvo, sizeof(dv)) == 0, "unpacked doubles");
        CHECK_MPI(MPI_Unpack(pk, pos, &up, &go[0][1], 2, col,
                             MPI_COMM_WORLD));
        for (i = 0; i < 20; i++) {
            int r = i / 5, c = i % 5;
            int want = (c == 1 || c == 2) ? grid[r][c] : 0;
            CHECK(go[r][c] == want, "unpacked grid[%d][%d] = %d want %d", r,
                  c, go[r][c], want);
        }
        CHECK_MPI(MPI_Unpack(pk, pos, &up, stro, 12, MPI_CHAR,
                             MPI_COMM_WORLD));
        CHECK(strcmp(stro, str) == 0, "unpacked string '%s'", stro);
        CHECK_EQ(up, pos, "unpack consumed all packed bytes");
    }

    /* Send the packed buffer as MPI_PACKED. */
    CHECK_MPI(MPI_Sendrecv(pk, pos, MPI_PACKED, peer, 1, rk, tot, MPI_PACKED,
                           peer, 1, MPI_COMM_WORLD, &st));
    CHECK_MPI(MPI_Get_count(&st, MPI_PACKED, &cnt));
    CHECK_EQ(cnt, pos, "MPI_PACKED count");
    {
        int up = 0;
        ivo = 0;
        memset(dvo, 0, sizeof(dvo));
        CHECK_MPI(MPI_Unpack(rk, cnt, &up, &ivo, 1, MPI_INT, MPI_COMM_WORLD));
        CHECK_EQ(ivo, iv, "int from peer's packed buffer");
        CHECK_MPI(MPI_Unpack(rk, cnt, &up, dvo, 5, MPI_DOUBLE,
                             MPI_COMM_WORLD));
        CHECK(memcmp(dv, dvo, sizeof(dv)) == 0, "doubles from peer");
    }

    /* Typed send, MPI_PACKED receive, unpack in two pieces. */
    memset(rk, 0, (size_t)tot);
    CHECK_MPI(MPI_Sendrecv(dv, 5, MPI_DOUBLE, peer, 2, rk, tot, MPI_PACKED,
                           peer, 2, MPI_COMM_WORLD, &st));
    CHECK_MPI(MPI_Get_count(&st, MPI_PACKED, &cnt));
    {
        int up = 0;
        memset(dvo, 0, sizeof(dvo));
        CHECK_MPI(MPI_Unpack(rk, cnt, &up, dvo, 2, MPI_DOUBLE,
                             MPI_COMM_WORLD));
        CHECK_MPI(MPI_Unpack(rk, cnt, &up, dvo + 2, 3, MPI_DOUBLE,
                             MPI_COMM_WORLD));
        CHECK(memcmp(dv, dvo, sizeof(dv)) == 0,
              "typed send received as MPI_PACKED");
    }

    /* Packed send (2 columns), typed receive (8 contiguous ints). */
    {
        int p3 = 0, got[8];
        CHECK_MPI(MPI_Pack(&grid[0][3], 2, col, pk, tot, &p3,
                           MPI_COMM_WORLD));
        CHECK_MPI(MPI_Sendrecv(pk, p3, MPI_PACKED, peer, 3, got, 8, MPI_INT,
                               peer, 3, MPI_COMM_WORLD, &st));
        for (i = 0; i < 8; i++) {
            int want = grid[i % 4][3 + i / 4];
            CHECK(got[i] == want, "packed columns as ints: #%d = %d, want %d",
                  i, got[i], want);
        }
    }

    /* Errors: output buffer too small. */
    CHECK_MPI(MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN));
    {
        char small[8];
        int p4 = 0;
        int rc = MPI_Pack(dv, 5, MPI_DOUBLE, small, 8, &p4, MPI_COMM_WORLD);
        CHECK(rc != MPI_SUCCESS, "Pack into too small a buffer succeeded");
        p4 = 0;
        rc = MPI_Unpack(pk, 4, &p4, dvo, 5, MPI_DOUBLE, MPI_COMM_WORLD);
        CHECK(rc != MPI_SUCCESS, "Unpack past the input size succeeded");
    }
    CHECK_MPI(MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_ARE_FATAL));

    /* external32: big-endian, fixed sizes. */
    {
        unsigned char ext[64];
        MPI_Aint esz, ep = 0, eu = 0;
        int vals[2] = {0x01020304, -2}, back[2];
        CHECK_MPI(MPI_Pack_external_size("external32", 2, MPI_INT, &esz));
        CHECK_EQ(esz, 8, "Pack_external_size(2 ints)");
        CHECK_MPI(MPI_Pack_external("external32", vals, 2, MPI_INT, ext, 64,
                                    &ep));
        CHECK_EQ(ep, 8, "external32 position");
        CHECK(ext[0] == 1 && ext[1] == 2 && ext[2] == 3 && ext[3] == 4,
              "external32 int bytes %02x %02x %02x %02x", ext[0], ext[1],
              ext[2], ext[3]);
        CHECK(ext[4] == 0xff && ext[7] == 0xfe, "external32 of -2");
        CHECK_MPI(MPI_Unpack_external("external32", ext, ep, &eu, back, 2,
                                      MPI_INT));
        CHECK(back[0] == vals[0] && back[1] == vals[1],
              "Unpack_external: %x %d", back[0], back[1]);
        ep = 0;
        CHECK_MPI(MPI_Pack_external("external32", dv, 1, MPI_DOUBLE, ext, 64,
                                    &ep));
        CHECK(ep == 8 && ext[0] == 0x3f && ext[1] == 0xf8,
              "external32 of 1.5: %02x %02x", ext[0], ext[1]);
    }

    /* Address arithmetic. */
    {
        double arr[10];
        MPI_Aint a0, a7, s;
        CHECK_MPI(MPI_Get_address(&arr[0], &a0));
        CHECK_MPI(MPI_Get_address(&arr[7], &a7));
        CHECK_EQ(MPI_Aint_diff(a7, a0), 7 * sizeof(double), "Aint_diff");
        s = MPI_Aint_add(a0, 7 * sizeof(double));
        CHECK(s == a7, "Aint_add(a0, 56) = %ld, want %ld", (long)s, (long)a7);
        CHECK_EQ(MPI_Aint_diff(a0, a7), -7 * (long)sizeof(double),
                 "negative Aint_diff");
        CHECK(MPI_Aint_add(a7, -56) == a0, "Aint_add with negative disp");
    }
    CHECK_MPI(MPI_Type_free(&col));
    free(pk);
    free(rk);
    return mpt_finish();
}
