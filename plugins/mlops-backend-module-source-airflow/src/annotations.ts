/**
 * The DAG (or DAGs, comma-separated) whose runs an entity's pipeline shows;
 * defined with the other link annotations in mlops-common.
 *
 * @public
 */
export {
  ANNOTATION_AIRFLOW_DAG_ID,
  ANNOTATION_MLOPS_PIPELINE,
} from '@backstage-mlops/plugin-mlops-common';

/**
 * Which `mlops.sources.airflow` instance the DAG runs on, by name; without
 * it, the first configured instance.
 *
 * @public
 */
export const ANNOTATION_AIRFLOW_INSTANCE =
  'backstage-mlops.dev/airflow-instance';
