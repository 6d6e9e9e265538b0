#!/usr/bin/env bash
# `npm run build`: every package from a clean clone, as a release builds them.
# Root tsc first: backstage-cli package build reads each package's declarations
# from dist-types/. Then every package's dist/, and the backend's production
# bundle (packages/backend/dist/bundle.tar.gz, skeleton.tar.gz).
#
# The backend bundle is made by backstage-cli for a yarn workspace: it runs
# yarn 1 (a root dev dependency, on PATH under `npm run`) and copies the root
# yarn.lock into the bundle. This repository installs with npm, so an empty
# yarn.lock stands in for the length of the build (the bundle is installed
# with `npm install`, see packages/backend/Dockerfile).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"

made_lock=
if [ ! -e yarn.lock ]; then
  : > yarn.lock
  made_lock=1
fi
cleanup() { if [ -n "$made_lock" ]; then rm -f yarn.lock; fi; }
trap cleanup EXIT

tsc
backstage-cli repo build --all "$@"
