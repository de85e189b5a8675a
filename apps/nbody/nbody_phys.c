/*
 * nbody_phys.c - initial conditions, forces, integrator and conserved sums.
 * No MPI here: see nbody_phys.h for the determinism scheme.
 */
#include "nbody_phys.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* 1.5 * 2^52: adding it to |t| < 2^51 rounds t to an integer held in the
 * low mantissa bits; its bit pattern minus that of the constant is rint(t). */
#define FIX_MAGIC 6755399441055744.0
#define FIX_HI_SCALE 1048576.0       /* 2^20 */
#define FIX_LO_SCALE 1099511627776.0 /* 2^40 */

double nbody_fix_value(nbody_fix_t acc)
{
    /* Normalise so lo is in [0, 2^40): both words then convert exactly. */
    int64_t carry = acc.lo >> NBODY_FIX_LO_BITS; /* arithmetic shift (gcc) */
    int64_t hi = acc.hi + carry;
    int64_t lo = acc.lo - carry * ((int64_t)1 << NBODY_FIX_LO_BITS);
    return ldexp((double)hi, -NBODY_FIX_HI_BITS) +
           ldexp((double)lo, -(NBODY_FIX_HI_BITS + NBODY_FIX_LO_BITS));
}

int nbody_fix_range_ok(double mmax, double eps)
{
    /* max over r of m r / (r^2 + eps^2)^1.5 is 2 / (3 sqrt 3) m / eps^2 at r = eps / sqrt 2;
     * the potential term is at most 0.5 m^2 / eps. */
    const double lim = 1073741824.0; /* 2^30 */
    double fmax_ = 0.3849001794597505 * mmax / (eps * eps);
    double pmax = 0.5 * mmax * mmax / eps;
    return isfinite(fmax_) && isfinite(pmax) && fmax_ < lim && pmax < lim;
}

void nbody_fix_merge(nbody_fix_t *a, nbody_fix_t b)
{
    a->hi += b.hi;
    a->lo += b.lo;
}

int nbody_set_create(size_t n, size_t offset, nbody_set_t *out)
{
    nbody_set_t s;
    memset(&s, 0, sizeof(s));
    s.n = n;
    s.offset = offset;
    size_t alloc = n > 0 ? n : 1;
    double **arrays[] = {&s.x, &s.y, &s.z, &s.vx, &s.vy, &s.vz, &s.ax, &s.ay, &s.az, &s.m};
    for (size_t k = 0; k < sizeof(arrays) / sizeof(arrays[0]); k++) {
        *arrays[k] = calloc(alloc, sizeof(double));
        if (*arrays[k] == NULL) {
            nbody_set_destroy(&s);
            return -1;
        }
    }
    *out = s;
    return 0;
}

void nbody_set_destroy(nbody_set_t *s)
{
    if (s == NULL) {
        return;
    }
    free(s->x);
    free(s->y);
    free(s->z);
    free(s->vx);
    free(s->vy);
    free(s->vz);
    free(s->ax);
    free(s->ay);
    free(s->az);
    free(s->m);
    memset(s, 0, sizeof(*s));
}

uint64_t nbody_splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Uniform double in [0, 1) with 53 random bits. */
static double rng_uniform(uint64_t *state)
{
    return (double)(nbody_splitmix64(state) >> 11) * 0x1.0p-53;
}

/* Random vector of length @p len, isotropic. */
static void rng_sphere(uint64_t *state, double len, double *x, double *y, double *z)
{
    double cz = 1.0 - 2.0 * rng_uniform(state);
    double phi = 2.0 * M_PI * rng_uniform(state);
    double sz = sqrt(fmax(0.0, 1.0 - cz * cz));
    *x = len * sz * cos(phi);
    *y = len * sz * sin(phi);
    *z = len * cz;
}

void nbody_plummer(uint64_t seed, nbody_set_t *all)
{
    const size_t n = all->n;
    const double rscale = 3.0 * M_PI / 16.0; /* Plummer a = 1 -> virial radius 1 */
    const double vscale = 1.0 / sqrt(rscale);
    uint64_t base = seed;
    base = nbody_splitmix64(&base);

    for (size_t i = 0; i < n; i++) {
        /* Counter-based stream: particle i's draws depend only on (seed, i). */
        uint64_t st = base ^ ((uint64_t)(i + 1) * 0xD1B54A32D192ED03ULL);
        (void)nbody_splitmix64(&st);

        /* Radius from the cumulative mass, truncated at 99.9 % of the mass. */
        double r = 0.0;
        for (int tries = 0; tries < 1000; tries++) {
            double xm = rng_uniform(&st);
            if (xm > 1e-10 && xm < 0.999) {
                r = 1.0 / sqrt(pow(xm, -2.0 / 3.0) - 1.0);
                break;
            }
        }
        double px, py, pz;
        rng_sphere(&st, r, &px, &py, &pz);

        /* Speed by von Neumann rejection on g(q) = q^2 (1 - q^2)^3.5 (max < 0.1). */
        double q = 0.0;
        for (int tries = 0; tries < 10000; tries++) {
            double qq = rng_uniform(&st);
            double g = 0.1 * rng_uniform(&st);
            if (g < qq * qq * pow(1.0 - qq * qq, 3.5)) {
                q = qq;
                break;
            }
        }
        double vesc = sqrt(2.0) * pow(1.0 + r * r, -0.25);
        double vx, vy, vz;
        rng_sphere(&st, q * vesc, &vx, &vy, &vz);

        all->x[i] = px * rscale;
        all->y[i] = py * rscale;
        all->z[i] = pz * rscale;
        all->vx[i] = vx * vscale;
        all->vy[i] = vy * vscale;
        all->vz[i] = vz * vscale;
        all->m[i] = 1.0 / (double)n;
    }

    /* Centre-of-mass frame (sequential sums in index order: deterministic). */
    double c[6] = {0, 0, 0, 0, 0, 0};
    double mt = 0.0;
    for (size_t i = 0; i < n; i++) {
        c[0] += all->m[i] * all->x[i];
        c[1] += all->m[i] * all->y[i];
        c[2] += all->m[i] * all->z[i];
        c[3] += all->m[i] * all->vx[i];
        c[4] += all->m[i] * all->vy[i];
        c[5] += all->m[i] * all->vz[i];
        mt += all->m[i];
    }
    if (mt > 0.0) {
        for (int k = 0; k < 6; k++) {
            c[k] /= mt;
        }
    }
    for (size_t i = 0; i < n; i++) {
        all->x[i] -= c[0];
        all->y[i] -= c[1];
        all->z[i] -= c[2];
        all->vx[i] -= c[3];
        all->vy[i] -= c[4];
        all->vz[i] -= c[5];
    }
}

void nbody_pack(const nbody_set_t *s, double *xm)
{
    for (size_t i = 0; i < s->n; i++) {
        xm[4 * i + 0] = s->x[i];
        xm[4 * i + 1] = s->y[i];
        xm[4 * i + 2] = s->z[i];
        xm[4 * i + 3] = s->m[i];
    }
}

/* Bit pattern of a double as a signed integer (type-pun through memcpy). */
static inline int64_t dbits(double v)
{
    int64_t b;
    memcpy(&b, &v, sizeof(b));
    return b;
}

/*
 * Fixed-point add split for the inner loops: returns the bit patterns of
 * (t + MAGIC) for the high and low words; the caller sums them as integers
 * and removes count * bits(MAGIC) afterwards (see fix_unbias).  All
 * operations are plain adds/multiplies, so the loop can vectorise.
 */
static inline void fix_split(double v, int64_t *hb, int64_t *lb)
{
    double t = v * FIX_HI_SCALE;
    double th = t + FIX_MAGIC;
    double rem = (t - (th - FIX_MAGIC)) * FIX_LO_SCALE;
    *hb = dbits(th);
    *lb = dbits(rem + FIX_MAGIC);
}

/* Remove the bias of @p count magic-number patterns from a (hi, lo) pair. */
static inline void fix_unbias(nbody_fix_t *acc, int64_t hsum, int64_t lsum, size_t count)
{
    /* Computed in unsigned arithmetic: the biased sums may wrap; the
     * difference is exact modulo 2^64 and small in the end. */
    uint64_t bias = (uint64_t)dbits(FIX_MAGIC) * (uint64_t)count;
    acc->hi += (int64_t)((uint64_t)hsum - bias);
    acc->lo += (int64_t)((uint64_t)lsum - bias);
}

void nbody_accel_block(const nbody_set_t *tgt, const nbody_block_t *src, double eps2,
                       nbody_fix_t *acc)
{
    const size_t ns = src->n;
    const double *xm = src->xm;
    for (size_t i = 0; i < tgt->n; i++) {
        const double xi = tgt->x[i], yi = tgt->y[i], zi = tgt->z[i];
        /* Unsigned sums: wrap-around is defined and cancels in fix_unbias. */
        uint64_t hx = 0, lx = 0, hy = 0, ly = 0, hz = 0, lz = 0;
        for (size_t j = 0; j < ns; j++) {
            double dx = xm[4 * j + 0] - xi;
            double dy = xm[4 * j + 1] - yi;
            double dz = xm[4 * j + 2] - zi;
            double r2 = dx * dx + dy * dy + dz * dz + eps2;
            double inv = 1.0 / sqrt(r2);
            double s = xm[4 * j + 3] * (inv * inv * inv);
            int64_t hb, lb;
            fix_split(dx * s, &hb, &lb);
            hx += (uint64_t)hb;
            lx += (uint64_t)lb;
            fix_split(dy * s, &hb, &lb);
            hy += (uint64_t)hb;
            ly += (uint64_t)lb;
            fix_split(dz * s, &hb, &lb);
            hz += (uint64_t)hb;
            lz += (uint64_t)lb;
        }
        fix_unbias(&acc[3 * i + 0], (int64_t)hx, (int64_t)lx, ns);
        fix_unbias(&acc[3 * i + 1], (int64_t)hy, (int64_t)ly, ns);
        fix_unbias(&acc[3 * i + 2], (int64_t)hz, (int64_t)lz, ns);
    }
}

void nbody_potential_block(const nbody_set_t *tgt, const nbody_block_t *src, double eps2,
                           nbody_fix_t *pot)
{
    const size_t ns = src->n;
    const double *xm = src->xm;
    for (size_t i = 0; i < tgt->n; i++) {
        const double xi = tgt->x[i], yi = tgt->y[i], zi = tgt->z[i], mi = tgt->m[i];
        /* Branch-free loop over all sources (vectorises); the self term, if
         * the target is in the block, is removed afterwards exactly: its
         * fixed-point image is the same whether added or subtracted. */
        uint64_t hs = 0, ls = 0;
        for (size_t j = 0; j < ns; j++) {
            double dx = xm[4 * j + 0] - xi;
            double dy = xm[4 * j + 1] - yi;
            double dz = xm[4 * j + 2] - zi;
            double r2 = dx * dx + dy * dy + dz * dz + eps2;
            int64_t hb, lb;
            fix_split(-0.5 * mi * xm[4 * j + 3] / sqrt(r2), &hb, &lb);
            hs += (uint64_t)hb;
            ls += (uint64_t)lb;
        }
        fix_unbias(pot, (int64_t)hs, (int64_t)ls, ns);
        const size_t gi = tgt->offset + i;
        if (gi >= src->offset && gi < src->offset + ns) {
            size_t j = gi - src->offset;
            double dx = xm[4 * j + 0] - xi;
            double dy = xm[4 * j + 1] - yi;
            double dz = xm[4 * j + 2] - zi;
            double r2 = dx * dx + dy * dy + dz * dz + eps2;
            nbody_fix_t self = {0, 0};
            nbody_fix_add(&self, -0.5 * mi * xm[4 * j + 3] / sqrt(r2));
            pot->hi -= self.hi;
            pot->lo -= self.lo;
        }
    }
}

void nbody_accel_finish(nbody_set_t *s, const nbody_fix_t *acc)
{
    for (size_t i = 0; i < s->n; i++) {
        s->ax[i] = nbody_fix_value(acc[3 * i + 0]);
        s->ay[i] = nbody_fix_value(acc[3 * i + 1]);
        s->az[i] = nbody_fix_value(acc[3 * i + 2]);
    }
}

void nbody_kick(nbody_set_t *s, double h)
{
    for (size_t i = 0; i < s->n; i++) {
        s->vx[i] += s->ax[i] * h;
        s->vy[i] += s->ay[i] * h;
        s->vz[i] += s->az[i] * h;
    }
}

void nbody_drift(nbody_set_t *s, double h)
{
    for (size_t i = 0; i < s->n; i++) {
        s->x[i] += s->vx[i] * h;
        s->y[i] += s->vy[i] * h;
        s->z[i] += s->vz[i] * h;
    }
}

void nbody_local_sums(const nbody_set_t *s, nbody_fix_t out[NBODY_NSUMS])
{
    memset(out, 0, sizeof(nbody_fix_t) * NBODY_NSUMS);
    for (size_t i = 0; i < s->n; i++) {
        double m = s->m[i];
        double v2 = s->vx[i] * s->vx[i] + s->vy[i] * s->vy[i] + s->vz[i] * s->vz[i];
        nbody_fix_add(&out[0], 0.5 * m * v2);
        nbody_fix_add(&out[1], m * s->vx[i]);
        nbody_fix_add(&out[2], m * s->vy[i]);
        nbody_fix_add(&out[3], m * s->vz[i]);
        nbody_fix_add(&out[4], m);
        nbody_fix_add(&out[5], m * s->x[i]);
        nbody_fix_add(&out[6], m * s->y[i]);
        nbody_fix_add(&out[7], m * s->z[i]);
    }
}

uint64_t nbody_round_bits(double v)
{
    if (v == 0.0 || !isfinite(v)) {
        return v == 0.0 ? 0 : 0x7FF0000000000000ULL;
    }
    int e;
    double f = frexp(v, &e);                    /* v = f * 2^e, 0.5 <= |f| < 1 */
    int64_t mant = (int64_t)llrint(f * 0x1.0p30); /* ~30 significant bits */
    return ((uint64_t)mant << 16) ^ (uint64_t)(uint32_t)(e + 2048);
}

uint64_t nbody_checksum(const double *xm, size_t n)
{
    uint64_t h = 0xCBF29CE484222325ULL;
    for (size_t i = 0; i < n; i++) {
        for (int k = 0; k < 3; k++) {
            uint64_t b = nbody_round_bits(xm[4 * i + k]);
            for (int byte = 0; byte < 8; byte++) {
                h ^= (b >> (8 * byte)) & 0xFF;
                h *= 0x100000001B3ULL;
            }
        }
    }
    return h;
}

void nbody_block_range(size_t n, int p, int r, size_t *count, size_t *offset)
{
    size_t base = n / (size_t)p;
    size_t extra = n % (size_t)p;
    size_t rr = (size_t)r;
    *count = base + (rr < extra ? 1 : 0);
    *offset = rr * base + (rr < extra ? rr : extra);
}
