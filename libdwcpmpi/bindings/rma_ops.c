/* One-sided operation bindings: Put, Get, accumulates, atomics and their request forms. */
#include "dwcp_bind.h"
#include "dwcp_rma.h"

/* Arguments of one operation as the bindings collect them. */
typedef struct rma_args {
    const char *fn;
    int opcode;
    const void *obuf;
    int ocount;
    MPI_Datatype otype;
    void *rbuf;
    int rcount;
    MPI_Datatype rtype;
    const void *cbuf;
    int trank;
    MPI_Aint tdisp;
    int tcount;
    MPI_Datatype ttype;
    MPI_Op op;
} rma_args_t;

static int type_arg(MPI_Win win, const char *fn, MPI_Datatype h, dwcp_dt_t **dt, const char *what)
{
    if (dwcp_dt_check(h, dt) != DWCS_OK) {
        return dwcp_err_win(win, MPI_ERR_TYPE, fn, "%s: %s", what,
                            h == MPI_DATATYPE_NULL ? "MPI_DATATYPE_NULL"
                                                   : "invalid or uncommitted datatype");
    }
    return MPI_SUCCESS;
}

static int rma_call(const rma_args_t *a, MPI_Win win, MPI_Request *request)
{
    const char *fn = a->fn;
    DWCP_CHECK_INIT(fn);
    DWCP_GET_WIN(fn, win, w);
    int acc = a->opcode == DWCP_RMA_ACC || a->opcode == DWCP_RMA_GACC ||
              a->opcode == DWCP_RMA_CAS;
    int has_origin = a->opcode != DWCP_RMA_GET;
    int has_result = a->opcode == DWCP_RMA_GET || a->opcode == DWCP_RMA_GACC ||
                     a->opcode == DWCP_RMA_CAS;
    dwcp_dt_t *odt = NULL, *rdt = NULL, *tdt = NULL;
    dwcp_op_t *op = NULL;
    int rc;
    if (a->ocount < 0 || a->rcount < 0 || a->tcount < 0) {
        return dwcp_err_win(win, MPI_ERR_COUNT, fn, "negative count");
    }
    if (acc) {
        op = dwcp_op_get(a->op);
        if (op == NULL || !op->builtin) {
            return dwcp_err_win(win, MPI_ERR_OP, fn,
                                op == NULL ? "invalid operation"
                                           : "user-defined operations are not allowed in RMA");
        }
    }
    int noop = op != NULL && op->index == 14;
    if (noop && a->opcode == DWCP_RMA_ACC) {
        return dwcp_err_win(win, MPI_ERR_OP, fn,
                            "MPI_NO_OP is only for Get_accumulate and Fetch_and_op");
    }
    if (has_origin && !(noop && a->opcode == DWCP_RMA_GACC) &&
        (rc = type_arg(win, fn, a->otype, &odt, "origin datatype")) != MPI_SUCCESS) {
        return rc;
    }
    if (has_result && a->opcode != DWCP_RMA_GET &&
        (rc = type_arg(win, fn, a->rtype, &rdt, "result datatype")) != MPI_SUCCESS) {
        return rc;
    }
    if ((rc = type_arg(win, fn, a->ttype, &tdt, "target datatype")) != MPI_SUCCESS) {
        return rc;
    }
    if (a->opcode == DWCP_RMA_GET) {
        if ((rc = type_arg(win, fn, a->otype, &rdt, "origin datatype")) != MPI_SUCCESS) {
            return rc;
        }
    }
    if (acc) {
        if (tdt->basic <= 0 && tdt->size > 0) {
            return dwcp_err_win(win, MPI_ERR_TYPE, fn,
                                "accumulate target datatype mixes builtin types");
        }
        if (op->index != 13 && op->index != 14 && tdt->size > 0 &&
            dwcp_op_check(op, tdt) != MPI_SUCCESS) {
            return dwcp_err_win(win, MPI_ERR_OP, fn, "%s is not defined on the target datatype",
                                dwcp_op_name(op));
        }
    }
    dwcp_req_t *req = NULL;
    if (request != NULL) {
        req = dwcp_req_alloc(DWCP_REQ_RMA);
        if (req == NULL || dwcp_req_publish(req, request) != DWCS_OK) {
            if (req != NULL) {
                dwcp_req_free(req);
            }
            return dwcp_err_win(win, MPI_ERR_NO_MEM, fn, "no memory for a request");
        }
    }
    if (a->trank == MPI_PROC_NULL) {
        if (req != NULL) {
            dwcp_req_complete(req);
        }
        return MPI_SUCCESS;
    }
    if (a->trank < 0 || a->trank >= w->comm->size) {
        if (req != NULL) {
            dwcp_req_free(req);
            *request = MPI_REQUEST_NULL;
        }
        return dwcp_err_win(win, MPI_ERR_RANK, fn, "target rank %d not in [0, %d)", a->trank,
                            w->comm->size);
    }
    rc = MPI_SUCCESS;
    if (!dwcp_rma_in_epoch(w, a->trank)) {
        rc = dwcp_err_win(win, MPI_ERR_RMA_SYNC, fn, "no access epoch is open for rank %d",
                          a->trank);
    } else if (w->flavor != MPI_WIN_FLAVOR_DYNAMIC && a->tcount > 0 && tdt->size > 0) {
        MPI_Aint d = a->tdisp * w->rdisp[a->trank];
        MPI_Aint lo = d + tdt->true_lb;
        MPI_Aint hi = d + (MPI_Aint)(a->tcount - 1) * tdt->extent + tdt->true_ub;
        if (a->tdisp < 0 || lo < 0 || hi > w->rsize[a->trank]) {
            rc = dwcp_err_win(win, MPI_ERR_RMA_RANGE, fn,
                              "bytes [%ld, %ld) outside rank %d's window of %ld bytes", (long)lo,
                              (long)hi, a->trank, (long)w->rsize[a->trank]);
        }
    }
    if (rc == MPI_SUCCESS) {
        void *rbuf = a->opcode == DWCP_RMA_GET ? (void *)a->obuf : a->rbuf;
        size_t rcount = (size_t)(a->opcode == DWCP_RMA_GET ? a->ocount : a->rcount);
        rc = w->ops->op(w, a->opcode, a->obuf, (size_t)a->ocount, odt, rbuf, rcount, rdt,
                           a->cbuf, a->trank, a->tdisp, (size_t)a->tcount, tdt, op, req);
        if (rc != MPI_SUCCESS) {
            rc = dwcp_err_win(win, rc, fn, "cannot start the operation on rank %d", a->trank);
        }
    }
    if (rc != MPI_SUCCESS && req != NULL) {
        if (!req->complete) {
            dwcp_req_free(req);
            *request = MPI_REQUEST_NULL;
        }
    }
    return rc;
}

int PMPI_Put(const void *origin_addr, int origin_count, MPI_Datatype origin_datatype,
             int target_rank, MPI_Aint target_disp, int target_count,
             MPI_Datatype target_datatype, MPI_Win win)
{
    rma_args_t a = {"MPI_Put", DWCP_RMA_PUT, origin_addr, origin_count, origin_datatype, NULL, 0,
                    MPI_DATATYPE_NULL, NULL, target_rank, target_disp, target_count,
                    target_datatype, MPI_OP_NULL};
    return rma_call(&a, win, NULL);
}
DWCP_WEAK(Put)

int PMPI_Get(void *origin_addr, int origin_count, MPI_Datatype origin_datatype, int target_rank,
             MPI_Aint target_disp, int target_count, MPI_Datatype target_datatype, MPI_Win win)
{
    rma_args_t a = {"MPI_Get", DWCP_RMA_GET, origin_addr, origin_count, origin_datatype, NULL, 0,
                    MPI_DATATYPE_NULL, NULL, target_rank, target_disp, target_count,
                    target_datatype, MPI_OP_NULL};
    return rma_call(&a, win, NULL);
}
DWCP_WEAK(Get)

int PMPI_Accumulate(const void *origin_addr, int origin_count, MPI_Datatype origin_datatype,
                    int target_rank, MPI_Aint target_disp, int target_count,
                    MPI_Datatype target_datatype, MPI_Op op, MPI_Win win)
{
    rma_args_t a = {"MPI_Accumulate", DWCP_RMA_ACC, origin_addr, origin_count, origin_datatype,
                    NULL, 0, MPI_DATATYPE_NULL, NULL, target_rank, target_disp, target_count,
                    target_datatype, op};
    return rma_call(&a, win, NULL);
}
DWCP_WEAK(Accumulate)

int PMPI_Get_accumulate(const void *origin_addr, int origin_count, MPI_Datatype origin_datatype,
                        void *result_addr, int result_count, MPI_Datatype result_datatype,
                        int target_rank, MPI_Aint target_disp, int target_count,
                        MPI_Datatype target_datatype, MPI_Op op, MPI_Win win)
{
    rma_args_t a = {"MPI_Get_accumulate", DWCP_RMA_GACC, origin_addr, origin_count,
                    origin_datatype, result_addr, result_count, result_datatype, NULL,
                    target_rank, target_disp, target_count, target_datatype, op};
    return rma_call(&a, win, NULL);
}
DWCP_WEAK(Get_accumulate)

int PMPI_Fetch_and_op(const void *origin_addr, void *result_addr, MPI_Datatype datatype,
                      int target_rank, MPI_Aint target_disp, MPI_Op op, MPI_Win win)
{
    rma_args_t a = {"MPI_Fetch_and_op", DWCP_RMA_GACC, origin_addr, 1, datatype, result_addr, 1,
                    datatype, NULL, target_rank, target_disp, 1, datatype, op};
    return rma_call(&a, win, NULL);
}
DWCP_WEAK(Fetch_and_op)

int PMPI_Compare_and_swap(const void *origin_addr, const void *compare_addr, void *result_addr,
                          MPI_Datatype datatype, int target_rank, MPI_Aint target_disp,
                          MPI_Win win)
{
    dwcp_dt_t *dt = dwcp_dt_get(datatype);
    if (dt != NULL && !dt->builtin) {
        return dwcp_err_win(win, MPI_ERR_TYPE, "MPI_Compare_and_swap",
                            "the datatype must be predefined");
    }
    rma_args_t a = {"MPI_Compare_and_swap", DWCP_RMA_CAS, origin_addr, 1, datatype, result_addr,
                    1, datatype, compare_addr, target_rank, target_disp, 1, datatype,
                    MPI_REPLACE};
    return rma_call(&a, win, NULL);
}
DWCP_WEAK(Compare_and_swap)

int PMPI_Rput(const void *origin_addr, int origin_count, MPI_Datatype origin_datatype,
              int target_rank, MPI_Aint target_disp, int target_count,
              MPI_Datatype target_datatype, MPI_Win win, MPI_Request *request)
{
    if (request == NULL) {
        return dwcp_err_win(win, MPI_ERR_ARG, "MPI_Rput", "NULL request");
    }
    rma_args_t a = {"MPI_Rput", DWCP_RMA_PUT, origin_addr, origin_count, origin_datatype, NULL, 0,
                    MPI_DATATYPE_NULL, NULL, target_rank, target_disp, target_count,
                    target_datatype, MPI_OP_NULL};
    return rma_call(&a, win, request);
}
DWCP_WEAK(Rput)

int PMPI_Rget(void *origin_addr, int origin_count, MPI_Datatype origin_datatype, int target_rank,
              MPI_Aint target_disp, int target_count, MPI_Datatype target_datatype, MPI_Win win,
              MPI_Request *request)
{
    if (request == NULL) {
        return dwcp_err_win(win, MPI_ERR_ARG, "MPI_Rget", "NULL request");
    }
    rma_args_t a = {"MPI_Rget", DWCP_RMA_GET, origin_addr, origin_count, origin_datatype, NULL, 0,
                    MPI_DATATYPE_NULL, NULL, target_rank, target_disp, target_count,
                    target_datatype, MPI_OP_NULL};
    return rma_call(&a, win, request);
}
DWCP_WEAK(Rget)

int PMPI_Raccumulate(const void *origin_addr, int origin_count, MPI_Datatype origin_datatype,
                     int target_rank, MPI_Aint target_disp, int target_count,
                     MPI_Datatype target_datatype, MPI_Op op, MPI_Win win, MPI_Request *request)
{
    if (request == NULL) {
        return dwcp_err_win(win, MPI_ERR_ARG, "MPI_Raccumulate", "NULL request");
    }
    rma_args_t a = {"MPI_Raccumulate", DWCP_RMA_ACC, origin_addr, origin_count, origin_datatype,
                    NULL, 0, MPI_DATATYPE_NULL, NULL, target_rank, target_disp, target_count,
                    target_datatype, op};
    return rma_call(&a, win, request);
}
DWCP_WEAK(Raccumulate)

int PMPI_Rget_accumulate(const void *origin_addr, int origin_count, MPI_Datatype origin_datatype,
                         void *result_addr, int result_count, MPI_Datatype result_datatype,
                         int target_rank, MPI_Aint target_disp, int target_count,
                         MPI_Datatype target_datatype, MPI_Op op, MPI_Win win,
                         MPI_Request *request)
{
    if (request == NULL) {
        return dwcp_err_win(win, MPI_ERR_ARG, "MPI_Rget_accumulate", "NULL request");
    }
    rma_args_t a = {"MPI_Rget_accumulate", DWCP_RMA_GACC, origin_addr, origin_count,
                    origin_datatype, result_addr, result_count, result_datatype, NULL,
                    target_rank, target_disp, target_count, target_datatype, op};
    return rma_call(&a, win, request);
}
DWCP_WEAK(Rget_accumulate)
