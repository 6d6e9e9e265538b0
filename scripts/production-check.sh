#!/usr/bin/env bash
# The backend as production runs it, on every CI run: the bundle that
# `npm run build` leaves in packages/backend/dist, installed and started the way
# packages/backend/Dockerfile does (production dependencies only,
# NODE_ENV=production, plain `node packages/backend`, no dev transform), with
# app-config.yaml + app-config.production.yaml on PostgreSQL configured from
# environment variables. It checks what an operator would notice first:
#   - the backend starts (the production config once crashed it at start);
#   - GET /api/mlops/health answers ok with the database reachable;
#   - the API refuses a call without credentials and answers one with a
#     static token from backend.auth.externalAccess;
#   - no demo data was seeded: every mlops_* table is empty.
# The databases live under a throwaway prefix and are dropped at the end; the
# backend is stopped at the end, also when a check fails.
#
# Environment (defaults in brackets):
#   POSTGRES_HOST [127.0.0.1] POSTGRES_PORT [5432] POSTGRES_USER [postgres]
#   POSTGRES_PASSWORD [unused with trust auth]
#   MLOPS_PRODUCTION_CHECK_PORT [7341]
#   MLOPS_PRODUCTION_CHECK_KEEP=1  keep the install directory (printed)
#   MLOPS_PRODUCTION_CHECK_CLEAN_INSTALL=1  install from an empty node_modules
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
port=${MLOPS_PRODUCTION_CHECK_PORT:-7341}
export POSTGRES_HOST=${POSTGRES_HOST:-127.0.0.1}
export POSTGRES_PORT=${POSTGRES_PORT:-5432}
export POSTGRES_USER=${POSTGRES_USER:-postgres}
export POSTGRES_PASSWORD=${POSTGRES_PASSWORD:-unused}
export PGPASSWORD=$POSTGRES_PASSWORD
prefix="mlops_production_check_$$_"
token="production-check-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
work=$(mktemp -d /tmp/mlops-production-check.XXXXXX)
backend_pid=
started=$(date +%s)

say() { printf '[production-check %ss] %s\n' "$(( $(date +%s) - started ))" "$*"; }
psql_admin() {
  psql -h "$POSTGRES_HOST" -p "$POSTGRES_PORT" -U "$POSTGRES_USER" -d postgres -Atqc "$1"
}
cleanup() {
  status=$?
  trap - EXIT
  if [ -n "$backend_pid" ] && kill -0 "$backend_pid" 2>/dev/null; then
    kill "$backend_pid" 2>/dev/null || true
    for _ in $(seq 1 20); do kill -0 "$backend_pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$backend_pid" 2>/dev/null || true
  fi
  for db in $(psql_admin "select datname from pg_database where datname like '${prefix}%'" 2>/dev/null); do
    psql_admin "drop database if exists \"$db\"" || true
  done
  if [ "${MLOPS_PRODUCTION_CHECK_KEEP:-}" = 1 ]; then
    say "kept $work"
  else
    rm -rf "$work"
  fi
  if [ $status -ne 0 ] && [ -f "$work/backend.log" ]; then tail -40 "$work/backend.log"; fi
  exit $status
}
trap cleanup EXIT
fail() { say "FAILED: $*"; if [ -f "$work/backend.log" ]; then tail -40 "$work/backend.log"; fi; exit 1; }

say "installing production dependencies into $work"
MLOPS_PRODUCTION_CLEAN_INSTALL=${MLOPS_PRODUCTION_CHECK_CLEAN_INSTALL:-} \
  bash "$repo/scripts/install-production-backend.sh" "$work" || fail "installing the production backend"
say "installed ($(du -sm "$work/node_modules" | cut -f1) MB of node_modules)"

# Only what a deployment sets differently goes through APP_CONFIG_*: the port,
# a database prefix of its own, and a static token for machine clients.
say "starting NODE_ENV=production node packages/backend on :$port"
(
  cd "$work"
  export NODE_ENV=production
  export APP_BASE_URL="http://127.0.0.1:$port" BACKEND_BASE_URL="http://127.0.0.1:$port"
  export APP_CONFIG_backend_listen=":$port"
  export APP_CONFIG_backend_database_prefix="$prefix"
  export APP_CONFIG_backend_auth_externalAccess="[{\"type\":\"static\",\"options\":{\"token\":\"$token\",\"subject\":\"production-check\"}}]"
  exec node packages/backend --config app-config.yaml --config app-config.production.yaml
) > "$work/backend.log" 2>&1 &
backend_pid=$!

base="http://127.0.0.1:$port/api/mlops"
health=
for _ in $(seq 1 120); do
  kill -0 "$backend_pid" 2>/dev/null || fail "the backend exited during start"
  # A plugin that fails to start leaves the process up, answering 503.
  if grep -q 'startup failed' "$work/backend.log"; then fail "a plugin failed to start"; fi
  health=$(curl -sf "$base/health" 2>/dev/null) && break
  sleep 1
done
[ -n "$health" ] || fail "no answer from $base/health within 120 s"
say "health: $health"
node -e 'const h = JSON.parse(process.argv[1]); if (h.status !== "ok" || h.database !== "reachable") process.exit(1)' "$health" \
  || fail "health is not ok with the database reachable"
if grep -q 'startup failed' "$work/backend.log"; then fail "a plugin failed to start"; fi

code=$(curl -s -o /dev/null -w '%{http_code}' "$base/models")
[ "$code" = 401 ] || fail "GET /models without credentials answered $code, not 401"
models=$(curl -sf -H "Authorization: Bearer $token" "$base/models") \
  || fail "GET /models with the static token did not answer 2xx"
say "GET /models with the static token: $models"
node -e 'const m = JSON.parse(process.argv[1]); if (!Array.isArray(m.items) || m.items.length) process.exit(1)' "$models" \
  || fail "GET /models lists models on a fresh production install (demo data seeded?)"

mlops_db="${prefix}mlops"
rows=$(psql -h "$POSTGRES_HOST" -p "$POSTGRES_PORT" -U "$POSTGRES_USER" -d "$mlops_db" -Atq <<'SQL'
select string_agg(t.table_name || '=' || (xpath('/row/c/text()',
  query_to_xml(format('select count(*) as c from %I', t.table_name), false, true, '')))[1]::text, ' ')
from information_schema.tables t
where t.table_schema = 'public' and t.table_name like 'mlops\_%'
SQL
)
[ -n "$rows" ] || fail "no mlops_* tables in $mlops_db (migrations did not run?)"
nonempty=$(tr ' ' '\n' <<<"$rows" | grep -v '=0$' || true)
[ -z "$nonempty" ] || fail "demo data seeded on a production start: $nonempty"
say "every mlops_* table is empty ($(tr ' ' '\n' <<<"$rows" | wc -l) tables)"
say "passed"
