import { InputError } from '@backstage/errors';
import {
  DriftBaselineFeature,
  DriftCellValue,
} from '@backstage-mlops/plugin-mlops-common';

/**
 * A dataset in column orientation, the form the drift service stores and
 * hands to the statistics. Built on a null-prototype object so a feature
 * named `__proto__` or `constructor` is just another column.
 */
export type ColumnarDataset = Record<string, DriftCellValue[]>;

/** Size limits for datasets posted to the drift routes. */
export interface DriftLimits {
  /** Largest number of rows per dataset. */
  maxRows: number;
  /** Largest number of features (columns) per dataset. */
  maxFeatures: number;
  /** Largest JSON request body on the drift routes, in bytes. */
  maxBodyBytes: number;
}

/**
 * Default limits: the size of the benchmarked check (100 features × 100,000
 * rows), with a body limit that fits a column-oriented upload of a realistic
 * baseline while keeping one request's parse within a bounded memory budget.
 */
export const DEFAULT_DRIFT_LIMITS: DriftLimits = {
  maxRows: 100_000,
  maxFeatures: 100,
  maxBodyBytes: 16 * 1024 * 1024,
};

/** Longest accepted feature name. */
export const MAX_FEATURE_NAME_LENGTH = 200;

function describe(value: unknown): string {
  if (value === null) {
    return 'null';
  }
  if (value === undefined) {
    return 'nothing';
  }
  if (Array.isArray(value)) {
    return 'an array';
  }
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function checkFeatureName(name: string, what: string) {
  if (name.length === 0 || name.length > MAX_FEATURE_NAME_LENGTH) {
    throw new InputError(
      `${what}: feature names must be 1 to ${MAX_FEATURE_NAME_LENGTH} characters long, got ${JSON.stringify(
        name.slice(0, 40),
      )}${name.length > 40 ? '…' : ''}`,
    );
  }
}

/**
 * Booleans become the labels "true" and "false", the form monitoring's
 * feature samples use, so a baseline uploaded with JSON booleans and a
 * monitored window compare as the same two categories. The statistics treat
 * booleans as those labels anyway, so no verdict changes.
 */
function booleansAsLabels(column: DriftCellValue[]): DriftCellValue[] {
  let copy: DriftCellValue[] | undefined;
  for (let i = 0; i < column.length; i++) {
    const v = column[i];
    if (typeof v === 'boolean') {
      copy ??= column.slice();
      copy[i] = v ? 'true' : 'false';
    }
  }
  return copy ?? column;
}

/**
 * Turns a posted dataset (an array of row objects, or an object of equally
 * long column arrays) into columns, enforcing the size limits, with booleans
 * as "true" / "false" labels. Cell types are
 * checked later by {@link summarizeColumns} and the statistics, whose
 * messages name the column and element.
 *
 * @param what - how the dataset is named in error messages ("reference")
 */
export function toColumnarDataset(
  input: unknown,
  what: string,
  limits: DriftLimits,
): { columns: ColumnarDataset; rowCount: number } {
  const columns: ColumnarDataset = Object.create(null);
  if (Array.isArray(input)) {
    if (input.length === 0) {
      throw new InputError(`${what} dataset has no rows`);
    }
    if (input.length > limits.maxRows) {
      throw new InputError(
        `${what} dataset has ${input.length} rows; the limit is ${limits.maxRows}`,
      );
    }
    const names: string[] = [];
    for (let r = 0; r < input.length; r++) {
      const row = input[r];
      if (row === null || typeof row !== 'object' || Array.isArray(row)) {
        throw new InputError(
          `${what} row ${r} must be an object of feature values, got ${describe(
            row,
          )}`,
        );
      }
      for (const key of Object.keys(row)) {
        if (!(key in columns)) {
          checkFeatureName(key, what);
          if (names.length >= limits.maxFeatures) {
            throw new InputError(
              `${what} dataset has more than ${limits.maxFeatures} features; the limit is ${limits.maxFeatures}`,
            );
          }
          names.push(key);
          columns[key] = [];
        }
      }
    }
    for (const name of names) {
      const column = new Array<DriftCellValue>(input.length);
      for (let r = 0; r < input.length; r++) {
        const value = (input[r] as Record<string, DriftCellValue>)[name];
        // An absent key is a missing value, like an explicit null.
        column[r] = value === undefined ? null : value;
      }
      columns[name] = booleansAsLabels(column);
    }
    return { columns, rowCount: input.length };
  }

  if (input === null || typeof input !== 'object') {
    throw new InputError(
      `${what} dataset must be an array of row objects or an object of columns, got ${describe(
        input,
      )}`,
    );
  }
  const entries = Object.entries(input as Record<string, unknown>);
  if (entries.length === 0) {
    throw new InputError(`${what} dataset has no columns`);
  }
  if (entries.length > limits.maxFeatures) {
    throw new InputError(
      `${what} dataset has ${entries.length} features; the limit is ${limits.maxFeatures}`,
    );
  }
  let rowCount = -1;
  for (const [name, column] of entries) {
    checkFeatureName(name, what);
    if (!Array.isArray(column)) {
      throw new InputError(
        `${what} column "${name}" must be an array of values, got ${describe(
          column,
        )}`,
      );
    }
    if (column.length > limits.maxRows) {
      throw new InputError(
        `${what} column "${name}" has ${column.length} rows; the limit is ${limits.maxRows}`,
      );
    }
    if (rowCount === -1) {
      rowCount = column.length;
    } else if (column.length !== rowCount) {
      throw new InputError(
        `${what} columns have different lengths ("${entries[0][0]}" has ${rowCount}, "${name}" has ${column.length})`,
      );
    }
    columns[name] = booleansAsLabels(column as DriftCellValue[]);
  }
  if (rowCount === 0) {
    throw new InputError(`${what} dataset has no rows`);
  }
  return { columns, rowCount };
}

/** What a stored baseline says about one of its features. */
export type FeatureSummary = DriftBaselineFeature;

const TOP_CATEGORIES = 5;

/**
 * Checks every cell of a dataset (numbers, strings, booleans or null, one
 * kind per column) and summarizes each feature. A column with no value at
 * all is reported with `count` 0; callers decide whether that is an error.
 */
export function summarizeColumns(
  columns: ColumnarDataset,
  what: string,
): FeatureSummary[] {
  const summaries: FeatureSummary[] = [];
  for (const name of Object.keys(columns)) {
    const values = columns[name];
    let kind: 'number' | 'string' | 'boolean' | undefined;
    let firstIndex = -1;
    let count = 0;
    let sum = 0;
    let min = Infinity;
    let max = -Infinity;
    const categories = new Map<string, number>();
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v === null || v === undefined) {
        continue;
      }
      const t = typeof v;
      if (t !== 'number' && t !== 'string' && t !== 'boolean') {
        throw new InputError(
          `${what} column "${name}": element ${i} is ${describe(
            v,
          )}; values must be numbers, strings, booleans or null`,
        );
      }
      if (kind === undefined) {
        kind = t as 'number' | 'string' | 'boolean';
        firstIndex = i;
      } else if (t !== kind) {
        throw new InputError(
          `${what} column "${name}" mixes value types: element ${firstIndex} is a ${kind} but element ${i} is a ${t}`,
        );
      }
      count++;
      if (t === 'number') {
        const n = v as number;
        sum += n;
        if (n < min) min = n;
        if (n > max) max = n;
      } else {
        const label = String(v);
        categories.set(label, (categories.get(label) ?? 0) + 1);
      }
    }
    const missing = values.length - count;
    const summary: FeatureSummary = {
      name,
      type: kind === 'number' ? 'numeric' : 'categorical',
      count,
      missing,
      missingRatio: values.length > 0 ? missing / values.length : 0,
    };
    if (kind === 'number') {
      const mean = sum / count;
      let squares = 0;
      for (const v of values) {
        if (typeof v === 'number') {
          squares += (v - mean) * (v - mean);
        }
      }
      Object.assign(summary, {
        min,
        max,
        mean,
        std: Math.sqrt(squares / count),
      });
    } else if (count > 0) {
      summary.topCategories = [...categories.entries()]
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
        .slice(0, TOP_CATEGORIES)
        .map(([value, n]) => ({ value, share: n / count }));
    }
    summaries.push(summary);
  }
  return summaries;
}
