/*
 * Fixed, log-spaced latency buckets. Four buckets per doubling (each bucket's
 * upper edge is 2^(1/4) ≈ 1.19 times its lower edge) from 0.25 ms to 65.5 s,
 * plus one bucket below and one above that range. Fixed edges are what makes
 * histograms of different minutes, hours and replicas addable column by
 * column, so percentiles over any window come from summed rollups.
 */

/** Lower edge of the first log-spaced bucket, in milliseconds. */
export const LATENCY_MIN_MS = 0.25;
/** Buckets per doubling of latency. */
export const LATENCY_BUCKETS_PER_DOUBLING = 4;
/** Doublings covered by the log-spaced buckets (0.25 ms · 2^18 = 65.5 s). */
const DOUBLINGS = 18;
const LOG_BUCKETS = DOUBLINGS * LATENCY_BUCKETS_PER_DOUBLING;
/** Total bucket count: underflow, log-spaced, overflow. */
export const LATENCY_BUCKET_COUNT = LOG_BUCKETS + 2;
/** Upper edge of the last log-spaced bucket, in milliseconds. */
export const LATENCY_MAX_MS = LATENCY_MIN_MS * 2 ** DOUBLINGS;

/** Column names of the histogram buckets in the rollup table. */
export const LATENCY_COLUMNS: readonly string[] = Array.from(
  { length: LATENCY_BUCKET_COUNT },
  (_, i) => `h${i}`,
);

// Edge k is the upper edge of bucket k and the lower edge of bucket k + 1.
const EDGES = Array.from(
  { length: LATENCY_BUCKET_COUNT - 1 },
  (_, k) => LATENCY_MIN_MS * 2 ** (k / LATENCY_BUCKETS_PER_DOUBLING),
);

/** Lower edge of bucket `i` in milliseconds. */
export function bucketLowerMs(i: number): number {
  return i <= 0 ? 0 : EDGES[i - 1];
}

/** Upper edge of bucket `i` in milliseconds (Infinity for the overflow bucket). */
export function bucketUpperMs(i: number): number {
  return i >= LATENCY_BUCKET_COUNT - 1 ? Infinity : EDGES[i];
}

/** The bucket a latency falls in: lower edge inclusive, upper edge exclusive. */
export function latencyBucket(ms: number): number {
  if (!(ms >= LATENCY_MIN_MS)) {
    return 0;
  }
  if (ms >= LATENCY_MAX_MS) {
    return LATENCY_BUCKET_COUNT - 1;
  }
  let i =
    Math.floor(LATENCY_BUCKETS_PER_DOUBLING * Math.log2(ms / LATENCY_MIN_MS)) +
    1;
  // log2 can land a hair off an exact edge; the edges themselves decide.
  if (ms < bucketLowerMs(i)) {
    i -= 1;
  } else if (ms >= bucketUpperMs(i)) {
    i += 1;
  }
  return i;
}

/**
 * The `q`-quantile (0 < q ≤ 1) of a histogram, or null when it is empty.
 * Inside a bucket the value is interpolated geometrically, which matches
 * the buckets' log spacing; the answer is always inside the bucket that
 * holds the true quantile, so its error is bounded by that bucket's width
 * (≤ 19 %). A quantile in the overflow bucket is reported as its lower
 * edge, the most that can honestly be said.
 */
export function histogramQuantile(
  counts: ArrayLike<number>,
  q: number,
): number | null {
  let total = 0;
  for (let i = 0; i < counts.length; i++) {
    total += counts[i];
  }
  if (total === 0) {
    return null;
  }
  const rank = q * total;
  let cumulative = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i];
    if (c === 0) {
      continue;
    }
    if (cumulative + c >= rank) {
      const fraction = Math.min(1, Math.max(0, (rank - cumulative) / c));
      const lower = bucketLowerMs(i);
      const upper = bucketUpperMs(i);
      if (!Number.isFinite(upper)) {
        return lower;
      }
      if (lower === 0) {
        return upper * fraction;
      }
      return lower * (upper / lower) ** fraction;
    }
    cumulative += c;
  }
  return bucketLowerMs(counts.length - 1);
}
