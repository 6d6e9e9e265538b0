/**
 * Population Stability Index over reference deciles.
 */
import { toSortedSample } from './sample';

/** Proportion used in place of an empty bin, so the logarithm stays finite. */
export const PSI_EMPTY_BIN_PROPORTION = 1e-4;

/**
 * numpy `np.quantile(sorted, q)` with the default 'linear' method, including
 * numpy's two-sided lerp (which is what makes the edges bit-identical).
 */
export function quantileSorted(sorted: Float64Array, q: number): number {
  const n = sorted.length;
  const virtualIndex = (n - 1) * q;
  if (virtualIndex >= n - 1) {
    return sorted[n - 1];
  }
  if (virtualIndex < 0) {
    return sorted[0];
  }
  const previous = Math.floor(virtualIndex);
  const gamma = virtualIndex - previous;
  const a = sorted[previous];
  const b = sorted[previous + 1];
  const diff = b - a;
  return gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma;
}

/** Number of elements of an ascending array strictly below `value`. */
export function countBelow(sorted: Float64Array, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < value) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

/**
 * Bin edges used by {@link psi}: the distinct reference deciles
 * (quantiles 0.1, 0.2, ..., 0.9), ascending.
 *
 * @public
 */
export function psiBinEdges(sortedReference: Float64Array): number[] {
  const edges: number[] = [];
  for (let k = 1; k <= 9; k++) {
    const e = quantileSorted(sortedReference, k / 10);
    if (edges.length === 0 || e !== edges[edges.length - 1]) {
      edges.push(e);
    }
  }
  return edges;
}

function binProportions(
  sorted: Float64Array,
  edges: readonly number[],
): number[] {
  const n = sorted.length;
  const out: number[] = [];
  let previousBelow = 0;
  for (const edge of edges) {
    const below = countBelow(sorted, edge);
    out.push((below - previousBelow) / n);
    previousBelow = below;
  }
  out.push((n - previousBelow) / n);
  return out.map(p => (p === 0 ? PSI_EMPTY_BIN_PROPORTION : p));
}

/**
 * PSI of two already sorted, finite samples.
 */
export function psiSorted(ref: Float64Array, cur: Float64Array): number {
  const edges = psiBinEdges(ref);
  const refP = binProportions(ref, edges);
  const curP = binProportions(cur, edges);
  let total = 0;
  for (let k = 0; k < refP.length; k++) {
    total += (curP[k] - refP[k]) * Math.log(curP[k] / refP[k]);
  }
  return total;
}

/**
 * Population Stability Index of `current` against `reference`.
 *
 * @remarks
 * Bins: the distinct reference deciles (numpy `np.quantile` linear
 * interpolation at 0.1 ... 0.9) are inner edges, outer edges are -inf and
 * +inf, so there are (distinct deciles + 1) bins. A value equal to an edge
 * goes to the bin on its right, i.e. bins are [e_(k-1), e_k) — the same as
 * `np.searchsorted(edges, x, side='right')`. Proportions of empty bins are
 * replaced by 1e-4 (in both samples) before
 * PSI = sum over bins of (cur - ref) * ln(cur / ref).
 * NaN values are dropped.
 *
 * @throws DriftInputError for non-numeric, empty, all-NaN or infinite input
 * @public
 */
export function psi(
  reference: ArrayLike<number>,
  current: ArrayLike<number>,
): number {
  const ref = toSortedSample(reference, 'reference sample', false);
  const cur = toSortedSample(current, 'current sample', false);
  return psiSorted(ref, cur);
}
