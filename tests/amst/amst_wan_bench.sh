#!/bin/sh
# AMST figures over an emulated WAN link (wanem, namespaces amstb-*; wanem removes them at exit).
# Usage (from the build tree's tests/amst, as root):
#   ./amst_wan_bench.sh [delay_one_way=50ms] [rate=1gbit] [bytes=268435456]
# Env: WANEM (default ../../launcher/wanem/wanem), BENCH (default ./amst_bench).
set -u
DELAY=${1:-50ms}
RATE=${2:-1gbit}
BYTES=${3:-268435456}
WANEM=${WANEM:-../../launcher/wanem/wanem}
BENCH=${BENCH:-./amst_bench}
SITES=$(mktemp /tmp/amst-wan-XXXXXX.sites)
trap 'rm -f "$SITES"' EXIT INT TERM
printf 'site A slots=1\nsite B slots=1\nlink A B delay=%s rate=%s queue=0.5bdp\n' \
    "$DELAY" "$RATE" > "$SITES"
W="timeout 400 $WANEM --sites $SITES --prefix amstb --time-limit 350 --quiet --"
run() {
    echo "== $*"
    $W env AMST_BENCH_NETNS=1 DWCP_JOB_SECRET=bench "$@" 2>&1 | grep '^tput\|^lat\|FAIL'
}
T="$BENCH tput $BYTES 3"
run AMST_BENCH_VARIANT=tcp1 $T
for L in 1 4 8 16; do
    run DWCP_AMST_ADAPT=0 DWCP_AMST_LANES=$L $T
done
run DWCP_AMST_ADAPT=1 $T
run DWCP_AMST_ADAPT=0 DWCP_AMST_LANES=8 DWCP_AMST_SOCKBUF=4m $T
run DWCP_AMST_ADAPT=0 DWCP_AMST_LANES=8 DWCP_AMST_CC_BULK=cubic $T
run DWCP_AMST_ADAPT=0 $BENCH lat 60 0
run DWCP_AMST_ADAPT=0 $BENCH lat 60 1
run AMST_BENCH_VARIANT=tcp1 $BENCH lat 60 1
