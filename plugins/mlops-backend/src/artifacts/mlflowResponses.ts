import express from 'express';
import { ArtifactLocations } from './ArtifactLocations';
import { ArtifactService } from './ArtifactService';
import { RunDatasetInput } from './DatasetStore';

/*
 * The MLflow tracking routes answer experiments and runs in MLflow's shape
 * with the default proxied locations. What only the artifacts capability
 * knows is filled in on their way out: the location an experiment asked for
 * at creation (and so its runs' artifact URIs), the datasets and logged
 * models each run used and the logged models it produced. On the way in, a model version
 * registered from an MLflow 3 logged model gets the model's source run, as
 * MLflow's server gives it. Doing it here keeps MLflow's tracking and
 * registry shapes in one module and where artifacts live in another.
 */

const ENRICHED_ROUTES = [
  '/experiments/get',
  '/experiments/get-by-name',
  '/experiments/search',
  '/experiments/list',
  '/runs/get',
  '/runs/search',
  '/runs/create',
  '/runs/update',
];

interface MlflowExperimentJson {
  experiment_id: string;
  artifact_location?: string;
}
interface MlflowRunInfoJson {
  run_id: string;
  experiment_id: string;
  artifact_uri?: string;
}
interface MlflowRunJson {
  info: MlflowRunInfoJson;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
}

function datasetInputJson(input: RunDatasetInput) {
  return {
    tags: Object.entries(input.tags).map(([key, value]) => ({ key, value })),
    dataset: {
      name: input.dataset.name,
      digest: input.dataset.digest,
      source_type: input.dataset.sourceType,
      source: input.dataset.source,
      ...(input.dataset.schema !== undefined
        ? { schema: input.dataset.schema }
        : {}),
      ...(input.dataset.profile !== undefined
        ? { profile: input.dataset.profile }
        : {}),
    },
  };
}

async function enrich(service: ArtifactService, body: any): Promise<unknown> {
  const experiments: MlflowExperimentJson[] = [
    ...(body.experiment ? [body.experiment] : []),
    ...(Array.isArray(body.experiments) ? body.experiments : []),
  ];
  const runs: MlflowRunJson[] = [
    ...(body.run ? [body.run] : []),
    ...(Array.isArray(body.runs) ? body.runs : []),
  ];
  const infos: MlflowRunInfoJson[] = [
    ...runs.map(r => r.info),
    ...(body.run_info ? [body.run_info] : []),
  ];
  // Each look-up reads its own table: all at once, one round trip of the
  // database's time for a page of runs instead of five in a row (a run's
  // URI follows from its experiment's location).
  const ids = runs.map(r => r.info.run_id);
  const none = Promise.resolve(new Map<string, never>());
  const [locations, outputs, inputs, modelInputs] = await Promise.all([
    service.locations.experimentLocations([
      ...experiments.map(e => e.experiment_id),
      ...infos.map(i => i.experiment_id),
    ]),
    ids.length > 0 ? service.loggedModels.outputsOf(ids) : none,
    ids.length > 0 ? service.inputsOf(ids) : none,
    ids.length > 0 ? service.loggedModels.inputsOf(ids) : none,
  ]);
  for (const experiment of experiments) {
    experiment.artifact_location = locations.get(experiment.experiment_id);
  }
  for (const info of infos) {
    info.artifact_uri = ArtifactLocations.runUriIn(
      locations.get(info.experiment_id)!,
      info.run_id,
    );
  }
  for (const run of runs) {
    const produced = outputs.get(run.info.run_id);
    // MLflow 3 answers `outputs: {}` for a run without models.
    run.outputs = produced
      ? { model_outputs: produced.map(model_id => ({ model_id, step: 0 })) }
      : run.outputs ?? {};
    const datasets = inputs.get(run.info.run_id);
    if (datasets) {
      run.inputs = {
        ...run.inputs,
        dataset_inputs: datasets.map(datasetInputJson),
      };
    }
    const models = modelInputs.get(run.info.run_id);
    if (models) {
      run.inputs = {
        ...run.inputs,
        model_inputs: models.map(model_id => ({ model_id })),
      };
    }
  }
  return body;
}

/** The MLflow router's body limit, so a body parsed here is refused alike. */
const versionJson = express.json({ limit: 1024 * 1024 });

const MODEL_ID = /^m-[0-9a-f]{32}$/;
const MODEL_VERSIONS_TAG = 'mlflow.modelVersions';

/**
 * `model-versions/create` from an MLflow 3 logged model (`model_id`, or a
 * `models:/m-…` source) without a `run_id`: MLflow's server takes the
 * model's source run, so the version links to the run that trained it.
 */
async function versionRunOf(service: ArtifactService, body: any) {
  if (!body || typeof body !== 'object' || body.run_id) return;
  const id =
    typeof body.model_id === 'string' && body.model_id
      ? body.model_id
      : /^models:\/(m-[0-9a-f]{32})(?:\/|$)/.exec(
          typeof body.source === 'string' ? body.source : '',
        )?.[1];
  if (typeof id !== 'string' || !MODEL_ID.test(id)) return;
  // An unknown model is left to the registry route, which answers as usual.
  const model = await service.loggedModels.get(id);
  if (model?.sourceRunId) body.run_id = model.sourceRunId;
}

/**
 * After a version was registered with a `model_id`, MLflow's server lists
 * it in the logged model's `mlflow.modelVersions` tag, a JSON list of
 * `{"name": …, "version": <number>}` written as Python's json.dumps writes it.
 */
async function tagModelVersion(
  service: ArtifactService,
  request: any,
  answer: any,
) {
  const modelId = request?.model_id;
  const version = answer?.model_version;
  if (typeof modelId !== 'string' || !MODEL_ID.test(modelId) || !version) {
    return;
  }
  if (!(await service.loggedModels.get(modelId))) return;
  // MLflow's server writes the version as the number it keeps.
  const entry = {
    name: String(version.name),
    version: Number(version.version),
  };
  await service.loggedModels.merge(modelId, 'tags', tags => {
    let list: Array<{ name: string; version: number }> = [];
    try {
      const parsed = JSON.parse(tags[MODEL_VERSIONS_TAG] ?? '[]');
      if (Array.isArray(parsed)) list = parsed;
    } catch {
      // not MLflow's list: replaced by one
    }
    if (
      !list.some(v => v?.name === entry.name && v?.version === entry.version)
    ) {
      list = [...list, entry];
    }
    const json = list
      .map(
        v =>
          `{"name": ${JSON.stringify(v.name)}, "version": ${JSON.stringify(
            v.version,
          )}}`,
      )
      .join(', ');
    return { ...tags, [MODEL_VERSIONS_TAG]: `[${json}]` };
  });
}

const toNumber = (value: unknown, fallback: number) =>
  typeof value === 'number' || typeof value === 'string'
    ? Number(value)
    : fallback;
/** A dataset name or digest the columns hold (PostgreSQL refuses NUL). */
const fits = (value: unknown, max: number): value is string =>
  typeof value === 'string' && value.length <= max && !value.includes('\0');

/**
 * Metrics logged with a `model_id` (`runs/log-batch`, `runs/log-metric`)
 * are also the logged model's, as on MLflow's server; the route has
 * validated and logged them as the run's by the time this runs.
 */
async function logModelMetrics(
  service: ArtifactService,
  path: string,
  body: any,
) {
  if (!body || typeof body !== 'object') return;
  const runId = body.run_id ?? body.run_uuid;
  let metrics: any[] = [];
  if (path === '/runs/log-metric') metrics = [body];
  else if (Array.isArray(body.metrics)) metrics = body.metrics;
  const now = Date.now();
  const linked = metrics
    .filter(m => typeof m?.model_id === 'string' && MODEL_ID.test(m.model_id))
    .map(m => ({
      modelId: m.model_id as string,
      key: String(m.key),
      value: Number(m.value),
      timestamp: toNumber(m.timestamp, now),
      step: toNumber(m.step, 0),
      datasetName: fits(m.dataset_name, 500) ? m.dataset_name : undefined,
      datasetDigest: fits(m.dataset_digest, 36) ? m.dataset_digest : undefined,
    }));
  if (typeof runId === 'string' && linked.length > 0) {
    await service.loggedModels.logMetrics(runId, linked);
  }
}

/** Runs `then` once the route answered successfully, before the answer goes out. */
function beforeSuccessfulAnswer(
  res: express.Response,
  next: express.NextFunction,
  then: (body: any) => Promise<unknown>,
) {
  const send = res.json.bind(res);
  res.json = (body: unknown) => {
    if (res.statusCode >= 400 || !body || typeof body !== 'object') {
      return send(body);
    }
    then(body).then(() => send(body), next);
    return res;
  };
}

/**
 * Middleware for the MLflow endpoint's experiment, run, metric and
 * model-version routes that fills in the answers and requests as above;
 * mounted before the MLflow router.
 */
export function enrichMlflowResponses(
  service: ArtifactService,
): express.RequestHandler {
  return (req, res, next) => {
    if (req.method === 'POST' && req.path === '/model-versions/create') {
      versionJson(req, res, error => {
        if (error) {
          next(error);
          return;
        }
        beforeSuccessfulAnswer(res, next, answer =>
          tagModelVersion(service, req.body, answer),
        );
        versionRunOf(service, req.body).then(() => next(), next);
      });
      return;
    }
    if (
      req.method === 'POST' &&
      (req.path === '/runs/log-batch' || req.path === '/runs/log-metric')
    ) {
      beforeSuccessfulAnswer(res, next, () =>
        logModelMetrics(service, req.path, req.body),
      );
      next();
      return;
    }
    if (!ENRICHED_ROUTES.includes(req.path)) {
      next();
      return;
    }
    beforeSuccessfulAnswer(res, next, body => enrich(service, body));
    next();
  };
}
