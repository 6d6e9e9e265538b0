import {
  BackstageCredentials,
  HttpAuthService,
} from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import {
  mlopsDeploymentCreatePermission,
  mlopsDeploymentRollbackPermission,
} from '@backstage-mlops/plugin-mlops-common';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { EntityResolver } from '../shared/EntityResolver';
import { entityRefParams, mlopsName, parseInput } from '../shared/validation';
import { HealthChangeSignal } from '../shared/HealthChangeSignal';
import { MlopsChangeAuthorizer } from '../permissions/MlopsChangeAuthorizer';
import { DeploymentService } from './DeploymentService';
import { DeploymentStore } from './DeploymentStore';
import { MlopsObjectReadAccess } from '../permissions/MlopsObjectReadAccess';

const environmentName = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/,
    'must be 1-100 letters, digits, _ . - starting with a letter or digit',
  );

const targetParams = z.union([
  z
    .string()
    .min(1)
    .max(100)
    .transform(type => ({ type })),
  z.strictObject({
    type: z.string().min(1).max(100),
    url: z.string().max(2000).optional(),
  }),
]);

const deployBody = z.strictObject({
  version: z.number().int().positive(),
  environment: environmentName,
  target: targetParams.optional(),
});

const rollbackBody = z.strictObject({
  environment: environmentName,
  reason: z.string().trim().min(1, 'a reason is required').max(2000),
  target: targetParams.optional(),
});

const statusBody = z.strictObject({
  status: z.enum(['in_progress', 'succeeded', 'failed']),
  message: z.string().max(4000).optional(),
});

const historyQuery = z.object({
  environment: environmentName.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

const modelParams = z.object({ name: mlopsName });
const idParams = z.object({
  id: z.string().regex(/^\d{1,18}$/, 'not a deployment id'),
});

/** Who made a request, as recorded on the deployment. */
export function principalName(
  credentials: BackstageCredentials,
): string | undefined {
  const principal = credentials.principal as
    | { type: 'user'; userEntityRef: string }
    | { type: 'service'; subject: string }
    | { type: string };
  if (principal.type === 'user' && 'userEntityRef' in principal) {
    return principal.userEntityRef;
  }
  if (principal.type === 'service' && 'subject' in principal) {
    return principal.subject;
  }
  return undefined;
}

/** Routes of the deployments capability, mounted under `/api/mlops`. */
export function createDeploymentsRouter(options: {
  httpAuth: HttpAuthService;
  store: DeploymentStore;
  service: DeploymentService;
  entities: EntityResolver;
  /** Checks deploy and rollback permissions; without it every caller may. */
  authorizer?: MlopsChangeAuthorizer;
  /** Asks for the model's health to be judged again after a status change. */
  healthChanges?: HealthChangeSignal;
  /** Which models' deployments a caller may read (`mlops.object.read`). */
  readAccess: MlopsObjectReadAccess;
}): express.Router {
  const {
    httpAuth,
    store,
    service,
    entities,
    authorizer,
    healthChanges,
    readAccess,
  } = options;
  const router = Router();
  // Only on these routes: this router is mounted beside others whose bodies
  // may be larger.
  const json = express.json({ limit: 64 * 1024 });
  router.use('/models/:name/deployments', json);
  router.use('/deployments', json);

  router.post('/models/:name/deployments', async (req, res) => {
    const { name } = parseInput(modelParams, req.params, 'model');
    const body = parseInput(deployBody, req.body, 'deployment');
    const credentials = await httpAuth.credentials(req);
    await authorizer?.authorize(
      name,
      mlopsDeploymentCreatePermission,
      credentials,
      'deploy',
    );
    const deployment = await service.deploy({
      model: name,
      version: body.version,
      environment: body.environment,
      target: body.target,
      requestedBy: principalName(credentials),
    });
    healthChanges?.changed('model', deployment.model);
    res.status(201).json(deployment);
  });

  router.post('/models/:name/deployments/rollback', async (req, res) => {
    const { name } = parseInput(modelParams, req.params, 'model');
    const body = parseInput(rollbackBody, req.body, 'rollback');
    const credentials = await httpAuth.credentials(req);
    await authorizer?.authorize(
      name,
      mlopsDeploymentRollbackPermission,
      credentials,
      'roll back',
    );
    const deployment = await service.rollback({
      model: name,
      environment: body.environment,
      reason: body.reason,
      target: body.target,
      requestedBy: principalName(credentials),
    });
    healthChanges?.changed('model', deployment.model);
    res.status(201).json(deployment);
  });

  router.get('/models/:name/deployments', async (req, res) => {
    const { name } = parseInput(modelParams, req.params, 'model');
    const query = parseInput(historyQuery, req.query, 'query');
    await readAccess.requireReadable(req, 'model', name);
    res.json({ items: await store.history(name, query) });
  });

  router.get('/models/:name/deployments/current', async (req, res) => {
    const { name } = parseInput(modelParams, req.params, 'model');
    await readAccess.requireReadable(req, 'model', name);
    res.json({ items: await store.latestByEnvironment(name) });
  });

  router.get('/deployments/:id', async (req, res) => {
    const { id } = parseInput(idParams, req.params, 'deployment id');
    const scope = await readAccess.scopeOf(req);
    const deployment = await store.get(id);
    if (!deployment || !(await scope.readable('model', deployment.model))) {
      // The same answer as for an id that does not exist: ids are
      // sequential, so telling them apart would list the hidden models'.
      throw new NotFoundError(`No deployment ${id}`);
    }
    res.json(deployment);
  });

  // CD systems report progress here, usually with an external access token.
  router.patch('/deployments/:id', async (req, res) => {
    const { id } = parseInput(idParams, req.params, 'deployment id');
    const body = parseInput(statusBody, req.body, 'status report');
    const credentials = await httpAuth.credentials(req);
    const deployment = await store.get(id);
    if (!deployment) {
      throw new NotFoundError(`No deployment ${id}`);
    }
    await authorizer?.authorize(
      deployment.model,
      mlopsDeploymentCreatePermission,
      credentials,
      'report deployments of',
    );
    const updated = await store.updateStatus(id, body);
    healthChanges?.changed('model', updated.model);
    res.json(updated);
  });

  router.get(
    '/entities/:kind/:namespace/:name/deployments',
    async (req, res) => {
      const ref = parseInput(entityRefParams, req.params, 'entity reference');
      const credentials = await httpAuth.credentials(req);
      const resolved = await entities.resolve(ref, credentials);
      const models = resolved.links.filter(link => link.kind === 'model');
      res.json({
        entityRef: resolved.entityRef,
        models: await Promise.all(
          models.map(async ({ name }) => ({
            model: name,
            known: await store.modelExists(name),
            current: await store.latestByEnvironment(name),
            history: await store.history(name, { limit: 20 }),
          })),
        ),
      });
    },
  );

  return router;
}
