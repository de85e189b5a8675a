#!/bin/sh
# mpirun-site-tmp.sh - mpirun wrapper for `dwcprun --sites F --emulate` (use it through
# DWCP_MPIRUN): gives the Open MPI daemon of every site a session directory, and the Open MPI
# ranks of every site a shared-memory directory, of its own.
#
# Why: every site's daemon (orted) runs on this one host, under the same host name, so all of
# them create their session directory as /tmp/ompi.<host>.<uid>/jf.<job family>. Two daemons
# creating it at the same moment race (Open MPI 4.1 fails on EEXIST: "A call to mkdir was
# unable to create the desired directory ... File exists", then orte_init fails), and since
# the daemons run with --daemonize the job hangs until its time limit. Seen in about one
# 4-site start in eight on this machine.
#
# The same holds for Open MPI programs (nbody.ompi): the vader shared-memory BTL names its
# segment files after host name, job id and local rank, and each site's daemon numbers its
# ranks from 0, so ranks of two sites map the same /dev/shm file and crash (segfault in
# mca_btl_vader_poll_handle_frag).
#
# How: the --mca plm_rsh_agent AGENT that dwcprun passes is replaced by "THIS --agent AGENT";
# mpirun then calls this script as the agent, which exports OMPI_MCA_orte_tmpdir_base=
# $NB_SITE_TMPDIR/<site> and OMPI_MCA_btl_vader_backing_directory=$NB_SITE_SHMDIR/<site>
# (defaults /tmp/nbody-sitetmp.<pid> and /dev/shm/nbody-sitetmp.<pid>) and runs dwcprun's
# agent; the daemon and the ranks it starts inherit them (DWCP-MPI ranks ignore them). The
# first site's daemon is mpirun itself and keeps the defaults. The directories are removed
# when mpirun ends.
set -u
me=$0
case "$me" in /*) ;; *) me=$(pwd)/$me ;; esac
real=${NB_REAL_MPIRUN:-mpirun.openmpi}
if [ "${1:-}" = "--agent" ]; then
    shift
    agent=$1
    shift
    # rsh-style arguments: [options] HOST command...
    host=""
    for a in "$@"; do
        case "$a" in -*) ;; *) host=${a%%:*}; break ;; esac
    done
    base=${NB_SITE_TMPDIR:?NB_SITE_TMPDIR is set by the mpirun wrapper}
    shm=${NB_SITE_SHMDIR:?NB_SITE_SHMDIR is set by the mpirun wrapper}
    mkdir -p "$base/${host:-unknown}" "$shm/${host:-unknown}"
    OMPI_MCA_orte_tmpdir_base=$base/${host:-unknown}
    OMPI_MCA_btl_vader_backing_directory=$shm/${host:-unknown}
    export OMPI_MCA_orte_tmpdir_base OMPI_MCA_btl_vader_backing_directory
    exec "$agent" "$@"
fi
NB_SITE_TMPDIR=${NB_SITE_TMPDIR:-/tmp/nbody-sitetmp.$$}
NB_SITE_SHMDIR=${NB_SITE_SHMDIR:-/dev/shm/nbody-sitetmp.$$}
[ -d /dev/shm ] || NB_SITE_SHMDIR=$NB_SITE_TMPDIR/shm
export NB_SITE_TMPDIR NB_SITE_SHMDIR
# Rebuild the argument list, wrapping the rsh agent.
n=$#
i=0
prev=""
while [ "$i" -lt "$n" ]; do
    a=$1
    shift
    i=$((i + 1))
    if [ "$prev" = "plm_rsh_agent" ]; then
        a="$me --agent $a"
    fi
    case "$prev" in --mca|-mca) prev=$a ;; *) prev="" ;; esac
    [ "$a" = "--mca" ] || [ "$a" = "-mca" ] && prev=$a
    set -- "$@" "$a"
done
# Forward termination signals to mpirun (dwcprun signals its mpirun, i.e. this script).
"$real" "$@" &
pid=$!
trap 'kill -TERM "$pid" 2>/dev/null' TERM HUP
trap 'kill -INT "$pid" 2>/dev/null' INT
while :; do
    wait "$pid"
    rc=$?
    kill -0 "$pid" 2>/dev/null || break   # wait returned because of a signal: wait again
done
rm -rf "$NB_SITE_TMPDIR" "$NB_SITE_SHMDIR"
exit "$rc"
