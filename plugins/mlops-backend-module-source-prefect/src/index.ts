/**
 * MLOps backend module: Prefect 3 as a pipelines source. Flow runs and task
 * runs become the portal's pipeline runs and stages.
 *
 * @packageDocumentation
 */

export { mlopsModuleSourcePrefect as default } from './module';
export { createPrefectSource } from './PrefectSource';
export {
  ANNOTATION_PREFECT_DEPLOYMENT,
  ANNOTATION_PREFECT_FLOW_NAME,
  ANNOTATION_PREFECT_INSTANCE,
} from './annotations';
