/*
 * wanping.c - UDP round-trip time probe for the wanem tests.
 *
 *   wanping server [-p PORT] [-t SECONDS]
 *   wanping client HOST [-p PORT] [-c COUNT] [-i INTERVAL_MS] [-s BYTES] [-w WAIT_MS]
 *
 * The server echoes datagrams until its time limit. The client sends COUNT
 * probes, one every INTERVAL_MS (or right after the previous answer if that
 * is later), and prints
 *   rtt_ms min=.. median=.. mean=.. max=.. sent=N received=N
 * Every wait is bounded: a probe without an answer within WAIT_MS (default
 * 2000) is lost.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

static int server(int port, double seconds)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    uint64_t end = now_ns() + (uint64_t)(seconds * 1e9);
    char buf[65536];
    int fd = socket(AF_INET, SOCK_DGRAM, 0);

    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        fprintf(stderr, "wanping: server socket/bind port %d: %m\n", port);
        return 1;
    }
    while (now_ns() < end) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        struct sockaddr_in from;
        socklen_t fl = sizeof(from);
        ssize_t n;

        if (poll(&p, 1, 100) <= 0) {
            continue;
        }
        n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
        if (n > 0) {
            sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&from, fl);
        }
    }
    close(fd);
    return 0;
}

static int client(const char *host, int port, int count, double interval_ms, int size,
                  double wait_ms)
{
    struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_DGRAM}, *ai;
    char portstr[16], buf[65536];
    double *rtt = calloc((size_t)count, sizeof(double)), sum = 0;
    uint64_t start;
    int fd, got = 0;

    if (rtt == NULL || size < 16 || size > 60000) {
        fprintf(stderr, "wanping: bad size or out of memory\n");
        return 1;
    }
    snprintf(portstr, sizeof(portstr), "%d", port);
    if (getaddrinfo(host, portstr, &hints, &ai) != 0) {
        fprintf(stderr, "wanping: cannot resolve %s\n", host);
        return 1;
    }
    fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        fprintf(stderr, "wanping: socket/connect: %m\n");
        return 1;
    }
    freeaddrinfo(ai);
    memset(buf, 0x5a, sizeof(buf));
    start = now_ns();
    for (int seq = 0; seq < count; seq++) {
        uint64_t t0 = now_ns(), deadline = t0 + (uint64_t)(wait_ms * 1e6);
        uint32_t s = (uint32_t)seq;

        memcpy(buf, &s, 4);
        memcpy(buf + 4, &t0, 8);
        if (send(fd, buf, (size_t)size, 0) < 0) {
            fprintf(stderr, "wanping: send: %m\n");
        }
        for (;;) {
            uint64_t t = now_ns();
            struct pollfd p = {.fd = fd, .events = POLLIN};
            char rb[65536];
            uint32_t rs;
            uint64_t rt;

            if (t >= deadline || poll(&p, 1, (int)((deadline - t) / 1000000 + 1)) <= 0) {
                break;
            }
            if (recv(fd, rb, sizeof(rb), 0) < 12) {
                continue;
            }
            memcpy(&rs, rb, 4);
            memcpy(&rt, rb + 4, 8);
            if (rs == s && rt == t0) {
                rtt[got++] = (double)(now_ns() - t0) / 1e6;
                break;
            }
        }
        /* probes start every interval_ms (or right after the previous
         * answer, if that took longer) */
        if (interval_ms > 0 && seq + 1 < count) {
            uint64_t next = start + (uint64_t)((double)(seq + 1) * interval_ms * 1e6);
            uint64_t t = now_ns();
            if (next > t) {
                usleep((useconds_t)((next - t) / 1000));
            } else {
                start += t - next; /* keep the spacing after a slow answer */
            }
        }
    }
    close(fd);
    if (got == 0) {
        printf("rtt_ms min=nan median=nan mean=nan max=nan sent=%d received=0\n", count);
        free(rtt);
        return 1;
    }
    qsort(rtt, (size_t)got, sizeof(double), cmp_double);
    for (int i = 0; i < got; i++) {
        sum += rtt[i];
    }
    printf("rtt_ms min=%.3f median=%.3f mean=%.3f max=%.3f sent=%d received=%d\n", rtt[0],
           got % 2 ? rtt[got / 2] : (rtt[got / 2 - 1] + rtt[got / 2]) / 2, sum / got,
           rtt[got - 1], count, got);
    free(rtt);
    return 0;
}

int main(int argc, char **argv)
{
    int port = 7007, count = 20, size = 64, opt;
    double seconds = 30, interval = 100, wait_ms = 2000;
    const char *mode = argc > 1 ? argv[1] : "", *host = NULL;

    if (strcmp(mode, "client") == 0 && argc > 2) {
        host = argv[2];
        optind = 3;
    } else if (strcmp(mode, "server") == 0) {
        optind = 2;
    } else {
        fprintf(stderr, "usage: wanping server [-p PORT] [-t SECONDS]\n"
                        "       wanping client HOST [-p PORT] [-c COUNT] [-i MS] [-s BYTES]"
                        " [-w MS]\n");
        return 2;
    }
    while ((opt = getopt(argc, argv, "p:t:c:i:s:w:")) != -1) {
        switch (opt) {
        case 'p': port = atoi(optarg); break;
        case 't': seconds = atof(optarg); break;
        case 'c': count = atoi(optarg); break;
        case 'i': interval = atof(optarg); break;
        case 's': size = atoi(optarg); break;
        case 'w': wait_ms = atof(optarg); break;
        default: return 2;
        }
    }
    if (count < 1 || port < 1 || port > 65535) {
        fprintf(stderr, "wanping: bad count or port\n");
        return 2;
    }
    return host ? client(host, port, count, interval, size, wait_ms) : server(port, seconds);
}
