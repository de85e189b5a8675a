/*
 * MPI-4 sessions (Sessions Model). A session shares the one runtime with the World Model:
 * the first of MPI_Init / MPI_Session_init starts it, and it is shut down when the World
 * Model is finalized (or never started) and the last session is finalized. Restarting the
 * runtime after that is not supported (MPI_ERR_OTHER).
 *
 * Process sets: "mpi://WORLD" and "mpi://SELF" (names compared without regard to case).
 * MPI_Comm_create_from_group builds the communicator like MPI_Comm_create_group over the
 * world communicator, with a tag derived from the string tag.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dwcp_bind.h"
#include "dwcp_comm.h"
#include "dwcp_info.h"

dwcs_status_t dwcp_init(int required, int *provided);
dwcs_status_t dwcp_finalize(void);
int dwcp_group_publish(dwcp_group_t *g, MPI_Group *out);

typedef struct dwcp_session {
    int handle;
    int errhandler; /* MPI_ERRORS_RETURN or MPI_ERRORS_ARE_FATAL behaviour */
} dwcp_session_t;

static dwcp_htab_t sessions;
static int sessions_ready;

static const char *const pset_names[] = {"mpi://WORLD", "mpi://SELF"};
#define NPSETS 2

static const char *const level_names[] = {"MPI_THREAD_SINGLE", "MPI_THREAD_FUNNELED",
                                          "MPI_THREAD_SERIALIZED", "MPI_THREAD_MULTIPLE"};

/*
 * Report an error of a session call: returned when the session's handler (or, without a
 * session, the one given) is MPI_ERRORS_RETURN, otherwise the job is aborted.
 */
static int serr(const char *fn, int errh, int code, const char *detail)
{
    if (errh == MPI_ERRORS_RETURN) {
        return code;
    }
    fprintf(stderr, "DWCP-MPI: %s: %s: %s\n", fn, dwcp_error_class_name(code), detail);
    fflush(stderr);
    if (dwcp_g.initialized && !dwcp_g.finalized) {
        dwcp_bootstrap_abort(code, "error in a session call (MPI_ERRORS_ARE_FATAL)");
    }
    exit(1);
}

/* The session for @p h, or NULL. */
static dwcp_session_t *get_session(MPI_Session h)
{
    return sessions_ready ? dwcp_htab_get(&sessions, h) : NULL;
}

/* Thread level asked for in @p info ("thread_level"), MPI_THREAD_SINGLE by default. */
static int wanted_level(MPI_Info info)
{
    dwcp_info_t *i = info == MPI_INFO_NULL ? NULL : dwcp_info_get(info);
    const char *v = dwcp_info_lookup(i, "thread_level");
    int l;
    for (l = 0; v != NULL && l < 4; l++) {
        if (strcasecmp(v, level_names[l]) == 0) {
            return l;
        }
    }
    return MPI_THREAD_SINGLE;
}

int PMPI_Session_init(MPI_Info info, MPI_Errhandler errhandler, MPI_Session *session)
{
    const char *fn = "MPI_Session_init";
    int held __attribute__((cleanup(dwcp_lock_leave), unused)) = dwcp_lock_enter();
    int errh = errhandler == MPI_ERRORS_RETURN ? MPI_ERRORS_RETURN : MPI_ERRORS_ARE_FATAL;
    if (session == NULL) {
        return serr(fn, errh, MPI_ERR_ARG, "NULL session");
    }
    if (info != MPI_INFO_NULL && dwcp_info_get(info) == NULL) {
        return serr(fn, errh, MPI_ERR_INFO, "invalid info handle");
    }
    if (dwcp_g.finalized) {
        return serr(fn, errh, MPI_ERR_OTHER,
                    "the MPI runtime was already shut down; it cannot be restarted");
    }
    if (!dwcp_g.initialized) {
        int provided;
        dwcs_status_t st = dwcp_init(wanted_level(info), &provided);
        if (st != DWCS_OK) {
            fprintf(stderr, "DWCP-MPI: %s failed: %s\n", fn, dwcs_status_string(st));
            fflush(stderr);
            dwcp_bootstrap_abort(1, "MPI_Session_init failed");
        }
    }
    if (!sessions_ready) {
        dwcp_htab_init(&sessions, DWCP_KIND_SESSION, 1);
        sessions_ready = 1;
    }
    dwcp_session_t *s = calloc(1, sizeof(*s));
    if (s == NULL || dwcp_htab_add(&sessions, s, &s->handle) != DWCS_OK) {
        free(s);
        return serr(fn, errh, MPI_ERR_NO_MEM, "no memory");
    }
    s->errhandler = errh;
    dwcp_g.nsessions++;
    *session = s->handle;
    return MPI_SUCCESS;
}
DWCP_WEAK(Session_init)

int PMPI_Session_finalize(MPI_Session *session)
{
    const char *fn = "MPI_Session_finalize";
    int held __attribute__((cleanup(dwcp_lock_leave), unused)) = dwcp_lock_enter();
    dwcp_session_t *s = session != NULL ? get_session(*session) : NULL;
    if (s == NULL) {
        return serr(fn, MPI_ERRORS_ARE_FATAL, MPI_ERR_SESSION, "invalid session handle");
    }
    dwcp_htab_remove(&sessions, s->handle);
    free(s);
    *session = MPI_SESSION_NULL;
    dwcp_g.nsessions--;
    if (dwcp_g.nsessions == 0 && (!dwcp_g.world_inited || dwcp_g.world_finalized) &&
        dwcp_g.initialized && !dwcp_g.finalized) {
        if (dwcp_finalize() != DWCS_OK) {
            return MPI_ERR_OTHER;
        }
    }
    return MPI_SUCCESS;
}
DWCP_WEAK(Session_finalize)

/* Common checks of the query calls: live runtime and session. */
#define SESSION_ENTER(fn, h, s)                                                                  \
    int held_ __attribute__((cleanup(dwcp_lock_leave), unused)) = dwcp_lock_enter();            \
    dwcp_session_t *s = get_session(h);                                                          \
    if (s == NULL) {                                                                             \
        return serr(fn, MPI_ERRORS_ARE_FATAL, MPI_ERR_SESSION, "invalid session handle");       \
    }

int PMPI_Session_get_info(MPI_Session session, MPI_Info *info_used)
{
    const char *fn = "MPI_Session_get_info";
    SESSION_ENTER(fn, session, s);
    if (info_used == NULL) {
        return serr(fn, s->errhandler, MPI_ERR_ARG, "NULL info_used");
    }
    dwcp_info_t *i = dwcp_info_new();
    int lv = dwcp_g.thread_level;
    if (i == NULL ||
        dwcp_info_set(i, "thread_level", level_names[lv >= 0 && lv <= 3 ? lv : 0]) != DWCS_OK) {
        dwcp_info_destroy(i);
        return serr(fn, s->errhandler, MPI_ERR_NO_MEM, "no memory");
    }
    *info_used = i->handle;
    return MPI_SUCCESS;
}
DWCP_WEAK(Session_get_info)

int PMPI_Session_get_num_psets(MPI_Session session, MPI_Info info, int *npset_names)
{
    const char *fn = "MPI_Session_get_num_psets";
    (void)info;
    SESSION_ENTER(fn, session, s);
    if (npset_names == NULL) {
        return serr(fn, s->errhandler, MPI_ERR_ARG, "NULL npset_names");
    }
    *npset_names = NPSETS;
    return MPI_SUCCESS;
}
DWCP_WEAK(Session_get_num_psets)

int PMPI_Session_get_nth_pset(MPI_Session session, MPI_Info info, int n, int *pset_len,
                              char *pset_name)
{
    const char *fn = "MPI_Session_get_nth_pset";
    (void)info;
    SESSION_ENTER(fn, session, s);
    if (n < 0 || n >= NPSETS || pset_len == NULL || *pset_len < 0 ||
        (*pset_len > 0 && pset_name == NULL)) {
        return serr(fn, s->errhandler, MPI_ERR_ARG, "invalid pset index, length or buffer");
    }
    /* *pset_len is the buffer size (NUL included); 0 asks for the length only */
    if (*pset_len > 0) {
        snprintf(pset_name, (size_t)*pset_len, "%s", pset_names[n]);
    }
    *pset_len = (int)strlen(pset_names[n]) + 1;
    return MPI_SUCCESS;
}
DWCP_WEAK(Session_get_nth_pset)

/* Index of process set @p name, or -1. */
static int pset_index(const char *name)
{
    int i;
    for (i = 0; name != NULL && i < NPSETS; i++) {
        if (strcasecmp(name, pset_names[i]) == 0) {
            return i;
        }
    }
    return -1;
}

int PMPI_Session_get_pset_info(MPI_Session session, const char *pset_name, MPI_Info *info)
{
    const char *fn = "MPI_Session_get_pset_info";
    SESSION_ENTER(fn, session, s);
    int p = pset_index(pset_name);
    if (p < 0 || info == NULL) {
        return serr(fn, s->errhandler, MPI_ERR_ARG,
                    p < 0 ? "unknown process set name" : "NULL info");
    }
    char buf[32];
    snprintf(buf, sizeof(buf), "%d", p == 0 ? dwcp_g.size : 1);
    dwcp_info_t *i = dwcp_info_new();
    if (i == NULL || dwcp_info_set(i, "mpi_size", buf) != DWCS_OK) {
        dwcp_info_destroy(i);
        return serr(fn, s->errhandler, MPI_ERR_NO_MEM, "no memory");
    }
    *info = i->handle;
    return MPI_SUCCESS;
}
DWCP_WEAK(Session_get_pset_info)

int PMPI_Group_from_session_pset(MPI_Session session, const char *pset_name,
                                 MPI_Group *newgroup)
{
    const char *fn = "MPI_Group_from_session_pset";
    SESSION_ENTER(fn, session, s);
    int p = pset_index(pset_name);
    if (p < 0 || newgroup == NULL) {
        return serr(fn, s->errhandler, MPI_ERR_ARG,
                    p < 0 ? "unknown process set name" : "NULL newgroup");
    }
    dwcp_group_t *src = p == 0 ? dwcp_g.world->group : dwcp_g.self->group;
    dwcp_group_t *g = dwcp_group_create(src->size, src->world);
    if (g == NULL || dwcp_group_publish(g, newgroup) != MPI_SUCCESS) {
        dwcp_group_release(g);
        return serr(fn, s->errhandler, MPI_ERR_NO_MEM, "no memory");
    }
    return MPI_SUCCESS;
}
DWCP_WEAK(Group_from_session_pset)

/* Tag for a string tag: FNV-1a folded into 0..DWCP_TAG_UB. */
static int tag_of(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s != '\0'; s++) {
        h = (h ^ (unsigned char)*s) * 16777619u;
    }
    return (int)(h & DWCP_TAG_UB);
}

int PMPI_Comm_create_from_group(MPI_Group group, const char *stringtag, MPI_Info info,
                                MPI_Errhandler errhandler, MPI_Comm *newcomm)
{
    const char *fn = "MPI_Comm_create_from_group";
    (void)info;
    int errh = errhandler == MPI_ERRORS_RETURN ? MPI_ERRORS_RETURN : MPI_ERRORS_ARE_FATAL;
    if (!dwcp_g.initialized || dwcp_g.finalized) {
        return serr(fn, errh, MPI_ERR_OTHER, "no session or MPI_Init is active");
    }
    int held __attribute__((cleanup(dwcp_lock_leave), unused)) = dwcp_lock_enter();
    dwcp_group_t *g = dwcp_htab_get(&dwcp_g.groups, group);
    if (g == NULL) {
        return serr(fn, errh, MPI_ERR_GROUP, "invalid group handle");
    }
    if (stringtag == NULL || newcomm == NULL || strlen(stringtag) >= MPI_MAX_STRINGTAG_LEN) {
        return serr(fn, errh, MPI_ERR_ARG, "invalid string tag or NULL newcomm");
    }
    if (errhandler != MPI_ERRHANDLER_NULL) {
        dwcp_errh_t *e = dwcp_htab_get(&dwcp_g.errhs, errhandler);
        if (e == NULL || e->kind != DWCP_ERRH_COMM) {
            return serr(fn, errh, MPI_ERR_ARG, "invalid communicator error handler");
        }
    }
    int i, me = -1;
    for (i = 0; i < g->size; i++) {
        if (g->world[i] == dwcp_g.rank) {
            me = i;
        }
    }
    if (me < 0) {
        return serr(fn, errh, MPI_ERR_GROUP, "the calling process is not in the group");
    }
    dwcp_comm_t *n = NULL;
    dwcs_status_t st = dwcp_comm_create_group(dwcp_g.world, g, tag_of(stringtag), &n);
    if (st != DWCS_OK || n == NULL) {
        return serr(fn, errh, st == DWCS_OK ? MPI_ERR_INTERN : dwcp_status_to_class(st),
                    dwcs_status_string(st));
    }
    /* the new communicator gets the given handler (MPI_ERRORS_ARE_FATAL when NULL) */
    int rc = PMPI_Comm_set_errhandler(n->handle, errhandler != MPI_ERRHANDLER_NULL
                                                     ? errhandler
                                                     : MPI_ERRORS_ARE_FATAL);
    if (rc != MPI_SUCCESS) {
        return rc;
    }
    *newcomm = n->handle;
    return MPI_SUCCESS;
}
DWCP_WEAK(Comm_create_from_group)
