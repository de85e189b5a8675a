/* Environment bindings: init/finalize, threads, clocks, names, versions, memory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dwcp_bind.h"
#include "dwcp_attr.h"

dwcs_status_t dwcp_init(int required, int *provided);
dwcs_status_t dwcp_finalize(void);

static int init_common(const char *fn, int required, int *provided)
{
    int dummy;
    if (provided == NULL) {
        provided = &dummy;
    }
    if (dwcp_g.world_inited) {
        fprintf(stderr, "DWCP-MPI: %s: MPI is already %s; it can be initialized only once.\n", fn,
                dwcp_g.world_finalized ? "finalized" : "initialized");
        return MPI_ERR_OTHER;
    }
    if (dwcp_g.finalized) {
        fprintf(stderr, "DWCP-MPI: %s: the MPI runtime was already shut down by the last "
                "MPI_Session_finalize; it cannot be restarted.\n", fn);
        return MPI_ERR_OTHER;
    }
    if (dwcp_g.initialized) {
        /* a session started the runtime: the thread level is the one it got */
        *provided = dwcp_g.thread_level;
    } else {
        dwcs_status_t st = dwcp_init(required, provided);
        if (st != DWCS_OK) {
            fprintf(stderr, "DWCP-MPI: %s failed: %s\n", fn, dwcs_status_string(st));
            fflush(stderr);
            /* A partially started job cannot continue: end it rather than hang peers. */
            dwcp_bootstrap_abort(1, "MPI_Init failed");
        }
    }
    dwcp_g.world_inited = 1;
    return MPI_SUCCESS;
}

int PMPI_Init(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    return init_common("MPI_Init", MPI_THREAD_SINGLE, NULL);
}
DWCP_WEAK(Init)

int PMPI_Init_thread(int *argc, char ***argv, int required, int *provided)
{
    (void)argc, (void)argv;
    if (required < MPI_THREAD_SINGLE || required > MPI_THREAD_MULTIPLE) {
        required = MPI_THREAD_SINGLE;
    }
    return init_common("MPI_Init_thread", required, provided);
}
DWCP_WEAK(Init_thread)

int PMPI_Finalize(void)
{
    DWCP_CHECK_INIT("MPI_Finalize");
    if (!dwcp_g.world_inited || dwcp_g.world_finalized) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_OTHER, "MPI_Finalize",
                             dwcp_g.world_finalized ? "MPI_Finalize was already called"
                                                    : "MPI_Init was not called");
    }
    /* MPI-3.1 8.7.1: delete MPI_COMM_SELF's attributes first (callbacks may use MPI). */
    dwcp_attr_delete_all(DWCP_KIND_COMM, MPI_COMM_SELF, &dwcp_g.self->attrs);
    dwcp_g.world_finalized = 1;
    if (dwcp_g.nsessions > 0) {
        return MPI_SUCCESS; /* the last MPI_Session_finalize shuts the runtime down */
    }
    dwcs_status_t st = dwcp_finalize();
    return st == DWCS_OK ? MPI_SUCCESS : MPI_ERR_OTHER;
}
DWCP_WEAK(Finalize)

int PMPI_Initialized(int *flag)
{
    if (flag == NULL) {
        return MPI_ERR_ARG;
    }
    *flag = dwcp_g.world_inited; /* sessions alone do not initialize the World Model */
    return MPI_SUCCESS;
}
DWCP_WEAK(Initialized)

int PMPI_Finalized(int *flag)
{
    if (flag == NULL) {
        return MPI_ERR_ARG;
    }
    *flag = dwcp_g.world_finalized;
    return MPI_SUCCESS;
}
DWCP_WEAK(Finalized)

int PMPI_Abort(MPI_Comm comm, int errorcode)
{
    (void)comm;
    fprintf(stderr, "DWCP-MPI: MPI_Abort called by rank %d with error code %d: ending the job.\n",
            dwcp_g.rank, errorcode);
    fflush(stderr);
    fflush(stdout);
    dwcp_bootstrap_abort(errorcode, "MPI_Abort");
}
DWCP_WEAK(Abort)

int PMPI_Query_thread(int *provided)
{
    DWCP_CHECK_INIT("MPI_Query_thread");
    if (provided == NULL) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_ARG, "MPI_Query_thread", "NULL argument");
    }
    *provided = dwcp_g.thread_level;
    return MPI_SUCCESS;
}
DWCP_WEAK(Query_thread)

int PMPI_Is_thread_main(int *flag)
{
    DWCP_CHECK_INIT("MPI_Is_thread_main");
    if (flag == NULL) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_ARG, "MPI_Is_thread_main", "NULL argument");
    }
    *flag = pthread_equal(pthread_self(), dwcp_g.main_thread) != 0;
    return MPI_SUCCESS;
}
DWCP_WEAK(Is_thread_main)

double PMPI_Wtime(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
DWCP_WEAK(Wtime)

double PMPI_Wtick(void)
{
    struct timespec ts;
    if (clock_getres(CLOCK_MONOTONIC, &ts) != 0 || (ts.tv_sec == 0 && ts.tv_nsec == 0)) {
        return 1e-9;
    }
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
DWCP_WEAK(Wtick)

int PMPI_Get_processor_name(char *name, int *resultlen)
{
    DWCP_CHECK_INIT("MPI_Get_processor_name");
    if (name == NULL || resultlen == NULL) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_ARG, "MPI_Get_processor_name", "NULL argument");
    }
    snprintf(name, MPI_MAX_PROCESSOR_NAME, "%s", dwcp_g.hostname);
    *resultlen = (int)strlen(name);
    return MPI_SUCCESS;
}
DWCP_WEAK(Get_processor_name)

int PMPI_Get_version(int *version, int *subversion)
{
    if (version == NULL || subversion == NULL) {
        return MPI_ERR_ARG;
    }
    *version = MPI_VERSION;
    *subversion = MPI_SUBVERSION;
    return MPI_SUCCESS;
}
DWCP_WEAK(Get_version)

int PMPI_Get_library_version(char *version, int *resultlen)
{
    if (version == NULL || resultlen == NULL) {
        return MPI_ERR_ARG;
    }
    snprintf(version, MPI_MAX_LIBRARY_VERSION_STRING,
             "DWCP-MPI %d.%d.%d (MPI %d.%d; transports: self, ucx, amst)", DWCP_MPI_VERSION_MAJOR,
             DWCP_MPI_VERSION_MINOR, DWCP_MPI_VERSION_PATCH, MPI_VERSION, MPI_SUBVERSION);
    *resultlen = (int)strlen(version);
    return MPI_SUCCESS;
}
DWCP_WEAK(Get_library_version)

int PMPI_Alloc_mem(MPI_Aint size, MPI_Info info, void *baseptr)
{
    DWCP_CHECK_INIT("MPI_Alloc_mem");
    (void)info;
    if (size < 0) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_ARG, "MPI_Alloc_mem", "negative size %ld",
                             (long)size);
    }
    if (baseptr == NULL) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_ARG, "MPI_Alloc_mem", "NULL baseptr");
    }
    void *p = NULL;
    if (posix_memalign(&p, 64, size > 0 ? (size_t)size : 1) != 0) {
        return dwcp_err_comm(MPI_COMM_WORLD, MPI_ERR_NO_MEM, "MPI_Alloc_mem",
                             "cannot allocate %ld bytes", (long)size);
    }
    *(void **)baseptr = p;
    return MPI_SUCCESS;
}
DWCP_WEAK(Alloc_mem)

int PMPI_Free_mem(void *base)
{
    DWCP_CHECK_INIT("MPI_Free_mem");
    free(base);
    return MPI_SUCCESS;
}
DWCP_WEAK(Free_mem)

int PMPI_Pcontrol(const int level, ...)
{
    (void)level;
    return MPI_SUCCESS;
}
DWCP_WEAK(Pcontrol)

/* Handle conversions: handles are ints, so C and Fortran handles are the same values. */
#define DWCP_C2F(T, N)                                                                             \
    MPI_Fint PMPI_##N##_c2f(T h)                                                                   \
    {                                                                                              \
        return (MPI_Fint)h;                                                                        \
    }                                                                                              \
    DWCP_WEAK(N##_c2f)                                                                             \
    T PMPI_##N##_f2c(MPI_Fint h)                                                                   \
    {                                                                                              \
        return (T)h;                                                                               \
    }                                                                                              \
    DWCP_WEAK(N##_f2c)

DWCP_C2F(MPI_Comm, Comm)
DWCP_C2F(MPI_Datatype, Type)
DWCP_C2F(MPI_Group, Group)
DWCP_C2F(MPI_Request, Request)
DWCP_C2F(MPI_Op, Op)
DWCP_C2F(MPI_Info, Info)
DWCP_C2F(MPI_Errhandler, Errhandler)
DWCP_C2F(MPI_Win, Win)
DWCP_C2F(MPI_Message, Message)
