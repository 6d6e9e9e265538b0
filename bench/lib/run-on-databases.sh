#!/usr/bin/env bash
# Runs one bench.ts on each database in turn, through Backstage's TypeScript
# loader, with the backend's JSON logs left out of the figures:
#
#   bench/lib/run-on-databases.sh <bench.ts> <default requests> [requests] [databases="sqlite postgres"]
set -euo pipefail
BENCH="$1"
DEFAULT_REQUESTS="$2"
shift 2
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TRANSFORM="$ROOT/node_modules/@backstage/cli/config/nodeTransform.cjs"
for db in ${2:-sqlite postgres}; do
  (cd "$ROOT" && NODE_ENV=production node -r "$TRANSFORM" "$BENCH" "$db" "${1:-$DEFAULT_REQUESTS}" 2>&1 | grep -vE '^\{|"level"')
done
