#!/usr/bin/env bash
# A full and an unchanged sync of an MLflow-compatible server with 1,000
# models x 20 versions and 10,000 runs into the portal; SQLite and PostgreSQL.
#
#   bench/sources/run.sh [unused=0] [databases="sqlite postgres"]
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec "$HERE/../lib/run-on-databases.sh" "$HERE/bench.ts" 0 "$@"
