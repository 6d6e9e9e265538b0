export { EntityMlopsExperimentRunsCard } from './EntityMlopsExperimentRunsCard';
export { isMlopsExperimentAvailable } from './conditions';
