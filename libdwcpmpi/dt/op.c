/*
 * op.c — MPI_Op objects and applying an operation to typed buffers.
 *
 * Predefined operations are static objects at their fixed indices. Applying a predefined
 * operation to a derived datatype requires that all its data be of one builtin type
 * (dt->basic): contiguous layouts are reduced in place, others are gathered into packed
 * temporaries, reduced, and scattered back into inout.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "dwcp.h"
#include "dwcp_op.h"
#include "dt_impl.h"

/* Packed bytes reduced per step for non-contiguous datatypes. */
#ifndef OP_CHUNK
#define OP_CHUNK (256 * 1024)
#endif

static dwcp_op_t predef[DWCP_OP_NUM_BUILTIN];

static const char *const op_names[DWCP_OP_NUM_BUILTIN] = {
    "MPI_OP_NULL", "MPI_MAX",  "MPI_MIN",  "MPI_SUM",    "MPI_PROD",   "MPI_LAND",    "MPI_BAND",
    "MPI_LOR",     "MPI_BOR",  "MPI_LXOR", "MPI_BXOR",   "MPI_MINLOC", "MPI_MAXLOC",  "MPI_REPLACE",
    "MPI_NO_OP",
};

dwcs_status_t dwcp_op_init(void)
{
    dwcp_htab_init(&dwcp_g.ops, DWCP_KIND_OP, DWCP_OP_NUM_BUILTIN);
    for (int i = 1; i < DWCP_OP_NUM_BUILTIN; i++) {
        dwcp_op_t *o = &predef[i];
        memset(o, 0, sizeof(*o));
        o->handle = DWCP_HANDLE_(DWCP_KIND_OP, i);
        o->refcount = 1;
        o->builtin = 1;
        o->index = i;
        o->commute = 1;
        dwcs_status_t st = dwcp_htab_set(&dwcp_g.ops, i, o);
        if (st != DWCS_OK) {
            return st;
        }
    }
    return DWCS_OK;
}

void dwcp_op_finalize(void)
{
    for (int i = dwcp_g.ops.first_user; i < dwcp_g.ops.used; i++) {
        dwcp_op_t *o = dwcp_g.ops.slots ? dwcp_g.ops.slots[i] : NULL;
        if (o != NULL) {
            dwcp_op_free(o);
        }
    }
    dwcp_htab_fini(&dwcp_g.ops);
}

dwcp_op_t *dwcp_op_get(MPI_Op h)
{
    return (dwcp_op_t *)dwcp_htab_get(&dwcp_g.ops, h);
}

dwcs_status_t dwcp_op_create(MPI_User_function *fn, int commute, MPI_Op *handle)
{
    dwcp_op_t *o = calloc(1, sizeof(*o));
    if (o == NULL) {
        return DWCS_ERR_NO_MEMORY;
    }
    o->refcount = 1;
    o->commute = commute != 0;
    o->fn = fn;
    o->index = -1;
    dwcs_status_t st = dwcp_htab_add(&dwcp_g.ops, o, &o->handle);
    if (st != DWCS_OK) {
        free(o);
        return st;
    }
    *handle = o->handle;
    return DWCS_OK;
}

void dwcp_op_free(dwcp_op_t *op)
{
    if (op == NULL || op->builtin) {
        return;
    }
    dwcp_htab_remove(&dwcp_g.ops, op->handle);
    op->handle = MPI_OP_NULL;
    dwcp_op_release(op);
}

void dwcp_op_retain(dwcp_op_t *op)
{
    if (op != NULL && !op->builtin) {
        op->refcount++;
    }
}

void dwcp_op_release(dwcp_op_t *op)
{
    if (op != NULL && !op->builtin && --op->refcount == 0) {
        free(op);
    }
}

const char *dwcp_op_name(const dwcp_op_t *op)
{
    if (op == NULL) {
        return "(null)";
    }
    return op->builtin ? op_names[op->index] : "(user operation)";
}

int dwcp_op_check(const dwcp_op_t *op, const dwcp_dt_t *dt)
{
    if (!op->builtin || op->index >= 13) {
        return MPI_SUCCESS;
    }
    return dt_op_allowed(op->index, dt->basic) ? MPI_SUCCESS : MPI_ERR_OP;
}

/* User function over count elements, in calls of at most INT_MAX elements. */
static int apply_user(const dwcp_op_t *op, const void *in, void *inout, size_t count,
                      const dwcp_dt_t *dt)
{
    MPI_Datatype h = dt->handle;
    size_t done = 0;
    while (done < count) {
        size_t n = count - done > INT_MAX ? INT_MAX : count - done;
        int len = (int)n;
        MPI_Aint off = (MPI_Aint)done * dt->extent;
        op->fn((char *)in + off, (char *)inout + off, &len, &h);
        done += n;
    }
    return MPI_SUCCESS;
}

/* MPI_REPLACE on any datatype: inout takes the data of in. */
static int apply_replace(const void *in, void *inout, size_t count, const dwcp_dt_t *dt)
{
    size_t len = count * dt->size;
    if (dt->contig) {
        memmove((char *)inout + dt->true_lb, (const char *)in + dt->true_lb, len);
        return MPI_SUCCESS;
    }
    void *tmp = malloc(len ? len : 1);
    if (tmp == NULL) {
        return MPI_ERR_NO_MEM;
    }
    dwcp_dt_pack(in, count, dt, 0, tmp, len);
    dwcp_dt_unpack(tmp, len, inout, count, dt, 0);
    free(tmp);
    return MPI_SUCCESS;
}

int dwcp_op_apply(const dwcp_op_t *op, const void *in, void *inout, size_t count,
                  const dwcp_dt_t *dt)
{
    if (!op->builtin) {
        return apply_user(op, in, inout, count, dt);
    }
    if (op->index == 14 || count == 0) {
        return MPI_SUCCESS;
    }
    if (op->index == 13) {
        return apply_replace(in, inout, count, dt);
    }
    int b = dt->basic;
    if (!dt_op_allowed(op->index, b)) {
        return MPI_ERR_OP;
    }
    const dt_impl_t *bt = dt_builtin(b);
    size_t bext = (size_t)bt->pub.extent;
    if (dt->builtin) {
        return dt_op_basic(op->index, b, in, inout, count, bext);
    }
    if (dt->size == 0) {
        return MPI_SUCCESS;
    }
    if (dt->contig && bt->pub.contig) {
        size_t n = count * (dt->size / bt->pub.size);
        return dt_op_basic(op->index, b, (const char *)in + dt->true_lb,
                           (char *)inout + dt->true_lb, n, bext);
    }
    /*
     * Gather both operands chunk by chunk as native builtin elements, reduce, scatter the
     * result back; chunks are whole builtin elements of at most OP_CHUNK packed bytes.
     */
    size_t bsz = bt->pub.size, len = count * dt->size;
    size_t per = OP_CHUNK / bsz > 0 ? OP_CHUNK / bsz : 1;
    size_t cap = per * bsz < len ? per * bsz : len, ncap = cap / bsz;
    char *pin = malloc(cap), *pio = malloc(cap);
    char *ain = bt->pub.contig ? pin : malloc(ncap * bext);
    char *aio = bt->pub.contig ? pio : malloc(ncap * bext);
    int rc = MPI_ERR_NO_MEM;
    if (pin != NULL && pio != NULL && ain != NULL && aio != NULL) {
        rc = MPI_SUCCESS;
        for (size_t off = 0; off < len && rc == MPI_SUCCESS; off += cap) {
            size_t c = len - off < cap ? len - off : cap, ne = c / bsz;
            dwcp_dt_pack(in, count, dt, off, pin, c);
            dwcp_dt_pack(inout, count, dt, off, pio, c);
            if (!bt->pub.contig) {
                dwcp_dt_unpack(pin, c, ain, ne, &bt->pub, 0);
                dwcp_dt_unpack(pio, c, aio, ne, &bt->pub, 0);
            }
            rc = dt_op_basic(op->index, b, ain, aio, ne, bext);
            if (rc == MPI_SUCCESS) {
                if (!bt->pub.contig) {
                    dwcp_dt_pack(aio, ne, &bt->pub, 0, pio, c);
                }
                dwcp_dt_unpack(pio, c, inout, count, dt, off);
            }
        }
    }
    if (ain != pin) {
        free(ain);
    }
    if (aio != pio) {
        free(aio);
    }
    free(pin);
    free(pio);
    return rc;
}
