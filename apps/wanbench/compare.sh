#!/bin/bash
# compare.sh: run wanbench modes under two or more launch configurations and
# print side-by-side tables with ratios, parsed from the WANBENCH lines.
#
#   compare.sh --mode latency --np 2 \
#       --a "NAME=dwcp CMD=dwcprun {np} ./wanbench" \
#       --b "NAME=ompi CMD=mpirun --allow-run-as-root --oversubscribe ./wanbench.ompi"
#
# See --help for the rules on CMD.
set -u

usage() {
    cat <<'EOF'
usage: compare.sh --mode MODE[,MODE...] --np N --a "NAME=x CMD=..." --b "NAME=y CMD=..."
                  [--c ...] [--d ...] [--args "WANBENCH OPTIONS"] [--metric M|all]...
                  [--out DIR] [--timeout S]

  --mode M      wanbench mode(s): latency bandwidth bibw loaded allreduce bcast put get;
                repeat the option or give a comma list
  --np N        number of ranks
  --a .. --f    launch configurations "NAME=label CMD=command line".  CMD runs under
                sh -c.  "{np}" in CMD becomes N; without it "-np N" is inserted after
                the first word named mpirun, mpiexec, orterun or dwcprun (else error).
                "{args}" in CMD becomes "MODE OPTIONS"; without it they are appended.
  --args S      options passed to every wanbench run (e.g. "--sizes 8,1m --runs 3")
  --metric M    metric(s) to tabulate (repeatable); default: the mode's main ones;
                "all" = every metric the runs printed
  --out DIR     keep raw outputs in DIR (default: a temporary directory, removed)
  --timeout S   kill a run after S seconds (default 1800)

Ratios are first configuration / other configuration, per size.
Exit status: 0 when every run succeeded, 1 when a run failed, 2 on usage errors.
EOF
}

die() {
    echo "compare.sh: $*" >&2
    exit 2
}

modes=""
np=""
args=""
metrics=""
outdir=""
timeout_s=1800
configs=()

while [ $# -gt 0 ]; do
    case "$1" in
        -h|--help) usage; exit 0 ;;
        --mode) [ $# -ge 2 ] || die "--mode needs a value"; modes="$modes ${2//,/ }"; shift 2 ;;
        --np) [ $# -ge 2 ] || die "--np needs a value"; np=$2; shift 2 ;;
        --args) [ $# -ge 2 ] || die "--args needs a value"; args=$2; shift 2 ;;
        --metric) [ $# -ge 2 ] || die "--metric needs a value"; metrics="$metrics ${2//,/ }"; shift 2 ;;
        --out) [ $# -ge 2 ] || die "--out needs a value"; outdir=$2; shift 2 ;;
        --timeout) [ $# -ge 2 ] || die "--timeout needs a value"; timeout_s=$2; shift 2 ;;
        --a|--b|--c|--d|--e|--f)
            [ $# -ge 2 ] || die "$1 needs a value"; configs+=("$2"); shift 2 ;;
        *) die "unknown argument '$1' (see --help)" ;;
    esac
done

[ -n "$modes" ] || die "missing --mode"
[ -n "$np" ] || die "missing --np"
case "$np" in ''|*[!0-9]*) die "--np wants a positive integer, got '$np'" ;; esac
[ "$np" -ge 1 ] || die "--np wants a positive integer, got '$np'"
case "$timeout_s" in ''|*[!0-9]*) die "--timeout wants seconds, got '$timeout_s'" ;; esac
[ "${#configs[@]}" -ge 2 ] || die "need at least two configurations (--a and --b)"
for m in $modes; do
    case "$m" in
        latency|bandwidth|bibw|loaded|allreduce|bcast|put|get) ;;
        *) die "unknown mode '$m'" ;;
    esac
done

names=()
cmds=()
for c in "${configs[@]}"; do
    case "$c" in
        NAME=*" CMD="*) ;;
        *) die "configuration '$c' is not of the form \"NAME=label CMD=command\"" ;;
    esac
    name=${c%% CMD=*}
    name=${name#NAME=}
    cmd=${c#* CMD=}
    case "$name" in ''|*[!A-Za-z0-9_.-]*) die "bad NAME '$name' (letters, digits, _ . -)" ;; esac
    for n in "${names[@]+"${names[@]}"}"; do
        [ "$n" != "$name" ] || die "NAME '$name' used twice"
    done
    if [[ "$cmd" == *"{np}"* ]]; then
        cmd=${cmd//\{np\}/$np}
    else
        # insert -np after the first launcher word
        new=$(printf '%s\n' "$cmd" | awk -v np="$np" '{
            for (i = 1; i <= NF; i++) {
                w = $i; sub(/.*\//, "", w)
                if (!done && w ~ /^(mpirun|mpiexec|orterun|dwcprun)(\.[A-Za-z0-9_]+)?$/) {
                    $i = $i " -np " np; done = 1
                }
            }
            if (done) print; else print "NOLAUNCHER" }')
        [ "$new" != "NOLAUNCHER" ] ||
            die "cannot tell where the rank count goes in '$cmd': put {np} in CMD"
        cmd=$new
    fi
    names+=("$name")
    cmds+=("$cmd")
done

cleanup_out=0
if [ -z "$outdir" ]; then
    outdir=$(mktemp -d /tmp/wanbench-compare.XXXXXX) || die "cannot create a temporary directory"
    cleanup_out=1
else
    mkdir -p "$outdir" || die "cannot create '$outdir'"
fi
cleanup() {
    if [ "$cleanup_out" = 1 ]; then
        rm -rf "$outdir"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

failed=0
for m in $modes; do
    for i in "${!names[@]}"; do
        name=${names[$i]}
        cmd=${cmds[$i]}
        if [[ "$cmd" == *"{args}"* ]]; then
            full=${cmd//\{args\}/$m $args}
        else
            full="$cmd $m $args"
        fi
        out="$outdir/$name.$m.out"
        echo "# [$name] $full" >&2
        timeout --kill-after=10 "$timeout_s" sh -c "$full" >"$out" 2>&1
        rc=$?
        if [ $rc -ne 0 ] || ! grep -q "^WANBENCH " "$out"; then
            echo "compare.sh: [$name] mode $m failed (exit $rc$([ $rc = 124 ] && echo ", timed out after ${timeout_s} s")); last lines:" >&2
            tail -n 8 "$out" | sed 's/^/    /' >&2
            failed=1
        fi
    done
done

# Tables: one per (mode, metric); rows are sizes in order of appearance.
for m in $modes; do
    files=()
    for name in "${names[@]}"; do
        files+=("$outdir/$name.$m.out")
    done
    want=$metrics
    if [ -z "$want" ]; then
        case "$m" in
            latency|allreduce|bcast) want="lat_us_median" ;;
            bandwidth) want="bw_MBps_median" ;;
            bibw) want="bibw_MBps_median" ;;
            loaded) want="idle_lat_us loaded_lat_us ratio bulk_MBps" ;;
            put|get) want="lat_lock_us_median lat_fence_us_median" ;;
        esac
    fi
    awk -v mode="$m" -v want="$want" -v names="${names[*]}" '
        function better(metric) {
            if (metric ~ /MBps|Mbps/) return "higher is better"
            if (metric ~ /lat|_us|^ratio$/) return "lower is better"
            return ""
        }
        function fmt(v) {
            if (v == "") return "-"
            if (v + 0 >= 10000 || v + 0 <= -10000) return sprintf("%.0f", v)
            if (v + 0 >= 10 || v + 0 <= -10) return sprintf("%.2f", v)
            return sprintf("%.3f", v)
        }
        function hsize(s) {
            if (s >= 1073741824 && s % 1073741824 == 0) return (s / 1073741824) "G"
            if (s >= 1048576 && s % 1048576 == 0) return (s / 1048576) "M"
            if (s >= 1024 && s % 1024 == 0) return (s / 1024) "K"
            return s
        }
        BEGIN {
            for (i = 1; i < ARGC; i++) fidx[ARGV[i]] = i
            gsub(/^ +| +$/, "", want)
        }
        /^WANBENCH / {
            fi = fidx[FILENAME]
            delete kv
            for (i = 2; i <= NF; i++) {
                p = index($i, "="); kv[substr($i, 1, p - 1)] = substr($i, p + 1)
            }
            if (kv["mode"] != mode) next
            k = kv["metric"] SUBSEP kv["size"]
            val[fi, k] = kv["value"]
            if (!((kv["metric"], kv["size"]) in seen)) {
                seen[kv["metric"], kv["size"]] = 1
                ord[kv["metric"], ++nsz[kv["metric"]]] = kv["size"]
            }
            if (!(kv["metric"] in mseen)) { mseen[kv["metric"]] = 1; morder[++nm] = kv["metric"] }
        }
        END {
            nn = split(names, nm_)
            if (want == "all") { nw = nm; for (i = 1; i <= nm; i++) wl[i] = morder[i] }
            else nw = split(want, wl)
            for (w = 1; w <= nw; w++) {
                metric = wl[w]
                printf "\n== %s: %s (%s; ratio = %s / other)\n", mode, metric, better(metric), nm_[1]
                if (!(metric in mseen)) { print "   (no values: every run failed or metric unknown)"; continue }
                printf "%10s", "size"
                for (c = 1; c <= nn; c++) printf " %14s", nm_[c]
                for (c = 2; c <= nn; c++) printf " %14s", nm_[1] "/" nm_[c]
                printf "\n"
                for (r = 1; r <= nsz[metric]; r++) {
                    s = ord[metric, r]; k = metric SUBSEP s
                    printf "%10s", hsize(s)
                    for (c = 1; c <= nn; c++) printf " %14s", fmt((c, k) in val ? val[c, k] : "")
                    for (c = 2; c <= nn; c++) {
                        if ((1, k) in val && (c, k) in val && val[c, k] + 0 != 0)
                            printf " %14.3f", val[1, k] / val[c, k]
                        else printf " %14s", "-"
                    }
                    printf "\n"
                }
            }
        }' "${files[@]}"
done

if [ "$cleanup_out" = 0 ]; then
    echo "# raw outputs in $outdir" >&2
fi
exit $failed
