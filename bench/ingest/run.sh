#!/usr/bin/env bash
# Sustained prediction ingest through the HTTP batch endpoint, on SQLite and
# on PostgreSQL. Server and load generator are separate processes on the same
# machine (both share its cores, as they would in a single-box deployment).
#
#   bench/ingest/run.sh [seconds=30] [clients=4] [batch=1000] [databases="sqlite postgres"]
#
# PostgreSQL: BENCH_PG (default postgresql://postgres@127.0.0.1:5432); the
# server creates a throwaway database there.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
SECONDS_="${1:-30}"
CLIENTS="${2:-4}"
BATCH="${3:-1000}"
DATABASES="${4:-sqlite postgres}"
TRANSFORM="$ROOT/node_modules/@backstage/cli/config/nodeTransform.cjs"

for db in $DATABASES; do
  echo "== $db: ${SECONDS_}s, $CLIENTS clients, batches of $BATCH =="
  log="$(mktemp)"
  (cd "$ROOT" && NODE_ENV=production node -r "$TRANSFORM" "$HERE/server.ts" "$db" >"$log" 2>&1) &
  server=$!
  for _ in $(seq 1 120); do
    grep -q '^READY' "$log" && break
    sleep 0.5
  done
  port="$(sed -n 's/^READY \([0-9]*\).*/\1/p' "$log")"
  if [[ -z "$port" ]]; then
    cat "$log"; kill "$server" 2>/dev/null || true; exit 1
  fi
  node "$HERE/load.js" "$port" 3 "$CLIENTS" "$BATCH" >/dev/null # warm-up
  node "$HERE/load.js" "$port" "$SECONDS_" "$CLIENTS" "$BATCH"
  pid="$(pgrep -P "$server" -f server.ts || echo "$server")"
  kill -TERM $pid 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  grep -E '^SERVER_' "$log" || true
  rm -f "$log"
done
