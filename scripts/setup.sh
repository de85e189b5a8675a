#!/usr/bin/env bash
# Install the Debian packages DWCP-MPI needs (when root or with sudo) and build it in-tree.
# Usage: scripts/setup.sh            (idempotent; rebuilds only what changed)
set -euo pipefail
cd "$(dirname "$0")/.."

PKGS="build-essential autoconf automake libtool pkg-config python3 \
      libpmix-dev libucx-dev libzstd-dev libhwloc-dev libcriterion-dev \
      openmpi-bin libopenmpi-dev iproute2 gnuplot-nox procps util-linux"

missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO=sudo; else
        echo "setup: missing Debian packages:$missing (run as root or install them)" >&2; exit 1
    fi
    echo "setup: installing$missing"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
fi

if [ ! -x configure ] || [ configure.ac -nt configure ]; then
    ./autogen.sh
fi
if [ ! -f Makefile ] || [ configure -nt config.status ]; then
    ./configure --quiet ${DWCP_CONFIGURE_FLAGS:-}
fi
make -j2 --no-print-directory -s
echo "setup: build ready (launcher/dwcprun, launcher/dwcpcc, launcher/dwcp_info)"
