#!/bin/bash
# wan-compare.sh: wanbench across an emulated WAN link (wanem, through dwcprun --emulate) with
# DWCP-MPI (AMST between the sites), DWCP's single-stream baseline (tcp1) and Open MPI's TCP
# transport (wanbench.ompi, started by mpirun across the same emulated namespaces), in one run.
# Rounds are interleaved (round 1: every configuration, round 2: every configuration in reverse
# order, ...) so that a drift of the machine's load biases no configuration; every figure is
# the median over the rounds. Needs root (network namespaces, TUN devices).
#
#   apps/wanbench/wan-compare.sh --runs 3
#   apps/wanbench/wan-compare.sh --sites /tmp/wan100.txt --modes bandwidth --runs 5
#
# See --help.
set -u

usage() {
    cat <<'EOF'
usage: wan-compare.sh [--sites FILE] [--delay D] [--rate R] [--queue Q] [--loss L] [--exact]
                      [--runs N]
                      [--modes M[,M...]] [--configs C[,C...]] [--bw-sizes S] [--lat-sizes S]
                      [--time-per-size T] [--build DIR] [--out DIR] [--timeout S] [-x VAR=VAL]...
                      [--wb-args "WANBENCH OPTIONS"]

  --sites FILE     two-site sites file (default: generated from --delay/--rate/--queue:
                   "site east slots=1", "site west slots=1", "link east west ...")
  --delay D        one-way delay of the generated link (default 50ms, i.e. 100 ms RTT)
  --rate R         rate of the generated link (default 1gbit)
  --queue Q        queue of the generated link (default 1.0bdp)
  --loss L         iid packet loss of the generated link, e.g. 0.01% (default none)
  --exact          wanem's per-packet mode (dwcprun --emulate-exact): exact iid loss, for the
                   loss experiments; the default offloaded mode drops whole TSO super-packets
  --runs N         rounds (default 3); figures are medians over the rounds
                   (loss runs: e.g. --rate 500mbit --loss 0.1% --exact --configs dwcp,tcp1)
  --modes M        wanbench modes: bandwidth latency loaded (default: all three)
  --configs C      dwcp (AMST), tcp1 (-x DWCP_TRANSPORT=tcp1), ompi (wanbench.ompi)
                   (default: all three; the first one is the reference of the ratios)
  --bw-sizes S     bandwidth sizes (default 64m,256m; window bytes 512m)
  --lat-sizes S    latency sizes (default 8,1m)
  --time-per-size  wanbench --time-per-size (default 10)
  -x VAR=VAL       extra environment for the DWCP configurations (e.g. DWCP_AMST_PBA=0)
  --wb-args S      more wanbench options for every job (e.g. "--min-iters 3")
  --build DIR      build tree (default: the tree this script is in)
  --out DIR        keep the raw outputs there (default: a temporary directory, removed)
  --timeout S      bound on one job in seconds (default 400)

Prints one table per mode and metric: size, the median per configuration, ratios to the first
configuration's; for bandwidth also the share of the link's TCP goodput limit
(rate x 1448/1500); wanem's CPU use (median cpu_pct) per configuration; PBA forecast lines of
the DWCP runs; the load average before and after. Exit 0 if every job succeeded, 1 if one
failed (its figures are left out), 2 on usage errors.
EOF
}

die() {
    echo "wan-compare.sh: $*" >&2
    exit 2
}

here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "$here/../.." && pwd)
sites=""
delay=50ms
rate=1gbit
queue=1.0bdp
loss=""
emulate=--emulate
runs=3
modes="bandwidth latency loaded"
configs="dwcp tcp1 ompi"
bw_sizes=64m,256m
lat_sizes=8,1m
tps=10
outdir=""
timeout_s=400
xenv=()
wbargs=""

while [ $# -gt 0 ]; do
    case "$1" in
        -h|--help) usage; exit 0 ;;
        --sites) [ $# -ge 2 ] || die "$1 needs a value"; sites=$2; shift 2 ;;
        --delay) [ $# -ge 2 ] || die "$1 needs a value"; delay=$2; shift 2 ;;
        --rate) [ $# -ge 2 ] || die "$1 needs a value"; rate=$2; shift 2 ;;
        --queue) [ $# -ge 2 ] || die "$1 needs a value"; queue=$2; shift 2 ;;
        --loss) [ $# -ge 2 ] || die "$1 needs a value"; loss=$2; shift 2 ;;
        --exact) emulate=--emulate-exact; shift ;;
        --runs) [ $# -ge 2 ] || die "$1 needs a value"; runs=$2; shift 2 ;;
        --modes) [ $# -ge 2 ] || die "$1 needs a value"; modes=${2//,/ }; shift 2 ;;
        --configs) [ $# -ge 2 ] || die "$1 needs a value"; configs=${2//,/ }; shift 2 ;;
        --bw-sizes) [ $# -ge 2 ] || die "$1 needs a value"; bw_sizes=$2; shift 2 ;;
        --lat-sizes) [ $# -ge 2 ] || die "$1 needs a value"; lat_sizes=$2; shift 2 ;;
        --time-per-size) [ $# -ge 2 ] || die "$1 needs a value"; tps=$2; shift 2 ;;
        -x) [ $# -ge 2 ] || die "$1 needs a value"; xenv+=(-x "$2"); shift 2 ;;
        --wb-args) [ $# -ge 2 ] || die "$1 needs a value"; wbargs=$2; shift 2 ;;
        --build) [ $# -ge 2 ] || die "$1 needs a value"; build=$2; shift 2 ;;
        --out) [ $# -ge 2 ] || die "$1 needs a value"; outdir=$2; shift 2 ;;
        --timeout) [ $# -ge 2 ] || die "$1 needs a value"; timeout_s=$2; shift 2 ;;
        *) die "unknown argument '$1' (see --help)" ;;
    esac
done

case "$runs" in ''|*[!0-9]*|0) die "--runs wants a positive integer, got '$runs'" ;; esac
case "$timeout_s" in ''|*[!0-9]*) die "--timeout wants seconds, got '$timeout_s'" ;; esac
for m in $modes; do
    case "$m" in bandwidth|latency|loaded) ;; *) die "unknown mode '$m'" ;; esac
done
for c in $configs; do
    case "$c" in dwcp|tcp1|ompi) ;; *) die "unknown configuration '$c' (dwcp, tcp1, ompi)" ;; esac
done
[ "$(id -u)" = 0 ] || die "needs root (wanem creates network namespaces)"
dwcprun=$build/launcher/dwcprun
wb=$build/apps/wanbench/wanbench
wbo=$build/apps/wanbench/wanbench.ompi
wanem=$build/launcher/wanem/wanem
[ -x "$dwcprun" ] || die "$dwcprun is not built"
[ -x "$wb" ] || die "$wb is not built (make -C apps wanbench/wanbench)"
case " $configs " in
    *" ompi "*) [ -x "$wbo" ] || die "$wbo is not built (make -C apps wanbench/wanbench.ompi)" ;;
esac

cleanup_out=0
if [ -z "$outdir" ]; then
    outdir=$(mktemp -d /tmp/wan-compare.XXXXXX) || die "cannot create a temporary directory"
    cleanup_out=1
else
    mkdir -p "$outdir" || die "cannot create '$outdir'"
fi
if [ -z "$sites" ]; then
    sites=$outdir/sites.txt
    printf 'site east slots=1\nsite west slots=1\nlink east west delay=%s rate=%s queue=%s%s\n' \
        "$delay" "$rate" "$queue" "${loss:+ loss=$loss}" > "$sites"
fi
[ -r "$sites" ] || die "cannot read '$sites'"
sites=$(cd "$(dirname "$sites")" && pwd)/$(basename "$sites")

child=""
prefixes=""
cleanup() {
    local p
    if [ -n "$child" ]; then
        kill -TERM "$child" 2>/dev/null
        for _ in $(seq 1 100); do kill -0 "$child" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$child" 2>/dev/null
        wait "$child" 2>/dev/null
        child=""
    fi
    for p in $prefixes; do
        if ip netns list 2>/dev/null | awk '{ print $1 }' | grep -q "^$p-"; then
            echo "wan-compare.sh: removing namespaces left by $p" >&2
            [ -x "$wanem" ] && "$wanem" --cleanup "$p" >/dev/null 2>&1
        fi
    done
    if [ "$cleanup_out" = 1 ]; then
        rm -rf "$outdir"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# run_job LOG CMD...: one job in the background (so a signal can stop it), its status. CMD
# is dwcprun (its --timeout bounds the job; wanem's namespaces are named dwcp<its pid>).
run_job() {
    local log=$1 rc
    shift
    "$@" > "$log" 2>&1 &
    child=$!
    prefixes="$prefixes dwcp$child"
    wait "$child"
    rc=$?
    child=""
    return $rc
}

mode_args() {
    case "$1" in
        bandwidth) echo "bandwidth --sizes $bw_sizes --window-bytes 512m --time-per-size $tps $wbargs" ;;
        latency) echo "latency --sizes $lat_sizes --time-per-size $tps $wbargs" ;;
        loaded) echo "loaded --time-per-size $tps $wbargs" ;;
    esac
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "# wan-compare: sites $sites ($(grep -E '^ *link' "$sites" | head -n 1)), $runs rounds, $emulate"
echo "# configurations: $configs; modes: $modes; load average before: $load_before"
failed=0
order=($configs)
for ((r = 1; r <= runs; r++)); do
    list=("${order[@]}")
    if ((r % 2 == 0)); then
        list=()
        for ((i = ${#order[@]} - 1; i >= 0; i--)); do list+=("${order[$i]}"); done
    fi
    for m in $modes; do
        for c in "${list[@]}"; do
            log=$outdir/$c.$m.r$r.out
            case "$c" in
                dwcp) cmd=("$dwcprun" --timeout "$timeout_s" --sites "$sites" "$emulate" -np 2 "${xenv[@]}"
                           -x DWCP_AMST_PBA_REPORT=1 "$wb") ;;
                tcp1) cmd=("$dwcprun" --timeout "$timeout_s" --sites "$sites" "$emulate" -np 2 "${xenv[@]}"
                           -x DWCP_TRANSPORT=tcp1 "$wb") ;;
                ompi) cmd=("$dwcprun" --timeout "$timeout_s" --sites "$sites" "$emulate" -np 2 "$wbo") ;;
            esac
            printf '# round %d %-9s %-5s ' "$r" "$m" "$c" >&2
            if run_job "$log" "${cmd[@]}" $(mode_args "$m") && grep -q '^WANBENCH ' "$log"; then
                echo "ok ($(sed -n 's/^wanem: cpu .*cpu_pct=\([0-9.]*\).*/wanem cpu \1%/p' "$log"))" >&2
            else
                echo "FAILED (see $log): $(grep -v '^WANBENCH' "$log" | grep -m1 -iE 'error|fail|abort|timeout' | cut -c1-120)" >&2
                failed=1
            fi
        done
    done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# Tables: median over rounds per (mode, metric, size, configuration).
limit=$(awk -v r="$rate" 'BEGIN {
    v = r + 0; u = tolower(r); sub(/^[0-9.]+/, "", u)
    m = (u ~ /^g/) ? 1000 : (u ~ /^m/) ? 1 : (u ~ /^k/) ? 0.001 : 1e-6
    printf "%.3f", v * m * 1448 / 1500 }')
for m in $modes; do
    case "$m" in
        bandwidth) want="bw_Mbps_median" ;;
        latency) want="lat_us_median" ;;
        loaded) want="idle_lat_us loaded_lat_us ratio bulk_Mbps" ;;
    esac
    files=()
    for c in $configs; do
        for ((r = 1; r <= runs; r++)); do
            [ -f "$outdir/$c.$m.r$r.out" ] && files+=("$outdir/$c.$m.r$r.out")
        done
    done
    [ "${#files[@]}" -gt 0 ] || continue
    awk -v mode="$m" -v want="$want" -v configs="$configs" -v limit="$limit" '
        function med(list,   n, a, i, j, t) {
            n = split(list, a, " ")
            for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
            if (n == 0) return ""
            return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
        }
        function hsize(s) {
            if (s >= 1048576 && s % 1048576 == 0) return (s / 1048576) "M"
            if (s >= 1024 && s % 1024 == 0) return (s / 1024) "K"
            return s
        }
        /^WANBENCH / {
            f = FILENAME; sub(/.*\//, "", f); split(f, p, "."); c = p[1]
            delete kv
            for (i = 2; i <= NF; i++) { q = index($i, "="); kv[substr($i, 1, q - 1)] = substr($i, q + 1) }
            k = kv["metric"] SUBSEP kv["size"]
            vals[c, k] = vals[c, k] " " kv["value"]; nr[c, k]++
            if (!((kv["metric"], kv["size"]) in seen)) {
                seen[kv["metric"], kv["size"]] = 1; ord[kv["metric"], ++nsz[kv["metric"]]] = kv["size"]
            }
        }
        END {
            nc = split(configs, cf, " "); nw = split(want, wl, " ")
            for (w = 1; w <= nw; w++) {
                metric = wl[w]
                printf "\n== %s: %s (median over rounds; ratio = %s / other)\n", mode, metric, cf[1]
                printf "%8s", "size"
                for (c = 1; c <= nc; c++) printf " %12s", cf[c]
                for (c = 2; c <= nc; c++) printf " %12s", cf[1] "/" cf[c]
                if (metric == "bw_Mbps_median") for (c = 1; c <= nc; c++) printf " %10s", cf[c] "%lim"
                printf " %s\n", "rounds"
                for (r = 1; r <= nsz[metric]; r++) {
                    s = ord[metric, r]; k = metric SUBSEP s
                    printf "%8s", hsize(s)
                    for (c = 1; c <= nc; c++) { m_[c] = med(vals[cf[c], k]); printf " %12s", (m_[c] == "" ? "-" : sprintf("%.2f", m_[c])) }
                    for (c = 2; c <= nc; c++) printf " %12s", ((m_[1] != "" && m_[c] != "" && m_[c] + 0 != 0) ? sprintf("%.3f", m_[1] / m_[c]) : "-")
                    if (metric == "bw_Mbps_median") for (c = 1; c <= nc; c++) printf " %9s%%", (m_[c] == "" ? "-" : sprintf("%.1f", 100 * m_[c] / limit))
                    printf " "; for (c = 1; c <= nc; c++) printf "%s%d", (c > 1 ? "/" : ""), nr[cf[c], k]
                    printf "\n"
                }
            }
        }' "${files[@]}"
done

echo
echo "== wanem CPU (median cpu_pct over the jobs of each configuration)"
for c in $configs; do
    v=$(cat "$outdir"/$c.*.out 2>/dev/null | sed -n 's/^wanem: cpu .*cpu_pct=\([0-9.]*\).*/\1/p' |
        sort -g | awk '{ a[++n] = $1 } END { if (n) print (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }')
    printf '%8s %s%%\n' "$c" "${v:--}"
done
if grep -qh '^PBA ' "$outdir"/dwcp.*.out 2>/dev/null; then
    echo
    echo "== PBA forecast of the DWCP runs (sender rank 0; one line per job)"
    for f in "$outdir"/dwcp.*.out; do
        l=$(grep -m1 '^PBA rank=0 ' "$f") && printf '%-22s %s\n' "$(basename "$f" .out)" "${l#PBA }"
    done
fi
echo
echo "# load average before: $load_before, after: $load_after ($(nproc) cores)"
[ "$cleanup_out" = 1 ] || echo "# raw outputs in $outdir"
left=""
for p in $prefixes; do
    left="$left$(ip netns list 2>/dev/null | awk '{ print $1 }' | grep "^$p-")"
done
[ -z "$left" ] || echo "wan-compare.sh: warning: namespaces left: $left" >&2
exit $failed
