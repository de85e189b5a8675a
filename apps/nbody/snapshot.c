/*
 * snapshot.c - write and read N-body snapshots (format: SNAPSHOT.md).
 */
#include "snapshot.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define SNAP_HEADER_BYTES 128u
#define SNAP_NARRAYS 7u

/* Header field offsets (bytes); see SNAPSHOT.md. */
enum {
    OFF_MAGIC = 0,
    OFF_VERSION = 8,
    OFF_ENDIAN = 12,
    OFF_N = 16,
    OFF_STEP = 24,
    OFF_TIME = 32,
    OFF_DT = 40,
    OFF_EPS = 48,
    OFF_SEED = 56,
    OFF_E0 = 64,
    OFF_P0 = 72,
    OFF_SIGMA0 = 96,
    OFF_HDRSIZE = 104,
};

static void put(unsigned char *hdr, size_t off, const void *v, size_t len)
{
    memcpy(hdr + off, v, len);
}

static void get(const unsigned char *hdr, size_t off, void *v, size_t len)
{
    memcpy(v, hdr + off, len);
}

static double **set_arrays(const nbody_set_t *s, double **arr)
{
    arr[0] = s->x;
    arr[1] = s->y;
    arr[2] = s->z;
    arr[3] = s->vx;
    arr[4] = s->vy;
    arr[5] = s->vz;
    arr[6] = s->m;
    return arr;
}

int nbody_snap_write(const char *path, const nbody_snap_meta_t *meta, const nbody_set_t *all,
                     char *err, size_t errlen)
{
    unsigned char hdr[SNAP_HEADER_BYTES];
    memset(hdr, 0, sizeof(hdr));
    uint32_t version = NBODY_SNAP_VERSION, endian = NBODY_SNAP_ENDIAN;
    uint64_t hsize = SNAP_HEADER_BYTES;
    put(hdr, OFF_MAGIC, NBODY_SNAP_MAGIC, 8);
    put(hdr, OFF_VERSION, &version, 4);
    put(hdr, OFF_ENDIAN, &endian, 4);
    put(hdr, OFF_N, &meta->n, 8);
    put(hdr, OFF_STEP, &meta->step, 8);
    put(hdr, OFF_TIME, &meta->time, 8);
    put(hdr, OFF_DT, &meta->dt, 8);
    put(hdr, OFF_EPS, &meta->eps, 8);
    put(hdr, OFF_SEED, &meta->seed, 8);
    put(hdr, OFF_E0, &meta->e0, 8);
    put(hdr, OFF_P0, meta->p0, 24);
    put(hdr, OFF_SIGMA0, &meta->sigma0, 8);
    put(hdr, OFF_HDRSIZE, &hsize, 8);

    char tmp[4096];
    if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
        snprintf(err, errlen, "snapshot path too long: %s", path);
        return -1;
    }
    FILE *f = fopen(tmp, "wb");
    if (f == NULL) {
        snprintf(err, errlen, "cannot create snapshot %s: %s", tmp, strerror(errno));
        return -1;
    }
    int ok = fwrite(hdr, 1, sizeof(hdr), f) == sizeof(hdr);
    double *arr[SNAP_NARRAYS];
    set_arrays(all, arr);
    for (unsigned k = 0; ok && k < SNAP_NARRAYS; k++) {
        ok = fwrite(arr[k], sizeof(double), all->n, f) == all->n;
    }
    int saved = errno;
    if (fclose(f) != 0 && ok) {
        ok = 0;
        saved = errno;
    }
    if (!ok) {
        snprintf(err, errlen, "cannot write snapshot %s: %s", tmp, strerror(saved));
        remove(tmp);
        return -1;
    }
    if (rename(tmp, path) != 0) {
        snprintf(err, errlen, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
        remove(tmp);
        return -1;
    }
    return 0;
}

/* Open @p path and parse its header; leaves the stream after the header. */
static FILE *snap_open(const char *path, nbody_snap_meta_t *meta, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(err, errlen, "cannot open snapshot %s: %s", path, strerror(errno));
        return NULL;
    }
    unsigned char hdr[SNAP_HEADER_BYTES];
    if (fread(hdr, 1, sizeof(hdr), f) != sizeof(hdr)) {
        snprintf(err, errlen, "snapshot %s: file too short for the %u-byte header", path,
                 SNAP_HEADER_BYTES);
        fclose(f);
        return NULL;
    }
    uint32_t version, endian;
    uint64_t hsize;
    get(hdr, OFF_VERSION, &version, 4);
    get(hdr, OFF_ENDIAN, &endian, 4);
    get(hdr, OFF_HDRSIZE, &hsize, 8);
    const char *why = NULL;
    if (memcmp(hdr + OFF_MAGIC, NBODY_SNAP_MAGIC, 8) != 0) {
        why = "bad magic (not an nbody snapshot)";
    } else if (endian != NBODY_SNAP_ENDIAN) {
        why = "written with the other byte order (endianness marker mismatch)";
    } else if (version != NBODY_SNAP_VERSION) {
        why = "unsupported format version";
    } else if (hsize != SNAP_HEADER_BYTES) {
        why = "unexpected header size";
    }
    if (why != NULL) {
        snprintf(err, errlen, "snapshot %s: %s", path, why);
        fclose(f);
        return NULL;
    }
    get(hdr, OFF_N, &meta->n, 8);
    get(hdr, OFF_STEP, &meta->step, 8);
    get(hdr, OFF_TIME, &meta->time, 8);
    get(hdr, OFF_DT, &meta->dt, 8);
    get(hdr, OFF_EPS, &meta->eps, 8);
    get(hdr, OFF_SEED, &meta->seed, 8);
    get(hdr, OFF_E0, &meta->e0, 8);
    get(hdr, OFF_P0, meta->p0, 24);
    get(hdr, OFF_SIGMA0, &meta->sigma0, 8);

    /* The file size must match n exactly. */
    struct stat st;
    if (fstat(fileno(f), &st) != 0) {
        snprintf(err, errlen, "snapshot %s: fstat: %s", path, strerror(errno));
        fclose(f);
        return NULL;
    }
    uint64_t want = SNAP_HEADER_BYTES + (uint64_t)SNAP_NARRAYS * 8u * meta->n;
    if (meta->n == 0 || meta->n > ((uint64_t)1 << 40) || (uint64_t)st.st_size != want) {
        snprintf(err, errlen, "snapshot %s: size %lld bytes does not match n=%llu (want %llu)",
                 path, (long long)st.st_size, (unsigned long long)meta->n,
                 (unsigned long long)want);
        fclose(f);
        return NULL;
    }
    return f;
}

int nbody_snap_read_meta(const char *path, nbody_snap_meta_t *meta, char *err, size_t errlen)
{
    nbody_snap_meta_t m;
    FILE *f = snap_open(path, &m, err, errlen);
    if (f == NULL) {
        return -1;
    }
    fclose(f);
    *meta = m;
    return 0;
}

int nbody_snap_read(const char *path, nbody_snap_meta_t *meta, nbody_set_t *out, char *err,
                    size_t errlen)
{
    nbody_snap_meta_t m;
    FILE *f = snap_open(path, &m, err, errlen);
    if (f == NULL) {
        return -1;
    }
    nbody_set_t s;
    if (nbody_set_create((size_t)m.n, 0, &s) != 0) {
        snprintf(err, errlen, "snapshot %s: out of memory for %llu particles", path,
                 (unsigned long long)m.n);
        fclose(f);
        return -1;
    }
    double *arr[SNAP_NARRAYS];
    set_arrays(&s, arr);
    for (unsigned k = 0; k < SNAP_NARRAYS; k++) {
        if (fread(arr[k], sizeof(double), s.n, f) != s.n) {
            snprintf(err, errlen, "snapshot %s: short read in array %u", path, k);
            fclose(f);
            nbody_set_destroy(&s);
            return -1;
        }
    }
    fclose(f);
    *meta = m;
    *out = s;
    return 0;
}
