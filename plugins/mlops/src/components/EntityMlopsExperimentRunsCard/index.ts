export { EntityMlopsExperimentRunsCard } from './EntityMlopsExperimentRunsCard';
