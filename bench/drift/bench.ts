/* eslint-disable no-console */
/* Times this package's ksTest on the benchmark file and a 100 x 100k
 * detectDrift. Run through run.sh (needs Backstage's TypeScript loader). */
import { readFileSync } from 'fs';
import { detectDrift, ksTest } from '../../plugins/mlops-common/src/drift';
import { printPeakRssAtExit } from '../lib/memory';

// Drift detection runs in this process, as in the backend's drift job.
printPeakRssAtExit('drift detection (in this process) peak RSS');

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function timeIt(fn: () => void, runs: number): number[] {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return times;
}

const [file, runsArg] = process.argv.slice(2);
const runs = Number(runsArg ?? 5);
const buffer = readFileSync(file);
// Copy into an aligned buffer (Buffer slices may not be 8-byte aligned).
const all = new Float64Array(buffer.byteLength / 8);
new Uint8Array(all.buffer).set(buffer);
const half = all.length / 2;
const ref = all.subarray(0, half);
const cur = all.subarray(half);

// Warm-up: JIT-compile the sort, merge and p-value code paths.
for (let i = 0; i < 3; i++) {
  ksTest(ref, cur);
}
let result = ksTest(ref, cur);
const ksTimes = timeIt(() => {
  result = ksTest(ref, cur);
}, runs);
console.log(
  `ours ksTest: D=${result.statistic.toPrecision(
    6,
  )} p=${result.pValue.toPrecision(6)}`,
);
console.log(`OURS_MEDIAN_MS ${median(ksTimes).toFixed(1)}`);
console.log(`ours runs (ms): ${ksTimes.map(t => t.toFixed(1)).join(' ')}`);

// 100 features x 100k rows; > 1000 reference rows -> normed Wasserstein.
const FEATURES = 100;
const ROWS = 100000;
let seed = 12345;
const uniform = (): number => {
  seed ^= seed << 13;
  seed >>>= 0;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  seed >>>= 0;
  return (seed + 0.5) / 4294967296;
};
const normal = (): number =>
  Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
const makeColumns = (shift: number, typed: boolean) => {
  const columns: Record<string, number[] | Float64Array> = {};
  for (let f = 0; f < FEATURES; f++) {
    const values = new Array<number>(ROWS);
    const featureShift = f % 4 === 0 ? shift : 0;
    for (let i = 0; i < ROWS; i++) {
      values[i] = normal() * (1 + f / 100) + f + featureShift;
    }
    columns[`f${f}`] = typed ? Float64Array.from(values) : values;
  }
  return columns;
};
for (const typed of [false, true]) {
  const reference = makeColumns(0, typed);
  const current = makeColumns(0.5, typed);
  const cold0 = process.hrtime.bigint();
  let report = detectDrift({ reference, current });
  const coldMs = Number(process.hrtime.bigint() - cold0) / 1e6;
  const times = timeIt(() => {
    report = detectDrift({ reference, current });
  }, 3);
  const label = typed ? 'Float64Array columns' : 'number[] columns';
  console.log(
    `detectDrift ${FEATURES} features x ${ROWS} rows (${label}): tests=${[
      ...new Set(report.features.map(x => x.test)),
    ].join(',')} drifted=${report.driftedCount}/${report.featureCount}`,
  );
  console.log(
    `DETECT_MEDIAN_MS_${typed ? 'TYPED' : 'ARRAY'} ${median(times).toFixed(
      1,
    )} (median of 3 after an untimed-for-median first call of ${coldMs.toFixed(
      0,
    )} ms; runs: ${times.map(t => t.toFixed(0)).join(' ')})`,
  );
}
