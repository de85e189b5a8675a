/*
 * p2p_wild: MPI_ANY_SOURCE and MPI_ANY_TAG receives get every message
 * exactly once with the right status (source, tag, count), and
 * MPI_STATUS_IGNORE / MPI_STATUSES_IGNORE are accepted everywhere a
 * status is written (Recv, Wait*, Test*, Sendrecv, Probe).
 * Every rank > 0 sends M messages with tags from a rank-specific set to
 * rank 0 with lengths depending on (rank, i). Needs >= 2 ranks.
 */
#include "mptest.h"

#define M 20

int main(int argc, char **argv)
{
    int i, j, cnt, total;
    int buf[64];

    mpt_init(&argc, &argv, 2);
    if (mpt_rank > 0) {
        for (i = 0; i < M; i++) {
            int len = 1 + (mpt_rank * 7 + i) % 60;
            for (j = 0; j < len; j++) {
                buf[j] = mpt_rank * 1000 + i * 64 + j;
            }
            /* Tag encodes i; the payload encodes rank and i too. */
            CHECK_MPI(MPI_Send(buf, len, MPI_INT, 0, 100 + i,
                               MPI_COMM_WORLD));
        }
        /* STATUS_IGNORE variants, talking to rank 0. */
        CHECK_MPI(MPI_Recv(buf, 1, MPI_INT, 0, 7, MPI_COMM_WORLD,
                           MPI_STATUS_IGNORE));
        CHECK_EQ(buf[0], 77, "value with STATUS_IGNORE");
        {
            MPI_Request r[2];
            int flag = 0;
            CHECK_MPI(MPI_Irecv(&buf[0], 1, MPI_INT, 0, 8, MPI_COMM_WORLD,
                                &r[0]));
            CHECK_MPI(MPI_Irecv(&buf[1], 1, MPI_INT, 0, 9, MPI_COMM_WORLD,
                                &r[1]));
            CHECK_MPI(MPI_Wait(&r[0], MPI_STATUS_IGNORE));
            CHECK_MPI(MPI_Waitall(1, &r[1], MPI_STATUSES_IGNORE));
            CHECK_EQ(buf[0] + buf[1], 17, "values with STATUSES_IGNORE");
            CHECK_MPI(MPI_Probe(0, 10, MPI_COMM_WORLD, MPI_STATUS_IGNORE));
            CHECK_MPI(MPI_Irecv(&buf[2], 1, MPI_INT, MPI_ANY_SOURCE,
                                MPI_ANY_TAG, MPI_COMM_WORLD, &r[0]));
            while (!flag) {
                CHECK_MPI(MPI_Test(&r[0], &flag, MPI_STATUS_IGNORE));
            }
            CHECK_EQ(buf[2], 10, "value with Test/STATUS_IGNORE");
            CHECK_MPI(MPI_Sendrecv(&mpt_rank, 1, MPI_INT, 0, 11, &buf[3], 1,
                                   MPI_INT, 0, 11, MPI_COMM_WORLD,
                                   MPI_STATUS_IGNORE));
            CHECK_EQ(buf[3], -mpt_rank, "Sendrecv with STATUS_IGNORE");
        }
    } else {
        int *seen = calloc((size_t)mpt_size * M, sizeof(int));
        int last[256];
        MPI_Status st;
        CHECK(mpt_size <= 256, "too many ranks");
        for (i = 0; i < 256; i++) {
            last[i] = -1;
        }
        total = (mpt_size - 1) * M;
        for (i = 0; i < total; i++) {
            memset(buf, 0xff, sizeof(buf));
            CHECK_MPI(MPI_Recv(buf, 64, MPI_INT, MPI_ANY_SOURCE, MPI_ANY_TAG,
                               MPI_COMM_WORLD, &st));
            int src = st.MPI_SOURCE, k = st.MPI_TAG - 100;
            CHECK(src > 0 && src < mpt_size, "status source %d", src);
            CHECK(k >= 0 && k < M, "status tag %d", st.MPI_TAG);
            CHECK(!seen[src * M + k], "message (%d,%d) received twice", src,
                  k);
            seen[src * M + k] = 1;
            /* Same source, wildcards: must arrive in send order. */
            CHECK(k > last[src], "from %d: message %d after %d", src, k,
                  last[src]);
            last[src] = k;
            CHECK_MPI(MPI_Get_count(&st, MPI_INT, &cnt));
            CHECK_EQ(cnt, 1 + (src * 7 + k) % 60, "count");
            for (j = 0; j < cnt; j++) {
                CHECK_EQ(buf[j], src * 1000 + k * 64 + j, "payload");
            }
        }
        free(seen);
        for (i = 1; i < mpt_size; i++) {
            int v = 77, a = 8, b = 9, c = 10, got;
            CHECK_MPI(MPI_Send(&v, 1, MPI_INT, i, 7, MPI_COMM_WORLD));
            CHECK_MPI(MPI_Send(&b, 1, MPI_INT, i, 9, MPI_COMM_WORLD));
            CHECK_MPI(MPI_Send(&a, 1, MPI_INT, i, 8, MPI_COMM_WORLD));
            CHECK_MPI(MPI_Send(&c, 1, MPI_INT, i, 10, MPI_COMM_WORLD));
            CHECK_MPI(MPI_Recv(&got, 1, MPI_INT, i, 11, MPI_COMM_WORLD,
                               MPI_STATUS_IGNORE));
            CHECK_EQ(got, i, "Sendrecv peer value");
            got = -got;
            CHECK_MPI(MPI_Send(&got, 1, MPI_INT, i, 11, MPI_COMM_WORLD));
        }
    }
    return mpt_finish();
}
