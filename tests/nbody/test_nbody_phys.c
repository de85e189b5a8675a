/*
 * test_nbody_phys.c - Criterion unit tests of the N-body physics, snapshot
 * files and option parsing (no MPI involved).
 *
 * The sources under test are compiled into this test by inclusion, so the
 * test needs no library of the app (and can see its static helpers).
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nbody_phys.c"
#include "nbody_opts.c"
#include "snapshot.c"
#include "nbody_tree.c"

/* Accelerations of all particles of @p s due to all of them (one block). */
static void accel_all(nbody_set_t *s, double eps2)
{
    double *xm = malloc(sizeof(double) * 4 * s->n);
    nbody_fix_t *acc = calloc(3 * s->n, sizeof(nbody_fix_t));
    cr_assert(xm != NULL && acc != NULL);
    nbody_pack(s, xm);
    nbody_block_t src = {.n = s->n, .offset = s->offset, .xm = xm};
    nbody_accel_block(s, &src, eps2, acc);
    nbody_accel_finish(s, acc);
    free(acc);
    free(xm);
}

/* Total energy of @p s (all particles, offset 0). */
static double energy_all(const nbody_set_t *s, double eps2)
{
    double *xm = malloc(sizeof(double) * 4 * s->n);
    cr_assert(xm != NULL);
    nbody_pack(s, xm);
    nbody_fix_t sums[NBODY_NSUMS], pot = {0, 0};
    nbody_local_sums(s, sums);
    nbody_block_t src = {.n = s->n, .offset = s->offset, .xm = xm};
    nbody_potential_block(s, &src, eps2, &pot);
    free(xm);
    return nbody_fix_value(sums[0]) + nbody_fix_value(pot);
}

Test(fixpoint, sums_exactly_in_any_order)
{
    double v[1000];
    uint64_t st = 42;
    double ref = 0.0;
    for (int i = 0; i < 1000; i++) {
        v[i] = (rng_uniform(&st) - 0.5) * pow(10.0, (double)(i % 12) - 6.0);
        ref += v[i];
    }
    nbody_fix_t fwd = {0, 0}, bwd = {0, 0}, inl = {0, 0};
    for (int i = 0; i < 1000; i++) {
        nbody_fix_add(&fwd, v[i]);
        nbody_fix_add(&bwd, v[999 - i]);
    }
    /* The loop-friendly split used in the force kernel must agree too. */
    uint64_t hs = 0, ls = 0;
    for (int i = 0; i < 1000; i++) {
        int64_t hb, lb;
        fix_split(v[i], &hb, &lb);
        hs += (uint64_t)hb;
        ls += (uint64_t)lb;
    }
    fix_unbias(&inl, (int64_t)hs, (int64_t)ls, 1000);
    cr_assert_eq(nbody_fix_value(fwd), nbody_fix_value(bwd));
    cr_assert_eq(nbody_fix_value(fwd), nbody_fix_value(inl));
    cr_assert(fabs(nbody_fix_value(fwd) - ref) < 1e-14 * fabs(ref) + 1e-15,
              "fixed %.17g vs double %.17g", nbody_fix_value(fwd), ref);
    cr_assert(nbody_fix_range_ok(1.0 / 2048, 0.05));
    cr_assert(nbody_fix_range_ok(0.5, 1e-4));
    cr_assert(!nbody_fix_range_ok(0.5, 1e-6));
    nbody_fix_t one = {0, 0};
    nbody_fix_add(&one, -0.3);
    cr_assert(fabs(nbody_fix_value(one) + 0.3) < 1e-17);
}

Test(plummer, mass_centre_and_virial)
{
    nbody_set_t s;
    cr_assert_eq(nbody_set_create(4096, 0, &s), 0);
    nbody_plummer(7, &s);
    nbody_fix_t sums[NBODY_NSUMS];
    nbody_local_sums(&s, sums);
    cr_assert(fabs(nbody_fix_value(sums[4]) - 1.0) < 1e-12, "total mass %g",
              nbody_fix_value(sums[4]));
    for (int k = 1; k <= 3; k++) {
        cr_assert(fabs(nbody_fix_value(sums[k])) < 1e-12, "momentum[%d] %g", k,
                  nbody_fix_value(sums[k]));
        cr_assert(fabs(nbody_fix_value(sums[4 + k])) < 1e-12, "centre of mass[%d] %g", k,
                  nbody_fix_value(sums[4 + k]));
    }
    double kin = nbody_fix_value(sums[0]);
    double e = energy_all(&s, 1e-8);
    double w = e - kin;
    double q = 2.0 * kin / fabs(w);
    cr_assert(fabs(q - 1.0) < 0.1, "virial ratio 2K/|W| = %g", q);
    cr_assert(fabs(e + 0.25) < 0.02, "energy %g, expected about -1/4 in N-body units", e);
    nbody_set_destroy(&s);
}

Test(plummer, deterministic_from_seed)
{
    nbody_set_t a, b, c;
    cr_assert_eq(nbody_set_create(100, 0, &a), 0);
    cr_assert_eq(nbody_set_create(100, 0, &b), 0);
    cr_assert_eq(nbody_set_create(100, 0, &c), 0);
    nbody_plummer(99, &a);
    nbody_plummer(99, &b);
    nbody_plummer(100, &c);
    cr_assert_eq(memcmp(a.x, b.x, 100 * sizeof(double)), 0);
    cr_assert_eq(memcmp(a.vz, b.vz, 100 * sizeof(double)), 0);
    cr_assert_neq(memcmp(a.x, c.x, 100 * sizeof(double)), 0);
    nbody_set_destroy(&a);
    nbody_set_destroy(&b);
    nbody_set_destroy(&c);
}

Test(forces, newton_third_law)
{
    nbody_set_t s;
    cr_assert_eq(nbody_set_create(200, 0, &s), 0);
    nbody_plummer(3, &s);
    for (size_t i = 0; i < s.n; i++) {
        s.m[i] = (1.0 + (double)(i % 7)) / 800.0; /* unequal masses */
    }
    accel_all(&s, 0.01 * 0.01);
    double f[3] = {0, 0, 0}, scale = 0.0;
    for (size_t i = 0; i < s.n; i++) {
        f[0] += s.m[i] * s.ax[i];
        f[1] += s.m[i] * s.ay[i];
        f[2] += s.m[i] * s.az[i];
        scale += s.m[i] * sqrt(s.ax[i] * s.ax[i] + s.ay[i] * s.ay[i] + s.az[i] * s.az[i]);
    }
    double net = sqrt(f[0] * f[0] + f[1] * f[1] + f[2] * f[2]);
    cr_assert(net < 1e-14 * scale, "net force %g vs scale %g", net, scale);

    /* One pair, each acting on the other: equal and opposite to rounding. */
    nbody_set_t p;
    cr_assert_eq(nbody_set_create(2, 0, &p), 0);
    p.x[0] = 0.1, p.y[0] = -0.3, p.z[0] = 0.7, p.m[0] = 0.25;
    p.x[1] = -0.4, p.y[1] = 0.2, p.z[1] = 0.05, p.m[1] = 0.75;
    accel_all(&p, 1e-4);
    double fa[3] = {p.m[0] * p.ax[0], p.m[0] * p.ay[0], p.m[0] * p.az[0]};
    double fb[3] = {p.m[1] * p.ax[1], p.m[1] * p.ay[1], p.m[1] * p.az[1]};
    for (int k = 0; k < 3; k++) {
        cr_assert(fabs(fa[k] + fb[k]) <= 1e-15 * fabs(fa[k]) + 1e-17,
                  "component %d: %.17g vs %.17g", k, fa[k], fb[k]);
    }
    /* Magnitude: unit masses at distance 2 attract with 1/4. */
    p.x[0] = 1.0, p.y[0] = p.z[0] = 0.0, p.m[0] = 1.0;
    p.x[1] = -1.0, p.y[1] = p.z[1] = 0.0, p.m[1] = 1.0;
    accel_all(&p, 1e-12);
    cr_assert(fabs(p.ax[0] + 0.25) < 1e-12 && fabs(p.ax[1] - 0.25) < 1e-12, "ax %.17g %.17g",
              p.ax[0], p.ax[1]);
    cr_assert(p.ay[0] == 0.0 && p.az[1] == 0.0);
    nbody_set_destroy(&p);
    nbody_set_destroy(&s);
}

Test(forces, independent_of_block_split_and_order)
{
    const size_t n = 301;
    nbody_set_t s;
    cr_assert_eq(nbody_set_create(n, 0, &s), 0);
    nbody_plummer(11, &s);
    double *xm = malloc(sizeof(double) * 4 * n);
    nbody_pack(&s, xm);
    nbody_fix_t *one = calloc(3 * n, sizeof(nbody_fix_t));
    nbody_fix_t *split = calloc(3 * n, sizeof(nbody_fix_t));
    nbody_block_t all = {.n = n, .offset = 0, .xm = xm};
    nbody_accel_block(&s, &all, 0.05 * 0.05, one);
    /* Uneven blocks visited backwards, as a 4-rank ring might see them. */
    size_t cuts[] = {0, 76, 151, 226, 301};
    for (int b = 3; b >= 0; b--) {
        nbody_block_t blk = {.n = cuts[b + 1] - cuts[b], .offset = cuts[b],
                             .xm = xm + 4 * cuts[b]};
        nbody_accel_block(&s, &blk, 0.05 * 0.05, split);
    }
    for (size_t i = 0; i < 3 * n; i++) {
        cr_assert_eq(nbody_fix_value(one[i]), nbody_fix_value(split[i]), "acc %zu differs", i);
    }
    /* Potential energy: targets and sources both split, self terms skipped. */
    nbody_fix_t pone = {0, 0}, psplit = {0, 0};
    nbody_potential_block(&s, &all, 0.05 * 0.05, &pone);
    for (int tb = 0; tb < 4; tb++) {
        nbody_set_t part = s;
        part.offset = cuts[tb];
        part.n = cuts[tb + 1] - cuts[tb];
        part.x += cuts[tb], part.y += cuts[tb], part.z += cuts[tb], part.m += cuts[tb];
        for (int b = 3; b >= 0; b--) {
            nbody_block_t blk = {.n = cuts[b + 1] - cuts[b], .offset = cuts[b],
                                 .xm = xm + 4 * cuts[b]};
            nbody_potential_block(&part, &blk, 0.05 * 0.05, &psplit);
        }
    }
    cr_assert_eq(pone.hi, psplit.hi);
    cr_assert_eq(pone.lo, psplit.lo);
    free(one);
    free(split);
    free(xm);
    nbody_set_destroy(&s);
}

/* Integrate two bodies of mass 1/2 starting at (+-1/2, 0, 0) with velocities
 * (0, +-v0, 0); return the max relative energy error and the max deviation
 * of the separation from 1. */
static void two_body(double v0, double dt, int steps, double *maxerr, double *maxsep,
                     double *e0out, double *xend)
{
    nbody_set_t s;
    cr_assert_eq(nbody_set_create(2, 0, &s), 0);
    s.m[0] = s.m[1] = 0.5;
    s.x[0] = 0.5, s.x[1] = -0.5;
    s.vy[0] = v0, s.vy[1] = -v0;
    const double eps2 = 1e-10;
    accel_all(&s, eps2);
    double e0 = energy_all(&s, eps2);
    *maxerr = *maxsep = 0.0;
    for (int k = 0; k < steps; k++) {
        nbody_kick(&s, 0.5 * dt);
        nbody_drift(&s, dt);
        accel_all(&s, eps2);
        nbody_kick(&s, 0.5 * dt);
        if (k % 10 == 0 || k == steps - 1) {
            double e = energy_all(&s, eps2);
            *maxerr = fmax(*maxerr, fabs((e - e0) / e0));
            double dx = s.x[0] - s.x[1], dy = s.y[0] - s.y[1], dz = s.z[0] - s.z[1];
            *maxsep = fmax(*maxsep, fabs(sqrt(dx * dx + dy * dy + dz * dz) - 1.0));
        }
    }
    *e0out = e0;
    *xend = s.x[0];
    nbody_set_destroy(&s);
}

Test(integrator, two_body_circular_orbit)
{
    /* Speed 1/2 gives a circle of radius 1/2 around the centre; period 2 pi. */
    const double dt = 2.0 * M_PI / 6000.0;
    double err, sep, e0, xend;
    two_body(0.5, dt, 3 * 6000, &err, &sep, &e0, &xend);
    cr_assert(fabs(e0 + 0.125) < 1e-9, "E0 %.12g, expected -1/8", e0);
    cr_assert(err < 1e-8, "relative energy error %g over 3 orbits", err);
    cr_assert(sep < 1e-6, "separation deviates from 1 by %g", sep);
    /* After three periods body 0 is back at x = 1/2 (small phase error). */
    cr_assert(fabs(xend - 0.5) < 1e-4, "x after 3 periods %.9f", xend);
}

Test(integrator, two_body_eccentric_orbit)
{
    /* Speed 0.35: eccentric orbit (e about 0.5), energy must still be conserved. */
    double err, sep, e0, xend;
    two_body(0.35, 5e-4, 40000, &err, &sep, &e0, &xend);
    cr_assert(sep > 0.3, "orbit should be eccentric (separation range %g)", sep);
    cr_assert(err < 1e-5, "relative energy error %g", err);
}

Test(distribution, blocks_cover_all)
{
    for (int p = 1; p <= 7; p++) {
        size_t next = 0;
        for (int r = 0; r < p; r++) {
            size_t c, off;
            nbody_block_range(10, p, r, &c, &off);
            cr_assert_eq(off, next);
            next += c;
        }
        cr_assert_eq(next, 10);
    }
}

Test(checksum, rounding_tolerates_tiny_noise)
{
    double a[8] = {1.0, 2.0, 3.0, 1.0, -0.5, 1e-3, 7.0, 1.0};
    double b[8];
    memcpy(b, a, sizeof(a));
    uint64_t ha = nbody_checksum(a, 2);
    b[2] = 3.0 * (1.0 + 1e-14);
    cr_assert_eq(nbody_checksum(b, 2), ha);
    b[2] = 3.0 * (1.0 + 1e-6);
    cr_assert_neq(nbody_checksum(b, 2), ha);
}

Test(snapshot, roundtrip_and_rejects_bad_files)
{
    char path[] = "/tmp/nbody_test_snapXXXXXX";
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    close(fd);
    nbody_set_t s, r;
    cr_assert_eq(nbody_set_create(33, 0, &s), 0);
    nbody_plummer(5, &s);
    nbody_snap_meta_t m = {.n = 33, .step = 17, .time = 0.085, .dt = 0.005, .eps = 0.05,
                           .seed = 5, .e0 = -0.25, .p0 = {1e-17, 0, -2e-17}, .sigma0 = 0.7};
    char err[512];
    cr_assert_eq(nbody_snap_write(path, &m, &s, err, sizeof(err)), 0, "%s", err);
    nbody_snap_meta_t m2;
    cr_assert_eq(nbody_snap_read(path, &m2, &r, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(memcmp(&m, &m2, sizeof(m)), 0);
    cr_assert_eq(memcmp(s.x, r.x, 33 * sizeof(double)), 0);
    cr_assert_eq(memcmp(s.vz, r.vz, 33 * sizeof(double)), 0);
    cr_assert_eq(memcmp(s.m, r.m, 33 * sizeof(double)), 0);
    nbody_set_destroy(&r);

    /* Truncated file. */
    cr_assert_eq(truncate(path, 500), 0);
    cr_assert_eq(nbody_snap_read(path, &m2, &r, err, sizeof(err)), -1);
    cr_assert(strstr(err, "size") != NULL, "%s", err);
    /* Bad magic. */
    FILE *f = fopen(path, "r+b");
    cr_assert(f != NULL);
    fwrite("XXXX", 1, 4, f);
    fclose(f);
    cr_assert_eq(nbody_snap_read_meta(path, &m2, err, sizeof(err)), -1);
    cr_assert(strstr(err, "magic") != NULL, "%s", err);
    unlink(path);
    cr_assert_eq(nbody_snap_read_meta(path, &m2, err, sizeof(err)), -1);
    cr_assert(strstr(err, "No such file") != NULL, "%s", err);
    nbody_set_destroy(&s);
}

Test(options, defaults_and_errors)
{
    nbody_opts_t o;
    char err[256];
    char *a1[] = {"nbody", NULL};
    cr_assert_eq(nbody_opts_parse(1, a1, &o, err, sizeof(err)), 0);
    cr_assert_eq(o.n, 2048);
    cr_assert_str_eq(o.comm, "allgather");
    char *a2[] = {"nbody", "-n", "500", "--comm", "ring", "--dt", "0.01", NULL};
    cr_assert_eq(nbody_opts_parse(7, a2, &o, err, sizeof(err)), 0);
    cr_assert_eq(o.n, 500);
    cr_assert_str_eq(o.comm, "ring");
    cr_assert_eq(o.dt, 0.01);
    char *a3[] = {"nbody", "--comm", "tree", NULL};
    cr_assert_eq(nbody_opts_parse(3, a3, &o, err, sizeof(err)), NBODY_EXIT_USAGE);
    cr_assert(strstr(err, "--comm") != NULL, "%s", err);
    char *a4[] = {"nbody", "--eps", "0", NULL};
    cr_assert_eq(nbody_opts_parse(3, a4, &o, err, sizeof(err)), NBODY_EXIT_USAGE);
    char *a5[] = {"nbody", "--frobnicate", NULL};
    cr_assert_eq(nbody_opts_parse(2, a5, &o, err, sizeof(err)), NBODY_EXIT_USAGE);
    char *a6[] = {"nbody", "--steps", NULL};
    cr_assert_eq(nbody_opts_parse(2, a6, &o, err, sizeof(err)), NBODY_EXIT_USAGE);
    char *a8[] = {"nbody", "--timeout", "-1", NULL};
    cr_assert_eq(nbody_opts_parse(3, a8, &o, err, sizeof(err)), NBODY_EXIT_USAGE);
    cr_assert(strstr(err, "--timeout") != NULL, "%s", err);
    char *a9[] = {"nbody", "--force", "tree", "--comm", "ring", NULL};
    cr_assert_eq(nbody_opts_parse(5, a9, &o, err, sizeof(err)), NBODY_EXIT_USAGE);
    char *a7[] = {"nbody", "--help", NULL};
    cr_assert_eq(nbody_opts_parse(2, a7, &o, err, sizeof(err)), -1);
}

/* Tree accelerations of all particles of @p s with opening angle @p theta. */
static void tree_accel_all(nbody_set_t *s, double theta, double eps2)
{
    double *xm = malloc(sizeof(double) * 4 * s->n);
    nbody_fix_t *acc = calloc(3 * s->n, sizeof(nbody_fix_t));
    nbody_tree_t *t = nbody_tree_create();
    cr_assert(xm != NULL && acc != NULL && t != NULL);
    nbody_pack(s, xm);
    nbody_block_t all = {.n = s->n, .offset = 0, .xm = xm};
    cr_assert_eq(nbody_tree_build(t, &all), 0);
    cr_assert(nbody_tree_cells(t) > s->n / LEAF_MAX, "only %zu cells", nbody_tree_cells(t));
    size_t inter = nbody_tree_accel(t, s, theta, eps2, acc);
    if (theta == 0.0) {
        cr_assert_eq(inter, s->n * s->n);
    } else {
        cr_assert(inter < s->n * s->n / 2, "tree did %zu interactions", inter);
    }
    nbody_accel_finish(s, acc);
    nbody_tree_destroy(t);
    free(acc);
    free(xm);
}

Test(tree, theta_zero_is_exactly_direct)
{
    nbody_set_t a, b;
    cr_assert_eq(nbody_set_create(1500, 0, &a), 0);
    cr_assert_eq(nbody_set_create(1500, 0, &b), 0);
    nbody_plummer(21, &a);
    nbody_plummer(21, &b);
    accel_all(&a, 0.01);
    tree_accel_all(&b, 0.0, 0.01);
    cr_assert_eq(memcmp(a.ax, b.ax, 1500 * sizeof(double)), 0);
    cr_assert_eq(memcmp(a.az, b.az, 1500 * sizeof(double)), 0);
    nbody_set_destroy(&a);
    nbody_set_destroy(&b);
}

Test(tree, theta_half_is_close_to_direct)
{
    const size_t n = 4000;
    nbody_set_t a, b;
    cr_assert_eq(nbody_set_create(n, 0, &a), 0);
    cr_assert_eq(nbody_set_create(n, 0, &b), 0);
    nbody_plummer(22, &a);
    nbody_plummer(22, &b);
    accel_all(&a, 0.0025);
    tree_accel_all(&b, 0.5, 0.0025);
    double sum2 = 0.0, maxrel = 0.0;
    for (size_t i = 0; i < n; i++) {
        double dx = a.ax[i] - b.ax[i], dy = a.ay[i] - b.ay[i], dz = a.az[i] - b.az[i];
        double an = sqrt(a.ax[i] * a.ax[i] + a.ay[i] * a.ay[i] + a.az[i] * a.az[i]);
        double rel = sqrt(dx * dx + dy * dy + dz * dz) / an;
        sum2 += rel * rel;
        maxrel = fmax(maxrel, rel);
    }
    double rms = sqrt(sum2 / (double)n);
    cr_assert(rms < 5e-3, "rms relative force error %g", rms);
    cr_assert(maxrel < 0.1, "max relative force error %g", maxrel);
    cr_assert(rms > 0.0, "theta 0.5 should approximate");
    nbody_set_destroy(&a);
    nbody_set_destroy(&b);
}

Test(tree, coincident_particles_do_not_recurse_forever)
{
    nbody_set_t s;
    cr_assert_eq(nbody_set_create(50, 0, &s), 0);
    for (size_t i = 0; i < 50; i++) {
        s.x[i] = (i < 40) ? 0.25 : -0.5; /* 40 particles at one point */
        s.m[i] = 0.02;
    }
    tree_accel_all(&s, 0.0, 0.01);
    cr_assert(isfinite(s.ax[0]) && s.ax[0] < 0.0, "ax %g", s.ax[0]);
    nbody_set_destroy(&s);
}
