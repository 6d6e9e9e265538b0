import { HttpAuthService, LoggerService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { Knex } from 'knex';
import { MlopsObjectReadAccess } from '../permissions/MlopsObjectReadAccess';
import { EntityResolver } from '../shared/EntityResolver';
import { DriftStore } from './DriftStore';
import {
  DriftService,
  FeatureWindowSource,
  ModelVersionChecker,
  ProductionVersionSource,
  driftSettingsFromConfig,
} from './DriftService';
import { createDriftRouter } from './router';
import { driftCheckTask } from './scheduleDriftChecks';

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
  driftCheckTask,
  createDriftCheckTask,
  DRIFT_CHECK_TASK_ID,
  DEFAULT_DRIFT_SCHEDULE,
} from './scheduleDriftChecks';
export { DEFAULT_DRIFT_LIMITS } from './dataset';
export type { DriftLimits, FeatureSummary } from './dataset';
export { DEFAULT_QUALITY_THRESHOLD, dataQuality } from './quality';
export type { DataQualityReport } from './quality';

/**
 * Drift: baselines per model version, checks of a current window against
 * them (posted, or read from monitoring's feature windows on schedule), and
 * the drift card's view.
 */
export async function createDrift(options: {
  config: Config;
  db: Knex;
  logger: LoggerService;
  httpAuth: HttpAuthService;
  entities: EntityResolver;
  readAccess: MlopsObjectReadAccess;
  registry: ModelVersionChecker & ProductionVersionSource;
  featureWindows: FeatureWindowSource;
}) {
  const { config, logger, registry } = options;
  const store = new DriftStore(options.db);
  const drift = new DriftService({
    store,
    logger,
    ...driftSettingsFromConfig(config),
    versions: registry,
    registry,
    featureWindows: options.featureWindows,
  });
  return {
    service: { drift, store },
    router: await createDriftRouter({
      httpAuth: options.httpAuth,
      entities: options.entities,
      drift,
      readAccess: options.readAccess,
    }),
    scheduledTasks: [driftCheckTask({ config, logger, drift })],
  };
}
