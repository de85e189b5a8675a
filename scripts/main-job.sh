#!/usr/bin/env bash
# Set up (packages + build) and run the main job: the N-body benchmark across emulated sites.
# Extra arguments are passed to apps/nbody/run-sites.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec apps/nbody/run-sites.sh "$@"
