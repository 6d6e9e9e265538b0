#!/usr/bin/env bash
# What a conditional mlops.object.read decision costs the list routes: an
# open and a narrowing policy side by side, on SQLite and PostgreSQL.
#
#   bench/permissions/run.sh [requests=200] [databases="sqlite postgres"]
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec "$HERE/../lib/run-on-databases.sh" "$HERE/bench.ts" 200 "$@"
