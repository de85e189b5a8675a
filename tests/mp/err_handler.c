/*
 * err_handler: default handler of COMM_WORLD is MPI_ERRORS_ARE_FATAL;
 * user error handlers (MPI_Comm_create_errhandler, _set_, _get_) are
 * called with the communicator and the error code of a failing call, the
 * call then returns that code; MPI_Comm_call_errhandler passes the given
 * code; MPI_Errhandler_free leaves the attached handler working;
 * MPI_Error_string is non-empty for every predefined class and
 * MPI_Error_class(c) == c for them; MPI_Add_error_class/_code/_string
 * create usable codes (MPI_LASTUSEDCODE updated); with 2+ ranks, a
 * truncation found in MPI_Wait goes to the user handler. Any ranks.
 */
#include "mptest.h"

static int h_calls;
static int h_code;
static MPI_Comm h_comm;

static void handler(MPI_Comm *comm, int *code, ...)
{
    h_calls++;
    h_code = *code;
    h_comm = *comm;
}

int main(int argc, char **argv)
{
    MPI_Errhandler eh, got;
    int buf = 0, rc, cls, i, len, newcls, newcode, newcode2, *lastp, flag;
    char str[MPI_MAX_ERROR_STRING];

    mpt_init(&argc, &argv, 1);

    CHECK_MPI(MPI_Comm_get_errhandler(MPI_COMM_WORLD, &got));
    CHECK(got == MPI_ERRORS_ARE_FATAL,
          "default COMM_WORLD handler is not MPI_ERRORS_ARE_FATAL");
    CHECK_MPI(MPI_Errhandler_free(&got));

    /* Predefined classes: Error_class identity, non-empty strings. */
    CHECK(MPI_SUCCESS == 0, "MPI_SUCCESS = %d", MPI_SUCCESS);
    CHECK(MPI_ERR_LASTCODE > MPI_ERR_WIN, "MPI_ERR_LASTCODE %d too small",
          MPI_ERR_LASTCODE);
    {
        int classes[] = {MPI_SUCCESS, MPI_ERR_BUFFER, MPI_ERR_COUNT,
                         MPI_ERR_TYPE, MPI_ERR_TAG, MPI_ERR_COMM,
                         MPI_ERR_RANK, MPI_ERR_REQUEST, MPI_ERR_ROOT,
                         MPI_ERR_GROUP, MPI_ERR_OP, MPI_ERR_TOPOLOGY,
                         MPI_ERR_DIMS, MPI_ERR_ARG, MPI_ERR_UNKNOWN,
                         MPI_ERR_TRUNCATE, MPI_ERR_OTHER, MPI_ERR_INTERN,
                         MPI_ERR_IN_STATUS, MPI_ERR_PENDING, MPI_ERR_INFO,
                         MPI_ERR_INFO_KEY, MPI_ERR_INFO_NOKEY,
                         MPI_ERR_INFO_VALUE, MPI_ERR_NO_MEM, MPI_ERR_WIN,
                         MPI_ERR_RMA_SYNC, MPI_ERR_SPAWN, MPI_ERR_FILE};
        int n = (int)(sizeof(classes) / sizeof(classes[0])), j;
        for (i = 0; i < n; i++) {
            CHECK(classes[i] >= 0 && classes[i] <= MPI_ERR_LASTCODE,
                  "class #%d = %d outside [0, MPI_ERR_LASTCODE]", i,
                  classes[i]);
            for (j = 0; j < i; j++) {
                CHECK(classes[i] != classes[j], "classes #%d and #%d equal",
                      i, j);
            }
            CHECK_MPI(MPI_Error_class(classes[i], &cls));
            CHECK_EQ(cls, classes[i], "MPI_Error_class of a class");
            str[0] = '\0';
            len = -1;
            CHECK_MPI(MPI_Error_string(classes[i], str, &len));
            CHECK(len > 0 && len < MPI_MAX_ERROR_STRING &&
                      (int)strlen(str) == len,
                  "Error_string(%d): len %d, strlen %zu", classes[i], len,
                  strlen(str));
        }
    }

    /* A user handler. */
    CHECK_MPI(MPI_Comm_create_errhandler(handler, &eh));
    CHECK_MPI(MPI_Comm_set_errhandler(MPI_COMM_WORLD, eh));
    CHECK_MPI(MPI_Comm_get_errhandler(MPI_COMM_WORLD, &got));
    CHECK(got == eh, "Comm_get_errhandler does not give the set handler");
    CHECK_MPI(MPI_Errhandler_free(&got));
    CHECK_MPI(MPI_Errhandler_free(&eh));
    CHECK(eh == MPI_ERRHANDLER_NULL, "Errhandler_free did not set NULL");

    h_calls = 0;
    rc = MPI_Send(&buf, 1, MPI_INT, mpt_size + 1, 0, MPI_COMM_WORLD);
    CHECK_EQ(h_calls, 1, "handler calls after invalid-rank send");
    CHECK(rc != MPI_SUCCESS, "invalid-rank send returned success");
    CHECK_EQ(h_code, rc, "code passed to handler vs code returned");
    MPI_Error_class(h_code, &cls);
    CHECK_EQ(cls, MPI_ERR_RANK, "class of code passed to handler");
    CHECK(h_comm == MPI_COMM_WORLD, "handler got another communicator");

    h_calls = 0;
    CHECK_MPI(MPI_Comm_call_errhandler(MPI_COMM_WORLD, MPI_ERR_OTHER));
    CHECK_EQ(h_calls, 1, "handler calls after Comm_call_errhandler");
    CHECK_EQ(h_code, MPI_ERR_OTHER, "code from Comm_call_errhandler");

    /* COMM_SELF keeps its own handler: make it return, no user call. */
    CHECK_MPI(MPI_Comm_set_errhandler(MPI_COMM_SELF, MPI_ERRORS_RETURN));
    h_calls = 0;
    rc = MPI_Comm_call_errhandler(MPI_COMM_SELF, MPI_ERR_ARG);
    CHECK_EQ(h_calls, 0, "WORLD handler called for an error on SELF");
    CHECK(rc == MPI_ERR_ARG || rc == MPI_SUCCESS,
          "Comm_call_errhandler on ERRORS_RETURN comm returned %d", rc);
    rc = MPI_Send(&buf, 1, MPI_INT, 5, 0, MPI_COMM_SELF);
    MPI_Error_class(rc, &cls);
    CHECK_EQ(cls, MPI_ERR_RANK, "send to rank 5 on COMM_SELF");
    CHECK_EQ(h_calls, 0, "WORLD handler called for an error on SELF");

    /* User-defined classes, codes, strings. */
    CHECK_MPI(MPI_Add_error_class(&newcls));
    CHECK(newcls > MPI_ERR_LASTCODE, "new class %d <= MPI_ERR_LASTCODE",
          newcls);
    CHECK_MPI(MPI_Add_error_code(newcls, &newcode));
    CHECK_MPI(MPI_Add_error_code(newcls, &newcode2));
    CHECK(newcode != newcode2 && newcode != newcls && newcode2 != newcls,
          "codes not distinct: class %d codes %d %d", newcls, newcode,
          newcode2);
    CHECK_MPI(MPI_Error_class(newcode, &cls));
    CHECK_EQ(cls, newcls, "class of added code");
    CHECK_MPI(MPI_Add_error_string(newcode, "dwcp test error string"));
    CHECK_MPI(MPI_Error_string(newcode, str, &len));
    CHECK(strcmp(str, "dwcp test error string") == 0,
          "string of added code: '%s'", str);
    CHECK_EQ(len, strlen("dwcp test error string"), "length of string");
    CHECK_MPI(MPI_Add_error_string(newcls, "dwcp class string"));
    CHECK_MPI(MPI_Error_string(newcls, str, &len));
    CHECK(strcmp(str, "dwcp class string") == 0,
          "string of added class: '%s'", str);
    CHECK_MPI(MPI_Comm_get_attr(MPI_COMM_WORLD, MPI_LASTUSEDCODE, &lastp,
                                &flag));
    CHECK_EQ(flag, 1, "MPI_LASTUSEDCODE present");
    CHECK(*lastp >= newcode && *lastp >= newcode2 && *lastp >= newcls,
          "MPI_LASTUSEDCODE %d below new codes %d %d", *lastp, newcode,
          newcode2);
    h_calls = 0;
    rc = MPI_Comm_call_errhandler(MPI_COMM_WORLD, newcode2);
    CHECK_EQ(h_calls, 1, "handler calls for user code");
    CHECK_EQ(h_code, newcode2, "user code passed to handler");

    /* An error found at completion (truncation in MPI_Wait) also goes
     * through the user handler. */
    if (mpt_size >= 2 && mpt_rank < 2) {
        int ten[10] = {0}, five[5];
        MPI_Request rq;
        if (mpt_rank == 0) {
            CHECK_MPI(MPI_Send(ten, 10, MPI_INT, 1, 77, MPI_COMM_WORLD));
        } else {
            CHECK_MPI(MPI_Irecv(five, 5, MPI_INT, 0, 77, MPI_COMM_WORLD,
                                &rq));
            h_calls = 0;
            rc = MPI_Wait(&rq, MPI_STATUS_IGNORE);
            CHECK_EQ(h_calls, 1, "handler calls for truncation in Wait");
            MPI_Error_class(h_code, &cls);
            CHECK_EQ(cls, MPI_ERR_TRUNCATE, "class passed for truncation");
            MPI_Error_class(rc, &cls);
            CHECK_EQ(cls, MPI_ERR_TRUNCATE, "class returned by Wait");
        }
    }

    CHECK_MPI(MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_ARE_FATAL));
    return mpt_finish();
}
