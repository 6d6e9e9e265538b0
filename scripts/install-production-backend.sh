#!/usr/bin/env bash
# Installs the backend as production runs it into <dir>: the bundle that
# `npm run build` leaves in packages/backend/dist, with production
# dependencies only, the way packages/backend/Dockerfile does. Then
# `cd <dir> && NODE_ENV=production node packages/backend --config ...` starts
# it (no dev transform). Used by scripts/production-check.sh and the benches
# that measure the backend as deployed (bench/mlflow-compare).
#
#   scripts/install-production-backend.sh <dir>
#
# MLOPS_PRODUCTION_CLEAN_INSTALL=1 installs from an empty node_modules
# instead of seeding it with hard links from the repository's.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
dist="$repo/packages/backend/dist"
work=${1:?usage: install-production-backend.sh <dir>}
mkdir -p "$work"

for file in skeleton.tar.gz bundle.tar.gz; do
  if [ ! -f "$dist/$file" ]; then
    echo "$dist/$file is missing: run npm run build first" >&2
    exit 1
  fi
done

# As the Dockerfile: the skeleton (every package.json) first, so the install is
# cached apart from the code, then the bundle and the config files.
cp "$repo/package.json" "$repo/package-lock.json" "$repo/.npmrc" "$work/"
tar -xzf "$dist/skeleton.tar.gz" -C "$work"
# Seeded with hard links from the repository's node_modules, then pruned by
# npm to the production tree the lock file resolves (a cold install of the
# same 440 MB takes 6-8 minutes here, mostly compiling better-sqlite3).
if [ "${MLOPS_PRODUCTION_CLEAN_INSTALL:-}" != 1 ]; then
  cp -al "$repo/node_modules" "$work/node_modules" 2>/dev/null || rm -rf "$work/node_modules"
fi
if ! (cd "$work" && npm install --omit=dev --no-audit --no-fund --prefer-offline --loglevel=error) \
  > "$work/install.log" 2>&1; then
  tail -30 "$work/install.log" >&2
  echo "npm install --omit=dev failed in $work" >&2
  exit 1
fi
tar -xzf "$dist/bundle.tar.gz" -C "$work"
cp "$repo/app-config.yaml" "$repo/app-config.production.yaml" "$work/"
