/*
 * env_mem: MPI_Alloc_mem / MPI_Free_mem for several sizes (including 0
 * and 64 MiB), memory is writable and usable as a send/receive buffer.
 */
#include "mptest.h"

int main(int argc, char **argv)
{
    static const MPI_Aint sizes[] = {1, 7, 4096, 65537, 1 << 20, 64 << 20};
    size_t i;
    void *p = NULL;

    mpt_init(&argc, &argv, 1);
    for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        p = NULL;
        CHECK_MPI(MPI_Alloc_mem(sizes[i], MPI_INFO_NULL, &p));
        CHECK(p != NULL, "MPI_Alloc_mem(%ld) gave NULL", (long)sizes[i]);
        mpt_fill(p, (size_t)sizes[i], (unsigned)i);
        CHECK(mpt_verify(p, (size_t)sizes[i], (unsigned)i) < 0,
              "memory from MPI_Alloc_mem(%ld) did not keep its contents",
              (long)sizes[i]);
        CHECK_MPI(MPI_Free_mem(p));
    }
    /* Zero-size allocation must succeed (pointer may be anything). */
    CHECK_MPI(MPI_Alloc_mem(0, MPI_INFO_NULL, &p));
    CHECK_MPI(MPI_Free_mem(p));

    /* Use MPI memory as communication buffers. */
    if (mpt_size >= 2 && mpt_rank < 2) {
        MPI_Aint n = 1 << 20;
        unsigned char *b;
        MPI_Info info;
        CHECK_MPI(MPI_Info_create(&info));
        CHECK_MPI(MPI_Alloc_mem(n, info, &b));
        CHECK_MPI(MPI_Info_free(&info));
        if (mpt_rank == 0) {
            mpt_fill(b, (size_t)n, 77);
            CHECK_MPI(MPI_Send(b, (int)n, MPI_BYTE, 1, 1, MPI_COMM_WORLD));
        } else {
            memset(b, 0, (size_t)n);
            CHECK_MPI(MPI_Recv(b, (int)n, MPI_BYTE, 0, 1, MPI_COMM_WORLD,
                               MPI_STATUS_IGNORE));
            long long bad = mpt_verify(b, (size_t)n, 77);
            CHECK(bad < 0, "byte %lld of message in Alloc_mem buffer wrong",
                  bad);
        }
        CHECK_MPI(MPI_Free_mem(b));
    }
    return mpt_finish();
}
