/**
 * Search backend module for MLOps: models, pipelines and experiments with
 * their health and Production version, and the triage guide, in the
 * portal's search under the type `mlops`.
 *
 * @packageDocumentation
 */

export { searchModuleMlopsCollator as default } from './module';
export { MlopsCollatorFactory } from './collators/MlopsCollatorFactory';
export type { MlopsIndexableDocument } from './collators/MlopsCollatorFactory';
export { MlopsApiReader } from './collators/MlopsApiReader';
export type { MlopsIndexSource } from './collators/MlopsApiReader';
