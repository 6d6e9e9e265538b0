import {
  AuthService,
  HttpAuthService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { Knex } from 'knex';
import { EntityResolver } from '../shared/EntityResolver';
import { HealthChangeSignal } from '../shared/HealthChangeSignal';
import {
  MonitoringRegistrySource,
  MonitoringService,
} from './MonitoringService';
import { MonitoringStore } from './MonitoringStore';
import { createMonitoringRouter } from './router';
import { ServingMetricsSource, ServingSubjects } from './servingMetrics';
import { monitoringRetentionTask } from './scheduleRetention';

export { MonitoringStore } from './MonitoringStore';
export type { FeatureSample, IngestResult } from './MonitoringStore';
export { MonitoringService } from './MonitoringService';
export type {
  MonitoringRegistrySource,
  WindowStats,
} from './MonitoringService';
export { createMonitoringRouter } from './router';
export type { MonitoringWiring } from './router';
export type { ServingMetricsSource } from './servingMetrics';
export { monitoringRetentionTask } from './scheduleRetention';

/**
 * Prediction monitoring: batch ingest, entity metrics, and the hourly
 * retention task. Its service gives drift and incidents the feature windows
 * and latency and error figures.
 */
export function createMonitoring(options: {
  db: Knex;
  logger: LoggerService;
  httpAuth: HttpAuthService;
  entities: EntityResolver;
  registry: MonitoringRegistrySource;
  healthChanges: HealthChangeSignal;
  /** Pulled serving figures (Prometheus) for models that push none. */
  serving?: ServingMetricsSource;
  catalog?: CatalogService;
  auth?: AuthService;
}) {
  const { logger, httpAuth, entities, healthChanges } = options;
  const store = new MonitoringStore(options.db);
  const subjects =
    options.serving && options.catalog && options.auth
      ? new ServingSubjects(options.catalog, options.auth)
      : undefined;
  const service = new MonitoringService(store, {
    registry: options.registry,
    serving:
      options.serving && subjects
        ? { source: options.serving, subjects: model => subjects.of(model) }
        : undefined,
  });
  return {
    service: { store, metrics: service },
    router: createMonitoringRouter({
      httpAuth,
      entities,
      monitoring: { store, service, healthChanges },
    }),
    scheduledTasks: [monitoringRetentionTask({ logger, store })],
  };
}
