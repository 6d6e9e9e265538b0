/**
 * Catalog backend module for MLOps: validates `backstage-mlops.dev/*`
 * annotations and mirrors MLOps store objects into the catalog.
 *
 * @packageDocumentation
 */

export { catalogModuleMlops as default } from './module';
export { MlopsAnnotationProcessor } from './processor/MlopsAnnotationProcessor';
