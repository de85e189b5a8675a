/*
 * env_thread: MPI_Init_thread with the level named by argv[1] (single,
 * funneled, serialized, multiple; default single), MPI_Query_thread
 * returns the provided level, provided is a valid level, levels are
 * ordered, MPI_Is_thread_main true on the main thread (and false on
 * another thread when the level allows calling MPI from it).
 * MPT_EXPECT_THREAD_LEVEL=<name> makes the provided level exact.
 */
#include "mptest.h"
#include <pthread.h>

static int other_flag = -1;

/* Thread level from its name (single, funneled, serialized, multiple). */
static int level_of(const char *name)
{
    if (strcmp(name, "single") == 0) {
        return MPI_THREAD_SINGLE;
    } else if (strcmp(name, "funneled") == 0) {
        return MPI_THREAD_FUNNELED;
    } else if (strcmp(name, "serialized") == 0) {
        return MPI_THREAD_SERIALIZED;
    } else if (strcmp(name, "multiple") == 0) {
        return MPI_THREAD_MULTIPLE;
    }
    fprintf(stderr, "unknown thread level '%s'\n", name);
    exit(2);
}

static void *other_thread(void *arg)
{
    (void)arg;
    MPI_Is_thread_main(&other_flag);
    return NULL;
}

int main(int argc, char **argv)
{
    int req = MPI_THREAD_SINGLE, prov = -1, q = -1, flag = -1;
    const char *lvl = argc > 1 ? argv[1] : "single";

    req = level_of(lvl);
    CHECK(MPI_THREAD_SINGLE < MPI_THREAD_FUNNELED &&
              MPI_THREAD_FUNNELED < MPI_THREAD_SERIALIZED &&
              MPI_THREAD_SERIALIZED < MPI_THREAD_MULTIPLE,
          "thread level constants not ordered: %d %d %d %d",
          MPI_THREAD_SINGLE, MPI_THREAD_FUNNELED, MPI_THREAD_SERIALIZED,
          MPI_THREAD_MULTIPLE);

    CHECK_MPI(MPI_Init_thread(&argc, &argv, req, &prov));
    mpt_setup();
    CHECK(prov == MPI_THREAD_SINGLE || prov == MPI_THREAD_FUNNELED ||
              prov == MPI_THREAD_SERIALIZED || prov == MPI_THREAD_MULTIPLE,
          "provided level %d is not a thread level", prov);
    /* A library may give less than asked for, but SINGLE is always there. */
    if (req == MPI_THREAD_SINGLE) {
        CHECK(prov >= MPI_THREAD_SINGLE, "provided %d", prov);
    }
    if (getenv("MPT_EXPECT_THREAD_LEVEL") != NULL) {
        CHECK_EQ(prov, level_of(getenv("MPT_EXPECT_THREAD_LEVEL")),
                 "provided thread level vs MPT_EXPECT_THREAD_LEVEL");
    }
    CHECK_MPI(MPI_Query_thread(&q));
    CHECK_EQ(q, prov, "MPI_Query_thread vs provided");
    CHECK_MPI(MPI_Is_thread_main(&flag));
    CHECK_EQ(flag, 1, "MPI_Is_thread_main on main thread");

    if (prov >= MPI_THREAD_SERIALIZED) {
        pthread_t t;
        CHECK(pthread_create(&t, NULL, other_thread, NULL) == 0,
              "pthread_create failed");
        pthread_join(t, NULL);
        CHECK_EQ(other_flag, 0, "MPI_Is_thread_main on another thread");
    }

    if (prov == MPI_THREAD_MULTIPLE && mpt_size >= 2 && mpt_rank < 2) {
        /* Simple sanity: send from the main thread after the helper ran. */
        int v = mpt_rank == 0 ? 4242 : -1;
        if (mpt_rank == 0) {
            CHECK_MPI(MPI_Send(&v, 1, MPI_INT, 1, 3, MPI_COMM_WORLD));
        } else {
            CHECK_MPI(MPI_Recv(&v, 1, MPI_INT, 0, 3, MPI_COMM_WORLD,
                               MPI_STATUS_IGNORE));
            CHECK_EQ(v, 4242, "value received");
        }
    }
    return mpt_finish();
}
