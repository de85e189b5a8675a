#!/bin/sh
# build-ref.sh DIR [CC]: development build of wanbench against a reference MPI.
#   DIR  output directory (created); the binary is DIR/wanbench.<tag>
#   CC   MPI compiler wrapper (default mpicc.openmpi); the tag is "ompi" for
#        Open MPI wrappers, "mpich" for MPICH ones, else the wrapper's name.
# Example: apps/wanbench/build-ref.sh /tmp/wb && mpirun -np 2 /tmp/wb/wanbench.ompi latency
set -eu

usage() {
    echo "usage: $0 DIR [CC]   (CC defaults to mpicc.openmpi)" >&2
    exit 2
}
[ $# -ge 1 ] && [ $# -le 2 ] || usage
case "$1" in -h|--help) usage ;; esac

dir=$1
cc=${2:-mpicc.openmpi}
src=$(cd "$(dirname "$0")" && pwd)

if ! command -v "$cc" >/dev/null 2>&1; then
    echo "$0: compiler '$cc' not found (Open MPI: apt-get install libopenmpi-dev;" \
         "MPICH: apt-get install libmpich-dev)" >&2
    exit 1
fi
case "$($cc -showme:version 2>/dev/null || $cc -v 2>&1 | head -n 3)" in
    *"Open MPI"*) tag=ompi ;;
    *MPICH*|*mpich*) tag=mpich ;;
    *) tag=$(basename "$cc") ;;
esac

mkdir -p "$dir"
out="$dir/wanbench.$tag"
# shellcheck disable=SC2086
"$cc" -std=gnu11 -O2 -g -Wall -Wextra -Wno-unused-parameter \
    -Wno-missing-field-initializers ${CFLAGS:-} \
    -o "$out" \
    "$src/main.c" "$src/options.c" "$src/util.c" "$src/mode_pt2pt.c" \
    "$src/mode_loaded.c" "$src/mode_coll.c" "$src/mode_rma.c" -lm
echo "$out"
