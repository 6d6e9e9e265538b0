import {
  AuthService,
  HttpAuthService,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { NotificationService } from '@backstage/plugin-notifications-node';
import { Knex } from 'knex';
import { EntityResolver } from '../shared/EntityResolver';
import { HealthChangeSignal } from '../shared/HealthChangeSignal';
import { IncidentService, readIncidentConfig } from './IncidentService';
import {
  IncidentNotifier,
  StoredOwnerSource,
  readNotificationSettings,
} from './IncidentNotifier';
import { IncidentStore } from './IncidentStore';
import { createIncidentsRouter } from './router';
import { healthCheckTask } from './schedule';
import { DetectorSources } from './sources';

// Health detectors and incidents: what the plugin wiring uses.
export { IncidentService, readIncidentConfig } from './IncidentService';
export type { IncidentServiceOptions } from './IncidentService';
export { IncidentStore } from './IncidentStore';
export type { ObjectRef, StoredCheck } from './IncidentStore';
export { IncidentNotifier, readNotificationSettings } from './IncidentNotifier';
export type { StoredOwnerSource } from './IncidentNotifier';
export { createIncidentsRouter } from './router';
export { healthCheckTask } from './schedule';
export type {
  DeploymentSource,
  DetectorSources,
  DriftSource,
  MirrorSource,
  MonitoringSource,
  PipelineSource,
  RegistrySource,
  TriageSignalSource,
} from './sources';

/**
 * Incidents: the health detectors over every other capability's data, on
 * schedule and soon after each write that signals a change, and the
 * incidents people acknowledge and resolve.
 */
export async function createIncidents(options: {
  config: Config;
  db: Knex;
  logger: LoggerService;
  httpAuth: HttpAuthService;
  auth: AuthService;
  permissions: PermissionsService;
  catalog: CatalogService;
  entities: EntityResolver;
  healthChanges: HealthChangeSignal;
  /** The objects store: the owner to notify when no catalog entity claims an object. */
  objects: StoredOwnerSource;
  /**
   * Every source is optional (sources.ts): without one its detectors do not
   * run and what they would judge stays unknown.
   */
  sources: DetectorSources;
  /**
   * Backstage's notifications service: owners are told when an incident
   * opens, changes severity or resolves (`mlops.notifications.*`).
   */
  notifications?: NotificationService;
}) {
  const { config, logger, catalog } = options;
  const store = new IncidentStore(options.db);
  if (options.notifications) {
    const notifier = new IncidentNotifier({
      store,
      owners: options.objects,
      notifications: options.notifications,
      catalog,
      auth: options.auth,
      logger,
      settings: readNotificationSettings(config),
    });
    store.onChange(notifier.onChange);
  }
  const incidents = new IncidentService({
    store,
    logger,
    catalog,
    auth: options.auth,
    ...readIncidentConfig(config),
    sources: options.sources,
  });
  // Write routes built before this service asked for re-evaluations through
  // the signal; from now on they reach it.
  options.healthChanges.connect(incidents);
  return {
    service: { incidents, store },
    router: await createIncidentsRouter({
      httpAuth: options.httpAuth,
      entities: options.entities,
      incidents,
      catalog,
      permissions: options.permissions,
    }),
    scheduledTasks: [healthCheckTask({ config, logger, incidents })],
  };
}
