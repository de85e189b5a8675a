/*
 * dt_impl.h — private representation of datatypes inside the datatype engine (dt/) and its
 * bindings (bindings/dt_*.c). Other modules use only dwcp_dt.h.
 *
 * A type is a small tree ("layout") whose nodes are one of four kinds:
 *   BASIC    a builtin leaf: size bytes of data at offset 0;
 *   VECTOR   count blocks of blocklen child elements, block i at i * stride bytes
 *            (contiguous is VECTOR with count 1);
 *   BLOCKS   n blocks, block i is blens[i] elements of child (or children[i]) at disps[i]
 *            bytes (indexed, hindexed, *_block, struct, the pair types);
 *   ALIAS    the data of one child element at offset 0, with its own lb/extent
 *            (resized, dup, subarray, darray and clones returned by get_contents).
 * Children are elements repeated at the child's extent. psum[] holds the packed offset of each
 * block so any packed offset is found by binary search. Types with at most DT_FLAT_MAX
 * contiguous pieces per element also carry the merged piece list (flat), used instead of the
 * tree by pack/unpack/iov.
 */
#ifndef DWCP_DT_IMPL_H
#define DWCP_DT_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "dwcp.h"
#include "dwcp_dt.h"

/*
 * Fortran REAL*16 / COMPLEX*32 are IEEE binary128 (gfortran's REAL(16) is __float128), not the
 * x87 long double: use __float128 where the compiler has it.
 */
#ifdef __SIZEOF_FLOAT128__
typedef __float128 dt_quad_t;
#define DT_QUAD_CV DT_CV_FLOAT
#else
typedef long double dt_quad_t;
#define DT_QUAD_CV DT_CV_LDOUBLE
#endif
#define DT_CQUAD_CV (DT_QUAD_CV == DT_CV_FLOAT ? DT_CV_CFLOAT : DT_CV_CLDOUBLE)

/** COMPLEX*32: two binary128 values. */
typedef struct dt_cquad {
    dt_quad_t re, im;
} dt_cquad_t;

/** Pieces per element above which no flat piece list is kept. */
#define DT_FLAT_MAX 1024

enum { DT_BASIC, DT_VECTOR, DT_BLOCKS, DT_ALIAS };

/** Conversion classes of builtin leaves for external32. */
enum {
    DT_CV_RAW,     /* bytes, no conversion (char, byte, bool, packed) */
    DT_CV_INT,     /* signed integer: byte swap, sign-extend/truncate between sizes */
    DT_CV_UINT,    /* unsigned integer: byte swap, zero-extend/truncate */
    DT_CV_FLOAT,   /* IEEE float/double: byte swap */
    DT_CV_LDOUBLE, /* native long double <-> IEEE binary128 */
    DT_CV_CFLOAT,  /* complex of two floats/doubles: swap each half */
    DT_CV_CLDOUBLE /* complex of two long doubles */
};

/** One contiguous piece of an element: bytes [disp, disp + len) relative to its origin. */
typedef struct dt_piece {
    MPI_Aint disp;
    size_t len;
} dt_piece_t;

typedef struct dt_impl dt_impl_t;
struct dt_impl {
    dwcp_dt_t pub;       /* must be first */
    int kind;            /* DT_BASIC.. */
    int combiner;        /* MPI_COMBINER_* */
    int markers;         /* lb/ub set explicitly (resized): no struct alignment padding */
    int lbmark, ubmark;  /* the type map has an lb / ub marker (MPI_LB / MPI_UB, or resized,
                          * MPI-3.1 4.1.7): it fixes that bound of types built on it (the
                          * MPI-2 "sticky" rule) */
    size_t align;        /* alignment (largest of the builtin components) */
    size_t xsize;        /* external32 bytes of one element */
    int cv;              /* BASIC: DT_CV_* */
    int index;           /* BASIC and predefined: builtin index */

    /* layout */
    size_t count;        /* VECTOR: blocks; BLOCKS: number of blocks */
    size_t blocklen;     /* VECTOR */
    MPI_Aint stride;     /* VECTOR, bytes */
    dt_impl_t *child;    /* VECTOR, ALIAS, BLOCKS with one child type */
    size_t *blens;       /* BLOCKS */
    MPI_Aint *disps;     /* BLOCKS, bytes */
    dt_impl_t **children; /* BLOCKS of struct: per-block type (else NULL, child used) */
    size_t *psum;        /* BLOCKS: packed offset of block i, n + 1 entries */

    /* merged pieces of one element, packed order (NULL if more than DT_FLAT_MAX) */
    dt_piece_t *flat;
    size_t *flat_psum;   /* packed offset of piece i, nflat + 1 entries */
    size_t nflat;

    /* envelope (MPI_Type_get_contents) */
    int ni, na, nd;
    int *ints;
    MPI_Aint *aints;
    dt_impl_t **types;   /* referenced */

    char name[MPI_MAX_OBJECT_NAME];
    dwcp_attr_t *attrs;
};

static inline dt_impl_t *dt_impl(const dwcp_dt_t *d)
{
    return (dt_impl_t *)d;
}

/** The live datatype for handle @p h (committed or not), or NULL. */
static inline dt_impl_t *dt_lookup(MPI_Datatype h)
{
    return (dt_impl_t *)dwcp_dt_get(h);
}

/* ---- builtin table (dt_builtin.c) ---------------------------------------------------------- */

/** The builtin type of index @p i (1 .. DWCP_DT_NUM_BUILTIN-1), or NULL. */
dt_impl_t *dt_builtin(int i);

/* ---- constructors (dt_create.c). All take references on their children; NULL on no memory. */

/** count blocks of bl elements of @p child, block i at i * stride bytes. */
dt_impl_t *dt_new_vector(size_t count, size_t bl, MPI_Aint stride, dt_impl_t *child);

/**
 * n blocks of blens[i] elements at disps[i] bytes, of @p child or of children[i] when
 * @p children is not NULL (struct: alignment padding per the epsilon rule).
 */
dt_impl_t *dt_new_blocks(size_t n, const size_t *blens, const MPI_Aint *disps, dt_impl_t *child,
                         dt_impl_t *const *children);

/**
 * One element of @p child with lower bound @p lb and extent @p extent. @p resized: the bounds
 * are new lb/ub markers (MPI_Type_create_resized, subarray, darray), sticky in types built on
 * this one; 0: an alias with the child's own bounds and markers (dup, clone).
 */
dt_impl_t *dt_new_alias(dt_impl_t *child, MPI_Aint lb, MPI_Aint extent, int resized);

/**
 * Record the envelope (copies the arrays, references the types). Returns DWCS_OK or
 * DWCS_ERR_NO_MEMORY.
 */
dwcs_status_t dt_set_contents(dt_impl_t *t, int combiner, int ni, const int *ints, int na,
                              const MPI_Aint *aints, int nd, dt_impl_t *const *types);

/** A new type equivalent to @p t with the same envelope (for MPI_Type_get_contents). */
dt_impl_t *dt_clone(dt_impl_t *t);

/** Build the flat piece list if small (called by constructors and commit). */
void dt_flatten(dt_impl_t *t);

/** Drop a reference; frees the type and releases its children at zero. */
void dt_unref(dt_impl_t *t);

/** Give @p t a user handle (the handle owns the creation reference). */
dwcs_status_t dt_publish(dt_impl_t *t, MPI_Datatype *handle);

/* ---- subarray / darray (dt_darray.c). Return an MPI error class, *out on success. ---------- */

int dt_create_subarray(int ndims, const int *sizes, const int *subsizes, const int *starts,
                       int order, dt_impl_t *old, dt_impl_t **out);
int dt_create_darray(int size, int rank, int ndims, const int *gsizes, const int *distribs,
                     const int *dargs, const int *psizes, int order, dt_impl_t *old,
                     dt_impl_t **out);

/* ---- external32 (dt_external.c) ------------------------------------------------------------ */

/** Convert @p count elements at @p buf to external32 at @p out (xsize * count bytes). */
void dt_external_pack(const void *buf, size_t count, const dt_impl_t *t, void *out);
/** Convert external32 data at @p in to @p count elements at @p buf. */
void dt_external_unpack(const void *in, void *buf, size_t count, const dt_impl_t *t);

/* ---- reduction kernels (op_kernels.c) ------------------------------------------------------ */

/** 1 if predefined operation index @p op (1..14) accepts builtin type @p basic. */
int dt_op_allowed(int op, int basic);

/**
 * io[i] = in[i] op io[i] for @p n native elements of builtin @p basic (element stride
 * @p extent). MPI_SUCCESS or MPI_ERR_OP.
 */
int dt_op_basic(int op, int basic, const void *in, void *io, size_t n, size_t extent);

#endif
