#!/bin/sh
# Every function declared in mpi.h must be exported by libdwcpmpi both as PMPI_X (defined) and
# as MPI_X (weak alias, so profiling tools can interpose). Exit 0 when all are there.
top=${top_srcdir:-../..}
lib=${DWCP_LIB:-../../libdwcpmpi/.libs/libdwcpmpi.so}
list=$top/libdwcpmpi/api/mpi_protos.txt
[ -f "$lib" ] || { echo "no library at $lib"; exit 1; }
syms=$(nm -D --defined-only "$lib")
missing=0; n=0
for name in $(grep -v '^#' "$list" | awk -F'|' 'NF == 3 { print $2 }'); do
    n=$((n + 1))
    echo "$syms" | grep -qE " [TW] PMPI_${name}\$" || { echo "missing PMPI_$name"; missing=$((missing + 1)); }
    echo "$syms" | grep -qE " W MPI_${name}\$" || { echo "missing weak MPI_$name"; missing=$((missing + 1)); }
done
echo "$n functions checked, $missing symbols missing"
[ "$missing" = 0 ]
