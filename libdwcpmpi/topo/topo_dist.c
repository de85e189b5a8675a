/* MPI_Dist_graph_create's edge exchange (see dwcp_topo.h). */
#include <stdlib.h>
#include <string.h>

#include "dwcp_coll.h"
#include "dwcp_topo.h"

/* One edge as seen by one of its ends: {1 = out-edge / 0 = in-edge, other end, weight}. */
#define REC 3

/* Blocking internal alltoallv of ints over @p c (counts and displacements in ints). */
static dwcs_status_t alltoallv_int(dwcp_comm_t *c, const int *sbuf, const int *scnt,
                                   const int *sdsp, int *rbuf, const int *rcnt, const int *rdsp)
{
    int p = c->size, i;
    size_t *sc = malloc(sizeof(size_t) * (size_t)p * 2);
    MPI_Aint *sd = malloc(sizeof(MPI_Aint) * (size_t)p * 2);
    dwcp_dt_t **ty = malloc(sizeof(dwcp_dt_t *) * (size_t)p);
    dwcp_sched_t *s = dwcp_sched_new(c);
    dwcs_status_t st = DWCS_ERR_NO_MEMORY;
    if (sc != NULL && sd != NULL && ty != NULL && s != NULL) {
        for (i = 0; i < p; i++) {
            sc[i] = (size_t)scnt[i];
            sc[p + i] = (size_t)rcnt[i];
            sd[i] = (MPI_Aint)sdsp[i] * (MPI_Aint)sizeof(int);
            sd[p + i] = (MPI_Aint)rdsp[i] * (MPI_Aint)sizeof(int);
            ty[i] = dwcp_dt_get(MPI_INT);
        }
        st = dwcp_coll_alltoallw(s, sbuf, sc, sd, ty, rbuf, sc + p, sd + p, ty);
        if (st == DWCS_OK) {
            int rc = dwcp_sched_run(s);
            st = rc == MPI_SUCCESS ? DWCS_OK : DWCS_ERR_IO;
        } else {
            dwcp_sched_discard(s);
        }
        s = NULL;
    }
    dwcp_sched_discard(s);
    free(sc);
    free(sd);
    free(ty);
    return st;
}

/* Append the records of every edge (or count them when @p buf is NULL) per target process. */
static void fill(int n, const int *sources, const int *degrees, const int *dests,
                 const int *weights, int *fillpos, int *buf)
{
    int i, k, off = 0;
    for (i = 0; i < n; i++) {
        for (k = 0; k < degrees[i]; k++, off++) {
            int s = sources[i], d = dests[off], w = weights ? weights[off] : 1;
            if (buf != NULL) {
                int *o = buf + fillpos[s], *in;
                o[0] = 1;
                o[1] = d;
                o[2] = w;
                fillpos[s] += REC;
                in = buf + fillpos[d];
                in[0] = 0;
                in[1] = s;
                in[2] = w;
                fillpos[d] += REC;
            } else {
                fillpos[s] += REC;
                fillpos[d] += REC;
            }
        }
    }
}

dwcs_status_t dwcp_topo_dist_exchange(dwcp_comm_t *parent, int n, const int *sources,
                                      const int *degrees, const int *dests, const int *weights,
                                      int weighted, dwcp_topo_t **out)
{
    int p = parent->size, i;
    int *scnt = calloc((size_t)p * 4, sizeof(int));
    int *ones = calloc((size_t)p * 2, sizeof(int));
    int *sbuf = NULL, *rbuf = NULL, *in = NULL, *outl = NULL;
    dwcs_status_t st = DWCS_ERR_NO_MEMORY;
    *out = NULL;
    if (scnt == NULL || ones == NULL) {
        goto done;
    }
    int *sdsp = scnt + p, *rcnt = scnt + 2 * p, *rdsp = scnt + 3 * p;
    fill(n, sources, degrees, dests, weights, scnt, NULL);
    for (i = 0; i < p; i++) {
        ones[i] = 1;
        ones[p + i] = i;
    }
    /* record counts, then the records */
    st = alltoallv_int(parent, scnt, ones, ones + p, rcnt, ones, ones + p);
    if (st != DWCS_OK) {
        goto done;
    }
    int stot = 0, rtot = 0;
    for (i = 0; i < p; i++) {
        sdsp[i] = stot;
        stot += scnt[i];
        rdsp[i] = rtot;
        rtot += rcnt[i];
    }
    sbuf = malloc(sizeof(int) * (size_t)(stot + 1));
    rbuf = malloc(sizeof(int) * (size_t)(rtot + 1));
    int *pos = ones; /* reuse: fill positions */
    if (sbuf == NULL || rbuf == NULL) {
        st = DWCS_ERR_NO_MEMORY;
        goto done;
    }
    memcpy(pos, sdsp, sizeof(int) * (size_t)p);
    fill(n, sources, degrees, dests, weights, pos, sbuf);
    st = alltoallv_int(parent, sbuf, scnt, sdsp, rbuf, rcnt, rdsp);
    if (st != DWCS_OK) {
        goto done;
    }
    /* received in order of the specifying rank, each in its argument order */
    int nrec = rtot / REC, nin = 0, nout = 0;
    in = malloc(sizeof(int) * 2 * (size_t)(nrec + 1));
    outl = malloc(sizeof(int) * 2 * (size_t)(nrec + 1));
    if (in == NULL || outl == NULL) {
        st = DWCS_ERR_NO_MEMORY;
        goto done;
    }
    int *inw = in + nrec + 1, *outw = outl + nrec + 1;
    for (i = 0; i < nrec; i++) {
        const int *r = rbuf + REC * i;
        if (r[0]) {
            outl[nout] = r[1];
            outw[nout++] = r[2];
        } else {
            in[nin] = r[1];
            inw[nin++] = r[2];
        }
    }
    *out = dwcp_topo_dist_new(nin, in, inw, nout, outl, outw, weighted);
    st = *out != NULL ? DWCS_OK : DWCS_ERR_NO_MEMORY;
done:
    free(scnt);
    free(ones);
    free(sbuf);
    free(rbuf);
    free(in);
    free(outl);
    return st;
}
