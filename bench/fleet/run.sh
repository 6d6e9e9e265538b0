#!/usr/bin/env bash
# First load of the fleet table at 1,000 and 10,000 models on SQLite and
# PostgreSQL, each in a fresh process (so RSS is per run), and the backend's RSS.
#
#   bench/fleet/run.sh [models="1000 10000"] [databases="sqlite postgres"]
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
for models in ${1:-1000 10000}; do
  "$HERE/../lib/run-on-databases.sh" "$HERE/bench.ts" "$models" "$models" "${2:-sqlite postgres}"
done
