/*
 * sites.c - parser for the DWCP-MPI sites file (see sites.h and
 * docs/sites-file.md).
 */
#include "sites.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_TOKENS 64
#define MAX_FILE_BYTES (4 * 1024 * 1024)

/* A `link` line kept until all sites are known. */
typedef struct pending_link {
    char a[DWCL_SITES_NAME_MAX + 1];
    char b[DWCL_SITES_NAME_MAX + 1];
    int directed;
    int line;
    dwcl_link_params_t p;
} pending_link_t;

typedef struct parse_ctx {
    const char *name;
    char *err;
    size_t errlen;
    dwcl_sites_t *s;
    pending_link_t *links;
    int nlinks;
    int caplinks;
    int have_default;
} parse_ctx_t;

static int fail(parse_ctx_t *c, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(parse_ctx_t *c, int line, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (c->err != NULL && c->errlen > 0) {
        if (line > 0) {
            snprintf(c->err, c->errlen, "%s:%d: %s", c->name, line, msg);
        } else {
            snprintf(c->err, c->errlen, "%s: %s", c->name, msg);
        }
    }
    return -1;
}

/* Parse a non-negative decimal number; *end points past it. */
static int parse_number(const char *s, double *v, const char **end)
{
    char *e;

    if (!isdigit((unsigned char)s[0]) && s[0] != '.') {
        return -1;
    }
    errno = 0;
    *v = strtod(s, &e);
    if (e == s || errno != 0 || !isfinite(*v) || *v < 0) {
        return -1;
    }
    *end = e;
    return 0;
}

int dwcl_sites_parse_time(const char *s, uint64_t default_unit_ns, uint64_t *ns)
{
    static const struct { const char *u; double mult; } units[] = {
        {"ns", 1.0}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}, {"sec", 1e9},
        {"min", 60e9},
    };
    const char *u;
    double v, mult = 0;

    if (s == NULL || parse_number(s, &v, &u) != 0) {
        return -1;
    }
    if (*u == '\0') {
        if (default_unit_ns == 0) {
            return -1;
        }
        mult = (double)default_unit_ns;
    } else {
        for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
            if (strcasecmp(u, units[i].u) == 0) {
                mult = units[i].mult;
            }
        }
    }
    if (mult == 0 || v * mult > 1e18) {
        return -1;
    }
    *ns = (uint64_t)llround(v * mult);
    return 0;
}

int dwcl_sites_parse_rate(const char *s, uint64_t *bps)
{
    static const struct { const char *u; double mult; } units[] = {
        {"", 1}, {"bit", 1}, {"bps", 1},
        {"k", 1e3}, {"kbit", 1e3}, {"kbps", 1e3},
        {"m", 1e6}, {"mbit", 1e6}, {"mbps", 1e6},
        {"g", 1e9}, {"gbit", 1e9}, {"gbps", 1e9},
        {"t", 1e12}, {"tbit", 1e12},
    };
    const char *u;
    double v, mult = 0;

    if (s == NULL || parse_number(s, &v, &u) != 0) {
        return -1;
    }
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        if (strcasecmp(u, units[i].u) == 0) {
            mult = units[i].mult;
        }
    }
    if (mult == 0 || v * mult > 1e15) {
        return -1;
    }
    *bps = (uint64_t)llround(v * mult);
    return 0;
}

int dwcl_sites_parse_loss(const char *s, double *p)
{
    const char *u;
    double v;

    if (s == NULL || parse_number(s, &v, &u) != 0) {
        return -1;
    }
    if (strcmp(u, "%") == 0) {
        v /= 100.0;
    } else if (*u != '\0') {
        return -1;
    }
    if (v > 1.0) {
        return -1;
    }
    *p = v;
    return 0;
}

int dwcl_sites_parse_queue(const char *s, double *bdp, uint64_t *bytes)
{
    static const struct { const char *u; double mult; } units[] = {
        {"", 1}, {"b", 1}, {"k", 1024.0}, {"kb", 1024.0}, {"kib", 1024.0},
        {"m", 1048576.0}, {"mb", 1048576.0}, {"mib", 1048576.0},
        {"g", 1073741824.0}, {"gb", 1073741824.0}, {"gib", 1073741824.0},
    };
    const char *u;
    double v, mult = 0;

    if (s == NULL || parse_number(s, &v, &u) != 0) {
        return -1;
    }
    if (strcasecmp(u, "bdp") == 0) {
        if (v <= 0 || v > 1000) {
            return -1;
        }
        *bdp = v;
        *bytes = 0;
        return 0;
    }
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        if (strcasecmp(u, units[i].u) == 0) {
            mult = units[i].mult;
        }
    }
    if (mult == 0 || v * mult < 1 || v * mult > 1e12) {
        return -1;
    }
    *bdp = 0;
    *bytes = (uint64_t)llround(v * mult);
    return 0;
}

static int valid_name(const char *n)
{
    size_t len = strlen(n);

    if (len == 0 || len > DWCL_SITES_NAME_MAX || !isalnum((unsigned char)n[0])) {
        return 0;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)n[i];
        if (!isalnum(ch) && ch != '-' && ch != '_' && ch != '.') {
            return 0;
        }
    }
    return strstr(n, "->") == NULL;
}

/* Parse "10s-12s[,20s-21s...]" into p->blackouts. Bare numbers are seconds. */
static int parse_blackouts(parse_ctx_t *c, int line, const char *val, dwcl_link_params_t *p)
{
    char buf[256];
    char *save = NULL;

    if (strlen(val) >= sizeof(buf)) {
        return fail(c, line, "blackout list too long: '%s'", val);
    }
    strcpy(buf, val);
    for (char *w = strtok_r(buf, ",", &save); w != NULL; w = strtok_r(NULL, ",", &save)) {
        char *dash = strchr(w, '-');
        uint64_t t1, t2;

        if (dash == NULL) {
            return fail(c, line, "blackout '%s' is not START-END (e.g. 10s-12s)", w);
        }
        *dash = '\0';
        if (dwcl_sites_parse_time(w, 1000000000ull, &t1) != 0 ||
            dwcl_sites_parse_time(dash + 1, 1000000000ull, &t2) != 0) {
            return fail(c, line, "blackout times in '%s-%s' are not durations", w, dash + 1);
        }
        if (t2 <= t1) {
            return fail(c, line, "blackout %s-%s ends before it starts", w, dash + 1);
        }
        if (p->nblackouts >= DWCL_SITES_BLACKOUT_MAX) {
            return fail(c, line, "more than %d blackouts on one link", DWCL_SITES_BLACKOUT_MAX);
        }
        p->blackouts[p->nblackouts].start_ns = t1;
        p->blackouts[p->nblackouts].end_ns = t2;
        p->nblackouts++;
    }
    p->set |= DWCL_LP_BLACKOUT;
    return 0;
}

/* Parse key=value link parameters tok[0..n). */
static int parse_params(parse_ctx_t *c, int line, char **tok, int n, dwcl_link_params_t *p)
{
    for (int i = 0; i < n; i++) {
        char *eq = strchr(tok[i], '=');
        const char *key = tok[i], *val;
        int bad = 0;

        if (eq == NULL || eq == tok[i] || eq[1] == '\0') {
            return fail(c, line, "expected key=value, got '%s'", tok[i]);
        }
        *eq = '\0';
        val = eq + 1;
        if (strcmp(key, "delay") == 0) {
            bad = dwcl_sites_parse_time(val, 0, &p->delay_ns);
            p->set |= DWCL_LP_DELAY;
        } else if (strcmp(key, "jitter") == 0) {
            bad = dwcl_sites_parse_time(val, 0, &p->jitter_ns);
            p->set |= DWCL_LP_JITTER;
        } else if (strcmp(key, "rate") == 0) {
            bad = dwcl_sites_parse_rate(val, &p->rate_bps);
            p->set |= DWCL_LP_RATE;
        } else if (strcmp(key, "loss") == 0) {
            bad = dwcl_sites_parse_loss(val, &p->loss);
            p->set |= DWCL_LP_LOSS;
        } else if (strcmp(key, "queue") == 0) {
            bad = dwcl_sites_parse_queue(val, &p->queue_bdp, &p->queue_bytes);
            p->set |= DWCL_LP_QUEUE;
        } else if (strcmp(key, "blackout") == 0) {
            if (parse_blackouts(c, line, val, p) != 0) {
                return -1;
            }
        } else {
            return fail(c, line, "unknown link parameter '%s' (known: delay, jitter, "
                        "rate, loss, queue, blackout)", key);
        }
        if (bad) {
            return fail(c, line, "bad value '%s' for %s", val, key);
        }
    }
    return 0;
}

static int add_site(parse_ctx_t *c, int line, char **tok, int n)
{
    dwcl_sites_t *s = c->s;
    dwcl_site_t *site, *grown;

    if (n < 2) {
        return fail(c, line, "'site' needs a name");
    }
    if (!valid_name(tok[1])) {
        return fail(c, line, "bad site name '%s' (1-%d chars of [A-Za-z0-9_.-], "
                    "starting with a letter or digit)", tok[1], DWCL_SITES_NAME_MAX);
    }
    if (dwcl_sites_find(s, tok[1]) >= 0) {
        return fail(c, line, "site '%s' already declared on line %d", tok[1],
                    s->sites[dwcl_sites_find(s, tok[1])].line);
    }
    if (s->nsites >= DWCL_SITES_MAX) {
        return fail(c, line, "more than %d sites", DWCL_SITES_MAX);
    }
    grown = realloc(s->sites, (size_t)(s->nsites + 1) * sizeof(*s->sites));
    if (grown == NULL) {
        return fail(c, line, "out of memory");
    }
    s->sites = grown;
    site = &s->sites[s->nsites++];
    memset(site, 0, sizeof(*site));
    strcpy(site->name, tok[1]);
    site->slots = 1;
    site->line = line;
    for (int i = 2; i < n; i++) {
        if (strncmp(tok[i], "slots=", 6) == 0) {
            char *e;
            long v;
            errno = 0;
            v = strtol(tok[i] + 6, &e, 10);
            if (errno != 0 || e == tok[i] + 6 || *e != '\0' || v < 1 || v > 1000000) {
                return fail(c, line, "bad slots value '%s' (a number >= 1)", tok[i] + 6);
            }
            site->slots = (int)v;
        } else if (strncmp(tok[i], "hosts=", 6) == 0) {
            char *save = NULL;
            for (char *h = strtok_r(tok[i] + 6, ",", &save); h != NULL;
                 h = strtok_r(NULL, ",", &save)) {
                char **hg = realloc(site->hosts, (size_t)(site->nhosts + 1) * sizeof(char *));
                if (hg == NULL) {
                    return fail(c, line, "out of memory");
                }
                site->hosts = hg;
                site->hosts[site->nhosts] = strdup(h);
                if (site->hosts[site->nhosts] == NULL) {
                    return fail(c, line, "out of memory");
                }
                site->nhosts++;
            }
            if (site->nhosts == 0) {
                return fail(c, line, "empty hosts= list");
            }
        } else {
            return fail(c, line, "unknown site attribute '%s' (known: slots=, hosts=)", tok[i]);
        }
    }
    return 0;
}

static int add_link(parse_ctx_t *c, int line, char **tok, int n)
{
    pending_link_t *l;
    const char *a, *b;
    int directed = 0, first_param;
    char *arrow = (n >= 2) ? strstr(tok[1], "->") : NULL;

    if (n < 2) {
        return fail(c, line, "'link' needs two sites: link A B ... or link A->B ...");
    }
    if (arrow != NULL) {            /* link A->B */
        *arrow = '\0';
        a = tok[1];
        b = arrow + 2;
        directed = 1;
        first_param = 2;
    } else if (n >= 4 && strcmp(tok[2], "->") == 0) { /* link A -> B */
        a = tok[1];
        b = tok[3];
        directed = 1;
        first_param = 4;
    } else if (n >= 3 && strchr(tok[2], '=') == NULL) { /* link A B */
        a = tok[1];
        b = tok[2];
        first_param = 3;
    } else {
        return fail(c, line, "'link' needs two sites: link A B ... or link A->B ...");
    }
    if (!valid_name(a) || !valid_name(b)) {
        return fail(c, line, "bad site name in link '%s' / '%s'", a, b);
    }
    if (strcmp(a, b) == 0) {
        return fail(c, line, "link from site '%s' to itself", a);
    }
    for (int i = 0; i < c->nlinks; i++) {
        pending_link_t *o = &c->links[i];
        int same = (strcmp(o->a, a) == 0 && strcmp(o->b, b) == 0);
        int rev = (strcmp(o->a, b) == 0 && strcmp(o->b, a) == 0);
        if (o->directed == directed && (same || (!directed && rev))) {
            return fail(c, line, "link %s%s%s already given on line %d", a,
                        directed ? "->" : " ", b, o->line);
        }
    }
    if (c->nlinks == c->caplinks) {
        int cap = c->caplinks ? 2 * c->caplinks : 16;
        pending_link_t *g = realloc(c->links, (size_t)cap * sizeof(*g));
        if (g == NULL) {
            return fail(c, line, "out of memory");
        }
        c->links = g;
        c->caplinks = cap;
    }
    l = &c->links[c->nlinks];
    memset(l, 0, sizeof(*l));
    strcpy(l->a, a);
    strcpy(l->b, b);
    l->directed = directed;
    l->line = line;
    if (parse_params(c, line, tok + first_param, n - first_param, &l->p) != 0) {
        return -1;
    }
    c->nlinks++;
    return 0;
}

/* Copy the fields set in src over dst. */
static void merge(dwcl_link_params_t *dst, const dwcl_link_params_t *src)
{
    if (src->set & DWCL_LP_DELAY) {
        dst->delay_ns = src->delay_ns;
    }
    if (src->set & DWCL_LP_JITTER) {
        dst->jitter_ns = src->jitter_ns;
    }
    if (src->set & DWCL_LP_RATE) {
        dst->rate_bps = src->rate_bps;
    }
    if (src->set & DWCL_LP_LOSS) {
        dst->loss = src->loss;
    }
    if (src->set & DWCL_LP_QUEUE) {
        dst->queue_bdp = src->queue_bdp;
        dst->queue_bytes = src->queue_bytes;
    }
    if (src->set & DWCL_LP_BLACKOUT) {
        dst->nblackouts = src->nblackouts;
        memcpy(dst->blackouts, src->blackouts, sizeof(dst->blackouts));
    }
    dst->set |= src->set;
}

static int resolve(parse_ctx_t *c)
{
    dwcl_sites_t *s = c->s;
    int n = s->nsites;

    if (n == 0) {
        return fail(c, 0, "no 'site' lines");
    }
    s->links = calloc((size_t)n * (size_t)n, sizeof(*s->links));
    if (s->links == NULL) {
        return fail(c, 0, "out of memory");
    }
    for (int i = 0; i < n * n; i++) {
        s->links[i].queue_bdp = 1.0; /* default queue: one BDP */
        merge(&s->links[i], &s->deflt);
    }
    /* Symmetric lines first, then directed ones override them field by field. */
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < c->nlinks; i++) {
            pending_link_t *l = &c->links[i];
            int a = dwcl_sites_find(s, l->a), b = dwcl_sites_find(s, l->b);
            if (l->directed != pass) {
                continue;
            }
            if (a < 0 || b < 0) {
                return fail(c, l->line, "link names unknown site '%s'", a < 0 ? l->a : l->b);
            }
            merge(&s->links[a * n + b], &l->p);
            if (!l->directed) {
                merge(&s->links[b * n + a], &l->p);
            }
        }
    }
    /* Queues given in BDPs become bytes: rate * (delay there + delay back). */
    for (int a = 0; a < n; a++) {
        for (int b = 0; b < n; b++) {
            dwcl_link_params_t *p = &s->links[a * n + b];
            if (a == b) {
                memset(p, 0, sizeof(*p));
                continue;
            }
            if (p->queue_bytes == 0) {
                double rtt = (double)(p->delay_ns + s->links[b * n + a].delay_ns) * 1e-9;
                double q = p->queue_bdp * (double)p->rate_bps / 8.0 * rtt;
                if (p->rate_bps == 0) {
                    q = 0; /* unlimited rate: no queue forms */
                } else if (q < DWCL_SITES_QUEUE_MIN_BYTES) {
                    q = DWCL_SITES_QUEUE_MIN_BYTES;
                }
                p->queue_bytes = (uint64_t)q;
            }
        }
    }
    return 0;
}

static int parse_line(parse_ctx_t *c, int line, char *text)
{
    char *tok[MAX_TOKENS];
    int n = 0;
    char *save = NULL, *hash = strchr(text, '#');

    if (hash != NULL) {
        *hash = '\0';
    }
    for (char *t = strtok_r(text, " \t\r\n", &save); t != NULL;
         t = strtok_r(NULL, " \t\r\n", &save)) {
        if (n == MAX_TOKENS) {
            return fail(c, line, "too many words (max %d)", MAX_TOKENS);
        }
        tok[n++] = t;
    }
    if (n == 0) {
        return 0;
    }
    if (strcmp(tok[0], "site") == 0) {
        return add_site(c, line, tok, n);
    }
    if (strcmp(tok[0], "link") == 0) {
        return add_link(c, line, tok, n);
    }
    if (strcmp(tok[0], "default") == 0) {
        if (c->have_default) {
            return fail(c, line, "second 'default' line");
        }
        c->have_default = 1;
        return parse_params(c, line, tok + 1, n - 1, &c->s->deflt);
    }
    return fail(c, line, "unknown keyword '%s' (expected site, link or default)", tok[0]);
}

int dwcl_sites_parse_string(const char *text, const char *name, dwcl_sites_t **out,
                            char *err, size_t errlen)
{
    parse_ctx_t c = {.name = name ? name : "<sites>", .err = err, .errlen = errlen};
    char *copy = strdup(text ? text : "");
    char *p, *nl;
    int line = 0, rc = 0;

    c.s = calloc(1, sizeof(*c.s));
    if (copy == NULL || c.s == NULL) {
        free(copy);
        free(c.s);
        return fail(&c, 0, "out of memory");
    }
    for (p = copy; rc == 0 && *p != '\0'; p = nl ? nl + 1 : p + strlen(p)) {
        nl = strchr(p, '\n');
        if (nl != NULL) {
            *nl = '\0';
        }
        line++;
        rc = parse_line(&c, line, p);
    }
    if (rc == 0) {
        rc = resolve(&c);
    }
    free(copy);
    free(c.links);
    if (rc != 0) {
        dwcl_sites_free(c.s);
        return -1;
    }
    *out = c.s;
    return 0;
}

int dwcl_sites_parse_file(const char *path, dwcl_sites_t **out, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    char *buf;
    size_t len;
    int rc;

    if (f == NULL) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    buf = malloc(MAX_FILE_BYTES + 1);
    if (buf == NULL) {
        fclose(f);
        snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    len = fread(buf, 1, MAX_FILE_BYTES + 1, f);
    if (ferror(f) || len > MAX_FILE_BYTES) {
        snprintf(err, errlen, "%s: %s", path,
                 ferror(f) ? "read error" : "file larger than 4 MiB");
        free(buf);
        fclose(f);
        return -1;
    }
    fclose(f);
    buf[len] = '\0';
    if (memchr(buf, '\0', len) != NULL) {
        snprintf(err, errlen, "%s: contains NUL bytes (not a text file)", path);
        free(buf);
        return -1;
    }
    rc = dwcl_sites_parse_string(buf, path, out, err, errlen);
    free(buf);
    return rc;
}

void dwcl_sites_free(dwcl_sites_t *sites)
{
    if (sites == NULL) {
        return;
    }
    for (int i = 0; i < sites->nsites; i++) {
        for (int j = 0; j < sites->sites[i].nhosts; j++) {
            free(sites->sites[i].hosts[j]);
        }
        free(sites->sites[i].hosts);
    }
    free(sites->sites);
    free(sites->links);
    free(sites);
}

int dwcl_sites_find(const dwcl_sites_t *sites, const char *name)
{
    for (int i = 0; i < sites->nsites; i++) {
        if (strcmp(sites->sites[i].name, name) == 0) {
            return i;
        }
    }
    return -1;
}

const dwcl_link_params_t *dwcl_sites_link(const dwcl_sites_t *sites, int src, int dst)
{
    return &sites->links[src * sites->nsites + dst];
}

int dwcl_sites_total_slots(const dwcl_sites_t *sites)
{
    int total = 0;

    for (int i = 0; i < sites->nsites; i++) {
        total += sites->sites[i].slots;
    }
    return total;
}
