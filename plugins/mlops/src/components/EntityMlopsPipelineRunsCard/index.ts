export { EntityMlopsPipelineRunsCard } from './EntityMlopsPipelineRunsCard';
