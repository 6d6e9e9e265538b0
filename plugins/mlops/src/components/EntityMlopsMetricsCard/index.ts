export { EntityMlopsMetricsCard } from './EntityMlopsMetricsCard';
