/*
 * MPI-4 MPI_Comm_split_type with MPI_COMM_TYPE_HW_GUIDED / HW_UNGUIDED. Each rank binds itself
 * to one CPU (rank modulo the CPUs it may use), so "hwthread" groups exactly the ranks on the
 * same CPU; no info or an unknown type gives MPI_COMM_NULL; "mpi_shared_memory" equals
 * MPI_COMM_TYPE_SHARED; HW_UNGUIDED returns a strict subset and names its level in the info.
 */
#define _GNU_SOURCE
#include <sched.h>

#include "mptest.h"

static int comm_size(MPI_Comm c)
{
    int n = -1;
    if (c != MPI_COMM_NULL) {
        MPI_Comm_size(c, &n);
    }
    return n;
}

int main(int argc, char **argv)
{
    int rank, size, i;
    mpt_init(&argc, &argv, 1);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    MPI_Comm c, shm;
    MPI_Info info;

    /* no info / wrong key / unknown type: MPI_COMM_NULL everywhere */
    CHECK_MPI(MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_HW_GUIDED, 0, MPI_INFO_NULL, &c));
    CHECK(c == MPI_COMM_NULL, "HW_GUIDED without info");
    MPI_Info_create(&info);
    MPI_Info_set(info, "shmem_topo", "machine");
    CHECK_MPI(MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_HW_GUIDED, 0, info, &c));
    CHECK(c == MPI_COMM_NULL, "HW_GUIDED without the key");
    MPI_Info_set(info, "mpi_hw_resource_type", "no_such_thing");
    CHECK_MPI(MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_HW_GUIDED, 0, info, &c));
    CHECK(c == MPI_COMM_NULL, "HW_GUIDED with an unknown type");

    /* mpi_shared_memory == MPI_COMM_TYPE_SHARED */
    MPI_Info_set(info, "mpi_hw_resource_type", "mpi_shared_memory");
    CHECK_MPI(MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_HW_GUIDED, 0, info, &c));
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &shm);
    CHECK(c != MPI_COMM_NULL, "mpi_shared_memory gave MPI_COMM_NULL");
    CHECK_EQ(comm_size(c), comm_size(shm), "mpi_shared_memory size");
    MPI_Info used;
    char v[64] = "";
    int flag = 0;
    MPI_Comm_get_info(c, &used);
    MPI_Info_get(used, "mpi_hw_resource_type", sizeof(v) - 1, v, &flag);
    CHECK(flag && strcmp(v, "mpi_shared_memory") == 0, "type on the result's info: '%s'", v);
    MPI_Info_free(&used);
    MPI_Comm_free(&c);
    MPI_Comm_free(&shm);

    /* bind to one CPU, then "hwthread" groups the ranks on the same CPU */
    cpu_set_t allowed, one;
    CHECK(sched_getaffinity(0, sizeof(allowed), &allowed) == 0, "sched_getaffinity: %m");
    int ncpu = CPU_COUNT(&allowed), k = rank % ncpu, cpu = -1;
    for (i = 0; i < CPU_SETSIZE && k >= 0; i++) {
        if (CPU_ISSET(i, &allowed) && k-- == 0) {
            cpu = i;
        }
    }
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    CHECK(sched_setaffinity(0, sizeof(one), &one) == 0, "sched_setaffinity: %m");
    int *cpus = malloc(sizeof(int) * (size_t)size), same = 0;
    MPI_Allgather(&cpu, 1, MPI_INT, cpus, 1, MPI_INT, MPI_COMM_WORLD);
    for (i = 0; i < size; i++) {
        same += cpus[i] == cpu;
    }
    MPI_Info_set(info, "mpi_hw_resource_type", "hwthread");
    CHECK_MPI(MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_HW_GUIDED, rank, info, &c));
    CHECK_EQ(comm_size(c), same, "ranks sharing my hardware thread");
    int *peer = malloc(sizeof(int) * (size_t)same);
    MPI_Allgather(&cpu, 1, MPI_INT, peer, 1, MPI_INT, c);
    for (i = 0; i < same; i++) {
        CHECK_EQ(peer[i], cpu, "member bound elsewhere");
    }
    MPI_Comm_free(&c);
    MPI_Info_free(&info);

    /* unguided: a strict subset, named in the info */
    MPI_Info_create(&info);
    CHECK_MPI(MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_HW_UNGUIDED, 0, info, &c));
    if (c != MPI_COMM_NULL) {
        CHECK(comm_size(c) < size, "unguided result is not a strict subset");
        flag = 0;
        MPI_Info_get(info, "mpi_hw_resource_type", sizeof(v) - 1, v, &flag);
        CHECK(flag && v[0] != '\0', "unguided level not returned");
        MPI_Comm_free(&c);
    } else {
        CHECK(size == 1 || ncpu == 1, "unguided gave MPI_COMM_NULL with %d ranks on %d CPUs",
              size, ncpu);
    }
    MPI_Info_free(&info);
    CPU_ZERO(&one);
    sched_setaffinity(0, sizeof(allowed), &allowed);
    free(cpus);
    free(peer);
    return mpt_finish();
}
