import { HttpAuthService } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import { MlopsObjectReadAccess } from '../permissions/MlopsObjectReadAccess';
import { EntityResolver } from '../shared/EntityResolver';
import { ObjectChangeNotifier } from '../shared/ObjectChangeNotifier';
import { MirroredMetricHistory, TrackingStore } from './TrackingStore';
import { createTrackingRouter } from './router';

export { TrackingStore } from './TrackingStore';
export { isParamChangeRefusal } from './TrackingStore';
export type {
  MirroredMetricHistory,
  RunBatch,
  RunSearchClause,
  RunSearchOrder,
  RunSnapshot,
} from './TrackingStore';
export type {
  ExperimentSearchClause,
  ExperimentSearchOrder,
} from './experimentSearch';
export { createTrackingRouter } from './router';
export type { TrackingRouterOptions } from './router';
export type { MirroredRunInput } from './mirrorRuns';
// Metric values as stored and answered, for other stores that keep metrics.
export { fromStoredValue, toMetricValue, toStoredValue } from './metricValues';

/**
 * Experiment tracking: experiments, runs, params, metrics and tags, the
 * routes under `/api/mlops`, and the store MLflow's endpoint and the
 * registry read runs from.
 */
export async function createTracking(options: {
  db: Knex;
  httpAuth: HttpAuthService;
  entities: EntityResolver;
  objectChanges: ObjectChangeNotifier;
  readAccess: MlopsObjectReadAccess;
  /** A mirrored run's metric history, fetched from its source when read. */
  mirroredHistory?: MirroredMetricHistory;
}) {
  const tracking = await TrackingStore.create({
    db: options.db,
    mirroredHistory: options.mirroredHistory,
  });
  return {
    service: tracking,
    router: createTrackingRouter({ ...options, tracking }),
  };
}
