import { MetricValue } from '@backstage-mlops/plugin-mlops-common';

/**
 * How MLflow's SQL store keeps values a database column cannot hold
 * portably: NaN as 0 plus a flag, and the infinities as the largest finite
 * doubles. SQLite would otherwise turn NaN into NULL, and PostgreSQL and
 * SQLite disagree on how infinities sort.
 */
export const STORED_INFINITY = Number.MAX_VALUE;

/** A metric value as its database columns hold it. */
export interface StoredMetricValue {
  value: number;
  is_nan: boolean;
}

/** Converts a metric value into its stored form. */
export function toStoredValue(value: number): StoredMetricValue {
  if (Number.isNaN(value)) {
    return { value: 0, is_nan: true };
  }
  if (value === Infinity) {
    return { value: STORED_INFINITY, is_nan: false };
  }
  if (value === -Infinity) {
    return { value: -STORED_INFINITY, is_nan: false };
  }
  return { value, is_nan: false };
}

/** Reads a stored metric value back; the largest doubles read as infinities. */
export function fromStoredValue(value: unknown, isNan: unknown): number {
  if (isNan === true || isNan === 1 || isNan === '1') {
    return NaN;
  }
  const n = Number(value);
  if (n >= STORED_INFINITY) {
    return Infinity;
  }
  if (n <= -STORED_INFINITY) {
    return -Infinity;
  }
  return n;
}

/** The JSON form of a metric value: non-finite values become strings. */
export function toMetricValue(value: number): MetricValue {
  if (Number.isNaN(value)) {
    return 'NaN';
  }
  if (value === Infinity) {
    return 'Infinity';
  }
  if (value === -Infinity) {
    return '-Infinity';
  }
  return value;
}

/** The number a JSON metric value stands for. */
export function fromMetricValue(value: MetricValue): number {
  switch (value) {
    case 'NaN':
      return NaN;
    case 'Infinity':
      return Infinity;
    case '-Infinity':
      return -Infinity;
    default:
      return value;
  }
}
