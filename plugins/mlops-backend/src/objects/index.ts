export { MlopsObjectStore } from './MlopsObjectStore';
export type {
  MlopsObjectInput,
  MlopsObjectRecord,
  ModelObjectInput,
  PipelineObjectInput,
  PipelineRegistration,
} from './MlopsObjectStore';
export { MlopsObjectService } from './MlopsObjectService';
export type { ProductionVersionSource } from './MlopsObjectService';
export { ObjectChangeNotifier } from '../shared/ObjectChangeNotifier';
export { createObjectsRouter } from './router';
export type { ObjectsRouterOptions } from './router';
