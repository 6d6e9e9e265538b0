export { MlopsSourcesPanel } from './MlopsSourcesPanel';
