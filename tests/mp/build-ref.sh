#!/usr/bin/env bash
# build-ref.sh DIR [CC] - compile every test program in tests/mp with a
# reference MPI compiler wrapper (default mpicc.openmpi) into DIR, so the
# list can be run against that MPI:
#   tests/mp/build-ref.sh /tmp/ref
#   tests/mp/run.sh --bindir /tmp/ref \
#       --launcher "mpirun --allow-run-as-root --oversubscribe"
set -eu
if [ $# -lt 1 ]; then
    echo "usage: $0 DIR [CC]" >&2
    exit 2
fi
out=$1
cc=${2:-mpicc.openmpi}
src=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
cflags="-std=gnu11 -O2 -g -Wall -Wextra -Wno-unused-parameter"
nerr=0
for c in "$src"/*.c; do
    p=$(basename "$c" .c)
    if ! $cc $cflags -I"$src" -o "$out/$p" "$c" -lm -lpthread; then
        echo "build-ref.sh: failed to build $p" >&2
        nerr=$((nerr + 1))
    fi
done
[ $nerr -eq 0 ] || { echo "build-ref.sh: $nerr program(s) failed" >&2; exit 1; }
echo "build-ref.sh: built $(ls "$src"/*.c | wc -l) programs into $out"
