#!/usr/bin/env bash
# Set up (packages + build) and run the whole test suite: unit tests (Criterion, make check),
# multi-rank tests through Open MPI's mpirun and through dwcprun, launcher tests, N-body tests,
# and the WAN-emulator tests (root only). Ends with one line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)
scripts/setup.sh || { echo "0 passed, 1 failed"; exit 1; }

log=$(mktemp -d /tmp/dwcp-tests.XXXXXX)
pass=0; fail=0; skip=0
# Run one suite; it must print a closing "N passed, N failed[, N skipped]" line.
suite() {
    local name=$1; shift
    echo "=== $name: $*"
    "$@" 2>&1 | tee "$log/$name.out"
    local rc=${PIPESTATUS[0]}
    local line
    line=$(grep -E '^[A-Za-z:]* ?[0-9]+ passed, [0-9]+ failed' "$log/$name.out" | tail -n 1)
    if [ -z "$line" ]; then
        echo "=== $name: no summary line (exit $rc): counted as 1 failure"
        fail=$((fail + 1)); return
    fi
    local p f s
    p=$(echo "$line" | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+')
    f=$(echo "$line" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+')
    s=$(echo "$line" | grep -oE '[0-9]+ skipped' | grep -oE '[0-9]+')
    pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + ${s:-0}))
    if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
        echo "=== $name: exit code $rc with no failed test: counted as 1 failure"
        fail=$((fail + 1))
    fi
}

suite unit tests/run-check.sh
suite mp-mpirun tests/mp/run.sh --bindir tests/mp --skip-label large \
    --launcher "mpirun --allow-run-as-root --oversubscribe"
suite mp-dwcprun tests/mp/run.sh --bindir tests/mp --skip-label large \
    --launcher "$top/launcher/dwcprun"
if [ "$(id -u)" = 0 ]; then
    # The same list across three emulated sites (UCX inside a site, AMST between sites).
    suite mp-sites tests/mp/run.sh --bindir tests/mp --skip-label large \
        --launcher "$top/launcher/dwcprun --sites $top/tests/mp/sites-short.txt --emulate --oversubscribe"
else
    echo "=== mp-sites: skipped (emulating sites needs root)"; skip=$((skip + 1))
fi
[ -x tests/launcher/run.sh ] && suite launcher tests/launcher/run.sh "$top"
[ -x tests/nbody/run-mp.sh ] && suite nbody-mp tests/nbody/run-mp.sh "$top/launcher/dwcprun" "$top/apps/nbody/nbody"
if [ "$(id -u)" = 0 ]; then
    suite nbody-sites tests/nbody/run-sites-test.sh
else
    echo "=== nbody-sites: skipped (emulating sites needs root)"; skip=$((skip + 1))
fi
# Emulator timing/rate/loss checks: alone, after everything else.
if [ "$(id -u)" = 0 ]; then
    suite wan tests/wan/wan_integration.sh
    suite amst-paths tests/wan/amst_paths.sh
else
    echo "=== wan: skipped (the emulator needs root)"; skip=$((skip + 1))
    echo "=== amst-paths: skipped (emulating sites needs root)"; skip=$((skip + 1))
fi

rm -rf "$log"
echo
echo "all suites: $pass passed, $fail failed, $skip skipped"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
