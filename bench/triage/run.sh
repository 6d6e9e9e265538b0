#!/usr/bin/env bash
# p50/p95 of the triage route and the fleet route with 1,000 models, a
# quarter of them with open incidents, on SQLite and PostgreSQL.
#
#   bench/triage/run.sh [requests=200] [databases="sqlite postgres"]
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec "$HERE/../lib/run-on-databases.sh" "$HERE/bench.ts" 200 "$@"
