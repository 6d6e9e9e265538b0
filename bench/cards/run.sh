#!/usr/bin/env bash
# p95 of the entity summary and metrics routes with 1,000 models and ~10M
# ingested events, on SQLite and PostgreSQL.
#
#   bench/cards/run.sh [requests=300] [databases="sqlite postgres"]
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec "$HERE/../lib/run-on-databases.sh" "$HERE/bench.ts" 300 "$@"
