#!/usr/bin/env bash
# The portal's MLflow endpoint beside a reference MLflow server, on SQLite
# and PostgreSQL in turn (see bench.js for the rows and the environment):
#
#   MLFLOW_REFERENCE_URL=http://127.0.0.1:5100 MLFLOW_REFERENCE_PID=<pid> \
#     bench/mlflow-compare/run.sh [sqlite] [postgres]
#
# A reference runs on one database, so give MLFLOW_REFERENCE_URL_SQLITE and
# MLFLOW_REFERENCE_URL_POSTGRES (and _PID_, and _DB_URL_ for seeding the
# large row straight into its tables) to compare both in one call.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
for db in ${@:-sqlite postgres}; do
  upper=$(echo "$db" | tr a-z A-Z)
  url_var="MLFLOW_REFERENCE_URL_$upper"
  pid_var="MLFLOW_REFERENCE_PID_$upper"
  db_var="MLFLOW_REFERENCE_DB_URL_$upper"
  MLFLOW_REFERENCE_URL="${!url_var:-${MLFLOW_REFERENCE_URL:-}}" \
    MLFLOW_REFERENCE_PID="${!pid_var:-${MLFLOW_REFERENCE_PID:-}}" \
    MLFLOW_REFERENCE_DB_URL="${!db_var:-${MLFLOW_REFERENCE_DB_URL:-}}" \
    node "$HERE/bench.js" "$db"
done
