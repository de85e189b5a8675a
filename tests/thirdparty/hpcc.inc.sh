# hpcc.inc.sh - HPC Challenge (Debian source package hpcc) for run-suites.sh; sourced, not run.
# Builds hpcc from the upstream tarball with HPL's CBLAS interface on OpenBLAS, runs it on each
# rank count of $nps with a small input (N=$hpl_n, grid P x Q = np), and checks that every test
# passed (HPL residuals, PTRANS residual, RandomAccess errors, FFT error, Success=1).
# RandomAccess must have 0 errors, stricter than HPCC's own 1 % tolerance: an error there
# means an update message was lost.

# hpcc_build MPI: build $work/hpcc-MPI/hpcc (kept if already built).
hpcc_build() {
    local m=$1 d=$work/hpcc-$1 tb cc extra=
    [ -x "$d/hpcc" ] && return 0
    tb=$(fetch hpcc) || return 1
    rm -rf "$d" && mkdir -p "$d" && tar -xzf "$tb" -C "$d" --strip-components=1 || return 1
    cc=$(cc_of "$m")
    # Open MPI 4 hides MPI-1 functions HPL still calls (MPI_Address, MPI_Type_struct) unless
    # asked for them; DWCP-MPI declares them always.
    [ "$m" = ompi ] && extra=-DOMPI_OMIT_MPI1_COMPAT_DECLS=0
    cat >"$d/hpl/Make.$m" <<EOF
SHELL = /bin/sh
CD = cd
CP = cp
LN_S = ln -s
MKDIR = mkdir -p
RM = /bin/rm -f
TOUCH = touch
ARCH = \$(arch)
TOPdir = ../../..
INCdir = \$(TOPdir)/include
BINdir = \$(TOPdir)/bin/\$(ARCH)
LIBdir = \$(TOPdir)/lib/\$(ARCH)
HPLlib = \$(LIBdir)/libhpl.a
LAlib = -lopenblas
HPL_INCLUDES = -I\$(INCdir) -I\$(INCdir)/\$(ARCH)
HPL_LIBS = \$(HPLlib) \$(LAlib) -lm
HPL_OPTS = -DHPL_CALL_CBLAS
HPL_DEFS = \$(HPL_OPTS) \$(HPL_INCLUDES)
CC = $cc
CCNOOPT = \$(HPL_DEFS)
CCFLAGS = \$(HPL_DEFS) -O2 -fcommon $extra
LINKER = $cc
LINKFLAGS = \$(CCFLAGS)
ARCHIVER = ar
ARFLAGS = r
RANLIB = echo
EOF
    log "building hpcc with $m ($d/build.log)"
    if ! make -C "$d" arch="$m" -j2 >"$d/build.log" 2>&1 || [ ! -x "$d/hpcc" ]; then
        log "hpcc build with $m failed: tail of $d/build.log:"
        tail -15 "$d/build.log" >&2
        return 1
    fi
}

# hpcc_input NP FILE: the sample input with N=$hpl_n and the most square P x Q grid = NP.
hpcc_input() {
    local np=$1 p q=1 i
    p=$np
    for ((i = 1; i * i <= np; i++)); do
        if [ $((np % i)) -eq 0 ]; then q=$i; fi
    done
    p=$((np / q))
    sed -e "s/^1000 *Ns/$hpl_n Ns/" -e "s/^2 *Ps/$q Ps/" -e "s/^2 *Qs/$p Qs/" \
        "$work/hpcc-dwcp/_hpccinf.txt" >"$2" 2>/dev/null ||
        sed -e "s/^1000 *Ns/$hpl_n Ns/" -e "s/^2 *Ps/$q Ps/" -e "s/^2 *Qs/$p Qs/" \
            "$work/hpcc-ompi/_hpccinf.txt" >"$2"
}

# hpcc_check OUT: print "ok" when every check in hpccoutf.txt passed, else what failed.
hpcc_check() {
    local f=$1 bad=
    [ -f "$f" ] || { echo "no-output"; return; }
    grep -q '^Success=1' "$f" || bad="$bad Success"
    grep -q 'FAILED' "$f" && bad="$bad HPL-residual"
    grep -q '^PTRANS_residual=0$' "$f" || bad="$bad PTRANS"
    grep -q '^MPIRandomAccess_Errors=0$' "$f" || bad="$bad RandomAccess"
    awk -F= '/^MPIFFT_maxErr=/ { exit !($2 + 0 < 1e-10) }' "$f" || bad="$bad MPIFFT"
    grep -q '^HPL_Tflops=' "$f" || bad="$bad HPL-missing"
    echo "${bad:-ok}"
}

# fig OUT NAME: value of NAME= in the summary section.
fig() { sed -n "s/^$2=//p" "$1" | head -1; }

run_hpcc() {
    local m np r d st all keys k
    keys="HPL_Tflops PTRANS_GBs MPIRandomAccess_GUPs MPIFFT_Gflops AvgPingPongLatency_usec"
    keys="$keys AvgPingPongBandwidth_GBytes NaturallyOrderedRingBandwidth_GBytes MPIRandomAccess_Errors"
    for m in $mpis; do
        hpcc_build "$m" || { record hpcc "$m" - FAIL build; continue; }
    done
    for np in $nps; do
        for m in $mpis; do
            [ -x "$work/hpcc-$m/hpcc" ] || continue
            st=PASS
            for ((r = 1; r <= reps; r++)); do
                d=$work/run-hpcc-$m-np$np-$r
                rm -rf "$d" && mkdir -p "$d"
                hpcc_input "$np" "$d/hpccinf.txt"
                (cd "$d" && $(run_cmd "$m" "$np") "$work/hpcc-$m/hpcc" >run.log 2>&1)
                local rc=$? chk
                chk=$(hpcc_check "$d/hpccoutf.txt")
                if [ $rc -ne 0 ] || [ "$chk" != ok ]; then
                    log "hpcc $m np=$np rep $r: exit $rc, checks: $chk (see $d)"
                    st=FAIL
                fi
            done
            all=
            for k in $keys; do
                all="$all $k=$(for ((r = 1; r <= reps; r++)); do
                    fig "$work/run-hpcc-$m-np$np-$r/hpccoutf.txt" "$k"; done | median)"
            done
            record hpcc "$m" "$np" "$st" "$all"
        done
    done
}
