/*
 * dt_pack.c — pack, unpack and iov over any packed byte range, and element counting.
 *
 * The walker goes down the layout tree only along the requested range: at each node the block
 * holding the start offset is found by division (vectors) or binary search (psum, flat_psum),
 * so a chunk at any offset costs O(depth * log blocks) to locate, then O(pieces) to copy.
 */
#include <stdlib.h>
#include <string.h>

#include "dt_impl.h"
#include "dt_walk.h"

enum { W_PACK, W_UNPACK, W_IOV, W_PIECES };

typedef struct walk {
    int mode;
    char *p;              /* packed cursor (pack/unpack) */
    struct iovec *iov;    /* W_IOV */
    dt_piece_t *pc;       /* W_PIECES */
    size_t max, n;
    size_t budget;        /* W_PIECES: emits left before giving up */
} walk_t;

/* memcpy with the common small sizes inlined. */
static inline void copy_bytes(void *dst, const void *src, size_t len)
{
    switch (len) {
    case 1: memcpy(dst, src, 1); break;
    case 2: memcpy(dst, src, 2); break;
    case 4: memcpy(dst, src, 4); break;
    case 8: memcpy(dst, src, 8); break;
    case 12: memcpy(dst, src, 12); break;
    case 16: memcpy(dst, src, 16); break;
    default: memcpy(dst, src, len); break;
    }
}

static inline int emit(walk_t *w, intptr_t addr, size_t len)
{
    switch (w->mode) {
    case W_PACK:
        copy_bytes(w->p, (const void *)addr, len);
        w->p += len;
        return 0;
    case W_UNPACK:
        copy_bytes((void *)addr, w->p, len);
        w->p += len;
        return 0;
    case W_IOV:
        if (w->n > 0 && (intptr_t)w->iov[w->n - 1].iov_base + (intptr_t)w->iov[w->n - 1].iov_len ==
                            addr) {
            w->iov[w->n - 1].iov_len += len;
            return 0;
        }
        if (w->n == w->max) {
            return -1;
        }
        w->iov[w->n].iov_base = (void *)addr;
        w->iov[w->n].iov_len = len;
        w->n++;
        return 0;
    default:
        if (w->budget-- == 0) {
            return -1;
        }
        if (w->n > 0 && w->pc[w->n - 1].disp + (MPI_Aint)w->pc[w->n - 1].len == addr) {
            w->pc[w->n - 1].len += len;
            return 0;
        }
        if (w->n == w->max) {
            return -1;
        }
        w->pc[w->n].disp = addr;
        w->pc[w->n].len = len;
        w->n++;
        return 0;
    }
}

#define COPY_LOOP(SZ)                                                                              \
    do {                                                                                           \
        if (w->mode == W_PACK) {                                                                   \
            for (size_t i = 0; i < nb; i++, addr += stride, q += SZ) {                             \
                memcpy(q, (const void *)addr, SZ);                                                 \
            }                                                                                      \
        } else {                                                                                   \
            for (size_t i = 0; i < nb; i++, addr += stride, q += SZ) {                             \
                memcpy((void *)addr, q, SZ);                                                       \
            }                                                                                      \
        }                                                                                          \
    } while (0)

/* Pack/unpack nb blocks of bsz (4 or 8) bytes, block i at addr + i * stride. */
static void copy_small(walk_t *w, intptr_t addr, MPI_Aint stride, size_t nb, size_t bsz)
{
    char *q = w->p;
    if (bsz == 8) {
        COPY_LOOP(8);
    } else {
        COPY_LOOP(4);
    }
    w->p = q;
}

/* Index of the last entry of v[0..n) that is <= x (v ascending, v[0] <= x). */
static size_t find(const size_t *v, size_t n, size_t x)
{
    size_t lo = 0, hi = n; /* answer in [lo, hi) */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid] <= x) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    return lo;
}

static int walk_elem(const dt_impl_t *t, intptr_t base, size_t off, size_t len, walk_t *w,
                     int use_flat);

/* Packed bytes [off, off + len) of count elements of t at base. */
static int walk_seg(const dt_impl_t *t, intptr_t base, size_t count, size_t off, size_t len,
                    walk_t *w)
{
    (void)count;
    if (len == 0) {
        return 0;
    }
    if (t->pub.contig) {
        return emit(w, base + t->pub.true_lb + (intptr_t)off, len);
    }
    size_t sz = t->pub.size;
    size_t i = off / sz, r = off % sz;
    intptr_t p = base + (intptr_t)i * t->pub.extent;
    while (len > 0) {
        size_t n = sz - r < len ? sz - r : len;
        if (n == sz && t->flat != NULL && w->mode <= W_UNPACK) {
            /* a whole element: its pieces in order, no search */
            for (size_t k = 0; k < t->nflat; k++) {
                emit(w, p + t->flat[k].disp, t->flat[k].len);
            }
            len -= n;
            p += t->pub.extent;
            continue;
        }
        int rc = walk_elem(t, p, r, n, w, 1);
        if (rc != 0) {
            return rc;
        }
        len -= n;
        r = 0;
        p += t->pub.extent;
    }
    return 0;
}

/* Packed bytes [off, off + len) of one element of t at base (off + len <= size). */
static int walk_elem(const dt_impl_t *t, intptr_t base, size_t off, size_t len, walk_t *w,
                     int use_flat)
{
    int rc = 0;
    if (use_flat && t->flat != NULL) {
        size_t k = find(t->flat_psum, t->nflat, off);
        size_t r = off - t->flat_psum[k];
        while (len > 0) {
            const dt_piece_t *pc = &t->flat[k++];
            size_t n = pc->len - r < len ? pc->len - r : len;
            if ((rc = emit(w, base + pc->disp + (intptr_t)r, n)) != 0) {
                return rc;
            }
            len -= n;
            r = 0;
        }
        return 0;
    }
    switch (t->kind) {
    case DT_BASIC:
        return emit(w, base + (intptr_t)off, len);
    case DT_ALIAS:
        return walk_elem(t->child, base, off, len, w, 1);
    case DT_VECTOR: {
        const dt_impl_t *c = t->child;
        size_t bsz = t->blocklen * c->pub.size;
        size_t b = off / bsz, r = off % bsz;
        intptr_t p = base + (intptr_t)b * t->stride;
        if (c->pub.contig && r == 0 && w->mode <= W_UNPACK && (bsz == 4 || bsz == 8)) {
            /* whole small blocks: constant-size copies the compiler inlines */
            size_t nb = len / bsz;
            copy_small(w, p + c->pub.true_lb, t->stride, nb, bsz);
            p += (intptr_t)nb * t->stride;
            len -= nb * bsz;
        }
        while (len > 0) {
            size_t n = bsz - r < len ? bsz - r : len;
            if (c->pub.contig) {
                rc = emit(w, p + c->pub.true_lb + (intptr_t)r, n);
            } else {
                rc = walk_seg(c, p, t->blocklen, r, n, w);
            }
            if (rc != 0) {
                return rc;
            }
            len -= n;
            r = 0;
            p += t->stride;
        }
        return 0;
    }
    case DT_BLOCKS: {
        size_t b = find(t->psum, t->count, off);
        size_t r = off - t->psum[b];
        while (len > 0) {
            const dt_impl_t *c = t->children != NULL ? t->children[b] : t->child;
            size_t bs = t->psum[b + 1] - t->psum[b];
            size_t n = bs - r < len ? bs - r : len;
            if (n > 0 && (rc = walk_seg(c, base + t->disps[b], t->blens[b], r, n, w)) != 0) {
                return rc;
            }
            len -= n;
            r = 0;
            b++;
        }
        return 0;
    }
    }
    return -1;
}

int dt_walk_pieces(const dt_impl_t *t, dt_piece_t *pieces, size_t max, size_t *n)
{
    walk_t w = {.mode = W_PIECES, .pc = pieces, .max = max, .budget = 16 * max};
    if (walk_elem(t, 0, 0, t->pub.size, &w, 0) != 0) {
        return -1;
    }
    *n = w.n;
    return 0;
}

void dwcp_dt_pack(const void *buf, size_t count, const dwcp_dt_t *dt, size_t offset, void *out,
                  size_t len)
{
    walk_t w = {.mode = W_PACK, .p = out};
    walk_seg(dt_impl(dt), (intptr_t)buf, count, offset, len, &w);
}

void dwcp_dt_unpack(const void *in, size_t len, void *buf, size_t count, const dwcp_dt_t *dt,
                    size_t offset)
{
    walk_t w = {.mode = W_UNPACK, .p = (char *)in};
    walk_seg(dt_impl(dt), (intptr_t)buf, count, offset, len, &w);
}

dwcs_status_t dwcp_dt_iov(const void *buf, size_t count, const dwcp_dt_t *dt, struct iovec *iov,
                          size_t max, size_t *n)
{
    walk_t w = {.mode = W_IOV, .iov = iov, .max = max};
    if (walk_seg(dt_impl(dt), (intptr_t)buf, count, 0, count * dt->size, &w) != 0) {
        return DWCS_ERR_OVERFLOW;
    }
    *n = w.n;
    return DWCS_OK;
}

dwcs_status_t dwcp_dt_copy(const void *src, size_t scount, const dwcp_dt_t *sdt, void *dst,
                           size_t rcount, const dwcp_dt_t *rdt)
{
    size_t slen = scount * sdt->size, rlen = rcount * rdt->size;
    size_t len = slen < rlen ? slen : rlen;
    dwcs_status_t st = slen > rlen ? DWCS_ERR_TRUNCATE : DWCS_OK;
    if (len == 0) {
        return st;
    }
    if (sdt->contig && rdt->contig) {
        memmove((char *)dst + rdt->true_lb, (const char *)src + sdt->true_lb, len);
    } else if (sdt->contig) {
        dwcp_dt_unpack((const char *)src + sdt->true_lb, len, dst, rcount, rdt, 0);
    } else if (rdt->contig) {
        dwcp_dt_pack(src, scount, sdt, 0, (char *)dst + rdt->true_lb, len);
    } else {
        size_t cap = len < (64u << 10) ? len : (64u << 10);
        char *tmp = malloc(cap);
        if (tmp == NULL) {
            return DWCS_ERR_NO_MEMORY;
        }
        for (size_t off = 0; off < len; off += cap) {
            size_t n = len - off < cap ? len - off : cap;
            dwcp_dt_pack(src, scount, sdt, off, tmp, n);
            dwcp_dt_unpack(tmp, n, dst, rcount, rdt, off);
        }
        free(tmp);
    }
    return st;
}

/* ---- element counting (MPI_Get_elements) -------------------------------------------------- */

static MPI_Count elems_elem(const dt_impl_t *t, size_t r);

/* Builtin elements in the first bytes of a run of elements of t; -1 if partial. */
static MPI_Count elems_seg(const dt_impl_t *t, size_t bytes)
{
    if (bytes == 0 || t->pub.size == 0) {
        return 0;
    }
    MPI_Count e = elems_elem(t, bytes % t->pub.size);
    if (e < 0) {
        return -1;
    }
    return (MPI_Count)(bytes / t->pub.size) * t->pub.nbasic + e;
}

/* Builtin elements in the first r bytes (r < size) of one element of t; -1 if partial. */
static MPI_Count elems_elem(const dt_impl_t *t, size_t r)
{
    if (r == 0) {
        return 0;
    }
    switch (t->kind) {
    case DT_ALIAS:
        return elems_elem(t->child, r);
    case DT_VECTOR: {
        const dt_impl_t *c = t->child;
        size_t bsz = t->blocklen * c->pub.size;
        MPI_Count e = elems_seg(c, r % bsz);
        return e < 0 ? -1 : (MPI_Count)((r / bsz) * t->blocklen) * c->pub.nbasic + e;
    }
    case DT_BLOCKS: {
        MPI_Count sum = 0;
        for (size_t b = 0; b < t->count; b++) {
            const dt_impl_t *c = t->children != NULL ? t->children[b] : t->child;
            size_t bs = t->blens[b] * c->pub.size;
            if (r >= bs) {
                sum += (MPI_Count)t->blens[b] * c->pub.nbasic;
                r -= bs;
            } else {
                MPI_Count e = elems_seg(c, r);
                return e < 0 ? -1 : sum + e;
            }
        }
        return sum;
    }
    default:
        return -1;
    }
}

MPI_Count dwcp_dt_elements(const dwcp_dt_t *dt, size_t bytes)
{
    MPI_Count e = elems_seg(dt_impl(dt), bytes);
    return e < 0 ? MPI_UNDEFINED : e;
}

/* ---- elements to bytes (MPI_Status_set_elements) ------------------------------------------ */

static size_t bytes_elem(const dt_impl_t *t, MPI_Count n);

/* Packed bytes of the first n builtin elements of a run of elements of t. */
static size_t bytes_seg(const dt_impl_t *t, MPI_Count n)
{
    if (n <= 0 || t->pub.nbasic == 0) {
        return 0;
    }
    return (size_t)(n / t->pub.nbasic) * t->pub.size + bytes_elem(t, n % t->pub.nbasic);
}

/* Packed bytes of the first n (< nbasic) builtin elements of one element of t. */
static size_t bytes_elem(const dt_impl_t *t, MPI_Count n)
{
    if (n == 0) {
        return 0;
    }
    switch (t->kind) {
    case DT_ALIAS:
        return bytes_elem(t->child, n);
    case DT_VECTOR: {
        const dt_impl_t *c = t->child;
        MPI_Count per = (MPI_Count)t->blocklen * c->pub.nbasic;
        return (size_t)(n / per) * t->blocklen * c->pub.size + bytes_seg(c, n % per);
    }
    case DT_BLOCKS: {
        size_t sum = 0;
        for (size_t b = 0; b < t->count && n > 0; b++) {
            const dt_impl_t *c = t->children != NULL ? t->children[b] : t->child;
            MPI_Count e = (MPI_Count)t->blens[b] * c->pub.nbasic;
            if (n >= e) {
                sum += t->blens[b] * c->pub.size;
                n -= e;
            } else {
                return sum + bytes_seg(c, n);
            }
        }
        return sum;
    }
    default:
        return 0;
    }
}

size_t dwcp_dt_elements_bytes(const dwcp_dt_t *dt, MPI_Count n)
{
    return bytes_seg(dt_impl(dt), n);
}
