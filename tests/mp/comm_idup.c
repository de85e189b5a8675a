/*
 * MPI_Comm_idup / MPI_Comm_idup_with_info: truly nonblocking (rank 0 starts its idup only after
 * every other rank has started its own and completed a synchronous send), several idups
 * outstanding on the same and on different parents started in different orders, idup of an
 * intercommunicator, and no two results sharing a context (crosstalk check with equal tags on
 * all of them at once). Attributes and hints are carried over. Needs >= 2 ranks.
 */
#include "mptest.h"

#define NDUP 4

static int copied; /* copy callback calls */

static int copy_fn(MPI_Comm c, int k, void *extra, void *in, void *out, int *flag)
{
    (void)c;
    (void)k;
    (void)extra;
    copied++;
    *(void **)out = in;
    *flag = 1;
    return MPI_SUCCESS;
}

/* Every comm in @p cs: ring exchange with the same tag, the value encodes the comm index. */
static void crosstalk(MPI_Comm *cs, int n)
{
    int i, rank, size, out[NDUP * 2], in[NDUP * 2];
    MPI_Request q[NDUP * 4];
    for (i = 0; i < n; i++) {
        MPI_Comm_rank(cs[i], &rank);
        MPI_Comm_size(cs[i], &size);
        MPI_Irecv(&in[i], 1, MPI_INT, (rank + size - 1) % size, 5, cs[i], &q[2 * i]);
    }
    /* sends in the reverse order of the receives: shared contexts would swap the values */
    for (i = n - 1; i >= 0; i--) {
        MPI_Comm_rank(cs[i], &rank);
        MPI_Comm_size(cs[i], &size);
        out[i] = 1000 * i + rank;
        MPI_Isend(&out[i], 1, MPI_INT, (rank + 1) % size, 5, cs[i], &q[2 * i + 1]);
    }
    MPI_Waitall(2 * n, q, MPI_STATUSES_IGNORE);
    for (i = 0; i < n; i++) {
        MPI_Comm_rank(cs[i], &rank);
        MPI_Comm_size(cs[i], &size);
        CHECK_EQ(in[i], 1000 * i + (rank + size - 1) % size, "value on duplicate");
    }
}

int main(int argc, char **argv)
{
    int rank, size, i, buf[2], sum;
    mpt_init(&argc, &argv, 2);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);

    /* 1. nonblocking: rank 0 blocks in receives until all others have started their idup */
    MPI_Comm c1;
    MPI_Request r;
    if (rank == 0) {
        for (i = 1; i < size; i++) {
            MPI_Recv(buf, 2, MPI_INT, i, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        }
        CHECK_MPI(MPI_Comm_idup(MPI_COMM_WORLD, &c1, &r));
    } else {
        CHECK_MPI(MPI_Comm_idup(MPI_COMM_WORLD, &c1, &r));
        buf[0] = rank;
        MPI_Ssend(buf, 2, MPI_INT, 0, 0, MPI_COMM_WORLD);
    }
    MPI_Wait(&r, MPI_STATUS_IGNORE);
    MPI_Allreduce(&rank, &sum, 1, MPI_INT, MPI_SUM, c1);
    CHECK_EQ(sum, size * (size - 1) / 2, "allreduce on idup result");

    /* 2. several outstanding: on c1 and WORLD (order differs between even and odd ranks),
     * with attributes and hints, overlapping point-to-point traffic on WORLD */
    int key, val = 42, *got, flag;
    MPI_Comm_create_keyval(copy_fn, MPI_COMM_NULL_DELETE_FN, &key, NULL);
    MPI_Comm_set_attr(c1, key, &val);
    MPI_Info info;
    MPI_Info_create(&info);
    MPI_Info_set(info, "mpt_hint", "yes");
    MPI_Comm d[NDUP];
    MPI_Request q[NDUP];
    if (rank % 2 == 0) {
        MPI_Comm_idup(c1, &d[0], &q[0]);
        MPI_Comm_idup_with_info(MPI_COMM_WORLD, info, &d[1], &q[1]);
        MPI_Comm_idup(c1, &d[2], &q[2]);
    } else {
        MPI_Comm_idup_with_info(MPI_COMM_WORLD, info, &d[1], &q[1]);
        MPI_Comm_idup(c1, &d[0], &q[0]);
        MPI_Comm_idup(c1, &d[2], &q[2]);
    }
    MPI_Comm_idup(MPI_COMM_WORLD, &d[3], &q[3]);
    MPI_Info_free(&info); /* allowed before completion */
    int token = rank, from;
    MPI_Sendrecv(&token, 1, MPI_INT, (rank + 1) % size, 9, &from, 1, MPI_INT,
                 (rank + size - 1) % size, 9, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    CHECK_EQ(from, (rank + size - 1) % size, "traffic during idups");
    MPI_Waitall(NDUP, q, MPI_STATUSES_IGNORE);
    crosstalk(d, NDUP);
    MPI_Comm_get_attr(d[0], key, &got, &flag);
    CHECK(flag && got == &val, "attribute copied by idup");
    CHECK(copied == 2, "copy callback ran %d times", copied);
    MPI_Comm_get_attr(d[1], key, &got, &flag);
    CHECK(!flag, "WORLD dup has no attribute");
    MPI_Info used;
    char v[16] = "";
    MPI_Comm_get_info(d[1], &used);
    MPI_Info_get(used, "mpt_hint", sizeof(v) - 1, v, &flag);
    CHECK(flag && strcmp(v, "yes") == 0, "hint on idup_with_info result");
    MPI_Info_free(&used);

    /* 3. idup of an intercommunicator, with a pending idup on its parent meanwhile */
    MPI_Comm half, inter, idi, extra;
    MPI_Request qi[2];
    MPI_Comm_split(MPI_COMM_WORLD, rank % 2, rank, &half);
    MPI_Intercomm_create(half, 0, MPI_COMM_WORLD, 1 - rank % 2, 7, &inter);
    MPI_Comm_idup(inter, &idi, &qi[0]);
    MPI_Comm_idup(half, &extra, &qi[1]);
    MPI_Waitall(2, qi, MPI_STATUSES_IGNORE);
    int lsize, rsize, lrank, rsum = -1;
    MPI_Comm_size(idi, &lsize);
    MPI_Comm_remote_size(idi, &rsize);
    MPI_Comm_rank(idi, &lrank);
    CHECK_EQ(lsize + rsize, size, "idup'd intercomm sizes");
    MPI_Allreduce(&lrank, &rsum, 1, MPI_INT, MPI_SUM, idi);
    CHECK_EQ(rsum, rsize * (rsize - 1) / 2, "allreduce on idup'd intercomm");
    MPI_Allreduce(&lrank, &rsum, 1, MPI_INT, MPI_SUM, extra);
    CHECK_EQ(rsum, lsize * (lsize - 1) / 2, "allreduce on idup'd local half");

    /* 4. the parent may be freed while its idup is pending */
    MPI_Comm tmp, child;
    MPI_Comm_dup(MPI_COMM_WORLD, &tmp);
    MPI_Comm_idup(tmp, &child, &r);
    MPI_Comm_free(&tmp);
    MPI_Comm_dup(MPI_COMM_WORLD, &tmp); /* must not reuse a context still in use */
    MPI_Wait(&r, MPI_STATUS_IGNORE);
    MPI_Comm pair[2] = {child, tmp};
    crosstalk(pair, 2);
    MPI_Comm_free(&child);
    MPI_Comm_free(&tmp);

    /* 5. rounds of overlapping idups on WORLD, halves and parities in rank-dependent orders,
     * a blocking dup of WORLD while they are pending, then the crosstalk check on all */
    MPI_Comm par;
    MPI_Comm_split(MPI_COMM_WORLD, rank / 2 % 2, rank, &par);
    int it;
    for (it = 0; it < 20; it++) {
        MPI_Comm src[3] = {MPI_COMM_WORLD, half, par}, nd[4];
        MPI_Request nq[3];
        int o;
        for (o = 0; o < 3; o++) {
            int k = (o + rank + it) % 3;
            MPI_Comm_idup(src[k], &nd[k], &nq[k]);
        }
        MPI_Comm_dup(MPI_COMM_WORLD, &nd[3]);
        MPI_Waitall(3, nq, MPI_STATUSES_IGNORE);
        crosstalk(nd, 4);
        for (o = 0; o < 4; o++) {
            MPI_Comm_free(&nd[o]);
        }
    }
    MPI_Comm_free(&par);

    for (i = 0; i < NDUP; i++) {
        MPI_Comm_free(&d[i]);
    }
    MPI_Comm_free(&idi);
    MPI_Comm_free(&extra);
    MPI_Comm_free(&inter);
    MPI_Comm_free(&half);
    MPI_Comm_free(&c1);
    MPI_Comm_free_keyval(&key);
    return mpt_finish();
}
