import { LoggerService, HttpAuthService } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import { EntityResolver } from '../shared/EntityResolver';
import { HealthChangeSignal } from '../shared/HealthChangeSignal';
import {
  MonitoringRegistrySource,
  MonitoringService,
} from './MonitoringService';
import { MonitoringStore } from './MonitoringStore';
import { createMonitoringRouter } from './router';
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
export { seedDemoMonitoring } from './seedDemoMonitoring';
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
}) {
  const { logger, httpAuth, entities, healthChanges } = options;
  const store = new MonitoringStore(options.db);
  const service = new MonitoringService(store, { registry: options.registry });
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
