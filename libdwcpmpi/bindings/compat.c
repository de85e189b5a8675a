/*
 * MPI-1 names removed in MPI-3 (still found in older codes and test suites), and the
 * dynamic-process calls: DWCP-MPI jobs are never spawned (MPI_Comm_get_parent gives
 * MPI_COMM_NULL) and cannot spawn (a clear MPI_ERR_SPAWN, not a link failure).
 */
#include "dwcp_bind.h"

int PMPI_Type_extent(MPI_Datatype datatype, MPI_Aint *extent)
{
    MPI_Aint lb;
    return PMPI_Type_get_extent(datatype, &lb, extent);
}
DWCP_WEAK(Type_extent)

int PMPI_Type_lb(MPI_Datatype datatype, MPI_Aint *displacement)
{
    MPI_Aint extent;
    return PMPI_Type_get_extent(datatype, displacement, &extent);
}
DWCP_WEAK(Type_lb)

int PMPI_Type_ub(MPI_Datatype datatype, MPI_Aint *displacement)
{
    MPI_Aint lb, extent;
    int rc = PMPI_Type_get_extent(datatype, &lb, &extent);
    if (rc == MPI_SUCCESS && displacement != NULL) {
        *displacement = lb + extent;
    }
    return rc;
}
DWCP_WEAK(Type_ub)

int PMPI_Type_hvector(int count, int blocklength, MPI_Aint stride, MPI_Datatype oldtype,
                      MPI_Datatype *newtype)
{
    return PMPI_Type_create_hvector(count, blocklength, stride, oldtype, newtype);
}
DWCP_WEAK(Type_hvector)

int PMPI_Type_hindexed(int count, int *array_of_blocklengths, MPI_Aint *array_of_displacements,
                       MPI_Datatype oldtype, MPI_Datatype *newtype)
{
    return PMPI_Type_create_hindexed(count, array_of_blocklengths, array_of_displacements,
                                     oldtype, newtype);
}
DWCP_WEAK(Type_hindexed)

int PMPI_Type_struct(int count, int *array_of_blocklengths, MPI_Aint *array_of_displacements,
                     MPI_Datatype *array_of_types, MPI_Datatype *newtype)
{
    return PMPI_Type_create_struct(count, array_of_blocklengths, array_of_displacements,
                                   array_of_types, newtype);
}
DWCP_WEAK(Type_struct)

int PMPI_Address(void *location, MPI_Aint *address)
{
    return PMPI_Get_address(location, address);
}
DWCP_WEAK(Address)

int PMPI_Errhandler_create(MPI_Handler_function *function, MPI_Errhandler *errhandler)
{
    return PMPI_Comm_create_errhandler(function, errhandler);
}
DWCP_WEAK(Errhandler_create)

int PMPI_Errhandler_set(MPI_Comm comm, MPI_Errhandler errhandler)
{
    return PMPI_Comm_set_errhandler(comm, errhandler);
}
DWCP_WEAK(Errhandler_set)

int PMPI_Errhandler_get(MPI_Comm comm, MPI_Errhandler *errhandler)
{
    return PMPI_Comm_get_errhandler(comm, errhandler);
}
DWCP_WEAK(Errhandler_get)

/* ---- Dynamic processes -------------------------------------------------------------------- */

int PMPI_Comm_get_parent(MPI_Comm *parent)
{
    DWCP_CHECK_INIT("MPI_Comm_get_parent");
    if (parent == NULL) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_ARG, "MPI_Comm_get_parent", "NULL argument");
    }
    *parent = MPI_COMM_NULL;
    return MPI_SUCCESS;
}
DWCP_WEAK(Comm_get_parent)

static int no_spawn(const char *fn, MPI_Comm comm)
{
    DWCP_CHECK_INIT(fn);
    return dwcp_err_comm(dwcp_comm_get(comm) ? comm : MPI_COMM_WORLD, MPI_ERR_SPAWN, fn,
                         "dynamic process management is not supported by DWCP-MPI: start "
                         "every process with dwcprun or mpirun");
}

int PMPI_Comm_spawn(const char *command, char *argv[], int maxprocs, MPI_Info info, int root,
                    MPI_Comm comm, MPI_Comm *intercomm, int array_of_errcodes[])
{
    (void)command, (void)argv, (void)maxprocs, (void)info, (void)root;
    if (intercomm != NULL) {
        *intercomm = MPI_COMM_NULL;
    }
    if (array_of_errcodes != MPI_ERRCODES_IGNORE) {
        int i;
        for (i = 0; i < maxprocs; i++) {
            array_of_errcodes[i] = MPI_ERR_SPAWN;
        }
    }
    return no_spawn("MPI_Comm_spawn", comm);
}
DWCP_WEAK(Comm_spawn)

int PMPI_Comm_spawn_multiple(int count, char *array_of_commands[], char **array_of_argv[],
                             const int array_of_maxprocs[], const MPI_Info array_of_info[],
                             int root, MPI_Comm comm, MPI_Comm *intercomm,
                             int array_of_errcodes[])
{
    (void)count, (void)array_of_commands, (void)array_of_argv, (void)array_of_maxprocs;
    (void)array_of_info, (void)root, (void)array_of_errcodes;
    if (intercomm != NULL) {
        *intercomm = MPI_COMM_NULL;
    }
    return no_spawn("MPI_Comm_spawn_multiple", comm);
}
DWCP_WEAK(Comm_spawn_multiple)

int PMPI_Open_port(MPI_Info info, char *port_name)
{
    (void)info, (void)port_name;
    return no_spawn("MPI_Open_port", MPI_COMM_WORLD);
}
DWCP_WEAK(Open_port)

int PMPI_Comm_accept(const char *port_name, MPI_Info info, int root, MPI_Comm comm,
                     MPI_Comm *newcomm)
{
    (void)port_name, (void)info, (void)root;
    if (newcomm != NULL) {
        *newcomm = MPI_COMM_NULL;
    }
    return no_spawn("MPI_Comm_accept", comm);
}
DWCP_WEAK(Comm_accept)

int PMPI_Comm_connect(const char *port_name, MPI_Info info, int root, MPI_Comm comm,
                      MPI_Comm *newcomm)
{
    (void)port_name, (void)info, (void)root;
    if (newcomm != NULL) {
        *newcomm = MPI_COMM_NULL;
    }
    return no_spawn("MPI_Comm_connect", comm);
}
DWCP_WEAK(Comm_connect)

int PMPI_Comm_disconnect(MPI_Comm *comm)
{
    /* Valid for any communicator: wait for pending traffic, then free. */
    return PMPI_Comm_free(comm);
}
DWCP_WEAK(Comm_disconnect)
