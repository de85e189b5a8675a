#!/bin/sh
# build-ref.sh - build the N-body benchmark with a reference MPI compiler wrapper.
# Usage: apps/nbody/build-ref.sh [MPICC [OUTDIR]]
#   MPICC   MPI compiler wrapper (default mpicc.openmpi)
#   OUTDIR  output directory (default ./build-ref); the binary is OUTDIR/nbody
# Extra flags can be given in CFLAGS (default -O2 -g).
set -eu
MPICC=${1:-mpicc.openmpi}
OUT=${2:-build-ref}
SRC=$(cd "$(dirname "$0")" && pwd)
CFLAGS=${CFLAGS:--O2 -g}
command -v "$MPICC" >/dev/null 2>&1 || { echo "build-ref.sh: MPI compiler '$MPICC' not found" >&2; exit 2; }
mkdir -p "$OUT"
# Same kernel flags as Makefile.am.frag: -ffp-contract=off (no FMA
# contraction, so every build computes the same pairwise forces bit for bit);
# -fno-math-errno and the vectoriser let the force loop use SIMD (results
# are unchanged: IEEE sqrt/div are correctly rounded in every lane).
KFLAGS="-ffp-contract=off -fno-math-errno -ftree-vectorize -fvect-cost-model=dynamic"
"$MPICC" -std=gnu11 -Wall -Wextra -Wno-unused-parameter $KFLAGS $CFLAGS \
    -o "$OUT/nbody" \
    "$SRC/nbody.c" "$SRC/nbody_setup.c" "$SRC/nbody_opts.c" "$SRC/comm_allgather.c" \
    "$SRC/comm_ring.c" "$SRC/snapshot.c" "$SRC/nbody_phys.c" "$SRC/nbody_tree.c" -lm
echo "built $OUT/nbody with $MPICC"
