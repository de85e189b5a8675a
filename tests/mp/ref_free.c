/*
 * ref_free: objects freed while operations using them are pending. MPI says
 * MPI_Type_free, MPI_Op_free and MPI_Comm_free only mark the object; pending
 * operations complete normally. Each case starts an operation with a derived
 * datatype (and user op / dup'ed communicator), frees them at once, scribbles
 * over freed memory by creating and filling new objects, makes the peers late
 * (so the operation is really pending), then waits and checks the data:
 * Igather (several rounds), Iallreduce with a user op, Isend/Irecv on a freed
 * communicator, persistent send/recv restarted after the frees,
 * Ineighbor_alltoall on a Cartesian communicator, MPI_Rget into a derived
 * type. Needs >= 2 ranks.
 */
#include "mptest.h"

#define N 64

/* Allocate, fill and free many blocks and types so freed memory is reused. */
static void scribble(void)
{
    MPI_Datatype t[8];
    void *p[32];
    int i;
    for (i = 0; i < 8; i++) {
        CHECK_MPI(MPI_Type_vector(3 + i, 2, 5, MPI_DOUBLE, &t[i]));
        CHECK_MPI(MPI_Type_commit(&t[i]));
    }
    for (i = 0; i < 32; i++) {
        p[i] = malloc(64 + 32 * (size_t)i);
        memset(p[i], 0xA5, 64 + 32 * (size_t)i);
    }
    for (i = 0; i < 32; i++) {
        free(p[i]);
    }
    for (i = 0; i < 8; i++) {
        CHECK_MPI(MPI_Type_free(&t[i]));
    }
}

/* Strided int type: every second int (extent 2 ints per element). */
static MPI_Datatype strided(void)
{
    MPI_Datatype v, r, d;
    CHECK_MPI(MPI_Type_vector(1, 1, 2, MPI_INT, &v));
    CHECK_MPI(MPI_Type_create_resized(v, 0, 2 * (MPI_Aint)sizeof(int), &r));
    CHECK_MPI(MPI_Type_free(&v));
    CHECK_MPI(MPI_Type_dup(r, &d));
    CHECK_MPI(MPI_Type_free(&r));
    CHECK_MPI(MPI_Type_commit(&d));
    return d;
}

static void late(void)
{
    if (mpt_rank != 0) {
        usleep(100000);
    }
}

static void case_igather(void)
{
    int sb[2 * N], *rb = mpt_malloc(sizeof(int) * 2 * N * (size_t)mpt_size);
    int i, r;
    MPI_Request rq;
    MPI_Datatype t = strided(), rt = strided();
    for (i = 0; i < 2 * N; i++) {
        sb[i] = (i % 2) ? -1 : mpt_rank * 1000 + i / 2;
    }
    for (i = 0; i < 2 * N * mpt_size; i++) {
        rb[i] = -7;
    }
    late();
    CHECK_MPI(MPI_Igather(sb, N, t, rb, N, rt, 0, MPI_COMM_WORLD, &rq));
    CHECK_MPI(MPI_Type_free(&t));
    CHECK_MPI(MPI_Type_free(&rt));
    scribble();
    CHECK_MPI(MPI_Wait(&rq, MPI_STATUS_IGNORE));
    if (mpt_rank == 0) {
        for (r = 0; r < mpt_size; r++) {
            for (i = 0; i < N; i++) {
                CHECK_EQ(rb[(r * N + i) * 2], r * 1000 + i, "igather element");
                CHECK_EQ(rb[(r * N + i) * 2 + 1], -7, "igather gap");
            }
        }
    }
    free(rb);
}

static void my_sum(void *in, void *inout, int *len, MPI_Datatype *dt)
{
    int *a = in, *b = inout, i;
    (void)dt;
    /* The type is strided: element k is at index 2k. */
    for (i = 0; i < *len; i++) {
        b[2 * i] += a[2 * i];
    }
}

static void case_iallreduce(void)
{
    int sb[2 * N], rb[2 * N], i;
    MPI_Request rq;
    MPI_Op op;
    MPI_Datatype t = strided();
    CHECK_MPI(MPI_Op_create(my_sum, 1, &op));
    for (i = 0; i < 2 * N; i++) {
        sb[i] = (i % 2) ? -1 : mpt_rank + i;
        rb[i] = -7;
    }
    late();
    CHECK_MPI(MPI_Iallreduce(sb, rb, N, t, op, MPI_COMM_WORLD, &rq));
    CHECK_MPI(MPI_Op_free(&op));
    CHECK_MPI(MPI_Type_free(&t));
    scribble();
    CHECK_MPI(MPI_Wait(&rq, MPI_STATUS_IGNORE));
    for (i = 0; i < N; i++) {
        CHECK_EQ(rb[2 * i], mpt_size * (mpt_size - 1) / 2 + mpt_size * 2 * i, "iallreduce sum");
        CHECK_EQ(rb[2 * i + 1], -7, "iallreduce gap");
    }
}

static void case_p2p(void)
{
    int sb[2 * N], rb[2 * N], i, cnt;
    MPI_Request rq[2];
    MPI_Status st[2];
    MPI_Comm dup;
    MPI_Datatype t = strided();
    int right = (mpt_rank + 1) % mpt_size, left = (mpt_rank + mpt_size - 1) % mpt_size;
    CHECK_MPI(MPI_Comm_dup(MPI_COMM_WORLD, &dup));
    for (i = 0; i < 2 * N; i++) {
        sb[i] = (i % 2) ? -1 : mpt_rank * 100 + i;
        rb[i] = -7;
    }
    CHECK_MPI(MPI_Irecv(rb, N, t, left, 5, dup, &rq[0]));
    late();
    CHECK_MPI(MPI_Isend(sb, N, t, right, 5, dup, &rq[1]));
    CHECK_MPI(MPI_Type_free(&t));
    CHECK_MPI(MPI_Comm_free(&dup));
    scribble();
    CHECK_MPI(MPI_Waitall(2, rq, st));
    CHECK_EQ(st[0].MPI_SOURCE, left, "p2p source");
    CHECK_MPI(MPI_Get_count(&st[0], MPI_INT, &cnt));
    CHECK_EQ(cnt, N, "p2p count");
    for (i = 0; i < N; i++) {
        CHECK_EQ(rb[2 * i], left * 100 + 2 * i, "p2p element");
        CHECK_EQ(rb[2 * i + 1], -7, "p2p gap");
    }
}

static void case_persistent(void)
{
    int sb[2 * N], rb[2 * N], i, it;
    MPI_Request rq[2];
    MPI_Comm dup;
    MPI_Datatype t = strided();
    int right = (mpt_rank + 1) % mpt_size, left = (mpt_rank + mpt_size - 1) % mpt_size;
    CHECK_MPI(MPI_Comm_dup(MPI_COMM_WORLD, &dup));
    CHECK_MPI(MPI_Recv_init(rb, N, t, left, 6, dup, &rq[0]));
    CHECK_MPI(MPI_Send_init(sb, N, t, right, 6, dup, &rq[1]));
    CHECK_MPI(MPI_Type_free(&t));
    CHECK_MPI(MPI_Comm_free(&dup));
    scribble();
    for (it = 0; it < 3; it++) {
        for (i = 0; i < 2 * N; i++) {
            sb[i] = (i % 2) ? -1 : it * 10000 + mpt_rank * 100 + i;
            rb[i] = -7;
        }
        CHECK_MPI(MPI_Startall(2, rq));
        CHECK_MPI(MPI_Waitall(2, rq, MPI_STATUSES_IGNORE));
        for (i = 0; i < N; i++) {
            CHECK_EQ(rb[2 * i], it * 10000 + left * 100 + 2 * i, "persistent element");
            CHECK_EQ(rb[2 * i + 1], -7, "persistent gap");
        }
    }
    CHECK_MPI(MPI_Request_free(&rq[0]));
    CHECK_MPI(MPI_Request_free(&rq[1]));
}

static void case_neighbor(void)
{
    int dims[1] = {mpt_size}, periods[1] = {1};
    int sb[4 * N], rb[4 * N], i, k;
    MPI_Comm cart;
    MPI_Request rq;
    MPI_Datatype t = strided();
    int right = (mpt_rank + 1) % mpt_size, left = (mpt_rank + mpt_size - 1) % mpt_size;
    CHECK_MPI(MPI_Cart_create(MPI_COMM_WORLD, 1, dims, periods, 0, &cart));
    for (i = 0; i < 4 * N; i++) {
        sb[i] = (i % 2) ? -1 : mpt_rank * 1000 + i; /* block 0 to left, block 1 to right */
        rb[i] = -7;
    }
    late();
    CHECK_MPI(MPI_Ineighbor_alltoall(sb, N, t, rb, N, t, cart, &rq));
    CHECK_MPI(MPI_Type_free(&t));
    CHECK_MPI(MPI_Comm_free(&cart));
    scribble();
    CHECK_MPI(MPI_Wait(&rq, MPI_STATUS_IGNORE));
    for (k = 0; k < N; k++) {
        /* From the left neighbour: its block 1 (sent to its right); from the right: block 0. */
        CHECK_EQ(rb[2 * k], left * 1000 + 2 * N + 2 * k, "neighbor from left");
        CHECK_EQ(rb[2 * N + 2 * k], right * 1000 + 2 * k, "neighbor from right");
        CHECK_EQ(rb[2 * k + 1], -7, "neighbor gap");
    }
}

static void case_rget(void)
{
    int wbuf[N], rb[2 * N], i;
    MPI_Win win;
    MPI_Request rq;
    MPI_Datatype t = strided();
    int right = (mpt_rank + 1) % mpt_size;
    for (i = 0; i < N; i++) {
        wbuf[i] = mpt_rank * 100 + i;
    }
    for (i = 0; i < 2 * N; i++) {
        rb[i] = -7;
    }
    CHECK_MPI(MPI_Win_create(wbuf, sizeof(wbuf), sizeof(int), MPI_INFO_NULL, MPI_COMM_WORLD,
                             &win));
    CHECK_MPI(MPI_Win_lock_all(0, win));
    CHECK_MPI(MPI_Rget(rb, N, t, right, 0, N, MPI_INT, win, &rq));
    CHECK_MPI(MPI_Type_free(&t));
    scribble();
    CHECK_MPI(MPI_Wait(&rq, MPI_STATUS_IGNORE));
    CHECK_MPI(MPI_Win_unlock_all(win));
    for (i = 0; i < N; i++) {
        CHECK_EQ(rb[2 * i], right * 100 + i, "rget element");
        CHECK_EQ(rb[2 * i + 1], -7, "rget gap");
    }
    CHECK_MPI(MPI_Barrier(MPI_COMM_WORLD));
    CHECK_MPI(MPI_Win_free(&win));
}

int main(int argc, char **argv)
{
    int rep;
    mpt_init(&argc, &argv, 2);
    for (rep = 0; rep < 3; rep++) {
        case_igather();
        case_iallreduce();
        case_p2p();
        case_persistent();
        case_neighbor();
        case_rget();
    }
    mpt_finish();
    return 0;
}
