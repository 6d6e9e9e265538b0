export { DriftStore } from './DriftStore';
export type {
  BaselineSummary,
  DriftHistoryPoint,
  DriftReportSource,
  SkippedFeature,
  StoredDriftReport,
} from './DriftStore';
export {
  DriftService,
  driftSettingsFromConfig,
  DEFAULT_DRIFT_WINDOW_MINUTES,
  DEFAULT_MIN_WINDOW_ROWS,
} from './DriftService';
export type {
  DriftCompareResult,
  DriftServiceOptions,
  EntityDrift,
  FeatureWindowSource,
  ModelDrift,
  ModelVersionChecker,
  ProductionVersionSource,
  ScheduledCheckSummary,
} from './DriftService';
export { createDriftRouter } from './router';
export {
  scheduleDriftChecks,
  createDriftCheckTask,
  DRIFT_CHECK_TASK_ID,
  DEFAULT_DRIFT_SCHEDULE,
} from './scheduleDriftChecks';
export { DEFAULT_DRIFT_LIMITS } from './dataset';
export type { DriftLimits, FeatureSummary } from './dataset';
export { DEFAULT_QUALITY_THRESHOLD, dataQuality } from './quality';
export type { DataQualityReport } from './quality';
export { seedDemoDrift, DEMO_DRIFT_DAYS } from './seedDemoDrift';
export type { DemoDriftSources } from './seedDemoDrift';
