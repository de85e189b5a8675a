/*
 * env_info: MPI_Info create/set/get/get_valuelen/get_nkeys/get_nthkey/
 * delete/dup/free, overwrite of a key, value truncation to valuelen,
 * MPI_INFO_ENV queryable, and error classes for MPI_INFO_NULL, missing
 * keys, over-long keys and out-of-range nthkey (with MPI_ERRORS_RETURN).
 */
#include "mptest.h"

static void check_get(MPI_Info info, const char *key, const char *want)
{
    char val[MPI_MAX_INFO_VAL + 1];
    int flag = -1, len = -1;

    memset(val, 0, sizeof(val));
    CHECK_MPI(MPI_Info_get(info, key, MPI_MAX_INFO_VAL, val, &flag));
    if (want == NULL) {
        CHECK_EQ(flag, 0, key);
        CHECK_MPI(MPI_Info_get_valuelen(info, key, &len, &flag));
        CHECK_EQ(flag, 0, "valuelen flag for missing key");
        return;
    }
    CHECK(flag == 1, "key '%s' not found", key);
    CHECK(strcmp(val, want) == 0, "key '%s': expected '%s', got '%s'", key,
          want, val);
    CHECK_MPI(MPI_Info_get_valuelen(info, key, &len, &flag));
    CHECK_EQ(flag, 1, "valuelen flag");
    CHECK_EQ(len, strlen(want), "MPI_Info_get_valuelen");
}

int main(int argc, char **argv)
{
    MPI_Info info, dup, nul = MPI_INFO_NULL;
    int n = -1, flag, i, seen[3] = {0, 0, 0};
    char key[MPI_MAX_INFO_KEY + 1], val[MPI_MAX_INFO_VAL + 1];
    char longkey[MPI_MAX_INFO_KEY + 16];

    mpt_init(&argc, &argv, 1);
    CHECK_MPI(MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN));
    CHECK_MPI(MPI_Comm_set_errhandler(MPI_COMM_SELF, MPI_ERRORS_RETURN));

    CHECK_MPI(MPI_Info_create(&info));
    CHECK(info != MPI_INFO_NULL, "MPI_Info_create gave MPI_INFO_NULL");
    CHECK_MPI(MPI_Info_get_nkeys(info, &n));
    CHECK_EQ(n, 0, "nkeys of a new info");
    check_get(info, "alpha", NULL);

    CHECK_MPI(MPI_Info_set(info, "alpha", "1"));
    CHECK_MPI(MPI_Info_set(info, "beta", "two words"));
    CHECK_MPI(MPI_Info_set(info, "gamma", "x"));
    CHECK_MPI(MPI_Info_set(info, "alpha", "one")); /* overwrite */
    CHECK_MPI(MPI_Info_get_nkeys(info, &n));
    CHECK_EQ(n, 3, "nkeys after 4 sets of 3 keys");
    check_get(info, "alpha", "one");
    check_get(info, "beta", "two words");
    check_get(info, "gamma", "x");

    for (i = 0; i < n; i++) {
        memset(key, 0, sizeof(key));
        CHECK_MPI(MPI_Info_get_nthkey(info, i, key));
        if (strcmp(key, "alpha") == 0) {
            seen[0]++;
        } else if (strcmp(key, "beta") == 0) {
            seen[1]++;
        } else if (strcmp(key, "gamma") == 0) {
            seen[2]++;
        } else {
            MPT_FAIL("nthkey(%d) gave unknown key '%s'", i, key);
        }
    }
    CHECK(seen[0] == 1 && seen[1] == 1 && seen[2] == 1,
          "nthkey did not give each key once: %d %d %d", seen[0], seen[1],
          seen[2]);

    /* Truncation: valuelen 3 gives the first 3 characters. */
    memset(val, 'Z', sizeof(val));
    CHECK_MPI(MPI_Info_get(info, "beta", 3, val, &flag));
    CHECK_EQ(flag, 1, "flag for truncated get");
    CHECK(strncmp(val, "two", 3) == 0, "truncated value '%.3s'", val);

    /* Dup is a deep copy. */
    CHECK_MPI(MPI_Info_dup(info, &dup));
    CHECK_MPI(MPI_Info_set(info, "gamma", "changed"));
    CHECK_MPI(MPI_Info_delete(info, "beta"));
    check_get(dup, "gamma", "x");
    check_get(dup, "beta", "two words");
    check_get(info, "beta", NULL);
    CHECK_MPI(MPI_Info_get_nkeys(dup, &n));
    CHECK_EQ(n, 3, "nkeys of dup");
    CHECK_MPI(MPI_Info_get_nkeys(info, &n));
    CHECK_EQ(n, 2, "nkeys after delete");

    /* Errors. */
    CHECK_ERRCLASS(MPI_Info_delete(info, "beta"), MPI_ERR_INFO_NOKEY);
    /* The standard names no class for n out of range; Open MPI gives
     * MPI_ERR_INFO_KEY, MPI_ERR_ARG is the natural one. */
    CHECK_ERRCLASS2(MPI_Info_get_nthkey(info, 2, key), MPI_ERR_ARG,
                    MPI_ERR_INFO_KEY);
    CHECK_ERRCLASS2(MPI_Info_get_nthkey(info, -1, key), MPI_ERR_ARG,
                    MPI_ERR_INFO_KEY);
    memset(longkey, 'k', sizeof(longkey));
    longkey[sizeof(longkey) - 1] = '\0';
    CHECK_ERRCLASS(MPI_Info_set(info, longkey, "v"), MPI_ERR_INFO_KEY);
    CHECK_ERRCLASS(MPI_Info_get_nkeys(nul, &n), MPI_ERR_INFO);
    CHECK_ERRCLASS(MPI_Info_set(nul, "a", "b"), MPI_ERR_INFO);
    CHECK_ERRCLASS(MPI_Info_get(nul, "a", 10, val, &flag), MPI_ERR_INFO);
    CHECK_ERRCLASS(MPI_Info_dup(nul, &dup), MPI_ERR_INFO);
    CHECK_ERRCLASS(MPI_Info_free(&nul), MPI_ERR_INFO);

    CHECK_MPI(MPI_Info_free(&info));
    CHECK(info == MPI_INFO_NULL, "MPI_Info_free did not set MPI_INFO_NULL");
    CHECK_MPI(MPI_Info_free(&dup));
    CHECK(dup == MPI_INFO_NULL, "MPI_Info_free did not set MPI_INFO_NULL");

    /* MPI_INFO_ENV exists and can be read (its keys are optional). */
    CHECK(MPI_INFO_ENV != MPI_INFO_NULL, "MPI_INFO_ENV is MPI_INFO_NULL");
    CHECK_MPI(MPI_Info_get_nkeys(MPI_INFO_ENV, &n));
    CHECK(n >= 0, "nkeys of MPI_INFO_ENV = %d", n);
    for (i = 0; i < n; i++) {
        CHECK_MPI(MPI_Info_get_nthkey(MPI_INFO_ENV, i, key));
        CHECK_MPI(MPI_Info_get(MPI_INFO_ENV, key, MPI_MAX_INFO_VAL, val,
                               &flag));
        CHECK(flag == 1, "MPI_INFO_ENV key '%s' listed but not found", key);
    }
    /* Many keys. */
    CHECK_MPI(MPI_Info_create(&info));
    for (i = 0; i < 200; i++) {
        snprintf(key, sizeof(key), "key%03d", i);
        snprintf(val, sizeof(val), "value-%d", i * 7);
        CHECK_MPI(MPI_Info_set(info, key, val));
    }
    CHECK_MPI(MPI_Info_get_nkeys(info, &n));
    CHECK_EQ(n, 200, "nkeys after 200 sets");
    for (i = 0; i < 200; i += 17) {
        char want[32];
        snprintf(key, sizeof(key), "key%03d", i);
        snprintf(want, sizeof(want), "value-%d", i * 7);
        check_get(info, key, want);
    }
    CHECK_MPI(MPI_Info_free(&info));
    return mpt_finish();
}
