/*
 * place_test.c — checks of dwcl_place_block (launcher/dwcl_place.c), built and run by run.sh.
 * Prints PASS/FAIL lines; exits with the number of failures.
 */
#include <stdio.h>
#include <string.h>

#include "dwcl_place.h"

static int nfail;

static void check(const char *what, int np, const int *slots, int nsites, int over, int want_rc,
                  const int *want)
{
    int counts[8] = {-1, -1, -1, -1, -1, -1, -1, -1};
    char err[256] = "";
    int rc = dwcl_place_block(np, slots, nsites, over, counts, err, sizeof(err));
    int ok = (rc == want_rc);

    if (ok && rc == 0) {
        ok = memcmp(counts, want, (size_t)nsites * sizeof(int)) == 0;
    }
    if (ok && rc != 0) {
        ok = err[0] != '\0' && counts[0] == -1; /* message given, output untouched */
    }
    printf("%s: place %s", ok ? "PASS" : "FAIL", what);
    if (!ok) {
        printf(" (rc=%d err='%s' counts=", rc, err);
        for (int i = 0; i < nsites; i++) {
            printf("%s%d", i ? "," : "", counts[i]);
        }
        printf(")");
        nfail++;
    }
    printf("\n");
}

int main(void)
{
    const int s23[] = {2, 3}, s111[] = {1, 1, 1}, s0[] = {2, 0};

    check("4 ranks on 2+3 slots = 2,2", 4, s23, 2, 0, 0, (const int[]){2, 2});
    check("5 ranks on 2+3 slots = 2,3", 5, s23, 2, 0, 0, (const int[]){2, 3});
    check("1 rank on 2+3 slots = 1,0", 1, s23, 2, 0, 0, (const int[]){1, 0});
    check("6 ranks on 5 slots refused", 6, s23, 2, 0, -1, NULL);
    check("7 ranks on 2+3 oversubscribed = 4,3", 7, s23, 2, 1, 0, (const int[]){4, 3});
    check("12 ranks on 2+3 oversubscribed = 6,6", 12, s23, 2, 1, 0, (const int[]){6, 6});
    check("3 ranks on 1+1+1 = 1,1,1", 3, s111, 3, 0, 0, (const int[]){1, 1, 1});
    check("0 ranks refused", 0, s23, 2, 0, -1, NULL);
    check("no sites refused", 1, s23, 0, 0, -1, NULL);
    check("a site with 0 slots refused", 1, s0, 2, 1, -1, NULL);
    return nfail;
}
