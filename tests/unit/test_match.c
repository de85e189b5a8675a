/*
 * Unit tests of the matching engine, run as a singleton (one rank talking to itself through
 * the self transport), plus direct injection of out-of-order frames into the reorder stage.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "mpi.h"
#include "dwcp.h"

static void setup(void)
{
    unsetenv("PMIX_NAMESPACE");
    cr_assert_eq(MPI_Init(NULL, NULL), MPI_SUCCESS);
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
}

static void teardown(void)
{
    MPI_Finalize();
}

TestSuite(match, .init = setup, .fini = teardown);

Test(match, non_overtaking_same_tag)
{
    int a = 1, b = 2, x = 0, y = 0;
    MPI_Request r[2];
    MPI_Isend(&a, 1, MPI_INT, 0, 7, MPI_COMM_WORLD, &r[0]);
    MPI_Isend(&b, 1, MPI_INT, 0, 7, MPI_COMM_WORLD, &r[1]);
    MPI_Recv(&x, 1, MPI_INT, MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    MPI_Recv(&y, 1, MPI_INT, 0, 7, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    MPI_Waitall(2, r, MPI_STATUSES_IGNORE);
    cr_expect_eq(x, 1);
    cr_expect_eq(y, 2);
}

Test(match, first_posted_receive_wins)
{
    int v = 42, r1 = 0, r2 = 0, flag;
    MPI_Request q[2];
    MPI_Status st;
    MPI_Irecv(&r1, 1, MPI_INT, MPI_ANY_SOURCE, 5, MPI_COMM_WORLD, &q[0]);
    MPI_Irecv(&r2, 1, MPI_INT, 0, MPI_ANY_TAG, MPI_COMM_WORLD, &q[1]);
    MPI_Send(&v, 1, MPI_INT, 0, 5, MPI_COMM_WORLD);
    MPI_Wait(&q[0], &st);
    cr_expect_eq(r1, 42);
    cr_expect_eq(st.MPI_SOURCE, 0);
    cr_expect_eq(st.MPI_TAG, 5);
    MPI_Test(&q[1], &flag, MPI_STATUS_IGNORE);
    cr_expect_eq(flag, 0, "second receive must still be pending");
    v = 43;
    MPI_Send(&v, 1, MPI_INT, 0, 99, MPI_COMM_WORLD);
    MPI_Wait(&q[1], &st);
    cr_expect_eq(r2, 43);
    cr_expect_eq(st.MPI_TAG, 99);
}

Test(match, unexpected_queue_by_tag_then_wildcard)
{
    int a = 3, b = 4, x = 0;
    MPI_Status st;
    MPI_Send(&a, 1, MPI_INT, 0, 3, MPI_COMM_WORLD);
    MPI_Send(&b, 1, MPI_INT, 0, 4, MPI_COMM_WORLD);
    MPI_Recv(&x, 1, MPI_INT, 0, 4, MPI_COMM_WORLD, &st);
    cr_expect_eq(x, 4);
    MPI_Recv(&x, 1, MPI_INT, MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &st);
    cr_expect_eq(x, 3);
    cr_expect_eq(st.MPI_TAG, 3);
}

Test(match, contexts_do_not_mix)
{
    int a = 1, b = 2, x = 0;
    MPI_Send(&a, 1, MPI_INT, 0, 1, MPI_COMM_WORLD);
    MPI_Send(&b, 1, MPI_INT, 0, 1, MPI_COMM_SELF);
    MPI_Recv(&x, 1, MPI_INT, 0, 1, MPI_COMM_SELF, MPI_STATUS_IGNORE);
    cr_expect_eq(x, 2);
    MPI_Recv(&x, 1, MPI_INT, 0, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    cr_expect_eq(x, 1);
}

Test(match, truncation_is_reported)
{
    int out[8] = {1, 2, 3, 4, 5, 6, 7, 8}, in[4] = {0};
    MPI_Status st;
    int count;
    MPI_Send(out, 8, MPI_INT, 0, 0, MPI_COMM_WORLD);
    int rc = MPI_Recv(in, 4, MPI_INT, 0, 0, MPI_COMM_WORLD, &st);
    cr_expect_eq(rc, MPI_ERR_TRUNCATE);
    cr_expect_eq(in[3], 4);
    MPI_Get_count(&st, MPI_INT, &count);
    cr_expect_eq(count, 4);
}

Test(match, cancel_posted_receive)
{
    int x;
    MPI_Request r;
    MPI_Status st;
    int flag;
    MPI_Irecv(&x, 1, MPI_INT, 0, 11, MPI_COMM_WORLD, &r);
    MPI_Cancel(&r);
    MPI_Wait(&r, &st);
    MPI_Test_cancelled(&st, &flag);
    cr_expect(flag);
    cr_expect_eq(r, MPI_REQUEST_NULL);
    /* the cancelled receive must not steal a later message */
    int v = 9, y = 0;
    MPI_Send(&v, 1, MPI_INT, 0, 11, MPI_COMM_WORLD);
    MPI_Recv(&y, 1, MPI_INT, 0, 11, MPI_COMM_WORLD, &st);
    cr_expect_eq(y, 9);
}

Test(match, probe_and_matched_probe)
{
    double d[3] = {1.5, 2.5, 3.5}, e[3] = {0};
    int flag, count;
    MPI_Status st;
    MPI_Message msg;
    MPI_Iprobe(0, 2, MPI_COMM_WORLD, &flag, &st);
    cr_expect_eq(flag, 0);
    MPI_Send(d, 3, MPI_DOUBLE, 0, 2, MPI_COMM_WORLD);
    MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st);
    cr_expect_eq(flag, 1);
    MPI_Get_count(&st, MPI_DOUBLE, &count);
    cr_expect_eq(count, 3);
    MPI_Mprobe(0, 2, MPI_COMM_WORLD, &msg, &st);
    MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st);
    cr_expect_eq(flag, 0, "a matched-probed message is no longer visible to probes");
    MPI_Mrecv(e, 3, MPI_DOUBLE, &msg, &st);
    cr_expect_eq(msg, MPI_MESSAGE_NULL);
    cr_expect_float_eq(e[2], 3.5, 0);
    MPI_Improbe(MPI_PROC_NULL, 0, MPI_COMM_WORLD, &flag, &msg, &st);
    cr_expect_eq(msg, MPI_MESSAGE_NO_PROC);
    cr_expect_eq(st.MPI_SOURCE, MPI_PROC_NULL);
}

Test(match, persistent_requests_restart)
{
    int s = 0, r = 0, i;
    MPI_Request q[2];
    MPI_Send_init(&s, 1, MPI_INT, 0, 1, MPI_COMM_WORLD, &q[0]);
    MPI_Recv_init(&r, 1, MPI_INT, 0, 1, MPI_COMM_WORLD, &q[1]);
    for (i = 0; i < 50; i++) {
        s = i * 3;
        MPI_Startall(2, q);
        MPI_Waitall(2, q, MPI_STATUSES_IGNORE);
        cr_expect_eq(r, i * 3);
        cr_expect_neq(q[0], MPI_REQUEST_NULL, "persistent handles survive completion");
    }
    MPI_Request_free(&q[0]);
    MPI_Request_free(&q[1]);
    cr_expect_eq(q[0], MPI_REQUEST_NULL);
}

/* Frames that reach the engine out of sequence must be matched in sequence order. */
Test(match, reorders_by_sequence_number)
{
    int a = 100, b = 200, x = 0, y = 0;
    dwct_hdr_t h;
    memset(&h, 0, sizeof(h));
    h.type = DWCT_MSG_P2P;
    h.src = 0;
    h.ctx = 0;
    h.crank = 0;
    h.tag = 1;
    h.len = sizeof(int);
    uint64_t base = dwcp_g.peers[0].send_seq;
    dwcp_g.peers[0].send_seq += 2; /* reserve two sequence numbers */
    dwct_rx_t rx1 = {&b, sizeof(int), NULL}, rx0 = {&a, sizeof(int), NULL};
    h.seq = base + 1;
    cr_expect_eq(dwcp_p2p_rx(NULL, &h, &rx1), DWCT_RX_DONE);
    int flag;
    MPI_Iprobe(0, 1, MPI_COMM_WORLD, &flag, MPI_STATUS_IGNORE);
    cr_expect_eq(flag, 0, "a frame ahead of its sequence must wait");
    h.seq = base;
    dwcp_p2p_rx(NULL, &h, &rx0);
    MPI_Recv(&x, 1, MPI_INT, 0, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    MPI_Recv(&y, 1, MPI_INT, 0, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    cr_expect_eq(x, 100);
    cr_expect_eq(y, 200);
    /* a duplicate is dropped */
    h.seq = base;
    dwcp_p2p_rx(NULL, &h, &rx0);
    MPI_Iprobe(0, 1, MPI_COMM_WORLD, &flag, MPI_STATUS_IGNORE);
    cr_expect_eq(flag, 0);
}

Test(match, buffered_send_and_detach)
{
    char buf[1024];
    void *back;
    int size, v = 5, x = 0;
    MPI_Buffer_attach(buf, sizeof(buf));
    cr_expect_eq(MPI_Bsend(&v, 1, MPI_INT, 0, 3, MPI_COMM_WORLD), MPI_SUCCESS);
    char big[2048];
    cr_expect_eq(MPI_Bsend(big, 2048, MPI_CHAR, 0, 3, MPI_COMM_WORLD), MPI_ERR_BUFFER);
    MPI_Recv(&x, 1, MPI_INT, 0, 3, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    cr_expect_eq(x, 5);
    MPI_Buffer_detach(&back, &size);
    cr_expect_eq(back, buf);
    cr_expect_eq(size, 1024);
}
