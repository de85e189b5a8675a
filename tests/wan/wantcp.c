/*
 * wantcp.c - multi-stream TCP throughput probe for the wanem tests.
 *
 *   wantcp recv [-p PORT] [-n STREAMS] [-t SECONDS] [-k SKIP]
 *   wantcp send HOST [-p PORT] [-n STREAMS] [-t SECONDS] [-C CC]
 *
 * The sender opens STREAMS connections and writes as fast as it can for
 * SECONDS. The receiver accepts STREAMS connections, reads until all close
 * (or SECONDS + 15 s), and prints
 *   goodput_mbit=X total_mbit=Y bytes=B streams=N
 * where X counts from SKIP seconds after the first byte to the last byte
 * (leaving out slow start) and Y covers the whole transfer.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_STREAMS 256
#define CHUNK (256 * 1024)

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int do_recv(int port, int n, double seconds, double skip)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    struct pollfd p[MAX_STREAMS];
    static char buf[CHUNK];
    uint64_t limit = now_ns() + (uint64_t)((seconds + 15) * 1e9);
    uint64_t first = 0, last = 0, skip_at = 0, bytes = 0, bytes_at_skip = 0;
    int ls = socket(AF_INET, SOCK_STREAM, 0), one = 1, open_n = 0;

    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (ls < 0 || bind(ls, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(ls, n) != 0) {
        fprintf(stderr, "wantcp: listen on port %d: %m\n", port);
        return 1;
    }
    for (int i = 0; i < n; i++) {
        struct pollfd lp = {.fd = ls, .events = POLLIN};
        if (poll(&lp, 1, 20000) <= 0) {
            fprintf(stderr, "wantcp: only %d of %d streams connected\n", i, n);
            return 1;
        }
        p[i].fd = accept(ls, NULL, NULL);
        p[i].events = POLLIN;
        if (p[i].fd < 0) {
            fprintf(stderr, "wantcp: accept: %m\n");
            return 1;
        }
        open_n++;
    }
    close(ls);
    while (open_n > 0 && now_ns() < limit) {
        if (poll(p, (nfds_t)n, 200) <= 0) {
            continue;
        }
        for (int i = 0; i < n; i++) {
            ssize_t r;
            if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR))) {
                continue;
            }
            r = read(p[i].fd, buf, sizeof(buf));
            if (r <= 0) {
                close(p[i].fd);
                p[i].fd = -1;
                open_n--;
                continue;
            }
            last = now_ns();
            if (first == 0) {
                first = last;
                skip_at = first + (uint64_t)(skip * 1e9);
            }
            bytes += (uint64_t)r;
            if (bytes_at_skip == 0 && last >= skip_at) {
                /* data already received but not yet read belongs before
                 * the window: count it as if it had been read now */
                bytes_at_skip = bytes;
                for (int j = 0; j < n; j++) {
                    int q = 0;
                    if (p[j].fd >= 0 && ioctl(p[j].fd, FIONREAD, &q) == 0 && q > 0) {
                        bytes_at_skip += (uint64_t)q;
                    }
                }
                skip_at = last;
            }
        }
    }
    if (bytes == 0 || last <= first) {
        printf("goodput_mbit=0 total_mbit=0 bytes=0 streams=%d\n", n);
        return 1;
    }
    printf("goodput_mbit=%.1f total_mbit=%.1f bytes=%llu streams=%d\n",
           (bytes_at_skip && last > skip_at)
               ? (double)(bytes - bytes_at_skip) * 8e3 / (double)(last - skip_at) : 0.0,
           (double)bytes * 8e3 / (double)(last - first), (unsigned long long)bytes, n);
    return 0;
}

static int do_send(const char *host, int port, int n, double seconds, const char *cc)
{
    struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *ai;
    struct pollfd p[MAX_STREAMS];
    static char buf[CHUNK];
    char portstr[16];
    uint64_t end;

    snprintf(portstr, sizeof(portstr), "%d", port);
    if (getaddrinfo(host, portstr, &hints, &ai) != 0) {
        fprintf(stderr, "wantcp: cannot resolve %s\n", host);
        return 1;
    }
    memset(buf, 0xa5, sizeof(buf));
    for (int i = 0; i < n; i++) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0) {
            fprintf(stderr, "wantcp: socket: %m\n");
            return 1;
        }
        if (cc != NULL && setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, cc, strlen(cc)) != 0) {
            fprintf(stderr, "wantcp: TCP_CONGESTION %s: %m\n", cc);
            return 1;
        }
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
            fprintf(stderr, "wantcp: connect to %s:%d: %m\n", host, port);
            return 1;
        }
        fcntl(fd, F_SETFL, O_NONBLOCK);
        p[i].fd = fd;
        p[i].events = POLLOUT;
    }
    freeaddrinfo(ai);
    end = now_ns() + (uint64_t)(seconds * 1e9);
    while (now_ns() < end) {
        if (poll(p, (nfds_t)n, 100) <= 0) {
            continue;
        }
        for (int i = 0; i < n; i++) {
            if (p[i].revents & POLLOUT) {
                if (write(p[i].fd, buf, sizeof(buf)) < 0 && errno != EAGAIN) {
                    fprintf(stderr, "wantcp: write: %m\n");
                    return 1;
                }
            }
        }
    }
    for (int i = 0; i < n; i++) {
        struct linger lg = {1, 0};
        /* abortive close: do not wait for the queued data to drain */
        setsockopt(p[i].fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
        close(p[i].fd);
    }
    return 0;
}

int main(int argc, char **argv)
{
    int port = 7008, n = 1, opt;
    double seconds = 5, skip = 2;
    const char *mode = argc > 1 ? argv[1] : "", *host = NULL, *cc = NULL;

    if (strcmp(mode, "send") == 0 && argc > 2) {
        host = argv[2];
        optind = 3;
    } else if (strcmp(mode, "recv") == 0) {
        optind = 2;
    } else {
        fprintf(stderr, "usage: wantcp recv [-p PORT] [-n STREAMS] [-t SECONDS] [-k SKIP]\n"
                        "       wantcp send HOST [-p PORT] [-n STREAMS] [-t SECONDS] [-C CC]\n");
        return 2;
    }
    while ((opt = getopt(argc, argv, "p:n:t:k:C:")) != -1) {
        switch (opt) {
        case 'p': port = atoi(optarg); break;
        case 'n': n = atoi(optarg); break;
        case 't': seconds = atof(optarg); break;
        case 'k': skip = atof(optarg); break;
        case 'C': cc = optarg; break;
        default: return 2;
        }
    }
    if (n < 1 || n > MAX_STREAMS || !(seconds > 0)) {
        fprintf(stderr, "wantcp: streams must be 1..%d, seconds > 0\n", MAX_STREAMS);
        return 2;
    }
    return host ? do_send(host, port, n, seconds, cc) : do_recv(port, n, seconds, skip);
}
