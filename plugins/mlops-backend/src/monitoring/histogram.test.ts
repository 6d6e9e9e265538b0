import {
  LATENCY_BUCKET_COUNT,
  LATENCY_MAX_MS,
  bucketLowerMs,
  bucketUpperMs,
  histogramQuantile,
  latencyBucket,
} from './histogram';

describe('latency histogram', () => {
  it('puts every latency in the bucket whose edges contain it', () => {
    for (const ms of [0, 0.1, 0.25, 0.3, 1, 1.5, 10, 99.9, 500, 4096, 65_535]) {
      const i = latencyBucket(ms);
      expect(ms).toBeGreaterThanOrEqual(bucketLowerMs(i));
      expect(ms).toBeLessThan(bucketUpperMs(i));
    }
    // Exact edges belong to the bucket they open.
    for (let i = 1; i < LATENCY_BUCKET_COUNT - 1; i++) {
      expect(latencyBucket(bucketLowerMs(i))).toBe(i);
    }
    expect(latencyBucket(LATENCY_MAX_MS * 3)).toBe(LATENCY_BUCKET_COUNT - 1);
  });

  it('estimates quantiles of a known distribution within one bucket', () => {
    // Deterministic log-uniform latencies from 1 ms to 2 s.
    const values = Array.from({ length: 10_000 }, (_, i) =>
      Math.exp(Math.log(1) + ((i + 0.5) / 10_000) * Math.log(2000)),
    );
    const counts = new Array(LATENCY_BUCKET_COUNT).fill(0);
    for (const v of values) {
      counts[latencyBucket(v)] += 1;
    }
    for (const q of [0.5, 0.95, 0.99]) {
      const truth = values[Math.ceil(q * values.length) - 1];
      const estimate = histogramQuantile(counts, q)!;
      const bucket = latencyBucket(truth);
      expect(estimate).toBeGreaterThanOrEqual(bucketLowerMs(bucket));
      expect(estimate).toBeLessThanOrEqual(bucketUpperMs(bucket));
      // Log-uniform data is what geometric interpolation assumes, so the
      // estimate is far better than the bucket width here.
      expect(Math.abs(estimate - truth) / truth).toBeLessThan(0.02);
    }
  });

  it('has no quantile for an empty histogram and caps the overflow bucket', () => {
    const counts = new Array(LATENCY_BUCKET_COUNT).fill(0);
    expect(histogramQuantile(counts, 0.95)).toBeNull();
    counts[LATENCY_BUCKET_COUNT - 1] = 5;
    expect(histogramQuantile(counts, 0.99)).toBe(LATENCY_MAX_MS);
  });
});
