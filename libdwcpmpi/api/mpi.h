/*
 * mpi.h — the public interface of DWCP-MPI (libdwcpmpi).
 *
 * DWCP-MPI implements the MPI standard's C interface (see MPI_VERSION/MPI_SUBVERSION below for
 * the level it claims) for programs whose ranks may sit at several sites joined by WAN links.
 * Programs are recompiled against this header (use `dwcpcc`), and launched with `dwcprun` or
 * Open MPI's `mpirun`.
 *
 * Handles are plain ints: the upper bits name the object kind, the lower bits index a table.
 * An invalid or freed handle passed to a call is reported as the matching error class
 * (MPI_ERR_COMM, MPI_ERR_TYPE, ...), never dereferenced. Every MPI_X function has a PMPI_X twin
 * (MPI_X is a weak alias), so profiling tools can interpose.
 *
 * The semantics of each function are those of the MPI standard; comments here note only what
 * is specific to DWCP-MPI.
 */
#ifndef DWCP_MPI_H
#define DWCP_MPI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The standard level this library implements completely for what it provides. */
#define MPI_VERSION 3
#define MPI_SUBVERSION 1

/* DWCP-MPI's own version. */
#define DWCP_MPI 1
#define DWCP_MPI_VERSION_MAJOR 0
#define DWCP_MPI_VERSION_MINOR 1
#define DWCP_MPI_VERSION_PATCH 0

/* ---- Handle types (ints: kind << 26 | index) ---------------------------------------------- */
typedef int MPI_Comm;
typedef int MPI_Group;
typedef int MPI_Datatype;
typedef int MPI_Op;
typedef int MPI_Errhandler;
typedef int MPI_Info;
typedef int MPI_Request;
typedef int MPI_Win;
typedef int MPI_Message;
typedef int MPI_File; /* MPI-IO is not provided; the type exists for headers that mention it */
typedef int MPI_Session; /* MPI-4 sessions */
typedef int MPI_Fint;

typedef intptr_t MPI_Aint;
typedef long long MPI_Offset;
typedef long long MPI_Count;

#define DWCP_HANDLE_(kind, idx) ((int)(((kind) << 26) | (idx)))
#define DWCP_KIND_COMM 1
#define DWCP_KIND_GROUP 2
#define DWCP_KIND_DATATYPE 3
#define DWCP_KIND_OP 4
#define DWCP_KIND_ERRHANDLER 5
#define DWCP_KIND_INFO 6
#define DWCP_KIND_REQUEST 7
#define DWCP_KIND_WIN 8
#define DWCP_KIND_MESSAGE 9
#define DWCP_KIND_FILE 10
#define DWCP_KIND_SESSION 11

/* Status. MPI_SOURCE, MPI_TAG and MPI_ERROR are the public fields. */
typedef struct MPI_Status {
    int MPI_SOURCE;
    int MPI_TAG;
    int MPI_ERROR;
    int dwcp_cancelled; /* private */
    long long dwcp_count; /* private: bytes received */
} MPI_Status;

/* ---- Null and predefined handles ---------------------------------------------------------- */
#define MPI_COMM_NULL DWCP_HANDLE_(DWCP_KIND_COMM, 0)
#define MPI_COMM_WORLD DWCP_HANDLE_(DWCP_KIND_COMM, 1)
#define MPI_COMM_SELF DWCP_HANDLE_(DWCP_KIND_COMM, 2)

#define MPI_GROUP_NULL DWCP_HANDLE_(DWCP_KIND_GROUP, 0)
#define MPI_GROUP_EMPTY DWCP_HANDLE_(DWCP_KIND_GROUP, 1)

#define MPI_ERRHANDLER_NULL DWCP_HANDLE_(DWCP_KIND_ERRHANDLER, 0)
#define MPI_ERRORS_ARE_FATAL DWCP_HANDLE_(DWCP_KIND_ERRHANDLER, 1)
#define MPI_ERRORS_RETURN DWCP_HANDLE_(DWCP_KIND_ERRHANDLER, 2)

#define MPI_INFO_NULL DWCP_HANDLE_(DWCP_KIND_INFO, 0)
#define MPI_INFO_ENV DWCP_HANDLE_(DWCP_KIND_INFO, 1)

#define MPI_REQUEST_NULL DWCP_HANDLE_(DWCP_KIND_REQUEST, 0)
#define MPI_WIN_NULL DWCP_HANDLE_(DWCP_KIND_WIN, 0)
#define MPI_FILE_NULL DWCP_HANDLE_(DWCP_KIND_FILE, 0)
#define MPI_SESSION_NULL DWCP_HANDLE_(DWCP_KIND_SESSION, 0)
#define MPI_MESSAGE_NULL DWCP_HANDLE_(DWCP_KIND_MESSAGE, 0)
#define MPI_MESSAGE_NO_PROC DWCP_HANDLE_(DWCP_KIND_MESSAGE, 1)

/* Predefined datatypes. The index is the position in the library's builtin table. */
#define DWCP_DT_(i) DWCP_HANDLE_(DWCP_KIND_DATATYPE, (i))
#define MPI_DATATYPE_NULL DWCP_DT_(0)
#define MPI_CHAR DWCP_DT_(1)
#define MPI_SIGNED_CHAR DWCP_DT_(2)
#define MPI_UNSIGNED_CHAR DWCP_DT_(3)
#define MPI_BYTE DWCP_DT_(4)
#define MPI_WCHAR DWCP_DT_(5)
#define MPI_SHORT DWCP_DT_(6)
#define MPI_UNSIGNED_SHORT DWCP_DT_(7)
#define MPI_INT DWCP_DT_(8)
#define MPI_UNSIGNED DWCP_DT_(9)
#define MPI_LONG DWCP_DT_(10)
#define MPI_UNSIGNED_LONG DWCP_DT_(11)
#define MPI_LONG_LONG_INT DWCP_DT_(12)
#define MPI_LONG_LONG MPI_LONG_LONG_INT
#define MPI_UNSIGNED_LONG_LONG DWCP_DT_(13)
#define MPI_FLOAT DWCP_DT_(14)
#define MPI_DOUBLE DWCP_DT_(15)
#define MPI_LONG_DOUBLE DWCP_DT_(16)
#define MPI_C_BOOL DWCP_DT_(17)
#define MPI_INT8_T DWCP_DT_(18)
#define MPI_INT16_T DWCP_DT_(19)
#define MPI_INT32_T DWCP_DT_(20)
#define MPI_INT64_T DWCP_DT_(21)
#define MPI_UINT8_T DWCP_DT_(22)
#define MPI_UINT16_T DWCP_DT_(23)
#define MPI_UINT32_T DWCP_DT_(24)
#define MPI_UINT64_T DWCP_DT_(25)
#define MPI_C_FLOAT_COMPLEX DWCP_DT_(26)
#define MPI_C_COMPLEX MPI_C_FLOAT_COMPLEX
#define MPI_C_DOUBLE_COMPLEX DWCP_DT_(27)
#define MPI_C_LONG_DOUBLE_COMPLEX DWCP_DT_(28)
#define MPI_AINT DWCP_DT_(29)
#define MPI_OFFSET DWCP_DT_(30)
#define MPI_COUNT DWCP_DT_(31)
#define MPI_PACKED DWCP_DT_(32)
#define MPI_FLOAT_INT DWCP_DT_(33)
#define MPI_DOUBLE_INT DWCP_DT_(34)
#define MPI_LONG_INT DWCP_DT_(35)
#define MPI_2INT DWCP_DT_(36)
#define MPI_SHORT_INT DWCP_DT_(37)
#define MPI_LONG_DOUBLE_INT DWCP_DT_(38)
/* Fortran types, usable from C with their Fortran sizes (INTEGER 4, REAL 4, DOUBLE PRECISION 8). */
#define MPI_CHARACTER DWCP_DT_(39)
#define MPI_LOGICAL DWCP_DT_(40)
#define MPI_INTEGER DWCP_DT_(41)
#define MPI_REAL DWCP_DT_(42)
#define MPI_DOUBLE_PRECISION DWCP_DT_(43)
#define MPI_COMPLEX DWCP_DT_(44)
#define MPI_DOUBLE_COMPLEX DWCP_DT_(45)
#define MPI_2REAL DWCP_DT_(46)
#define MPI_2DOUBLE_PRECISION DWCP_DT_(47)
#define MPI_2INTEGER DWCP_DT_(48)
#define MPI_INTEGER1 DWCP_DT_(49)
#define MPI_INTEGER2 DWCP_DT_(50)
#define MPI_INTEGER4 DWCP_DT_(51)
#define MPI_INTEGER8 DWCP_DT_(52)
#define MPI_REAL4 DWCP_DT_(53)
#define MPI_REAL8 DWCP_DT_(54)
#define MPI_REAL16 DWCP_DT_(55)
#define MPI_COMPLEX8 DWCP_DT_(56)
#define MPI_COMPLEX16 DWCP_DT_(57)
#define MPI_COMPLEX32 DWCP_DT_(58)
/* C++ types (layout-compatible C equivalents). */
#define MPI_CXX_BOOL DWCP_DT_(59)
#define MPI_CXX_FLOAT_COMPLEX DWCP_DT_(60)
#define MPI_CXX_DOUBLE_COMPLEX DWCP_DT_(61)
#define MPI_CXX_LONG_DOUBLE_COMPLEX DWCP_DT_(62)
/* MPI-2 lower/upper bound markers (removed in MPI-3; kept for old codes): in a struct, the
 * displacement of an MPI_LB / MPI_UB block sets the type's lb / ub. Use
 * MPI_Type_create_resized in new code. */
#define MPI_LB DWCP_DT_(63)
#define MPI_UB DWCP_DT_(64)
/* Optional Fortran INTEGER*16 (16-byte integer): data movement only, no predefined reductions. */
#define MPI_INTEGER16 DWCP_DT_(65)
#define DWCP_DT_NUM_BUILTIN 66

/* Predefined reduction operations. */
#define MPI_OP_NULL DWCP_HANDLE_(DWCP_KIND_OP, 0)
#define MPI_MAX DWCP_HANDLE_(DWCP_KIND_OP, 1)
#define MPI_MIN DWCP_HANDLE_(DWCP_KIND_OP, 2)
#define MPI_SUM DWCP_HANDLE_(DWCP_KIND_OP, 3)
#define MPI_PROD DWCP_HANDLE_(DWCP_KIND_OP, 4)
#define MPI_LAND DWCP_HANDLE_(DWCP_KIND_OP, 5)
#define MPI_BAND DWCP_HANDLE_(DWCP_KIND_OP, 6)
#define MPI_LOR DWCP_HANDLE_(DWCP_KIND_OP, 7)
#define MPI_BOR DWCP_HANDLE_(DWCP_KIND_OP, 8)
#define MPI_LXOR DWCP_HANDLE_(DWCP_KIND_OP, 9)
#define MPI_BXOR DWCP_HANDLE_(DWCP_KIND_OP, 10)
#define MPI_MINLOC DWCP_HANDLE_(DWCP_KIND_OP, 11)
#define MPI_MAXLOC DWCP_HANDLE_(DWCP_KIND_OP, 12)
#define MPI_REPLACE DWCP_HANDLE_(DWCP_KIND_OP, 13)
#define MPI_NO_OP DWCP_HANDLE_(DWCP_KIND_OP, 14)
#define DWCP_OP_NUM_BUILTIN 15

/* ---- Error classes ------------------------------------------------------------------------ */
#define MPI_SUCCESS 0
#define MPI_ERR_BUFFER 1
#define MPI_ERR_COUNT 2
#define MPI_ERR_TYPE 3
#define MPI_ERR_TAG 4
#define MPI_ERR_COMM 5
#define MPI_ERR_RANK 6
#define MPI_ERR_REQUEST 7
#define MPI_ERR_ROOT 8
#define MPI_ERR_GROUP 9
#define MPI_ERR_OP 10
#define MPI_ERR_TOPOLOGY 11
#define MPI_ERR_DIMS 12
#define MPI_ERR_ARG 13
#define MPI_ERR_UNKNOWN 14
#define MPI_ERR_TRUNCATE 15
#define MPI_ERR_OTHER 16
#define MPI_ERR_INTERN 17
#define MPI_ERR_IN_STATUS 18
#define MPI_ERR_PENDING 19
#define MPI_ERR_KEYVAL 20
#define MPI_ERR_NO_MEM 21
#define MPI_ERR_BASE 22
#define MPI_ERR_INFO_KEY 23
#define MPI_ERR_INFO_VALUE 24
#define MPI_ERR_INFO_NOKEY 25
#define MPI_ERR_SPAWN 26
#define MPI_ERR_PORT 27
#define MPI_ERR_SERVICE 28
#define MPI_ERR_NAME 29
#define MPI_ERR_WIN 30
#define MPI_ERR_SIZE 31
#define MPI_ERR_DISP 32
#define MPI_ERR_INFO 33
#define MPI_ERR_LOCKTYPE 34
#define MPI_ERR_ASSERT 35
#define MPI_ERR_RMA_CONFLICT 36
#define MPI_ERR_RMA_SYNC 37
#define MPI_ERR_FILE 38
#define MPI_ERR_NOT_SAME 39
#define MPI_ERR_AMODE 40
#define MPI_ERR_UNSUPPORTED_DATAREP 41
#define MPI_ERR_UNSUPPORTED_OPERATION 42
#define MPI_ERR_NO_SUCH_FILE 43
#define MPI_ERR_FILE_EXISTS 44
#define MPI_ERR_BAD_FILE 45
#define MPI_ERR_ACCESS 46
#define MPI_ERR_NO_SPACE 47
#define MPI_ERR_QUOTA 48
#define MPI_ERR_READ_ONLY 49
#define MPI_ERR_FILE_IN_USE 50
#define MPI_ERR_DUP_DATAREP 51
#define MPI_ERR_CONVERSION 52
#define MPI_ERR_IO 53
#define MPI_ERR_RMA_RANGE 54
#define MPI_ERR_RMA_ATTACH 55
#define MPI_ERR_RMA_SHARED 56
#define MPI_ERR_RMA_FLAVOR 57
#define MPI_T_ERR_INVALID 58
/* DWCP-specific class: a peer or WAN link failed (the job may retry through another path). */
#define DWCP_ERR_LINK 59
#define MPI_ERR_SESSION 60 /* MPI-4: invalid session handle */
#define MPI_ERR_LASTCODE 1023

/* ---- Other constants ---------------------------------------------------------------------- */
#define MPI_ANY_SOURCE (-1)
#define MPI_PROC_NULL (-2)
#define MPI_ROOT (-3)
#define MPI_ANY_TAG (-1)
#define MPI_UNDEFINED (-32766)
#define MPI_KEYVAL_INVALID (-1)
#define MPI_BOTTOM ((void *)0)
#define MPI_IN_PLACE ((void *)1)
#define MPI_STATUS_IGNORE ((MPI_Status *)1)
#define MPI_STATUSES_IGNORE ((MPI_Status *)1)
#define MPI_ERRCODES_IGNORE ((int *)0)
#define MPI_ARGV_NULL ((char **)0)
#define MPI_ARGVS_NULL ((char ***)0)
#define MPI_UNWEIGHTED ((int *)2)
#define MPI_WEIGHTS_EMPTY ((int *)3)

#define MPI_MAX_PROCESSOR_NAME 256
#define MPI_MAX_ERROR_STRING 512
#define MPI_MAX_OBJECT_NAME 128
#define MPI_MAX_INFO_KEY 255
#define MPI_MAX_INFO_VAL 1024
#define MPI_MAX_PSET_NAME_LEN 256
#define MPI_MAX_STRINGTAG_LEN 256
#define MPI_MAX_LIBRARY_VERSION_STRING 256
#define MPI_MAX_PORT_NAME 1024
#define MPI_MAX_DATAREP_STRING 128
#define MPI_BSEND_OVERHEAD 96

/* Predefined attribute keys on MPI_COMM_WORLD (and window attributes). */
#define MPI_TAG_UB 1
#define MPI_HOST 2
#define MPI_IO 3
#define MPI_WTIME_IS_GLOBAL 4
#define MPI_UNIVERSE_SIZE 5
#define MPI_APPNUM 6
#define MPI_LASTUSEDCODE 7
#define MPI_WIN_BASE 8
#define MPI_WIN_SIZE 9
#define MPI_WIN_DISP_UNIT 10
#define MPI_WIN_CREATE_FLAVOR 11
#define MPI_WIN_MODEL 12
/* DWCP: the site index of the calling rank (attribute on MPI_COMM_WORLD, value int*). */
#define DWCP_SITE 13

#define MPI_THREAD_SINGLE 0
#define MPI_THREAD_FUNNELED 1
#define MPI_THREAD_SERIALIZED 2
#define MPI_THREAD_MULTIPLE 3

#define MPI_IDENT 0
#define MPI_CONGRUENT 1
#define MPI_SIMILAR 2
#define MPI_UNEQUAL 3

#define MPI_GRAPH 1
#define MPI_CART 2
#define MPI_DIST_GRAPH 3

#define MPI_COMM_TYPE_SHARED 1
/* DWCP: MPI_Comm_split_type by site. */
#define DWCP_COMM_TYPE_SITE 2
/* MPI-4.0: split by hardware resource (info key "mpi_hw_resource_type"). */
#define MPI_COMM_TYPE_HW_UNGUIDED 3
#define MPI_COMM_TYPE_HW_GUIDED 4

#define MPI_COMBINER_NAMED 1
#define MPI_COMBINER_DUP 2
#define MPI_COMBINER_CONTIGUOUS 3
#define MPI_COMBINER_VECTOR 4
#define MPI_COMBINER_HVECTOR_INTEGER 5
#define MPI_COMBINER_HVECTOR 6
#define MPI_COMBINER_INDEXED 7
#define MPI_COMBINER_HINDEXED_INTEGER 8
#define MPI_COMBINER_HINDEXED 9
#define MPI_COMBINER_INDEXED_BLOCK 10
#define MPI_COMBINER_HINDEXED_BLOCK 11
#define MPI_COMBINER_STRUCT_INTEGER 12
#define MPI_COMBINER_STRUCT 13
#define MPI_COMBINER_SUBARRAY 14
#define MPI_COMBINER_DARRAY 15
#define MPI_COMBINER_F90_REAL 16
#define MPI_COMBINER_F90_COMPLEX 17
#define MPI_COMBINER_F90_INTEGER 18
#define MPI_COMBINER_RESIZED 19

#define MPI_ORDER_C 56
#define MPI_ORDER_FORTRAN 57
#define MPI_DISTRIBUTE_BLOCK 121
#define MPI_DISTRIBUTE_CYCLIC 122
#define MPI_DISTRIBUTE_NONE 123
#define MPI_DISTRIBUTE_DFLT_DARG (-49767)

#define MPI_TYPECLASS_REAL 1
#define MPI_TYPECLASS_INTEGER 2
#define MPI_TYPECLASS_COMPLEX 3

#define MPI_LOCK_EXCLUSIVE 234
#define MPI_LOCK_SHARED 235
#define MPI_MODE_NOCHECK 1024
#define MPI_MODE_NOSTORE 2048
#define MPI_MODE_NOPUT 4096
#define MPI_MODE_NOPRECEDE 8192
#define MPI_MODE_NOSUCCEED 16384
#define MPI_WIN_FLAVOR_CREATE 1
#define MPI_WIN_FLAVOR_ALLOCATE 2
#define MPI_WIN_FLAVOR_DYNAMIC 3
#define MPI_WIN_FLAVOR_SHARED 4
#define MPI_WIN_SEPARATE 1
#define MPI_WIN_UNIFIED 2

/* ---- Callback types ----------------------------------------------------------------------- */
typedef void MPI_User_function(void *invec, void *inoutvec, int *len, MPI_Datatype *datatype);
typedef int MPI_Comm_copy_attr_function(MPI_Comm oldcomm, int comm_keyval, void *extra_state,
                                        void *attribute_val_in, void *attribute_val_out,
                                        int *flag);
typedef int MPI_Comm_delete_attr_function(MPI_Comm comm, int comm_keyval, void *attribute_val,
                                          void *extra_state);
typedef int MPI_Type_copy_attr_function(MPI_Datatype oldtype, int type_keyval, void *extra_state,
                                        void *attribute_val_in, void *attribute_val_out,
                                        int *flag);
typedef int MPI_Type_delete_attr_function(MPI_Datatype datatype, int type_keyval,
                                          void *attribute_val, void *extra_state);
typedef int MPI_Win_copy_attr_function(MPI_Win oldwin, int win_keyval, void *extra_state,
                                       void *attribute_val_in, void *attribute_val_out, int *flag);
typedef int MPI_Win_delete_attr_function(MPI_Win win, int win_keyval, void *attribute_val,
                                         void *extra_state);
typedef int MPI_Copy_function(MPI_Comm oldcomm, int keyval, void *extra_state,
                              void *attribute_val_in, void *attribute_val_out, int *flag);
typedef int MPI_Delete_function(MPI_Comm comm, int keyval, void *attribute_val, void *extra_state);
typedef void MPI_Comm_errhandler_function(MPI_Comm *comm, int *errcode, ...);
typedef MPI_Comm_errhandler_function MPI_Handler_function;
typedef void MPI_Win_errhandler_function(MPI_Win *win, int *errcode, ...);
typedef int MPI_Grequest_query_function(void *extra_state, MPI_Status *status);
typedef int MPI_Grequest_free_function(void *extra_state);
typedef int MPI_Grequest_cancel_function(void *extra_state, int complete);

/* Predefined attribute copy/delete callbacks. */
int dwcp_comm_null_copy_fn(MPI_Comm, int, void *, void *, void *, int *);
int dwcp_comm_dup_fn(MPI_Comm, int, void *, void *, void *, int *);
int dwcp_comm_null_delete_fn(MPI_Comm, int, void *, void *);
int dwcp_type_null_copy_fn(MPI_Datatype, int, void *, void *, void *, int *);
int dwcp_type_dup_fn(MPI_Datatype, int, void *, void *, void *, int *);
int dwcp_type_null_delete_fn(MPI_Datatype, int, void *, void *);
int dwcp_win_null_copy_fn(MPI_Win, int, void *, void *, void *, int *);
int dwcp_win_dup_fn(MPI_Win, int, void *, void *, void *, int *);
int dwcp_win_null_delete_fn(MPI_Win, int, void *, void *);
#define MPI_COMM_NULL_COPY_FN dwcp_comm_null_copy_fn
#define MPI_COMM_DUP_FN dwcp_comm_dup_fn
#define MPI_COMM_NULL_DELETE_FN dwcp_comm_null_delete_fn
#define MPI_NULL_COPY_FN dwcp_comm_null_copy_fn
#define MPI_DUP_FN dwcp_comm_dup_fn
#define MPI_NULL_DELETE_FN dwcp_comm_null_delete_fn
#define MPI_TYPE_NULL_COPY_FN dwcp_type_null_copy_fn
#define MPI_TYPE_DUP_FN dwcp_type_dup_fn
#define MPI_TYPE_NULL_DELETE_FN dwcp_type_null_delete_fn
#define MPI_WIN_NULL_COPY_FN dwcp_win_null_copy_fn
#define MPI_WIN_DUP_FN dwcp_win_dup_fn
#define MPI_WIN_NULL_DELETE_FN dwcp_win_null_delete_fn

#include "mpi_protos.h"

#ifdef __cplusplus
}
#endif
#endif /* DWCP_MPI_H */
