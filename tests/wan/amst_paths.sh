#!/bin/sh
# amst_paths.sh - AMST's reaction to the path, end to end: wanbench's bandwidth mode between
# two emulated sites (dwcprun --emulate), checked through the PBA report line of the sender.
#
#   1. loss-free link, 1-BDP queue: the lanes' own queue overflows (slow start, more lanes)
#      must not switch the "auto" congestion control to BBR (cc=auto-cubic), and the lane
#      count must stop growing once a queue stands (queue_holds > 0);
#   2. random loss (exact per-packet mode): the lanes must switch to BBR (cc=auto-bbr);
#   both with a goodput floor well under what a quiet machine gives (docs/benchmarks.md).
#
# Needs root (exits 77 = SKIP otherwise). Prints "N passed, N failed".
# Environment: DWCPRUN, WANBENCH (defaults: this build tree).
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
DWCPRUN=${DWCPRUN:-$top/launcher/dwcprun}
WANBENCH=${WANBENCH:-$top/apps/wanbench/wanbench}

if [ "$(id -u)" != 0 ]; then
    echo "SKIP: amst_paths.sh needs root to emulate sites; nothing was tested"
    exit 77
fi
for t in "$DWCPRUN" "$WANBENCH"; do
    if [ ! -x "$t" ]; then
        echo "ERROR: $t is not built"
        exit 99
    fi
done

TMP=$(mktemp -d /tmp/amst_paths.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "PASS: $*"; }
ko() { fail=$((fail + 1)); echo "FAIL: $*"; }
field() { sed -n "s/^\(.* \)\{0,1\}$1=\([^ ]*\).*/\2/p" | head -n 1; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "" && a + 0 >= b + 0) }'; }

# run NAME EMULATE LINK: a 2-site bandwidth run; output in $TMP/NAME.out
run() {
    printf 'site east slots=1\nsite west slots=1\nlink east west %s\n' "$3" > "$TMP/$1.sites"
    timeout -s KILL 200 "$DWCPRUN" --timeout 150 --sites "$TMP/$1.sites" "$2" -np 2 \
        -x DWCP_AMST_PBA_REPORT=1 "$WANBENCH" bandwidth --sizes 64m --window-bytes 128m \
        --time-per-size 1 --min-iters 2 --warmup 1 > "$TMP/$1.out" 2>&1
}
# mbps NAME: wanbench's median goodput in Mbit/s
mbps() { sed -n 's/^WANBENCH .*metric=bw_Mbps_median value=\([0-9.]*\).*/\1/p' "$TMP/$1.out"; }
report() { grep '^PBA rank=0 ' "$TMP/$1.out"; }

# path NAME LABEL EMULATE LINK WANT_CC MIN_MBPS: one run, checked; the report line is left in $r
path() {
    r=""
    if ! run "$1" "$3" "$4"; then
        ko "$2: the run failed: $(tail -n 5 "$TMP/$1.out")"
        return 1
    fi
    r=$(report "$1")
    local cc bw
    cc=$(echo "$r" | field cc)
    bw=$(mbps "$1")
    [ "$cc" = "$5" ] && ok "$2: bulk lanes use $5 ($bw Mbit/s; $r)" ||
        ko "$2: cc=$cc, want $5: $r"
    ge "$bw" "$6" && ok "$2: $bw Mbit/s >= $6" || ko "$2: $bw Mbit/s < $6"
}

# 1. 300 Mbit/s, 20 ms one way, 1 BDP queue, no loss (limit 300 x 1448/1500 = 289.6 Mbit/s):
#    self-inflicted queue losses are not random loss; floor 60% of the limit
if path clean "loss-free link" --emulate "delay=20ms rate=300mbit queue=1.0bdp" auto-cubic 170; then
    holds=$(echo "$r" | field queue_holds)
    ge "$holds" 1 && ok "loss-free link: a standing queue held the lane count ($holds windows)" ||
        ko "loss-free link: queue_holds=$holds, want > 0: $r"
fi

# 2. the same link with 0.5% iid loss, exact mode; floor 50% of the limit
path lossy "0.5% random loss" --emulate-exact "delay=20ms rate=300mbit queue=1.0bdp loss=0.5%" \
    auto-bbr 145

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
