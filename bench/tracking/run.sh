#!/usr/bin/env bash
# Times the tracking routes through real HTTP:
#  - a 1,000-metric POST /runs/:id/log-batch (target: median < 50 ms),
#  - POST /runs/search over 30,000 runs x 100 metrics with a metric filter
#    and ordering (target: median < 200 ms),
# on SQLite (a file under $TMPDIR) and PostgreSQL (a throwaway database
# mlops_tracking_bench, dropped and created on each run).
#
#   bench/tracking/run.sh [sqlite] [pg]
#
# Environment: TRACKING_BENCH_PG (server URL, default
# postgresql://postgres@127.0.0.1:5432), TRACKING_BENCH_RUNS (30000),
# TRACKING_BENCH_ITERATIONS (30), TRACKING_BENCH_SKIP_SEARCH (set: log-batch only).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
TRANSFORM="$ROOT/node_modules/@backstage/cli/config/nodeTransform.cjs"

cd "$ROOT"
node --max-old-space-size=2048 -r "$TRANSFORM" "$HERE/bench.ts" "$@"
