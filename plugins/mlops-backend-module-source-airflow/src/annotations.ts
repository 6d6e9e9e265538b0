/**
 * The DAG (or DAGs, comma-separated) whose runs an entity's pipeline shows.
 *
 * @public
 */
export const ANNOTATION_AIRFLOW_DAG_ID = 'airflow.apache.org/dag-id';

/**
 * Which `mlops.sources.airflow` instance the DAG runs on, by name; without
 * it, the first configured instance.
 *
 * @public
 */
export const ANNOTATION_AIRFLOW_INSTANCE =
  'backstage-mlops.dev/airflow-instance';

/** The MLOps pipeline annotation, whose value names the store's pipeline. */
export const ANNOTATION_MLOPS_PIPELINE = 'backstage-mlops.dev/pipeline';
