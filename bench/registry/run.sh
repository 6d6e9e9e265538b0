#!/usr/bin/env bash
# Latency of the model registry routes with 1,000 models x 20 versions:
# the entity models route (what the versions card loads), version creation,
# and concurrent version creation on one model; SQLite and PostgreSQL.
#
#   bench/registry/run.sh [requests=300] [databases="sqlite postgres"]
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
TRANSFORM="$ROOT/node_modules/@backstage/cli/config/nodeTransform.cjs"
for db in ${2:-sqlite postgres}; do
  (cd "$ROOT" && NODE_ENV=production node -r "$TRANSFORM" "$HERE/bench.ts" "$db" "${1:-300}" 2>&1 | grep -vE '^\{|"level"')
done
