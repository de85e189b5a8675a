#!/usr/bin/env bash
# The main job: the N-body benchmark across emulated sites, with a one-site reference run,
# printing sites, ranks per site, time per step, efficiency and bytes over the WAN links.
#
# Usage: apps/nbody/run-sites.sh [--sites FILE] [--np N] [-n PARTICLES] [--steps S]
#                                 [--comm ring|allgather]
# Without root the emulated sites cannot be created: the job runs at one site and says why.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
sites="$here/sites/planet4.txt"
np=4
n=6144
steps=12
comm=ring
while [ $# -gt 0 ]; do
    case "$1" in
    --sites) sites=$2; shift 2 ;;
    --np) np=$2; shift 2 ;;
    -n) n=$2; shift 2 ;;
    --steps) steps=$2; shift 2 ;;
    --comm) comm=$2; shift 2 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "run-sites.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
    esac
done
dwcprun="$top/launcher/dwcprun"
nbody="$top/apps/nbody/nbody"
args=(-n "$n" --steps "$steps" --comm "$comm")
out=$(mktemp -d /tmp/dwcp-nbody.XXXXXX)
trap 'rm -rf "$out"' EXIT

field() { sed -n "s/.*NBODY_RESULT.* $1=\([^ ]*\).*/\1/p" "$2" | tail -n 1; }

echo "== N-body main job: N=$n, $steps steps, $np ranks, scheme $comm"
echo "-- one site (reference)"
"$dwcprun" -np "$np" "$nbody" "${args[@]}" > "$out/one.txt" 2>&1 || { cat "$out/one.txt"; exit 1; }
grep -E "^(time per step|split|energy|checksum)" "$out/one.txt" | sed 's/^/   /'
t1=$(field t_step_median "$out/one.txt")

if [ "$(id -u)" != 0 ]; then
    echo "-- emulated sites: skipped. Emulating WAN links needs root (network namespaces and TUN"
    echo "   devices); rerun as root (sudo) to run across the sites of $sites."
    exit 0
fi
echo "-- emulated sites from $sites"
grep -E '^(site|link|default)' "$sites" | sed 's/#.*//; s/^/   /'
"$dwcprun" --sites "$sites" --emulate -v -np "$np" "$nbody" "${args[@]}" > "$out/multi.txt" 2>&1 \
    || { cat "$out/multi.txt"; exit 1; }
grep -E "^(time per step|split|energy|checksum)" "$out/multi.txt" | sed 's/^/   /'
tm=$(field t_step_median "$out/multi.txt")
echo "-- ranks per site"
grep -iE "rank.*site|placement" "$out/multi.txt" | head -n 20 | sed 's/^/   /' || true
echo "-- bytes over each WAN link (emulator counters)"
grep -E "^ *[A-Za-z0-9_.-]+ *-> *[A-Za-z0-9_.-]+" "$out/multi.txt" | sed 's/^/   /' || true
c1=$(field checksum "$out/one.txt")
cm=$(field checksum "$out/multi.txt")
echo
awk -v a="$t1" -v b="$tm" -v c1="$c1" -v cm="$cm" 'BEGIN {
    printf "== summary: time per step one site %.4f s, across sites %.4f s, efficiency %.3f\n",
           a, b, (b > 0 ? a / b : 0);
    printf "== results %s across sites (checksum %s vs %s)\n",
           (c1 == cm ? "identical" : "DIFFER"), c1, cm }'
[ "$c1" = "$cm" ]
