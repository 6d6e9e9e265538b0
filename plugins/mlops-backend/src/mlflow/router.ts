import { HttpAuthService, LoggerService } from '@backstage/backend-plugin-api';
import express from 'express';
import Router from 'express-promise-router';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { ObjectChangeNotifier } from '../shared/ObjectChangeNotifier';
import { MlopsChangeAuthorizer } from '../permissions/MlopsChangeAuthorizer';
import { MlopsObjectReadAccess } from '../permissions/MlopsObjectReadAccess';
import type { RegistryWiring } from '../registry';
import type { TrackingStore } from '../tracking';
import { Config } from '@backstage/config';
import { createMlflowDefaultsRouter, DefaultExperiment } from './defaults';
import { MlflowError, mlflowErrorHandler } from './errors';
import { createMlflowRegistryRoutes } from './registry';
import {
  createMlflowTrackingRoutes,
  MlflowTrackingRoutesOptions,
} from './tracking';

/** Where MLflow clients point `MLFLOW_TRACKING_URI`, under `/api/mlops`. */
export const MLFLOW_BASE_PATH = '/mlflow';

/** What the MLflow-compatible endpoint needs from the plugin's wiring. */
export interface MlflowRouterOptions {
  logger: LoggerService;
  httpAuth: HttpAuthService;
  tracking: TrackingStore;
  /** The model registry; without it the registry routes answer ENDPOINT_NOT_FOUND. */
  registry?: RegistryWiring;
  /** Resolves the entities a model change is decided on. */
  catalog: CatalogService;
  /** Tells the catalog about experiments created, renamed or deleted here. */
  objectChanges?: ObjectChangeNotifier;
  /** Which experiments and models a caller may read (`mlops.object.read`). */
  readAccess: MlopsObjectReadAccess;
  /** Where experiments asked their artifacts to go (artifacts capability). */
  artifactLocations?: MlflowTrackingRoutesOptions['artifactLocations'];
  /** `app.baseUrl` leads the tracking URI's root into the portal. */
  config?: Config;
}

/**
 * MLflow's REST API 2.0 under `/api/mlops/mlflow/api/2.0/mlflow/...`, so
 * existing training code logs into the portal by setting
 * `MLFLOW_TRACKING_URI=<backend>/api/mlops/mlflow` and
 * `MLFLOW_TRACKING_TOKEN=<a Backstage external access token>`. Backstage's
 * own auth checks the bearer token before any of these routes run.
 *
 * It parses its own bodies, so that malformed JSON and oversized bodies are
 * answered in MLflow's error shape like every other failure here.
 */
export function createMlflowRouter(
  options: MlflowRouterOptions,
): express.Router {
  const { httpAuth } = options;
  const api = Router();
  api.use(express.json({ limit: 1024 * 1024 }));
  async function callerOf(req: express.Request) {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const { principal } = credentials;
    const actor =
      principal.type === 'user' ? principal.userEntityRef : principal.subject;
    return { credentials, actor };
  }
  api.use(
    createMlflowTrackingRoutes({
      tracking: options.tracking,
      objectChanges: options.objectChanges,
      async callerOf(req) {
        const { principal } = await httpAuth.credentials(req, {
          allow: ['user', 'service'],
        });
        // A training job's user_id is its own; only people are recorded by name.
        return principal.type === 'user' ? principal.userEntityRef : undefined;
      },
      readAccess: options.readAccess,
      artifactLocations: options.artifactLocations,
    }),
  );
  if (options.registry) {
    api.use(
      createMlflowRegistryRoutes({
        registry: options.registry,
        authorizer: new MlopsChangeAuthorizer(
          options.catalog,
          options.registry.permissions,
        ),
        callerOf,
        readAccess: options.readAccess,
      }),
    );
  }
  api.use((req, _res) => {
    throw new MlflowError(
      'ENDPOINT_NOT_FOUND',
      `No MLflow endpoint ${req.method} ${req.path} on this server`,
    );
  });
  api.use(mlflowErrorHandler(options.logger));

  const router = Router();
  // First: it checks every API call's credentials.
  router.use(
    createMlflowDefaultsRouter({
      logger: options.logger,
      httpAuth,
      defaultExperiment: new DefaultExperiment(
        options.tracking,
        options.objectChanges,
      ),
      appBaseUrl: options.config?.getOptionalString('app.baseUrl') ?? '',
    }),
  );
  router.use(`${MLFLOW_BASE_PATH}/api/2.0/mlflow`, api);
  // MLflow's Python client also calls the 2.0 preview paths of some routes.
  router.use(`${MLFLOW_BASE_PATH}/api/2.0/preview/mlflow`, api);
  return router;
}
