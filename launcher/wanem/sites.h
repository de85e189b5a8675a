/*
 * sites.h - parser for the DWCP-MPI sites file.
 *
 * The sites file describes the sites of a run (name, slots, host names)
 * and the emulated WAN links between them (delay, jitter, rate, loss,
 * queue, blackouts). It is shared by `wanem` (which emulates the links)
 * and `dwcprun --sites` (which places ranks). The format is documented in
 * docs/sites-file.md.
 *
 * All functions return 0 on success and -1 on error; on error a message of
 * the form "FILE:LINE: what is wrong" is written to the caller's buffer.
 */
#ifndef DWCL_SITES_H
#define DWCL_SITES_H

#include <stddef.h>
#include <stdint.h>

/** Longest site name accepted (without the terminating NUL). */
#define DWCL_SITES_NAME_MAX 31
/** Most blackout windows per directed link. */
#define DWCL_SITES_BLACKOUT_MAX 8
/** Most sites in one file (addresses 10.201.0.1 .. 10.201.0.254). */
#define DWCL_SITES_MAX 254

/** One site: a name, how many ranks it holds, and optional host names. */
typedef struct dwcl_site {
    char name[DWCL_SITES_NAME_MAX + 1]; /**< site name, [A-Za-z0-9][A-Za-z0-9_.-]* */
    int slots;                          /**< rank slots, >= 1 (default 1) */
    int nhosts;                         /**< number of entries in hosts */
    char **hosts;                       /**< host names from hosts=..., may be NULL */
    int line;                           /**< line where the site was declared */
} dwcl_site_t;

/** One scheduled blackout: the link drops everything in [start, end). */
typedef struct dwcl_blackout {
    uint64_t start_ns; /**< start, nanoseconds after the emulator starts */
    uint64_t end_ns;   /**< end (exclusive), nanoseconds after start */
} dwcl_blackout_t;

/** Bits of dwcl_link_params_t.set telling which fields were given. */
enum {
    DWCL_LP_DELAY = 1u << 0,
    DWCL_LP_JITTER = 1u << 1,
    DWCL_LP_RATE = 1u << 2,
    DWCL_LP_LOSS = 1u << 3,
    DWCL_LP_QUEUE = 1u << 4,
    DWCL_LP_BLACKOUT = 1u << 5,
};

/** Parameters of one directed link (source site -> destination site). */
typedef struct dwcl_link_params {
    unsigned set;          /**< DWCL_LP_* bits of the fields that were given */
    uint64_t delay_ns;     /**< one-way propagation delay */
    uint64_t jitter_ns;    /**< uniform jitter amplitude (+-), never reorders */
    uint64_t rate_bps;     /**< bits per second; 0 = unlimited */
    double loss;           /**< iid loss probability in [0, 1] */
    double queue_bdp;      /**< queue size in BDPs, used if queue_bytes == 0 */
    uint64_t queue_bytes;  /**< queue size in bytes; after resolution the
                                effective drop-tail limit (0 = unlimited) */
    int nblackouts;        /**< number of entries in blackouts */
    dwcl_blackout_t blackouts[DWCL_SITES_BLACKOUT_MAX]; /**< blackout windows */
} dwcl_link_params_t;

/** A parsed sites file. */
typedef struct dwcl_sites {
    int nsites;                 /**< number of sites */
    dwcl_site_t *sites;         /**< sites in declaration order */
    dwcl_link_params_t *links;  /**< nsites*nsites resolved params, [src*nsites+dst] */
    dwcl_link_params_t deflt;   /**< the `default` line as given */
} dwcl_sites_t;

/** Queue floor (bytes) applied when a queue is given in BDPs. */
#define DWCL_SITES_QUEUE_MIN_BYTES (64 * 1024)

/**
 * Parse a sites file.
 * @param path    file to read
 * @param out     receives a new dwcl_sites_t (free with dwcl_sites_free) on success
 * @param err     buffer for an error message "path:line: ..." on failure
 * @param errlen  size of err
 * @return 0 on success, -1 on error
 */
int dwcl_sites_parse_file(const char *path, dwcl_sites_t **out, char *err, size_t errlen);

/**
 * Parse sites-file text held in memory.
 * @param text    NUL-terminated file contents
 * @param name    name used in error messages (e.g. the file name)
 * @param out     receives a new dwcl_sites_t on success
 * @param err     buffer for an error message on failure
 * @param errlen  size of err
 * @return 0 on success, -1 on error
 */
int dwcl_sites_parse_string(const char *text, const char *name, dwcl_sites_t **out,
                            char *err, size_t errlen);

/** Free a dwcl_sites_t; NULL is a no-op. */
void dwcl_sites_free(dwcl_sites_t *sites);

/**
 * Index of the site called name.
 * @return the index in sites->sites, or -1 if there is no such site
 */
int dwcl_sites_find(const dwcl_sites_t *sites, const char *name);

/**
 * Resolved parameters of the directed link src -> dst.
 * @return a pointer into sites->links (valid until dwcl_sites_free)
 */
const dwcl_link_params_t *dwcl_sites_link(const dwcl_sites_t *sites, int src, int dst);

/** Sum of the slots of all sites. */
int dwcl_sites_total_slots(const dwcl_sites_t *sites);

/**
 * Parse a duration with unit: "50ms", "1.5s", "200us", "100ns".
 * A bare number is rejected unless default_unit_ns is not 0 (then it is
 * multiplied by it).
 * @return 0 on success, -1 on a malformed value
 */
int dwcl_sites_parse_time(const char *s, uint64_t default_unit_ns, uint64_t *ns);

/**
 * Parse a rate in bits per second: "1gbit", "500mbit", "64kbit", "9600bit";
 * also "1g", "500m", "64k", or a bare number of bits per second.
 * @return 0 on success, -1 on a malformed value
 */
int dwcl_sites_parse_rate(const char *s, uint64_t *bps);

/**
 * Parse a loss probability: "0.1%" (percent) or "0.001" (fraction).
 * @return 0 on success, -1 if malformed or outside [0, 1]
 */
int dwcl_sites_parse_loss(const char *s, double *p);

/**
 * Parse a queue size: "1.0bdp" (sets *bdp, *bytes = 0) or a byte count
 * "65536", "64k", "4m", "1g" (binary multiples; sets *bytes, *bdp = 0).
 * @return 0 on success, -1 on a malformed value
 */
int dwcl_sites_parse_queue(const char *s, double *bdp, uint64_t *bytes);

#endif /* DWCL_SITES_H */
