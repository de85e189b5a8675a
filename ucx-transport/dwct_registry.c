/* The table of built-in transport plugins. */
#include <string.h>

#include "dwct.h"

const dwct_ops_t *dwct_ops_find(const char *name)
{
    static const dwct_ops_t *const all[] = {&dwct_self_ops, &dwct_ucx_ops, &dwct_amst_ops};
    size_t i;
    for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        if (strcmp(all[i]->name, name) == 0) {
            return all[i];
        }
    }
    return NULL;
}
