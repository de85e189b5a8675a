/*
 * netns.h - network namespaces, TUN devices and /etc/netns hosts files
 * for wanem.
 *
 * Namespaces are created the way `ip netns add` creates them (a bind mount
 * of the namespace on /run/netns/NAME), so `ip netns exec NAME cmd` works
 * on them and applies /etc/netns/NAME/hosts.
 */
#ifndef DWCL_NETNS_H
#define DWCL_NETNS_H

#include <stddef.h>
#include <stdint.h>

/** Directory holding named network namespaces. */
#define DWCL_NETNS_RUN_DIR "/run/netns"
/** Directory holding per-namespace /etc overrides. */
#define DWCL_NETNS_ETC_DIR "/etc/netns"
/** Name of the TUN device inside every site namespace. */
#define DWCL_NETNS_IFNAME "wan0"

/** How to set up the TUN device of one site. */
typedef struct dwcl_tun_cfg {
    const char *ifname; /**< device name, e.g. DWCL_NETNS_IFNAME */
    int vnet_hdr;       /**< 1: IFF_VNET_HDR + checksum/TSO offloads */
    int mtu;            /**< device MTU */
    uint32_t addr;      /**< IPv4 address, host byte order */
    int prefix_len;     /**< netmask length, e.g. 24 */
    int txqueuelen;     /**< device transmit queue, packets (0: keep) */
} dwcl_tun_cfg_t;

/**
 * Create a new named network namespace NAME and, inside it, bring up
 * loopback and a configured TUN device. The calling thread returns to its
 * original namespace.
 * @param name    namespace name (file name under /run/netns)
 * @param cfg     TUN configuration
 * @param tun_fd  receives the open, non-blocking TUN file descriptor
 * @param err     receives a message on failure
 * @param errlen  size of err
 * @return 0 on success; -1 on failure (a namespace that was created is
 *         deleted again before returning)
 */
int dwcl_netns_create_with_tun(const char *name, const dwcl_tun_cfg_t *cfg, int *tun_fd,
                               char *err, size_t errlen);

/**
 * Delete the named namespace NAME (unmount and unlink /run/netns/NAME).
 * @return 0 on success or if it did not exist, -1 on failure (errno set)
 */
int dwcl_netns_delete(const char *name);

/**
 * Send a signal to every process living in the named namespace NAME (as
 * `ip netns pids` finds them: /proc/PID/ns/net is the same namespace).
 * @return number of processes signalled (0 if none or no such namespace)
 */
int dwcl_netns_signal_pids(const char *name, int sig);

/**
 * Stop the processes in namespace NAME: SIGTERM, then SIGKILL to those
 * still there after grace_ms milliseconds.
 * @return number of processes that had to be killed with SIGKILL
 */
int dwcl_netns_stop_pids(const char *name, int grace_ms);

/**
 * Write /etc/netns/NAME/hosts: a copy of /etc/hosts followed by the given
 * lines (each "ADDR NAME..." without newline).
 * @return 0 on success, -1 with a message in err
 */
int dwcl_netns_write_hosts(const char *name, const char *const *lines, int nlines, char *err,
                           size_t errlen);

/** Remove /etc/netns/NAME/hosts and the directory if empty. */
void dwcl_netns_remove_hosts(const char *name);

/**
 * Remove every namespace /run/netns/PREFIX-* and /etc/netns/PREFIX-*.
 * @param prefix   the prefix (without the '-')
 * @param verbose  print each removal on stderr
 * @return number of namespaces removed, or -1 if one could not be removed
 */
int dwcl_netns_cleanup_prefix(const char *prefix, int verbose);

/**
 * Whether this process has CAP_NET_ADMIN and CAP_SYS_ADMIN (needed to
 * create namespaces and devices).
 */
int dwcl_netns_have_caps(void);

#endif /* DWCL_NETNS_H */
