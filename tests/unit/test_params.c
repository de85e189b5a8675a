/* Unit tests of the typed parameter tables (common/dwcs_params.c). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dwcs_params.h"

typedef struct cfg {
    int n;
    size_t sz;
    int flag;
    double t;
    char *s;
    int e;
} cfg_t;

static const dwcs_param_t params[] = {
    {"tp_n", DWCS_PARAM_INT, "7", "an int", 1, NULL, offsetof(cfg_t, n)},
    {"tp_sz", DWCS_PARAM_SIZE, "4k", "a size", 1, NULL, offsetof(cfg_t, sz)},
    {"tp_flag", DWCS_PARAM_BOOL, "no", "a bool", 1, NULL, offsetof(cfg_t, flag)},
    {"tp_t", DWCS_PARAM_TIME, "250ms", "a time", 1, NULL, offsetof(cfg_t, t)},
    {"tp_s", DWCS_PARAM_STRING, "hello", "a string", 1, NULL, offsetof(cfg_t, s)},
    {"tp_e", DWCS_PARAM_ENUM, "ucx", "an enum", 1, "auto,ucx,amst", offsetof(cfg_t, e)},
};
static dwcs_param_table_t table = {"test", params, 6, NULL};

static void clean_env(void)
{
    const char *names[] = {"DWCP_TP_N", "OMPI_MCA_dwcp_tp_n", "DWCP_TP_SZ", "DWCP_TP_FLAG",
                           "DWCP_TP_T", "DWCP_TP_S", "DWCP_TP_E", "OMPI_MCA_dwcp_tp_e",
                           "DWCP_PARAMS_FILE"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        unsetenv(names[i]);
    }
    setenv("HOME", "/nonexistent-dwcp-home", 1);
}

TestSuite(params, .init = clean_env);

Test(params, defaults_are_parsed)
{
    cfg_t c;
    char err[256];
    memset(&c, 0, sizeof(c));
    cr_assert_eq(dwcs_params_load(&table, &c, err, sizeof(err)), DWCS_OK, "%s", err);
    cr_expect_eq(c.n, 7);
    cr_expect_eq(c.sz, 4096);
    cr_expect_eq(c.flag, 0);
    cr_expect_float_eq(c.t, 0.25, 1e-12);
    cr_expect_str_eq(c.s, "hello");
    cr_expect_eq(c.e, 1);
    dwcs_params_release(&table, &c);
    cr_expect_null(c.s);
}

Test(params, precedence_env_over_mca_over_file)
{
    cfg_t c;
    char err[256], path[] = "/tmp/dwcp-params-XXXXXX";
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fprintf(f, "# comment\ndwcp_tp_n = 11\ntp_e = amst\n");
    fclose(f);
    setenv("DWCP_PARAMS_FILE", path, 1);
    memset(&c, 0, sizeof(c));
    cr_assert_eq(dwcs_params_load(&table, &c, err, sizeof(err)), DWCS_OK, "%s", err);
    cr_expect_eq(c.n, 11, "file value");
    cr_expect_eq(c.e, 2, "file enum");
    dwcs_params_release(&table, &c);

    setenv("OMPI_MCA_dwcp_tp_n", "12", 1);
    cr_assert_eq(dwcs_params_load(&table, &c, err, sizeof(err)), DWCS_OK, "%s", err);
    cr_expect_eq(c.n, 12, "MCA beats file");
    dwcs_params_release(&table, &c);

    setenv("DWCP_TP_N", "13", 1);
    cr_assert_eq(dwcs_params_load(&table, &c, err, sizeof(err)), DWCS_OK, "%s", err);
    cr_expect_eq(c.n, 13, "env beats MCA");
    const char *v;
    cr_expect_eq(dwcs_params_lookup("tp_n", "7", &v), DWCS_PARAM_SRC_ENV);
    dwcs_params_release(&table, &c);
    unlink(path);
}

Test(params, units)
{
    const dwcs_param_t *sz = &params[1], *t = &params[3], *b = &params[2];
    size_t s;
    double d;
    int flag;
    cr_expect_eq(dwcs_param_parse(sz, "2m", &s), DWCS_OK);
    cr_expect_eq(s, 2u << 20);
    cr_expect_eq(dwcs_param_parse(sz, "1G", &s), DWCS_OK);
    cr_expect_eq(s, 1u << 30);
    cr_expect_eq(dwcs_param_parse(sz, "17", &s), DWCS_OK);
    cr_expect_eq(s, 17);
    cr_expect_eq(dwcs_param_parse(t, "30us", &d), DWCS_OK);
    cr_expect_float_eq(d, 30e-6, 1e-15);
    cr_expect_eq(dwcs_param_parse(t, "2", &d), DWCS_OK);
    cr_expect_float_eq(d, 2.0, 1e-15);
    cr_expect_eq(dwcs_param_parse(b, "on", &flag), DWCS_OK);
    cr_expect_eq(flag, 1);
    cr_expect_eq(dwcs_param_parse(b, "FALSE", &flag), DWCS_OK);
    cr_expect_eq(flag, 0);
}

Test(params, bad_values_name_the_parameter_and_source)
{
    cfg_t c;
    char err[256];
    memset(&c, 0, sizeof(c));
    setenv("OMPI_MCA_dwcp_tp_e", "carrier-pigeon", 1);
    cr_assert_eq(dwcs_params_load(&table, &c, err, sizeof(err)), DWCS_ERR_INVALID_PARAM);
    cr_expect(strstr(err, "dwcp_tp_e") != NULL, "message: %s", err);
    cr_expect(strstr(err, "carrier-pigeon") != NULL, "message: %s", err);
    cr_expect(strstr(err, "mca") != NULL, "message: %s", err);
    cr_expect(strstr(err, "auto,ucx,amst") != NULL, "message: %s", err);
    dwcs_params_release(&table, &c);
    unsetenv("OMPI_MCA_dwcp_tp_e");
    setenv("DWCP_TP_N", "12abc", 1);
    cr_expect_eq(dwcs_params_load(&table, &c, err, sizeof(err)), DWCS_ERR_INVALID_PARAM);
    setenv("DWCP_TP_N", "99999999999", 1);
    cr_expect_eq(dwcs_params_load(&table, &c, err, sizeof(err)), DWCS_ERR_INVALID_PARAM);
    dwcs_params_release(&table, &c);
}
