/**
 * Annotation that links an entity to a registered model in the MLOps store.
 * The value is the registered model name.
 *
 * @public
 */
export const ANNOTATION_MLOPS_MODEL = 'backstage-mlops.dev/model';

/**
 * Annotation that links an entity to a pipeline definition. The value is the
 * pipeline name.
 *
 * @public
 */
export const ANNOTATION_MLOPS_PIPELINE = 'backstage-mlops.dev/pipeline';

/**
 * Annotation that links an entity to an experiment. The value is the
 * experiment name.
 *
 * @public
 */
export const ANNOTATION_MLOPS_EXPERIMENT = 'backstage-mlops.dev/experiment';

/**
 * Optional context annotations: the URL a model is served from, the tracking
 * UI it logs to, and the orchestrator that runs a pipeline.
 *
 * @public
 */
export const ANNOTATION_MLOPS_SERVING_URL = 'backstage-mlops.dev/serving-url';
/** @public */
export const ANNOTATION_MLOPS_MLFLOW_URL = 'backstage-mlops.dev/mlflow-url';
/** @public */
export const ANNOTATION_MLOPS_ORCHESTRATOR = 'backstage-mlops.dev/orchestrator';
/** @public */
export const ANNOTATION_MLOPS_LATENCY_P95_MS =
  'backstage-mlops.dev/latency-p95-ms';

/**
 * Per-entity overrides of the health thresholds in `mlops.thresholds`: the
 * error rate (0..1), the relative accuracy drop (0..1), and the hours
 * without a successful pipeline run after which its data is stale.
 *
 * @public
 */
export const ANNOTATION_MLOPS_ERROR_RATE = 'backstage-mlops.dev/error-rate';
/** @public */
export const ANNOTATION_MLOPS_ACCURACY_DROP =
  'backstage-mlops.dev/accuracy-drop';
/** @public */
export const ANNOTATION_MLOPS_PIPELINE_STALE_HOURS =
  'backstage-mlops.dev/pipeline-stale-hours';

/**
 * The prefix every MLOps annotation shares; an entity with any of them gets
 * the MLOps cards.
 *
 * @public
 */
export const MLOPS_ANNOTATION_PREFIX = 'backstage-mlops.dev/';

/**
 * The annotations that link an entity to an object in the MLOps store, keyed
 * by the kind of object.
 *
 * @public
 */
export const MLOPS_OBJECT_ANNOTATIONS = {
  model: ANNOTATION_MLOPS_MODEL,
  pipeline: ANNOTATION_MLOPS_PIPELINE,
  experiment: ANNOTATION_MLOPS_EXPERIMENT,
} as const;

/**
 * The kind of MLOps object an entity can be linked to.
 *
 * @public
 */
export type MlopsObjectKind = keyof typeof MLOPS_OBJECT_ANNOTATIONS;

/**
 * MLflow's registered model name, on an entity whose model lives in an
 * MLflow server the portal mirrors (`mlops.sources.mlflow`). Links the entity
 * like `backstage-mlops.dev/model`.
 *
 * @public
 */
export const ANNOTATION_MLFLOW_REGISTERED_MODEL = 'mlflow.org/registered-model';

/**
 * MLflow's experiment name; links the entity like
 * `backstage-mlops.dev/experiment`.
 *
 * @public
 */
export const ANNOTATION_MLFLOW_EXPERIMENT_NAME = 'mlflow.org/experiment-name';

/**
 * Which configured MLflow instance (`mlops.sources.mlflow[].name`) the
 * entity's MLflow annotations mean; default the first.
 *
 * @public
 */
export const ANNOTATION_MLOPS_MLFLOW_INSTANCE =
  'backstage-mlops.dev/mlflow-instance';

/**
 * Orchestrator annotations that name the pipeline an entity's runs come
 * from: an Airflow DAG id, a Prefect deployment (`<flow>/<deployment>`) or
 * flow. The pull sources write the runs under the entity's
 * `backstage-mlops.dev/pipeline` name when it has one, otherwise under the
 * annotation's value, so these link the entity only when it has no
 * `backstage-mlops.dev/pipeline`.
 *
 * @public
 */
export const ANNOTATION_AIRFLOW_DAG_ID = 'airflow.apache.org/dag-id';
/** @public */
export const ANNOTATION_PREFECT_DEPLOYMENT = 'prefect.io/deployment';
/** @public */
export const ANNOTATION_PREFECT_FLOW_NAME = 'prefect.io/flow-name';

/**
 * The orchestrator annotations of {@link ANNOTATION_AIRFLOW_DAG_ID}, in the
 * order their values are linked.
 *
 * @public
 */
export const PIPELINE_ORCHESTRATOR_ANNOTATIONS: readonly string[] = [
  ANNOTATION_AIRFLOW_DAG_ID,
  ANNOTATION_PREFECT_DEPLOYMENT,
  ANNOTATION_PREFECT_FLOW_NAME,
];

/**
 * Every annotation that links an entity to an object of a kind: the
 * portal's own first, then those of source systems naming the same object
 * (MLflow's), so a model mirrored from MLflow and annotated only
 * `mlflow.org/registered-model` is linked, and claimed, like a pushed one.
 *
 * @public
 */
export const MLOPS_OBJECT_LINK_ANNOTATIONS: Record<
  MlopsObjectKind,
  readonly string[]
> = {
  model: [ANNOTATION_MLOPS_MODEL, ANNOTATION_MLFLOW_REGISTERED_MODEL],
  pipeline: [ANNOTATION_MLOPS_PIPELINE],
  experiment: [ANNOTATION_MLOPS_EXPERIMENT, ANNOTATION_MLFLOW_EXPERIMENT_NAME],
};

/**
 * The store objects an entity's annotations name, by kind, each name once;
 * a value may list several names separated by commas.
 *
 * @public
 */
export function mlopsObjectLinksOf(entity: {
  metadata: { annotations?: Record<string, string> };
}): Array<{ kind: MlopsObjectKind; name: string }> {
  const annotations = entity.metadata.annotations ?? {};
  const links: Array<{ kind: MlopsObjectKind; name: string }> = [];
  const seen = new Set<string>();
  const linkKeys = Object.entries(MLOPS_OBJECT_LINK_ANNOTATIONS).map(
    ([kind, keys]) =>
      [
        kind,
        kind === 'pipeline' && !annotations[ANNOTATION_MLOPS_PIPELINE]?.trim()
          ? [...keys, ...PIPELINE_ORCHESTRATOR_ANNOTATIONS]
          : keys,
      ] as const,
  );
  for (const [kind, keys] of linkKeys) {
    for (const key of keys) {
      for (const raw of (annotations[key] ?? '').split(',')) {
        const name = raw.trim();
        if (name && !seen.has(`${kind}:${name}`)) {
          seen.add(`${kind}:${name}`);
          links.push({ kind: kind as MlopsObjectKind, name });
        }
      }
    }
  }
  return links;
}

/**
 * Returns true when the entity carries any `backstage-mlops.dev/*` annotation,
 * or an MLflow, Airflow or Prefect annotation that links it to a mirrored
 * object.
 *
 * @public
 */
export function hasMlopsAnnotation(entity: {
  metadata: { annotations?: Record<string, string> };
}): boolean {
  return Object.keys(entity.metadata.annotations ?? {}).some(
    key =>
      key.startsWith(MLOPS_ANNOTATION_PREFIX) ||
      key === ANNOTATION_MLFLOW_REGISTERED_MODEL ||
      key === ANNOTATION_MLFLOW_EXPERIMENT_NAME ||
      PIPELINE_ORCHESTRATOR_ANNOTATIONS.includes(key),
  );
}
