/* Per-communicator collective algorithm tables (see dwcp_coll_table.h). */
#include <stdlib.h>

#include "dwcp_coll_table.h"

const dwcp_coll_table_t dwcp_coll_intra_table = {
    .barrier = dwcp_coll_barrier,
    .bcast = dwcp_coll_bcast,
    .reduce = dwcp_coll_reduce,
    .allreduce = dwcp_coll_allreduce,
    .gatherv = dwcp_coll_gatherv,
    .scatterv = dwcp_coll_scatterv,
    .allgatherv = dwcp_coll_allgatherv,
    .alltoallw = dwcp_coll_alltoallw,
    .reduce_scatter = dwcp_coll_reduce_scatter,
    .scan = dwcp_coll_scan,
};

const dwcp_coll_table_t dwcp_coll_inter_table = {
    .barrier = dwcp_coll_inter_barrier,
    .bcast = dwcp_coll_inter_bcast,
    .reduce = dwcp_coll_inter_reduce,
    .allreduce = dwcp_coll_inter_allreduce,
    .gatherv = dwcp_coll_inter_gatherv,
    .scatterv = dwcp_coll_inter_scatterv,
    .allgatherv = dwcp_coll_inter_allgatherv,
    .alltoallw = dwcp_coll_inter_alltoallw,
    .reduce_scatter = dwcp_coll_inter_reduce_scatter,
    .scan = NULL,
};

/* Recording tables installed by a persistent-collective *_init call on this thread. */
static __thread const dwcp_coll_table_t *rec_intra, *rec_inter;

void dwcp_coll_table_record(const dwcp_coll_table_t *intra, const dwcp_coll_table_t *inter)
{
    rec_intra = intra;
    rec_inter = inter;
}

const dwcp_coll_table_t *dwcp_coll_table(const dwcp_comm_t *c)
{
    if (rec_intra != NULL) {
        return c->remote != NULL ? rec_inter : rec_intra;
    }
    if (c->coll != NULL) {
        return c->coll;
    }
    return c->remote != NULL ? &dwcp_coll_inter_table : &dwcp_coll_intra_table;
}

static void table_free(dwcp_comm_t *c)
{
    free(c->coll);
    c->coll = NULL;
}

dwcp_coll_table_t *dwcp_coll_table_edit(dwcp_comm_t *c)
{
    if (c->coll != NULL) {
        return c->coll;
    }
    if (dwcp_comm_free_hook_add(table_free) != DWCS_OK) {
        return NULL;
    }
    dwcp_coll_table_t *t = malloc(sizeof(*t));
    if (t == NULL) {
        return NULL;
    }
    *t = *dwcp_coll_table(c);
    c->coll = t;
    return t;
}
