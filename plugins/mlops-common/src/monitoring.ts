/**
 * The windows the entity metrics route and card offer.
 *
 * @public
 */
export type MlopsMetricsWindow = '1h' | '24h' | '7d';

/**
 * Prediction metrics of one series bucket or of a whole window. Rates and
 * percentiles are null when there is nothing to compute them from.
 *
 * @public
 */
export interface MlopsPredictionStats {
  count: number;
  errors: number;
  /** Predictions per minute. */
  throughputPerMinute: number;
  errorRate: number | null;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  latencyP99Ms: number | null;
  /** Events that carried a ground-truth label. */
  labelled: number;
  /** correct / labelled. */
  accuracy: number | null;
  meanConfidence: number | null;
}

/**
 * One point of a metrics series.
 *
 * @public
 */
export interface MlopsMetricsPoint extends MlopsPredictionStats {
  /** Start of the bucket (ISO 8601). */
  start: string;
}

/**
 * What a model is compared against to judge degradation.
 *
 * @public
 */
export interface MlopsMetricsBaseline {
  /** `registry`: the evaluation metrics of the version in Production;
   * `first_production_day`: the model's first day of labelled production traffic. */
  source: 'registry' | 'first_production_day';
  version?: number;
  accuracy: number | null;
  /** Start of the first production day, for that source. */
  from?: string;
}

/**
 * Metrics of one model over a window.
 *
 * @public
 */
export interface MlopsModelMetrics {
  model: string;
  /**
   * Set when the figures were read from a monitoring source instance (a
   * Prometheus) because the model pushed no prediction events in the
   * window; the card says "from <name>". Totals and, where the source
   * can tell, a point per bucket are pulled; accuracy never is.
   */
  source?: { type: string; name: string };
  totals: MlopsPredictionStats;
  series: MlopsMetricsPoint[];
  baseline?: MlopsMetricsBaseline;
  /** Relative drop against the baseline (0.12 = 12 % worse); null when
   * either side is unknown. */
  degradation: { accuracy: number | null };
  /** Environments that have reported predictions for the model. */
  environments: string[];
}

/**
 * Answer of `GET /entities/:kind/:namespace/:name/metrics`.
 *
 * @public
 */
export interface MlopsEntityMetrics {
  entityRef: string;
  window: MlopsMetricsWindow;
  environment?: string;
  bucketMinutes: number;
  from: string;
  to: string;
  models: MlopsModelMetrics[];
}
