/*
 * ucx_rma.c — one-sided operations of the "ucx" transport: registration, remote keys,
 * put/get, atomics and RMA flush, all mapped one to one onto UCP.
 */
#include <stdlib.h>
#include <string.h>

#include "dwcs_log.h"
#include "ucx_internal.h"

dwcs_status_t dwct_ucx_mem_map(dwct_iface_t *iface, void *base, size_t len, dwct_mem_t **mem_p,
                               void **rkey_buf, size_t *rkey_len)
{
    if (len == 0) {
        DWCS_ERROR("ucx: cannot register an empty region");
        return DWCS_ERR_INVALID_PARAM;
    }
    dwct_mem_t *mem = calloc(1, sizeof(*mem));
    if (mem == NULL) {
        DWCS_ERROR("ucx: out of memory for a memory registration");
        return DWCS_ERR_NO_MEMORY;
    }
    ucp_mem_map_params_t mp;
    memset(&mp, 0, sizeof(mp));
    mp.field_mask = UCP_MEM_MAP_PARAM_FIELD_ADDRESS | UCP_MEM_MAP_PARAM_FIELD_LENGTH;
    mp.address = base;
    mp.length = len;
    ucs_status_t ust = ucp_mem_map(iface->context, &mp, &mem->memh);
    if (ust != UCS_OK) {
        DWCS_ERROR("ucx: ucp_mem_map of %zu bytes at %p failed: %s", len, base,
                   ucs_status_string(ust));
        free(mem);
        return dwct_ucx_status(ust);
    }
    void *packed = NULL;
    size_t packed_len = 0;
    ust = ucp_rkey_pack(iface->context, mem->memh, &packed, &packed_len);
    if (ust != UCS_OK) {
        DWCS_ERROR("ucx: ucp_rkey_pack failed: %s", ucs_status_string(ust));
        ucp_mem_unmap(iface->context, mem->memh);
        free(mem);
        return dwct_ucx_status(ust);
    }
    void *copy = malloc(packed_len);
    if (copy == NULL) {
        DWCS_ERROR("ucx: out of memory for a %zu-byte rkey", packed_len);
        ucp_rkey_buffer_release(packed);
        ucp_mem_unmap(iface->context, mem->memh);
        free(mem);
        return DWCS_ERR_NO_MEMORY;
    }
    memcpy(copy, packed, packed_len);
    ucp_rkey_buffer_release(packed);
    *mem_p = mem;
    *rkey_buf = copy;
    *rkey_len = packed_len;
    return DWCS_OK;
}

void dwct_ucx_mem_unmap(dwct_iface_t *iface, dwct_mem_t *mem)
{
    if (mem == NULL) {
        return;
    }
    ucs_status_t ust = ucp_mem_unmap(iface->context, mem->memh);
    if (ust != UCS_OK) {
        DWCS_WARN("ucx: ucp_mem_unmap failed: %s", ucs_status_string(ust));
    }
    free(mem);
}

dwcs_status_t dwct_ucx_rkey_unpack(dwct_iface_t *iface, int peer, const void *rkey_buf,
                                   size_t rkey_len, dwct_rkey_t **rkey_p)
{
    dwcs_status_t st;
    ucp_ep_h ep = dwct_ucx_ep_get(iface, peer, &st);
    if (ep == NULL) {
        return st;
    }
    dwct_rkey_t *rk = calloc(1, sizeof(*rk));
    if (rk == NULL) {
        DWCS_ERROR("ucx: out of memory for an rkey");
        return DWCS_ERR_NO_MEMORY;
    }
    ucs_status_t ust = ucp_ep_rkey_unpack(ep, rkey_buf, &rk->rkey);
    if (ust != UCS_OK) {
        DWCS_ERROR("ucx: cannot unpack the %zu-byte rkey of rank %d: %s", rkey_len, peer,
                   ucs_status_string(ust));
        free(rk);
        return dwct_ucx_status(ust);
    }
    rk->peer = peer;
    *rkey_p = rk;
    return DWCS_OK;
}

void dwct_ucx_rkey_destroy(dwct_iface_t *iface, dwct_rkey_t *rkey)
{
    if (rkey == NULL) {
        return;
    }
    ucp_rkey_destroy(rkey->rkey);
    free(rkey);
}

/* Endpoint and op for a one-sided operation on @p peer with @p rkey. */
static dwct_ucx_op_t *rma_begin(dwct_iface_t *iface, int peer, dwct_rkey_t *rkey,
                                dwct_ucx_op_kind_t kind, dwct_comp_t *comp, ucp_ep_h *ep,
                                dwcs_status_t *st)
{
    if (rkey != NULL && rkey->peer != peer) {
        DWCS_ERROR("ucx: rkey of rank %d used for rank %d", rkey->peer, peer);
        *st = DWCS_ERR_INVALID_PARAM;
        return NULL;
    }
    *ep = dwct_ucx_ep_get(iface, peer, st);
    if (*ep == NULL) {
        return NULL;
    }
    dwct_ucx_op_t *op = dwct_ucx_op_get(iface, kind, peer, comp);
    if (op == NULL) {
        *st = DWCS_ERR_NO_MEMORY;
    }
    return op;
}

dwcs_status_t dwct_ucx_put(dwct_iface_t *iface, int peer, const void *src, size_t len,
                           uint64_t raddr, dwct_rkey_t *rkey, dwct_comp_t *comp)
{
    dwcs_status_t st;
    ucp_ep_h ep;
    dwct_ucx_op_t *op = rma_begin(iface, peer, rkey, DWCT_UCX_OP_RMA, comp, &ep, &st);
    if (op == NULL) {
        return st;
    }
    ucp_request_param_t param;
    dwct_ucx_param_send(&param, iface, op);
    return dwct_ucx_op_started(iface, op, ucp_put_nbx(ep, src, len, raddr, rkey->rkey, &param));
}

dwcs_status_t dwct_ucx_get(dwct_iface_t *iface, int peer, void *dst, size_t len, uint64_t raddr,
                           dwct_rkey_t *rkey, dwct_comp_t *comp)
{
    dwcs_status_t st;
    ucp_ep_h ep;
    dwct_ucx_op_t *op = rma_begin(iface, peer, rkey, DWCT_UCX_OP_RMA, comp, &ep, &st);
    if (op == NULL) {
        return st;
    }
    ucp_request_param_t param;
    dwct_ucx_param_send(&param, iface, op);
    return dwct_ucx_op_started(iface, op, ucp_get_nbx(ep, dst, len, raddr, rkey->rkey, &param));
}

static int atomic_opcode(dwct_atomic_op_t op, ucp_atomic_op_t *out)
{
    switch (op) {
    case DWCT_ATOMIC_ADD:
        *out = UCP_ATOMIC_OP_ADD;
        return 1;
    case DWCT_ATOMIC_AND:
        *out = UCP_ATOMIC_OP_AND;
        return 1;
    case DWCT_ATOMIC_OR:
        *out = UCP_ATOMIC_OP_OR;
        return 1;
    case DWCT_ATOMIC_XOR:
        *out = UCP_ATOMIC_OP_XOR;
        return 1;
    case DWCT_ATOMIC_SWAP:
        *out = UCP_ATOMIC_OP_SWAP;
        return 1;
    case DWCT_ATOMIC_CSWAP:
        *out = UCP_ATOMIC_OP_CSWAP;
        return 1;
    }
    return 0;
}

dwcs_status_t dwct_ucx_atomic(dwct_iface_t *iface, int peer, dwct_atomic_op_t aop, size_t size,
                              uint64_t value, uint64_t compare, void *result, uint64_t raddr,
                              dwct_rkey_t *rkey, dwct_comp_t *comp)
{
    ucp_atomic_op_t opcode;
    if (!atomic_opcode(aop, &opcode) || (size != 4 && size != 8)) {
        DWCS_ERROR("ucx: unsupported atomic (op %d, %zu bytes)", (int)aop, size);
        return DWCS_ERR_INVALID_PARAM;
    }
    dwcs_status_t st;
    ucp_ep_h ep;
    dwct_ucx_op_t *op = rma_begin(iface, peer, rkey, DWCT_UCX_OP_ATOMIC, comp, &ep, &st);
    if (op == NULL) {
        return st;
    }
    /*
     * UCP reads the operand from op->operand and, for fetching ops, writes the old value to
     * op->reply. CSWAP: operand = compare value, reply in = new value, reply out = old value.
     * Both words hold the value in their first `size` bytes.
     */
    int fetch = result != NULL || aop == DWCT_ATOMIC_SWAP || aop == DWCT_ATOMIC_CSWAP;
    uint64_t operand = aop == DWCT_ATOMIC_CSWAP ? compare : value;
    uint64_t reply = aop == DWCT_ATOMIC_CSWAP ? value : 0;
    if (size == 4) {
        uint32_t o32 = (uint32_t)operand, r32 = (uint32_t)reply;
        op->operand = 0;
        op->reply = 0;
        memcpy(&op->operand, &o32, 4);
        memcpy(&op->reply, &r32, 4);
    } else {
        op->operand = operand;
        op->reply = reply;
    }
    op->result = result;
    op->result_size = size;

    ucp_request_param_t param;
    dwct_ucx_param_send(&param, iface, op);
    param.op_attr_mask |= UCP_OP_ATTR_FIELD_DATATYPE;
    param.datatype = ucp_dt_make_contig(size);
    if (fetch) {
        param.op_attr_mask |= UCP_OP_ATTR_FIELD_REPLY_BUFFER;
        param.reply_buffer = &op->reply;
    }
    ucs_status_ptr_t sp = ucp_atomic_op_nbx(ep, opcode, &op->operand, 1, raddr, rkey->rkey, &param);
    if (sp == NULL && result != NULL) {
        /* Completed inline: deliver the old value now (op goes back to the pool below). */
        if (size == 4) {
            memcpy(result, &op->reply, 4);
        } else {
            memcpy(result, &op->reply, 8);
        }
    }
    return dwct_ucx_op_started(iface, op, sp);
}

dwcs_status_t dwct_ucx_rma_flush(dwct_iface_t *iface, int peer, dwct_comp_t *comp)
{
    dwcs_status_t st;
    ucp_ep_h ep = NULL;
    if (peer >= iface->size) {
        DWCS_ERROR("ucx: rank %d out of range [0, %d)", peer, iface->size);
        return DWCS_ERR_INVALID_PARAM;
    }
    if (peer >= 0) {
        if (iface->peers[peer].state == DWCT_UCX_PEER_NONE) {
            return DWCS_OK; /* nothing was ever issued to it */
        }
        ep = dwct_ucx_ep_get(iface, peer, &st);
        if (ep == NULL) {
            return st;
        }
    }
    dwct_ucx_op_t *op = dwct_ucx_op_get(iface, DWCT_UCX_OP_RMA, peer, comp);
    if (op == NULL) {
        return DWCS_ERR_NO_MEMORY;
    }
    ucp_request_param_t param;
    dwct_ucx_param_send(&param, iface, op);
    ucs_status_ptr_t sp =
        ep != NULL ? ucp_ep_flush_nbx(ep, &param) : ucp_worker_flush_nbx(iface->worker, &param);
    return dwct_ucx_op_started(iface, op, sp);
}
