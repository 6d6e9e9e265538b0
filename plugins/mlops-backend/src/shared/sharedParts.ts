import {
  DatabaseService,
  HttpAuthService,
  LoggerService,
  PermissionsRegistryService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { EventsService } from '@backstage/plugin-events-node';
import { openMlopsDatabase } from '../database/migrations';
import { MlopsObjectReadAccess } from '../permissions/MlopsObjectReadAccess';
import { EntityResolver } from './EntityResolver';
import { HealthChangeSignal } from './HealthChangeSignal';
import { ObjectChangeNotifier } from './ObjectChangeNotifier';

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
  logger: LoggerService;
}) {
  const db = await openMlopsDatabase(deps.database);
  MlopsObjectReadAccess.register(deps.permissionsRegistry, db);
  return {
    db,
    readAccess: new MlopsObjectReadAccess(db, deps.permissions, deps.httpAuth),
    entities: new EntityResolver(deps.catalog),
    // Write routes ask for a prompt health re-evaluation through it;
    // createIncidents connects the incident service.
    healthChanges: new HealthChangeSignal(),
    // Create and delete routes announce changes so the catalog mirrors them.
    objectChanges: new ObjectChangeNotifier({
      events: deps.events,
      logger: deps.logger,
    }),
  };
}
