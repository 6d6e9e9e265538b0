import {
  HttpAuthService,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { Config } from '@backstage/config';
import { MlopsDeploymentTarget } from '@backstage-mlops/plugin-mlops-node';
import { Knex } from 'knex';
import { EntityResolver } from '../shared/EntityResolver';
import { MlopsChangeAuthorizer } from '../permissions/MlopsChangeAuthorizer';
import { DeploymentService, VersionExistence } from './DeploymentService';
import { DeploymentStore } from './DeploymentStore';
import { readDurationMs } from '../shared/durations';
import { createDeploymentsRouter } from './router';
import {
  DeploymentTargets,
  RecordDeploymentTarget,
  WebhookDeploymentTarget,
} from './targets';
import { HealthChangeSignal } from '../shared/HealthChangeSignal';
import { MlopsObjectReadAccess } from '../permissions/MlopsObjectReadAccess';

export { DeploymentStore } from './DeploymentStore';
export { DeploymentService } from './DeploymentService';
export type { VersionExistence } from './DeploymentService';
export {
  DeploymentTargetCollector,
  deploymentLinks,
  registryVersionCheck,
} from './wiring';
export type { Deployment, DeploymentStatus } from './types';

/** Default for `mlops.deployments.stuckAfter`. */
export const DEFAULT_DEPLOYMENT_STUCK_AFTER_MS = 30 * 60 * 1000;

/**
 * Deployments from config: the store, the built-in targets plus those added
 * through `mlopsDeploymentTargetsExtensionPoint`, the service and its routes.
 * Its service for the others is the store (who has what deployed where).
 */
export function createDeployments(options: {
  config: Config;
  logger: LoggerService;
  httpAuth: HttpAuthService;
  db: Knex;
  entities: EntityResolver;
  extraTargets?: MlopsDeploymentTarget[];
  versions?: VersionExistence;
  /** With both, deploy, rollback and status reports check permissions. */
  catalog?: CatalogService;
  permissions?: PermissionsService;
  healthChanges?: HealthChangeSignal;
  readAccess: MlopsObjectReadAccess;
}) {
  const { config, logger, httpAuth, db, entities } = options;
  const store = new DeploymentStore(
    db,
    readDurationMs(
      config,
      'mlops.deployments.stuckAfter',
      DEFAULT_DEPLOYMENT_STUCK_AFTER_MS,
    ),
  );
  const targets = new DeploymentTargets([
    new RecordDeploymentTarget(),
    new WebhookDeploymentTarget(
      config.getOptionalStringArray('mlops.deployments.webhook.allowedUrls') ??
        [],
      logger,
    ),
    ...(options.extraTargets ?? []),
  ]);
  const service = new DeploymentService({
    store,
    targets,
    logger,
    versions: options.versions,
    defaultTarget:
      config.getOptionalString('mlops.deployments.defaultTarget') ?? 'record',
  });
  const authorizer =
    options.catalog && options.permissions
      ? new MlopsChangeAuthorizer(options.catalog, options.permissions)
      : undefined;
  const router = createDeploymentsRouter({
    httpAuth,
    store,
    service,
    entities,
    authorizer,
    healthChanges: options.healthChanges,
    readAccess: options.readAccess,
  });
  return { service: store, router };
}
