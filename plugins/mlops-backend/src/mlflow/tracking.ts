import {
  Experiment,
  Run,
  RUN_STATUSES,
  MLFLOW_EXPERIMENT_NAME_MAX_LENGTH,
  MLOPS_NAME_MAX_LENGTH,
  TRACKING_BATCH_LIMITS,
} from '@backstage-mlops/plugin-mlops-common';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { ObjectChangeNotifier } from '../shared/ObjectChangeNotifier';
import {
  MlopsObjectReadAccess,
  ObjectReadScope,
  UNRESTRICTED_READ_SCOPE,
} from '../permissions/MlopsObjectReadAccess';
import { isParamChangeRefusal, RunBatch, TrackingStore } from '../tracking';
import { MlflowError } from './errors';
import {
  freeName,
  int64,
  keyValues,
  metricValue,
  name,
  parse,
  plainMetricsBatch,
  toKeyValues,
  value,
} from './parsing';
import {
  parseExperimentFilter,
  parseExperimentOrderBy,
  parseRunFilter,
  parseRunOrderBy,
} from './searchGrammars';

/*
 * MLflow's REST API 2.0 for experiments, runs and metrics, on top of the
 * portal's tracking store: what a training script logs here is the same data
 * the portal's own routes and cards show. Request and response shapes follow
 * MLflow's REST documentation (snake_case, times in epoch milliseconds,
 * key/value lists for params, tags and metrics).
 */

/** MLflow's default and largest page of `runs/search`. */
const RUN_SEARCH_DEFAULT_PAGE = 1000;
const RUN_SEARCH_MAX_PAGE = 50000;

/** MLflow's names: free text (experiments up to 500, runs up to 250 characters). */
const experimentName = freeName(
  'experiment name',
  MLFLOW_EXPERIMENT_NAME_MAX_LENGTH,
);
const runName = freeName('run name', MLOPS_NAME_MAX_LENGTH);

const runId = z
  .string()
  .regex(/^[0-9a-f]{32}$/i, 'must be a 32-character hexadecimal run id');

/** MLflow clients send the run as `run_id`, older ones as `run_uuid`. */
const runRef = z
  .object({ run_id: runId.optional(), run_uuid: runId.optional() })
  .refine(r => r.run_id || r.run_uuid, {
    message: 'run_id is required',
  })
  .transform(r => (r.run_id ?? r.run_uuid) as string);

const metric = z.object({
  key: name('metric key'),
  value: metricValue,
  timestamp: int64.optional(),
  step: int64.optional(),
});

const ms = (iso: string | undefined) =>
  iso === undefined ? undefined : Date.parse(iso);

const NAME_ADJECTIVES = [
  'amber',
  'bold',
  'calm',
  'deft',
  'eager',
  'fair',
  'keen',
  'lucid',
  'mellow',
  'quick',
  'sunny',
  'vivid',
];
const NAME_NOUNS = [
  'badger',
  'crane',
  'dolphin',
  'finch',
  'heron',
  'lynx',
  'otter',
  'panda',
  'robin',
  'seal',
  'trout',
  'wren',
];

/** A run name like MLflow's generated ones (`bold-heron-417`). */
function generatedRunName(): string {
  const pick = (words: string[]) =>
    words[Math.floor(Math.random() * words.length)];
  return `${pick(NAME_ADJECTIVES)}-${pick(NAME_NOUNS)}-${Math.floor(
    Math.random() * 1000,
  )}`;
}

/** An experiment in MLflow's shape. */
export function mlflowExperiment(experiment: Experiment) {
  return {
    experiment_id: experiment.id,
    name: experiment.name,
    artifact_location: `mlflow-artifacts:/${experiment.id}`,
    lifecycle_stage: experiment.lifecycleStage,
    creation_time: ms(experiment.createdAt),
    last_update_time: ms(experiment.updatedAt),
    tags: toKeyValues(experiment.tags),
  };
}

function mlflowRunInfo(run: Run) {
  return {
    run_id: run.id,
    run_uuid: run.id,
    run_name: run.name ?? '',
    experiment_id: run.experimentId,
    user_id: run.user ?? '',
    status: run.status,
    start_time: ms(run.startTime),
    end_time: ms(run.endTime),
    artifact_uri: `mlflow-artifacts:/${run.experimentId}/${run.id}/artifacts`,
    lifecycle_stage: run.deleted ? 'deleted' : 'active',
  };
}

/** A run in MLflow's shape (`{ info, data }`). */
export function mlflowRun(run: Run) {
  return {
    info: mlflowRunInfo(run),
    data: {
      metrics: Object.values(run.metrics).map(m => ({
        key: m.key,
        value: m.value,
        timestamp: m.timestamp,
        step: m.step,
      })),
      params: toKeyValues(run.params),
      tags: toKeyValues(run.tags),
    },
    inputs: {},
  };
}

/**
 * The store's input errors (a bad page token, a param changed) in MLflow's
 * terms: INVALID_PARAMETER_VALUE, as MLflow's server answers them.
 */
async function mlflowInput<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (
      (error as Error)?.name === 'InputError' ||
      isParamChangeRefusal(error)
    ) {
      throw new MlflowError(
        'INVALID_PARAMETER_VALUE',
        (error as Error).message,
      );
    }
    throw error;
  }
}

const experimentsCreateRequest = z.object({
  name: experimentName,
  artifact_location: z.string().optional(),
  tags: keyValues('tag').max(TRACKING_BATCH_LIMITS.paramsAndTags).optional(),
});
const experimentsGetRequest = z.object({ experiment_id: z.string().min(1) });
const experimentsGetByNameRequest = z.object({
  experiment_name: z.string().min(1),
});
const runsCreateRequest = z.object({
  experiment_id: z.string().min(1),
  user_id: z.string().max(255).optional(),
  run_name: runName.optional(),
  start_time: int64.optional(),
  tags: keyValues('tag').max(TRACKING_BATCH_LIMITS.paramsAndTags).optional(),
});
const runsUpdateRequest = z.object({
  status: z.enum(RUN_STATUSES as [string, ...string[]]).optional(),
  end_time: int64.optional(),
  run_name: runName.optional(),
});
const runsLogParameterRequest = z.object({
  key: name('param key'),
  value: value('param'),
});
const runsSetTagRequest = z.object({
  key: name('tag key'),
  value: value('tag'),
});
const runsDeleteTagRequest = z.object({ key: name('tag key') });
const runsLogBatchRequest = z.object({
  metrics: z
    .array(metric)
    .max(
      TRACKING_BATCH_LIMITS.metrics,
      `A batch logs at most ${TRACKING_BATCH_LIMITS.metrics} metrics`,
    )
    .optional(),
  params: keyValues('param').optional(),
  tags: keyValues('tag').optional(),
});
const metricsGetHistoryRequest = z.object({ metric_key: z.string().min(1) });

/** Options of the MLflow tracking routes. */
export interface MlflowTrackingRoutesOptions {
  tracking: TrackingStore;
  /** Tells the catalog about experiments created, renamed or deleted here. */
  objectChanges?: ObjectChangeNotifier;
  /** The signed-in caller, recorded as a run's user when the client names none. */
  callerOf(req: express.Request): Promise<string | undefined>;
  /** Which experiments, and so runs, the caller may read. */
  readAccess: MlopsObjectReadAccess;
  /**
   * Checks and keeps a requested `artifact_location` (artifacts capability);
   * without it the field is refused.
   */
  artifactLocations?: {
    checkRequested(location: string): string;
    setRequested(experimentId: string, location: string): Promise<void>;
  };
}

/** `experiments/*`, `runs/*` and `metrics/*` of MLflow's REST API 2.0. */
export function createMlflowTrackingRoutes(
  options: MlflowTrackingRoutesOptions,
): express.Router {
  const { tracking, readAccess } = options;
  const router = Router();
  const logBatch = (id: string, batch: RunBatch) =>
    mlflowInput(() => tracking.logBatch(id, batch));

  async function experimentByIdOrThrow(
    id: string,
    scope: ObjectReadScope = UNRESTRICTED_READ_SCOPE,
  ) {
    const experiment = await tracking.findExperimentById(id, scope);
    if (!experiment) {
      throw new MlflowError(
        'RESOURCE_DOES_NOT_EXIST',
        `No experiment with id ${id}`,
      );
    }
    return experiment;
  }

  function checkedArtifactLocation(location: string): string {
    if (!options.artifactLocations) {
      throw new MlflowError(
        'INVALID_PARAMETER_VALUE',
        'This server keeps artifacts in its own store; artifact_location is not supported',
      );
    }
    try {
      return options.artifactLocations.checkRequested(location);
    } catch (error) {
      throw new MlflowError(
        'INVALID_PARAMETER_VALUE',
        (error as Error).message,
      );
    }
  }

  // Experiments -------------------------------------------------------------

  router.post('/experiments/create', async (req, res) => {
    const body = parse(experimentsCreateRequest, req.body);
    if (await tracking.findExperimentByName(body.name)) {
      throw new MlflowError(
        'RESOURCE_ALREADY_EXISTS',
        `Experiment '${body.name}' already exists.`,
      );
    }
    const requestedLocation = body.artifact_location
      ? checkedArtifactLocation(body.artifact_location)
      : undefined;
    const experiment = await tracking.createExperiment({
      name: body.name,
      owner: await options.callerOf(req),
      tags: Object.fromEntries((body.tags ?? []).map(t => [t.key, t.value])),
    });
    if (requestedLocation) {
      await options.artifactLocations!.setRequested(
        experiment.id,
        requestedLocation,
      );
    }
    await options.objectChanges?.upserted('experiment', experiment.name);
    res.json({ experiment_id: experiment.id });
  });

  router.get('/experiments/get', async (req, res) => {
    const { experiment_id } = parse(experimentsGetRequest, req.query);
    const scope = await readAccess.scopeOf(req);
    res.json({
      experiment: mlflowExperiment(
        await experimentByIdOrThrow(experiment_id, scope),
      ),
    });
  });

  router.get('/experiments/get-by-name', async (req, res) => {
    const { experiment_name } = parse(experimentsGetByNameRequest, req.query);
    const experiment = await tracking.findExperimentByName(
      experiment_name,
      await readAccess.scopeOf(req),
    );
    if (!experiment) {
      throw new MlflowError(
        'RESOURCE_DOES_NOT_EXIST',
        `Could not find experiment with name '${experiment_name}'`,
      );
    }
    res.json({ experiment: mlflowExperiment(experiment) });
  });

  async function searchExperiments(
    input: {
      max_results?: number;
      page_token?: string;
      filter?: string;
      order_by?: string[];
      view_type?: 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL';
    },
    scope: ObjectReadScope,
  ) {
    const viewType = input.view_type ?? 'ACTIVE_ONLY';
    const page = await mlflowInput(() =>
      tracking.searchExperiments(
        {
          filter: parseExperimentFilter(input.filter),
          orderBy: parseExperimentOrderBy(input.order_by),
          lifecycle: (
            {
              ACTIVE_ONLY: 'active',
              DELETED_ONLY: 'deleted',
              ALL: 'all',
            } as const
          )[viewType],
          pageSize: input.max_results ?? 1000,
          pageToken: input.page_token,
        },
        scope,
      ),
    );
    return {
      experiments: page.experiments.map(mlflowExperiment),
      ...(page.nextPageToken ? { next_page_token: page.nextPageToken } : {}),
    };
  }

  const experimentSearch = z.object({
    max_results: int64.pipe(z.number().min(1).max(50000)).optional(),
    page_token: z.string().optional(),
    filter: z.string().optional(),
    order_by: z.array(z.string()).optional(),
    view_type: z.enum(['ACTIVE_ONLY', 'DELETED_ONLY', 'ALL']).optional(),
  });

  router.post('/experiments/search', async (req, res) => {
    res.json(
      await searchExperiments(
        parse(experimentSearch, req.body),
        await readAccess.scopeOf(req),
      ),
    );
  });
  router.get('/experiments/search', async (req, res) => {
    res.json(
      await searchExperiments(
        parse(experimentSearch, req.query),
        await readAccess.scopeOf(req),
      ),
    );
  });
  // The pre-2.0 listing that older clients (the npm `mlflow` client among
  // them) still call.
  router.get('/experiments/list', async (req, res) => {
    const { experiments } = await searchExperiments(
      parse(experimentSearch, req.query),
      await readAccess.scopeOf(req),
    );
    res.json({ experiments });
  });

  const experimentRef = z.object({ experiment_id: z.string().min(1) });

  router.post('/experiments/update', async (req, res) => {
    const body = parse(
      experimentRef.extend({ new_name: experimentName.optional() }),
      req.body,
    );
    const before = await experimentByIdOrThrow(body.experiment_id);
    if (body.new_name !== undefined) {
      const taken = await tracking.findExperimentByName(body.new_name);
      if (taken && taken.id !== body.experiment_id) {
        throw new MlflowError(
          'RESOURCE_ALREADY_EXISTS',
          `Experiment '${body.new_name}' already exists.`,
        );
      }
      await tracking.renameExperiment(body.experiment_id, body.new_name);
      await options.objectChanges?.deleted('experiment', before.name);
      await options.objectChanges?.upserted('experiment', body.new_name);
    }
    res.json({});
  });

  router.post('/experiments/delete', async (req, res) => {
    const { experiment_id } = parse(experimentRef, req.body);
    const experiment = await experimentByIdOrThrow(experiment_id);
    await tracking.setExperimentLifecycle(experiment_id, 'deleted');
    await options.objectChanges?.deleted('experiment', experiment.name);
    res.json({});
  });

  router.post('/experiments/restore', async (req, res) => {
    const { experiment_id } = parse(experimentRef, req.body);
    const experiment = await experimentByIdOrThrow(experiment_id);
    await tracking.setExperimentLifecycle(experiment_id, 'active');
    await options.objectChanges?.upserted('experiment', experiment.name);
    res.json({});
  });

  router.post('/experiments/set-experiment-tag', async (req, res) => {
    const body = parse(
      experimentRef.extend({ key: name('tag key'), value: value('tag') }),
      req.body,
    );
    await experimentByIdOrThrow(body.experiment_id);
    await tracking.setExperimentTag(body.experiment_id, body.key, body.value);
    res.json({});
  });

  // Runs --------------------------------------------------------------------

  router.post('/runs/create', async (req, res) => {
    const body = parse(runsCreateRequest, req.body);
    const experiment = await experimentByIdOrThrow(body.experiment_id);
    if (experiment.lifecycleStage === 'deleted') {
      throw new MlflowError(
        'INVALID_STATE',
        `Experiment ${experiment.id} is deleted; restore it before creating runs in it`,
      );
    }
    const tags: Record<string, string> = Object.fromEntries(
      (body.tags ?? []).map(t => [t.key, t.value]),
    );
    // As MLflow's server does: the name and the mlflow.runName tag say the
    // same (a generated name when neither is given), and the user is kept
    // as the mlflow.user tag too, so searches on either tag find the run.
    const runNameValue =
      body.run_name || tags['mlflow.runName'] || generatedRunName();
    tags['mlflow.runName'] = runNameValue;
    const user = body.user_id || (await options.callerOf(req));
    if (user && !tags['mlflow.user']) {
      tags['mlflow.user'] = user;
    }
    const run = await tracking.createRun({
      experimentId: body.experiment_id,
      name: runNameValue,
      startTime: body.start_time,
      user,
      source: tags['mlflow.source.name'],
      parentRunId: tags['mlflow.parentRunId'],
      tags,
    });
    res.json({ run: mlflowRun(run) });
  });

  router.get('/runs/get', async (req, res) => {
    const id = parse(runRef, req.query);
    await tracking.requireReadableRuns([id], await readAccess.scopeOf(req));
    res.json({ run: mlflowRun(await tracking.getRun(id)) });
  });

  router.post('/runs/update', async (req, res) => {
    const body = parse(runsUpdateRequest, req.body);
    const id = parse(runRef, req.body);
    if (body.run_name) {
      await logBatch(id, {
        metrics: [],
        params: [],
        tags: [{ key: 'mlflow.runName', value: body.run_name }],
      });
    }
    const run = await tracking.updateRun(id, {
      status: body.status as Run['status'] | undefined,
      endTime: body.end_time,
      name: body.run_name,
    });
    res.json({ run_info: mlflowRunInfo(run) });
  });

  router.post('/runs/delete', async (req, res) => {
    await tracking.updateRun(parse(runRef, req.body), { deleted: true });
    res.json({});
  });

  router.post('/runs/restore', async (req, res) => {
    await tracking.updateRun(parse(runRef, req.body), { deleted: false });
    res.json({});
  });

  router.post('/runs/log-metric', async (req, res) => {
    const id = parse(runRef, req.body);
    const m = parse(metric, req.body);
    await logBatch(id, {
      metrics: [
        {
          key: m.key,
          value: m.value,
          step: m.step ?? 0,
          timestamp: m.timestamp ?? Date.now(),
        },
      ],
      params: [],
      tags: [],
    });
    res.json({});
  });

  router.post('/runs/log-parameter', async (req, res) => {
    const id = parse(runRef, req.body);
    const p = parse(runsLogParameterRequest, req.body);
    await logBatch(id, { metrics: [], params: [p], tags: [] });
    res.json({});
  });

  router.post('/runs/set-tag', async (req, res) => {
    const id = parse(runRef, req.body);
    const t = parse(runsSetTagRequest, req.body);
    await logBatch(id, { metrics: [], params: [], tags: [t] });
    res.json({});
  });

  router.post('/runs/delete-tag', async (req, res) => {
    const id = parse(runRef, req.body);
    // name(): a NUL byte would otherwise reach PostgreSQL, which refuses it.
    const { key } = parse(runsDeleteTagRequest, req.body);
    await tracking.deleteRunTag(id, key);
    res.json({});
  });

  router.post('/runs/log-batch', async (req, res) => {
    const plain = plainMetricsBatch(req.body, Date.now());
    if (plain) {
      await logBatch(plain.runId, {
        metrics: plain.metrics,
        params: [],
        tags: [],
      });
      res.json({});
      return;
    }
    const id = parse(runRef, req.body);
    const body = parse(runsLogBatchRequest, req.body);
    const params = body.params ?? [];
    const tags = body.tags ?? [];
    if (params.length + tags.length > TRACKING_BATCH_LIMITS.paramsAndTags) {
      throw new MlflowError(
        'INVALID_PARAMETER_VALUE',
        `A batch logs at most ${
          TRACKING_BATCH_LIMITS.paramsAndTags
        } params and tags together; got ${params.length + tags.length}`,
      );
    }
    const now = Date.now();
    await logBatch(id, {
      metrics: (body.metrics ?? []).map(m => ({
        key: m.key,
        value: m.value,
        step: m.step ?? 0,
        timestamp: m.timestamp ?? now,
      })),
      params,
      tags,
    });
    res.json({});
  });

  const runSearch = z.object({
    experiment_ids: z
      .array(z.string().min(1))
      .min(1, 'experiment_ids must name at least one experiment'),
    filter: z.string().optional(),
    run_view_type: z.enum(['ACTIVE_ONLY', 'DELETED_ONLY', 'ALL']).optional(),
    max_results: int64
      .pipe(
        z
          .number()
          .min(1)
          .max(
            RUN_SEARCH_MAX_PAGE,
            `max_results must be at most ${RUN_SEARCH_MAX_PAGE}`,
          ),
      )
      .optional(),
    order_by: z.array(z.string()).optional(),
    page_token: z.string().optional(),
  });

  router.post('/runs/search', async (req, res) => {
    const body = parse(runSearch, req.body);
    const viewType = body.run_view_type ?? 'ACTIVE_ONLY';
    const page = await mlflowInput(async () =>
      tracking.searchRuns(
        {
          experimentIds: body.experiment_ids,
          filter: parseRunFilter(body.filter),
          orderBy: parseRunOrderBy(body.order_by),
          pageSize: body.max_results ?? RUN_SEARCH_DEFAULT_PAGE,
          pageToken: body.page_token,
          includeDeleted: viewType !== 'ACTIVE_ONLY',
          deletedOnly: viewType === 'DELETED_ONLY',
        },
        await readAccess.scopeOf(req),
      ),
    );
    res.json({
      runs: page.runs.map(mlflowRun),
      ...(page.nextPageToken ? { next_page_token: page.nextPageToken } : {}),
    });
  });

  router.get('/metrics/get-history', async (req, res) => {
    const id = parse(runRef, req.query);
    const { metric_key } = parse(metricsGetHistoryRequest, req.query);
    await tracking.requireReadableRuns([id], await readAccess.scopeOf(req));
    const history = await tracking
      .getMetricHistory(id, metric_key)
      .catch(error => {
        // MLflow answers an empty history for a metric the run never logged.
        if (
          error?.name === 'NotFoundError' &&
          /has no metric/.test(error.message)
        ) {
          return { points: [] };
        }
        throw error;
      });
    res.json({
      metrics: history.points.map(p => ({
        key: metric_key,
        value: p.value,
        timestamp: p.timestamp,
        step: p.step,
      })),
    });
  });

  return router;
}
