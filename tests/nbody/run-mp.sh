#!/bin/sh
# run-mp.sh - multi-rank test of the N-body benchmark.
#
# Usage: tests/nbody/run-mp.sh "LAUNCHER" BINARY [N] [STEPS]
#   LAUNCHER  command that starts ranks and accepts "-np P BINARY ARGS...", e.g.
#             "mpirun --allow-run-as-root --oversubscribe"
#   BINARY    the nbody binary built against the MPI of the launcher
#   N, STEPS  problem size (default 1001: uneven over 2, 3, 4 ranks) and steps (default 30)
#
# Cases: 1, 2, 3, 4 ranks x {allgather, ring}: each must exit 0 with bounded
# energy drift and give the checksum of the 1-rank allgather run; final
# snapshots are compared position by position (--compare must report them
# bit-identical).  1..4 ranks with --force tree must agree with each other.  Then a restart case: run to STEPS/2 with a snapshot,
# continue from it on 3 ranks with ring, and require the uninterrupted
# checksum; a bad-option case (exit 2), a drift-bound case (exit 1) and a
# watchdog case (--timeout, exit 3).
# Prints one PASS/FAIL line per case and "N passed, N failed"; exits 1 on failure.
# Every run is bounded by TIMEOUT seconds (default 300).
set -u
if [ $# -lt 2 ]; then
    echo "usage: $0 \"LAUNCHER\" BINARY [N] [STEPS]" >&2
    exit 2
fi
LAUNCH=$1
BIN=$2
N=${3:-1001}
STEPS=${4:-30}
TIMEOUT=${TIMEOUT:-300}
MAXDRIFT=${MAXDRIFT:-1e-5}
[ -x "$BIN" ] || { echo "run-mp.sh: binary '$BIN' not found or not executable" >&2; exit 2; }

WORK=$(mktemp -d /tmp/nbody-mp.XXXXXX) || exit 2
trap 'rm -rf "$WORK"' EXIT INT TERM
pass=0
fail=0

ok() { echo "PASS $*"; pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }

# run NAME NP ARGS... : run the binary, output in $WORK/NAME.out, exit code in $rc
run() {
    name=$1
    np=$2
    shift 2
    # shellcheck disable=SC2086  # LAUNCH is a command line on purpose
    timeout "$TIMEOUT" $LAUNCH -np "$np" "$BIN" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err"
    rc=$?
}

why() { # why NAME: the first nbody message of a failed run, else the end of stderr
    grep -m 1 '^nbody:' "$WORK/$1.err" || tail -n 2 "$WORK/$1.err" | tr '\n' ' '
}

field() { # field KEY FILE: value of KEY= in the NBODY_RESULT line
    sed -n "s/^NBODY_RESULT.* $1=\([^ ]*\).*/\1/p" "$2" | tail -n 1
}

ref=""
for np in 1 2 3 4; do
    for comm in allgather ring; do
        name="np${np}_$comm"
        run "$name" "$np" -n "$N" --steps "$STEPS" --comm "$comm" --print-every 0 -q \
            --max-drift "$MAXDRIFT" --snapshot-every "$STEPS" --snapshot-prefix "$WORK/$name"
        csum=$(field checksum "$WORK/$name.out")
        edrift=$(field edrift "$WORK/$name.out")
        ranks=$(field ranks "$WORK/$name.out")
        if [ "$rc" -ne 0 ] || [ -z "$csum" ]; then
            bad "$name: exit $rc: $(why "$name")"
            continue
        fi
        if [ "$ranks" != "$np" ]; then
            bad "$name: ran on $ranks ranks, not $np (is the launcher right?)"
            continue
        fi
        if [ -z "$ref" ]; then
            ref=$csum
            refname=$name
        fi
        snap=$(printf '%s_%06d.snap' "$WORK/$name" "$STEPS")
        refsnap=$(printf '%s_%06d.snap' "$WORK/$refname" "$STEPS")
        cmp=$("$BIN" --compare "$refsnap" "$snap" 2>&1 | grep NBODY_COMPARE)
        rel=$(echo "$cmp" | sed -n 's/.*max_rel_pos_diff=\([^ ]*\).*/\1/p')
        ident=$(echo "$cmp" | sed -n 's/.*bit_identical=\([^ ]*\).*/\1/p')
        if [ "$csum" != "$ref" ]; then
            bad "$name: checksum $csum != $ref ($refname), max rel pos diff $rel"
        elif [ "$ident" != "$N/$N" ]; then
            bad "$name: positions not bit-identical to $refname ($ident, max rel diff $rel)"
        else
            ok "$name: checksum $csum edrift $edrift max_rel_pos_diff $rel"
        fi
    done
done

# Barnes-Hut tree mode: every rank builds the same tree, so 1..4 ranks agree.
tref=""
for np in 1 2 3 4; do
    name="np${np}_tree"
    run "$name" "$np" -n "$N" --steps "$STEPS" --force tree --print-every 0 -q
    csum=$(field checksum "$WORK/$name.out")
    if [ "$rc" -ne 0 ] || [ -z "$csum" ]; then
        bad "$name: exit $rc: $(why "$name")"
    elif [ -n "$tref" ] && [ "$csum" != "$tref" ]; then
        bad "$name: checksum $csum != $tref (np1_tree)"
    else
        [ -z "$tref" ] && tref=$csum
        ok "$name: checksum $csum edrift $(field edrift "$WORK/$name.out")"
    fi
done

# Restart: interrupted at STEPS/2, continued on 3 ranks with the ring scheme.
half=$((STEPS / 2))
run restart_a 2 -n "$N" --steps "$half" --snapshot-every "$half" \
    --snapshot-prefix "$WORK/half" --print-every 0 -q --max-drift "$MAXDRIFT"
rca=$rc
run restart_b 3 --restart "$(printf '%s_%06d.snap' "$WORK/half" "$half")" --steps "$STEPS" \
    --comm ring --print-every 0 -q --max-drift "$MAXDRIFT"
csum=$(field checksum "$WORK/restart_b.out")
if [ "$rca" -ne 0 ] || [ "$rc" -ne 0 ]; then
    bad "restart: exit codes $rca, $rc: $(why restart_a) $(why restart_b)"
elif [ "$csum" != "$ref" ]; then
    bad "restart: checksum $csum != uninterrupted $ref"
else
    ok "restart: steps $half -> $STEPS on 3 ranks gives checksum $csum"
fi

# A bad option must give exit code 2 and a message.
run badopt 2 --comm carrier-pigeon
if [ "$rc" -eq 2 ] && grep -q "comm" "$WORK/badopt.err"; then
    ok "bad option: exit 2 ($(head -n 1 "$WORK/badopt.err"))"
else
    bad "bad option: exit $rc, expected 2"
fi

# An impossible drift bound must fail with exit code 1.
run drift 2 -n "$N" --steps 5 --print-every 0 -q --max-drift 1e-15
if [ "$rc" -eq 1 ] && grep -q "energy drift" "$WORK/drift.err"; then
    ok "drift bound: exit 1"
else
    bad "drift bound: exit $rc, expected 1"
fi

# The watchdog must end a run that outlives --timeout, with exit code 3.
start=$(date +%s)
run timeout 2 -n 20000 --steps 100000 --print-every 0 -q --timeout 2
took=$(( $(date +%s) - start ))
if [ "$rc" -eq 3 ] && grep -q "timeout expired" "$WORK/timeout.err" && [ "$took" -lt 60 ]; then
    ok "watchdog: exit 3 after ${took} s"
else
    bad "watchdog: exit $rc after ${took} s, expected 3 within 60 s"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
