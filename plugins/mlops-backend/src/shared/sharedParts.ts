import {
  coreServices,
  DatabaseService,
  HttpAuthService,
  LifecycleService,
  LoggerService,
  PermissionsRegistryService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  CatalogService,
  catalogServiceRef,
} from '@backstage/plugin-catalog-node';
import { EventsService, eventsServiceRef } from '@backstage/plugin-events-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import { openMlopsDatabase } from '../database/migrations';
import { MlopsObjectReadAccess } from '../permissions/MlopsObjectReadAccess';
import { EntityResolver } from './EntityResolver';
import { HealthChangeSignal } from './HealthChangeSignal';
import { ObjectChangeNotifier } from './ObjectChangeNotifier';

/**
 * The Backstage services the plugin asks for (its `deps`). Every capability
 * receives them, with the shared parts built from them.
 */
export const mlopsPluginDeps = {
  config: coreServices.rootConfig,
  logger: coreServices.logger,
  httpRouter: coreServices.httpRouter,
  httpAuth: coreServices.httpAuth,
  database: coreServices.database,
  scheduler: coreServices.scheduler,
  auth: coreServices.auth,
  lifecycle: coreServices.lifecycle,
  permissions: coreServices.permissions,
  permissionsRegistry: coreServices.permissionsRegistry,
  catalog: catalogServiceRef,
  events: eventsServiceRef,
  // Incidents notify their owners (incidents/IncidentNotifier.ts).
  notifications: notificationService,
};

/**
 * What every capability receives besides its own dependencies, built once:
 * the migrated database, read access (`mlops.object.read`, its rules
 * registered), the entity resolver and the two change signals.
 */
export async function createSharedParts(deps: {
  database: DatabaseService;
  permissions: PermissionsService;
  permissionsRegistry: PermissionsRegistryService;
  httpAuth: HttpAuthService;
  catalog: CatalogService;
  events: EventsService;
  lifecycle: LifecycleService;
  logger: LoggerService;
}) {
  const db = await openMlopsDatabase(deps.database);
  const objectChanges = new ObjectChangeNotifier({
    events: deps.events,
    logger: deps.logger,
  });
  // Announcements still gathering in their window go out before the
  // backend stops.
  deps.lifecycle.addShutdownHook(() => objectChanges.flush());
  MlopsObjectReadAccess.register(deps.permissionsRegistry, db);
  return {
    db,
    readAccess: new MlopsObjectReadAccess(db, deps.permissions, deps.httpAuth),
    entities: new EntityResolver(deps.catalog),
    // Write routes ask for a prompt health re-evaluation through it;
    // createIncidents connects the incident service.
    healthChanges: new HealthChangeSignal(),
    // Create and delete routes announce changes so the catalog mirrors them.
    objectChanges,
  };
}
