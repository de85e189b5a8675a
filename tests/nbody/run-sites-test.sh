#!/usr/bin/env bash
# run-sites-test.sh - the N-body benchmark across emulated sites gives the one-site results.
#
# Usage: tests/nbody/run-sites-test.sh [BUILDDIR]   (default $DWCP_BUILDDIR, else the source tree)
# Needs root (network namespaces, TUN devices): without it, exits 77 (skip) and says why.
# Cases (tiny N, few steps, delays of a few ms):
#   - DWCP-MPI at one site: the reference checksum;
#   - DWCP-MPI over 2 emulated sites (ring) and 3 sites with uneven ranks (allgather): exit 0,
#     checksum equal to the reference, ranks placed per site as asked, bytes counted by wanem
#     on the WAN links in both directions;
#   - the same source built with Open MPI (nbody.ompi, if built): one site and 2 sites give
#     the same checksum (TCP between the sites, shared memory inside a site);
#   - apps/nbody/run-sites.sh on a tiny problem prints its summary and exits 0;
#   - run-sites.sh interrupted (SIGTERM) in the middle of an emulated run: it exits promptly
#     and leaves no network namespace, process or temporary directory behind;
#   - no network namespace of these jobs is left at the end.
# Prints PASS/FAIL lines and "N passed, N failed"; exits 1 on any failure.
set -u
here=$(cd "$(dirname "$0")" && pwd)
NB_TOP=$(cd "$here/../.." && pwd)
NB_BUILD=${1:-${DWCP_BUILDDIR:-$NB_TOP}}
NB_BUILD=$(cd "$NB_BUILD" && pwd) || { echo "run-sites-test.sh: no build directory" >&2; exit 2; }
if [ "$(id -u)" != 0 ]; then
    echo "SKIP run-sites-test.sh: emulated sites need root (network namespaces and TUN devices)"
    exit 77
fi
# shellcheck source=../../apps/nbody/bench/lib.sh
. "$NB_TOP/apps/nbody/bench/lib.sh"
for f in "$NB_DWCPRUN" "$NB_WANEM" "$NB_NBODY_DWCP"; do
    if [ ! -x "$f" ]; then
        echo "FAIL setup: $f is not built (make; make -C apps nbody/nbody)"
        echo "0 passed, 1 failed"
        exit 1
    fi
done
nb_mktemp nbody-sites-test || exit 2
nb_install_traps
W=$nb_tmp
TIMEOUT=${TIMEOUT:-120}
N=300
STEPS=4
pass=0
fail=0
ok() { echo "PASS $*"; pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }

# Sites: two sites 2 ms apart; three sites of uneven size (4 ranks: 2, 1, 1).
cat > "$W/two.txt" <<'EOF'
site alpha slots=2
site beta  slots=2
default delay=2ms rate=1gbit
EOF
cat > "$W/three.txt" <<'EOF'
site alpha slots=2
site beta  slots=1
site gamma slots=1
default delay=3ms rate=500mbit
link alpha gamma delay=5ms
EOF

# job NAME PROG SITES(or -) COMM: run 4 ranks; output in $W/NAME.txt, status in $rc.
job() {
    local name=$1 prog=$2 sites=$3 comm=$4
    local -a cmd=("$NB_DWCPRUN" --timeout "$TIMEOUT")
    [ "$sites" = - ] || cmd+=(--sites "$W/$sites" --emulate -v)
    nb_run "$W/$name.txt" "${cmd[@]}" -np 4 "$prog" -n "$N" --steps "$STEPS" --comm "$comm" \
        -q --print-every 0
    rc=$?
}
why() {   # first meaningful error line of a job
    grep -vE 'setpgid|^(wanem|  link|  namespace|dwcprun: (placement|running))' "$W/$1.txt" \
        | grep -m1 -iE 'error|fail|abort|limit|signal' | cut -c1-160
}

# check_multi NAME REF PLACEMENT: exit 0, same checksum as REF, placement, bytes both ways.
check_multi() {
    local name=$1 ref=$2 want=$3 ck place links
    ck=$(nb_field checksum "$W/$name.txt")
    if [ "$rc" != 0 ] || [ -z "$ck" ]; then
        bad "$name: exit $rc, no result: $(why "$name")"
        return
    fi
    [ "$ck" = "$ref" ] && ok "$name: checksum $ck equals the one-site run" \
        || bad "$name: checksum $ck differs from the one-site run's $ref"
    place=$(nb_placement "$W/$name.txt")
    [ "$place" = "$want" ] && ok "$name: placement '$place'" \
        || bad "$name: placement '$place', expected '$want'"
    links=$(nb_wan_links "$W/$name.txt")
    if [ -n "$links" ] && echo "$links" | awk '$3 > 0 && $4 > 0 { ok++ } END { exit !(ok == NR) }'; then
        ok "$name: wanem counted bytes both ways on every link ($(echo "$links" | awk '{ printf "%s%s-%s %d/%d", (NR > 1 ? ", " : ""), $1, $2, $3, $4 }'))"
    else
        bad "$name: WAN link counters missing or zero: '$(echo $links)'"
    fi
}

job dwcp-one "$NB_NBODY_DWCP" - ring
ref=$(nb_field checksum "$W/dwcp-one.txt")
if [ "$rc" = 0 ] && [ -n "$ref" ]; then
    ok "dwcp-one: one site, checksum $ref"
else
    bad "dwcp-one: exit $rc, no result: $(why dwcp-one)"
fi

job dwcp-two "$NB_NBODY_DWCP" two.txt ring
check_multi dwcp-two "$ref" "alpha=ranks 0-1 beta=ranks 2-3"
job dwcp-three "$NB_NBODY_DWCP" three.txt allgather
check_multi dwcp-three "$ref" "alpha=ranks 0-1 beta=ranks 2-2 gamma=ranks 3-3"

if [ -x "$NB_NBODY_OMPI" ]; then
    job ompi-one "$NB_NBODY_OMPI" - ring
    ck=$(nb_field checksum "$W/ompi-one.txt")
    if [ "$rc" = 0 ] && [ -n "$ck" ]; then
        [ "$ck" = "$ref" ] && ok "ompi-one: Open MPI build, one site, same checksum" \
            || bad "ompi-one: checksum $ck differs from DWCP-MPI's $ref"
    else
        bad "ompi-one: exit $rc, no result: $(why ompi-one)"
    fi
    job ompi-two "$NB_NBODY_OMPI" two.txt ring
    check_multi ompi-two "${ck:-none}" "alpha=ranks 0-1 beta=ranks 2-3"
else
    echo "SKIP ompi-*: $NB_NBODY_OMPI is not built (make -C apps nbody/nbody.ompi)"
fi

# run-sites.sh on a tiny problem, with the library that works here (both when it can).
libs=both
[ -x "$NB_NBODY_OMPI" ] || libs=dwcp
nb_run "$W/main.txt" "$NB_TOP/apps/nbody/run-sites.sh" --no-build --builddir "$NB_BUILD" \
    --sites "$W/three.txt" --np 4 -n "$N" --steps "$STEPS" --lib "$libs" --timeout "$TIMEOUT"
rc=$?
if [ "$rc" = 0 ] && grep -q '^== results identical' "$W/main.txt" \
    && grep -q 'ranks per site: alpha=ranks 0-1' "$W/main.txt" \
    && grep -qE '^ +alpha <-> beta +[0-9.]+ [kMG]?B' "$W/main.txt"; then
    ok "run-sites.sh: summary with placement, per-link bytes and identical results"
else
    bad "run-sites.sh (--lib $libs): exit $rc: $(grep -E 'FAILED|DIFFER|error' "$W/main.txt" | head -n 2 | tr '\n' ' ')"
fi

# Interrupt run-sites.sh during an emulated run: it must stop within 60 s, leave nothing.
# (Many tiny steps: quick at one site, minutes across sites 4 ms apart.)
tmp_before=$(ls -d /tmp/dwcp-nbody.* 2>/dev/null | sort)
ilib=ompi
[ -x "$NB_NBODY_OMPI" ] || ilib=dwcp
setsid "$NB_TOP/apps/nbody/run-sites.sh" --no-build --builddir "$NB_BUILD" \
    --sites "$W/two.txt" --np 4 -n 64 --steps 30000 --lib "$ilib" > "$W/intr.txt" 2>&1 &
ipid=$!
prefixes_before=$(ip netns list | awk '{ print $1 }' | sort)
seen=""
for ((i = 0; i < 1200; i++)); do    # wait up to 120 s for the emulated sites to appear
    seen=$(ip netns list | awk '{ print $1 }' | sort | comm -13 <(echo "$prefixes_before") - \
        | grep -E '^dwcp[0-9]+-(alpha|beta)$' | head -n 1)
    [ -z "$seen" ] || break
    kill -0 "$ipid" 2>/dev/null || break
    sleep 0.1
done
if [ -z "$seen" ]; then
    bad "interrupt: the emulated run never started: $(tail -n 3 "$W/intr.txt" | tr '\n' ' ')"
    kill -TERM "$ipid" 2>/dev/null
else
    sleep 3
    kill -TERM "$ipid"
    for ((i = 0; i < 600; i++)); do kill -0 "$ipid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$ipid" 2>/dev/null; then
        bad "interrupt: run-sites.sh still running 60 s after SIGTERM"
        kill -KILL -- -"$ipid" 2>/dev/null
    else
        pfx=${seen%-*}
        left=$(ip netns list | awk -v p="$pfx-" 'index($1, p) == 1 { print $1 }')
        procs=$(pgrep -f "nbody(.ompi)? -n 64 --steps 30000" || true)
        tmpl=$(ls -d /tmp/dwcp-nbody.* 2>/dev/null | sort | comm -13 <(echo "$tmp_before") -)
        if [ -z "$left" ] && [ -z "$procs" ]; then
            ok "interrupt: run-sites.sh stopped, namespaces $pfx-* removed, no ranks left"
        else
            bad "interrupt: left behind: namespaces '$(echo $left)' processes '$(echo $procs)'"
            [ -z "$procs" ] || kill -KILL $procs 2>/dev/null
            "$NB_WANEM" --cleanup "$pfx" >/dev/null 2>&1
        fi
        [ -z "$tmpl" ] || bad "interrupt: temporary directory $(echo $tmpl) left"
    fi
fi
wait "$ipid" 2>/dev/null

left=$(nb_leftover_netns)
[ -z "$left" ] && ok "cleanup: no namespace of these jobs left" \
    || bad "cleanup: namespaces left: $(echo $left)"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
