/*
 * amst_policy_test.c — unit checks of AMST's path-signal decisions (amst_pba.c): when a
 * queue counts as standing (lane adaptation stops adding lanes), and when retransmissions
 * count as random loss on the path (the "auto" bulk congestion control moves to BBR) rather
 * than the lanes overflowing the bottleneck queue themselves.
 */
#include <stdio.h>

#include "amst_internal.h"
#include "amst_check.h"

static void standing(void)
{
    /* 100 ms path: the threshold is 10 ms of queueing */
    CHECK(amst_queue_standing(0.030, 0.100), "30 ms on a 100 ms path stands");
    CHECK(!amst_queue_standing(0.009, 0.100), "9 ms on a 100 ms path does not");
    CHECK(!amst_queue_standing(0.0, 0.100), "an empty queue does not");
    /* short paths: at least 2 ms, so that RTT noise alone never stops adaptation */
    CHECK(!amst_queue_standing(0.0015, 0.001), "1.5 ms on a 1 ms path is under the floor");
    CHECK(amst_queue_standing(0.003, 0.001), "3 ms on a 1 ms path stands");
    /* unknown (no lane had data in flight during the window) */
    CHECK(!amst_queue_standing(-1, 0.100), "an unknown queue does not stand");
}

static void random_loss(void)
{
    /* sparse losses with an empty queue: 0.01% loss at 500 Mbit/s gives ~1 per look */
    CHECK(amst_loss_random(1, 10000, 0.001, 0.100), "one loss, empty queue");
    CHECK(amst_loss_random(2, 100, 0.0, 0.100), "2 of 100 segments is sparse (1%% loss)");
    CHECK(!amst_loss_random(2, 2, 0.0, 0.100), "2 of 2: the rest of a loss episode");
    CHECK(!amst_loss_random(1, 1, 0.0, 0.100), "1 of 1: a new lane losing its first segment");
    CHECK(amst_loss_random(3, 1000, 0.002, 0.100), "0.3%% of the segments is sparse");
    /* the lanes overflowing the queue: RTT well above the minimum */
    CHECK(!amst_loss_random(1, 10000, 0.050, 0.100), "loss with 50 ms of queue is overflow");
    CHECK(!amst_loss_random(1, 10000, 0.011, 0.100), "loss with 11 ms of queue is overflow");
    /* slow start overshooting: many losses at once, before the smoothed RTT shows the queue */
    CHECK(!amst_loss_random(500, 2000, 0.001, 0.100), "a burst of losses is overflow");
    CHECK(!amst_loss_random(3, 100, 0.001, 0.100), "3 of 100 segments is a burst");
    /* nothing to go on */
    CHECK(!amst_loss_random(0, 1000, 0.001, 0.100), "no loss");
    CHECK(!amst_loss_random(1, 1000, -1, 0.100), "no RTT measured yet");
}

int main(void)
{
    standing();
    random_loss();
    if (fails) {
        fprintf(stderr, "amst_policy_test: %d check(s) failed\n", fails);
        return 1;
    }
    printf("amst_policy_test: all checks passed\n");
    return 0;
}
