/* MPI-4 Info additions: Info routines before MPI_Init and after MPI_Finalize (objects made
 * before init survive it and finalize), MPI_Info_get_string (buflen counts the NUL, value
 * truncated, untouched when the key is missing or buflen is 0) and MPI_Info_create_env
 * (same keys before and after MPI_Init, command and argv from the arguments given). */
#include "mptest.h"

static void check_value(MPI_Info info, const char *key, const char *exp)
{
    char v[MPI_MAX_INFO_VAL + 1];
    int len = (int)sizeof(v), flag = 0;
    CHECK_MPI(MPI_Info_get_string(info, key, &len, v, &flag));
    CHECK(flag, "key '%s' missing", key);
    CHECK(strcmp(v, exp) == 0, "key '%s' = '%s', expected '%s'", key, v, exp);
    CHECK_EQ(len, (int)strlen(exp) + 1, "buflen after get_string");
}

static void t_get_string(void)
{
    MPI_Info info;
    char v[16];
    int len, flag;
    CHECK_MPI(MPI_Info_create(&info));
    CHECK_MPI(MPI_Info_set(info, "alpha", "0123456789"));
    /* missing key: flag 0, value and buflen unchanged */
    memset(v, 'C', sizeof(v));
    len = 5;
    CHECK_MPI(MPI_Info_get_string(info, "nokey", &len, v, &flag));
    CHECK(!flag, "missing key reported present");
    CHECK(v[0] == 'C' && len == 5, "missing key changed value or buflen");
    /* buflen 0: length query only */
    len = 0;
    CHECK_MPI(MPI_Info_get_string(info, "alpha", &len, v, &flag));
    CHECK(flag && len == 11 && v[0] == 'C', "buflen 0: flag %d len %d", flag, len);
    /* truncated to buflen - 1 characters and NUL-terminated */
    len = 4;
    CHECK_MPI(MPI_Info_get_string(info, "alpha", &len, v, &flag));
    CHECK(flag && strcmp(v, "012") == 0 && len == 11, "truncated: '%s' len %d", v, len);
    check_value(info, "alpha", "0123456789");
    CHECK_MPI(MPI_Info_free(&info));
}

static void t_env_equal(MPI_Info a, MPI_Info b)
{
    static const char *keys[] = {"command", "argv", "maxprocs", "soft", "host", "arch", "wdir",
                                 "file", "thread_level"};
    size_t i;
    for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        char va[MPI_MAX_INFO_VAL + 1], vb[MPI_MAX_INFO_VAL + 1];
        int la = (int)sizeof(va), lb = (int)sizeof(vb), fa, fb;
        CHECK_MPI(MPI_Info_get_string(a, keys[i], &la, va, &fa));
        CHECK_MPI(MPI_Info_get_string(b, keys[i], &lb, vb, &fb));
        CHECK(fa == fb && (!fa || strcmp(va, vb) == 0), "create_env key '%s' differs", keys[i]);
    }
}

int main(int argc, char **argv)
{
    MPI_Info early, env_before, env_after, dup;
    char *args[] = {"prog", "one", "two", NULL};
    int flag, nkeys;

    /* before MPI_Init */
    CHECK_MPI(MPI_Info_create(&early));
    CHECK_MPI(MPI_Info_set(early, "stage", "pre-init"));
    CHECK_MPI(MPI_Info_dup(early, &dup));
    CHECK_MPI(MPI_Info_get_nkeys(dup, &nkeys));
    CHECK_EQ(nkeys, 1, "keys in a dup made before init");
    CHECK_MPI(MPI_Info_free(&dup));
    CHECK_MPI(MPI_Info_create_env(3, args, &env_before));
    check_value(env_before, "command", "prog");
    check_value(env_before, "argv", "one two");
    t_get_string();

    mpt_init(&argc, &argv, 1);
    check_value(early, "stage", "pre-init");
    CHECK_MPI(MPI_Info_set(early, "stage", "initialised"));
    CHECK_MPI(MPI_Info_create_env(3, args, &env_after));
    t_env_equal(env_before, env_after);
    CHECK_MPI(MPI_Info_free(&env_after));
    t_get_string();
    /* MPI_INFO_ENV is still answered */
    CHECK_MPI(MPI_Info_get_nkeys(MPI_INFO_ENV, &nkeys));
    CHECK(nkeys >= 1, "MPI_INFO_ENV is empty");
    MPI_Barrier(MPI_COMM_WORLD);
    CHECK_MPI(MPI_Finalize());

    /* after MPI_Finalize */
    check_value(early, "stage", "initialised");
    CHECK_MPI(MPI_Info_delete(early, "stage"));
    CHECK_MPI(MPI_Info_get_nkeys(early, &nkeys));
    CHECK_EQ(nkeys, 0, "keys after delete");
    CHECK_MPI(MPI_Info_create_env(3, args, &env_after));
    t_env_equal(env_before, env_after);
    CHECK_MPI(MPI_Info_get_valuelen(env_after, "command", &nkeys, &flag));
    CHECK(flag && nkeys == 4, "valuelen of command after finalize");
    t_get_string();
    CHECK_MPI(MPI_Info_free(&env_after));
    CHECK_MPI(MPI_Info_free(&env_before));
    CHECK_MPI(MPI_Info_free(&early));
    if (mpt_rank == 0) {
        printf("No Errors\n");
    }
    return 0;
}
