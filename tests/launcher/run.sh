#!/bin/sh
# tests/launcher/run.sh BUILDDIR — checks of dwcprun, dwcpcc and dwcp_info from a build tree.
#
# Prints one PASS/FAIL/SKIP line per check and a final "N passed, N failed" line; exits 1 if
# any check failed. Every job runs under dwcprun's own --timeout or timeout(1), so a broken
# launcher cannot hang the suite. The rank program (probe.c) needs no MPI.
set -u

# BUILDDIR: the argument, else $DWCP_BUILDDIR, else .. (make check runs tests from BUILDDIR/tests).
B=${1:-${DWCP_BUILDDIR:-..}}
if [ ! -x "$B/launcher/dwcprun" ]; then
    echo "usage: $0 BUILDDIR   (a configured and built tree with launcher/dwcprun)" >&2
    exit 2
fi
B=$(cd "$B" && pwd)
SRC=$(cd "$(dirname "$0")" && pwd)
RUN=$B/launcher/dwcprun
CC_W=$B/launcher/dwcpcc
INFO=$B/launcher/dwcp_info
T=$(mktemp -d /tmp/dwcl-test.XXXXXX)
npass=0
nfail=0
trap 'rm -rf "$T"' EXIT
trap 'rm -rf "$T"; exit 130' INT TERM HUP PIPE

pass() { echo "PASS: $1"; npass=$((npass + 1)); }
fail() { echo "FAIL: $1"; shift; for l in "$@"; do echo "      $l"; done; nfail=$((nfail + 1)); }
skip() { echo "SKIP: $1"; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }
# Count lines of $1 matching regex $2.
count() { grep -cE "$2" "$1" 2>/dev/null || true; }
# True when every pid in files $1/*.pid is gone.
all_gone() {
    for f in "$1"/*.pid; do
        [ -e "$f" ] || continue
        if kill -0 "$(cat "$f")" 2>/dev/null; then
            return 1
        fi
    done
    return 0
}
# Wait (up to $3 s) until $2 pid files exist in $1.
wait_pids() {
    i=0
    while [ "$(ls "$1" 2>/dev/null | wc -l)" -lt "$2" ] && [ $i -lt $(($3 * 10)) ]; do
        sleep 0.1
        i=$((i + 1))
    done
    [ "$(ls "$1" | wc -l)" -ge "$2" ]
}

# The rank program.
if ! ${CC:-cc} -O1 -o "$T/probe" "$SRC/probe.c"; then
    echo "FAIL: cannot compile probe.c"
    echo "0 passed, 1 failed"
    exit 1
fi
P=$T/probe

# 0. Block placement (unit checks of launcher/dwcl_place.c).
if ${CC:-cc} -O1 -I"$SRC/../../launcher" -o "$T/place_test" "$SRC/place_test.c" \
    "$SRC/../../launcher/dwcl_place.c" 2>"$T/e0"; then
    "$T/place_test" >"$T/o0"
    cat "$T/o0"
    npass=$((npass + $(count "$T/o0" '^PASS')))
    nfail=$((nfail + $(count "$T/o0" '^FAIL')))
else
    fail "cannot compile place_test.c" "$(cat "$T/e0")"
fi

# 1. Exit code propagation: rank 1 exits 3.
timeout 60 "$RUN" -np 3 --timeout 50 "$P" --exit-rank 1 3 >"$T/o1" 2>"$T/e1"
rc=$?
if [ $rc -eq 3 ] && [ "$(count "$T/o1" '^rank=')" -eq 3 ]; then
    pass "exit code of a failing rank propagates (rc=3)"
else
    fail "exit code propagation: rc=$rc (want 3)" "$(cat "$T/o1" "$T/e1")"
fi
timeout 60 "$RUN" -np 2 "$P" >"$T/o1b" 2>&1
rc=$?
[ $rc -eq 0 ] && pass "successful job exits 0" || fail "successful job: rc=$rc" "$(cat "$T/o1b")"

# 2. Signal forwarding: SIGTERM (and SIGINT) to dwcprun ends the job quickly, no orphans.
for sig in TERM INT; do
    mkdir -p "$T/pids$sig"
    "$RUN" -np 3 --timeout 60 "$P" --sleep 60 --pid-dir "$T/pids$sig" >"$T/o2" 2>&1 &
    dpid=$!
    if ! wait_pids "$T/pids$sig" 3 20; then
        fail "SIG$sig forwarding: ranks did not start" "$(cat "$T/o2")"
        kill -KILL $dpid 2>/dev/null
        wait $dpid 2>/dev/null
        continue
    fi
    t0=$(now)
    kill -$sig $dpid
    wait $dpid
    rc=$?
    dt=$(elapsed "$t0" "$(now)")
    sleep 0.3
    if lt "$dt" 8 && all_gone "$T/pids$sig"; then
        pass "SIG$sig to dwcprun ends the job in ${dt} s, no rank left (rc=$rc)"
    else
        fail "SIG$sig forwarding: took ${dt} s, rc=$rc, ranks left: $(all_gone "$T/pids$sig" || echo yes)" \
            "$(cat "$T/o2")"
    fi
    for f in "$T/pids$sig"/*.pid; do kill -KILL "$(cat "$f")" 2>/dev/null; done
done
[ "$rc" -eq 130 ] && pass "exit code after SIGINT is 130" || fail "exit code after SIGINT: $rc (want 130)"

# 3. SIGKILL of dwcprun: mpirun is told to stop (parent-death signal), ranks go away.
mkdir -p "$T/pidsK"
"$RUN" -np 2 "$P" --sleep 60 --pid-dir "$T/pidsK" >"$T/o3" 2>&1 &
dpid=$!
if wait_pids "$T/pidsK" 2 20; then
    kill -KILL $dpid
    wait $dpid 2>/dev/null
    i=0
    while ! all_gone "$T/pidsK" && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    all_gone "$T/pidsK" && pass "SIGKILL of dwcprun: ranks gone within $((i / 10)) s" ||
        fail "SIGKILL of dwcprun: ranks still running after 10 s"
else
    fail "SIGKILL test: ranks did not start" "$(cat "$T/o3")"
    kill -KILL $dpid 2>/dev/null
fi
for f in "$T/pidsK"/*.pid; do kill -KILL "$(cat "$f")" 2>/dev/null; done

# 4. --timeout, also with ranks that ignore SIGTERM.
for extra in "" "--ignore-term"; do
    mkdir -p "$T/pidsT$extra"
    t0=$(now)
    timeout 60 "$RUN" -np 2 --timeout 2 "$P" --sleep 60 $extra --pid-dir "$T/pidsT$extra" \
        >"$T/o4" 2>"$T/e4"
    rc=$?
    dt=$(elapsed "$t0" "$(now)")
    if [ $rc -eq 124 ] && lt "$dt" 12 && grep -q "time limit" "$T/e4" &&
        all_gone "$T/pidsT$extra"; then
        pass "--timeout 2 ${extra:+($extra) }: rc=124 after ${dt} s with a message, no rank left"
    else
        fail "--timeout ${extra}: rc=$rc (want 124) after $dt s" "$(cat "$T/o4" "$T/e4")"
    fi
    for f in "$T/pidsT$extra"/*.pid; do kill -KILL "$(cat "$f")" 2>/dev/null; done
done

# 5. -x and --mca reach every rank as environment.
DWCL_FROM_ENV=inherited timeout 60 "$RUN" -np 3 -x DWCL_FOO=bar -x DWCL_FROM_ENV \
    --mca dwcp_foo baz "$P" DWCL_FOO DWCL_FROM_ENV OMPI_MCA_dwcp_foo >"$T/o5" 2>&1
rc=$?
n=$(count "$T/o5" '^rank=[0-9]+ DWCL_FOO=bar DWCL_FROM_ENV=inherited OMPI_MCA_dwcp_foo=baz$')
[ $rc -eq 0 ] && [ "$n" -eq 3 ] && pass "-x VAR=VAL, -x VAR and --mca dwcp_foo baz reach all 3 ranks" ||
    fail "-x/--mca: rc=$rc, $n of 3 ranks right" "$(cat "$T/o5")"

# 6. --sites: block placement, DWCP_SITE and DWCP_SITES_FILE per rank.
cat >"$T/two.sites" <<'EOS'
# two sites for the launcher tests
site alpha slots=2
site beta slots=3
link alpha beta delay=5ms rate=100mbit
EOS
timeout 60 "$RUN" -np 4 --sites "$T/two.sites" "$P" DWCP_SITE DWCP_SITES_FILE >"$T/o6" 2>&1
rc=$?
got=$(grep '^rank=' "$T/o6" | sort -t= -k2 -n | sed 's/ DWCP_SITES_FILE=.*//' | tr '\n' ' ')
want="rank=0 DWCP_SITE=alpha rank=1 DWCP_SITE=alpha rank=2 DWCP_SITE=beta rank=3 DWCP_SITE=beta "
nf=$(count "$T/o6" "DWCP_SITES_FILE=$T/two.sites\$")
[ $rc -eq 0 ] && [ "$got" = "$want" ] && [ "$nf" -eq 4 ] &&
    pass "--sites: ranks 0-1 on alpha, 2-3 on beta, DWCP_SITES_FILE absolute" ||
    fail "--sites placement: rc=$rc" "got:  $got" "want: $want" "$(cat "$T/o6")"
timeout 60 "$RUN" -np 6 --sites "$T/two.sites" "$P" >"$T/o6b" 2>&1
rc=$?
[ $rc -eq 2 ] && grep -q "only 5 slots" "$T/o6b" && pass "--sites: 6 ranks on 5 slots is refused (rc=2)" ||
    fail "--sites too many ranks: rc=$rc (want 2)" "$(cat "$T/o6b")"
timeout 60 "$RUN" -np 7 --oversubscribe --sites "$T/two.sites" "$P" DWCP_SITE >"$T/o6c" 2>&1
rc=$?
na=$(count "$T/o6c" 'DWCP_SITE=alpha$')
nb=$(count "$T/o6c" 'DWCP_SITE=beta$')
[ $rc -eq 0 ] && [ "$na" -eq 4 ] && [ "$nb" -eq 3 ] &&
    pass "--sites --oversubscribe: 7 ranks = 4 alpha + 3 beta" ||
    fail "--oversubscribe placement: rc=$rc alpha=$na beta=$nb (want 4, 3)" "$(cat "$T/o6c")"
# One PMIx namespace across the sites' app contexts: a PMIx put/fence/get among all ranks.
PP=""
if pkg-config --exists pmix 2>/dev/null &&
    ${CC:-cc} -o "$T/pmix_probe" "$SRC/pmix_probe.c" $(pkg-config --cflags --libs pmix) 2>"$T/e6p"; then
    PP=$T/pmix_probe
    timeout 60 "$RUN" -np 5 --timeout 50 --sites "$T/two.sites" "$PP" >"$T/o6p" 2>&1
    rc=$?
    ns=$(sed -n 's/.*nspace=\([^ ]*\).*/\1/p' "$T/o6p" | sort -u | wc -l)
    n=$(count "$T/o6p" '^pmix rank=[0-4] size=5 .* peers=ok$')
    [ $rc -eq 0 ] && [ "$n" -eq 5 ] && [ "$ns" -eq 1 ] &&
        pass "--sites: 5 ranks in one PMIx namespace, put/fence/get among all" ||
        fail "--sites PMIx: rc=$rc, $n of 5 ok, $ns namespaces" "$(cat "$T/o6p")"
else
    skip "PMIx bootstrap check: cannot build pmix_probe.c ($(cat "$T/e6p" 2>/dev/null | head -1))"
fi
printf 'site alpha slots=zero\n' >"$T/bad.sites"
timeout 60 "$RUN" -np 1 --sites "$T/bad.sites" "$P" >"$T/o6d" 2>&1
rc=$?
[ $rc -eq 2 ] && grep -q "bad.sites:1" "$T/o6d" && pass "--sites: a bad file is reported with file:line (rc=2)" ||
    fail "--sites bad file: rc=$rc" "$(cat "$T/o6d")"

# 7. Usage errors.
"$RUN" --no-such-option -np 2 "$P" >"$T/o7" 2>"$T/e7"
rc=$?
[ $rc -eq 2 ] && grep -q "unknown option '--no-such-option'" "$T/e7" && grep -q "^usage:" "$T/e7" &&
    pass "unknown option: rc=2, names it, prints usage" || fail "unknown option: rc=$rc" "$(cat "$T/e7")"
"$RUN" -np 2 >"$T/o7" 2>"$T/e7"
rc=$?
[ $rc -eq 2 ] && grep -q "no program" "$T/e7" && pass "no program: rc=2" || fail "no program: rc=$rc"
"$RUN" -np zero "$P" >"$T/o7" 2>"$T/e7"
rc=$?
[ $rc -eq 2 ] && pass "bad -np: rc=2" || fail "bad -np: rc=$rc"
# Arguments after the program are passed untouched (even ones that look like dwcprun's).
timeout 60 "$RUN" -np 1 "$P" -np --timeout "a b" >"$T/o7b" 2>&1
rc=$?
grep -q '^rank=0 -np=- --timeout=- a b=-$' "$T/o7b" && pass "arguments after the program are untouched" ||
    fail "program arguments: rc=$rc" "$(cat "$T/o7b")"
# --name=value spelling, and --dry-run.
out=$("$RUN" --dry-run --np=2 --timeout=5 -x DWCL_A=1 --mca dwcp_y 2 "$P" arg 2>&1)
rc=$?
case $out in
*"mpirun"*" --mca dwcp_y 2 -np 2 -x DWCL_A=1 $P arg") [ $rc -eq 0 ] && pass "--np=2 --timeout=5 and --dry-run" ||
    fail "--dry-run rc=$rc" ;;
*) fail "--np=2/--dry-run output: $out" ;;
esac
"$RUN" --emulate=yes --sites x "$P" >/dev/null 2>&1
rc=$?
[ $rc -eq 2 ] && pass "--emulate=yes refused (rc=2)" || fail "--emulate=yes: rc=$rc"
# A missing mpirun is reported (exit 127), not a hang or a crash.
DWCP_MPIRUN=/nonexistent/mpirun timeout 30 "$RUN" -np 1 "$P" >"$T/o7e" 2>&1
rc=$?
[ $rc -eq 127 ] && grep -q "cannot run /nonexistent/mpirun" "$T/o7e" &&
    pass "missing mpirun: rc=127 with a message" || fail "missing mpirun: rc=$rc" "$(cat "$T/o7e")"
# -v prints the mpirun command.
timeout 60 "$RUN" -v -np 1 --mca dwcp_x 1 "$P" >"$T/o7c" 2>"$T/e7c"
grep -q "running: .*mpirun.* --mca dwcp_x 1 -np 1 .*probe" "$T/e7c" && pass "-v prints the mpirun command" ||
    fail "-v output" "$(cat "$T/e7c")"
# DWCP_MPIRUN overrides the mpirun used.
DWCP_MPIRUN=/bin/echo timeout 60 "$RUN" -np 2 "$P" >"$T/o7d" 2>&1
grep -q -- "--oversubscribe -np 2 $P" "$T/o7d" && pass "DWCP_MPIRUN overrides mpirun" ||
    fail "DWCP_MPIRUN" "$(cat "$T/o7d")"

# 8. dwcpcc.
show=$("$CC_W" -showme foo.c -o foo)
case $show in
*" -I"*"foo.c -o foo -L"*"-ldwcpmpi"*) pass "dwcpcc -showme: $show" ;;
*) fail "dwcpcc -showme output: $show" ;;
esac
show=$("$CC_W" -showme -c foo.c)
case $show in
*-ldwcpmpi*) fail "dwcpcc -showme -c adds link flags: $show" ;;
*" -I"*"-c foo.c") pass "dwcpcc -showme -c: no link flags" ;;
*) fail "dwcpcc -showme -c: $show" ;;
esac
[ "$("$CC_W" -showme:link)" = "$(DWCPCC_CC=false "$CC_W" -showme:link)" ] &&
    "$CC_W" -showme:compile | grep -q '^-I' && pass "dwcpcc -showme:compile / -showme:link" ||
    fail "dwcpcc -showme:compile/-showme:link"
DWCPCC_CC=my-cc "$CC_W" -showme x.c | grep -q '^my-cc ' && pass "dwcpcc honours DWCPCC_CC" ||
    fail "dwcpcc DWCPCC_CC"
DWCP_PREFIX=/opt/dwcp "$CC_W" -showme x.c | grep -q -- '-I/opt/dwcp/include .*x.c -L/opt/dwcp/lib ' &&
    pass "dwcpcc honours DWCP_PREFIX" || fail "dwcpcc DWCP_PREFIX"
"$CC_W" --version | head -1 | grep -q '^dwcpcc (dwcp-mpi) [0-9]' && pass "dwcpcc --version" ||
    fail "dwcpcc --version"
# configure CC=dwcpcc exports CC=dwcpcc: dwcpcc must not run itself (it once looped forever).
CC="$CC_W" timeout 10 "$CC_W" --version >/dev/null 2>&1 && pass "dwcpcc ignores CC (configure CC=dwcpcc)" ||
    fail "dwcpcc with CC=dwcpcc did not finish in 10 s or failed"
DWCPCC_CC="$CC_W" timeout 10 "$CC_W" -showme x.c >/dev/null 2>"$T/e9"
[ $? = 2 ] && grep -q 'itself' "$T/e9" && pass "dwcpcc refuses DWCPCC_CC=dwcpcc with a message" ||
    fail "dwcpcc DWCPCC_CC=dwcpcc" "$(cat "$T/e9")"
printf '#include <mpi.h>\nint f(void) { return MPI_SUCCESS; }\n' >"$T/usempi.c"
"$CC_W" -c "$T/usempi.c" -o "$T/usempi.o" 2>"$T/e8" && pass "dwcpcc -c compiles against the build tree's mpi.h" ||
    fail "dwcpcc -c with mpi.h" "$(cat "$T/e8")"
"$CC_W" -o "$T/probe2" "$SRC/probe.c" 2>"$T/e8b" && "$T/probe2" | grep -q '^rank=' &&
    readelf -d "$T/probe2" | grep -q "$B/libdwcpmpi/.libs" &&
    pass "dwcpcc links against the build tree (rpath to libdwcpmpi/.libs)" ||
    fail "dwcpcc link" "$(cat "$T/e8b")"

# 9. dwcp_info.
timeout 30 "$INFO" >"$T/o9" 2>&1
rc=$?
np=$(count "$T/o9" '^dwcp_[a-z0-9_]+ +=')
if [ $rc -eq 0 ] && grep -q '^DWCP-MPI [0-9]' "$T/o9" && grep -q 'PMIx:.*running' "$T/o9" && [ "$np" -gt 0 ]; then
    pass "dwcp_info prints version, build configuration and $np parameters"
else
    fail "dwcp_info: rc=$rc, $np parameters listed" "$(head -30 "$T/o9")"
fi
first=$(sed -n 's/^dwcp_\([a-z0-9_]*\) .*/\1/p' "$T/o9" | head -1)
if [ -n "$first" ]; then
    defv=$("$INFO" --param "$first" | sed -n 's/.*default \([^;]*\);.*/\1/p')
    upper=$(echo "$first" | tr a-z A-Z)
    env "OMPI_MCA_dwcp_$first=$defv" "$INFO" --param "dwcp_$first" | grep -q "= $defv (mca;" &&
        env "DWCP_$upper=$defv" "$INFO" | grep -q "^dwcp_$first *= $defv *(env;" &&
        pass "dwcp_info shows the source of dwcp_$first (mca, env)" ||
        fail "dwcp_info sources for $first" "$("$INFO" --param "$first")"
else
    fail "dwcp_info: no parameter to check the sources with"
fi
"$INFO" --param no_such_param_xyz >/dev/null 2>&1
rc=$?
[ $rc -ne 0 ] && pass "dwcp_info --param unknown fails (rc=$rc)" || fail "dwcp_info --param unknown: rc=0"

# 10. --emulate.
# Without root: a clear refusal that says what it would do (as root, checked as user nobody).
pub=$(mktemp /tmp/dwcl-sites.XXXXXX)
cp "$T/two.sites" "$pub" && chmod 644 "$pub"
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null &&
    setpriv --reuid=65534 --regid=65534 --clear-groups "$RUN" --version >/dev/null 2>&1; then
    setpriv --reuid=65534 --regid=65534 --clear-groups "$RUN" -np 2 --sites "$pub" --emulate \
        /bin/true >"$T/o10n" 2>&1
    rc=$?
    [ $rc -eq 2 ] && grep -q "needs root" "$T/o10n" && grep -q "10.201.0.2 *(site beta" "$T/o10n" &&
        pass "--emulate as a user: rc=2, says it needs root and what it would do" ||
        fail "--emulate as a user: rc=$rc" "$(cat "$T/o10n")"
fi
rm -f "$pub"
if [ "$(id -u)" -ne 0 ]; then
    "$RUN" -np 2 --sites "$T/two.sites" --emulate "$P" >"$T/o10" 2>&1
    rc=$?
    [ $rc -eq 2 ] && grep -q "needs root" "$T/o10" && grep -q "alpha" "$T/o10" &&
        pass "--emulate without root: rc=2, explains what it would do" ||
        fail "--emulate without root: rc=$rc" "$(cat "$T/o10")"
elif ! ip netns list >/dev/null 2>&1 || [ ! -e /dev/net/tun ]; then
    skip "--emulate: no network namespaces or /dev/net/tun here"
elif [ ! -f "$B/launcher/wanem/wanem" ] && [ ! -f "$B/launcher/wanem" ] && [ -z "${DWCP_WANEM:-}" ]; then
    skip "--emulate: wanem not built"
else
    mynet=$(readlink /proc/self/ns/net)
    "$RUN" -np 4 --timeout 60 --sites "$T/two.sites" --emulate "$P" --netns DWCP_SITE \
        >"$T/o10" 2>"$T/e10" &
    dpid=$!
    wait $dpid
    rc=$?
    na=$(grep 'DWCP_SITE=alpha netns=' "$T/o10" | sed 's/.*netns=//' | sort -u)
    nb=$(grep 'DWCP_SITE=beta netns=' "$T/o10" | sed 's/.*netns=//' | sort -u)
    left=$(ip netns list | grep -c "^dwcp$dpid-" || true)
    if [ $rc -eq 0 ] && [ "$(count "$T/o10" '^rank=')" -eq 4 ] && [ "$(echo "$na" | wc -l)" -eq 1 ] &&
        [ "$(echo "$nb" | wc -l)" -eq 1 ] && [ -n "$na" ] && [ -n "$nb" ] && [ "$na" != "$nb" ] &&
        [ "$na" != "$mynet" ] && [ "$nb" != "$mynet" ] && [ "$left" -eq 0 ]; then
        pass "--emulate: ranks of each site run in that site's namespace, all removed after"
    else
        fail "--emulate: rc=$rc, alpha ns=[$na] beta ns=[$nb] own=$mynet, namespaces left=$left" \
            "$(cat "$T/o10" "$T/e10")"
    fi
    # PMIx bootstrap across the emulated sites (the daemons reach mpirun over the WAN links).
    if [ -n "$PP" ]; then
        timeout 120 "$RUN" -np 4 --timeout 60 --sites "$T/two.sites" --emulate "$PP" \
            >"$T/o10p" 2>&1
        rc=$?
        n=$(count "$T/o10p" '^pmix rank=[0-3] size=4 .*site=(alpha|beta) peers=ok$')
        [ $rc -eq 0 ] && [ "$n" -eq 4 ] &&
            pass "--emulate: PMIx put/fence/get among 4 ranks across the emulated sites" ||
            fail "--emulate PMIx: rc=$rc, $n of 4 ok" "$(cat "$T/o10p")"
    fi
    # --timeout inside the emulation: exit 124 through wanem, nothing left.
    t0=$(now)
    "$RUN" -np 3 --timeout 3 --sites "$T/two.sites" --emulate "$P" --sleep 60 \
        >"$T/o10t" 2>&1 &
    dpid=$!
    wait $dpid
    rc=$?
    dt=$(elapsed "$t0" "$(now)")
    left=$(ip netns list | grep -c "^dwcp$dpid-" || true)
    [ $rc -eq 124 ] && [ "$left" -eq 0 ] && grep -q "time limit" "$T/o10t" && lt "$dt" 20 &&
        pass "--emulate --timeout 3: rc=124 after $dt s, namespaces removed" ||
        fail "--emulate --timeout: rc=$rc (want 124) after $dt s, namespaces left=$left" \
            "$(cat "$T/o10t")"
    # SIGTERM during an emulated run: ranks, namespaces and the agent directory all go away.
    mkdir -p "$T/pidsE"
    "$RUN" -np 4 --timeout 60 --sites "$T/two.sites" --emulate "$P" --sleep 60 \
        --pid-dir "$T/pidsE" >"$T/o10b" 2>&1 &
    dpid=$!
    if wait_pids "$T/pidsE" 4 30; then
        t0=$(now)
        kill -TERM $dpid
        wait $dpid
        rc=$?
        dt=$(elapsed "$t0" "$(now)")
        sleep 0.3
        left=$(ip netns list | grep -c "^dwcp$dpid-" || true)
        dirs=$(ls -d /tmp/dwcprun.* 2>/dev/null | while read -r d; do
            grep -l "dwcp$dpid-" "$d"/agent.sh 2>/dev/null; done | wc -l)
        if all_gone "$T/pidsE" && [ "$left" -eq 0 ] && [ "$dirs" -eq 0 ] && lt "$dt" 20; then
            pass "--emulate + SIGTERM: ended in $dt s (rc=$rc), no rank, namespace or agent left"
        else
            fail "--emulate + SIGTERM: $dt s, rc=$rc, namespaces left=$left, agent dirs=$dirs" \
                "ranks left: $(all_gone "$T/pidsE" || echo yes)" "$(cat "$T/o10b")"
        fi
    else
        fail "--emulate + SIGTERM: ranks did not start" "$(cat "$T/o10b")"
        kill -TERM $dpid 2>/dev/null
        wait $dpid 2>/dev/null
    fi
    for f in "$T/pidsE"/*.pid; do kill -KILL "$(cat "$f")" 2>/dev/null; done
fi

echo "$npass passed, $nfail failed"
[ $nfail -eq 0 ]
