/*
 * rma_shared.c - MPI_Win_allocate_shared on a node communicator: each rank writes its part by
 * direct stores, the others read it by direct loads through MPI_Win_shared_query pointers
 * after MPI_Win_sync + barrier; the parts are contiguous; RMA (put/accumulate) also works.
 */
#include "mptest.h"

#define N 100

int main(int argc, char **argv)
{
    mpt_init(&argc, &argv, 1);
    MPI_Comm node;
    CHECK_MPI(MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node));
    int me, n, i, p;
    MPI_Comm_rank(node, &me);
    MPI_Comm_size(node, &n);
    int *mine;
    MPI_Win win;
    /* rank r gets N + r ints */
    CHECK_MPI(MPI_Win_allocate_shared((MPI_Aint)(sizeof(int) * (N + me)), sizeof(int),
                                      MPI_INFO_NULL, node, &mine, &win));
    int *flavor, flag;
    CHECK_MPI(MPI_Win_get_attr(win, MPI_WIN_CREATE_FLAVOR, &flavor, &flag));
    CHECK(flag && *flavor == MPI_WIN_FLAVOR_SHARED, "shared flavor attribute");
    CHECK_MPI(MPI_Win_lock_all(MPI_MODE_NOCHECK, win));
    for (i = 0; i < N + me; i++) {
        mine[i] = me * 10000 + i;
    }
    CHECK_MPI(MPI_Win_sync(win));
    CHECK_MPI(MPI_Barrier(node));
    CHECK_MPI(MPI_Win_sync(win));
    char *prev_end = NULL;
    for (p = 0; p < n; p++) {
        MPI_Aint sz;
        int du;
        int *ptr;
        CHECK_MPI(MPI_Win_shared_query(win, p, &sz, &du, &ptr));
        CHECK_EQ(sz, (MPI_Aint)sizeof(int) * (N + p), "size of rank p's part");
        CHECK_EQ(du, (int)sizeof(int), "disp unit of rank p");
        if (prev_end != NULL) {
            CHECK((char *)ptr == prev_end, "parts are contiguous (rank %d)", p);
        }
        prev_end = (char *)ptr + sz;
        for (i = 0; i < N + p; i++) {
            CHECK_EQ(ptr[i], p * 10000 + i, "direct load of rank p's part");
        }
    }
    CHECK_MPI(MPI_Barrier(node));
    /* direct store into the right neighbour's part, then read our own */
    int right = (me + 1) % n, left = (me - 1 + n) % n;
    MPI_Aint sz;
    int du, *rp;
    CHECK_MPI(MPI_Win_shared_query(win, right, &sz, &du, &rp));
    rp[0] = -100 - me;
    CHECK_MPI(MPI_Win_sync(win));
    CHECK_MPI(MPI_Barrier(node));
    CHECK_MPI(MPI_Win_sync(win));
    CHECK_EQ(mine[0], -100 - left, "store by the left neighbour");
    /* RMA accumulate on a shared window */
    int one = 1;
    CHECK_MPI(MPI_Barrier(node));
    for (p = 0; p < n; p++) {
        CHECK_MPI(MPI_Accumulate(&one, 1, MPI_INT, p, 1, 1, MPI_INT, MPI_SUM, win));
    }
    CHECK_MPI(MPI_Win_flush_all(win));
    CHECK_MPI(MPI_Barrier(node));
    CHECK_MPI(MPI_Win_sync(win));
    CHECK_EQ(mine[1], me * 10000 + 1 + n, "accumulates from every rank on the shared window");
    /* MPI_PROC_NULL query: the first non-empty part (rank 0's) */
    int *p0, *q0;
    CHECK_MPI(MPI_Win_shared_query(win, MPI_PROC_NULL, &sz, &du, &p0));
    CHECK_MPI(MPI_Win_shared_query(win, 0, &sz, &du, &q0));
    CHECK(p0 == q0, "MPI_PROC_NULL query gives rank 0's part");
    CHECK_MPI(MPI_Win_unlock_all(win));
    CHECK_MPI(MPI_Win_free(&win));
    CHECK_MPI(MPI_Comm_free(&node));
    return mpt_finish();
}
