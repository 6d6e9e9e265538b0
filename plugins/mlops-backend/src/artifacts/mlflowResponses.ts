import express from 'express';
import { ArtifactService } from './ArtifactService';
import { RunDatasetInput } from './DatasetStore';

/*
 * The MLflow tracking routes answer experiments and runs in MLflow's shape
 * with the default proxied locations. Two things only the artifacts
 * capability knows are filled in on their way out: the location an
 * experiment asked for at creation (and so its runs' artifact URIs), and
 * the datasets each run logged. Doing it here keeps MLflow's tracking shapes
 * in one module and where artifacts live in another.
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
  const locations = await service.locations.experimentLocations([
    ...experiments.map(e => e.experiment_id),
    ...infos.map(i => i.experiment_id),
  ]);
  for (const experiment of experiments) {
    experiment.artifact_location = locations.get(experiment.experiment_id);
  }
  const uris = await service.runUris(
    infos.map(i => ({ id: i.run_id, experimentId: i.experiment_id })),
  );
  for (const info of infos) {
    info.artifact_uri = uris.get(info.run_id);
  }
  if (runs.length > 0) {
    const ids = runs.map(r => r.info.run_id);
    const outputs = await service.loggedModels.outputsOf(ids);
    for (const run of runs) {
      const models = outputs.get(run.info.run_id);
      if (models) {
        (run as { outputs?: unknown }).outputs = {
          model_outputs: models.map(model_id => ({ model_id, step: 0 })),
        };
      }
    }
    const inputs = await service.inputsOf(ids);
    for (const run of runs) {
      const datasets = inputs.get(run.info.run_id);
      if (datasets) {
        run.inputs = {
          ...run.inputs,
          dataset_inputs: datasets.map(datasetInputJson),
        };
      }
    }
  }
  return body;
}

/**
 * Middleware for the MLflow endpoint's experiment and run routes that fills
 * in the answers as above; mounted before the MLflow router.
 */
export function enrichMlflowResponses(
  service: ArtifactService,
): express.RequestHandler {
  return (req, res, next) => {
    if (!ENRICHED_ROUTES.includes(req.path)) {
      next();
      return;
    }
    const send = res.json.bind(res);
    res.json = (body: unknown) => {
      if (res.statusCode >= 400 || !body || typeof body !== 'object') {
        return send(body);
      }
      enrich(service, body).then(send, next);
      return res;
    };
    next();
  };
}
