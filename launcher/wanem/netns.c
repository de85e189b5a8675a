/*
 * netns.c - network namespaces, TUN devices and hosts files (see netns.h).
 */
#define _GNU_SOURCE
#include "netns.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define ERR(...) snprintf(err, errlen, __VA_ARGS__)

/* Make /run/netns a shared mount point, as `ip netns add` does, so that
 * namespaces mounted there are seen from other mount namespaces. */
static int prepare_run_dir(char *err, size_t errlen)
{
    if (mkdir(DWCL_NETNS_RUN_DIR, 0755) != 0 && errno != EEXIST) {
        ERR("mkdir %s: %m", DWCL_NETNS_RUN_DIR);
        return -1;
    }
    if (mount("", DWCL_NETNS_RUN_DIR, "none", MS_SHARED | MS_REC, NULL) == 0) {
        return 0;
    }
    if (errno != EINVAL) {
        ERR("mount --make-rshared %s: %m", DWCL_NETNS_RUN_DIR);
        return -1;
    }
    if (mount(DWCL_NETNS_RUN_DIR, DWCL_NETNS_RUN_DIR, "none", MS_BIND | MS_REC, NULL) != 0) {
        ERR("mount --bind %s: %m", DWCL_NETNS_RUN_DIR);
        return -1;
    }
    if (mount("", DWCL_NETNS_RUN_DIR, "none", MS_SHARED | MS_REC, NULL) != 0) {
        ERR("mount --make-rshared %s: %m", DWCL_NETNS_RUN_DIR);
        return -1;
    }
    return 0;
}

static int if_ioctl(int sock, unsigned long req, struct ifreq *ifr, const char *what,
                    char *err, size_t errlen)
{
    if (ioctl(sock, req, ifr) != 0) {
        ERR("%s on %s: %m", what, ifr->ifr_name);
        return -1;
    }
    return 0;
}

static int set_up(int sock, const char *ifname, char *err, size_t errlen)
{
    struct ifreq ifr;

    memset(&ifr, 0, sizeof(ifr));
    snprintf(ifr.ifr_name, IFNAMSIZ, "%s", ifname);
    if (if_ioctl(sock, SIOCGIFFLAGS, &ifr, "SIOCGIFFLAGS", err, errlen) != 0) {
        return -1;
    }
    ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
    return if_ioctl(sock, SIOCSIFFLAGS, &ifr, "SIOCSIFFLAGS (up)", err, errlen);
}

static void write_sysctl(const char *path, const char *val)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);

    if (fd >= 0) {
        if (write(fd, val, strlen(val)) < 0) {
            /* best effort */
        }
        close(fd);
    }
}

/* Runs inside the new namespace: open and configure the TUN device. */
static int setup_inside(const dwcl_tun_cfg_t *cfg, int *tun_fd, char *err, size_t errlen)
{
    struct ifreq ifr;
    struct sockaddr_in *sin;
    char path[128];
    int fd, sock = -1;

    fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        ERR("open /dev/net/tun: %m");
        return -1;
    }
    memset(&ifr, 0, sizeof(ifr));
    snprintf(ifr.ifr_name, IFNAMSIZ, "%s", cfg->ifname);
    ifr.ifr_flags = IFF_TUN | IFF_NO_PI | (cfg->vnet_hdr ? IFF_VNET_HDR : 0);
    if (ioctl(fd, TUNSETIFF, &ifr) != 0) {
        ERR("TUNSETIFF %s: %m", cfg->ifname);
        goto fail;
    }
    if (cfg->vnet_hdr) {
        unsigned off = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6;
        int hdrsz = 10; /* struct virtio_net_hdr */
        if (ioctl(fd, TUNSETVNETHDRSZ, &hdrsz) != 0) {
            ERR("TUNSETVNETHDRSZ: %m");
            goto fail;
        }
        if (ioctl(fd, TUNSETOFFLOAD, off) != 0) {
            ERR("TUNSETOFFLOAD(CSUM|TSO4|TSO6): %m");
            goto fail;
        }
    }
    sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (sock < 0) {
        ERR("socket: %m");
        goto fail;
    }
    if (set_up(sock, "lo", err, errlen) != 0) {
        goto fail;
    }
    snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6", cfg->ifname);
    write_sysctl(path, "1");
    /* Sites behave like WAN-tuned hosts: a connection idle for one RTO keeps its congestion
     * window (otherwise every message after a pause restarts slow start from 10 segments). */
    write_sysctl("/proc/sys/net/ipv4/tcp_slow_start_after_idle", "0");
    memset(&ifr, 0, sizeof(ifr));
    snprintf(ifr.ifr_name, IFNAMSIZ, "%s", cfg->ifname);
    ifr.ifr_mtu = cfg->mtu;
    if (if_ioctl(sock, SIOCSIFMTU, &ifr, "SIOCSIFMTU", err, errlen) != 0) {
        goto fail;
    }
    if (cfg->txqueuelen > 0) {
        ifr.ifr_qlen = cfg->txqueuelen;
        if (if_ioctl(sock, SIOCSIFTXQLEN, &ifr, "SIOCSIFTXQLEN", err, errlen) != 0) {
            goto fail;
        }
    }
    memset(&ifr.ifr_addr, 0, sizeof(ifr.ifr_addr));
    sin = (struct sockaddr_in *)&ifr.ifr_addr;
    sin->sin_family = AF_INET;
    sin->sin_addr.s_addr = htonl(cfg->addr);
    if (if_ioctl(sock, SIOCSIFADDR, &ifr, "SIOCSIFADDR", err, errlen) != 0) {
        goto fail;
    }
    sin->sin_addr.s_addr = htonl(cfg->prefix_len ? ~0u << (32 - cfg->prefix_len) : 0);
    if (if_ioctl(sock, SIOCSIFNETMASK, &ifr, "SIOCSIFNETMASK", err, errlen) != 0) {
        goto fail;
    }
    if (set_up(sock, cfg->ifname, err, errlen) != 0) {
        goto fail;
    }
    close(sock);
    *tun_fd = fd;
    return 0;
fail:
    if (sock >= 0) {
        close(sock);
    }
    close(fd);
    return -1;
}

int dwcl_netns_create_with_tun(const char *name, const dwcl_tun_cfg_t *cfg, int *tun_fd,
                               char *err, size_t errlen)
{
    char path[PATH_MAX];
    int orig, fd, rc = -1, created = 0;

    if (prepare_run_dir(err, errlen) != 0) {
        return -1;
    }
    snprintf(path, sizeof(path), "%s/%s", DWCL_NETNS_RUN_DIR, name);
    orig = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    if (orig < 0) {
        ERR("open /proc/thread-self/ns/net: %m");
        return -1;
    }
    fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
    if (fd < 0) {
        ERR("create %s: %m%s", path,
            errno == EEXIST ? " (namespace exists: another run with this prefix? "
                              "try wanem --cleanup PREFIX)" : "");
        close(orig);
        return -1;
    }
    close(fd);
    created = 1;
    if (unshare(CLONE_NEWNET) != 0) {
        ERR("unshare(CLONE_NEWNET): %m");
        goto out;
    }
    if (mount("/proc/thread-self/ns/net", path, "none", MS_BIND, NULL) != 0) {
        ERR("bind mount of the new namespace on %s: %m", path);
        goto back;
    }
    rc = setup_inside(cfg, tun_fd, err, errlen);
back:
    if (setns(orig, CLONE_NEWNET) != 0) {
        /* cannot happen with CAP_SYS_ADMIN; staying in the wrong namespace
         * would be worse than stopping */
        fprintf(stderr, "wanem: fatal: setns back to the root namespace: %m\n");
        abort();
    }
out:
    close(orig);
    if (rc != 0 && created) {
        dwcl_netns_delete(name);
    }
    return rc;
}

int dwcl_netns_delete(const char *name)
{
    char path[PATH_MAX];

    snprintf(path, sizeof(path), "%s/%s", DWCL_NETNS_RUN_DIR, name);
    if (umount2(path, MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT) {
        return -1;
    }
    if (unlink(path) != 0 && errno != ENOENT) {
        return -1;
    }
    return 0;
}

int dwcl_netns_signal_pids(const char *name, int sig)
{
    char path[PATH_MAX];
    struct stat ns, st;
    struct dirent *e;
    DIR *d;
    int n = 0;

    snprintf(path, sizeof(path), "%s/%s", DWCL_NETNS_RUN_DIR, name);
    if (stat(path, &ns) != 0) {
        return 0;
    }
    d = opendir("/proc");
    if (d == NULL) {
        return 0;
    }
    while ((e = readdir(d)) != NULL) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        if (*end != '\0' || pid <= 1 || pid == (long)getpid()) {
            continue;
        }
        snprintf(path, sizeof(path), "/proc/%ld/ns/net", pid);
        if (stat(path, &st) == 0 && st.st_ino == ns.st_ino && st.st_dev == ns.st_dev) {
            if (kill((pid_t)pid, sig) == 0) {
                n++;
            }
        }
    }
    closedir(d);
    return n;
}

int dwcl_netns_stop_pids(const char *name, int grace_ms)
{
    if (dwcl_netns_signal_pids(name, SIGTERM) == 0) {
        return 0;
    }
    for (int waited = 0; waited < grace_ms; waited += 20) {
        struct timespec ts = {0, 20 * 1000000L};
        nanosleep(&ts, NULL);
        if (dwcl_netns_signal_pids(name, 0) == 0) {
            return 0;
        }
    }
    return dwcl_netns_signal_pids(name, SIGKILL);
}

int dwcl_netns_write_hosts(const char *name, const char *const *lines, int nlines, char *err,
                           size_t errlen)
{
    char dir[PATH_MAX], path[PATH_MAX + 16], buf[4096];
    FILE *in, *out;
    size_t n;

    if (mkdir(DWCL_NETNS_ETC_DIR, 0755) != 0 && errno != EEXIST) {
        ERR("mkdir %s: %m", DWCL_NETNS_ETC_DIR);
        return -1;
    }
    snprintf(dir, sizeof(dir), "%s/%s", DWCL_NETNS_ETC_DIR, name);
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        ERR("mkdir %s: %m", dir);
        return -1;
    }
    snprintf(path, sizeof(path), "%s/hosts", dir);
    out = fopen(path, "w");
    if (out == NULL) {
        ERR("create %s: %m", path);
        rmdir(dir);
        return -1;
    }
    in = fopen("/etc/hosts", "r");
    if (in != NULL) {
        while ((n = fread(buf, 1, sizeof(buf), in)) > 0) {
            fwrite(buf, 1, n, out);
        }
        fclose(in);
    } else {
        fputs("127.0.0.1\tlocalhost\n", out);
    }
    fputs("\n# added by wanem: sites of this emulation\n", out);
    for (int i = 0; i < nlines; i++) {
        fprintf(out, "%s\n", lines[i]);
    }
    if (fclose(out) != 0) {
        ERR("write %s: %m", path);
        unlink(path);
        rmdir(dir);
        return -1;
    }
    return 0;
}

void dwcl_netns_remove_hosts(const char *name)
{
    char dir[PATH_MAX], path[PATH_MAX + 16];

    snprintf(dir, sizeof(dir), "%s/%s", DWCL_NETNS_ETC_DIR, name);
    snprintf(path, sizeof(path), "%s/hosts", dir);
    unlink(path);
    rmdir(dir);
}

static int matches(const char *entry, const char *prefix)
{
    size_t n = strlen(prefix);

    return strncmp(entry, prefix, n) == 0 && entry[n] == '-' && entry[n + 1] != '\0';
}

int dwcl_netns_cleanup_prefix(const char *prefix, int verbose)
{
    DIR *d;
    struct dirent *e;
    int removed = 0, failed = 0, n;

    d = opendir(DWCL_NETNS_RUN_DIR);
    if (d != NULL) {
        while ((e = readdir(d)) != NULL) {
            if (!matches(e->d_name, prefix)) {
                continue;
            }
            n = dwcl_netns_stop_pids(e->d_name, 1000);
            if (n > 0) {
                fprintf(stderr, "wanem: killed %d process(es) left in %s\n", n, e->d_name);
            }
            if (dwcl_netns_delete(e->d_name) != 0) {
                fprintf(stderr, "wanem: cannot remove namespace %s: %m\n", e->d_name);
                failed = 1;
            } else {
                removed++;
                if (verbose) {
                    fprintf(stderr, "wanem: removed namespace %s\n", e->d_name);
                }
            }
        }
        closedir(d);
    }
    d = opendir(DWCL_NETNS_ETC_DIR);
    if (d != NULL) {
        while ((e = readdir(d)) != NULL) {
            if (matches(e->d_name, prefix)) {
                dwcl_netns_remove_hosts(e->d_name);
                if (verbose) {
                    fprintf(stderr, "wanem: removed %s/%s\n", DWCL_NETNS_ETC_DIR, e->d_name);
                }
            }
        }
        closedir(d);
    }
    return failed ? -1 : removed;
}

int dwcl_netns_have_caps(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    unsigned long long eff = 0;
    int found = 0;

    if (f == NULL) {
        return geteuid() == 0;
    }
    while (fgets(line, sizeof(line), f) != NULL) {
        if (sscanf(line, "CapEff: %llx", &eff) == 1) {
            found = 1;
            break;
        }
    }
    fclose(f);
    if (!found) {
        return geteuid() == 0;
    }
    /* CAP_NET_ADMIN = 12, CAP_SYS_ADMIN = 21 */
    return (eff & (1ull << 12)) && (eff & (1ull << 21));
}
