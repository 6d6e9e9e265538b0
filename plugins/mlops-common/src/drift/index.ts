/**
 * Drift statistics for ML monitoring, cross-checked against SciPy.
 *
 * Every function throws {@link DriftInputError} for input it cannot turn into
 * a meaningful number instead of returning NaN or a misleading value.
 */
export { DriftInputError } from './errors';
export type { NumericSample, CategoricalSample } from './sample';
export { ksTest, ksPValue, ksStatisticSorted } from './ks';
export type { KsTestResult } from './ks';
export { kstwoSf, smirnovSf } from './kolmogorov';
export { chiSquareTest } from './chiSquare';
export type { ChiSquareTestResult } from './chiSquare';
export { zTestProportions } from './zTest';
export type { ZTestResult } from './zTest';
export { psi, psiBinEdges, PSI_EMPTY_BIN_PROPORTION } from './psi';
export {
  wassersteinDistance,
  normedWassersteinDistance,
  NORMED_WASSERSTEIN_MIN_STD,
} from './wasserstein';
export { jensenShannonDistance } from './jensenShannon';
export {
  detectDrift,
  SMALL_REFERENCE_MAX_ROWS,
  CATEGORICAL_MAX_UNIQUE,
  DEFAULT_P_VALUE_THRESHOLD,
  DEFAULT_DISTANCE_THRESHOLD,
  DEFAULT_DRIFT_SHARE_THRESHOLD,
} from './detectDrift';
export type {
  DetectDriftInput,
  DriftCellValue,
  DriftColumns,
  DriftCorrection,
  DriftDataset,
  DriftFeatureType,
  DriftOptions,
  DriftReport,
  DriftRows,
  DriftTestName,
  FeatureDriftOptions,
  FeatureDriftResult,
} from './types';
export {
  erfc,
  logGamma,
  normalSf,
  regularizedGammaP,
  regularizedGammaQ,
} from './special';
export { sortFloat64 } from './sort';
