/**
 * Chi-square test of homogeneity for two categorical samples.
 */
import { countCategories, toCategoricalSample } from './sample';
import { regularizedGammaQ } from './special';

/**
 * Result of a chi-square homogeneity test.
 *
 * @public
 */
export interface ChiSquareTestResult {
  /** Pearson's chi-square statistic. */
  statistic: number;
  /** Upper-tail p-value of the chi-square distribution with `dof` degrees of freedom. */
  pValue: number;
  /** Degrees of freedom, (categories - 1). */
  dof: number;
}

/**
 * Chi-square statistic and p-value of the 2 x k table formed by two count
 * vectors (zero columns must already be removed).
 */
export function chiSquareFromCounts(
  reference: readonly number[],
  current: readonly number[],
): ChiSquareTestResult {
  const k = reference.length;
  if (k <= 1) {
    return { statistic: 0, pValue: 1, dof: 0 };
  }
  let n1 = 0;
  let n2 = 0;
  for (let j = 0; j < k; j++) {
    n1 += reference[j];
    n2 += current[j];
  }
  const total = n1 + n2;
  let statistic = 0;
  for (let j = 0; j < k; j++) {
    const column = reference[j] + current[j];
    // Expected counts as scipy.stats.contingency.expected_freq forms them.
    const e1 = (n1 * column) / total;
    const e2 = (n2 * column) / total;
    statistic += (reference[j] - e1) ** 2 / e1 + (current[j] - e2) ** 2 / e2;
  }
  const dof = k - 1;
  return { statistic, pValue: regularizedGammaQ(dof / 2, statistic / 2), dof };
}

/**
 * Chi-square test of homogeneity between two categorical samples.
 *
 * @remarks
 * Builds the 2 x k contingency table over the union of categories seen in
 * either sample (columns that are zero in both cannot occur), and computes
 * Pearson's statistic without Yates' correction, i.e.
 * `scipy.stats.chi2_contingency(table, correction=False)`. The p-value is the
 * regularized upper incomplete gamma function Q(dof/2, statistic/2),
 * evaluated directly so that tiny p-values do not round to 0.
 *
 * Degenerate case: when both samples contain a single, identical category
 * (k = 1) there is nothing to compare; the result is statistic 0, p-value 1,
 * dof 0 (as SciPy's chi2_contingency returns for dof 0).
 *
 * @throws DriftInputError when a sample is not an array of strings or is empty
 * @public
 */
export function chiSquareTest(
  reference: readonly string[],
  current: readonly string[],
): ChiSquareTestResult {
  const ref = toCategoricalSample(reference, 'reference sample');
  const cur = toCategoricalSample(current, 'current sample');
  const counts = countCategories(ref, cur);
  return chiSquareFromCounts(counts.reference, counts.current);
}
