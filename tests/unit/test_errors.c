/* Unit tests: status → MPI error class mapping, error classes/strings, user error codes. */
#include <criterion/criterion.h>
#include <string.h>

#include "mpi.h"
#include "dwcp.h"

Test(errors, status_to_class)
{
    cr_expect_eq(dwcp_status_to_class(DWCS_OK), MPI_SUCCESS);
    cr_expect_eq(dwcp_status_to_class(DWCS_ERR_NO_MEMORY), MPI_ERR_NO_MEM);
    cr_expect_eq(dwcp_status_to_class(DWCS_ERR_TRUNCATE), MPI_ERR_TRUNCATE);
    cr_expect_eq(dwcp_status_to_class(DWCS_ERR_UNSUPPORTED), MPI_ERR_UNSUPPORTED_OPERATION);
    cr_expect_eq(dwcp_status_to_class(DWCS_ERR_CONN_RESET), DWCP_ERR_LINK);
    cr_expect_eq(dwcp_status_to_class(DWCS_ERR_PEER_FAILED), DWCP_ERR_LINK);
    cr_expect_eq(dwcp_status_to_class(DWCS_ERR_PROTOCOL), MPI_ERR_OTHER);
    cr_expect(dwcs_status_is_link(DWCS_ERR_AUTH));
    cr_expect(!dwcs_status_is_link(DWCS_ERR_TIMEOUT));
    cr_expect_str_neq(dwcs_status_string(DWCS_ERR_CONN_RESET), "unknown error");
}

Test(errors, classes_and_strings)
{
    char s[MPI_MAX_ERROR_STRING];
    int len, cls;
    cr_assert_eq(MPI_Init(NULL, NULL), MPI_SUCCESS);
    for (int c = MPI_SUCCESS; c <= MPI_ERR_RMA_FLAVOR; c++) {
        cr_expect_eq(MPI_Error_class(c, &cls), MPI_SUCCESS);
        cr_expect_eq(cls, c);
        cr_expect_eq(MPI_Error_string(c, s, &len), MPI_SUCCESS);
        cr_expect(len > 0 && (int)strlen(s) == len);
    }
    cr_expect_eq(strncmp(s, "MPI_ERR_RMA_FLAVOR", 18), 0, "got %s", s);
    cr_expect_str_eq(dwcp_error_class_name(MPI_ERR_RANK), "MPI_ERR_RANK");

    int myclass, mycode;
    cr_assert_eq(MPI_Add_error_class(&myclass), MPI_SUCCESS);
    cr_assert_eq(MPI_Add_error_code(myclass, &mycode), MPI_SUCCESS);
    cr_expect_neq(myclass, mycode);
    cr_expect_eq(MPI_Add_error_string(mycode, "the flux capacitor failed"), MPI_SUCCESS);
    cr_expect_eq(MPI_Error_class(mycode, &cls), MPI_SUCCESS);
    cr_expect_eq(cls, myclass);
    cr_expect_eq(MPI_Error_string(mycode, s, &len), MPI_SUCCESS);
    cr_expect_str_eq(s, "the flux capacitor failed");
    int *last, flag;
    cr_expect_eq(MPI_Comm_get_attr(MPI_COMM_WORLD, MPI_LASTUSEDCODE, &last, &flag), MPI_SUCCESS);
    cr_expect(flag && *last >= mycode);
    cr_expect_eq(MPI_Finalize(), MPI_SUCCESS);
}

static int handler_calls, handler_code;
static void my_handler(MPI_Comm *comm, int *code, ...)
{
    (void)comm;
    handler_calls++;
    handler_code = *code;
}

Test(errors, errors_return_and_user_handler)
{
    int buf = 0;
    cr_assert_eq(MPI_Init(NULL, NULL), MPI_SUCCESS);
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    cr_expect_eq(MPI_Send(&buf, 1, MPI_INT, 5, 0, MPI_COMM_WORLD), MPI_ERR_RANK);
    cr_expect_eq(MPI_Send(&buf, 1, MPI_INT, 0, -4, MPI_COMM_WORLD), MPI_ERR_TAG);
    cr_expect_eq(MPI_Send(&buf, -1, MPI_INT, 0, 0, MPI_COMM_WORLD), MPI_ERR_COUNT);
    cr_expect_eq(MPI_Send(&buf, 1, MPI_DATATYPE_NULL, 0, 0, MPI_COMM_WORLD), MPI_ERR_TYPE);
    cr_expect_eq(MPI_Send(&buf, 1, MPI_INT, 0, 0, MPI_COMM_NULL), MPI_ERR_COMM);
    cr_expect_eq(MPI_Send(&buf, 1, MPI_INT, 0, 0, 12345), MPI_ERR_COMM);
    cr_expect_eq(MPI_Recv(&buf, 1, MPI_INT, 3, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE), MPI_ERR_RANK);
    MPI_Request rq = 777;
    int flag;
    cr_expect_eq(MPI_Test(&rq, &flag, MPI_STATUS_IGNORE), MPI_ERR_REQUEST);

    MPI_Errhandler eh;
    cr_assert_eq(MPI_Comm_create_errhandler(my_handler, &eh), MPI_SUCCESS);
    cr_assert_eq(MPI_Comm_set_errhandler(MPI_COMM_WORLD, eh), MPI_SUCCESS);
    cr_expect_eq(MPI_Send(&buf, 1, MPI_INT, 9, 0, MPI_COMM_WORLD), MPI_ERR_RANK);
    cr_expect_eq(handler_calls, 1);
    cr_expect_eq(handler_code, MPI_ERR_RANK);
    MPI_Comm_call_errhandler(MPI_COMM_WORLD, MPI_ERR_OTHER);
    cr_expect_eq(handler_calls, 2);
    cr_expect_eq(handler_code, MPI_ERR_OTHER);
    cr_expect_eq(MPI_Errhandler_free(&eh), MPI_SUCCESS);
    cr_expect_eq(eh, MPI_ERRHANDLER_NULL);
    cr_expect_eq(MPI_Finalize(), MPI_SUCCESS);
}
