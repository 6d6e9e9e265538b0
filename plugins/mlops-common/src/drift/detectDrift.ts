/**
 * Dataset-level drift detection: one statistical test per feature, chosen
 * automatically with Evidently's rules unless overridden, plus an overall
 * verdict from the share of drifted features.
 */
import { chiSquareFromCounts } from './chiSquare';
import { DriftInputError } from './errors';
import { jensenShannonFromCounts } from './jensenShannon';
import { ksPValue, ksStatisticSorted } from './ks';
import { psiSorted } from './psi';
import { countCategories, describeValue, isNumericTypedArray } from './sample';
import { sortFloat64 } from './sort';
import {
  DetectDriftInput,
  DriftCellValue,
  DriftColumns,
  DriftCorrection,
  DriftDataset,
  DriftFeatureType,
  DriftReport,
  DriftTestName,
  FeatureDriftResult,
} from './types';
import { normedWassersteinSorted } from './wasserstein';
import { zTestFromCounts } from './zTest';

/** Evidently switches from p-value tests to distances above this many reference rows. */
export const SMALL_REFERENCE_MAX_ROWS = 1000;
/** Numeric columns with at most this many distinct values are treated as categorical. */
export const CATEGORICAL_MAX_UNIQUE = 5;
/** Default p-value threshold. */
export const DEFAULT_P_VALUE_THRESHOLD = 0.05;
/** Default distance threshold (normed Wasserstein, Jensen-Shannon, PSI). */
export const DEFAULT_DISTANCE_THRESHOLD = 0.1;
/** Default share of drifted features that makes the dataset drift. */
export const DEFAULT_DRIFT_SHARE_THRESHOLD = 0.5;

const TESTS: readonly DriftTestName[] = [
  'ks',
  'chisquare',
  'ztest',
  'psi',
  'wasserstein',
  'jensenshannon',
];
const P_VALUE_TESTS = new Set<DriftTestName>(['ks', 'chisquare', 'ztest']);
const NUMERIC_ONLY_TESTS = new Set<DriftTestName>(['ks', 'psi', 'wasserstein']);
const CORRECTIONS: readonly DriftCorrection[] = [
  'none',
  'bonferroni',
  'benjamini-hochberg',
];

type ColumnKind = 'number' | 'string' | 'boolean';

interface NumericColumn {
  kind: 'number';
  values: Float64Array;
  missing: number;
  total: number;
}

interface LabelColumn {
  kind: 'string' | 'boolean';
  values: string[];
  missing: number;
  total: number;
}

type Column = NumericColumn | LabelColumn;

/** Converts row-oriented data to columns; absent keys become missing values. */
function rowsToColumns(rows: unknown[], side: string): DriftColumns {
  if (rows.length === 0) {
    throw new DriftInputError(`${side} dataset has no rows`);
  }
  const names: string[] = [];
  const seen = new Set<string>();
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    if (row === null || typeof row !== 'object' || Array.isArray(row)) {
      throw new DriftInputError(
        `${side} row ${r} must be an object of feature values, got ${describeValue(
          row,
        )}`,
      );
    }
    for (const key of Object.keys(row)) {
      if (!seen.has(key)) {
        seen.add(key);
        names.push(key);
      }
    }
  }
  const columns: Record<string, DriftCellValue[]> = {};
  for (const name of names) {
    const column = new Array<DriftCellValue>(rows.length);
    for (let r = 0; r < rows.length; r++) {
      column[r] = (rows[r] as Record<string, DriftCellValue>)[name];
    }
    columns[name] = column;
  }
  return columns;
}

function toColumns(
  dataset: DriftDataset | unknown,
  side: string,
): DriftColumns {
  if (Array.isArray(dataset)) {
    return rowsToColumns(dataset, side);
  }
  if (
    dataset === null ||
    typeof dataset !== 'object' ||
    ArrayBuffer.isView(dataset)
  ) {
    throw new DriftInputError(
      `${side} dataset must be an object of columns or an array of rows, got ${describeValue(
        dataset,
      )}`,
    );
  }
  const columns = dataset as Record<string, unknown>;
  const names = Object.keys(columns);
  if (names.length === 0) {
    throw new DriftInputError(`${side} dataset has no columns`);
  }
  let length = -1;
  for (const name of names) {
    const column = columns[name];
    if (!Array.isArray(column) && !isNumericTypedArray(column)) {
      throw new DriftInputError(
        `${side} column "${name}" must be an array or typed array, got ${describeValue(
          column,
        )}`,
      );
    }
    const len = (column as ArrayLike<unknown>).length;
    if (length === -1) {
      length = len;
    } else if (len !== length) {
      throw new DriftInputError(
        `${side} columns have different lengths ("${names[0]}" has ${length}, "${name}" has ${len})`,
      );
    }
  }
  if (length === 0) {
    throw new DriftInputError(`${side} dataset has no rows`);
  }
  return columns as DriftColumns;
}

/** Typed array column: always numeric; NaN is missing. */
function readTypedColumn(
  values: ArrayLike<number>,
  where: string,
  buffer: Float64Array,
): NumericColumn {
  const total = values.length;
  const out = buffer.subarray(0, total);
  out.set(values);
  let count = 0;
  for (let i = 0; i < total; i++) {
    const v = out[i];
    if (!Number.isNaN(v)) {
      if (count !== i) {
        out[count] = v;
      }
      count++;
    }
  }
  if (count === 0) {
    throw new DriftInputError(`${where} has no non-missing values`);
  }
  return {
    kind: 'number',
    values: out.subarray(0, count),
    missing: total - count,
    total,
  };
}

/**
 * Reads one plain-array column: infers its kind from the first non-missing
 * value, checks every other value has the same kind, and drops missing
 * values. Kept separate from the typed-array path so each loop stays
 * monomorphic for the JIT.
 */
function readArrayColumn(
  values: readonly unknown[],
  where: string,
  buffer: Float64Array,
): Column {
  const total = values.length;
  let kind: ColumnKind | undefined;
  let firstIndex = -1;
  for (let i = 0; i < total; i++) {
    const v = values[i];
    if (
      v === null ||
      v === undefined ||
      (typeof v === 'number' && Number.isNaN(v))
    ) {
      continue;
    }
    const t = typeof v;
    if (t !== 'number' && t !== 'string' && t !== 'boolean') {
      throw new DriftInputError(
        `${where}: element ${i} is ${describeValue(
          v,
        )}; values must be numbers, strings, booleans or null`,
      );
    }
    kind = t as ColumnKind;
    firstIndex = i;
    break;
  }
  if (kind === undefined) {
    throw new DriftInputError(`${where} has no non-missing values`);
  }
  const mismatch = (i: number, v: unknown): DriftInputError =>
    new DriftInputError(
      `${where} mixes value types: element ${firstIndex} is a ${kind} but element ${i} is ${describeValue(
        v,
      )}`,
    );
  if (kind === 'number') {
    const out = buffer.subarray(0, total);
    let count = 0;
    for (let i = 0; i < total; i++) {
      const v = values[i];
      if (typeof v === 'number') {
        if (!Number.isNaN(v)) {
          out[count++] = v;
        }
      } else if (v !== null && v !== undefined) {
        throw mismatch(i, v);
      }
    }
    return {
      kind,
      values: out.subarray(0, count),
      missing: total - count,
      total,
    };
  }
  const labels: string[] = [];
  for (let i = 0; i < total; i++) {
    const v = values[i];
    if (
      v === null ||
      v === undefined ||
      (typeof v === 'number' && Number.isNaN(v))
    ) {
      continue;
    }
    if (typeof v !== kind) {
      throw mismatch(i, v);
    }
    labels.push(kind === 'string' ? (v as string) : String(v));
  }
  return { kind, values: labels, missing: total - labels.length, total };
}

/**
 * Reads a column. Numeric values are copied into `buffer` (reused for every
 * feature of a call, so a wide dataset does not allocate and garbage-collect
 * two large arrays per feature); the result is only valid until the next
 * column is read into the same buffer.
 */
function readColumn(
  values: ArrayLike<DriftCellValue>,
  where: string,
  buffer: Float64Array,
): Column {
  if (isNumericTypedArray(values)) {
    return readTypedColumn(values, where, buffer);
  }
  return readArrayColumn(values as readonly unknown[], where, buffer);
}

/** Number of distinct values of two sorted arrays together, stopping past `limit`. */
function countDistinctSorted(
  a: Float64Array,
  b: Float64Array,
  limit: number,
): number {
  let i = 0;
  let j = 0;
  let distinct = 0;
  while (i < a.length || j < b.length) {
    let v: number;
    if (j >= b.length || (i < a.length && a[i] <= b[j])) {
      v = a[i];
    } else {
      v = b[j];
    }
    distinct++;
    if (distinct > limit) {
      return distinct;
    }
    while (i < a.length && a[i] <= v) {
      i++;
    }
    while (j < b.length && b[j] <= v) {
      j++;
    }
  }
  return distinct;
}

function numbersToLabels(values: Float64Array): string[] {
  const out = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    out[i] = String(values[i]);
  }
  return out;
}

function assertFinite(
  values: Float64Array,
  where: string,
  test: DriftTestName,
): void {
  // Sorted, so infinities can only sit at the ends.
  const n = values.length;
  if (!Number.isFinite(values[0]) || !Number.isFinite(values[n - 1])) {
    throw new DriftInputError(
      `${where} contains an infinite value, which the ${test} test cannot handle`,
    );
  }
}

/**
 * Evidently's automatic test choice. `distinct` is the number of distinct
 * values over reference and current together.
 */
function chooseTest(
  isNumeric: boolean,
  referenceCount: number,
  distinct: number,
): DriftTestName {
  if (referenceCount <= SMALL_REFERENCE_MAX_ROWS) {
    if (isNumeric && distinct > CATEGORICAL_MAX_UNIQUE) {
      return 'ks';
    }
    return distinct > 2 ? 'chisquare' : 'ztest';
  }
  if (isNumeric && distinct > CATEGORICAL_MAX_UNIQUE) {
    return 'wasserstein';
  }
  return 'jensenshannon';
}

function validateOptions(input: DetectDriftInput): {
  driftShareThreshold: number;
  correction: DriftCorrection;
  minSampleSize: number;
} {
  const options = input.options ?? {};
  if (typeof options !== 'object' || options === null) {
    throw new DriftInputError('options must be an object');
  }
  const driftShareThreshold =
    options.driftShareThreshold ?? DEFAULT_DRIFT_SHARE_THRESHOLD;
  if (
    typeof driftShareThreshold !== 'number' ||
    !(driftShareThreshold >= 0 && driftShareThreshold <= 1)
  ) {
    throw new DriftInputError(
      `options.driftShareThreshold must be a number between 0 and 1, got ${String(
        driftShareThreshold,
      )}`,
    );
  }
  const correction = options.correction ?? 'none';
  if (!CORRECTIONS.includes(correction)) {
    throw new DriftInputError(
      `options.correction must be one of ${CORRECTIONS.join(
        ', ',
      )}, got ${String(correction)}`,
    );
  }
  const minSampleSize = options.minSampleSize ?? 1;
  if (
    typeof minSampleSize !== 'number' ||
    !Number.isInteger(minSampleSize) ||
    minSampleSize < 1
  ) {
    throw new DriftInputError(
      `options.minSampleSize must be a positive integer, got ${String(
        minSampleSize,
      )}`,
    );
  }
  return { driftShareThreshold, correction, minSampleSize };
}

function resolveThreshold(
  name: string,
  test: DriftTestName,
  threshold: number | undefined,
): number {
  const isPValueTest = P_VALUE_TESTS.has(test);
  if (threshold === undefined) {
    return isPValueTest
      ? DEFAULT_P_VALUE_THRESHOLD
      : DEFAULT_DISTANCE_THRESHOLD;
  }
  if (typeof threshold !== 'number' || !Number.isFinite(threshold)) {
    throw new DriftInputError(
      `options.features["${name}"].threshold must be a finite number, got ${String(
        threshold,
      )}`,
    );
  }
  if (isPValueTest && !(threshold > 0 && threshold <= 1)) {
    throw new DriftInputError(
      `options.features["${name}"].threshold is a p-value threshold for ${test} and must be in (0, 1], got ${threshold}`,
    );
  }
  if (!isPValueTest && threshold < 0) {
    throw new DriftInputError(
      `options.features["${name}"].threshold is a distance threshold for ${test} and must be >= 0, got ${threshold}`,
    );
  }
  return threshold;
}

/** Adjusted p-values (Bonferroni or Benjamini-Hochberg step-up). */
function adjustPValues(
  pValues: number[],
  correction: DriftCorrection,
): number[] {
  const m = pValues.length;
  if (correction === 'none' || m === 0) {
    return pValues.slice();
  }
  if (correction === 'bonferroni') {
    return pValues.map(p => Math.min(1, p * m));
  }
  const order = pValues
    .map((_, i) => i)
    .sort((x, y) => pValues[x] - pValues[y]);
  const adjusted = new Array<number>(m);
  let running = 1;
  for (let rank = m; rank >= 1; rank--) {
    const i = order[rank - 1];
    running = Math.min(running, (pValues[i] * m) / rank);
    adjusted[i] = running;
  }
  return adjusted;
}

interface RawResult {
  feature: string;
  type: DriftFeatureType;
  test: DriftTestName;
  statistic: number;
  pValue: number | null;
  distance: number | null;
  threshold: number;
  missingRatio: { reference: number; current: number };
  referenceCount: number;
  currentCount: number;
}

function compareFeature(
  name: string,
  ref: Column,
  cur: Column,
  override: { test?: DriftTestName; threshold?: number },
): RawResult {
  if (ref.kind !== cur.kind) {
    throw new DriftInputError(
      `column "${name}" holds ${ref.kind} values in reference but ${cur.kind} values in current`,
    );
  }
  const isNumeric = ref.kind === 'number';
  const type: DriftFeatureType = isNumeric ? 'numeric' : 'categorical';
  if (override.test !== undefined && !TESTS.includes(override.test)) {
    throw new DriftInputError(
      `options.features["${name}"].test must be one of ${TESTS.join(
        ', ',
      )}, got ${String(override.test)}`,
    );
  }
  if (
    override.test !== undefined &&
    NUMERIC_ONLY_TESTS.has(override.test) &&
    !isNumeric
  ) {
    throw new DriftInputError(
      `column "${name}" is categorical (${ref.kind} values) but the ${override.test} test needs numbers`,
    );
  }

  let refSorted: Float64Array | undefined;
  let curSorted: Float64Array | undefined;
  let test: DriftTestName;
  if (isNumeric) {
    refSorted = sortFloat64((ref as NumericColumn).values);
    curSorted = sortFloat64((cur as NumericColumn).values);
    test =
      override.test ??
      chooseTest(
        true,
        refSorted.length,
        countDistinctSorted(refSorted, curSorted, CATEGORICAL_MAX_UNIQUE),
      );
  } else {
    const refLabels = (ref as LabelColumn).values;
    const curLabels = (cur as LabelColumn).values;
    test =
      override.test ??
      chooseTest(
        false,
        refLabels.length,
        countCategories(refLabels, curLabels).categories.length,
      );
  }
  const threshold = resolveThreshold(name, test, override.threshold);
  const labels = (column: Column, sorted: Float64Array | undefined): string[] =>
    sorted ? numbersToLabels(sorted) : (column as LabelColumn).values;

  let statistic: number;
  let pValue: number | null = null;
  let distance: number | null = null;
  const where = `column "${name}"`;
  switch (test) {
    case 'ks': {
      const result = ksPValue(
        ksStatisticSorted(refSorted!, curSorted!),
        refSorted!.length,
        curSorted!.length,
      );
      statistic = result.statistic;
      pValue = result.pValue;
      break;
    }
    case 'psi': {
      assertFinite(refSorted!, `${where} (reference)`, test);
      assertFinite(curSorted!, `${where} (current)`, test);
      statistic = distance = psiSorted(refSorted!, curSorted!);
      break;
    }
    case 'wasserstein': {
      assertFinite(refSorted!, `${where} (reference)`, test);
      assertFinite(curSorted!, `${where} (current)`, test);
      statistic = distance = normedWassersteinSorted(refSorted!, curSorted!);
      break;
    }
    case 'chisquare':
    case 'ztest':
    case 'jensenshannon':
    default: {
      const counts = countCategories(
        labels(ref, refSorted),
        labels(cur, curSorted),
      );
      if (test === 'chisquare') {
        const result = chiSquareFromCounts(counts.reference, counts.current);
        statistic = result.statistic;
        pValue = result.pValue;
      } else if (test === 'ztest') {
        if (counts.categories.length > 2) {
          throw new DriftInputError(
            `${where}: the z-test needs a binary feature, but found ${counts.categories.length} distinct values`,
          );
        }
        // Positive label: the greater one in JavaScript string order.
        const positive =
          counts.categories.length === 2 &&
          counts.categories[1] > counts.categories[0]
            ? 1
            : 0;
        const result = zTestFromCounts(
          counts.reference[positive],
          counts.referenceTotal,
          counts.current[positive],
          counts.currentTotal,
        );
        statistic = result.statistic;
        pValue = result.pValue;
      } else {
        statistic = distance = jensenShannonFromCounts(
          counts.reference,
          counts.current,
        );
      }
      break;
    }
  }
  const refCount = isNumeric
    ? refSorted!.length
    : (ref as LabelColumn).values.length;
  const curCount = isNumeric
    ? curSorted!.length
    : (cur as LabelColumn).values.length;
  return {
    feature: name,
    type,
    test,
    statistic,
    pValue,
    distance,
    threshold,
    missingRatio: {
      reference: ref.missing / ref.total,
      current: cur.missing / cur.total,
    },
    referenceCount: refCount,
    currentCount: curCount,
  };
}

/**
 * Compares every feature of `current` with `reference` and reports which
 * features, and whether the dataset as a whole, drifted.
 *
 * @remarks
 * Test choice per feature (Evidently's defaults), unless
 * `options.features[name].test` overrides it. "Distinct values" are counted
 * over reference and current together, after dropping missing values:
 *
 * - reference with at most 1000 non-missing values: numeric with more than 5
 *   distinct values → `ks`; otherwise (categorical, or numeric with at most
 *   5 distinct values) → `chisquare` if more than 2 distinct values, else
 *   `ztest`;
 * - larger reference: numeric with more than 5 distinct values →
 *   `wasserstein` (normed); otherwise → `jensenshannon`.
 *
 * p-value tests drift when `pValue < threshold` (default 0.05); distance
 * tests when `distance >= threshold` (default 0.1). With `correction`,
 * reported p-values of the p-value tests are adjusted (Bonferroni:
 * min(1, p m); Benjamini-Hochberg: step-up adjusted p-values) over the m
 * p-value tests of this call, and the adjusted values are compared with the
 * thresholds. The dataset drifts when drifted / compared features is at
 * least `driftShareThreshold` (default 0.5).
 *
 * Numeric columns that a test treats categorically use `String(value)` as
 * the label. Missing values (null, undefined, NaN, absent keys in rows) are
 * dropped and reported per side in `missingRatio`.
 *
 * @throws DriftInputError when the datasets are empty or malformed, when
 *   reference and current do not have the same features (or a requested
 *   column is missing), when a column mixes value types, holds objects, or
 *   has no non-missing values on a side, when a column is numeric on one
 *   side and categorical on the other, when a numeric-only test is requested
 *   for a categorical column, when the z-test meets more than two
 *   categories, when psi or wasserstein meet infinite values, and for
 *   invalid options, or when a side has fewer non-missing values than
 *   `options.minSampleSize`
 * @public
 */
export function detectDrift(input: DetectDriftInput): DriftReport {
  if (input === null || typeof input !== 'object') {
    throw new DriftInputError(
      'detectDrift expects { reference, current, options? }',
    );
  }
  const { driftShareThreshold, correction, minSampleSize } =
    validateOptions(input);
  const options = input.options ?? {};
  const reference = toColumns(input.reference, 'reference');
  const current = toColumns(input.current, 'current');

  let names: string[];
  if (options.columns !== undefined) {
    if (!Array.isArray(options.columns) || options.columns.length === 0) {
      throw new DriftInputError(
        'options.columns must be a non-empty array of column names',
      );
    }
    names = [...new Set(options.columns)];
    for (const name of names) {
      const inRef = Object.prototype.hasOwnProperty.call(reference, name);
      const inCur = Object.prototype.hasOwnProperty.call(current, name);
      if (!inRef || !inCur) {
        const sides = [!inRef ? 'reference' : '', !inCur ? 'current' : '']
          .filter(Boolean)
          .join(' and ');
        throw new DriftInputError(
          `requested column "${name}" is missing from ${sides}`,
        );
      }
    }
  } else {
    names = Object.keys(reference);
    const refSet = new Set(names);
    const curNames = Object.keys(current);
    const curSet = new Set(curNames);
    const onlyRef = names.filter(n => !curSet.has(n));
    const onlyCur = curNames.filter(n => !refSet.has(n));
    if (onlyRef.length > 0 || onlyCur.length > 0) {
      const parts: string[] = [];
      if (onlyRef.length > 0) {
        parts.push(`only in reference: ${onlyRef.join(', ')}`);
      }
      if (onlyCur.length > 0) {
        parts.push(`only in current: ${onlyCur.join(', ')}`);
      }
      throw new DriftInputError(
        `reference and current have different features (${parts.join('; ')})`,
      );
    }
  }
  const overrides = options.features ?? {};
  for (const key of Object.keys(overrides)) {
    if (!Object.prototype.hasOwnProperty.call(reference, key)) {
      throw new DriftInputError(
        `options.features names an unknown column "${key}"`,
      );
    }
  }

  const referenceBuffer = new Float64Array(reference[names[0]].length);
  const currentBuffer = new Float64Array(current[names[0]].length);
  const raw: RawResult[] = [];
  for (const name of names) {
    const ref = readColumn(
      reference[name],
      `reference column "${name}"`,
      referenceBuffer,
    );
    const cur = readColumn(
      current[name],
      `current column "${name}"`,
      currentBuffer,
    );
    for (const [side, column] of [
      ['reference', ref],
      ['current', cur],
    ] as const) {
      if (column.values.length < minSampleSize) {
        throw new DriftInputError(
          `${side} column "${name}" has ${column.values.length} non-missing values, fewer than minSampleSize ${minSampleSize}`,
        );
      }
    }
    const override = Object.prototype.hasOwnProperty.call(overrides, name)
      ? overrides[name]
      : {};
    raw.push(compareFeature(name, ref, cur, override ?? {}));
  }

  const pIndices: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    if (raw[i].pValue !== null) {
      pIndices.push(i);
    }
  }
  const adjusted = adjustPValues(
    pIndices.map(i => raw[i].pValue as number),
    correction,
  );
  pIndices.forEach((i, k) => {
    raw[i].pValue = adjusted[k];
  });

  const features: FeatureDriftResult[] = raw.map(r => ({
    feature: r.feature,
    type: r.type,
    test: r.test,
    statistic: r.statistic,
    pValue: r.pValue,
    distance: r.distance,
    threshold: r.threshold,
    drifted:
      r.pValue !== null
        ? r.pValue < r.threshold
        : (r.distance as number) >= r.threshold,
    missingRatio: r.missingRatio,
    referenceCount: r.referenceCount,
    currentCount: r.currentCount,
  }));
  const driftedCount = features.filter(f => f.drifted).length;
  const featureCount = features.length;
  const driftShare = driftedCount / featureCount;
  return {
    features,
    driftedCount,
    featureCount,
    driftShare,
    datasetDrift: driftShare >= driftShareThreshold,
    driftShareThreshold,
    correction,
  };
}
