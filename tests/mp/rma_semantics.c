/*
 * rma_semantics.c - RMA behaviours MPICH's test suite (directory rma) found wrong:
 *  1. after MPI_Win_complete the origin's get buffer holds what the target had before its
 *     MPI_Win_wait returned (the target changes its memory at once after the wait);
 *  2. a get under an exclusive lock is not mixed with a put another origin makes under its
 *     own exclusive lock after the first unlock (every element from one epoch only);
 *  3. predefined reductions on MPI_CHAR (accumulate, fetch_and_op, allreduce);
 *  4. MPI_Win_shared_query gives NULL and size 0 for a rank that allocated nothing;
 *  5. MPI_Win_get_info reports the standard's hints with defaults, and values set;
 *  6. a dynamic window accepts an access spanning two adjacent attached regions.
 * Run with 3 or more ranks; also with DWCP_RMA_RDMA_MIN=0 (active messages only).
 */
#include "mptest.h"

#define BIG 100000   /* ints: large enough for a rendezvous reply */
#define LOOPS 20

static void pscw_get_then_wait(void)
{
    int me = mpt_rank, k, i;
    int *wbuf, *get = malloc(sizeof(int) * BIG);
    MPI_Win win;
    MPI_Group world, g0, g1;
    CHECK(get != NULL, "malloc");
    CHECK_MPI(MPI_Win_allocate((MPI_Aint)(sizeof(int) * BIG), sizeof(int), MPI_INFO_NULL,
                               MPI_COMM_WORLD, &wbuf, &win));
    int zero = 0, one = 1;
    CHECK_MPI(MPI_Comm_group(MPI_COMM_WORLD, &world));
    CHECK_MPI(MPI_Group_incl(world, 1, &zero, &g0));
    CHECK_MPI(MPI_Group_incl(world, 1, &one, &g1));
    for (k = 0; k < LOOPS; k++) {
        for (i = 0; i < BIG; i++) {
            wbuf[i] = 1;
            get[i] = 0;
        }
        CHECK_MPI(MPI_Barrier(MPI_COMM_WORLD));
        if (me == 0) {
            CHECK_MPI(MPI_Win_start(g1, 0, win));
            CHECK_MPI(MPI_Get(get, BIG, MPI_INT, 1, 0, BIG, MPI_INT, win));
            CHECK_MPI(MPI_Win_complete(win));
            for (i = 0; i < BIG; i++) {
                CHECK(get[i] == 1, "got %d at %d in loop %d, expected 1 (the value before the "
                      "target's change after MPI_Win_wait)", get[i], i, k);
            }
        } else if (me == 1) {
            CHECK_MPI(MPI_Win_post(g0, 0, win));
            CHECK_MPI(MPI_Win_wait(win));
            /* the exposure epoch is over: the memory is ours again */
            for (i = 0; i < BIG; i++) {
                wbuf[i] = 2;
            }
        }
        CHECK_MPI(MPI_Barrier(MPI_COMM_WORLD));
    }
    MPI_Group_free(&g0);
    MPI_Group_free(&g1);
    MPI_Group_free(&world);
    CHECK_MPI(MPI_Win_free(&win));
    free(get);
}

static void lock_get_vs_put(void)
{
    int me = mpt_rank, k, i, t = 2;
    int *wbuf, *buf = malloc(sizeof(int) * BIG);
    MPI_Win win;
    CHECK(buf != NULL, "malloc");
    CHECK_MPI(MPI_Win_allocate((MPI_Aint)(sizeof(int) * BIG), sizeof(int), MPI_INFO_NULL,
                               MPI_COMM_WORLD, &wbuf, &win));
    for (i = 0; i < BIG; i++) {
        wbuf[i] = -1;
    }
    CHECK_MPI(MPI_Barrier(MPI_COMM_WORLD));
    for (k = 0; k < LOOPS; k++) {
        if (me == 0) {
            CHECK_MPI(MPI_Win_lock(MPI_LOCK_EXCLUSIVE, t, 0, win));
            CHECK_MPI(MPI_Get(buf, BIG, MPI_INT, t, 0, BIG, MPI_INT, win));
            CHECK_MPI(MPI_Win_unlock(t, win));
            for (i = 1; i < BIG; i++) {
                CHECK(buf[i] == buf[0], "element %d = %d but element 0 = %d (loop %d): the get "
                      "mixed two lock epochs", i, buf[i], buf[0], k);
            }
        } else if (me == 1) {
            for (i = 0; i < BIG; i++) {
                buf[i] = k;
            }
            CHECK_MPI(MPI_Win_lock(MPI_LOCK_EXCLUSIVE, t, 0, win));
            CHECK_MPI(MPI_Put(buf, BIG, MPI_INT, t, 0, BIG, MPI_INT, win));
            CHECK_MPI(MPI_Win_unlock(t, win));
        }
    }
    CHECK_MPI(MPI_Win_free(&win));
    free(buf);
}

static void char_ops(void)
{
    int me = mpt_rank, n = mpt_size;
    char *wbuf, one = 1, res = -1, sum = 0, mine = (char)(me + 1);
    MPI_Win win;
    CHECK_MPI(MPI_Win_allocate(2, 1, MPI_INFO_NULL, MPI_COMM_WORLD, &wbuf, &win));
    wbuf[0] = wbuf[1] = 0;
    CHECK_MPI(MPI_Win_fence(0, win));
    CHECK_MPI(MPI_Accumulate(&one, 1, MPI_CHAR, 0, 0, 1, MPI_CHAR, MPI_SUM, win));
    CHECK_MPI(MPI_Fetch_and_op(&one, &res, MPI_CHAR, 0, 1, MPI_SUM, win));
    CHECK_MPI(MPI_Win_fence(0, win));
    if (me == 0) {
        CHECK_EQ(wbuf[0], n, "MPI_SUM of MPI_CHAR by accumulate");
        CHECK_EQ(wbuf[1], n, "MPI_SUM of MPI_CHAR by fetch_and_op");
    }
    CHECK(res >= 0 && res < n, "fetched %d, expected a value in [0, %d)", res, n);
    CHECK_MPI(MPI_Allreduce(&mine, &sum, 1, MPI_CHAR, MPI_SUM, MPI_COMM_WORLD));
    CHECK_EQ(sum, n * (n + 1) / 2, "MPI_Allreduce MPI_SUM on MPI_CHAR");
    CHECK_MPI(MPI_Allreduce(&mine, &sum, 1, MPI_CHAR, MPI_MAX, MPI_COMM_WORLD));
    CHECK_EQ(sum, n, "MPI_Allreduce MPI_MAX on MPI_CHAR");
    CHECK_MPI(MPI_Win_free(&win));
}

static void shared_query_empty(void)
{
    MPI_Comm shm;
    MPI_Win win;
    int *base, r, du, srank, ssize;
    MPI_Aint sz;
    CHECK_MPI(MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &shm));
    CHECK_MPI(MPI_Comm_rank(shm, &srank));
    CHECK_MPI(MPI_Comm_size(shm, &ssize));
    MPI_Aint mysz = srank % 2 == 0 ? (MPI_Aint)(16 * sizeof(int)) : 0;
    CHECK_MPI(MPI_Win_allocate_shared(mysz, sizeof(int), MPI_INFO_NULL, shm, &base, &win));
    for (r = 0; r < ssize; r++) {
        int *b = NULL;
        CHECK_MPI(MPI_Win_shared_query(win, r, &sz, &du, &b));
        if (r % 2 == 0) {
            CHECK(sz >= (MPI_Aint)(16 * sizeof(int)) && b != NULL, "rank %d's segment", r);
        } else {
            CHECK(sz == 0 && b == NULL, "rank %d allocated nothing: size %ld base %p", r,
                  (long)sz, (void *)b);
        }
    }
    CHECK_MPI(MPI_Win_free(&win));
    CHECK_MPI(MPI_Comm_free(&shm));
}

static void expect_info(MPI_Win win, const char *key, const char *val)
{
    MPI_Info used;
    char buf[MPI_MAX_INFO_VAL + 1];
    int flag = 0;
    CHECK_MPI(MPI_Win_get_info(win, &used));
    CHECK_MPI(MPI_Info_get(used, key, MPI_MAX_INFO_VAL, buf, &flag));
    CHECK(flag, "window hint %s present", key);
    CHECK(strcmp(buf, val) == 0, "window hint %s = '%s', expected '%s'", key, buf, val);
    CHECK_MPI(MPI_Info_free(&used));
}

static void win_info(void)
{
    MPI_Win win;
    MPI_Info in;
    int *base;
    CHECK_MPI(MPI_Win_allocate(sizeof(int), sizeof(int), MPI_INFO_NULL, MPI_COMM_WORLD, &base,
                               &win));
    expect_info(win, "accumulate_ordering", "rar,raw,war,waw");
    expect_info(win, "accumulate_ops", "same_op_no_op");
    expect_info(win, "no_locks", "false");
    CHECK_MPI(MPI_Info_create(&in));
    CHECK_MPI(MPI_Info_set(in, "accumulate_ordering", "none"));
    CHECK_MPI(MPI_Info_set(in, "no_locks", "true"));
    CHECK_MPI(MPI_Win_set_info(win, in));
    CHECK_MPI(MPI_Info_free(&in));
    expect_info(win, "accumulate_ordering", "none");
    expect_info(win, "no_locks", "true");
    expect_info(win, "accumulate_ops", "same_op_no_op");
    CHECK_MPI(MPI_Win_free(&win));
}

#define HALF 1024
static int region[2 * HALF];

static void dynamic_span(void)
{
    int me = mpt_rank, n = mpt_size, i;
    int t = (me + 1) % n, src[2 * HALF], got[2 * HALF];
    MPI_Win win;
    MPI_Aint mine, *addr = malloc(sizeof(MPI_Aint) * (size_t)n);
    CHECK(addr != NULL, "malloc");
    CHECK_MPI(MPI_Win_create_dynamic(MPI_INFO_NULL, MPI_COMM_WORLD, &win));
    CHECK_MPI(MPI_Win_attach(win, &region[0], sizeof(int) * HALF));
    CHECK_MPI(MPI_Win_attach(win, &region[HALF], sizeof(int) * HALF));
    CHECK_MPI(MPI_Get_address(region, &mine));
    CHECK_MPI(MPI_Allgather(&mine, 1, MPI_AINT, addr, 1, MPI_AINT, MPI_COMM_WORLD));
    for (i = 0; i < 2 * HALF; i++) {
        src[i] = me * 100000 + i;
    }
    CHECK_MPI(MPI_Win_lock_all(0, win));
    CHECK_MPI(MPI_Put(src, 2 * HALF, MPI_INT, t, addr[t], 2 * HALF, MPI_INT, win));
    CHECK_MPI(MPI_Win_flush(t, win));
    CHECK_MPI(MPI_Accumulate(src, 2 * HALF, MPI_INT, t, addr[t], 2 * HALF, MPI_INT, MPI_SUM,
                             win));
    CHECK_MPI(MPI_Win_flush(t, win));
    CHECK_MPI(MPI_Get(got, 2 * HALF, MPI_INT, t, addr[t], 2 * HALF, MPI_INT, win));
    CHECK_MPI(MPI_Win_unlock_all(win));
    for (i = 0; i < 2 * HALF; i++) {
        CHECK(got[i] == 2 * src[i], "element %d across both regions: %d, expected %d", i,
              got[i], 2 * src[i]);
    }
    CHECK_MPI(MPI_Barrier(MPI_COMM_WORLD));
    CHECK_MPI(MPI_Win_detach(win, &region[0]));
    CHECK_MPI(MPI_Win_detach(win, &region[HALF]));
    CHECK_MPI(MPI_Win_free(&win));
    free(addr);
}

int main(int argc, char **argv)
{
    mpt_init(&argc, &argv, 3);
    pscw_get_then_wait();
    lock_get_vs_put();
    char_ops();
    shared_query_empty();
    win_info();
    dynamic_span();
    mpt_finish();
    return 0;
}
