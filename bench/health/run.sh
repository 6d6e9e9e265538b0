#!/usr/bin/env bash
# Detector passes over 1,000 models and 1,000 pipelines, and the latency of
# the health summary and incident list behind the cards; SQLite and PostgreSQL.
#
#   bench/health/run.sh [requests=300] [databases="sqlite postgres"]
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec "$HERE/../lib/run-on-databases.sh" "$HERE/bench.ts" 300 "$@"
