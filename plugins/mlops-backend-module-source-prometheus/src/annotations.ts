/**
 * A label selector for the series of the model's server, e.g.
 * `job="fraud-serving",namespace="payments-ml"`. Only `name="value"` pairs
 * (also `!=`, `=~`, `!~`) are accepted.
 *
 * @public
 */
export const ANNOTATION_PROMETHEUS_SELECTOR =
  'backstage-mlops.dev/prometheus-selector';

/**
 * Explicit PromQL for one figure instead of the defaults built from the
 * selector; `$__range` stands for the window (e.g. `300s`). Latency in
 * milliseconds, error rate as a fraction, throughput per second.
 *
 * @public
 */
export const ANNOTATION_PROMETHEUS_LATENCY_P95 =
  'backstage-mlops.dev/prometheus-latency-p95';
/**
 * Explicit PromQL for the error rate (a fraction); see the latency one.
 *
 * @public
 */
export const ANNOTATION_PROMETHEUS_ERROR_RATE =
  'backstage-mlops.dev/prometheus-error-rate';
/**
 * Explicit PromQL for the throughput (requests per second); see the
 * latency one.
 *
 * @public
 */
export const ANNOTATION_PROMETHEUS_THROUGHPUT =
  'backstage-mlops.dev/prometheus-throughput';

/**
 * Which `mlops.sources.prometheus` instance to ask, by name; without it,
 * the first configured instance.
 *
 * @public
 */
export const ANNOTATION_PROMETHEUS_INSTANCE =
  'backstage-mlops.dev/prometheus-instance';
