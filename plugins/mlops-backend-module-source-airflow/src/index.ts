/**
 * MLOps backend module: Airflow 3 (`/api/v2`) and Airflow 2 (`/api/v1`) as
 * pipelines sources. DAG runs and task instances become the portal's
 * pipeline runs and stages.
 *
 * @packageDocumentation
 */

export { mlopsModuleSourceAirflow as default } from './module';
export { createAirflowSource } from './AirflowSource';
export {
  ANNOTATION_AIRFLOW_DAG_ID,
  ANNOTATION_AIRFLOW_INSTANCE,
} from './annotations';
