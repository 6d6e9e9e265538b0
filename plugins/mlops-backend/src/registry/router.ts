import {
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { ResourcePermission } from '@backstage/plugin-permission-common';
import {
  EntityModelVersions,
  EntityModelsResponse,
  mlopsModelRetentionPermission,
  mlopsModelRollbackPermission,
  mlopsModelStageTransitionPermission,
  ModelStage,
} from '@backstage-mlops/plugin-mlops-common';
import express from 'express';
import Router from 'express-promise-router';
import { EntityResolver } from '../shared/EntityResolver';
import { MlopsObjectReadAccess } from '../permissions/MlopsObjectReadAccess';
import { MlopsChangeAuthorizer } from '../permissions/MlopsChangeAuthorizer';
import { jsonBody } from '../shared/bodies';
import { entityRefParams, parseInput } from '../shared/validation';
import { MetricDirections, compareVersions } from './compareVersions';
import {
  DeployedVersionCheck,
  RegistryStore,
  RunSnapshot,
} from './RegistryStore';
import {
  createModelBody,
  createVersionBody,
  historyQuery,
  parseAlias,
  parseModelName,
  parseVersionNumber,
  renameModelBody,
  retentionBody,
  rollbackBody,
  setAliasBody,
  transitionBody,
  updateModelBody,
  versionTagBody,
} from './validation';
import { ObjectChangeNotifier } from '../shared/ObjectChangeNotifier';

/**
 * Where a version's metrics and params come from: the tracking store
 * implements it (the contract in INTERFACES.md).
 */
export interface RunSnapshotSource {
  /** A run's params and latest metric values, or undefined when the run does not exist. */
  getRunSnapshot(runId: string): Promise<
    | {
        experimentName: string;
        params: Record<string, string>;
        metrics: Record<string, number>;
      }
    | undefined
  >;
}

/** The registry's own part of the plugin's wiring. */
/**
 * Where a model mirrored from another system (an MLflow server) lives: a
 * stage or alias change made here goes there first, and a refusal there
 * leaves the store as it was. For a model the portal owns each call does
 * nothing.
 */
export interface RegistryUpstream {
  transitionStage(
    model: string,
    version: number,
    stage: ModelStage,
    archiveExisting: boolean,
  ): Promise<void>;
  setAlias(model: string, alias: string, version: number): Promise<void>;
  deleteAlias(model: string, alias: string): Promise<void>;
  /** The source instance a model is mirrored from, if any. */
  originOf?(model: string): Promise<{ type: string; name: string } | undefined>;
}

export interface RegistryWiring {
  store: RegistryStore;
  /** The sources capability; without it every model is the portal's own. */
  upstream?: RegistryUpstream;
  /** Decides stage, alias, rollback and retention changes. */
  permissions: PermissionsService;
  directions: MetricDirections;
  /** Tracking runs; without it, versions cannot name a source run. */
  runs?: RunSnapshotSource;
  /** Deployments; without it, retention treats no version as deployed. */
  deployments?: DeployedVersionCheck;
  /**
   * Tells the catalog about new models and lifecycle changes (a version
   * reaching or leaving Production) right away.
   */
  objectChanges?: ObjectChangeNotifier;
}

/** What the registry routes need from the `/api/mlops` router's options. */
export interface RegistryRouterOptions {
  httpAuth: HttpAuthService;
  entities: EntityResolver;
  catalog: CatalogService;
  /** Without it (a backend wired without the registry) no route is added. */
  registry?: RegistryWiring;
  /** Which models a caller may read (`mlops.object.read`). */
  readAccess: MlopsObjectReadAccess;
}

// How a refusal names what was refused.
const ACTIONS: Record<string, string> = {
  [mlopsModelStageTransitionPermission.name]: 'change stages or aliases of',
  [mlopsModelRollbackPermission.name]: 'roll back',
  [mlopsModelRetentionPermission.name]: 'delete versions of',
};

// Entity cards show recent versions and history, not the whole archive.
const ENTITY_VERSIONS_LIMIT = 100;
const ENTITY_HISTORY_LIMIT = 50;

/**
 * The model registry routes: models, versions, stages, aliases, history,
 * rollback, comparison, retention and the entity-scoped read for cards.
 * Mounted inside the `/api/mlops` router, which parses JSON bodies.
 */
export function createRegistryRouter(
  options: RegistryRouterOptions,
): express.Router {
  const router = Router();
  if (!options.registry) {
    return router;
  }
  const { httpAuth, entities, catalog, readAccess } = options;
  const {
    store,
    directions,
    runs,
    deployments,
    permissions,
    objectChanges,
    upstream,
  } = options.registry;

  const authorizer = new MlopsChangeAuthorizer(catalog, permissions);
  // On its write routes (each refuses malformed JSON with a 400, as the
  // shared parser did), not on every request under /models: this limit must
  // not reach another router's routes there.
  const json = jsonBody();
  async function authorizeModelChange(
    model: string,
    permission: ResourcePermission,
    credentials: BackstageCredentials,
  ): Promise<void> {
    await authorizer.authorize(
      model,
      permission,
      credentials,
      ACTIONS[permission.name] ?? 'change',
    );
  }

  // The history names whoever made a change, from their own credentials.
  async function callerOf(req: express.Request) {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const principal = credentials.principal;
    const actor =
      principal.type === 'user' ? principal.userEntityRef : principal.subject;
    return { credentials, actor };
  }

  async function actorOf(req: express.Request): Promise<string> {
    return (await callerOf(req)).actor;
  }

  async function snapshotOf(
    runId: string | undefined,
  ): Promise<RunSnapshot | undefined> {
    if (runId === undefined) {
      return undefined;
    }
    if (!runs) {
      throw new InputError(
        'Run tracking is not available here, so a version cannot name a source run',
      );
    }
    const run = await runs.getRunSnapshot(runId);
    if (!run) {
      throw new InputError(`Invalid version: no run with id "${runId}"`);
    }
    return { metrics: run.metrics, params: run.params };
  }

  router.post('/models', json, async (req, res) => {
    await actorOf(req);
    const body = parseInput(createModelBody, req.body, 'model');
    const model = await store.createModel(body);
    await objectChanges?.upserted('model', model.name);
    res.status(201).json(model);
  });

  router.get('/models', async (req, res) => {
    res.json({ items: await store.listModels(await readAccess.scopeOf(req)) });
  });

  router.get('/models/:name', async (req, res) => {
    const name = parseModelName(req.params.name);
    res.json(await store.getModel(name, await readAccess.scopeOf(req)));
  });

  router.patch('/models/:name', json, async (req, res) => {
    const name = parseModelName(req.params.name);
    await actorOf(req);
    const body = parseInput(updateModelBody, req.body, 'model update');
    res.json(await store.updateModel(name, body));
  });

  router.post('/models/:name/versions', json, async (req, res) => {
    const name = parseModelName(req.params.name);
    const actor = await actorOf(req);
    const body = parseInput(createVersionBody, req.body, 'version');
    // Checked before the run lookup so an unknown model is a 404, not a 400.
    await store.getModel(name);
    const snapshot = await snapshotOf(body.runId);
    res
      .status(201)
      .json(await store.createVersion(name, body, snapshot, actor));
  });

  router.get('/models/:name/versions', async (req, res) => {
    const name = parseModelName(req.params.name);
    await readAccess.requireReadable(req, 'model', name);
    res.json({ items: await store.listVersions(name) });
  });

  router.get('/models/:name/versions/:version', async (req, res) => {
    const name = parseModelName(req.params.name);
    const version = parseVersionNumber(req.params.version);
    await readAccess.requireReadable(req, 'model', name);
    res.json(await store.getVersion(name, version));
  });

  router.post(
    '/models/:name/versions/:version/stage',
    json,
    async (req, res) => {
      const name = parseModelName(req.params.name);
      const version = parseVersionNumber(req.params.version);
      const { credentials, actor } = await callerOf(req);
      const body = parseInput(transitionBody, req.body, 'stage transition');
      await authorizeModelChange(
        name,
        mlopsModelStageTransitionPermission,
        credentials,
      );
      await upstream?.transitionStage(
        name,
        version,
        body.stage,
        body.archiveExisting ?? false,
      );
      const result = await store.transitionStage(name, version, body, actor);
      await objectChanges?.upserted('model', name);
      res.json(result);
    },
  );

  router.put('/models/:name/aliases/:alias', json, async (req, res) => {
    const name = parseModelName(req.params.name);
    const alias = parseAlias(req.params.alias);
    const { credentials, actor } = await callerOf(req);
    const body = parseInput(setAliasBody, req.body, 'alias');
    await authorizeModelChange(
      name,
      mlopsModelStageTransitionPermission,
      credentials,
    );
    await upstream?.setAlias(name, alias, body.version);
    res.json(
      await store.setAlias(name, alias, body.version, actor, body.reason),
    );
  });

  router.delete('/models/:name/aliases/:alias', json, async (req, res) => {
    const name = parseModelName(req.params.name);
    const alias = parseAlias(req.params.alias);
    const { credentials, actor } = await callerOf(req);
    const reason =
      typeof req.query.reason === 'string' && req.query.reason.trim()
        ? req.query.reason.trim().slice(0, 1000)
        : undefined;
    await authorizeModelChange(
      name,
      mlopsModelStageTransitionPermission,
      credentials,
    );
    await upstream?.deleteAlias(name, alias);
    await store.deleteAlias(name, alias, actor, reason);
    res.status(204).end();
  });

  router.get('/models/:name/history', async (req, res) => {
    const name = parseModelName(req.params.name);
    const query = parseInput(historyQuery, req.query, 'history query');
    await readAccess.requireReadable(req, 'model', name);
    res.json({ items: await store.history(name, query) });
  });

  router.post('/models/:name/rollback', json, async (req, res) => {
    const name = parseModelName(req.params.name);
    const { credentials, actor } = await callerOf(req);
    const body = parseInput(rollbackBody, req.body, 'rollback');
    await authorizeModelChange(name, mlopsModelRollbackPermission, credentials);
    const result = await store.rollback(name, body.reason, actor);
    // The store picks the version to go back to; the upstream follows. If
    // it refuses, the caller gets its error and the next sync brings the
    // store back to the upstream's stages, as observed changes.
    await upstream?.transitionStage(name, result.to, 'Production', true);
    await objectChanges?.upserted('model', name);
    res.json(result);
  });

  router.get('/models/:name/compare', async (req, res) => {
    const name = parseModelName(req.params.name);
    const a = parseVersionNumber(req.query.a, 'version a');
    const b = parseVersionNumber(req.query.b, 'version b');
    await readAccess.requireReadable(req, 'model', name);
    const [va, vb] = await Promise.all([
      store.getVersion(name, a),
      store.getVersion(name, b),
    ]);
    res.json(compareVersions(va, vb, directions));
  });

  router.post('/models/:name/retention', json, async (req, res) => {
    const name = parseModelName(req.params.name);
    const { credentials, actor } = await callerOf(req);
    const body = parseInput(retentionBody, req.body, 'retention');
    await authorizeModelChange(
      name,
      mlopsModelRetentionPermission,
      credentials,
    );
    res.json(await store.applyRetention(name, { ...body, actor }, deployments));
  });

  // Whole-model edits and tags, as MLflow's registry has them; deletes and
  // renames are decided like retention (they remove or move versions).
  router.post('/models/:name/rename', json, async (req, res) => {
    const name = parseModelName(req.params.name);
    const { credentials } = await callerOf(req);
    const { newName } = parseInput(renameModelBody, req.body, 'rename');
    await authorizeModelChange(
      name,
      mlopsModelRetentionPermission,
      credentials,
    );
    const model = await store.renameModel(name, newName, deployments);
    await objectChanges?.deleted('model', name);
    await objectChanges?.upserted('model', newName);
    res.json(model);
  });

  // `json` on the body-less deletes too: a malformed or oversized body is a
  // 400 before anything is removed, as on the alias delete.
  router.delete('/models/:name', json, async (req, res) => {
    const name = parseModelName(req.params.name);
    const { credentials } = await callerOf(req);
    await authorizeModelChange(
      name,
      mlopsModelRetentionPermission,
      credentials,
    );
    await store.deleteModel(name, deployments);
    await objectChanges?.deleted('model', name);
    res.status(204).end();
  });

  router.delete('/models/:name/versions/:version', json, async (req, res) => {
    const name = parseModelName(req.params.name);
    const version = parseVersionNumber(req.params.version);
    const { credentials, actor } = await callerOf(req);
    await authorizeModelChange(
      name,
      mlopsModelRetentionPermission,
      credentials,
    );
    await store.deleteVersion(name, version, actor, deployments);
    res.status(204).end();
  });

  router.put(
    '/models/:name/versions/:version/tags/:key',
    json,
    async (req, res) => {
      const name = parseModelName(req.params.name);
      const version = parseVersionNumber(req.params.version);
      await actorOf(req);
      const { key, value } = parseInput(
        versionTagBody,
        { key: req.params.key, value: req.body?.value },
        'version tag',
      );
      await store.setVersionTag(name, version, key, value);
      res.json(await store.getVersion(name, version));
    },
  );

  router.delete(
    '/models/:name/versions/:version/tags/:key',
    json,
    async (req, res) => {
      const name = parseModelName(req.params.name);
      const version = parseVersionNumber(req.params.version);
      await actorOf(req);
      const { key } = parseInput(
        versionTagBody.pick({ key: true }),
        { key: req.params.key },
        'version tag',
      );
      await store.setVersionTag(name, version, key, undefined);
      res.status(204).end();
    },
  );

  router.get('/entities/:kind/:namespace/:name/models', async (req, res) => {
    const ref = parseInput(entityRefParams, req.params, 'entity reference');
    const credentials = await httpAuth.credentials(req);
    const resolved = await entities.resolve(ref, credentials);
    const models: EntityModelVersions[] = [];
    for (const link of resolved.links.filter(l => l.kind === 'model')) {
      const view = await store.modelView(link.name, {
        versions: ENTITY_VERSIONS_LIMIT,
        history: ENTITY_HISTORY_LIMIT,
      });
      const source = view ? await upstream?.originOf?.(link.name) : undefined;
      models.push(
        view
          ? {
              name: link.name,
              known: true,
              ...view,
              ...(source ? { source } : {}),
            }
          : { name: link.name, known: false, versions: [], history: [] },
      );
    }
    const body: EntityModelsResponse = {
      entityRef: resolved.entityRef,
      models,
    };
    res.json(body);
  });

  return router;
}
