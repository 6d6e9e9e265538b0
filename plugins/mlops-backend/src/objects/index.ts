import { HttpAuthService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { Knex } from 'knex';
import { MlopsObjectReadAccess } from '../permissions/MlopsObjectReadAccess';
import { ObjectChangeNotifier } from '../shared/ObjectChangeNotifier';
import {
  MlopsObjectService,
  ProductionVersionSource,
} from './MlopsObjectService';
import { MlopsObjectStore } from './MlopsObjectStore';
import { createObjectsRouter } from './router';

export { MlopsObjectStore } from './MlopsObjectStore';
export type {
  MlopsObjectInput,
  MlopsObjectRecord,
  ModelObjectInput,
  PipelineObjectInput,
  PipelineRegistration,
} from './MlopsObjectStore';
export { MlopsObjectService } from './MlopsObjectService';
export type { ProductionVersionSource } from './MlopsObjectService';
export { createObjectsRouter } from './router';
export type { ObjectsRouterOptions } from './router';

/**
 * The MLOps objects (models, experiments, pipelines) the catalog provider
 * reads, their registration routes, and the store health and seeding read.
 */
export function createObjects(options: {
  config: Config;
  db: Knex;
  httpAuth: HttpAuthService;
  readAccess: MlopsObjectReadAccess;
  /** Create and delete routes call it so the catalog mirrors the change within seconds. */
  objectChanges: ObjectChangeNotifier;
  registry: ProductionVersionSource;
}) {
  const store = new MlopsObjectStore(options.db);
  const objects = new MlopsObjectService({
    store,
    notifier: options.objectChanges,
    appBaseUrl: options.config.getOptionalString('app.baseUrl') ?? '',
    registry: options.registry,
  });
  return {
    service: store,
    router: createObjectsRouter({
      httpAuth: options.httpAuth,
      objects,
      readAccess: options.readAccess,
    }),
  };
}
