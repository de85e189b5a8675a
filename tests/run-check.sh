#!/usr/bin/env bash
# Run `make check` (Criterion unit tests, transport tests, fuzz-corpus replay) and print the
# total of individual test cases: Criterion binaries report their own counts; other test
# programs count as one case each.
set -uo pipefail
cd "$(dirname "$0")/.."
# Results of earlier runs (or of tests no longer listed) must not be counted.
find tests -name '*.trs' -delete
make -j2 -s check >/dev/null 2>&1
rc=$?
pass=0; fail=0; skip=0
while IFS= read -r trs; do
    logf=${trs%.trs}.log
    res=$(sed -n 's/^:test-result: //p' "$trs" | head -n 1)
    syn=$(grep -E 'Synthesis: Tested: [0-9]+' "$logf" 2>/dev/null | tail -n 1)
    if [ -n "$syn" ]; then
        t=$(echo "$syn" | sed -E 's/.*Tested: ([0-9]+).*/\1/')
        p=$(echo "$syn" | sed -E 's/.*Passing: ([0-9]+).*/\1/')
        pass=$((pass + p)); fail=$((fail + t - p))
        [ "$res" != PASS ] && [ "$t" = "$p" ] && fail=$((fail + 1))
    else
        case "$res" in
        PASS|XFAIL) pass=$((pass + 1)) ;;
        SKIP) skip=$((skip + 1)) ;;
        *) fail=$((fail + 1)) ;;
        esac
    fi
    printf '%-5s %s\n' "${res:-?}" "${trs%.trs}"
    [ "$res" != PASS ] && [ "$res" != SKIP ] && tail -n 20 "$logf"
done < <(find tests -name '*.trs' | sort)
if [ "$rc" != 0 ] && [ "$fail" = 0 ]; then
    echo "make check failed (exit $rc) before running tests"; fail=1
fi
echo "unit: $pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
