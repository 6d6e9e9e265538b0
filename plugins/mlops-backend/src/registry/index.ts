import {
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { Knex } from 'knex';
import { MlopsObjectReadAccess } from '../permissions/MlopsObjectReadAccess';
import { EntityResolver } from '../shared/EntityResolver';
import { ObjectChangeNotifier } from '../shared/ObjectChangeNotifier';
import { MetricDirections } from './compareVersions';
import { DeployedVersionCheck, RegistryStore } from './RegistryStore';
import {
  RegistryUpstream,
  RegistryWiring,
  RunSnapshotSource,
  createRegistryRouter,
} from './router';

export { RegistryStore } from './RegistryStore';
export type { DeployedVersionCheck } from './RegistryStore';
export type {
  RegistrySearchClause,
  RegistrySearchOrder,
} from './registrySearch';
export { MetricDirections } from './compareVersions';
export { createRegistryRouter } from './router';
export type {
  RegistryUpstream,
  RegistryWiring,
  RunSnapshotSource,
} from './router';
export {
  hasParentSegment,
  parseAlias,
  parseModelName,
  parseVersionNumber,
} from './validation';

/**
 * The model registry: models, versions, stages, aliases, history and
 * retention, and its routes. Its service is the store; `wiring` is what
 * MLflow's registry routes reuse of it.
 */
export function createRegistry(options: {
  config: Config;
  db: Knex;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  catalog: CatalogService;
  entities: EntityResolver;
  readAccess: MlopsObjectReadAccess;
  objectChanges: ObjectChangeNotifier;
  /** Tracking runs; without it, versions cannot name a source run. */
  runs?: RunSnapshotSource;
  /** Deployments; without it, retention treats no version as deployed. */
  deployments?: DeployedVersionCheck;
  /** Where mirrored models live (the sources capability). */
  upstream?: RegistryUpstream;
}) {
  const store = new RegistryStore(options.db);
  const wiring: RegistryWiring = {
    store,
    directions: MetricDirections.fromConfig(options.config),
    runs: options.runs,
    deployments: options.deployments,
    permissions: options.permissions,
    objectChanges: options.objectChanges,
    upstream: options.upstream,
  };
  return {
    service: store,
    wiring,
    router: createRegistryRouter({
      httpAuth: options.httpAuth,
      entities: options.entities,
      catalog: options.catalog,
      readAccess: options.readAccess,
      registry: wiring,
    }),
  };
}
