/*
 * MPI_Init / MPI_Finalize internals: parameters, bootstrap, sites, transports, predefined
 * objects.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <unistd.h>

#include "dwcp.h"
#include "p2p.h"

dwcp_global_t dwcp_g;
int dwcp_mt;
pthread_mutex_t dwcp_big_lock;
__thread int dwcp_lock_depth;

void dwcp_lock_yield(void)
{
    int d = dwcp_lock_depth, i;
    if (!dwcp_mt || d == 0) {
        return;
    }
    for (i = 0; i < d; i++) {
        pthread_mutex_unlock(&dwcp_big_lock);
    }
    dwcp_lock_depth = 0;
    sched_yield();
    for (i = 0; i < d; i++) {
        pthread_mutex_lock(&dwcp_big_lock);
    }
    dwcp_lock_depth = d;
}

static const dwcs_param_t mpi_params[] = {
    {"transport", DWCS_PARAM_ENUM, "auto",
     "Transport between ranks of different processes: auto (UCX within a site, AMST between "
     "sites), ucx, amst, or tcp1 (one plain TCP stream, the benchmark baseline)",
     DWCS_PARAM_LEVEL_USER, "auto,ucx,amst,tcp1", offsetof(dwcp_config_t, transport)},
    {"log_level", DWCS_PARAM_INT, "1", "Verbosity: 0 errors, 1 warnings, 2 info, 3 debug, 4 trace",
     DWCS_PARAM_LEVEL_USER, NULL, offsetof(dwcp_config_t, log_level)},
    {"finalize_timeout", DWCS_PARAM_TIME, "60s",
     "How long MPI_Finalize waits for outstanding sends before giving up",
     DWCS_PARAM_LEVEL_TUNER, NULL, offsetof(dwcp_config_t, finalize_timeout)},
    {"thread_level", DWCS_PARAM_ENUM, "multiple",
     "Highest thread support level MPI_Init_thread offers (multiple: calls from any thread, "
     "serialised inside the library by one lock)", DWCS_PARAM_LEVEL_TUNER,
     "single,funneled,serialized,multiple", offsetof(dwcp_config_t, thread_level)},
    {"site", DWCS_PARAM_STRING, "", "Name of this rank's site (normally set by dwcprun)",
     DWCS_PARAM_LEVEL_USER, NULL, offsetof(dwcp_config_t, site)},
    {"coll_site_aware", DWCS_PARAM_BOOL, "yes",
     "Collectives on communicators spanning several sites run in two levels (one WAN "
     "crossing); 'no' uses the flat algorithms everywhere",
     DWCS_PARAM_LEVEL_TUNER, NULL, offsetof(dwcp_config_t, coll_site_aware)},
    {"idle_spin", DWCS_PARAM_INT, "5000",
     "Idle progress passes a blocking call spins before it starts sleeping between passes "
     "(waits that long are WAN waits; sleeping leaves the cores to other ranks and to wanem)",
     DWCS_PARAM_LEVEL_TUNER, NULL, offsetof(dwcp_config_t, idle_spin)},
    {"idle_sleep", DWCS_PARAM_TIME, "20us",
     "Sleep between idle progress passes after idle_spin of them (0 = never sleep)",
     DWCS_PARAM_LEVEL_TUNER, NULL, offsetof(dwcp_config_t, idle_sleep)},
    {"max_iov", DWCS_PARAM_INT, "16",
     "Non-contiguous sends of at most this many pieces are sent without packing",
     DWCS_PARAM_LEVEL_TUNER, NULL, offsetof(dwcp_config_t, max_iov)},
};

dwcs_param_table_t dwcp_mpi_param_table = {"mpi", mpi_params,
                                           sizeof(mpi_params) / sizeof(mpi_params[0]), NULL};

void dwcp_params_register_all(void)
{
    extern dwcs_param_table_t dwct_ucx_param_table, dwct_amst_param_table;
    dwcs_params_register(&dwct_amst_param_table);
    dwcs_params_register(&dwct_ucx_param_table);
    dwcs_params_register(&dwcp_mpi_param_table);
}

/* Publish our site and host (read back by read_locality after the fence). */
static dwcs_status_t exchange_locality(void)
{
    size_t n = (size_t)dwcp_g.size;
    const char *site = dwcp_g.cfg.site && dwcp_g.cfg.site[0] ? dwcp_g.cfg.site : "local";
    dwcp_g.site_of = calloc(n, sizeof(int));
    dwcp_g.node_of = calloc(n, sizeof(int));
    dwcp_g.site_names = calloc(n, sizeof(char *));
    if (!dwcp_g.site_of || !dwcp_g.node_of || !dwcp_g.site_names) {
        return DWCS_ERR_NO_MEMORY;
    }
    dwcs_status_t st = dwcp_bootstrap_kv.publish(NULL, "dwcp.site", site, strlen(site) + 1);
    if (st == DWCS_OK) {
        st = dwcp_bootstrap_kv.publish(NULL, "dwcp.host", dwcp_g.hostname,
                                       strlen(dwcp_g.hostname) + 1);
    }
    return st;
}

static dwcs_status_t read_locality(void)
{
    int n = dwcp_g.size, i, j, nnodes = 0;
    char **hosts = calloc((size_t)n, sizeof(char *));
    dwcs_status_t st = hosts ? DWCS_OK : DWCS_ERR_NO_MEMORY;
    for (i = 0; i < n && st == DWCS_OK; i++) {
        void *v;
        size_t len;
        st = dwcp_bootstrap_kv.lookup(NULL, i, "dwcp.site", &v, &len);
        if (st != DWCS_OK) {
            break;
        }
        for (j = 0; j < dwcp_g.nsites; j++) {
            if (strcmp(dwcp_g.site_names[j], v) == 0) {
                break;
            }
        }
        if (j == dwcp_g.nsites) {
            dwcp_g.site_names[dwcp_g.nsites++] = v;
        } else {
            free(v);
        }
        dwcp_g.site_of[i] = j;
        st = dwcp_bootstrap_kv.lookup(NULL, i, "dwcp.host", &v, &len);
        if (st != DWCS_OK) {
            break;
        }
        hosts[i] = v;
        for (j = 0; j < i; j++) {
            if (strcmp(hosts[j], v) == 0) {
                break;
            }
        }
        dwcp_g.node_of[i] = j < i ? dwcp_g.node_of[j] : nnodes++;
    }
    for (i = 0; hosts && i < n; i++) {
        free(hosts[i]);
    }
    free(hosts);
    return st;
}

static dwcs_status_t init_transports(void)
{
    dwct_init_params_t p;
    dwcs_status_t st;
    int need_amst = dwcp_g.cfg.transport == DWCP_TRANSPORT_AMST ||
                       dwcp_g.cfg.transport == DWCP_TRANSPORT_TCP1 ||
                       (dwcp_g.cfg.transport == DWCP_TRANSPORT_AUTO && dwcp_g.cfg.site &&
                        dwcp_g.cfg.site[0]);
    int need_ucx = dwcp_g.size > 1 && dwcp_g.cfg.transport != DWCP_TRANSPORT_AMST &&
                   dwcp_g.cfg.transport != DWCP_TRANSPORT_TCP1;
    memset(&p, 0, sizeof(p));
    p.rank = dwcp_g.rank;
    p.size = dwcp_g.size;
    p.bootstrap = &dwcp_bootstrap_kv;
    p.rx_cb = dwcp_p2p_rx;
    p.threaded = dwcp_g.thread_level >= MPI_THREAD_SERIALIZED;
    st = dwct_self_ops.init(&p, &dwcp_g.iface_self);
    if (st != DWCS_OK) {
        return st;
    }
    if (need_ucx) {
        st = dwct_ucx_ops.init(&p, &dwcp_g.iface_ucx);
        if (st != DWCS_OK) {
            DWCS_ERROR("cannot start the UCX transport: %s", dwcs_status_string(st));
            return st;
        }
    }
    if (need_amst && dwcp_g.size > 1) {
        p.variant = dwcp_g.cfg.transport == DWCP_TRANSPORT_TCP1 ? "tcp1" : NULL;
        st = dwct_amst_ops.init(&p, &dwcp_g.iface_amst);
        if (st != DWCS_OK) {
            DWCS_ERROR("cannot start the AMST transport: %s", dwcs_status_string(st));
            return st;
        }
    }
    dwcp_g.peers = calloc((size_t)dwcp_g.size, sizeof(dwcp_peer_t));
    dwcp_p2p.ooo = calloc((size_t)dwcp_g.size, sizeof(dwcp_ooo_t));
    if (dwcp_g.peers == NULL || dwcp_p2p.ooo == NULL) {
        return DWCS_ERR_NO_MEMORY;
    }
    return DWCS_OK;
}

/* After the fence: choose each peer's transport by distance. */
static void select_transports(void)
{
    int i, me = dwcp_g.rank;
    for (i = 0; i < dwcp_g.size; i++) {
        dwcp_peer_t *p = &dwcp_g.peers[i];
        if (i == me) {
            p->ops = &dwct_self_ops;
            p->iface = dwcp_g.iface_self;
        } else if (dwcp_g.iface_amst != NULL &&
                   (dwcp_g.iface_ucx == NULL || dwcp_g.site_of[i] != dwcp_g.site_of[me])) {
            p->ops = &dwct_amst_ops;
            p->iface = dwcp_g.iface_amst;
        } else {
            p->ops = &dwct_ucx_ops;
            p->iface = dwcp_g.iface_ucx;
        }
    }
}

dwcs_status_t dwcp_init(int required, int *provided)
{
    char err[512];
    dwcs_status_t st;
    if (gethostname(dwcp_g.hostname, sizeof(dwcp_g.hostname) - 1) != 0) {
        snprintf(dwcp_g.hostname, sizeof(dwcp_g.hostname), "localhost");
    }
    dwcp_params_register_all();
    st = dwcs_params_load(&dwcp_mpi_param_table, &dwcp_g.cfg, err, sizeof(err));
    if (st != DWCS_OK) {
        fprintf(stderr, "DWCP-MPI: MPI_Init: %s\n", err);
        return st;
    }
    dwcs_log_set_level(dwcp_g.cfg.log_level);
    dwcp_g.main_thread = pthread_self();
    int offered = dwcp_g.cfg.thread_level; /* 0 single .. 3 multiple */
    dwcp_g.thread_level = required < offered ? required : offered;
    if (dwcp_g.thread_level < MPI_THREAD_SINGLE) {
        dwcp_g.thread_level = MPI_THREAD_SINGLE;
    }
    *provided = dwcp_g.thread_level;
    if (dwcp_g.thread_level == MPI_THREAD_MULTIPLE) {
        pthread_mutexattr_t a;
        pthread_mutexattr_init(&a);
        pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
        pthread_mutex_init(&dwcp_big_lock, &a);
        pthread_mutexattr_destroy(&a);
        dwcp_mt = 1;
    }

    st = dwcp_bootstrap_init();
    if (st != DWCS_OK) {
        return st;
    }
    char prefix[MPI_MAX_PROCESSOR_NAME + 32];
    snprintf(prefix, sizeof(prefix), "rank %d on %s", dwcp_g.rank, dwcp_g.hostname);
    dwcs_log_set_prefix(prefix);

    if ((st = dwcp_errors_init()) != DWCS_OK || (st = dwcp_info_init()) != DWCS_OK ||
        (st = dwcp_attr_init()) != DWCS_OK || (st = dwcp_dt_init()) != DWCS_OK) {
        return st;
    }
    dwcp_htab_init(&dwcp_g.reqs, DWCP_KIND_REQUEST, 1);
    dwcp_htab_init(&dwcp_g.msgs, DWCP_KIND_MESSAGE, 2);
    dwcp_htab_init(&dwcp_g.wins, DWCP_KIND_WIN, 1);
    if ((st = exchange_locality()) != DWCS_OK || (st = init_transports()) != DWCS_OK) {
        return st;
    }
    if ((st = dwcp_bootstrap_fence()) != DWCS_OK || (st = read_locality()) != DWCS_OK) {
        return st;
    }
    select_transports();
    {
        int i, local = 0;
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        for (i = 0; i < dwcp_g.size; i++) {
            local += dwcp_g.node_of[i] == dwcp_g.node_of[dwcp_g.rank];
        }
        dwcp_g.oversubscribed = cores > 0 && local > cores;
    }
    st = dwcp_comm_init_predefined();
    if (st != DWCS_OK) {
        return st;
    }
    if ((st = dwcp_p2p_init()) != DWCS_OK) {
        return st;
    }
    dwcp_g.initialized = 1;
    return DWCS_OK;
}

dwcs_status_t dwcp_finalize(void)
{
    int i;
    dwcs_status_t st = dwcp_p2p_finalize();
    /* Everything we sent must have left before peers tear down: flush, then fence. */
    if (dwcp_g.iface_ucx) {
        dwct_ucx_ops.flush(dwcp_g.iface_ucx, dwcp_g.cfg.finalize_timeout);
    }
    if (dwcp_g.iface_amst) {
        dwct_amst_ops.flush(dwcp_g.iface_amst, dwcp_g.cfg.finalize_timeout);
    }
    dwcp_bootstrap_fence_progress();
    dwcp_p2p_finalize_end();
    dwct_amst_ops.finalize(dwcp_g.iface_amst);
    dwct_ucx_ops.finalize(dwcp_g.iface_ucx);
    dwct_self_ops.finalize(dwcp_g.iface_self);
    dwcp_g.iface_amst = dwcp_g.iface_ucx = dwcp_g.iface_self = NULL;
    dwcp_comm_finalize();
    dwcp_dt_finalize();
    dwcp_attr_finalize();
    dwcp_info_finalize();
    dwcp_errors_finalize();
    dwcp_htab_fini(&dwcp_g.reqs);
    dwcp_htab_fini(&dwcp_g.msgs);
    dwcp_htab_fini(&dwcp_g.wins);
    for (i = 0; i < dwcp_g.nsites; i++) {
        free(dwcp_g.site_names[i]);
    }
    free(dwcp_g.site_names);
    free(dwcp_g.site_of);
    free(dwcp_g.node_of);
    free(dwcp_g.peers);
    dwcp_g.site_names = NULL;
    dwcp_g.site_of = dwcp_g.node_of = NULL;
    dwcp_g.peers = NULL;
    dwcs_params_release(&dwcp_mpi_param_table, &dwcp_g.cfg);
    dwcp_bootstrap_finalize();
    dwcp_g.finalized = 1;
    return st;
}
