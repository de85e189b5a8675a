/*
 * dwcl_place.c — block placement of ranks on sites (see dwcl_place.h).
 */
#include <stdio.h>
#include <stdlib.h>

#include "dwcl_place.h"

int dwcl_place_block(int np, const int *slots, int nsites, int oversubscribe, int *counts,
                     char *err, size_t errlen)
{
    long total = 0;
    int left = np;
    int *c;

    if (np < 1) {
        snprintf(err, errlen, "the number of ranks must be at least 1 (got %d)", np);
        return -1;
    }
    if (nsites < 1) {
        snprintf(err, errlen, "the sites file declares no site");
        return -1;
    }
    for (int i = 0; i < nsites; i++) {
        if (slots[i] < 1) {
            snprintf(err, errlen, "site %d has %d slots (must be at least 1)", i, slots[i]);
            return -1;
        }
        total += slots[i];
    }
    if (np > total && !oversubscribe) {
        snprintf(err, errlen,
                 "%d ranks but the sites have only %ld slots in total "
                 "(add slots in the sites file, or use --oversubscribe)",
                 np, total);
        return -1;
    }
    c = calloc((size_t)nsites, sizeof(*c));
    if (c == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    /* Each pass takes at least one rank (slots >= 1), so this loop ends. */
    while (left > 0) {
        for (int i = 0; i < nsites && left > 0; i++) {
            int take = slots[i] < left ? slots[i] : left;
            c[i] += take;
            left -= take;
        }
    }
    for (int i = 0; i < nsites; i++) {
        counts[i] = c[i];
    }
    free(c);
    return 0;
}
