#!/usr/bin/env bash
# Latency of the model registry routes with 1,000 models x 20 versions:
# the entity models route (what the versions card loads), version creation,
# and concurrent version creation on one model; SQLite and PostgreSQL.
#
#   bench/registry/run.sh [requests=300] [databases="sqlite postgres"]
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec "$HERE/../lib/run-on-databases.sh" "$HERE/bench.ts" 300 "$@"
