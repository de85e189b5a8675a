#!/bin/sh
# find-n.sh - calibrate the N-body benchmark on this machine: measure the
# time per step for a few N, fit t = a * N^2 (direct summation), and print
# the N for a target time per step.
#
# Usage: apps/nbody/find-n.sh "LAUNCHER" BINARY [NP [TARGET_SECONDS [N...]]]
#   LAUNCHER  e.g. "mpirun --allow-run-as-root --oversubscribe" (takes -np)
#   BINARY    nbody binary;  NP ranks (default 4);  TARGET (default 1.0 s)
#   N...      sizes to measure (default 4096 8192 12288)
# Each size is run 3 times with 5 steps; the median t_step_median is used.
# Output: one "N=... t_step=..." line per size, then
#   NBODY_CALIB np=.. a=.. n_for_target=.. target=..
set -eu
if [ $# -lt 2 ]; then
    echo "usage: $0 \"LAUNCHER\" BINARY [NP [TARGET_SECONDS [N...]]]" >&2
    exit 2
fi
LAUNCH=$1
BIN=$2
NP=${3:-4}
TARGET=${4:-1.0}
shift 2
[ $# -gt 0 ] && shift
[ $# -gt 0 ] && shift
SIZES=${*:-4096 8192 12288}
TIMEOUT=${TIMEOUT:-600}

fits=""
for n in $SIZES; do
    ts=""
    for rep in 1 2 3; do
        # shellcheck disable=SC2086  # LAUNCH is a command line on purpose
        t=$(timeout "$TIMEOUT" $LAUNCH -np "$NP" "$BIN" -n "$n" --steps 5 -q --print-every 0 \
            --max-drift 1 | sed -n 's/^NBODY_RESULT.* t_step_median=\([^ ]*\).*/\1/p')
        [ -n "$t" ] || { echo "find-n.sh: run with n=$n failed" >&2; exit 1; }
        ts="$ts $t"
    done
    med=$(echo $ts | tr ' ' '\n' | sort -g | sed -n 2p)
    echo "N=$n t_step=$med (runs:$ts)"
    fits="$fits $n:$med"
done
# Least squares for t = a N^2: a = sum(t N^2) / sum(N^4).
echo "$fits" | tr ' ' '\n' | awk -F: -v np="$NP" -v target="$TARGET" '
    NF == 2 { n = $1; t = $2; num += t * n * n; den += n * n * n * n }
    END {
        if (den == 0) { exit 1 }
        a = num / den
        printf "NBODY_CALIB np=%d a=%.4g n_for_target=%d target=%g\n", np, a, sqrt(target / a), target
    }'
