#!/usr/bin/env bash
# What a conditional mlops.object.read decision costs the list routes: an
# open and a narrowing policy side by side, on SQLite and PostgreSQL.
#
#   bench/permissions/run.sh [requests=200] [databases="sqlite postgres"]
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
TRANSFORM="$ROOT/node_modules/@backstage/cli/config/nodeTransform.cjs"
for db in ${2:-sqlite postgres}; do
  (cd "$ROOT" && NODE_ENV=production node -r "$TRANSFORM" "$HERE/bench.ts" "$db" "${1:-200}" 2>&1 | grep -vE '^\{|"level"')
done
