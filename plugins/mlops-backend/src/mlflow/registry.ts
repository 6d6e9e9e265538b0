import {
  ModelStage,
  ModelVersion,
  mlopsModelRetentionPermission,
  mlopsModelStageTransitionPermission,
} from '@backstage-mlops/plugin-mlops-common';
import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { isError } from '@backstage/errors';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { MlopsChangeAuthorizer } from '../permissions/MlopsChangeAuthorizer';
import { MlopsObjectReadAccess } from '../permissions/MlopsObjectReadAccess';
import {
  RegistryWiring,
  hasParentSegment,
  parseAlias,
  parseModelName,
} from '../registry';
import { MlflowError } from './errors';
import { int64, keyValues, parse, value as tagValue } from './parsing';
import {
  governed,
  mlflowInput,
  mlflowModelVersion,
  mlflowQuery,
  mlflowRegisteredModel,
  stage,
  tagKey,
  versionNumber,
} from './registryParts';
import { parseModelSearch, parseVersionSearch } from './searchGrammars';

/*
 * MLflow's model registry routes (`registered-models/*`, `model-versions/*`)
 * on top of the portal's registry store: stage changes and aliases set here
 * land in the same append-only history the portal's cards show.
 */

/** Options of the MLflow registry routes. */
export interface MlflowRegistryRoutesOptions {
  registry: RegistryWiring;
  /**
   * Decides stage, alias and delete requests exactly as the portal's own
   * registry routes do, so MLflow is no way around the policy.
   */
  authorizer: MlopsChangeAuthorizer;
  /** Who is calling: credentials for the policy, actor for the history. */
  callerOf(
    req: express.Request,
  ): Promise<{ credentials: BackstageCredentials; actor: string }>;
  /** Which models the caller may read. */
  readAccess: MlopsObjectReadAccess;
}

// Each route's request shape, built once: building a zod schema (and its
// compiled parser) costs about 0.1 ms, a hundred times parsing with it, and
// was paid on every request while the schemas were written inline.
const registeredModelsCreateRequest = z.object({
  name: z.string(),
  description: z.string().max(5000).optional(),
  tags: keyValues('tag').max(100).optional(),
});
const registeredModelsGetRequest = z.object({ name: z.string().min(1) });
const registeredModelsRenameRequest = z.object({
  name: z.string(),
  new_name: z.string(),
});
const registeredModelsDeleteRequest = z.object({ name: z.string() });
const registeredModelsSetTagRequest = z.object({
  name: z.string(),
  key: tagKey,
  value: tagValue('tag'),
});
const registeredModelsDeleteTagRequest = z.object({
  name: z.string(),
  key: tagKey,
});
const modelVersionsSetTagRequest = z.object({
  name: z.string(),
  version: versionNumber,
  key: tagKey,
  value: tagValue('tag'),
});
const modelVersionsDeleteTagRequest = z.object({
  name: z.string(),
  version: versionNumber,
  key: tagKey,
});
const registeredModelsUpdateRequest = z.object({
  name: z.string(),
  description: z.string().max(5000).optional(),
});
const registeredModelsGetLatestVersionsRequest = z.object({
  name: z.string(),
  stages: z.array(stage).optional(),
});
const registeredModelsSetAliasRequest = z.object({
  name: z.string(),
  alias: z.string(),
  version: versionNumber,
});
const modelAliasRequest = z.object({
  name: z.string(),
  alias: z.string(),
});
const modelVersionsCreateRequest = z.object({
  name: z.string(),
  source: z.string().max(5000).optional(),
  run_id: z
    .string()
    // eslint-disable-next-line no-control-regex
    .regex(/^[^\u0000-\u001f]*$/, 'must not contain control characters')
    .optional(),
  description: z.string().max(5000).optional(),
  tags: keyValues('tag').max(100).optional(),
});
const modelVersionsGetRequest = z.object({
  name: z.string(),
  version: versionNumber,
});
const modelVersionsUpdateRequest = z.object({
  name: z.string(),
  version: versionNumber,
  description: z.string().max(5000).optional(),
});
const modelVersionsDeleteRequest = z.object({
  name: z.string(),
  version: versionNumber,
});
const modelVersionsTransitionStageRequest = z.object({
  name: z.string(),
  version: versionNumber,
  stage,
  archive_existing_versions: z.boolean().optional(),
});

/** `registered-models/*` and `model-versions/*` of MLflow's REST API 2.0. */
export function createMlflowRegistryRoutes(
  options: MlflowRegistryRoutesOptions,
): express.Router {
  const { store, runs, deployments, objectChanges } = options.registry;
  const { authorizer, callerOf, readAccess } = options;
  const router = Router();

  async function latestVersions(model: string, stages?: ModelStage[]) {
    const versions = await store.listVersions(model);
    const byStage = new Map<ModelStage, ModelVersion>();
    for (const version of versions) {
      const current = byStage.get(version.stage);
      if (!current || version.version > current.version) {
        byStage.set(version.stage, version);
      }
    }
    return [...byStage.values()]
      .filter(v => !stages || stages.length === 0 || stages.includes(v.stage))
      .sort((a, b) => a.version - b.version);
  }

  router.post('/registered-models/create', async (req, res) => {
    const body = parse(registeredModelsCreateRequest, req.body);
    const name = mlflowInput(() => parseModelName(body.name));
    const model = await store
      .createModel({
        name,
        description: body.description,
        owner: (await callerOf(req)).actor,
        tags: Object.fromEntries((body.tags ?? []).map(t => [t.key, t.value])),
      })
      .catch(error => {
        throw isError(error) && error.name === 'ConflictError'
          ? new MlflowError(
              'RESOURCE_ALREADY_EXISTS',
              `Registered Model (name=${name}) already exists.`,
            )
          : error;
      });
    await objectChanges?.upserted('model', model.name);
    res.json({ registered_model: mlflowRegisteredModel(model) });
  });

  router.get('/registered-models/get', async (req, res) => {
    const { name } = parse(registeredModelsGetRequest, req.query);
    const model = await store.getModel(
      mlflowInput(() => parseModelName(name)),
      await readAccess.scopeOf(req),
    );
    res.json({
      registered_model: mlflowRegisteredModel(
        model,
        await latestVersions(model.name),
      ),
    });
  });

  const modelSearch = z.object({
    filter: z.string().optional(),
    max_results: int64.pipe(z.number().min(1).max(1000)).optional(),
    order_by: z.union([z.array(z.string()), z.string()]).optional(),
    page_token: z.string().optional(),
  });
  const orderList = (orderBy: string | string[] | undefined) =>
    typeof orderBy === 'string' ? [orderBy] : orderBy;

  async function searchModels(req: express.Request, input: unknown) {
    const query = parse(modelSearch, input);
    const page = await mlflowQuery(async () =>
      store.searchModels(
        {
          ...parseModelSearch(query.filter, orderList(query.order_by)),
          pageSize: query.max_results ?? 100,
          pageToken: query.page_token,
        },
        await readAccess.scopeOf(req),
      ),
    );
    return {
      registered_models: page.models.map(m =>
        mlflowRegisteredModel(m.model, m.latest),
      ),
      ...(page.nextPageToken ? { next_page_token: page.nextPageToken } : {}),
    };
  }

  router.get('/registered-models/search', async (req, res) => {
    res.json(await searchModels(req, req.query));
  });
  router.post('/registered-models/search', async (req, res) => {
    res.json(await searchModels(req, req.body));
  });

  router.post('/registered-models/rename', async (req, res) => {
    const body = parse(registeredModelsRenameRequest, req.body);
    const name = mlflowInput(() => parseModelName(body.name));
    const newName = mlflowInput(() => parseModelName(body.new_name));
    const { credentials } = await callerOf(req);
    await authorizer.authorize(
      name,
      mlopsModelRetentionPermission,
      credentials,
      'rename',
    );
    if (newName !== name && (await store.findModel(newName))) {
      throw new MlflowError(
        'RESOURCE_ALREADY_EXISTS',
        `Registered Model (name=${newName}) already exists.`,
      );
    }
    const model = await governed(() =>
      store.renameModel(name, newName, deployments),
    );
    await objectChanges?.deleted('model', name);
    await objectChanges?.upserted('model', newName);
    res.json({
      registered_model: mlflowRegisteredModel(
        model,
        await latestVersions(newName),
      ),
    });
  });

  router.delete('/registered-models/delete', async (req, res) => {
    const input = parse(registeredModelsDeleteRequest, {
      ...req.query,
      ...req.body,
    });
    const name = mlflowInput(() => parseModelName(input.name));
    const { credentials } = await callerOf(req);
    await authorizer.authorize(
      name,
      mlopsModelRetentionPermission,
      credentials,
      'delete',
    );
    await governed(() => store.deleteModel(name, deployments));
    await objectChanges?.deleted('model', name);
    res.json({});
  });

  router.post('/registered-models/set-tag', async (req, res) => {
    const body = parse(registeredModelsSetTagRequest, req.body);
    const name = mlflowInput(() => parseModelName(body.name));
    await store.setModelTag(name, body.key, body.value);
    res.json({});
  });

  router.delete('/registered-models/delete-tag', async (req, res) => {
    const input = parse(registeredModelsDeleteTagRequest, {
      ...req.query,
      ...req.body,
    });
    const name = mlflowInput(() => parseModelName(input.name));
    await store.setModelTag(name, input.key, undefined);
    res.json({});
  });

  router.post('/model-versions/set-tag', async (req, res) => {
    const body = parse(modelVersionsSetTagRequest, req.body);
    const name = mlflowInput(() => parseModelName(body.name));
    await store.setVersionTag(name, body.version, body.key, body.value);
    res.json({});
  });

  router.delete('/model-versions/delete-tag', async (req, res) => {
    const input = parse(modelVersionsDeleteTagRequest, {
      ...req.query,
      ...req.body,
    });
    const name = mlflowInput(() => parseModelName(input.name));
    await store.setVersionTag(name, input.version, input.key, undefined);
    res.json({});
  });

  router.patch('/registered-models/update', async (req, res) => {
    const body = parse(registeredModelsUpdateRequest, req.body);
    const name = mlflowInput(() => parseModelName(body.name));
    const model = await store.updateModel(name, {
      description: body.description ?? null,
    });
    res.json({ registered_model: mlflowRegisteredModel(model) });
  });

  router.post('/registered-models/get-latest-versions', async (req, res) => {
    const body = parse(registeredModelsGetLatestVersionsRequest, req.body);
    const name = mlflowInput(() => parseModelName(body.name));
    await store.getModel(name, await readAccess.scopeOf(req));
    res.json({
      model_versions: (
        await latestVersions(name, body.stages as ModelStage[])
      ).map(mlflowModelVersion),
    });
  });

  router.post('/registered-models/alias', async (req, res) => {
    const body = parse(registeredModelsSetAliasRequest, req.body);
    const name = mlflowInput(() => parseModelName(body.name));
    const alias = mlflowInput(() => parseAlias(body.alias));
    const { credentials, actor } = await callerOf(req);
    await authorizer.authorize(
      name,
      mlopsModelStageTransitionPermission,
      credentials,
      'move an alias of',
    );
    await store.setAlias(name, alias, body.version, actor);
    res.json({});
  });

  router.delete('/registered-models/alias', async (req, res) => {
    const input = parse(modelAliasRequest, {
      ...req.query,
      ...req.body,
    });
    const name = mlflowInput(() => parseModelName(input.name));
    const alias = mlflowInput(() => parseAlias(input.alias));
    const { credentials, actor } = await callerOf(req);
    await authorizer.authorize(
      name,
      mlopsModelStageTransitionPermission,
      credentials,
      'remove an alias of',
    );
    await store.deleteAlias(name, alias, actor);
    res.json({});
  });

  router.get('/registered-models/alias', async (req, res) => {
    const query = parse(modelAliasRequest, req.query);
    const name = mlflowInput(() => parseModelName(query.name));
    const model = await store.getModel(name, await readAccess.scopeOf(req));
    const version = model.aliases[query.alias];
    if (version === undefined) {
      throw new MlflowError(
        'RESOURCE_DOES_NOT_EXIST',
        `Registered model alias ${query.alias} not found.`,
      );
    }
    res.json({
      model_version: mlflowModelVersion(await store.getVersion(name, version)),
    });
  });

  router.post('/model-versions/create', async (req, res) => {
    const body = parse(modelVersionsCreateRequest, req.body);
    const name = mlflowInput(() => parseModelName(body.name));
    // eslint-disable-next-line no-control-regex
    if (body.source !== undefined && /[\u0000-\u001f]/.test(body.source)) {
      // The native route refuses these too (registry/validation.ts).
      throw new MlflowError(
        'INVALID_PARAMETER_VALUE',
        'Invalid source: it must not contain control characters',
      );
    }
    if (body.source !== undefined && hasParentSegment(body.source)) {
      throw new MlflowError(
        'INVALID_PARAMETER_VALUE',
        `Invalid source '${body.source}': it must not contain '..' path segments`,
      );
    }
    let snapshot;
    if (body.run_id) {
      const run = runs ? await runs.getRunSnapshot(body.run_id) : undefined;
      if (!run) {
        throw new MlflowError(
          'RESOURCE_DOES_NOT_EXIST',
          `Run with id=${body.run_id} not found`,
        );
      }
      snapshot = { metrics: run.metrics, params: run.params };
    }
    const version = await store.createVersion(
      name,
      {
        runId: body.run_id || undefined,
        artifactUri: body.source,
        description: body.description,
        tags: Object.fromEntries((body.tags ?? []).map(t => [t.key, t.value])),
      },
      snapshot,
      (
        await callerOf(req)
      ).actor,
    );
    res.json({ model_version: mlflowModelVersion(version) });
  });

  router.get('/model-versions/get', async (req, res) => {
    const query = parse(modelVersionsGetRequest, req.query);
    const name = mlflowInput(() => parseModelName(query.name));
    await readAccess.requireReadable(req, 'model', name);
    res.json({
      model_version: mlflowModelVersion(
        await store.getVersion(name, query.version),
      ),
    });
  });

  const versionSearch = z.object({
    filter: z.string().optional(),
    max_results: int64.pipe(z.number().min(1).max(200000)).optional(),
    order_by: z.union([z.array(z.string()), z.string()]).optional(),
    page_token: z.string().optional(),
  });

  async function searchVersions(req: express.Request, input: unknown) {
    const query = parse(versionSearch, input);
    const page = await mlflowQuery(async () =>
      store.searchVersions(
        {
          ...parseVersionSearch(query.filter, orderList(query.order_by)),
          pageSize: query.max_results ?? 10000,
          pageToken: query.page_token,
        },
        await readAccess.scopeOf(req),
      ),
    );
    return {
      model_versions: page.versions.map(mlflowModelVersion),
      ...(page.nextPageToken ? { next_page_token: page.nextPageToken } : {}),
    };
  }

  router.get('/model-versions/search', async (req, res) => {
    res.json(await searchVersions(req, req.query));
  });
  router.post('/model-versions/search', async (req, res) => {
    res.json(await searchVersions(req, req.body));
  });

  router.patch('/model-versions/update', async (req, res) => {
    const body = parse(modelVersionsUpdateRequest, req.body);
    const name = mlflowInput(() => parseModelName(body.name));
    const version = await store.updateVersionDescription(
      name,
      body.version,
      body.description ?? null,
    );
    res.json({ model_version: mlflowModelVersion(version) });
  });

  router.delete('/model-versions/delete', async (req, res) => {
    const input = parse(modelVersionsDeleteRequest, {
      ...req.query,
      ...req.body,
    });
    const name = mlflowInput(() => parseModelName(input.name));
    const { credentials, actor } = await callerOf(req);
    await authorizer.authorize(
      name,
      mlopsModelRetentionPermission,
      credentials,
      'delete versions of',
    );
    await governed(() =>
      store.deleteVersion(name, input.version, actor, deployments),
    );
    res.json({});
  });

  router.post('/model-versions/transition-stage', async (req, res) => {
    const body = parse(modelVersionsTransitionStageRequest, req.body);
    const name = mlflowInput(() => parseModelName(body.name));
    const { credentials, actor } = await callerOf(req);
    await authorizer.authorize(
      name,
      mlopsModelStageTransitionPermission,
      credentials,
      'change the stage of',
    );
    const result = await store.transitionStage(
      name,
      body.version,
      {
        stage: body.stage as ModelStage,
        archiveExisting: body.archive_existing_versions ?? false,
        reason: 'Transitioned through the MLflow API',
      },
      actor,
    );
    await objectChanges?.upserted('model', name);
    res.json({ model_version: mlflowModelVersion(result.version) });
  });

  return router;
}
