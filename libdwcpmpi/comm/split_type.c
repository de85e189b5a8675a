/*
 * Hardware-resource colors for MPI_Comm_split_type (MPI-4.0 7.4.2): MPI_COMM_TYPE_HW_GUIDED
 * with the info key "mpi_hw_resource_type", and MPI_COMM_TYPE_HW_UNGUIDED.
 *
 * A process belongs to an instance of a resource type (a package, a core, an L2 cache...) when
 * its CPU binding lies inside that instance's cpuset; a process bound more widely (or not bound)
 * has no instance of that type and gets MPI_COMM_NULL. The topology comes from hwloc, loaded on
 * first use.
 */
#include <hwloc.h>
#include <stdlib.h>
#include <string.h>

#include "dwcp_comm.h"

typedef struct hw_type {
    const char *name;
    int type;          /* hwloc_obj_type_t, or -1 for the node (shared memory) */
} hw_type_t;

/* Names accepted for "mpi_hw_resource_type" (hwloc's spellings and MPI's). */
static const hw_type_t hw_types[] = {
    {"mpi_shared_memory", -1}, {"machine", HWLOC_OBJ_MACHINE},
    {"package", HWLOC_OBJ_PACKAGE}, {"socket", HWLOC_OBJ_PACKAGE},
    {"numanode", HWLOC_OBJ_NUMANODE}, {"l3cache", HWLOC_OBJ_L3CACHE},
    {"l3ucache", HWLOC_OBJ_L3CACHE}, {"l3dcache", HWLOC_OBJ_L3CACHE},
    {"l3icache", HWLOC_OBJ_L3ICACHE}, {"l2cache", HWLOC_OBJ_L2CACHE},
    {"l2ucache", HWLOC_OBJ_L2CACHE}, {"l2dcache", HWLOC_OBJ_L2CACHE},
    {"l2icache", HWLOC_OBJ_L2ICACHE}, {"l1cache", HWLOC_OBJ_L1CACHE},
    {"l1ucache", HWLOC_OBJ_L1CACHE}, {"l1dcache", HWLOC_OBJ_L1CACHE},
    {"l1icache", HWLOC_OBJ_L1ICACHE}, {"core", HWLOC_OBJ_CORE},
    {"hwthread", HWLOC_OBJ_PU}, {"pu", HWLOC_OBJ_PU},
};

/* Levels tried by MPI_COMM_TYPE_HW_UNGUIDED, widest first. */
static const char *const unguided_levels[] = {
    "mpi_shared_memory", "package", "numanode", "l3cache", "l2cache", "l1cache", "core",
    "hwthread",
};
#define NLEVELS ((int)(sizeof(unguided_levels) / sizeof(unguided_levels[0])))

static hwloc_topology_t topo;
static hwloc_bitmap_t binding;
static int topo_state; /* 0 not loaded, 1 loaded, -1 failed */

static int load_topology(void)
{
    if (topo_state != 0) {
        return topo_state > 0;
    }
    topo_state = -1;
    if (hwloc_topology_init(&topo) != 0) {
        return 0;
    }
    if (hwloc_topology_load(topo) != 0) {
        hwloc_topology_destroy(topo);
        return 0;
    }
    binding = hwloc_bitmap_alloc();
    if (binding == NULL) {
        hwloc_topology_destroy(topo);
        return 0;
    }
    topo_state = 1;
    return 1;
}

/* This process's current CPU binding (the whole machine when unknown or unbound). */
static void read_binding(void)
{
    if (hwloc_get_cpubind(topo, binding, HWLOC_CPUBIND_THREAD) != 0 ||
        hwloc_bitmap_iszero(binding)) {
        hwloc_bitmap_copy(binding, hwloc_topology_get_topology_cpuset(topo));
    }
}

void dwcp_comm_hw_finalize(void)
{
    if (topo_state > 0) {
        hwloc_bitmap_free(binding);
        hwloc_topology_destroy(topo);
    }
    topo_state = 0;
}

int dwcp_comm_hw_known(const char *name)
{
    size_t i;
    for (i = 0; name != NULL && i < sizeof(hw_types) / sizeof(hw_types[0]); i++) {
        if (strcmp(hw_types[i].name, name) == 0) {
            return 1;
        }
    }
    return 0;
}

int dwcp_comm_hw_color(const char *name)
{
    size_t i;
    int node = dwcp_g.node_of != NULL ? dwcp_g.node_of[dwcp_g.rank] : 0;
    for (i = 0; name != NULL && i < sizeof(hw_types) / sizeof(hw_types[0]); i++) {
        if (strcmp(hw_types[i].name, name) != 0) {
            continue;
        }
        if (hw_types[i].type < 0) {
            return node;
        }
        if (!load_topology()) {
            return MPI_UNDEFINED;
        }
        read_binding();
        int n = hwloc_get_nbobjs_by_type(topo, (hwloc_obj_type_t)hw_types[i].type), k;
        for (k = 0; k < n; k++) {
            hwloc_obj_t o = hwloc_get_obj_by_type(topo, (hwloc_obj_type_t)hw_types[i].type,
                                                  (unsigned)k);
            if (o != NULL && o->cpuset != NULL && hwloc_bitmap_isincluded(binding, o->cpuset)) {
                /* distinct per node and per instance, never negative */
                return node * 65536 + k;
            }
        }
        return MPI_UNDEFINED;
    }
    return MPI_UNDEFINED;
}

dwcs_status_t dwcp_comm_hw_unguided(dwcp_comm_t *c, int *color, const char **level)
{
    int mine[NLEVELS], i, r, n = c->size;
    int *all = malloc((size_t)n * NLEVELS * sizeof(int));
    dwcs_status_t st = all != NULL ? DWCS_OK : DWCS_ERR_NO_MEMORY;
    *color = MPI_UNDEFINED;
    *level = NULL;
    for (i = 0; i < NLEVELS; i++) {
        mine[i] = dwcp_comm_hw_color(unguided_levels[i]);
    }
    if (st == DWCS_OK) {
        st = dwcp_comm_allgather_int(c, mine, NLEVELS, all);
    }
    /* The first level that splits c into strict subsets: some process has a color and no
     * color is held by every process. All processes see the same table and choose alike. */
    for (i = 0; st == DWCS_OK && i < NLEVELS; i++) {
        int any = 0, whole = 1, first = all[i];
        for (r = 0; r < n; r++) {
            int v = all[(size_t)r * NLEVELS + i];
            any |= v != MPI_UNDEFINED;
            if (v == MPI_UNDEFINED || v != first) {
                whole = 0;
            }
        }
        if (any && !whole) {
            *color = mine[i];
            *level = unguided_levels[i];
            break;
        }
    }
    free(all);
    return st;
}
