/**
 * Jensen-Shannon distance between the category distributions of two
 * categorical samples.
 */
import { countCategories, toCategoricalSample } from './sample';

/**
 * JS distance of two count (or probability) vectors over the same
 * categories, as `scipy.spatial.distance.jensenshannon(p, q)` computes it
 * (natural logarithm, so the result lies in [0, sqrt(ln 2)]).
 */
export function jensenShannonFromCounts(
  p: readonly number[],
  q: readonly number[],
): number {
  let sp = 0;
  let sq = 0;
  for (let k = 0; k < p.length; k++) {
    sp += p[k];
    sq += q[k];
  }
  let js = 0;
  for (let k = 0; k < p.length; k++) {
    const pk = p[k] / sp;
    const qk = q[k] / sq;
    const m = (pk + qk) / 2;
    if (pk > 0) {
      js += pk * Math.log(pk / m);
    }
    if (qk > 0) {
      js += qk * Math.log(qk / m);
    }
  }
  // Rounding can leave a tiny negative sum for identical inputs, where SciPy
  // would return NaN from the square root; the distance is 0 there.
  return Math.sqrt(Math.max(js, 0) / 2);
}

/**
 * Jensen-Shannon distance between the category proportions of two samples,
 * over the union of their categories (a category missing from one side has
 * proportion 0 there). Equals `scipy.spatial.distance.jensenshannon(p, q)`
 * with the natural logarithm.
 *
 * @throws DriftInputError when a sample is not an array of strings or is empty
 * @public
 */
export function jensenShannonDistance(
  reference: readonly string[],
  current: readonly string[],
): number {
  const ref = toCategoricalSample(reference, 'reference sample');
  const cur = toCategoricalSample(current, 'current sample');
  const counts = countCategories(ref, cur);
  return jensenShannonFromCounts(counts.reference, counts.current);
}
