import { HttpAuthService } from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { EntityResolver } from '../shared/EntityResolver';
import { entityRefParams, mlopsName, parseInput } from '../shared/validation';
import { PipelineStore } from './PipelineStore';
import { PIPELINE_RUN_STATES } from './types';
import { HealthChangeSignal } from '../shared/HealthChangeSignal';
import { MlopsObjectReadAccess } from '../permissions/MlopsObjectReadAccess';

// PostgreSQL refuses NUL in text: a control character is a 400, not a 500.
const stageName = z
  .string()
  .trim()
  .min(1)
  .max(250)
  // eslint-disable-next-line no-control-regex
  .regex(/^[^\u0000-\u001f]*$/, 'must not contain control characters');
const failureReason = z.string().max(100_000).optional();

const definitionBody = z.strictObject({
  owner: z.string().max(255).optional(),
  description: z.string().max(10_000).optional(),
  orchestrator: z.enum(['prefect', 'airflow']).optional(),
  schedule: z.string().max(255).optional(),
  stages: z
    .array(stageName)
    .max(100)
    .refine(s => new Set(s).size === s.length, 'stage names must be unique')
    .optional(),
  slaMinutes: z.number().int().positive().max(525_600).nullable().optional(),
});

const createRunBody = z.strictObject({
  state: z.enum(['SCHEDULED', 'PENDING', 'RUNNING']).optional(),
  scheduledAt: z.iso.datetime({ offset: true }).optional(),
  stages: z
    .array(stageName)
    .max(100)
    .refine(s => new Set(s).size === s.length, 'stage names must be unique')
    .optional(),
  externalId: z.string().min(1).max(255).optional(),
  trigger: z.enum(['schedule', 'manual', 'api']).optional(),
});

const stageBody = z.strictObject({
  state: z.enum(PIPELINE_RUN_STATES).exclude(['LATE']),
  failureReason,
});

const finishBody = z.strictObject({
  state: z.enum(['COMPLETED', 'FAILED', 'CRASHED', 'CANCELLED']),
  failureReason,
});

const requestBody = z.strictObject({
  reason: z.string().trim().min(1, 'a reason is required').max(2000),
});

const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(20),
  offset: z.coerce.number().int().min(0).default(0),
  state: z.enum(PIPELINE_RUN_STATES).optional(),
});

const pipelineParams = z.object({ name: mlopsName });
const runParams = pipelineParams.extend({
  runId: z.string().regex(/^\d{1,18}$/, 'not a run id'),
});
const stageParams = runParams.extend({ stage: stageName });

/** Routes of the pipelines capability, mounted under `/api/mlops`. */
export function createPipelinesRouter(options: {
  httpAuth: HttpAuthService;
  store: PipelineStore;
  entities: EntityResolver;
  /** Asks for the pipeline's health to be judged again after a run changes. */
  healthChanges?: HealthChangeSignal;
  /** Which pipelines a caller may read (`mlops.object.read`). */
  readAccess: MlopsObjectReadAccess;
}): express.Router {
  const { httpAuth, store, entities, healthChanges, readAccess } = options;
  const router = Router();
  // Failure reasons may carry a log tail; 256 kB is plenty and bounded.
  router.use('/pipelines', express.json({ limit: 256 * 1024 }));

  router.put('/pipelines/:name/definition', async (req, res) => {
    const { name } = parseInput(pipelineParams, req.params, 'pipeline');
    const body = parseInput(definitionBody, req.body, 'pipeline definition');
    await httpAuth.credentials(req);
    res.json(await store.upsertDefinition(name, body));
  });

  router.get('/pipelines/:name/status', async (req, res) => {
    const { name } = parseInput(pipelineParams, req.params, 'pipeline');
    await readAccess.requireReadable(req, 'pipeline', name);
    const status = await store.status(name);
    if (!status) {
      throw new NotFoundError(`No pipeline ${name}`);
    }
    res.json(status);
  });

  router.post('/pipelines/:name/runs', async (req, res) => {
    const { name } = parseInput(pipelineParams, req.params, 'pipeline');
    const body = parseInput(createRunBody, req.body ?? {}, 'run');
    await httpAuth.credentials(req);
    const { run, created } = await store.createRun(name, {
      ...body,
      scheduledAt: body.scheduledAt ? new Date(body.scheduledAt) : undefined,
    });
    res.status(created ? 201 : 200).json(run);
  });

  // A retrain or a manual rerun; an earlier request that has not started is
  // returned instead of queueing another.
  router.post('/pipelines/:name/runs/request', async (req, res) => {
    const { name } = parseInput(pipelineParams, req.params, 'pipeline');
    const body = parseInput(requestBody, req.body, 'run request');
    await httpAuth.credentials(req);
    const { id } = await store.requestRun(name, body.reason);
    res.status(201).json(await store.getRun(name, id));
  });

  router.get('/pipelines/:name/runs', async (req, res) => {
    const { name } = parseInput(pipelineParams, req.params, 'pipeline');
    const query = parseInput(listQuery, req.query, 'query');
    await readAccess.requireReadable(req, 'pipeline', name);
    res.json({ items: await store.listRuns(name, query) });
  });

  router.get('/pipelines/:name/runs/:runId', async (req, res) => {
    const { name, runId } = parseInput(runParams, req.params, 'run');
    await readAccess.requireReadable(req, 'pipeline', name);
    const run = await store.getRun(name, runId);
    if (!run) {
      throw new NotFoundError(`No run ${runId} of pipeline ${name}`);
    }
    res.json(run);
  });

  router.post(
    '/pipelines/:name/runs/:runId/stages/:stage',
    async (req, res) => {
      const { name, runId, stage } = parseInput(
        stageParams,
        req.params,
        'stage',
      );
      const body = parseInput(stageBody, req.body, 'stage report');
      await httpAuth.credentials(req);
      const run = await store.moveStage(name, runId, stage, body);
      healthChanges?.changed('pipeline', name);
      res.json(run);
    },
  );

  router.post('/pipelines/:name/runs/:runId/heartbeat', async (req, res) => {
    const { name, runId } = parseInput(runParams, req.params, 'run');
    await httpAuth.credentials(req);
    res.json(await store.heartbeat(name, runId));
  });

  router.post('/pipelines/:name/runs/:runId/finish', async (req, res) => {
    const { name, runId } = parseInput(runParams, req.params, 'run');
    const body = parseInput(finishBody, req.body, 'finish report');
    await httpAuth.credentials(req);
    const run = await store.finishRun(name, runId, body);
    healthChanges?.changed('pipeline', name);
    res.json(run);
  });

  router.get(
    '/entities/:kind/:namespace/:name/pipeline-runs',
    async (req, res) => {
      const ref = parseInput(entityRefParams, req.params, 'entity reference');
      const query = parseInput(
        listQuery.pick({ limit: true }),
        req.query,
        'query',
      );
      const credentials = await httpAuth.credentials(req);
      const resolved = await entities.resolve(ref, credentials);
      const pipelines = resolved.links.filter(l => l.kind === 'pipeline');
      res.json({
        entityRef: resolved.entityRef,
        pipelines: await Promise.all(
          pipelines.map(async ({ name }) => {
            const status = await store.status(name);
            return {
              pipeline: name,
              known: Boolean(status),
              ...(status ? { status } : {}),
              runs: status
                ? await store.listRuns(name, { limit: query.limit })
                : [],
            };
          }),
        ),
      });
    },
  );

  return router;
}
