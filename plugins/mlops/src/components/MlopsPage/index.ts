export { MlopsPage, MlopsPageContent } from './MlopsPage';
