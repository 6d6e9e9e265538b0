#!/usr/bin/env bash
# Detector passes over 1,000 models and 1,000 pipelines, and the latency of
# the health summary and incident list behind the cards; SQLite and PostgreSQL.
#
#   bench/health/run.sh [requests=300] [databases="sqlite postgres"]
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
TRANSFORM="$ROOT/node_modules/@backstage/cli/config/nodeTransform.cjs"
for db in ${2:-sqlite postgres}; do
  (cd "$ROOT" && NODE_ENV=production node -r "$TRANSFORM" "$HERE/bench.ts" "$db" "${1:-300}" 2>&1 | grep -vE '^\{|"level"')
done
