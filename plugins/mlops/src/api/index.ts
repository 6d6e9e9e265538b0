export { mlopsApiRef } from './MlopsApi';
export type { MlopsApi } from './MlopsApi';
export { MlopsClient } from './MlopsClient';
