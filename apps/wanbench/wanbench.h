/*
 * wanbench: DWCP-MPI micro-benchmark.
 *
 * Plain MPI-3.1 C: the same sources build against libdwcpmpi, Open MPI and
 * MPICH so that the figures can be compared side by side.  This header holds
 * the options, the shared helpers (timing, statistics, data patterns,
 * watchdog, result table) and one entry point per mode.
 */
#ifndef WANBENCH_H
#define WANBENCH_H

#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

/** Most message sizes one run accepts in --sizes. */
#define WB_MAX_SIZES 64
/** Most repetitions of the whole measurement (--runs). */
#define WB_MAX_RUNS 100

/** Exit codes: usage error, corrupt data, watchdog timeout. */
enum { WB_EXIT_OK = 0, WB_EXIT_DATA = 1, WB_EXIT_USAGE = 2, WB_EXIT_TIMEOUT = 3 };

/** Message tags; every exchange uses its own tag so phases never cross-match. */
enum {
    WB_TAG_DATA = 1,
    WB_TAG_ACK = 2,
    WB_TAG_CTRL = 3,
    WB_TAG_VERIFY = 4,
    WB_TAG_PING = 10,
    WB_TAG_START = 11,
    WB_TAG_STOP = 12,
    WB_TAG_BULK = 13,
    WB_TAG_COUNT = 14,
    WB_TAG_RESULT = 15,
    WB_TAG_BARRIER = 16,
};

/** Benchmark modes. */
typedef enum {
    WB_MODE_LATENCY,
    WB_MODE_BANDWIDTH,
    WB_MODE_BIBW,
    WB_MODE_LOADED,
    WB_MODE_ALLREDUCE,
    WB_MODE_BCAST,
    WB_MODE_PUT,
    WB_MODE_GET,
} wb_mode_t;

/** How collective iterations are started: common start times or a barrier. */
enum { WB_COLL_AUTO = 0, WB_COLL_WINDOW = 1, WB_COLL_BARRIER = 2 };

/** RMA synchronisation variants (bit set). */
enum { WB_SYNC_LOCK = 1, WB_SYNC_FENCE = 2 };

/** Parsed command line; identical on every rank. */
typedef struct {
    wb_mode_t mode;
    const char *mode_name;
    size_t sizes[WB_MAX_SIZES];
    int nsizes;
    long iters;           /**< fixed repetitions per size, 0 = from the time budget */
    long warmup;          /**< most warm-up iterations per size */
    long min_iters;       /**< fewest timed repetitions in auto mode */
    long max_iters;       /**< most timed repetitions in auto mode */
    double time_per_size; /**< time budget per size and run, seconds */
    int runs;             /**< repetitions of the whole measurement */
    int window;           /**< messages in flight per iteration (bandwidth, bibw) */
    size_t window_bytes;  /**< cap on window * size */
    size_t bulk_size;     /**< loaded: bulk message size */
    int bulk_window;      /**< loaded: bulk messages in flight */
    double bulk_warmup;   /**< loaded: seconds of bulk before pings start, < 0 = auto */
    int pairs;            /**< loaded: 1 (ranks 0,1) or 2 (bulk 0->2, ping 1<->3) */
    int sync;             /**< put/get: WB_SYNC_* bits */
    int coll_sync;        /**< allreduce/bcast: WB_COLL_AUTO, _WINDOW or _BARRIER */
    int coll_mpi_barrier; /**< allreduce/bcast: synchronise with MPI_Barrier, not wanbench's own */
    double timeout;       /**< watchdog seconds per size and phase */
} wb_opts_t;

/* ---- options.c ---- */

/**
 * Parse the command line into @p o.
 * @return 0 to run, 1 when --help was printed (exit 0), or WB_EXIT_USAGE
 *         after printing an error (rank 0 prints, every rank returns it).
 */
int wb_opts_parse(int argc, char **argv, int rank, int nprocs, wb_opts_t *o);

/** Format @p n bytes compactly (e.g. "4M", "1536", "64K") into @p buf. */
const char *wb_size_str(size_t n, char *buf, size_t len);

/* ---- util.c ---- */

/** Wall clock in seconds (MPI_Wtime). */
double wb_now(void);

/** Statistics of a sample set. */
typedef struct {
    double min, median, p90, mean, max;
} wb_stats_t;

/** Compute statistics of @p n samples (n >= 1); @p v is left unchanged. */
wb_stats_t wb_stats(const double *v, long n);

/** Median of @p n values (n >= 1); @p v is left unchanged. */
double wb_median(const double *v, long n);

/** Page-aligned zeroed allocation; aborts the job with a message on failure. */
void *wb_alloc(size_t n);

/** Seed for a data pattern, distinct per (mode, size, slot, direction). */
uint64_t wb_seed(int mode, size_t size, long slot, int dir);

/** Fill @p n bytes with the position-dependent pattern of @p seed. */
void wb_fill(void *buf, size_t n, uint64_t seed);

/**
 * Check @p buf against the pattern of @p seed.  On the first wrong byte print
 * a clear error naming @p what and abort the job with exit code 1.
 */
void wb_check(const void *buf, size_t n, uint64_t seed, const char *what, size_t size);

/** Fill @p n bytes with the complement of the pattern of @p seed (receive poison). */
void wb_poison(void *buf, size_t n, uint64_t seed);

/** Check that @p st describes a message of exactly @p size bytes, else abort (exit 1). */
void wb_check_count(const MPI_Status *st, size_t size, const char *what);

/**
 * True when WANBENCH_TEST_CORRUPT is set (and not "0"): every check then
 * flips one received byte first, so the test suite can prove that a corrupt
 * transfer is caught (exit 1).
 */
int wb_test_corrupt(void);

/** Abort the whole job after a data error (exit code 1). */
void wb_fail_data(void);

/** Arm the per-phase watchdog: after opts->timeout seconds the rank exits 3. */
void wb_watchdog_arm(const wb_opts_t *o, const char *phase, size_t size);

/** Disarm the watchdog. */
void wb_watchdog_disarm(void);

/** Record a value of @p metric at @p size for the current run (rank 0 only). */
void wb_report(size_t size, const char *metric, double value);

/** Print the table and the WANBENCH lines: median over runs (rank 0 only). */
void wb_results_print(const wb_opts_t *o);

/** Iterations per size and run: @p est seconds per iteration (auto mode). */
long wb_reps_for(const wb_opts_t *o, double est);

/** Warm-up iterations given the first iteration's duration @p first. */
long wb_warmup_for(const wb_opts_t *o, double first);

/* ---- driver in mode_pt2pt.c ---- */

/**
 * One iteration of a two-rank measurement.  Called on ranks 0 and 1 with
 * @p verify set on the first call of each size; returns the elapsed
 * seconds (meaningful on rank 0).
 */
typedef double (*wb_iter_fn)(void *ctx, int rank, int verify);

/**
 * Run verify + warm-up + timed iterations of @p fn between ranks 0 and 1;
 * rank 0 chooses the counts and tells rank 1.  Rank 0 receives the timed
 * samples in a malloc'd array (*samples, *n); rank 1 gets NULL, 0.
 */
void wb_pair_drive(const wb_opts_t *o, wb_iter_fn fn, void *ctx, int rank, double **samples,
                   long *n);

/* ---- modes ---- */

/** latency: ping-pong between ranks 0 and 1. */
void wb_mode_latency(const wb_opts_t *o, int rank, int nprocs);
/** bandwidth: window of Isends 0 -> 1 and a short ack per iteration. */
void wb_mode_bandwidth(const wb_opts_t *o, int rank, int nprocs);
/** bibw: windows in both directions at once. */
void wb_mode_bibw(const wb_opts_t *o, int rank, int nprocs);
/** loaded: small-message latency under a saturating bulk flow. */
void wb_mode_loaded(const wb_opts_t *o, int rank, int nprocs);
/** allreduce: MPI_Allreduce (double, sum) latency on all ranks. */
void wb_mode_allreduce(const wb_opts_t *o, int rank, int nprocs);
/** bcast: MPI_Bcast (bytes, root 0) latency on all ranks. */
void wb_mode_bcast(const wb_opts_t *o, int rank, int nprocs);
/** put, get: one-sided latency, passive target (lock) and fence. */
void wb_mode_rma(const wb_opts_t *o, int rank, int nprocs);

#endif /* WANBENCH_H */
