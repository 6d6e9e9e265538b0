#!/usr/bin/env bash
# Client-side figures of the portal's MLflow endpoint (see bench.ts):
# a 200 MB artifact through the proxy with the backend's RSS, and a
# training script through MLflow's Python client when python3 can import it.
#
#   MLFLOW_PYTHONPATH=<mlflow source and its deps> bench/mlflow/run.sh
#
# Environment: BENCH_ARTIFACT_MB (200), BENCH_PYTHON (python3).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
cd "$ROOT"
node -r "$ROOT/node_modules/@backstage/cli/config/nodeTransform.cjs" "$HERE/bench.ts"
