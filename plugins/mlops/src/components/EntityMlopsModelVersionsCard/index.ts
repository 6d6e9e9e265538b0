export { EntityMlopsModelVersionsCard } from './EntityMlopsModelVersionsCard';
