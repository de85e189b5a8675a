# apps/nbody/bench/lib.sh - shell functions shared by the N-body job scripts
# (apps/nbody/run-sites.sh, apps/nbody/bench/efficiency.sh, tests/nbody/run-sites-test.sh).
# Source it from bash after setting NB_TOP (source tree) and optionally NB_BUILD (build tree,
# default NB_TOP). Everything it starts runs in the background and is tracked, so that
# nb_cleanup (installed on EXIT/INT/TERM by nb_install_traps) can stop it and remove the
# network namespaces and temporary files it created.

: "${NB_TOP:?NB_TOP must be set before sourcing lib.sh}"
NB_BUILD=${NB_BUILD:-$NB_TOP}
NB_DWCPRUN=${NB_DWCPRUN:-$NB_BUILD/launcher/dwcprun}
NB_WANEM=${NB_WANEM:-$NB_BUILD/launcher/wanem/wanem}
NB_NBODY_DWCP=${NB_NBODY_DWCP:-$NB_BUILD/apps/nbody/nbody}
NB_NBODY_OMPI=${NB_NBODY_OMPI:-$NB_BUILD/apps/nbody/nbody.ompi}

nb_child=""        # the job running now (outer dwcprun)
nb_prefixes=""     # wanem namespace prefixes of every emulated job started (dwcp<pid>)
nb_tmp=""          # private temporary directory (nb_mktemp)
nb_interrupted=0

# nb_mktemp NAME: create the private temporary directory (removed at exit).
nb_mktemp() {
    nb_tmp=$(mktemp -d "/tmp/$1.XXXXXX")
}

# nb_stop_child: SIGTERM the running job (dwcprun forwards it and tears the sites down), then
# SIGKILL after 20 s. Bounded.
nb_stop_child() {
    local i
    [ -n "$nb_child" ] || return 0
    kill -TERM "$nb_child" 2>/dev/null || { nb_child=""; return 0; }
    for ((i = 0; i < 200; i++)); do
        kill -0 "$nb_child" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$nb_child" 2>/dev/null || true
    wait "$nb_child" 2>/dev/null || true
    nb_child=""
}

# nb_leftover_netns: print namespaces left by our jobs (one per line), nothing if none.
nb_leftover_netns() {
    local p
    [ -n "$nb_prefixes" ] || return 0
    for p in $nb_prefixes; do
        ip netns list 2>/dev/null | awk -v p="$p-" 'index($1, p) == 1 { print $1 }'
    done
}

# nb_cleanup: stop the job, remove namespaces left behind (wanem --cleanup), temporary files.
# Prints a warning if something had to be cleaned by force.
nb_cleanup() {
    local left p
    nb_stop_child
    left=$(nb_leftover_netns)
    if [ -n "$left" ]; then
        echo "warning: network namespaces left behind, removing them: $(echo $left)" >&2
        for p in $nb_prefixes; do
            "$NB_WANEM" --cleanup "$p" >/dev/null 2>&1 || true
        done
        left=$(nb_leftover_netns)
        [ -z "$left" ] || echo "error: could not remove namespaces: $(echo $left)" >&2
    fi
    [ -z "$nb_tmp" ] || [ -n "${NB_KEEP_TMP:-}" ] || rm -rf "$nb_tmp"
    nb_tmp=""
}

nb_on_signal() {
    nb_interrupted=1
    echo >&2
    echo "interrupted ($1): stopping the job and cleaning up" >&2
    nb_cleanup
    trap - EXIT
    exit 130
}

# nb_install_traps: clean up on exit and on SIGINT/SIGTERM/SIGHUP.
nb_install_traps() {
    trap nb_cleanup EXIT
    trap 'nb_on_signal INT' INT
    trap 'nb_on_signal TERM' TERM
    trap 'nb_on_signal HUP' HUP
}

# nb_run LOG CMD...: run CMD in the background with output in LOG, wait for it, return its
# status. For an emulated job (--emulate among the arguments) its namespace prefix
# (dwcp<pid of dwcprun>) is remembered. (dwcprun gives every emulated site its own Open MPI
# session and shared-memory directories itself.)
nb_run() {
    local log=$1 rc emu=0
    shift
    case " $* " in *" --emulate "*) emu=1 ;; esac
    "$@" > "$log" 2>&1 &
    nb_child=$!
    [ "$emu" = 0 ] || nb_prefixes="$nb_prefixes dwcp$nb_child"
    wait "$nb_child"
    rc=$?
    nb_child=""
    return "$rc"
}

# nb_sites_copy SRC DST NP: copy a sites file, giving its sites slots that hold NP ranks in
# blocks (floor(NP/nsites) each, the first NP mod nsites sites one more), so that every
# site gets ranks whatever the file's slots say. Fails if NP < number of sites.
nb_sites_copy() {
    awk -v np="$3" '
        { line[NR] = $0; c = $0; sub(/#.*/, "", c)
          if (split(c, w) > 0 && w[1] == "site") { site[NR] = 1; ns++ } }
        END {
            if (ns == 0 || np < ns) { exit 1 }
            k = 0
            for (i = 1; i <= NR; i++) {
                if (!(i in site)) { print line[i]; continue }
                s = int(np / ns) + (k < np % ns ? 1 : 0); k++
                l = line[i]; sub(/#.*/, "", l)
                gsub(/[ \t]slots=[0-9]+/, "", l); sub(/[ \t]+$/, "", l)
                print l " slots=" s
            }
        }' "$1" > "$2"
}

# nb_sites_pair DST ONEWAY_MS RATE NP: a two-site file (sitea, siteb) with the given one-way
# delay and rate, NP ranks split between them.
nb_sites_pair() {
    local a=$(( $4 / 2 + $4 % 2 )) b=$(( $4 / 2 ))
    {
        echo "# generated: two sites, one-way delay $2 ms (RTT $(awk -v d="$2" 'BEGIN { print 2 * d }') ms), $3"
        echo "site sitea slots=$a"
        echo "site siteb slots=$b"
        echo "default delay=${2}ms rate=$3 queue=1.0bdp"
    } > "$1"
}

# nb_field KEY FILE: value of KEY= in the last NBODY_RESULT line of FILE (empty if none).
nb_field() {
    sed -n "s/^.*NBODY_RESULT.* $1=\([^ ]*\).*/\1/p" "$2" | tail -n 1
}

# nb_wan_bytes FILE: total sent_bytes over all emulated links in a job's output (0 if none).
nb_wan_bytes() {
    awk '/^wanem: link / { for (i = 3; i <= NF; i++) if ($i ~ /^sent_bytes=/) {
             sub(/sent_bytes=/, "", $i); t += $i } } END { printf "%.0f\n", t }' "$1"
}

# nb_wan_links FILE: per undirected link "A<->B bytes_A->B bytes_B->A" from wanem's counters.
nb_wan_links() {
    awk '/^wanem: link / {
            split($3, ab, "->"); b = 0
            for (i = 4; i <= NF; i++) if ($i ~ /^sent_bytes=/) { v = $i; sub(/sent_bytes=/, "", v) }
            if ((ab[2] SUBSEP ab[1]) in fwd) { back[ab[2] SUBSEP ab[1]] = v }
            else { fwd[ab[1] SUBSEP ab[2]] = v; order[++n] = ab[1] SUBSEP ab[2] }
         }
         END { for (i = 1; i <= n; i++) { split(order[i], p, SUBSEP)
                   printf "%s %s %s %s\n", p[1], p[2], fwd[order[i]], back[order[i]] } }' "$1"
}

# nb_placement FILE: the "site=ranks a-b ..." placement printed by dwcprun -v.
nb_placement() {
    sed -n 's/^dwcprun: placement: //p' "$1" | head -n 1
}

# nb_median: median of the numbers on stdin (one per line); empty if none.
nb_median() {
    sort -g | awk '{ v[++n] = $1 } END { if (n == 0) { exit }
        if (n % 2) { print v[(n + 1) / 2] } else { printf "%.6g\n", (v[n / 2] + v[n / 2 + 1]) / 2 } }'
}

# nb_human BYTES: 1.23 MB style.
nb_human() {
    awk -v b="$1" 'BEGIN { if (b == "") { print "-"; exit }
        split("B kB MB GB TB", u, " "); i = 1
        while (b >= 1000 && i < 5) { b /= 1000; i++ }
        printf (i == 1 ? "%d %s\n" : "%.2f %s\n"), b, u[i] }'
}
