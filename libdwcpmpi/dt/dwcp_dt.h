/*
 * dwcp_dt.h — the datatype engine: what the rest of the library may use.
 *
 * A datatype describes a layout of typed bytes relative to a buffer address. "Packed" bytes are
 * the data in type-map order without gaps (this is what travels on the wire; both ends are the
 * same architecture, so no conversion). All sizes and offsets are size_t / MPI_Aint, so counts up
 * to INT_MAX of large types (> 2 GiB in total) work.
 */
#ifndef DWCP_DT_H
#define DWCP_DT_H

#include <stddef.h>
#include <sys/uio.h>

#include "mpi.h"
#include "dwcs_status.h"

typedef struct dwcp_dt dwcp_dt_t;

/** The fields other modules may read. The engine's private representation follows them. */
struct dwcp_dt {
    int handle;        /* MPI_Datatype of this object */
    int refcount;      /* user handle + pending operations + types built on it */
    int committed;     /* builtin types are always committed */
    int builtin;       /* 1 for predefined types */
    int user_freed;    /* MPI_Type_free called; object lives until refcount drops to 0 */
    size_t size;       /* data bytes of one element */
    MPI_Aint lb, ub, extent;          /* extent = ub - lb */
    MPI_Aint true_lb, true_ub;        /* of the actual data */
    int contig;        /* count elements at buf are size*count contiguous bytes from buf+true_lb */
    int basic;         /* index of the single builtin type making up all data, or -1 if mixed */
    MPI_Count nbasic;  /* number of builtin elements in one element (for Get_elements) */
};

/** Create the builtin types and the tables; called from MPI_Init. */
dwcs_status_t dwcp_dt_init(void);

/** Free everything; called from MPI_Finalize. */
void dwcp_dt_finalize(void);

/**
 * The datatype for handle @p h, or NULL if @p h is not a live datatype (MPI_DATATYPE_NULL is not
 * live). Committedness is not checked here; use dwcp_dt_check for communication arguments.
 */
dwcp_dt_t *dwcp_dt_get(MPI_Datatype h);

/**
 * Resolve a datatype argument of a communication call: DWCS_OK and *dt set if @p h is live and
 * committed; DWCS_ERR_INVALID_PARAM otherwise (the caller reports MPI_ERR_TYPE).
 */
dwcs_status_t dwcp_dt_check(MPI_Datatype h, dwcp_dt_t **dt);

/** Take / drop a reference (pending operations hold one so Type_free is safe). */
void dwcp_dt_retain(dwcp_dt_t *dt);
void dwcp_dt_release(dwcp_dt_t *dt);

/**
 * Pack packed bytes [@p offset, @p offset + @p len) of @p count elements at @p buf into @p out.
 * Partial ranges may start and end anywhere (chunked sends, truncated receives).
 */
void dwcp_dt_pack(const void *buf, size_t count, const dwcp_dt_t *dt, size_t offset, void *out,
                  size_t len);

/** The inverse of dwcp_dt_pack: scatter @p len packed bytes starting at packed @p offset. */
void dwcp_dt_unpack(const void *in, size_t len, void *buf, size_t count, const dwcp_dt_t *dt,
                    size_t offset);

/**
 * Copy typed data to typed data (local copies in collectives, sends to self): the packed
 * stream of @p scount elements of @p sdt at @p src is unpacked into @p rcount elements of
 * @p rdt at @p dst. Copies min(send, receive) bytes; returns DWCS_ERR_TRUNCATE if the send
 * data is larger than the receive type can hold, DWCS_ERR_NO_MEMORY if a bounce buffer could
 * not be allocated, DWCS_OK otherwise.
 */
dwcs_status_t dwcp_dt_copy(const void *src, size_t scount, const dwcp_dt_t *sdt, void *dst,
                           size_t rcount, const dwcp_dt_t *rdt);

/**
 * Describe the data of @p count elements at @p buf as at most @p max contiguous pieces in
 * packed order. Returns DWCS_OK and *n, or DWCS_ERR_OVERFLOW if more than @p max are needed
 * (the caller then packs instead).
 */
dwcs_status_t dwcp_dt_iov(const void *buf, size_t count, const dwcp_dt_t *dt, struct iovec *iov,
                          size_t max, size_t *n);

/**
 * Number of builtin elements in the first @p bytes packed bytes of a receive of this type
 * (MPI_Get_elements); MPI_UNDEFINED if @p bytes ends inside a builtin element.
 */
MPI_Count dwcp_dt_elements(const dwcp_dt_t *dt, size_t bytes);

/**
 * Packed bytes taken by the first @p n builtin elements of a run of elements of this type (the
 * inverse of dwcp_dt_elements, for MPI_Status_set_elements).
 */
size_t dwcp_dt_elements_bytes(const dwcp_dt_t *dt, MPI_Count n);

/** Name of builtin type index @p basic ("MPI_INT", ...), for messages. */
const char *dwcp_dt_basic_name(int basic);

#endif
