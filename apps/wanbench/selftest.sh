#!/bin/bash
# selftest.sh: check a wanbench binary under a launcher, quickly.
#
#   selftest.sh [-l "LAUNCHER"] BINARY
#     LAUNCHER  command that starts N ranks, "{np}" replaced by N
#               (default: "mpirun --allow-run-as-root --oversubscribe -np {np}")
#
# Runs every mode with small sizes and short budgets and checks that each
# expected WANBENCH line is present with a sane value, then checks the error
# paths: bad options exit 2, a corrupted transfer (WANBENCH_TEST_CORRUPT=1,
# which flips a received byte before the check) exits 1 and prints DATA
# ERROR, a stuck phase (tiny --timeout) exits 3; and that a 100 ms round trip
# (WANBENCH_TEST_RTT_US, rank 1 sleeps before replying) keeps a run short.
# Exit 0 when all pass.
set -u

launch="mpirun --allow-run-as-root --oversubscribe -np {np}"
if [ "${1:-}" = "-l" ]; then
    [ $# -ge 2 ] || { echo "selftest.sh: -l needs a value" >&2; exit 2; }
    launch=$2
    shift 2
fi
[ $# -eq 1 ] || { echo "usage: selftest.sh [-l LAUNCHER] BINARY" >&2; exit 2; }
bin=$1
[ -x "$bin" ] || { echo "selftest.sh: '$bin' is not an executable" >&2; exit 2; }

tmp=$(mktemp -d /tmp/wanbench-selftest.XXXXXX) || exit 2
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

run() { # run NP OUTFILE ARGS... ; returns the exit status
    local np=$1 out=$2
    shift 2
    local l=${launch//\{np\}/$np}
    # shellcheck disable=SC2086
    timeout --kill-after=10 300 $l "$bin" "$@" >"$out" 2>&1
}

ok() { pass=$((pass + 1)); echo "PASS $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }

# expect NAME FILE MODE SIZE METRIC MIN MAX: the metric exists, MIN <= value <= MAX
expect() {
    local name=$1 f=$2 mode=$3 size=$4 metric=$5 lo=$6 hi=$7
    local v
    v=$(awk -v m="$mode" -v s="$size" -v k="$metric" '
        $1 == "WANBENCH" && $2 == "mode=" m && $3 == "size=" s && $4 == "metric=" k {
            sub(/^value=/, "", $5); print $5 }' "$f")
    if [ -z "$v" ]; then
        bad "$name: no WANBENCH line for mode=$mode size=$size metric=$metric"
        return
    fi
    if awk -v v="$v" -v lo="$lo" -v hi="$hi" 'BEGIN { exit !(v + 0 >= lo + 0 && v + 0 <= hi + 0) }'; then
        ok "$name: $metric at $size = $v"
    else
        bad "$name: $metric at $size = $v, outside [$lo, $hi]"
    fi
}

q="--time-per-size 0.05 --warmup 2"

run 2 "$tmp/lat" latency --sizes 0,8,1m $q --runs 2 && ok "latency runs" || bad "latency exit $?"
for s in 0 8 1048576; do
    expect latency "$tmp/lat" latency $s lat_us_median 0.001 1e7
done
expect latency "$tmp/lat" latency 8 iters 5 1e5

run 2 "$tmp/bw" bandwidth --sizes 1k,4m $q --window 8 && ok "bandwidth runs" || bad "bandwidth exit $?"
expect bandwidth "$tmp/bw" bandwidth 4194304 bw_MBps_median 0.001 1e6
expect bandwidth "$tmp/bw" bandwidth 4194304 bw_Mbps_median 0.008 8e6
expect bandwidth "$tmp/bw" bandwidth 4194304 window 1 8

run 2 "$tmp/bibw" bibw --sizes 64k --window-bytes 256k $q && ok "bibw runs" || bad "bibw exit $?"
expect bibw "$tmp/bibw" bibw 65536 bibw_MBps_median 0.001 1e6
expect bibw "$tmp/bibw" bibw 65536 window 4 4

run 2 "$tmp/ld" loaded --bulk-size 1m --bulk-window 4 --bulk-warmup 0.05 $q &&
    ok "loaded runs" || bad "loaded exit $?"
expect loaded "$tmp/ld" loaded 8 idle_lat_us 0.001 1e7
expect loaded "$tmp/ld" loaded 8 loaded_lat_us 0.001 1e7
expect loaded "$tmp/ld" loaded 8 bulk_MBps 0.001 1e6

run 4 "$tmp/ld2" loaded --pairs 2 --bulk-size 1m --bulk-window 4 --bulk-warmup 0.05 $q &&
    ok "loaded --pairs 2 runs" || bad "loaded --pairs 2 exit $?"
expect "loaded pairs 2" "$tmp/ld2" loaded 8 ratio 0.001 1e7
expect "loaded pairs 2" "$tmp/ld2" loaded 8 bulk_MBps 0.001 1e6

for m in allreduce bcast; do
    run 3 "$tmp/$m" $m --sizes 8,64k $q && ok "$m runs" || bad "$m exit $?"
    expect $m "$tmp/$m" $m 8 lat_us_median 0.001 1e7
    expect $m "$tmp/$m" $m 65536 lat_us_avg 0.001 1e7
    expect $m "$tmp/$m" $m 8 lat_us_loop -1e7 1e7
done

run 3 "$tmp/arb" allreduce --sizes 8 --coll-sync barrier $q && ok "allreduce barrier runs" ||
    bad "allreduce barrier exit $?"
expect "allreduce barrier" "$tmp/arb" allreduce 8 sync_window 0 0
run 3 "$tmp/bmb" bcast --sizes 8 --coll-sync barrier --coll-barrier mpi $q &&
    ok "bcast with MPI_Barrier runs" || bad "bcast with MPI_Barrier exit $?"
expect "bcast MPI_Barrier" "$tmp/bmb" bcast 8 lat_us_avg 0.001 1e7
run 2 "$tmp/bcb" bcast --sizes 8 --coll-barrier nope $q
[ $? = 2 ] && ok "bad --coll-barrier exits 2" || bad "bad --coll-barrier did not exit 2"
run 2 "$tmp/bcw" bcast --sizes 8 --coll-sync window $q && ok "bcast window runs" ||
    bad "bcast window exit $?"
expect "bcast window" "$tmp/bcw" bcast 8 sync_window 1 1
expect "bcast window" "$tmp/bcw" bcast 8 lat_us_median 0.001 1e7

for m in put get; do
    run 3 "$tmp/$m" $m --sizes 8,64k $q && ok "$m runs" || bad "$m exit $?"
    expect $m "$tmp/$m" $m 8 lat_lock_us_median 0.001 1e7
    expect $m "$tmp/$m" $m 65536 lat_fence_us_median 0.001 1e7
done

# a 100 ms round trip (emulated by rank 1 sleeping before each reply) must
# cut the repetitions to --min-iters and keep the run short
t0=$(date +%s)
WANBENCH_TEST_RTT_US=100000 run 2 "$tmp/slow" latency --sizes 8,1m && ok "slow link runs" ||
    bad "slow link exit $?"
t1=$(date +%s)
expect "slow link" "$tmp/slow" latency 8 lat_us_median 50000 1e6
expect "slow link" "$tmp/slow" latency 1048576 iters 5 5
[ $((t1 - t0)) -le 8 ] && ok "slow link: 2 sizes in $((t1 - t0)) s" ||
    bad "slow link: 2 sizes took $((t1 - t0)) s (budget not applied)"

# error paths
run 2 "$tmp/e1" latency --bogus 1
[ $? -eq 2 ] && grep -q "unknown option '--bogus'" "$tmp/e1" && ok "bad option exits 2" ||
    bad "bad option: $(head -n 2 "$tmp/e1")"
run 2 "$tmp/e2" latency --sizes 8,3x
[ $? -eq 2 ] && grep -q "bad size '3x'" "$tmp/e2" && ok "bad size exits 2" || bad "bad size"
run 2 "$tmp/e3" loaded --pairs 2
[ $? -eq 2 ] && grep -q "needs at least 4 ranks" "$tmp/e3" && ok "too few ranks exits 2" ||
    bad "too few ranks"
for m in latency bandwidth bibw loaded put get bcast allreduce; do
    WANBENCH_TEST_CORRUPT=1 run 2 "$tmp/c.$m" $m --sizes 8 $q
    rc=$?
    if [ $rc -eq 1 ] && grep -q "DATA ERROR" "$tmp/c.$m" && ! grep -q "^WANBENCH " "$tmp/c.$m"; then
        ok "$m: corrupt data exits 1 without figures"
    else
        bad "$m: corrupt data gave exit $rc"
    fi
done
run 2 "$tmp/t" latency --sizes 4m --iters 100000000 --timeout 1
[ $? -eq 3 ] && grep -q "TIMEOUT" "$tmp/t" && ok "watchdog exits 3" || bad "watchdog"

echo "selftest: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
