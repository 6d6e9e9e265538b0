/**
 * Scaffolder backend module for MLOps.
 *
 * @packageDocumentation
 */

export { scaffolderModuleMlops as default } from './module';
