import { HttpAuthService } from '@backstage/backend-plugin-api';
import { TRACKING_BATCH_LIMITS } from '@backstage-mlops/plugin-mlops-common';
import { InputError } from '@backstage/errors';
import express from 'express';
import Router from 'express-promise-router';
import { EntityResolver } from '../shared/EntityResolver';
import { entityRefParams, parseInput } from '../shared/validation';
import { TrackingStore } from './TrackingStore';
import {
  parseBatch,
  parseCompareIds,
  parseExperimentBody,
  parseRunBody,
  parseRunUpdate,
  parseSearch,
  runIdParam,
} from './validation';
import { z } from 'zod';
import { ObjectChangeNotifier } from '../shared/ObjectChangeNotifier';
import { MlopsObjectReadAccess } from '../permissions/MlopsObjectReadAccess';

/** Runs listed per experiment on an entity's card. */
const ENTITY_RECENT_RUNS = 50;

// Built once, not per request (see mlflow/registry.ts).
const experimentsQuery = z.object({
  name: z.string().min(1).optional(),
  owner: z.string().min(1).optional(),
});

/** What the tracking routes need from the `/api/mlops` router's options. */
export interface TrackingRouterOptions {
  httpAuth: HttpAuthService;
  entities: EntityResolver;
  /** Without it (a backend wired without tracking) no route is added. */
  tracking?: TrackingStore;
  /** Tells the catalog about a new experiment right away. */
  objectChanges?: ObjectChangeNotifier;
  /** Which experiments a caller may read (`mlops.object.read`). */
  readAccess: MlopsObjectReadAccess;
}

/**
 * The experiment tracking routes under `/api/mlops`: experiments, runs,
 * batch logging, metric history, run search and comparison, and the
 * entity-scoped experiments read for the runs card.
 *
 * Mount it before any JSON body parser: it parses its own bodies.
 */
export function createTrackingRouter(
  options: TrackingRouterOptions,
): express.Router {
  const { httpAuth, tracking, entities, readAccess } = options;
  const router = Router();
  if (!tracking) {
    return router;
  }

  // The tracking routes parse their own bodies so that a body over the
  // batch size limit is a 400 that names the limit, as MLflow answers.
  const json = express.json({ limit: TRACKING_BATCH_LIMITS.bodyBytes });
  router.use(['/experiments', '/runs'], (req, res, next) => {
    json(req, res, (error?: any) => {
      if (error?.type === 'entity.too.large') {
        next(
          new InputError(
            `Request body is larger than the ${
              TRACKING_BATCH_LIMITS.bodyBytes / (1024 * 1024)
            } MB limit (${TRACKING_BATCH_LIMITS.bodyBytes} bytes)`,
          ),
        );
      } else if (error?.type === 'entity.parse.failed') {
        next(new InputError('Request body is not valid JSON'));
      } else {
        next(error);
      }
    });
  });

  const caller = async (req: express.Request) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    return credentials.principal.type === 'user'
      ? credentials.principal.userEntityRef
      : credentials.principal.subject;
  };
  // Lists, searches and reads leave out the experiments the caller may not
  // read, and their runs: readAccess.scopeOf(req).
  const runId = (req: express.Request) =>
    parseInput(runIdParam, req.params.id, 'run id');

  router.post('/experiments', async (req, res) => {
    await caller(req);
    const input = parseExperimentBody(req.body);
    const experiment = await tracking.createExperiment(input);
    await options.objectChanges?.upserted('experiment', experiment.name);
    res.status(201).json(experiment);
  });

  router.get('/experiments', async (req, res) => {
    const scope = await readAccess.scopeOf(req);
    const query = parseInput(experimentsQuery, req.query, 'experiment query');
    if (query.name) {
      const experiment = await tracking.findExperimentByName(query.name, scope);
      res.json({ experiments: experiment ? [experiment] : [] });
      return;
    }
    res.json({
      experiments: await tracking.listExperiments({
        owner: query.owner,
        scope,
      }),
    });
  });

  router.get('/experiments/:idOrName', async (req, res) => {
    const scope = await readAccess.scopeOf(req);
    res.json(await tracking.getExperiment(req.params.idOrName, scope));
  });

  router.post('/runs', async (req, res) => {
    const user = await caller(req);
    const input = parseRunBody(req.body, user);
    res.status(201).json(await tracking.createRun(input));
  });

  router.post('/runs/search', async (req, res) => {
    const scope = await readAccess.scopeOf(req);
    res.json(await tracking.searchRuns(parseSearch(req.body), scope));
  });

  // Registered before /runs/:id, which would otherwise take "compare" as an id.
  router.get('/runs/compare', async (req, res) => {
    const scope = await readAccess.scopeOf(req);
    const ids = parseCompareIds(req.query);
    await tracking.requireReadableRuns(ids, scope);
    res.json(await tracking.compareRuns(ids));
  });

  router.get('/runs/:id', async (req, res) => {
    const scope = await readAccess.scopeOf(req);
    const id = runId(req);
    await tracking.requireReadableRuns([id], scope);
    res.json(await tracking.getRun(id));
  });

  router.patch('/runs/:id', async (req, res) => {
    await caller(req);
    const id = runId(req);
    res.json(await tracking.updateRun(id, parseRunUpdate(req.body)));
  });

  router.post('/runs/:id/log-batch', async (req, res) => {
    await caller(req);
    const id = runId(req);
    await tracking.logBatch(id, parseBatch(req.body, Date.now()));
    res.status(204).end();
  });

  // Metric keys may contain slashes ("train/loss"): the key is the rest of the path.
  router.get('/runs/:id/metrics/:key(*)', async (req, res) => {
    const scope = await readAccess.scopeOf(req);
    const id = runId(req);
    await tracking.requireReadableRuns([id], scope);
    res.json(await tracking.getMetricHistory(id, req.params.key));
  });

  router.get(
    '/entities/:kind/:namespace/:name/experiments',
    async (req, res) => {
      const ref = parseInput(entityRefParams, req.params, 'entity reference');
      const credentials = await httpAuth.credentials(req);
      const resolved = await entities.resolve(ref, credentials);
      const names = resolved.links
        .filter(link => link.kind === 'experiment')
        .map(link => link.name);
      const models = resolved.links
        .filter(link => link.kind === 'model')
        .map(link => link.name);
      names.push(...(await tracking.experimentNamesOfModels(models)));
      const result = await tracking.experimentsWithRecentRuns(
        [...new Set(names)],
        ENTITY_RECENT_RUNS,
      );
      res.json({ entityRef: resolved.entityRef, ...result });
    },
  );

  return router;
}
