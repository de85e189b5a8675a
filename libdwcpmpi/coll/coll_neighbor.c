/* Neighbourhood collectives (see dwcp_coll_nbr.h). */
#include "dwcp_coll_nbr.h"

dwcs_status_t dwcp_coll_neighbor(dwcp_sched_t *s, int cart, int nin, const int *in, int nout,
                                 const int *out, const void *sendbuf, const size_t *scounts,
                                 const MPI_Aint *sdispls, dwcp_dt_t *const *sdts, void *recvbuf,
                                 const size_t *rcounts, const MPI_Aint *rdispls,
                                 dwcp_dt_t *const *rdts)
{
    int i;
    dwcs_status_t st;
    for (i = 0; i < nin; i++) {
        if (in[i] == MPI_PROC_NULL) {
            continue;
        }
        st = dwcp_sched_recv(s, (char *)recvbuf + rdispls[i], rcounts[i], rdts[i], in[i]);
        if (st != DWCS_OK) {
            return st;
        }
    }
    /*
     * Messages between two processes match in posting order (one tag per collective). With a
     * periodic Cartesian dimension of size 2 my -1 and +1 neighbours are one process q: q
     * receives first from its -1 neighbour (me, as seen from q) which is the block I send to
     * my +1 neighbour, so for each dimension the +1 block goes out first.
     */
    for (i = 0; i < nout; i++) {
        int j = cart ? (i ^ 1) : i;
        if (out[j] == MPI_PROC_NULL) {
            continue;
        }
        st = dwcp_sched_send(s, (const char *)sendbuf + sdispls[j], scounts[j], sdts[j], out[j]);
        if (st != DWCS_OK) {
            return st;
        }
    }
    return dwcp_sched_round(s);
}
