/*
 * dt_struct: MPI_Type_create_struct for a C struct with padding
 * (char, double, int[3], short), using offsetof and MPI_Get_address;
 * extent without resizing (30 or, padded for alignment, 32 bytes) and
 * MPI_Type_create_resized to sizeof(struct) for arrays of structs;
 * arrays sent across ranks and compared field by field; receiving with a
 * different layout of the same type signature (fields stored in reverse
 * order in another struct); absolute addresses with MPI_BOTTOM; a struct
 * of int blocks checked with dt_check; resized with a non-zero lb.
 */
#include "dtcheck.h"
#include <stddef.h>

struct s1 {
    char c;
    double d;
    int i[3];
    short s;
};

struct s2 { /* same fields, other order */
    short s;
    int i[3];
    char c;
    double d;
};

#define NS 10

static MPI_Datatype make_s1(void)
{
    int bl[4] = {1, 1, 3, 1};
    MPI_Aint d[4] = {offsetof(struct s1, c), offsetof(struct s1, d),
                     offsetof(struct s1, i), offsetof(struct s1, s)};
    MPI_Datatype ty[4] = {MPI_CHAR, MPI_DOUBLE, MPI_INT, MPI_SHORT};
    MPI_Datatype t, r;
    MPI_Aint lb, ext;

    CHECK_MPI(MPI_Type_create_struct(4, bl, d, ty, &t));
    CHECK_MPI(MPI_Type_get_extent(t, &lb, &ext));
    CHECK(lb == 0, "struct lb %ld", (long)lb);
    CHECK(ext == (MPI_Aint)offsetof(struct s1, s) + 2 ||
              ext == (MPI_Aint)sizeof(struct s1),
          "struct extent %ld, want %zu or %zu", (long)ext,
          offsetof(struct s1, s) + 2, sizeof(struct s1));
    CHECK_MPI(MPI_Type_create_resized(t, 0, sizeof(struct s1), &r));
    CHECK_MPI(MPI_Type_free(&t));
    CHECK_MPI(MPI_Type_commit(&r));
    CHECK_MPI(MPI_Type_get_extent(r, &lb, &ext));
    CHECK_EQ(ext, sizeof(struct s1), "resized extent");
    return r;
}

/* The s2 layout, fields listed in s1's order (same signature). */
static MPI_Datatype make_s2(void)
{
    int bl[4] = {1, 1, 3, 1};
    struct s2 x;
    MPI_Aint base, d[4];
    MPI_Datatype ty[4] = {MPI_CHAR, MPI_DOUBLE, MPI_INT, MPI_SHORT};
    MPI_Datatype t, r;

    CHECK_MPI(MPI_Get_address(&x, &base));
    CHECK_MPI(MPI_Get_address(&x.c, &d[0]));
    CHECK_MPI(MPI_Get_address(&x.d, &d[1]));
    CHECK_MPI(MPI_Get_address(&x.i[0], &d[2]));
    CHECK_MPI(MPI_Get_address(&x.s, &d[3]));
    for (int i = 0; i < 4; i++) {
        d[i] = MPI_Aint_diff(d[i], base);
    }
    CHECK_EQ(d[0], offsetof(struct s2, c), "Get_address/Aint_diff offset");
    CHECK_EQ(d[1], offsetof(struct s2, d), "Get_address/Aint_diff offset");
    CHECK_MPI(MPI_Type_create_struct(4, bl, d, ty, &t));
    CHECK_MPI(MPI_Type_create_resized(t, 0, sizeof(struct s2), &r));
    CHECK_MPI(MPI_Type_free(&t));
    CHECK_MPI(MPI_Type_commit(&r));
    return r;
}

static void fill1(struct s1 *a, int n, int seed)
{
    memset(a, 0xAB, sizeof(*a) * (size_t)n); /* junk in the padding */
    for (int k = 0; k < n; k++) {
        a[k].c = (char)('a' + (k + seed) % 26);
        a[k].d = k * 1.25 + seed;
        a[k].i[0] = k;
        a[k].i[1] = -k * seed;
        a[k].i[2] = 1000 + k;
        a[k].s = (short)(k * 3 - seed);
    }
}

static void cmp1(const struct s1 *a, const struct s1 *b, int n,
                 const char *what)
{
    for (int k = 0; k < n; k++) {
        CHECK(a[k].c == b[k].c && a[k].d == b[k].d && a[k].i[0] == b[k].i[0] &&
                  a[k].i[1] == b[k].i[1] && a[k].i[2] == b[k].i[2] &&
                  a[k].s == b[k].s,
              "%s: struct %d differs", what, k);
    }
}

int main(int argc, char **argv)
{
    MPI_Datatype t1, t2;
    struct s1 a[NS], b[NS];
    struct s2 c[NS];
    int peer, k;
    MPI_Status st;

    mpt_init(&argc, &argv, 1);
    peer = (mpt_rank ^ 1) < mpt_size ? (mpt_rank ^ 1) : mpt_rank;
    t1 = make_s1();
    t2 = make_s2();

    /* Array of structs across ranks. */
    fill1(a, NS, mpt_rank);
    memset(b, 0, sizeof(b));
    CHECK_MPI(MPI_Sendrecv(a, NS, t1, peer, 1, b, NS, t1, peer, 1,
                           MPI_COMM_WORLD, &st));
    fill1(a, NS, peer);
    cmp1(a, b, NS, "array of structs");

    /* Same signature, other layout on the receive side. */
    fill1(a, NS, mpt_rank);
    memset(c, 0, sizeof(c));
    CHECK_MPI(MPI_Sendrecv(a, NS, t1, peer, 2, c, NS, t2, peer, 2,
                           MPI_COMM_WORLD, &st));
    fill1(a, NS, peer);
    for (k = 0; k < NS; k++) {
        CHECK(c[k].c == a[k].c && c[k].d == a[k].d && c[k].i[1] == a[k].i[1] &&
                  c[k].s == a[k].s,
              "struct %d received into the other layout differs", k);
    }

    /* Absolute addresses: a struct type describing a[3].d, b[5].s, and a
     * separate int, sent from MPI_BOTTOM. */
    {
        int extra = 99 + mpt_rank, gotx = 0;
        double gd = 0;
        short gs = 0;
        MPI_Aint ad[3], rd[3];
        int bl[3] = {1, 1, 1};
        MPI_Datatype ty[3] = {MPI_DOUBLE, MPI_SHORT, MPI_INT}, abs_s, abs_r;
        fill1(a, NS, mpt_rank);
        CHECK_MPI(MPI_Get_address(&a[3].d, &ad[0]));
        CHECK_MPI(MPI_Get_address(&a[5].s, &ad[1]));
        CHECK_MPI(MPI_Get_address(&extra, &ad[2]));
        CHECK_MPI(MPI_Get_address(&gd, &rd[0]));
        CHECK_MPI(MPI_Get_address(&gs, &rd[1]));
        CHECK_MPI(MPI_Get_address(&gotx, &rd[2]));
        CHECK_MPI(MPI_Type_create_struct(3, bl, ad, ty, &abs_s));
        CHECK_MPI(MPI_Type_create_struct(3, bl, rd, ty, &abs_r));
        CHECK_MPI(MPI_Type_commit(&abs_s));
        CHECK_MPI(MPI_Type_commit(&abs_r));
        CHECK_MPI(MPI_Sendrecv(MPI_BOTTOM, 1, abs_s, peer, 3, MPI_BOTTOM, 1,
                               abs_r, peer, 3, MPI_COMM_WORLD, &st));
        fill1(b, NS, peer);
        CHECK(gd == b[3].d, "MPI_BOTTOM double %g want %g", gd, b[3].d);
        CHECK_EQ(gs, b[5].s, "MPI_BOTTOM short");
        CHECK_EQ(gotx, 99 + peer, "MPI_BOTTOM int");
        CHECK_MPI(MPI_Type_free(&abs_s));
        CHECK_MPI(MPI_Type_free(&abs_r));
    }

    /* A struct of int blocks (with a nested vector), layout-checked. */
    {
        MPI_Datatype v, s, r;
        int bl[3] = {2, 1, 1};
        MPI_Aint d[3] = {0, 5 * 4, 12 * 4};
        MPI_Datatype ty[3];
        long p1[16] = {0, 1, 5, 7, 12}, *p;
        CHECK_MPI(MPI_Type_vector(2, 1, 2, MPI_INT, &v)); /* {0,2} */
        ty[0] = MPI_INT;
        ty[1] = v;
        ty[2] = MPI_INT;
        CHECK_MPI(MPI_Type_create_struct(3, bl, d, ty, &s));
        CHECK_MPI(MPI_Type_commit(&s));
        dt_check(s, 1, p1, 5, "struct of int blocks");
        p = dt_repeat(p1, 5, 3, 13);
        dt_check(s, 3, p, 15, "struct of int blocks x3");
        free(p);
        /* Resized to lb = -2 ints, extent 20 ints: element k starts at
         * k * 20 ints; the lb does not move the data. */
        CHECK_MPI(MPI_Type_create_resized(s, -8, 80, &r));
        CHECK_MPI(MPI_Type_commit(&r));
        {
            MPI_Aint lb, ext, tlb, text;
            CHECK_MPI(MPI_Type_get_extent(r, &lb, &ext));
            CHECK(lb == -8 && ext == 80, "resized lb %ld extent %ld",
                  (long)lb, (long)ext);
            CHECK_MPI(MPI_Type_get_true_extent(r, &tlb, &text));
            CHECK(tlb == 0 && text == 52, "resized true lb %ld extent %ld",
                  (long)tlb, (long)text);
        }
        p = dt_repeat(p1, 5, 3, 20);
        dt_check(r, 3, p, 15, "resized struct x3");
        free(p);
        CHECK_MPI(MPI_Type_free(&r));
        CHECK_MPI(MPI_Type_free(&s));
        CHECK_MPI(MPI_Type_free(&v));
    }
    CHECK_MPI(MPI_Type_free(&t1));
    CHECK_MPI(MPI_Type_free(&t2));
    return mpt_finish();
}
