#!/usr/bin/env bash
# run-mpich.sh — build MPICH's MPI test suite (test/mpi of Debian's mpich source package) with
# dwcpcc, unmodified, run the chosen directories with dwcprun, and compare the failures with the
# expected-failure list beside this script (tests/thirdparty/mpich-xfail.txt).
#
#   tests/thirdparty/run-mpich.sh [--builddir DIR] [--work DIR] [--dirs "comm group ..."]
#                                 [--timeout S] [--launcher CMD]
#
# --builddir  a configured and built DWCP-MPI tree (default: this script's tree)
# --work      where the suite is fetched, configured and built (default /var/tmp/dwcp-mpich)
# --dirs      suite directories to run (default: the ones issue 3 names plus pt2pt, datatype,
#             errhan, basic)
# --timeout   per-test limit in seconds (MPITEST_TIMEOUT, default 120)
# --launcher  mpiexec to use (default: BUILDDIR/launcher/dwcprun). With
#             --launcher "mpirun --allow-run-as-root --oversubscribe" and DWCP_MPICH_CC=mpicc the
#             same suite runs against Open MPI, for comparison.
#
# Fetching needs Debian source packages (a deb-src line); as root the script adds one for the
# running release when none exists. Prints "N passed, N failed, N skipped" (expected failures
# count as skipped and are listed with their reason); exit 0 when nothing failed unexpectedly.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
builddir=$(cd "$here/../.." && pwd)
work=/var/tmp/dwcp-mpich
dirs="attr comm group info topo coll rma pt2pt datatype errhan basic"
tmo=120
launcher=
while [ $# -gt 0 ]; do
    case $1 in
    --builddir) builddir=$(cd "$2" && pwd); shift 2 ;;
    --work) work=$2; shift 2 ;;
    --dirs) dirs=$2; shift 2 ;;
    --timeout) tmo=$2; shift 2 ;;
    --launcher) launcher=$2; shift 2 ;;
    -h | --help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run-mpich.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done
cc=${DWCP_MPICH_CC:-$builddir/launcher/dwcpcc}
launcher=${launcher:-$builddir/launcher/dwcprun}
xfail=$here/mpich-xfail.txt
if [ "$cc" = "$builddir/launcher/dwcpcc" ] && [ ! -x "$cc" ]; then
    echo "run-mpich.sh: $cc not found: build DWCP-MPI first (scripts/setup.sh)" >&2
    echo "0 passed, 1 failed"; exit 1
fi

die() { echo "run-mpich.sh: $*" >&2; echo "0 passed, 1 failed"; exit 1; }

# 1. Fetch the source package (once).
mkdir -p "$work" || die "cannot create $work"
src=$(ls -d "$work"/mpich-*/test/mpi 2>/dev/null | head -n 1)
if [ -z "$src" ]; then
    if ! apt-cache showsrc mpich 2>/dev/null | grep -q '^Version:'; then
        [ "$(id -u)" = 0 ] || die "Debian source packages are not configured (no deb-src line) and adding one needs root"
        codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
        printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: %s\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
            "$codename" >/etc/apt/sources.list.d/dwcp-deb-src.sources
        apt-get update -qq >/dev/null 2>&1 || die "apt-get update failed after adding deb-src"
    fi
    (cd "$work" && apt-get source --download-only -qq mpich >/dev/null 2>&1) ||
        die "apt-get source mpich failed (network or deb-src?)"
    tarball=$(ls "$work"/mpich_*.orig.tar.* 2>/dev/null | head -n 1)
    [ -n "$tarball" ] || die "no mpich orig tarball in $work"
    (cd "$work" && tar xf "$tarball" --wildcards 'mpich-*/test/mpi') || die "cannot unpack $tarball"
    src=$(ls -d "$work"/mpich-*/test/mpi | head -n 1)
fi
echo "MPICH test suite: $src"

# 2. Configure against this build (again whenever the compiler wrapper changes).
stamp="$src/.dwcp-configured-for"
if [ "$(cat "$stamp" 2>/dev/null)" != "$cc|$launcher" ]; then
    echo "configuring the suite with MPICC=$cc"
    (cd "$src" && ./configure -q MPICC="$cc" MPIEXEC="${launcher%% *}" --enable-fortran=no \
        --disable-cxx --disable-romio --disable-spawn --disable-ft-tests --disable-dtpools \
        --enable-strictmpi --disable-perftest --disable-checkpointing \
        --enable-threads=multiple >"$work/configure.log" 2>&1) ||
        die "configure failed: see $work/configure.log"
    make -s -C "$src/util" >"$work/util.log" 2>&1 || die "building the suite's util failed: see $work/util.log"
    echo "$cc|$launcher" >"$stamp"
fi

# 3. Run each directory; runtests builds every test itself (a build failure is a failed test).
pass=0; fail=0; skip=0
unexpected=()
for d in $dirs; do
    [ -d "$src/$d" ] || die "no directory '$d' in the suite"
    echo "=== $d"
    tap=$work/$d.tap
    rm -f "$tap"
    (cd "$src/$d" && MPITEST_TIMEOUT=$tmo ../runtests -srcdir=. -tests=testlist \
        -mpiexec="$launcher" -xmlfile="$work/$d.xml" -tapfile="$tap" >"$work/$d.out" 2>&1)
    [ -f "$tap" ] || { echo "  no results (see $work/$d.out)"; fail=$((fail + 1)); continue; }
    while read -r status name np; do
        t=${name#./}
        if [ "$status" = ok ]; then
            pass=$((pass + 1))
        elif reason=$(awk -v d="$d" -v t="$t" -v n="$np" \
                '$1 == d && $2 == t && ($3 == n || $3 == "*") { $1 = $2 = $3 = ""; sub(/^ +/, ""); print; f = 1; exit }
                 END { exit !f }' "$xfail" 2>/dev/null); then
            echo "  expected failure: $t $np ($reason)"
            skip=$((skip + 1))
        else
            echo "  FAIL: $t $np (output: $work/$d.out)"
            unexpected+=("$d/$t $np")
            fail=$((fail + 1))
        fi
    done < <(sed -nE 's/^(ok|not ok) +- +(\S+) +([0-9]*).*/\1|\2 \3/p' "$tap" | tr '|' ' ' |
             sed -E 's/^not ok/not_ok/')
done
echo "results per test: $work/DIR.tap, outputs: $work/DIR.out"
[ ${#unexpected[@]} = 0 ] || printf 'unexpected failure: %s\n' "${unexpected[@]}"
echo "mpich: $pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
