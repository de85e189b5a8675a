#!/usr/bin/env bash
# mutate.sh [CC] [LAUNCHER] [REGEX] - check that the tests can fail.
# For every test program, build mutants in which one CHECK_EQ expectation
# is off by one (first, middle and last CHECK_EQ of the file; the last
# CHECK_ERRCLASS is left alone), run each mutant with all testlist lines
# of that program (except label=large/ompi-wrong ones), and report
# mutants that still pass. REGEX restricts the programs mutated.
# (a check that never runs or cannot fail). Default CC mpicc.openmpi.
set -u
cc=${1:-mpicc.openmpi}
launcher=${2:-mpirun --allow-run-as-root --oversubscribe}
only=${3:-.}
src=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/mpmut.XXXXXX")
trap 'rm -rf "$work"' EXIT
killed=0
survived=0
for c in "$src"/*.c; do
    p=$(basename "$c" .c)
    [[ "$p" =~ $only ]] || continue
    line=$(grep -m1 "^$p " "$src/testlist") || continue
    case "$line" in *label=large*) continue ;; esac
    n=$(grep -c 'CHECK_EQ(' "$c")
    [ "$n" -gt 0 ] || { echo "NOCHECK $p"; continue; }
    for k in 1 $(((n + 1) / 2)) "$n"; do
        python3 - "$c" "$k" >"$work/$p.c" <<'PY'
import re, sys
src = open(sys.argv[1]).read()
k = int(sys.argv[2])
pos = -1
for _ in range(k):
    pos = src.index("CHECK_EQ(", pos + 1)
# Find the second argument of this CHECK_EQ (balanced parentheses).
i = pos + len("CHECK_EQ(")
depth, args, start = 0, [], i
while True:
    ch = src[i]
    if ch in "([{":
        depth += 1
    elif ch in ")]}":
        if depth == 0:
            args.append((start, i))
            break
        depth -= 1
    elif ch == "," and depth == 0:
        args.append((start, i))
        start = i + 1
    i += 1
s, e = args[1]
sys.stdout.write(src[:s] + " (" + src[s:e].strip() + ") + 1" + src[e:])
PY
        cp "$src"/*.h "$work/"
        if ! $cc -std=gnu11 -O1 -I"$work" -o "$work/$p" "$work/$p.c" -lm \
            -lpthread 2>/dev/null; then
            echo "NOBUILD $p #$k"
            continue
        fi
        grep "^$p " "$src/testlist" |
            grep -v -e "label=large" -e "label=ompi-wrong" >"$work/list"
        [ -s "$work/list" ] || { echo "NOLINE $p"; continue; }
        if "$src/run.sh" --bindir "$work" --launcher "$launcher" \
            --testlist "$work/list" --timeout-scale 0.5 \
            >"$work/out" 2>&1; then
            echo "SURVIVED $p (CHECK_EQ #$k of $n)"
            survived=$((survived + 1))
        else
            killed=$((killed + 1))
        fi
    done
done
echo "$killed mutants killed, $survived survived"
[ "$survived" -eq 0 ]
