#!/usr/bin/env bash
# run-sites.sh - the main job: build, then run the N-body benchmark across emulated sites
# shaped like the planet-wide run, with a one-site reference run, and print a summary: sites,
# ranks per site, time per step, efficiency, bytes over each WAN link.
#
# Usage: apps/nbody/run-sites.sh [options]
#   --sites FILE          sites file (default apps/nbody/sites/planet4.txt); its slots are
#                         rewritten so that the --np ranks fill every site
#   --np N                ranks (default 4: one per site of planet4)
#   -n PARTICLES          particles (default 22528: about 1 s per step at one site on this 2-core machine)
#   --steps S             steps (default 5)
#   --comm ring|allgather communication scheme (default ring)
#   --lib dwcp|ompi|both  DWCP-MPI (default), Open MPI (nbody.ompi, same source), or both
#   --no-build            do not run make first
#   --builddir DIR        build tree (default: the source tree, or $DWCP_BUILDDIR)
#   --timeout S           time limit of each run (default 300)
# The default run takes about a minute on an idle 2-core machine. Without root the emulated
# sites cannot be created: the job runs at one site and says why. Exit status 0 when every run
# worked and the multi-site results are identical to the one-site ones, 1 otherwise.
set -u
here=$(cd "$(dirname "$0")" && pwd)
NB_TOP=$(cd "$here/../.." && pwd)
NB_BUILD=${DWCP_BUILDDIR:-$NB_TOP}
sites="$here/sites/planet4.txt"
np=4
n=22528
steps=5
comm=ring
libs=dwcp
build=1
timeout=300

die() { echo "run-sites.sh: $*" >&2; exit 2; }
need() { [ $# -ge 2 ] || die "option $1 needs a value"; }
while [ $# -gt 0 ]; do
    case "$1" in
    --sites) need "$@"; sites=$2; shift 2 ;;
    --np) need "$@"; np=$2; shift 2 ;;
    -n) need "$@"; n=$2; shift 2 ;;
    --steps) need "$@"; steps=$2; shift 2 ;;
    --comm) need "$@"; comm=$2; shift 2 ;;
    --lib) need "$@"; libs=$2; [ "$libs" = both ] && libs="dwcp ompi"; shift 2 ;;
    --no-build) build=0; shift ;;
    --builddir) need "$@"; NB_BUILD=$(cd "$2" && pwd) || die "no directory $2"; shift 2 ;;
    --timeout) need "$@"; timeout=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
    esac
done
for v in "$np" "$n" "$steps" "$timeout"; do
    case "$v" in ''|*[!0-9]*) die "'$v' is not a positive integer" ;; esac
done
case "$comm" in ring|allgather) ;; *) die "--comm must be ring or allgather" ;; esac
case "$libs" in dwcp|ompi|"dwcp ompi") ;; *) die "--lib must be dwcp, ompi or both" ;; esac
[ -r "$sites" ] || die "cannot read the sites file $sites"
sites=$(cd "$(dirname "$sites")" && pwd)/$(basename "$sites")

# shellcheck source=bench/lib.sh
. "$here/bench/lib.sh"
nb_mktemp dwcp-nbody || die "cannot create temporary directories"
nb_install_traps

# 1. Build what the job needs (the libraries, the launcher and wanem, both nbody binaries).
if [ "$build" = 1 ]; then
    echo "== building (log: $nb_tmp/build.log)"
    (
        set -e
        cd "$NB_BUILD"
        if [ ! -f Makefile ]; then
            [ -x "$NB_TOP/configure" ] || (cd "$NB_TOP" && ./autogen.sh)
            "$NB_TOP/configure" -q
        fi
        for d in common ucx-transport libdwcpmpi launcher; do make -s -j2 -C "$d"; done
        targets=nbody/nbody
        case "$libs" in *ompi*) targets="$targets nbody/nbody.ompi" ;; esac
        make -s -j2 -C apps $targets
    ) > "$nb_tmp/build.log" 2>&1 || { tail -n 30 "$nb_tmp/build.log"; echo "run-sites.sh: build failed" >&2; exit 1; }
fi
for f in "$NB_DWCPRUN" "$NB_WANEM" "$NB_NBODY_DWCP"; do
    [ -x "$f" ] || die "$f is not built (run without --no-build)"
done
case "$libs" in *ompi*) [ -x "$NB_NBODY_OMPI" ] || die "$NB_NBODY_OMPI is not built" ;; esac

multi=1
why=""
if [ "$(id -u)" != 0 ]; then
    multi=0
    why="emulating WAN links needs root (network namespaces and TUN devices); rerun as root
   (sudo $0) to run across the sites of $(basename "$sites")"
fi
if [ "$multi" = 1 ]; then
    nb_sites_copy "$sites" "$nb_tmp/sites.txt" "$np" \
        || die "$np ranks cannot give every site of $sites at least one rank"
fi

lib_name() { [ "$1" = dwcp ] && echo "DWCP-MPI" || echo "Open MPI"; }
lib_prog() { [ "$1" = dwcp ] && echo "$NB_NBODY_DWCP" || echo "$NB_NBODY_OMPI"; }
args=(-n "$n" --steps "$steps" --comm "$comm" -q --print-every 0)
status=0
declare -A t1 tm c1 cm eff

echo "== N-body main job: N=$n, $steps steps, $np ranks, scheme $comm"
for lib in $libs; do
    name=$(lib_name "$lib")
    prog=$(lib_prog "$lib")
    echo "-- $name, one site (reference)"
    if ! nb_run "$nb_tmp/one-$lib.txt" "$NB_DWCPRUN" --timeout "$timeout" -np "$np" "$prog" "${args[@]}" \
        || [ -z "$(nb_field t_step_median "$nb_tmp/one-$lib.txt")" ]; then
        tail -n 20 "$nb_tmp/one-$lib.txt"
        echo "   FAILED: the one-site run did not finish"
        status=1
        continue
    fi
    t1[$lib]=$(nb_field t_step_median "$nb_tmp/one-$lib.txt")
    c1[$lib]=$(nb_field checksum "$nb_tmp/one-$lib.txt")
    printf '   time per step %s s (median), checksum %s\n' "${t1[$lib]}" "${c1[$lib]}"
done

if [ "$multi" = 0 ]; then
    echo "-- emulated sites: skipped. $why"
    exit "$status"
fi

echo "-- sites ($(basename "$sites")): links as wanem emulates them"
"$NB_WANEM" --sites "$nb_tmp/sites.txt" --dry-run 2>&1 | sed -n 's/^  link /   /p' \
    | awk '{ split($1, ab, "->"); k = (ab[1] < ab[2]) ? ab[1] "<->" ab[2] : ab[2] "<->" ab[1]
             if (!(k in s)) { s[k] = 1; $1 = k; print "   " $0 } }' | cut -d' ' -f1-7
for lib in $libs; do
    name=$(lib_name "$lib")
    prog=$(lib_prog "$lib")
    log=$nb_tmp/multi-$lib.txt
    echo "-- $name across the emulated sites"
    nb_run "$log" "$NB_DWCPRUN" --timeout "$timeout" --sites "$nb_tmp/sites.txt" --emulate -v \
        -np "$np" "$prog" "${args[@]}"
    rc=$?
    placement=$(nb_placement "$log")
    echo "   ranks per site: $placement"
    tm[$lib]=$(nb_field t_step_median "$log")
    if [ "$rc" != 0 ] || [ -z "${tm[$lib]}" ]; then
        status=1
        if grep -q "cannot start the AMST transport" "$log"; then
            echo "   FAILED at MPI_Init: this build's AMST transport (between sites) is a placeholder;"
            echo "   multi-site DWCP-MPI runs need the AMST transport from main."
        else
            grep -vE '^(wanem: link|  link|  namespace)|setpgid' "$log" | tail -n 25 | sed 's/^/   | /'
            echo "   FAILED (exit $rc)"
        fi
        continue
    fi
    cm[$lib]=$(nb_field checksum "$log")
    eff[$lib]=$(awk -v a="${t1[$lib]:-0}" -v b="${tm[$lib]}" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }')
    bps=$(nb_field bytes_per_step "$log")
    printf '   time per step %s s (median), efficiency %s, checksum %s (%s)\n' "${tm[$lib]}" \
        "${eff[$lib]}" "${cm[$lib]}" "$([ "${cm[$lib]}" = "${c1[$lib]:-}" ] && echo "same as one site" || echo "DIFFERS from one site")"
    [ "${cm[$lib]}" = "${c1[$lib]:-}" ] || status=1
    echo "   bytes over each WAN link (wanem counters, IP bytes of the whole job incl. start-up):"
    nb_wan_links "$log" | while read -r a b ab ba; do
        printf '     %-24s %12s  ->  %12s  <-\n' "$a <-> $b" "$(nb_human "$ab")" "$(nb_human "$ba")"
    done
    printf '     total %s; payload per step %s per rank (%s over all ranks)\n' \
        "$(nb_human "$(nb_wan_bytes "$log")")" "$(nb_human "$bps")" \
        "$(nb_human "$(awk -v b="$bps" -v p="$np" 'BEGIN { printf "%.0f", b * p }')")"
    sed -n 's/^wanem: cpu /     wanem cpu: /p' "$log"
done

echo
echo "== summary: N=$n, $np ranks, $steps steps, $comm, sites $(basename "$sites")"
[ -z "${placement:-}" ] || echo "   ranks per site: $placement"
for lib in $libs; do
    printf '   %-9s one site %10s s/step   across sites %10s s/step   efficiency %s\n' \
        "$(lib_name "$lib")" "${t1[$lib]:-failed}" "${tm[$lib]:-failed}" "${eff[$lib]:-n/a}"
done
[ "$status" = 0 ] && echo "== results identical across sites and at one site" \
    || echo "== some runs FAILED or differ (see above)"
exit "$status"
