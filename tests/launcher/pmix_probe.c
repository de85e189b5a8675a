/*
 * pmix_probe.c — a rank program for tests/launcher/run.sh that bootstraps through PMIx the way
 * libdwcpmpi does: init, put/commit a value, fence, read every peer's value, and print
 * "pmix rank=R size=N nspace=NS site=S peers=ok" (or an error). Exits 1 on any PMIx error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pmix.h>

int main(void)
{
    pmix_proc_t me, peer, wild;
    pmix_value_t val, *got = NULL;
    pmix_info_t info;
    pmix_status_t rc;
    char key[] = "dwcl.test", mine[64];
    const char *site = getenv("DWCP_SITE");
    uint32_t size = 0;
    int bad = 0;

    rc = PMIx_Init(&me, NULL, 0);
    if (rc != PMIX_SUCCESS) {
        printf("pmix init failed: %s\n", PMIx_Error_string(rc));
        return 1;
    }
    PMIX_PROC_CONSTRUCT(&wild);
    PMIX_LOAD_PROCID(&wild, me.nspace, PMIX_RANK_WILDCARD);
    if (PMIx_Get(&wild, PMIX_JOB_SIZE, NULL, 0, &got) != PMIX_SUCCESS || got == NULL) {
        printf("pmix rank=%u: no job size\n", me.rank);
        PMIx_Finalize(NULL, 0);
        return 1;
    }
    size = got->data.uint32;
    PMIX_VALUE_RELEASE(got);

    snprintf(mine, sizeof(mine), "rank%u@%s", me.rank, site ? site : "-");
    val.type = PMIX_STRING;
    val.data.string = mine;
    if (PMIx_Put(PMIX_GLOBAL, key, &val) != PMIX_SUCCESS || PMIx_Commit() != PMIX_SUCCESS) {
        printf("pmix rank=%u: put/commit failed\n", me.rank);
        bad = 1;
    }
    PMIX_INFO_LOAD(&info, PMIX_COLLECT_DATA, &(int){1}, PMIX_BOOL);
    rc = PMIx_Fence(&wild, 1, &info, 1);
    if (rc != PMIX_SUCCESS) {
        printf("pmix rank=%u: fence failed: %s\n", me.rank, PMIx_Error_string(rc));
        bad = 1;
    }
    for (uint32_t r = 0; r < size && !bad; r++) {
        char want[16];
        PMIX_LOAD_PROCID(&peer, me.nspace, r);
        got = NULL;
        snprintf(want, sizeof(want), "rank%u@", r);
        if (PMIx_Get(&peer, key, NULL, 0, &got) != PMIX_SUCCESS || got == NULL ||
            got->type != PMIX_STRING || strncmp(got->data.string, want, strlen(want)) != 0) {
            printf("pmix rank=%u: bad value from rank %u\n", me.rank, r);
            bad = 1;
        }
        if (got != NULL) {
            PMIX_VALUE_RELEASE(got);
        }
    }
    if (!bad) {
        printf("pmix rank=%u size=%u nspace=%s site=%s peers=ok\n", me.rank, size, me.nspace,
               site ? site : "-");
    }
    fflush(stdout);
    PMIx_Finalize(NULL, 0);
    return bad;
}
