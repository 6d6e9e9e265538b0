/**
 * Public types of the dataset-level drift report.
 */

/**
 * Statistical tests {@link detectDrift} can run on a feature.
 *
 * - `ks`: two-sample Kolmogorov-Smirnov (p-value test, numeric only)
 * - `chisquare`: chi-square homogeneity test (p-value test)
 * - `ztest`: pooled two-proportion z-test (p-value test, at most 2 categories)
 * - `psi`: Population Stability Index (distance, numeric only)
 * - `wasserstein`: normed Wasserstein distance, W1 / max(std(reference), 0.001)
 *   (distance, numeric only)
 * - `jensenshannon`: Jensen-Shannon distance of category proportions (distance)
 *
 * @public
 */
export type DriftTestName =
  | 'ks'
  | 'chisquare'
  | 'ztest'
  | 'psi'
  | 'wasserstein'
  | 'jensenshannon';

/**
 * Multiple-testing correction applied to the p-values of p-value tests.
 *
 * @public
 */
export type DriftCorrection = 'none' | 'bonferroni' | 'benjamini-hochberg';

/**
 * A cell of a dataset. `null`, `undefined` and `NaN` are missing values.
 *
 * @public
 */
export type DriftCellValue = number | string | boolean | null | undefined;

/**
 * Column-oriented dataset: one equally long array (or typed array) per
 * feature.
 *
 * @public
 */
export type DriftColumns = Record<string, ArrayLike<DriftCellValue>>;

/**
 * Row-oriented dataset: one object per row. A key absent from a row is a
 * missing value.
 *
 * @public
 */
export type DriftRows = Array<Record<string, DriftCellValue>>;

/**
 * A dataset in either orientation.
 *
 * @public
 */
export type DriftDataset = DriftColumns | DriftRows;

/**
 * Per-feature override of the automatic test choice and threshold.
 *
 * @public
 */
export interface FeatureDriftOptions {
  /** Test to run instead of the automatic choice. */
  test?: DriftTestName;
  /**
   * Drift threshold: for p-value tests drift is `pValue < threshold`
   * (default 0.05); for distance tests drift is `distance >= threshold`
   * (default 0.1).
   */
  threshold?: number;
}

/**
 * Options of {@link detectDrift}.
 *
 * @public
 */
export interface DriftOptions {
  /** Per-feature overrides, keyed by column name. */
  features?: Record<string, FeatureDriftOptions>;
  /**
   * The dataset drifts when the share of drifted features is at least this
   * value. Default 0.5.
   */
  driftShareThreshold?: number;
  /**
   * Multiple-testing correction over the p-value tests of this call.
   * Default 'none'. Distance tests are never corrected.
   */
  correction?: DriftCorrection;
  /** Only compare these columns (default: all columns). */
  columns?: string[];
  /**
   * Minimum number of non-missing values each side of every compared
   * feature must have; smaller samples are rejected with a DriftInputError
   * rather than tested. Default 1.
   */
  minSampleSize?: number;
}

/**
 * Input of {@link detectDrift}.
 *
 * @public
 */
export interface DetectDriftInput {
  /** Baseline data. */
  reference: DriftDataset;
  /** Data to compare against the baseline. */
  current: DriftDataset;
  /** Test selection, thresholds and correction. */
  options?: DriftOptions;
}

/**
 * Kind of a feature, inferred from its values: numbers are numeric; strings
 * and booleans are categorical.
 *
 * @public
 */
export type DriftFeatureType = 'numeric' | 'categorical';

/**
 * Drift result of one feature.
 *
 * @public
 */
export interface FeatureDriftResult {
  /** Column name. */
  feature: string;
  /** Inferred kind of the column. */
  type: DriftFeatureType;
  /** The test that was run. */
  test: DriftTestName;
  /**
   * Test statistic (KS D, chi-square, z) or, for distance tests, the
   * distance itself.
   */
  statistic: number;
  /**
   * p-value of p-value tests (after the requested multiple-testing
   * correction), `null` for distance tests.
   */
  pValue: number | null;
  /** Distance of distance tests, `null` for p-value tests. */
  distance: number | null;
  /** Threshold the p-value or distance was compared with. */
  threshold: number;
  /** Whether this feature drifted. */
  drifted: boolean;
  /** Share of missing values (null, undefined, NaN) on each side. */
  missingRatio: { reference: number; current: number };
  /** Number of non-missing reference values used. */
  referenceCount: number;
  /** Number of non-missing current values used. */
  currentCount: number;
}

/**
 * Dataset-level drift report.
 *
 * @public
 */
export interface DriftReport {
  /** One result per compared feature, in column order. */
  features: FeatureDriftResult[];
  /** Number of drifted features. */
  driftedCount: number;
  /** Number of compared features. */
  featureCount: number;
  /** driftedCount / featureCount. */
  driftShare: number;
  /** Whether driftShare >= driftShareThreshold. */
  datasetDrift: boolean;
  /** Threshold used for datasetDrift. */
  driftShareThreshold: number;
  /** Correction applied to the p-values. */
  correction: DriftCorrection;
}
