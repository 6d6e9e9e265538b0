#!/usr/bin/env bash
# Records MLflow's own Python client against MLflow's server and against the
# portal, through recorder.js, one JSON fixture per scenario and server:
#
#   MLFLOW_CLIENT_PATH=<PYTHONPATH with an MLflow checkout and its deps> \
#   MLFLOW_REFERENCE_URL=http://127.0.0.1:7250 \
#     bench/mlflow-recordings/record.sh <label, e.g. mlflow-2.17.2> [scenario...]
#
# Nothing here installs MLflow: MLFLOW_CLIENT_PATH points at a checkout made
# outside the repository, MLFLOW_REFERENCE_URL at an `mlflow server` started
# from it (any backend store), on an empty database: the scenarios run in
# name order, the order contractReplay.test.ts replays them on a fresh
# database, and a search without a filter (client_tour's
# search_registered_models()) sees what the earlier ones left. The portal
# is started here (packages/backend, SQLite in a temporary folder, a static
# token) on PORTAL_PORT (7241); the
# proxies listen on 7242 (portal) and 7251 (reference). The fixtures land in
# plugins/mlops-backend/src/mlflow/__fixtures__/recordings/<label>/, where
# contractReplay.test.ts replays them.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
LABEL="${1:?label, e.g. mlflow-2.17.2}"
shift
SCENARIOS="${*:-client_tour fluent_training pyfunc_registry quickstart quickstart_autolog}"
: "${MLFLOW_CLIENT_PATH:?PYTHONPATH of an MLflow checkout}"
REFERENCE="${MLFLOW_REFERENCE_URL:-}"
PORTAL_PORT="${PORTAL_PORT:-7241}"
TOKEN="recording-$(date +%s)"
OUT="$ROOT/plugins/mlops-backend/src/mlflow/__fixtures__/recordings/$LABEL"
WORK="$(mktemp -d)"
mkdir -p "$OUT"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

cat > "$WORK/portal.json" <<JSON
{
  "app": { "baseUrl": "http://localhost:$PORTAL_PORT" },
  "backend": {
    "baseUrl": "http://localhost:$PORTAL_PORT",
    "listen": { "port": $PORTAL_PORT },
    "database": { "client": "better-sqlite3", "connection": { "directory": "$WORK/db" } },
    "auth": { "externalAccess": [
      { "type": "static", "options": { "token": "$TOKEN", "subject": "mlflow-recording" } }
    ] }
  },
  "mlops": { "demo": { "seedFile": null } }
}
JSON
(
  cd "$ROOT/packages/backend"
  NODE_ENV=development LOG_LEVEL=warn exec node \
    -r "$ROOT/node_modules/@backstage/cli/config/nodeTransform.cjs" src/index.ts \
    --config "$ROOT/app-config.yaml" --config "$WORK/portal.json"
) > "$WORK/portal.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 360); do
  curl -sf "http://127.0.0.1:$PORTAL_PORT/api/mlops/health" > /dev/null && break
  sleep 0.5
done
curl -sf "http://127.0.0.1:$PORTAL_PORT/api/mlops/health" > /dev/null ||
  { echo "the portal did not start; log:"; tail -30 "$WORK/portal.log"; exit 1; }

node "$HERE/recorder.js" --listen 7242 --target "http://127.0.0.1:$PORTAL_PORT" \
  --prefix /api/mlops/mlflow > "$WORK/recorder-portal.log" 2>&1 &
pids+=($!)
if [ -n "$REFERENCE" ]; then
  node "$HERE/recorder.js" --listen 7251 --target "$REFERENCE" > "$WORK/recorder-mlflow.log" 2>&1 &
  pids+=($!)
fi
sleep 1

run() { # target proxy-url token
  local target="$1" url="$2" token="$3" scenario="$4"
  (cd "$WORK" && env -u MLFLOW_TRACKING_TOKEN ${token:+MLFLOW_TRACKING_TOKEN=$token} \
    PYTHONPATH="$MLFLOW_CLIENT_PATH" /usr/bin/python3 "$HERE/run_scenario.py" "$scenario" "$url" \
    "$OUT/$scenario.$target.json" "$target" 2>> "$WORK/client-$target.log") || true
}
for scenario in $SCENARIOS; do
  if [ -n "$REFERENCE" ]; then run mlflow http://127.0.0.1:7251 "" "$scenario"; fi
  run portal http://127.0.0.1:7242 "$TOKEN" "$scenario"
done
echo "fixtures in $OUT"
