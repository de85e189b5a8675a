/*
 * dt_query: datatype queries. MPI_Type_size(_x), get_extent(_x),
 * get_true_extent(_x) for types with holes, negative displacements and
 * resized bounds; MPI_Type_get_envelope/MPI_Type_get_contents round trip
 * for every constructor (the type rebuilt from its contents packs the
 * same bytes as the original); MPI_COMBINER_NAMED for predefined types;
 * MPI_Type_dup (MPI_COMBINER_DUP, same layout, survives freeing the
 * original); MPI_Type_set_name/get_name; MPI_Type_match_size.
 * Runs on one rank.
 */
#include "dtcheck.h"

/* Rebuild a type from envelope + contents. */
static MPI_Datatype rebuild(MPI_Datatype t, int *combiner_out)
{
    int ni, na, nd, comb, i;
    int *ints;
    MPI_Aint *aints;
    MPI_Datatype *dts, r = MPI_DATATYPE_NULL;

    CHECK_MPI(MPI_Type_get_envelope(t, &ni, &na, &nd, &comb));
    *combiner_out = comb;
    ints = mpt_malloc(sizeof(int) * (size_t)(ni + 1));
    aints = mpt_malloc(sizeof(MPI_Aint) * (size_t)(na + 1));
    dts = mpt_malloc(sizeof(MPI_Datatype) * (size_t)(nd + 1));
    CHECK_MPI(MPI_Type_get_contents(t, ni, na, nd, ints, aints, dts));
    switch (comb) {
    case MPI_COMBINER_CONTIGUOUS:
        CHECK(ni == 1 && na == 0 && nd == 1, "contiguous envelope");
        CHECK_MPI(MPI_Type_contiguous(ints[0], dts[0], &r));
        break;
    case MPI_COMBINER_VECTOR:
        CHECK(ni == 3 && na == 0 && nd == 1, "vector envelope");
        CHECK_MPI(MPI_Type_vector(ints[0], ints[1], ints[2], dts[0], &r));
        break;
    case MPI_COMBINER_HVECTOR:
        CHECK(ni == 2 && na == 1 && nd == 1, "hvector envelope");
        CHECK_MPI(MPI_Type_create_hvector(ints[0], ints[1], aints[0], dts[0],
                                          &r));
        break;
    case MPI_COMBINER_INDEXED:
        CHECK(ni == 2 * ints[0] + 1 && na == 0 && nd == 1, "indexed env");
        CHECK_MPI(MPI_Type_indexed(ints[0], ints + 1, ints + 1 + ints[0],
                                   dts[0], &r));
        break;
    case MPI_COMBINER_HINDEXED:
        CHECK(ni == ints[0] + 1 && na == ints[0] && nd == 1, "hindexed env");
        CHECK_MPI(MPI_Type_create_hindexed(ints[0], ints + 1, aints, dts[0],
                                           &r));
        break;
    case MPI_COMBINER_INDEXED_BLOCK:
        CHECK(ni == ints[0] + 2 && na == 0 && nd == 1, "indexed_block env");
        CHECK_MPI(MPI_Type_create_indexed_block(ints[0], ints[1], ints + 2,
                                                dts[0], &r));
        break;
    case MPI_COMBINER_HINDEXED_BLOCK:
        CHECK(ni == 2 && na == ints[0] && nd == 1, "hindexed_block env");
        CHECK_MPI(MPI_Type_create_hindexed_block(ints[0], ints[1], aints,
                                                 dts[0], &r));
        break;
    case MPI_COMBINER_STRUCT:
        CHECK(ni == ints[0] + 1 && na == ints[0] && nd == ints[0],
              "struct envelope");
        CHECK_MPI(MPI_Type_create_struct(ints[0], ints + 1, aints, dts, &r));
        break;
    case MPI_COMBINER_SUBARRAY:
        CHECK(ni == 3 * ints[0] + 2 && na == 0 && nd == 1, "subarray env");
        CHECK_MPI(MPI_Type_create_subarray(ints[0], ints + 1,
                                           ints + 1 + ints[0],
                                           ints + 1 + 2 * ints[0],
                                           ints[1 + 3 * ints[0]], dts[0],
                                           &r));
        break;
    case MPI_COMBINER_RESIZED:
        CHECK(ni == 0 && na == 2 && nd == 1, "resized envelope");
        CHECK_MPI(MPI_Type_create_resized(dts[0], aints[0], aints[1], &r));
        break;
    case MPI_COMBINER_DUP:
        CHECK(ni == 0 && na == 0 && nd == 1, "dup envelope");
        CHECK_MPI(MPI_Type_dup(dts[0], &r));
        break;
    default:
        MPT_FAIL("unexpected combiner %d", comb);
    }
    /* Free the derived types returned by get_contents. */
    for (i = 0; i < nd; i++) {
        int a, b, c, k;
        CHECK_MPI(MPI_Type_get_envelope(dts[i], &a, &b, &c, &k));
        if (k != MPI_COMBINER_NAMED) {
            CHECK_MPI(MPI_Type_free(&dts[i]));
        }
    }
    CHECK_MPI(MPI_Type_commit(&r));
    free(ints);
    free(aints);
    free(dts);
    return r;
}

/* Pack `count` of t and of r from the same array; bytes must agree,
 * and all queries must agree. */
static void same_layout(MPI_Datatype t, MPI_Datatype r, int count,
                        const char *what)
{
    static int arr[DT_SPAN];
    int s1, s2, p1 = 0, p2 = 0, ps;
    MPI_Aint lb1, e1, lb2, e2;
    char *b1, *b2;

    for (int i = 0; i < DT_SPAN; i++) {
        arr[i] = dt_val(i);
    }
    CHECK_MPI(MPI_Type_size(t, &s1));
    CHECK_MPI(MPI_Type_size(r, &s2));
    CHECK(s1 == s2, "%s: size %d vs rebuilt %d", what, s1, s2);
    CHECK_MPI(MPI_Type_get_extent(t, &lb1, &e1));
    CHECK_MPI(MPI_Type_get_extent(r, &lb2, &e2));
    CHECK(lb1 == lb2 && e1 == e2, "%s: extent %ld/%ld vs rebuilt %ld/%ld",
          what, (long)lb1, (long)e1, (long)lb2, (long)e2);
    CHECK_MPI(MPI_Pack_size(count, t, MPI_COMM_SELF, &ps));
    b1 = mpt_malloc((size_t)ps);
    b2 = mpt_malloc((size_t)ps);
    CHECK_MPI(MPI_Pack(arr + DT_ORIGIN, count, t, b1, ps, &p1,
                       MPI_COMM_SELF));
    CHECK_MPI(MPI_Pack(arr + DT_ORIGIN, count, r, b2, ps, &p2,
                       MPI_COMM_SELF));
    CHECK(p1 == p2 && memcmp(b1, b2, (size_t)p1) == 0,
          "%s: rebuilt type packs different data", what);
    free(b1);
    free(b2);
}

static void roundtrip(MPI_Datatype t, int want_comb, const char *what)
{
    int comb;
    MPI_Datatype r;
    CHECK_MPI(MPI_Type_commit(&t));
    r = rebuild(t, &comb);
    CHECK(comb == want_comb, "%s: combiner %d, want %d", what, comb,
          want_comb);
    same_layout(t, r, 2, what);
    CHECK_MPI(MPI_Type_free(&r));
    CHECK_MPI(MPI_Type_free(&t));
}

int main(int argc, char **argv)
{
    MPI_Datatype t, v, d;
    int ni, na, nd, comb, sz, len;
    MPI_Count csz, clb, cext;
    MPI_Aint lb, ext;
    char name[MPI_MAX_OBJECT_NAME];

    mpt_init(&argc, &argv, 1);

    /* Predefined: NAMED. */
    CHECK_MPI(MPI_Type_get_envelope(MPI_DOUBLE, &ni, &na, &nd, &comb));
    CHECK_EQ(comb, MPI_COMBINER_NAMED, "combiner of MPI_DOUBLE");
    CHECK(ni == 0 && na == 0 && nd == 0, "envelope counts of MPI_DOUBLE");

    /* Extents: vector(3,2,4) of int: size 24, extent 40, true same. */
    CHECK_MPI(MPI_Type_vector(3, 2, 4, MPI_INT, &v));
    CHECK_MPI(MPI_Type_commit(&v));
    CHECK_MPI(MPI_Type_size(v, &sz));
    CHECK_EQ(sz, 24, "vector size");
    CHECK_MPI(MPI_Type_size_x(v, &csz));
    CHECK_EQ(csz, 24, "vector size_x");
    CHECK_MPI(MPI_Type_get_extent(v, &lb, &ext));
    CHECK(lb == 0 && ext == 40, "vector lb %ld ext %ld", (long)lb,
          (long)ext);
    CHECK_MPI(MPI_Type_get_extent_x(v, &clb, &cext));
    CHECK(clb == 0 && cext == 40, "vector extent_x");
    /* Resized: lb -16, extent 100; true extent unchanged. */
    CHECK_MPI(MPI_Type_create_resized(v, -16, 100, &t));
    CHECK_MPI(MPI_Type_commit(&t));
    CHECK_MPI(MPI_Type_get_extent(t, &lb, &ext));
    CHECK(lb == -16 && ext == 100, "resized lb %ld ext %ld", (long)lb,
          (long)ext);
    CHECK_MPI(MPI_Type_get_true_extent(t, &lb, &ext));
    CHECK(lb == 0 && ext == 40, "resized true lb %ld ext %ld", (long)lb,
          (long)ext);
    CHECK_MPI(MPI_Type_get_true_extent_x(t, &clb, &cext));
    CHECK(clb == 0 && cext == 40, "resized true extent_x");
    CHECK_MPI(MPI_Type_free(&t));
    /* Struct with negative displacement: true lb negative. */
    {
        int bl[2] = {1, 2};
        MPI_Aint dd[2] = {-12, 8};
        MPI_Datatype ty[2] = {MPI_DOUBLE, MPI_INT};
        CHECK_MPI(MPI_Type_create_struct(2, bl, dd, ty, &t));
        CHECK_MPI(MPI_Type_commit(&t));
        CHECK_MPI(MPI_Type_get_true_extent(t, &lb, &ext));
        CHECK(lb == -12 && ext == 28, "struct true lb %ld ext %ld", (long)lb,
              (long)ext);
        CHECK_MPI(MPI_Type_size(t, &sz));
        CHECK_EQ(sz, 16, "struct size");
        CHECK_MPI(MPI_Type_free(&t));
    }

    /* Envelope/contents round trips. */
    CHECK_MPI(MPI_Type_contiguous(5, MPI_INT, &t));
    roundtrip(t, MPI_COMBINER_CONTIGUOUS, "contiguous");
    CHECK_MPI(MPI_Type_vector(4, 2, -3, MPI_INT, &t));
    roundtrip(t, MPI_COMBINER_VECTOR, "vector");
    CHECK_MPI(MPI_Type_create_hvector(3, 1, 20, v, &t));
    roundtrip(t, MPI_COMBINER_HVECTOR, "hvector of vector");
    {
        int bl[3] = {2, 1, 3}, di[3] = {7, -2, 12};
        MPI_Aint da[3] = {28, -8, 48};
        CHECK_MPI(MPI_Type_indexed(3, bl, di, MPI_INT, &t));
        roundtrip(t, MPI_COMBINER_INDEXED, "indexed");
        CHECK_MPI(MPI_Type_create_hindexed(3, bl, da, MPI_INT, &t));
        roundtrip(t, MPI_COMBINER_HINDEXED, "hindexed");
        CHECK_MPI(MPI_Type_create_indexed_block(3, 2, di, MPI_INT, &t));
        roundtrip(t, MPI_COMBINER_INDEXED_BLOCK, "indexed_block");
        CHECK_MPI(MPI_Type_create_hindexed_block(3, 2, da, MPI_INT, &t));
        roundtrip(t, MPI_COMBINER_HINDEXED_BLOCK, "hindexed_block");
    }
    {
        int bl[3] = {1, 2, 1};
        MPI_Aint da[3] = {0, 8, 40};
        MPI_Datatype ty[3] = {MPI_INT, v, MPI_INT};
        CHECK_MPI(MPI_Type_create_struct(3, bl, da, ty, &t));
        roundtrip(t, MPI_COMBINER_STRUCT, "struct with vector");
    }
    {
        int s[3] = {5, 6, 7}, sub[3] = {2, 3, 4}, st[3] = {1, 2, 3};
        CHECK_MPI(MPI_Type_create_subarray(3, s, sub, st, MPI_ORDER_FORTRAN,
                                           MPI_INT, &t));
        roundtrip(t, MPI_COMBINER_SUBARRAY, "subarray");
    }
    CHECK_MPI(MPI_Type_create_resized(v, -8, 64, &t));
    roundtrip(t, MPI_COMBINER_RESIZED, "resized");
    CHECK_MPI(MPI_Type_dup(v, &t));
    roundtrip(t, MPI_COMBINER_DUP, "dup");

    /* Dup survives freeing the original and keeps the layout. */
    CHECK_MPI(MPI_Type_dup(v, &d));
    {
        long p[12] = {0, 1, 4, 5, 8, 9, 10, 11, 14, 15, 18, 19};
        CHECK_MPI(MPI_Type_free(&v));
        dt_check(d, 2, p, 12, "dup of freed vector");
    }

    /* Names. */
    /* A new (non-dup) type has an empty name (Open MPI names dups
     * "Dup <name>", so that case is not checked). */
    name[0] = 'x';
    name[1] = '\0';
    CHECK_MPI(MPI_Type_contiguous(3, MPI_INT, &t));
    CHECK_MPI(MPI_Type_get_name(t, name, &len));
    CHECK(len == 0 && name[0] == '\0', "new type has name '%s'", name);
    CHECK_MPI(MPI_Type_free(&t));
    CHECK_MPI(MPI_Type_set_name(d, "my vector type"));
    CHECK_MPI(MPI_Type_get_name(d, name, &len));
    CHECK(strcmp(name, "my vector type") == 0 && len == 14,
          "name '%s' len %d", name, len);
    CHECK_MPI(MPI_Type_set_name(d, "renamed"));
    CHECK_MPI(MPI_Type_get_name(d, name, &len));
    CHECK(strcmp(name, "renamed") == 0, "renamed: '%s'", name);
    CHECK_MPI(MPI_Type_free(&d));

    /* Type_match_size. */
    CHECK_MPI(MPI_Type_match_size(MPI_TYPECLASS_INTEGER, 4, &t));
    CHECK_MPI(MPI_Type_size(t, &sz));
    CHECK_EQ(sz, 4, "match_size integer 4");
    CHECK_MPI(MPI_Type_match_size(MPI_TYPECLASS_REAL, 8, &t));
    CHECK_MPI(MPI_Type_size(t, &sz));
    CHECK_EQ(sz, 8, "match_size real 8");
    return mpt_finish();
}
