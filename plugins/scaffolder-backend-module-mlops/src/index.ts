/**
 * Scaffolder backend module for MLOps: the `mlops:pipeline:register` action.
 *
 * @packageDocumentation
 */

export { scaffolderModuleMlops as default } from './module';
export { createMlopsActions, createPipelineRegisterAction } from './actions';
