#!/usr/bin/env bash
# 10,000 MLOps store objects → one full catalog mutation; prints each run
# and the median.
#
#   bench/catalog/run.sh [runs]
#
# SQLite in memory by default; CATALOG_BENCH_PG=postgresql://user@host:5432
# runs on a throwaway PostgreSQL database instead (dropped at the end).
# CATALOG_BENCH_OBJECTS changes the object count; CATALOG_BENCH_NO_REGISTRY=1
# leaves the registry's Production lookups out.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
cd "$ROOT"
exec node -r "$ROOT/node_modules/@backstage/cli/config/nodeTransform.cjs" \
  "$HERE/bench.ts" "${1:-5}"
