export { EntityMlopsDeploymentsCard } from './EntityMlopsDeploymentsCard';
