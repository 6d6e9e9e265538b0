/**
 * Shapes of the drift service's HTTP answers, shared by the backend that
 * produces them and the frontend that renders them.
 */
import { DriftReport, FeatureDriftResult } from './drift';

/**
 * Data-quality report of one dataset. The score is
 * `1 − (missingRatio + duplicateRatio)`, floored at 0.
 *
 * @public
 */
export interface DataQualityReport {
  rowCount: number;
  columnCount: number;
  /** Missing cells (null) over all cells. */
  missingRatio: number;
  /** Rows identical to an earlier row, over all rows. */
  duplicateRatio: number;
  /** Missing share per column. */
  columnMissingRatio: Record<string, number>;
  /** Columns that had to be present. */
  requiredColumns: string[];
  /** Required columns that are absent or hold no value at all. */
  missingRequiredColumns: string[];
  score: number;
  /** Score below which the dataset fails. */
  threshold: number;
  /** score ≥ threshold and no required column missing. */
  passed: boolean;
}

/**
 * Answer of `POST /drift/compare`.
 *
 * @public
 */
export interface DriftCompareResponse {
  report: DriftReport;
  quality: { reference: DataQualityReport; current: DataQualityReport };
}

/**
 * What a stored baseline says about one feature.
 *
 * @public
 */
export interface DriftBaselineFeature {
  name: string;
  type: 'numeric' | 'categorical';
  /** Non-missing values. */
  count: number;
  missing: number;
  missingRatio: number;
  /** Numeric features: range, mean and population standard deviation. */
  min?: number;
  max?: number;
  mean?: number;
  std?: number;
  /** Categorical features: the most frequent values and their shares. */
  topCategories?: Array<{ value: string; share: number }>;
}

/**
 * A stored reference baseline of a model version, without its data.
 *
 * @public
 */
export interface DriftBaselineSummary {
  model: string;
  version: number;
  rowCount: number;
  featureCount: number;
  features: DriftBaselineFeature[];
  /** Compressed size of the stored data, in bytes. */
  storedBytes: number;
  createdBy?: string;
  createdAt: string;
}

/**
 * A baseline feature a check left out, and why.
 *
 * @public
 */
export interface DriftSkippedFeature {
  feature: string;
  reason: string;
}

/**
 * A stored drift check of a model: the statistics' verdicts per feature, the
 * dataset verdict, and the current window's data quality.
 *
 * @public
 */
export interface StoredDriftReport {
  id: string;
  model: string;
  /** Model version whose baseline was the reference. */
  version: number;
  /** `schedule`: monitored values; `upload`: a posted current window. */
  source: 'schedule' | 'upload';
  datasetDrift: boolean;
  driftShare: number;
  driftedCount: number;
  featureCount: number;
  driftShareThreshold: number;
  driftedFeatures: string[];
  features: FeatureDriftResult[];
  skippedFeatures: DriftSkippedFeature[];
  quality: DataQualityReport;
  referenceRows: number;
  currentRows: number;
  windowMinutes: number | null;
  createdAt: string;
}

/**
 * One point of a model's drift share over time.
 *
 * @public
 */
export interface DriftHistoryPoint {
  id: string;
  version: number;
  driftShare: number;
  datasetDrift: boolean;
  createdAt: string;
}

/**
 * Drift of one model linked to an entity.
 *
 * @public
 */
export interface ModelDriftView {
  model: string;
  /** Versions with a stored baseline, highest first. */
  baselineVersions: number[];
  latest: StoredDriftReport | null;
  /** Oldest first. */
  history: DriftHistoryPoint[];
}

/**
 * Answer of `GET /entities/:kind/:namespace/:name/drift`.
 *
 * @public
 */
export interface EntityDriftView {
  entityRef: string;
  models: ModelDriftView[];
}
