/* MPI-4 sessions: MPI_Session_init without MPI_Init (MPI_Initialized stays false), process
 * sets mpi://WORLD and mpi://SELF (names, lengths, mpi_size, groups), communicators from
 * groups (a reduction over WORLD, a self message over SELF, a split-half group created
 * with string tags), the thread level in MPI_Session_get_info, two sessions at once, and
 * with arg "world" sessions inside MPI_Init ... MPI_Finalize, including one that outlives
 * MPI_Finalize. Any number of ranks. */
#include "mptest.h"

static void use_session(MPI_Session s)
{
    int n, i, len, size, rank, flag;
    char name[MPI_MAX_PSET_NAME_LEN], val[64];
    MPI_Info info;
    MPI_Group wg, sg, half;
    MPI_Comm wc, sc, hc;

    CHECK_MPI(MPI_Session_get_num_psets(s, MPI_INFO_NULL, &n));
    CHECK(n >= 2, "only %d process sets", n);
    int seen = 0;
    for (i = 0; i < n; i++) {
        len = 0;
        CHECK_MPI(MPI_Session_get_nth_pset(s, MPI_INFO_NULL, i, &len, NULL));
        CHECK(len > 1 && len <= (int)sizeof(name), "pset %d length %d", i, len);
        CHECK_MPI(MPI_Session_get_nth_pset(s, MPI_INFO_NULL, i, &len, name));
        CHECK_EQ(len, (int)strlen(name) + 1, "pset name length");
        CHECK_MPI(MPI_Session_get_pset_info(s, name, &info));
        CHECK_MPI(MPI_Info_get(info, "mpi_size", sizeof(val) - 1, val, &flag));
        CHECK(flag, "no mpi_size for %s", name);
        if (strcmp(name, "mpi://WORLD") == 0) {
            seen |= 1;
            CHECK_EQ(atoi(val), mpt_size, "mpi_size of WORLD");
        } else if (strcmp(name, "mpi://SELF") == 0) {
            seen |= 2;
            CHECK_EQ(atoi(val), 1, "mpi_size of SELF");
        }
        CHECK_MPI(MPI_Info_free(&info));
    }
    CHECK_EQ(seen, 3, "WORLD and SELF listed");

    CHECK_MPI(MPI_Group_from_session_pset(s, "mpi://WORLD", &wg));
    CHECK_MPI(MPI_Comm_create_from_group(wg, "org.dwcp.test.world", MPI_INFO_NULL,
                                         MPI_ERRORS_RETURN, &wc));
    CHECK_MPI(MPI_Comm_size(wc, &size));
    CHECK_MPI(MPI_Comm_rank(wc, &rank));
    CHECK_EQ(size, mpt_size, "size of the WORLD communicator");
    int sum = 0;
    CHECK_MPI(MPI_Allreduce(&rank, &sum, 1, MPI_INT, MPI_SUM, wc));
    CHECK_EQ(sum, size * (size - 1) / 2, "allreduce over the WORLD communicator");
    MPI_Errhandler eh;
    CHECK_MPI(MPI_Comm_get_errhandler(wc, &eh));
    CHECK(eh == MPI_ERRORS_RETURN, "error handler of the new communicator not set");
    MPI_Errhandler_free(&eh);

    /* even world ranks, then odd ones, each with its own tag */
    int excl = rank % 2, nh = 0, *r = mpt_malloc(sizeof(int) * (size_t)size);
    for (i = excl; i < size; i += 2) {
        r[nh++] = i;
    }
    CHECK_MPI(MPI_Group_incl(wg, nh, r, &half));
    CHECK_MPI(MPI_Comm_create_from_group(half, excl ? "org.dwcp.test.odd" : "org.dwcp.test.even",
                                         MPI_INFO_NULL, MPI_ERRORS_RETURN, &hc));
    CHECK_MPI(MPI_Comm_size(hc, &n));
    CHECK_EQ(n, nh, "size of the half communicator");
    CHECK_MPI(MPI_Allreduce(&rank, &sum, 1, MPI_INT, MPI_SUM, hc));
    int exp = 0;
    for (i = 0; i < nh; i++) {
        exp += r[i];
    }
    CHECK_EQ(sum, exp, "allreduce over the half communicator");
    free(r);

    CHECK_MPI(MPI_Group_from_session_pset(s, "mpi://self", &sg)); /* case-insensitive */
    CHECK_MPI(MPI_Group_size(sg, &n));
    CHECK_EQ(n, 1, "size of the SELF group");
    CHECK_MPI(MPI_Comm_create_from_group(sg, "org.dwcp.test.self", MPI_INFO_NULL,
                                         MPI_ERRORS_RETURN, &sc));
    int out = 42 + rank, in = -1;
    MPI_Request req;
    CHECK_MPI(MPI_Irecv(&in, 1, MPI_INT, 0, 7, sc, &req));
    CHECK_MPI(MPI_Send(&out, 1, MPI_INT, 0, 7, sc));
    CHECK_MPI(MPI_Wait(&req, MPI_STATUS_IGNORE));
    CHECK_EQ(in, out, "message over the SELF communicator");

    CHECK_MPI(MPI_Comm_free(&sc));
    CHECK_MPI(MPI_Comm_free(&hc));
    CHECK_MPI(MPI_Comm_free(&wc));
    CHECK_MPI(MPI_Group_free(&sg));
    CHECK_MPI(MPI_Group_free(&half));
    CHECK_MPI(MPI_Group_free(&wg));
}

static void check_level(MPI_Session s, const char *exp)
{
    MPI_Info info;
    char v[64];
    int flag;
    CHECK_MPI(MPI_Session_get_info(s, &info));
    CHECK_MPI(MPI_Info_get(info, "thread_level", sizeof(v) - 1, v, &flag));
    CHECK(flag && strcmp(v, exp) == 0, "thread_level '%s', expected '%s'", flag ? v : "", exp);
    CHECK_MPI(MPI_Info_free(&info));
}

int main(int argc, char **argv)
{
    MPI_Session a, b;
    MPI_Info info;
    int flag;
    int world = argc > 1 && strcmp(argv[1], "world") == 0;

    if (world) {
        int provided;
        CHECK_MPI(MPI_Init_thread(&argc, &argv, MPI_THREAD_MULTIPLE, &provided));
        mpt_setup();
    }
    CHECK_MPI(MPI_Info_create(&info));
    CHECK_MPI(MPI_Info_set(info, "thread_level", "MPI_THREAD_MULTIPLE"));
    CHECK_MPI(MPI_Session_init(info, MPI_ERRORS_RETURN, &a));
    CHECK_MPI(MPI_Info_free(&info));
    CHECK(a != MPI_SESSION_NULL, "no session");
    CHECK_MPI(MPI_Initialized(&flag));
    CHECK_EQ(flag, world, "MPI_Initialized with a session");
    if (!world) {
        /* mpt_rank / mpt_size from a session communicator */
        MPI_Group g;
        MPI_Comm c;
        CHECK_MPI(MPI_Group_from_session_pset(a, "mpi://WORLD", &g));
        CHECK_MPI(MPI_Comm_create_from_group(g, "org.dwcp.test.setup", MPI_INFO_NULL,
                                             MPI_ERRORS_ARE_FATAL, &c));
        MPI_Comm_rank(c, &mpt_rank);
        MPI_Comm_size(c, &mpt_size);
        MPI_Comm_free(&c);
        MPI_Group_free(&g);
    }
    check_level(a, "MPI_THREAD_MULTIPLE");
    CHECK_MPI(MPI_Session_init(MPI_INFO_NULL, MPI_ERRORS_RETURN, &b));
    CHECK(a != b, "two sessions share a handle");
    use_session(a);
    use_session(b);
    CHECK_MPI(MPI_Session_finalize(&b));
    CHECK(b == MPI_SESSION_NULL, "session handle not reset");
    if (world) {
        CHECK_MPI(MPI_Finalize());
        CHECK_MPI(MPI_Finalized(&flag));
        CHECK_EQ(flag, 1, "MPI_Finalized after MPI_Finalize");
        use_session(a); /* the session outlives the World Model */
    }
    CHECK_MPI(MPI_Session_finalize(&a));
    CHECK_MPI(MPI_Finalized(&flag));
    CHECK_EQ(flag, world, "MPI_Finalized after the sessions");
    if (mpt_rank == 0) {
        printf("No Errors\n");
    }
    return 0;
}
