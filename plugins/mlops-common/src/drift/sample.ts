import { DriftInputError } from './errors';
import { sortFloat64 } from './sort';

/**
 * Numeric input accepted by the numeric statistics: a plain array or any
 * typed array holding numbers.
 *
 * @public
 */
export type NumericSample = ArrayLike<number>;

/**
 * Categorical input accepted by the categorical statistics.
 *
 * @public
 */
export type CategoricalSample = ArrayLike<string>;

/** A typed array of numbers (not a DataView, not a BigInt array). */
export function isNumericTypedArray(
  value: unknown,
): value is ArrayLike<number> {
  return (
    ArrayBuffer.isView(value) &&
    !(value instanceof DataView) &&
    !(value instanceof BigInt64Array) &&
    !(value instanceof BigUint64Array)
  );
}

/** What an input error says a value was: short, and without the whole value. */
export function describeValue(value: unknown): string {
  if (value === null) {
    return 'null';
  }
  if (value === undefined) {
    return 'undefined';
  }
  if (Array.isArray(value)) {
    return 'an array';
  }
  if (typeof value === 'object') {
    return 'an object';
  }
  if (typeof value === 'string') {
    return `the string ${JSON.stringify(
      value.length > 40 ? `${value.slice(0, 40)}…` : value,
    )}`;
  }
  return `a ${typeof value}`;
}

/**
 * Copies a numeric sample into a fresh Float64Array, dropping NaN (missing
 * values), and checks that every element is a number.
 *
 * @param what - how to name the sample in error messages
 * @param allowInfinite - KS is well defined with infinities, distances are not
 */
export function toNumericSample(
  values: unknown,
  what: string,
  allowInfinite: boolean,
): Float64Array {
  if (values instanceof BigInt64Array || values instanceof BigUint64Array) {
    throw new DriftInputError(
      `${what} is a BigInt typed array; convert it to numbers first`,
    );
  }
  let length: number;
  const typed = isNumericTypedArray(values);
  if (typed) {
    length = (values as ArrayLike<number>).length;
  } else if (Array.isArray(values)) {
    length = values.length;
  } else {
    throw new DriftInputError(
      `${what} must be an array or typed array of numbers, got ${describeValue(
        values,
      )}`,
    );
  }
  if (length === 0) {
    throw new DriftInputError(`${what} is empty`);
  }
  const out = new Float64Array(length);
  let count = 0;
  let sawInfinite = false;
  if (typed) {
    // Bulk conversion (a memcpy for Float64Array), then one scan that only
    // compacts when a NaN is actually present.
    out.set(values as ArrayLike<number>);
    for (let i = 0; i < length; i++) {
      const v = out[i];
      if (v - v !== 0) {
        // NaN or an infinity.
        if (!Number.isNaN(v)) {
          sawInfinite = true;
        } else {
          continue;
        }
      }
      if (count !== i) {
        out[count] = v;
      }
      count++;
    }
  } else {
    const src = values as unknown[];
    for (let i = 0; i < length; i++) {
      const v = src[i];
      if (typeof v !== 'number') {
        throw new DriftInputError(
          `${what} must contain only numbers, but element ${i} is ${describeValue(
            v,
          )}`,
        );
      }
      if (!Number.isNaN(v)) {
        out[count++] = v;
        if (v === Infinity || v === -Infinity) {
          sawInfinite = true;
        }
      }
    }
  }
  if (count === 0) {
    throw new DriftInputError(`${what} contains only NaN values`);
  }
  if (sawInfinite && !allowInfinite) {
    throw new DriftInputError(
      `${what} contains an infinite value; this statistic needs finite numbers`,
    );
  }
  return count === length ? out : out.slice(0, count);
}

/**
 * Validated, NaN-free, ascending copy of a numeric sample.
 */
export function toSortedSample(
  values: unknown,
  what: string,
  allowInfinite: boolean,
): Float64Array {
  return sortFloat64(toNumericSample(values, what, allowInfinite));
}

/**
 * Checks a categorical sample: every element must be a string.
 */
export function toCategoricalSample(values: unknown, what: string): string[] {
  if (!Array.isArray(values)) {
    throw new DriftInputError(
      `${what} must be an array of strings, got ${describeValue(values)}`,
    );
  }
  if (values.length === 0) {
    throw new DriftInputError(`${what} is empty`);
  }
  for (let i = 0; i < values.length; i++) {
    const v: unknown = values[i];
    if (typeof v !== 'string') {
      throw new DriftInputError(
        `${what} must contain only strings (category labels), but element ${i} is ${describeValue(
          v,
        )}`,
      );
    }
  }
  return values as string[];
}

/**
 * Counts of each category in both samples over the union of categories, in
 * first-seen order (reference first).
 */
export interface CategoryCounts {
  categories: string[];
  reference: number[];
  current: number[];
  referenceTotal: number;
  currentTotal: number;
}

/**
 * Tallies category counts of two categorical samples.
 */
export function countCategories(
  reference: readonly string[],
  current: readonly string[],
): CategoryCounts {
  const index = new Map<string, number>();
  const categories: string[] = [];
  const ref: number[] = [];
  const cur: number[] = [];
  const slot = (label: string): number => {
    let k = index.get(label);
    if (k === undefined) {
      k = categories.length;
      index.set(label, k);
      categories.push(label);
      ref.push(0);
      cur.push(0);
    }
    return k;
  };
  for (const label of reference) {
    ref[slot(label)]++;
  }
  for (const label of current) {
    cur[slot(label)]++;
  }
  return {
    categories,
    reference: ref,
    current: cur,
    referenceTotal: reference.length,
    currentTotal: current.length,
  };
}
