/**
 * Pooled two-proportion z-test for binary categorical samples.
 */
import jStat from 'jstat';
import { DriftInputError } from './errors';
import { countCategories, toCategoricalSample } from './sample';
import { erfc } from './special';

/**
 * Result of a two-proportion z-test.
 *
 * @public
 */
export interface ZTestResult {
  /** z = (p_reference - p_current) / pooled standard error. */
  statistic: number;
  /** Two-sided p-value. */
  pValue: number;
}

/**
 * Two-sided p-value of a standard normal statistic.
 *
 * @remarks
 * In the body (|z| <= 1, p >= 0.31) jstat's normal CDF is exact to double
 * precision and `2 (1 - cdf)` loses nothing; beyond that the tail is taken
 * from erfc directly so that it does not cancel to 0.
 */
export function twoSidedNormalPValue(z: number): number {
  const az = Math.abs(z);
  if (az <= 1) {
    return 2 * (1 - jStat.normal.cdf(az, 0, 1));
  }
  return erfc(az * Math.SQRT1_2);
}

/**
 * z statistic and p-value from success counts (statsmodels
 * `proportions_ztest([c1, c2], [n1, n2])` with pooled variance).
 */
export function zTestFromCounts(
  successesReference: number,
  totalReference: number,
  successesCurrent: number,
  totalCurrent: number,
): ZTestResult {
  const pooled =
    (successesReference + successesCurrent) / (totalReference + totalCurrent);
  const variance =
    pooled * (1 - pooled) * (1 / totalReference + 1 / totalCurrent);
  if (!(variance > 0)) {
    // Only one category across both samples: the proportions are identical.
    return { statistic: 0, pValue: 1 };
  }
  const diff =
    successesReference / totalReference - successesCurrent / totalCurrent;
  const statistic = diff / Math.sqrt(variance);
  return { statistic, pValue: twoSidedNormalPValue(statistic) };
}

/**
 * Pooled two-proportion z-test (two-sided) for a binary categorical feature.
 *
 * @remarks
 * The "positive" category is the greater of the (at most two) labels present
 * across both samples under JavaScript's default string ordering (UTF-16
 * code units, e.g. `"yes" > "no"`, `"1" > "0"`, `"true" > "false"`). The
 * statistic is (p_reference - p_current) / sqrt(p (1 - p) (1/n1 + 1/n2))
 * with the pooled proportion p, the same as statsmodels'
 * `proportions_ztest([count_ref, count_cur], [n_ref, n_cur])`. Choosing the
 * other label as positive only flips the sign of the statistic.
 *
 * Degenerate case: a single label across both samples gives statistic 0 and
 * p-value 1 (statsmodels would return NaN).
 *
 * @throws DriftInputError when a sample is not an array of strings, is empty,
 *   or more than two distinct labels occur
 * @public
 */
export function zTestProportions(
  reference: readonly string[],
  current: readonly string[],
): ZTestResult {
  const ref = toCategoricalSample(reference, 'reference sample');
  const cur = toCategoricalSample(current, 'current sample');
  const counts = countCategories(ref, cur);
  if (counts.categories.length > 2) {
    throw new DriftInputError(
      `z-test needs a binary feature, but found ${counts.categories.length} distinct labels`,
    );
  }
  let positive = 0;
  if (
    counts.categories.length === 2 &&
    counts.categories[1] > counts.categories[0]
  ) {
    positive = 1;
  }
  return zTestFromCounts(
    counts.reference[positive],
    counts.referenceTotal,
    counts.current[positive],
    counts.currentTotal,
  );
}
