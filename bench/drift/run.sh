#!/usr/bin/env bash
# Benchmarks ksTest against SciPy's ks_2samp on 1e6 + 1e6 float64 values and
# times a 100-feature x 100k-row detectDrift.
#
#   bench/drift/run.sh [runs]
#
# Needs /usr/bin/python3 with numpy + scipy (apt-get install python3-scipy)
# and the repo's node_modules (Backstage's TypeScript loader runs bench.ts;
# set DRIFT_BENCH_USE_TSC=1 to compile with tsc into a temp dir instead).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
RUNS="${1:-5}"
PY=/usr/bin/python3
DATA_DIR="${DRIFT_BENCH_DIR:-${TMPDIR:-/tmp}/drift-bench}"
DATA="$DATA_DIR/ks-2x1e6.f64"

mkdir -p "$DATA_DIR"
if [[ ! -s "$DATA" ]]; then
  echo "writing $DATA"
  "$PY" "$HERE/make_data.py" "$DATA"
fi

echo "== SciPy =="
scipy_out="$("$PY" "$HERE/scipy_ks.py" "$DATA" "$RUNS")"
echo "$scipy_out"

echo "== ours (node $(node --version)) =="
TRANSFORM="$ROOT/node_modules/@backstage/cli/config/nodeTransform.cjs"
if [[ -f "$TRANSFORM" && -z "${DRIFT_BENCH_USE_TSC:-}" ]]; then
  ours_out="$(cd "$ROOT" && node --max-old-space-size=4096 -r "$TRANSFORM" "$HERE/bench.ts" "$DATA" "$RUNS")"
else
  # Fallback: compile the sources with tsc into a temp dir.
  OUT="$(mktemp -d)"
  trap 'rm -rf "$OUT"' EXIT
  (cd "$ROOT" && npx tsc --outDir "$OUT" --module commonjs --target es2022 \
    --esModuleInterop --resolveJsonModule --skipLibCheck --rootDir "$ROOT" \
    "$HERE/bench.ts" "$ROOT/plugins/mlops-common/src/drift/jstat.d.ts")
  ours_out="$(cd "$ROOT" && NODE_PATH="$ROOT/node_modules" node --max-old-space-size=4096 "$OUT/bench/drift/bench.js" "$DATA" "$RUNS")"
fi
echo "$ours_out"

scipy_ms="$(sed -n 's/^SCIPY_MEDIAN_MS \([0-9.]*\).*/\1/p' <<<"$scipy_out")"
ours_ms="$(sed -n 's/^OURS_MEDIAN_MS \([0-9.]*\).*/\1/p' <<<"$ours_out")"
echo "== summary =="
echo "ks_2samp 1e6 vs 1e6: scipy ${scipy_ms} ms, ours ${ours_ms} ms, ratio $(awk -v a="$ours_ms" -v b="$scipy_ms" 'BEGIN { printf "%.3f", a / b }') (target <= 0.25)"
grep '^DETECT_MEDIAN' <<<"$ours_out" | sed 's/^/detectDrift: /'
