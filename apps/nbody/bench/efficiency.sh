#!/usr/bin/env bash
# efficiency.sh - multi-site efficiency of the N-body benchmark, DWCP-MPI against Open MPI.
#
# Usage: apps/nbody/bench/efficiency.sh [options]
#   --n "N1 N2 ..."     particle counts (default "4096 8192 16384")
#   --np P              ranks, every topology (default 8; at least the number of sites)
#   --runs R            runs per configuration, >= 1 (default 3); the median is used
#   --steps S           steps per run (default 5)
#   --comm SCHEME       ring (default: overlaps the WAN transfers with the force computation)
#                       or allgather
#   --topos "T..."      multi-site topologies among: two (sites/planet2.txt, Amsterdam-Tokyo,
#                       RTT 260 ms) four (sites/planet4.txt) (default "two four")
#   --rtt "MS..."       RTT sweep: two sites with these round-trip times (default
#                       "20 100 200 300"; "" for none), at N = --rtt-n
#   --rtt-n N           particle count of the RTT sweep (default: the largest of --n)
#   --rate R            link rate of the RTT sweep (default 1gbit)
#   --libs "L..."       dwcp and/or ompi (default "dwcp ompi")
#   --out DIR           output directory (default nbody-eff-<date>)
#   --timeout S         time limit of one run (default 600)
#   --quick             small test: --n "512 1024" --np 4 --steps 3 --rtt "20 100" --rtt-n 1024
#                       --topos "two four" --timeout 120 (options after --quick still apply)
#   --builddir DIR      build tree (default: the source tree, or $DWCP_BUILDDIR)
# Every configuration (library x topology x N) runs R times; runs are interleaved (run 1 of
# every configuration, then run 2 in reverse order, ...) so that load changes on a shared
# machine hit all alike. efficiency = T(one site) / T(multi-site), T = median over the runs of the run's
# t_step_median (seconds per step); ratio = DWCP efficiency / Open MPI efficiency. A run that
# fails is retried once; a configuration whose first run fails twice is skipped. Exit status:
# 0 if every run worked, 1 if some failed (the table shows what could be measured), 2 usage.
# Output in DIR: runs.tsv (every run, with t_comm/t_compute: seconds per step, mean over
# ranks, and cpu_compute_max from NBODY_RESULT), efficiency.tsv (the table printed), eff-vs-n.png,
# eff-vs-rtt.png (gnuplot), sites/ (the sites files used), logs/ (every job's output).
# Multi-site runs need root (network namespaces); without root only the one-site runs are made.
set -u
here=$(cd "$(dirname "$0")" && pwd)
NB_TOP=$(cd "$here/../../.." && pwd)
NB_BUILD=${DWCP_BUILDDIR:-$NB_TOP}

nlist="4096 8192 16384"
np=8
runs=3
steps=5
comm=ring
topos="two four"
rtts="20 100 200 300"
rtt_n=""
rate=1gbit
libs="dwcp ompi"
out=""
timeout=600

die() { echo "efficiency.sh: $*" >&2; exit 2; }
need() { [ $# -ge 2 ] || die "option $1 needs a value"; }
while [ $# -gt 0 ]; do
    case "$1" in
    --n) need "$@"; nlist=$2; shift 2 ;;
    --np) need "$@"; np=$2; shift 2 ;;
    --runs) need "$@"; runs=$2; shift 2 ;;
    --steps) need "$@"; steps=$2; shift 2 ;;
    --comm) need "$@"; comm=$2; shift 2 ;;
    --topos) need "$@"; topos=$2; shift 2 ;;
    --rtt) need "$@"; rtts=$2; shift 2 ;;
    --rtt-n) need "$@"; rtt_n=$2; shift 2 ;;
    --rate) need "$@"; rate=$2; shift 2 ;;
    --libs) need "$@"; libs=$2; shift 2 ;;
    --out) need "$@"; out=$2; shift 2 ;;
    --timeout) need "$@"; timeout=$2; shift 2 ;;
    --builddir) need "$@"; NB_BUILD=$(cd "$2" && pwd) || die "no directory $2"; shift 2 ;;
    --quick) nlist="512 1024"; np=4; steps=3; rtts="20 100"; rtt_n=1024; topos="two four"
             timeout=120; shift ;;
    -h|--help) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
    esac
done
isint() { case "$1" in ''|*[!0-9]*) return 1 ;; *) return 0 ;; esac; }
for v in $nlist $np $runs $steps $timeout ${rtt_n:-1} $rtts; do
    isint "$v" || die "'$v' is not a positive integer"
done
[ "$runs" -ge 1 ] && [ "$np" -ge 1 ] && [ "$steps" -ge 1 ] || die "--runs, --np, --steps must be >= 1"
case "$comm" in ring|allgather) ;; *) die "--comm must be ring or allgather" ;; esac
for l in $libs; do case "$l" in dwcp|ompi) ;; *) die "unknown library '$l' (dwcp, ompi)" ;; esac; done
for t in $topos; do case "$t" in two|four) ;; *) die "unknown topology '$t' (two, four)" ;; esac; done
[ -n "$nlist" ] || die "--n is empty"
[ -n "$rtt_n" ] || rtt_n=$(printf '%s\n' $nlist | sort -n | tail -n 1)
[ -n "$out" ] || out="nbody-eff-$(date -u +%Y%m%d-%H%M%S)"

# shellcheck source=lib.sh
. "$here/lib.sh"
for f in "$NB_DWCPRUN" "$NB_WANEM"; do [ -x "$f" ] || die "$f is not built (make)"; done
for l in $libs; do
    f=$NB_NBODY_DWCP
    [ "$l" = ompi ] && f=$NB_NBODY_OMPI
    [ -x "$f" ] || die "$f is not built (make -C apps nbody/nbody nbody/nbody.ompi)"
done
mkdir -p "$out/logs" "$out/sites" || die "cannot create $out"
out=$(cd "$out" && pwd)
nb_mktemp nbody-eff || die "cannot create temporary directories"
nb_install_traps

multi=1
if [ "$(id -u)" != 0 ]; then
    multi=0
    echo "note: not root: emulated sites need network namespaces and TUN devices, so only the"
    echo "      one-site runs are made (rerun as root for the multi-site ones)."
fi

# Topologies: name, sites file (empty = one site), RTT in ms (for the tables).
declare -A topo_file topo_rtt
topo_file[one]=""
topo_rtt[one]=0
[ "$multi" = 1 ] || { topos=""; rtts=""; }
for t in $topos; do
    src=$NB_TOP/apps/nbody/sites/planet2.txt
    [ "$t" = four ] && src=$NB_TOP/apps/nbody/sites/planet4.txt
    nb_sites_copy "$src" "$out/sites/$t.txt" "$np" || die "$src: $np ranks cannot fill its sites"
    topo_file[$t]=$out/sites/$t.txt
    topo_rtt[$t]=$(awk '/^(link|default)/ { for (i = 1; i <= NF; i++) if ($i ~ /^delay=/) {
        v = $i; sub(/delay=/, "", v); sub(/ms$/, "", v); if (v + 0 > m) m = v + 0 } }
        END { print 2 * m }' "$src")
done
rtt_topos=""
for r in $rtts; do
    nb_sites_pair "$out/sites/rtt$r.txt" "$(awk -v r="$r" 'BEGIN { print r / 2 }')" "$rate" "$np"
    topo_file[rtt$r]=$out/sites/rtt$r.txt
    topo_rtt[rtt$r]=$r
    rtt_topos="$rtt_topos rtt$r"
done

# Configurations: "lib topo n". One-site references for every N (and the sweep's N).
configs=()
allnb=$(printf '%s\n' $nlist "$([ -n "$rtts" ] && echo "$rtt_n")" | awk 'NF && !seen[$1]++')
for n in $allnb; do
    for l in $libs; do configs+=("$l one $n"); done
done
if [ "$multi" = 1 ]; then
    for n in $nlist; do
        for t in $topos; do for l in $libs; do configs+=("$l $t $n"); done; done
    done
    for t in $rtt_topos; do for l in $libs; do configs+=("$l $t $rtt_n"); done; done
fi

declare -A skip
runs_tsv=$out/runs.tsv
printf 'lib\ttopo\trtt_ms\tn\tnp\tcomm\tsteps\trun\trc\tt_step\tchecksum\twan_bytes\tlog\tt_comm\tt_compute\tcpu_compute_max\n' > "$runs_tsv"

# run_config LIB TOPO N RUN: one run (retried once on failure); appends to runs.tsv.
run_config() {
    local lib=$1 topo=$2 n=$3 run=$4 f=${topo_file[$2]} log try rc t ck wb prog
    local -a cmd=("$NB_DWCPRUN" --timeout "$timeout")
    prog=$NB_NBODY_DWCP
    [ "$lib" = ompi ] && prog=$NB_NBODY_OMPI
    [ -z "$f" ] || cmd+=(--sites "$f" --emulate -v)
    cmd+=(-np "$np" "$prog" -n "$n" --steps "$steps" --comm "$comm" -q --print-every 0)
    for try in 1 2; do
        log=$out/logs/$lib-$topo-n$n-r$run-t$try.txt
        nb_run "$log" "${cmd[@]}"
        rc=$?
        t=$(nb_field t_step_median "$log")
        ck=$(nb_field checksum "$log")
        wb=$(nb_wan_bytes "$log")
        if [ "$rc" = 0 ] && [ -n "$t" ]; then
            break
        fi
        if grep -q "cannot start the AMST transport" "$log"; then
            break   # the AMST placeholder: retrying cannot help
        fi
    done
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$lib" "$topo" \
        "${topo_rtt[$topo]}" "$n" "$np" "$comm" "$steps" "$run" "$rc" "${t:-NA}" "${ck:-NA}" \
        "$wb" "${log#"$out"/}" "$(nb_field t_comm "$log")" "$(nb_field t_compute "$log")" \
        "$(nb_field cpu_compute_max "$log")" >> "$runs_tsv"
    printf '  %-4s %-7s N=%-6s run %s: %s\n' "$lib" "$topo" "$n" "$run" \
        "$( [ "$rc" = 0 ] && [ -n "$t" ] && echo "t_step $t s, WAN $(nb_human "$wb")" \
            || echo "FAILED (exit $rc, see ${log#"$out"/}): $(grep -v setpgid "$log" | grep -m1 -iE 'error|fail|abort|time limit' | cut -c1-100)")"
    [ "$rc" = 0 ] && [ -n "$t" ]
}

echo "== N-body efficiency: N in {$nlist}, $np ranks, $runs runs x $steps steps, scheme $comm"
echo "   topologies: one site, $topos; RTT sweep {$rtts} ms at N=$rtt_n; libraries: $libs"
echo "   output: $out"
start=$(date +%s)
for ((run = 1; run <= runs; run++)); do
    echo "-- run $run of $runs"
    # Odd passes in order, even passes in reverse: a slow drift of the machine's load then
    # biases no configuration (one-site references come first in the list).
    order=("${configs[@]}")
    if ((run % 2 == 0)); then
        order=()
        for ((i = ${#configs[@]} - 1; i >= 0; i--)); do order+=("${configs[$i]}"); done
    fi
    for c in "${order[@]}"; do
        set -- $c
        key="$1 $2 $3"
        [ -z "${skip[$key]:-}" ] || continue
        if ! run_config "$1" "$2" "$3" "$run" && [ "$run" = 1 ]; then
            skip[$key]=1
            echo "     skipping the other runs of $key"
        fi
    done
done
echo "-- $(( $(date +%s) - start )) s"

# Table: medians per configuration, efficiency against the one-site run of the same library.
eff_tsv=$out/efficiency.tsv
awk -F'\t' -v libs="$libs" '
    function median(key) { return med(vals[key]) }
    function med(list,   n, i, j, v, tmp) {
        n = split(list, v, " ")
        if (n == 0) { return "NA" }
        for (i = 2; i <= n; i++) { tmp = v[i]; for (j = i - 1; j >= 1 && v[j] + 0 > tmp + 0; j--) v[j + 1] = v[j]; v[j + 1] = tmp }
        return (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
    }
    NR == 1 { next }
    {
        key = $1 SUBSEP $2 SUBSEP $4
        if ($9 == 0 && $10 != "NA") {
            vals[key] = vals[key] " " $10; ok[key]++
            if ($14 != "") { tc[key] = tc[key] " " $14 }
            if ($2 == "one") { ref[$1 SUBSEP $4] = $11 } else { cks[key] = cks[key] " " $11 }
        }
        total[key]++
        if ($2 != "one" && !((($2) SUBSEP ($4)) in seen)) { seen[$2 SUBSEP $4] = 1; order[++no] = $2 SUBSEP $4; rtt[$2] = $3 }
    }
    END {
        printf "topo\trtt_ms\tn\tdwcp_t1\tdwcp_tm\tdwcp_eff\tdwcp_runs\tdwcp_check\tompi_t1\tompi_tm\tompi_eff\tompi_runs\tompi_check\tratio\tdwcp_tcomm\tompi_tcomm\n"
        for (i = 1; i <= no; i++) {
            split(order[i], tn, SUBSEP); t = tn[1]; n = tn[2]
            line = t "\t" rtt[t] "\t" n
            for (li = 1; li <= 2; li++) {
                l = (li == 1) ? "dwcp" : "ompi"
                t1 = median(l SUBSEP "one" SUBSEP n); tm = median(l SUBSEP t SUBSEP n)
                e[l] = (t1 != "NA" && tm != "NA" && tm > 0) ? sprintf("%.3f", t1 / tm) : "NA"
                k = l SUBSEP t SUBSEP n
                chk = "NA"
                if (ok[k] > 0 && ((l SUBSEP n) in ref)) {
                    m = split(cks[k], c, " "); chk = "same"
                    for (j = 1; j <= m; j++) if (c[j] != ref[l SUBSEP n]) chk = "DIFFER"
                }
                line = line "\t" t1 "\t" tm "\t" e[l] "\t" (ok[k] + 0) "/" (total[k] + 0) "\t" chk
            }
            r = (e["dwcp"] != "NA" && e["ompi"] != "NA" && e["ompi"] > 0) ? sprintf("%.3f", e["dwcp"] / e["ompi"]) : "NA"
            print line "\t" r "\t" med(tc["dwcp" SUBSEP t SUBSEP n]) "\t" med(tc["ompi" SUBSEP t SUBSEP n])
        }
    }' "$runs_tsv" > "$eff_tsv"

echo
echo "== efficiency = T(one site) / T(multi-site), per step, median of $runs runs (s);"
echo "   comm = t_comm across sites (s per step, mean over ranks: time not hidden behind computing)"
awk -F'\t' 'NR == 1 { printf "%-7s %5s %7s | %9s %9s %6s %5s | %9s %9s %6s %5s | %6s | %9s %9s\n",
        "topo", "RTTms", "N", "DWCP T1", "DWCP Tm", "eff", "runs", "OMPI T1", "OMPI Tm", "eff", "runs", "ratio",
        "DWCP comm", "OMPI comm"; next }
    function g(v) { return (v == "NA" || v == "") ? "NA" : sprintf("%.4g", v) }
    { printf "%-7s %5s %7s | %9s %9s %6s %5s | %9s %9s %6s %5s | %6s | %9s %9s%s\n",
        $1, $2, $3, g($4), g($5), $6, $7, g($9), g($10), $11, $12, $14, g($15), g($16),
        ($8 == "DIFFER" || $13 == "DIFFER") ? "  CHECKSUM DIFFERS" : "" }' "$eff_tsv"
echo "(one-site references: $(awk -F'\t' '$2 == "one" && $9 == 0 { k = $1 " N=" $4; if (!(k in s)) { s[k] = 1; o[++n] = k } v[k] = v[k] " " $10 }
    END { for (i = 1; i <= n; i++) printf "%s%s:%s", (i > 1 ? "; " : ""), o[i], v[o[i]] }' "$runs_tsv"))"
if grep -q "cannot start the AMST transport" "$out"/logs/dwcp-* 2>/dev/null; then
    echo "note: DWCP-MPI multi-site runs failed at MPI_Init (cannot start the AMST transport:"
    echo "      in a build without AMST, the placeholder); their columns stay NA."
fi

# Plots.
term="pngcairo size 800,520 font ',10'"
gnuplot -e "set terminal pngcairo" >/dev/null 2>&1 || term="png size 800,520"
awk -F'\t' -v topos="$topos" 'NR > 1 && $1 !~ /^rtt/ { d[$3, $1, "d"] = $6; d[$3, $1, "o"] = $11; if (!($3 in ns)) { ns[$3] = 1; nl[++k] = $3 } }
    END { nt = split(topos, t, " "); printf "# n"; for (j = 1; j <= nt; j++) printf " dwcp_%s ompi_%s", t[j], t[j]; print ""
          for (i = 1; i <= k; i++) { printf "%s", nl[i]
              for (j = 1; j <= nt; j++) { a = d[nl[i], t[j], "d"]; b = d[nl[i], t[j], "o"]
                  printf " %s %s", (a == "" ? "NA" : a), (b == "" ? "NA" : b) }
              print "" } }' "$eff_tsv" | sort -n > "$out/eff-vs-n.dat"
awk -F'\t' 'NR > 1 && $1 ~ /^rtt/ { print $2, $6, $11 }' "$eff_tsv" | sort -n > "$out/eff-vs-rtt.dat"
{
    echo "set terminal $term"
    echo "set datafile missing 'NA'"
    echo "set grid; set key top left; set yrange [0:*]; set ylabel 'efficiency T(1 site) / T(sites)'"
    echo "set output '$out/eff-vs-n.png'"
    echo "set title 'N-body efficiency vs N ($np ranks, $comm, $steps steps, median of $runs)'"
    echo "set xlabel 'N (particles)'; set logscale x 2"
    plot="plot"
    col=2
    for t in $topos; do
        label="2 sites, RTT ${topo_rtt[$t]} ms"
        [ "$t" = four ] && label="4 sites (planet4)"
        plot="$plot '$out/eff-vs-n.dat' using 1:$col with linespoints lw 2 title 'DWCP-MPI, $label',"
        plot="$plot '$out/eff-vs-n.dat' using 1:$((col + 1)) with linespoints lw 2 dt 2 title 'Open MPI, $label',"
        col=$((col + 2))
    done
    [ "$plot" = plot ] || [ -z "$topos" ] || echo "${plot%,}"
    echo "unset logscale x"
    if [ -n "$rtt_topos" ]; then
        echo "set output '$out/eff-vs-rtt.png'"
        echo "set title 'N-body efficiency vs RTT (2 sites, N=$rtt_n, $np ranks, $comm, $rate)'"
        echo "set xlabel 'round-trip time (ms)'; set key top right"
        echo "plot '$out/eff-vs-rtt.dat' using 1:2 with linespoints lw 2 title 'DWCP-MPI', '$out/eff-vs-rtt.dat' using 1:3 with linespoints lw 2 dt 2 title 'Open MPI'"
    fi
} > "$out/plots.gp"
pngs=""
[ -z "$topos" ] || pngs="$out/eff-vs-n.png"
[ -z "$rtt_topos" ] || pngs="$pngs $out/eff-vs-rtt.png"
if [ "$multi" = 0 ] || [ -z "$pngs" ]; then
    :
elif gnuplot "$out/plots.gp" > "$out/gnuplot.log" 2>&1; then
    echo "plots:$pngs"
elif [ "$multi" = 1 ]; then
    echo "gnuplot failed (see $out/gnuplot.log); data in $out/eff-vs-*.dat"
fi
echo "table: $eff_tsv; every run: $runs_tsv"

nb_cleanup
left=$(ip netns list 2>/dev/null | awk '{ print $1 }' | grep -E "^($(echo $nb_prefixes | tr ' ' '|'))-" || true)
if [ -n "$nb_prefixes" ] && [ -n "$left" ]; then
    echo "error: network namespaces still present: $left" >&2
    exit 1
fi
[ "$multi" = 0 ] || echo "cleanup: no network namespaces left ($(echo $nb_prefixes | wc -w) emulated jobs)"
fails=$(awk -F'\t' 'NR > 1 && ($9 != 0 || $10 == "NA")' "$runs_tsv" | wc -l)
[ "$fails" = 0 ] || { echo "$fails run(s) failed (see runs.tsv)"; exit 1; }
exit 0
