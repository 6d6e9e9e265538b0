/**
 * MLOps backend module: an MLflow tracking server as a source. Experiments,
 * runs, registered models, versions, stages and aliases are mirrored into
 * the portal's store, so the MLOps cards show a model that lives in MLflow.
 *
 * @packageDocumentation
 */

export { mlopsModuleSourceMlflow as default } from './module';
export {
  MLFLOW_SOURCE_TYPE,
  MlflowInstance,
  createMlflowSource,
} from './MlflowSource';
export { mlflowSignature, REPLAY_WINDOW_SECONDS } from './webhooks';
