/**
 * Two-sample Kolmogorov-Smirnov test, matching SciPy 1.10's
 * `scipy.stats.ks_2samp(reference, current, alternative='two-sided',
 * method='auto')`.
 */
import { kstwoSf } from './kolmogorov';
import { toSortedSample } from './sample';
import { clipProbability, roundHalfEven } from './special';

/**
 * Result of a two-sample Kolmogorov-Smirnov test.
 *
 * @public
 */
export interface KsTestResult {
  /** D = sup |F_reference(x) - F_current(x)|. */
  statistic: number;
  /** Two-sided p-value. */
  pValue: number;
}

/** SciPy's `MAX_AUTO_N`: 'auto' tries the exact distribution up to here. */
const MAX_AUTO_N = 10000;

function gcd(a: number, b: number): number {
  let x = a;
  let y = b;
  while (y !== 0) {
    const t = x % y;
    x = y;
    y = t;
  }
  return x;
}

/**
 * D statistic of two ascending, NaN-free samples.
 *
 * @remarks
 * Equivalent to SciPy's searchsorted formulation: both ECDFs are evaluated
 * (right-continuous, so after all values equal to x are consumed) at every
 * pooled value x. The merge consumes one value per step and evaluates the
 * ECDF difference only when the value changes, which is exactly the state
 * "all values <= previous value consumed". Differences are tracked as exact
 * integers i n2 - j n1 and the winner is converted with SciPy's own
 * floating point expression `i/n1 - j/n2`, so D is the same double SciPy
 * reports. Once either sample is exhausted the difference only moves towards
 * 0, so the merge stops there.
 *
 * @public
 */
export function ksStatisticSorted(a: Float64Array, b: Float64Array): number {
  const n1 = a.length;
  const n2 = b.length;
  let i = 0;
  let j = 0;
  let best = 0;
  let bestI = 0;
  let bestJ = 0;
  let worst = 0;
  let worstI = 0;
  let worstJ = 0;
  let prev = Number.NaN;
  while (i < n1 && j < n2) {
    const va = a[i];
    const vb = b[j];
    // 0/1 arithmetic instead of an if/else: the comparison is a coin flip
    // for similar samples and a branch would be mispredicted half the time.
    const takeA = va <= vb ? 1 : 0;
    const v = takeA ? va : vb;
    if (v !== prev) {
      const d = i * n2 - j * n1;
      if (d > best) {
        best = d;
        bestI = i;
        bestJ = j;
      } else if (d < worst) {
        worst = d;
        worstI = i;
        worstJ = j;
      }
      prev = v;
    }
    i += takeA;
    j += 1 - takeA;
  }
  // Consume the rest of the last tie group and evaluate once more.
  while (i < n1 && a[i] <= prev) {
    i++;
  }
  while (j < n2 && b[j] <= prev) {
    j++;
  }
  const d = i * n2 - j * n1;
  if (d > best) {
    bestI = i;
    bestJ = j;
  } else if (d < worst) {
    worstI = i;
    worstJ = j;
  }
  const maxS = bestI / n1 - bestJ / n2;
  // SciPy clips -min(cddiffs) to [0, 1].
  const minS = Math.min(Math.max(-(worstI / n1 - worstJ / n2), 0), 1);
  return Math.max(minS, maxS);
}

/**
 * Pr(D_{n,n} >= h/n) for equal sample sizes (SciPy
 * `_compute_prob_outside_square`), a Horner-like alternating sum that
 * avoids the cancellation of the textbook binomial formula.
 */
function probOutsideSquare(n: number, h: number): number {
  let P = 0;
  let k = Math.floor(n / h);
  while (k >= 0) {
    let p1 = 1;
    for (let j = 0; j < h; j++) {
      p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    }
    P = p1 * (1 - P);
    k -= 1;
  }
  return 2 * P;
}

/**
 * Proportion of lattice paths from (0,0) to (m,n) that leave the band
 * |x/m - y/n| < h/lcm(m,n), computed with Viehmann's 1-p recursion
 * (SciPy `_compute_outer_prob_inside_method`).
 */
function outerProbInside(m0: number, n0: number, g: number, h: number): number {
  const m = Math.max(m0, n0);
  const n = Math.min(m0, n0);
  const mg = Math.floor(m / g);
  const ng = Math.floor(n / g);
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const lenA = Math.min(2 * maxj + 2, n + 1);
  const A = new Float64Array(lenA).fill(1);
  for (let j = minj; j < maxj && j < lenA; j++) {
    A[j] = 0;
  }
  for (let i = 1; i <= m; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.max(Math.floor((ng * i - h) / mg) + 1, 0);
    minj = Math.min(minj, n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) {
      return 1;
    }
    let val = minj === 0 ? 0 : 1;
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj;
      const idx = jj + minj - lastminj;
      const prev = idx < lenA ? A[idx] : Number.NaN;
      val = (prev * i + val * j) / (i + j);
      A[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) {
      const end = Math.min(maxj - minj + (lastlen - curlen), lenA);
      for (let t = maxj - minj; t < end; t++) {
        A[t] = 1;
      }
    }
  }
  return A[maxj - minj - 1];
}

/**
 * SciPy's `_attempt_exact_2kssamp` for the two-sided alternative. Returns
 * the (re-rounded) statistic and the exact p-value, or `undefined` p-value
 * when the computation is not usable (then SciPy falls back to asymptotic).
 */
function attemptExact(
  n1: number,
  n2: number,
  g: number,
  d: number,
): { d: number; p: number | undefined } {
  const lcm = Math.floor(n1 / g) * n2;
  const h = roundHalfEven(d * lcm);
  const dExact = h / lcm;
  if (h === 0) {
    return { d: dExact, p: 1 };
  }
  const p =
    n1 === n2 ? probOutsideSquare(n1, h) : outerProbInside(n1, n2, g, h);
  if (!(p >= 0 && p <= 1)) {
    return { d: dExact, p: undefined };
  }
  return { d: dExact, p };
}

/**
 * Two-sided p-value for a KS statistic `d` of samples of sizes n1 and n2,
 * using SciPy's 'auto' rule (exact up to max(n1, n2) = 10000, else the
 * asymptotic kstwo distribution with the effective sample size).
 *
 * @returns the statistic as SciPy reports it (in exact mode it is rounded to
 *   the lattice h / lcm(n1, n2)) and the p-value
 * @public
 */
export function ksPValue(d: number, n1: number, n2: number): KsTestResult {
  let statistic = d;
  let p: number | undefined;
  if (Math.max(n1, n2) <= MAX_AUTO_N) {
    const exact = attemptExact(n1, n2, gcd(n1, n2), d);
    statistic = exact.d;
    p = exact.p;
  }
  if (p === undefined) {
    const m = Math.max(n1, n2);
    const n = Math.min(n1, n2);
    const en = (m * n) / (m + n);
    p = kstwoSf(statistic, roundHalfEven(en));
  }
  return { statistic, pValue: clipProbability(p) };
}

/**
 * Two-sample two-sided Kolmogorov-Smirnov test.
 *
 * @remarks
 * Matches `scipy.stats.ks_2samp(reference, current, method='auto')`:
 * the statistic handles ties like SciPy (ECDFs evaluated after all equal
 * values); the p-value is exact (Hodges / Viehmann lattice-path counting)
 * when both samples have at most 10000 values, otherwise it is
 * `kstwo.sf(D, round(n1 n2 / (n1 + n2)))`. NaN values are dropped (like
 * `nan_policy='omit'`); infinities are allowed.
 *
 * Cost: two O(n) radix sorts and one merge.
 *
 * @throws DriftInputError for non-arrays, non-numeric elements, or samples
 *   that are empty or only NaN
 * @public
 */
export function ksTest(
  reference: ArrayLike<number>,
  current: ArrayLike<number>,
): KsTestResult {
  const a = toSortedSample(reference, 'reference sample', true);
  const b = toSortedSample(current, 'current sample', true);
  return ksPValue(ksStatisticSorted(a, b), a.length, b.length);
}
