/**
 * Catalog backend module for MLOps: validates `backstage-mlops.dev/*`
 * annotations and mirrors MLOps store objects into the catalog.
 *
 * @packageDocumentation
 */

export { catalogModuleMlops as default } from './module';
export { MlopsAnnotationProcessor } from './processor/MlopsAnnotationProcessor';
export type { DeclarationListener } from './processor/MlopsAnnotationProcessor';
export { MlopsEntityProvider } from './provider/MlopsEntityProvider';
export { DeclaredEntityIndex } from './provider/DeclaredEntityIndex';
export type { EntityIndexSnapshot } from './provider/DeclaredEntityIndex';
export { MlopsObjectsClient } from './provider/MlopsObjectsClient';
export type { MlopsObjectsSource } from './provider/MlopsObjectsClient';
export { objectToEntity } from './provider/objectToEntity';
export { entityNameFor } from './provider/entityNames';
