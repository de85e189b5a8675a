#!/usr/bin/env bash
# run-suites.sh - fetch, build and run third-party MPI benchmark suites (Debian source
# packages, compiled unmodified) against the DWCP-MPI build tree and, side by side, against
# Open MPI; print pass/fail and the median of key figures.
#
#   tests/thirdparty/run-suites.sh [options]
#     --suite S        hpcc, netpipe or all (default all)
#     --mpi M          dwcp, ompi or both (default both)
#     --np "LIST"      rank counts for HPCC (default "2 4"; NetPIPE always runs on 2)
#     --reps N         repetitions of each run, figures are medians (default 3)
#     --work DIR       scratch directory outside the repo (default /tmp/dwcp-thirdparty)
#     --src DIR        directory already holding the *.orig.tar.gz files (skip apt-get)
#     --timeout S      per-run time limit in seconds (default 600)
#     --hpl-n N        HPL/PTRANS problem size (default 1000)
#
# Needs: deb-src lines in apt's sources (for `apt-get source`), libopenblas-dev (HPL's BLAS),
# Open MPI's mpicc/mpirun for the comparison. Only the upstream tarball of each package is
# used: the build does not apply Debian's patches (it is the code as a user would get it).
# Exit status: 0 when every run passed, 1 when any failed, 2 on usage/setup errors.
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
suite=all
mpis=both
nps="2 4"
reps=3
work=/tmp/dwcp-thirdparty
srcdir=
tmo=600
hpl_n=1000

usage() { sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
    case $1 in
    --suite) suite=$2; shift 2 ;;
    --mpi) mpis=$2; shift 2 ;;
    --np) nps=$2; shift 2 ;;
    --reps) reps=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --src) srcdir=$2; shift 2 ;;
    --timeout) tmo=$2; shift 2 ;;
    --hpl-n) hpl_n=$2; shift 2 ;;
    -h|--help) usage ;;
    *) echo "run-suites.sh: unknown option '$1'" >&2; usage ;;
    esac
done
case $suite in all) suites="hpcc netpipe" ;; hpcc|netpipe) suites=$suite ;; *) usage ;; esac
case $mpis in both) mpis="dwcp ompi" ;; dwcp|ompi) ;; *) usage ;; esac

dwcpcc=$top/launcher/dwcpcc
dwcprun=$top/launcher/dwcprun
for f in "$dwcpcc" "$dwcprun"; do
    [ -x "$f" ] || { echo "run-suites.sh: $f missing: build the tree first (make)" >&2; exit 2; }
done
mkdir -p "$work" || exit 2
work=$(cd "$work" && pwd)
[ -n "$srcdir" ] || srcdir=$work/src
mkdir -p "$srcdir"
results=$work/results.txt
: > "$results"
nfail=0
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1

log() { printf '%s\n' "$*" >&2; }

# fetch PKG: make sure PKG's upstream tarball is in $srcdir; print its path.
fetch() {
    local pkg=$1 tb
    tb=$(ls "$srcdir/${pkg}"_*.orig.tar.* 2>/dev/null | head -1)
    if [ -z "$tb" ]; then
        log "fetching $pkg source with apt-get source --download-only"
        # The Debian diff may be missing from a mirror; the upstream tarball is all we use.
        (cd "$srcdir" && apt-get source --download-only "$pkg" >"$srcdir/$pkg.fetch.log" 2>&1)
        tb=$(ls "$srcdir/${pkg}"_*.orig.tar.* 2>/dev/null | head -1)
    fi
    [ -n "$tb" ] || { log "cannot fetch $pkg (needs deb-src; see $srcdir/$pkg.fetch.log)"; return 1; }
    echo "$tb"
}

# cc_of MPI / run_cmd MPI NP: compiler and launcher of each MPI.
cc_of() { if [ "$1" = dwcp ]; then echo "$dwcpcc"; else echo mpicc; fi; }
run_cmd() {
    if [ "$1" = dwcp ]; then
        echo "$dwcprun -np $2 --timeout $tmo -x OPENBLAS_NUM_THREADS=1"
    else
        echo "timeout -k 10 $tmo mpirun --allow-run-as-root --oversubscribe -np $2 -x OPENBLAS_NUM_THREADS=1"
    fi
}

# median: median of the numbers on stdin ("-" if none).
median() {
    sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) { print "-" }
        else if (NR % 2) { print v[(NR + 1) / 2] } else { print (v[NR / 2] + v[NR / 2 + 1]) / 2 } }'
}

# record SUITE MPI NP STATUS FIGURES...: one line of the results table.
record() {
    printf '%-8s %-5s np=%-2s %-5s %s\n' "$1" "$2" "$3" "$4" "${*:5}" | tee -a "$results"
    [ "$4" = PASS ] || nfail=$((nfail + 1))
}

. "$here/hpcc.inc.sh"
. "$here/netpipe.inc.sh"

for s in $suites; do
    "run_$s" || nfail=$((nfail + 1))
done
echo "---- summary ($results)"
cat "$results"
if [ $nfail -ne 0 ]; then
    echo "run-suites.sh: $nfail run(s) or step(s) failed"
    exit 1
fi
echo "run-suites.sh: all passed"
