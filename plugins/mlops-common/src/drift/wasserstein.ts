/**
 * First Wasserstein (earth mover's) distance between two 1-D samples.
 */
import { toSortedSample } from './sample';

/**
 * Evidently's floor for the reference standard deviation in the normed
 * distance, so constant reference columns do not divide by zero.
 */
export const NORMED_WASSERSTEIN_MIN_STD = 0.001;

/**
 * W1 of two ascending finite samples: the sum over consecutive pooled values
 * of |F_u - F_v| times the gap, as `scipy.stats._cdf_distance(1, u, v)`
 * computes it. Ties need no special care: their gap is 0.
 */
export function wassersteinSorted(a: Float64Array, b: Float64Array): number {
  const n1 = a.length;
  const n2 = b.length;
  const inv1 = 1 / n1;
  const inv2 = 1 / n2;
  let i = 0;
  let j = 0;
  let total = 0;
  let prev = a[0] <= b[0] ? a[0] : b[0];
  while (i < n1 && j < n2) {
    const va = a[i];
    const vb = b[j];
    // Branch-free step (see ksStatisticSorted).
    const takeA = va <= vb ? 1 : 0;
    const v = takeA ? va : vb;
    total += Math.abs(i * inv1 - j * inv2) * (v - prev);
    prev = v;
    i += takeA;
    j += 1 - takeA;
  }
  for (; i < n1; i++) {
    total += Math.abs(i * inv1 - 1) * (a[i] - prev);
    prev = a[i];
  }
  for (; j < n2; j++) {
    total += Math.abs(1 - j * inv2) * (b[j] - prev);
    prev = b[j];
  }
  return total;
}

/**
 * Population standard deviation (ddof = 0) of an ascending finite sample.
 * Values are scaled by their largest magnitude first so that squares of
 * huge values (1e300) do not overflow to Infinity.
 */
export function populationStdSorted(sorted: Float64Array): number {
  const n = sorted.length;
  const scale = Math.max(Math.abs(sorted[0]), Math.abs(sorted[n - 1]));
  if (scale === 0) {
    return 0;
  }
  // Multiplying by reciprocals (one rounding more than dividing) keeps the
  // loops cheap; the corrected two-pass formula absorbs the difference.
  // Subnormal magnitudes have no finite reciprocal and need no scaling.
  const unit = Number.isFinite(1 / scale) ? scale : 1;
  const invScale = 1 / unit;
  let sum = 0;
  for (let k = 0; k < n; k++) {
    sum += sorted[k] * invScale;
  }
  const mean = (sum / n) * unit;
  const spread = Math.max(sorted[n - 1] - mean, mean - sorted[0]);
  if (!(spread > 0)) {
    return 0;
  }
  const spreadUnit = Number.isFinite(1 / spread) ? spread : 1;
  const invSpread = 1 / spreadUnit;
  let squares = 0;
  let deviations = 0;
  for (let k = 0; k < n; k++) {
    const d = (sorted[k] - mean) * invSpread;
    squares += d * d;
    deviations += d;
  }
  // Second term: the rounding error of the mean (corrected two-pass).
  const variance = (squares - (deviations * deviations) / n) / n;
  return spreadUnit * Math.sqrt(Math.max(variance, 0));
}

/**
 * Normed W1 of two sorted samples: W1 / max(std(reference), 0.001).
 */
export function normedWassersteinSorted(
  ref: Float64Array,
  cur: Float64Array,
): number {
  const std = populationStdSorted(ref);
  return (
    wassersteinSorted(ref, cur) / Math.max(std, NORMED_WASSERSTEIN_MIN_STD)
  );
}

/**
 * First Wasserstein distance between two samples, equal to
 * `scipy.stats.wasserstein_distance(reference, current)` (unweighted).
 * NaN values are dropped.
 *
 * @throws DriftInputError for non-numeric, empty, all-NaN or infinite input
 * @public
 */
export function wassersteinDistance(
  reference: ArrayLike<number>,
  current: ArrayLike<number>,
): number {
  const a = toSortedSample(reference, 'reference sample', false);
  const b = toSortedSample(current, 'current sample', false);
  return wassersteinSorted(a, b);
}

/**
 * Wasserstein distance normalised by the reference spread, as Evidently uses
 * it for drift: W1 / max(std(reference), 0.001), where std is the population
 * standard deviation (`np.std`, ddof = 0). Scale-free, so one threshold
 * (0.1 by default in {@link detectDrift}) fits every numeric column.
 *
 * @remarks
 * The standard deviation is computed with scaling, so huge values (1e300)
 * give the true spread where a naive `np.std` would overflow to Infinity.
 *
 * @throws DriftInputError for non-numeric, empty, all-NaN or infinite input
 * @public
 */
export function normedWassersteinDistance(
  reference: ArrayLike<number>,
  current: ArrayLike<number>,
): number {
  const a = toSortedSample(reference, 'reference sample', false);
  const b = toSortedSample(current, 'current sample', false);
  return normedWassersteinSorted(a, b);
}
