#!/usr/bin/env bash
# p50/p95 of the triage route and the fleet route with 1,000 models, a
# quarter of them with open incidents, on SQLite and PostgreSQL.
#
#   bench/triage/run.sh [requests=200] [databases="sqlite postgres"]
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
TRANSFORM="$ROOT/node_modules/@backstage/cli/config/nodeTransform.cjs"
for db in ${2:-sqlite postgres}; do
  (cd "$ROOT" && NODE_ENV=production node -r "$TRANSFORM" "$HERE/bench.ts" "$db" "${1:-200}" 2>&1 | grep -vE '^\{|"level"')
done
