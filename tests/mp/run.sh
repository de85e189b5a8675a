#!/usr/bin/env bash
# run.sh - run the multi-rank MPI tests listed in tests/mp/testlist.
#
# Usage: run.sh --bindir DIR --launcher "CMD" [--testlist FILE]
#               [--label X | --skip-label X | --all] [--filter REGEX]
#               [--timeout-scale F] [--keep-logs DIR] [--tail N]
#               [--env-style x|prefix]
#
# testlist lines:  prog nprocs [env=VAR=VAL ...] [arg=ARG ...] [exit=N]
#                  [timeout=S] [label=L]
# Blank lines and lines starting with '#' are ignored.
#
# Each test runs as:  CMD -np N [-x VAR=VAL ...] DIR/prog [ARG ...]
# (--env-style prefix: CMD -np N env VAR=VAL ... DIR/prog [ARG ...];
# arguments and env values cannot contain spaces)
# in its own session, under a time limit (default 60 s); on timeout, and
# after every test, every process left in that session is killed, so
# nothing is left behind.
#
# A test passes when its exit code equals the expected one (exit=N,
# default 0; exit=nz means any non-zero code) and, for an expected 0,
# its output contains "No Errors". --timeout-scale multiplies limits.
# Tests labelled "large" are opt-in: skipped unless --label large or --all.
# Ends with "N passed, N failed, N skipped"; exit status 1 if any failed.
set -u

bindir=""
launcher=""
here=$(cd "$(dirname "$0")" && pwd)
testlist="$here/testlist"
only_label=""
skip_labels="large"
filter=""
scale=1
keep=""
tail_lines=25
env_style=x

usage() {
    awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"
    exit 2
}

while [ $# -gt 0 ]; do
    case "$1" in
    --bindir) bindir=$2; shift 2 ;;
    --launcher) launcher=$2; shift 2 ;;
    --testlist) testlist=$2; shift 2 ;;
    --label) only_label=$2; skip_labels=""; shift 2 ;;
    --skip-label) skip_labels="$skip_labels $2"; shift 2 ;;
    --all) only_label=""; skip_labels=""; shift ;;
    --filter) filter=$2; shift 2 ;;
    --timeout-scale) scale=$2; shift 2 ;;
    --keep-logs) keep=$2; shift 2 ;;
    --tail) tail_lines=$2; shift 2 ;;
    --env-style) env_style=$2; shift 2 ;;
    -h | --help) usage ;;
    *) echo "run.sh: unknown option '$1'" >&2; usage ;;
    esac
done

if [ -z "$bindir" ] || [ -z "$launcher" ]; then
    echo "run.sh: --bindir and --launcher are required" >&2
    usage
fi
if [ "$env_style" != x ] && [ "$env_style" != prefix ]; then
    echo "run.sh: --env-style must be x or prefix" >&2
    exit 2
fi
if [ ! -r "$testlist" ]; then
    echo "run.sh: cannot read testlist '$testlist'" >&2
    exit 2
fi

read -r -a launch_words <<<"$launcher"
logdir=${keep:-$(mktemp -d "${TMPDIR:-/tmp}/mptests.XXXXXX")}
mkdir -p "$logdir"
cur_sid=""

# Live (non-zombie) processes of session $1. Launchers may move their
# children into process groups of their own (Open MPI does), but they
# stay in the session the test was started in.
session_pids() {
    ps -e -o pid=,sid=,stat= 2>/dev/null |
        awk -v s="$1" '$2 == s && $3 !~ /^Z/ { print $1 }'
}

# Kill every process of the test's session (if any), TERM then KILL.
kill_session() {
    local sid=$1 pids
    [ -n "$sid" ] || return 0
    pids=$(session_pids "$sid")
    [ -n "$pids" ] || return 0
    # shellcheck disable=SC2086
    kill -TERM $pids 2>/dev/null
    for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
        pids=$(session_pids "$sid")
        [ -n "$pids" ] || return 0
        sleep 0.1
    done
    # shellcheck disable=SC2086
    kill -KILL $pids 2>/dev/null
    return 0
}

cleanup() {
    kill_session "$cur_sid"
    [ -z "$keep" ] && rm -rf "$logdir"
}
trap cleanup EXIT
trap 'echo "run.sh: interrupted" >&2; exit 130' INT TERM

npass=0
nfail=0
nskip=0
failed_names=""

while read -r line || [ -n "$line" ]; do
    line=${line%%#*}
    read -r -a f <<<"$line"
    [ ${#f[@]} -ge 2 ] || continue
    prog=${f[0]}
    np=${f[1]}
    envs=()
    envp=()
    args=()
    want_exit=0
    tmo=60
    label=""
    for opt in "${f[@]:2}"; do
        case "$opt" in
        env=*)
            envs+=("-x" "${opt#env=}")
            envp+=("${opt#env=}")
            ;;
        arg=*) args+=("${opt#arg=}") ;;
        exit=*) want_exit=${opt#exit=} ;;
        timeout=*) tmo=${opt#timeout=} ;;
        label=*) label=${opt#label=} ;;
        *) echo "run.sh: $prog: unknown option '$opt' in testlist" >&2 ;;
        esac
    done
    name="$prog"
    [ ${#args[@]} -gt 0 ] && name="$prog ${args[*]}"
    [ ${#envs[@]} -gt 0 ] && name="$name [${envs[*]//-x /}]"
    name=${name//-x /}
    if [ "$env_style" = prefix ]; then
        launch_env=()
        [ ${#envp[@]} -gt 0 ] && launch_env=(env "${envp[@]}")
    else
        launch_env=("${envs[@]}")
    fi
    if [ -n "$filter" ] && ! [[ "$name" =~ $filter ]]; then
        continue
    fi
    if [ -n "$only_label" ] && [ "$label" != "$only_label" ]; then
        continue
    fi
    skip=0
    for l in $skip_labels; do
        [ "$label" = "$l" ] && skip=1
    done
    if [ $skip = 1 ]; then
        echo "SKIP $name (label=$label)"
        nskip=$((nskip + 1))
        continue
    fi
    if [ ! -x "$bindir/$prog" ]; then
        echo "FAIL $name (np=$np): program $bindir/$prog not built"
        nfail=$((nfail + 1))
        failed_names="$failed_names $prog"
        continue
    fi
    limit=$(awk -v t="$tmo" -v s="$scale" 'BEGIN { printf "%d", t * s + 0.5 }')
    log="$logdir/$prog.$np.log"
    pidf="$logdir/$prog.sid"
    rm -f "$pidf"
    t0=$(date +%s.%N)
    # New session: the test and everything it spawns share one group.
    setsid -w bash -c 'echo $$ >"$0"; exec "$@"' "$pidf" \
        "${launch_words[@]}" -np "$np" "${launch_env[@]}" "$bindir/$prog" \
        "${args[@]}" </dev/null >"$log" 2>&1 &
    spid=$!
    for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
        [ -s "$pidf" ] && break
        sleep 0.05
    done
    cur_sid=$(cat "$pidf" 2>/dev/null)
    timed_out=0
    deadline=$(awk -v t="$t0" -v l="$limit" 'BEGIN { printf "%.3f", t + l }')
    while kill -0 "$spid" 2>/dev/null; do
        now=$(date +%s.%N)
        if awk -v n="$now" -v d="$deadline" 'BEGIN { exit !(n > d) }'; then
            timed_out=1
            kill_session "$cur_sid"
            break
        fi
        sleep 0.1
    done
    wait "$spid"
    rc=$?
    # Sweep anything the test left behind in its session.
    kill_session "$cur_sid"
    cur_sid=""
    t1=$(date +%s.%N)
    dt=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
    why=""
    if [ $timed_out = 1 ]; then
        why="timeout after ${limit}s"
    elif [ "$want_exit" = nz ] && [ "$rc" = 0 ]; then
        why="exit code 0, expected non-zero"
    elif [ "$want_exit" != nz ] && [ "$rc" != "$want_exit" ]; then
        why="exit code $rc, expected $want_exit"
    elif [ "$want_exit" = 0 ] && ! grep -q "No Errors" "$log"; then
        why="exit code 0 but no 'No Errors' line"
    fi
    if [ -z "$why" ]; then
        echo "PASS $name (np=$np, ${dt}s)"
        npass=$((npass + 1))
    else
        echo "FAIL $name (np=$np, ${dt}s): $why"
        grep -m 5 '^FAIL \[' "$log" | sed 's/^/    > /'
        tail -n "$tail_lines" "$log" | sed 's/^/    | /'
        nfail=$((nfail + 1))
        failed_names="$failed_names $prog"
    fi
done <"$testlist"

[ -n "$failed_names" ] && echo "failed:$failed_names"
if [ $nskip -gt 0 ]; then
    echo "$npass passed, $nfail failed, $nskip skipped"
else
    echo "$npass passed, $nfail failed"
fi
[ $nfail -eq 0 ]
