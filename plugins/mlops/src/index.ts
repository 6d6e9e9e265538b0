/**
 * Backstage MLOps frontend plugin: entity cards and pages for ML models,
 * experiments and pipelines.
 *
 * @packageDocumentation
 */

export { mlopsPlugin, EntityMlopsHealthCard } from './plugin';
export { EntityMlopsMetricsCard } from './plugin';
export { hasMlopsModelAnnotation } from './components/EntityMlopsMetricsCard/conditions';
export { EntityMlopsIncidentsCard } from './plugin';
export { EntityMlopsTeamCard } from './plugin';
export { EntityMlopsExperimentRunsCard } from './plugin';
export { isMlopsExperimentAvailable } from './components/EntityMlopsExperimentRunsCard/conditions';
export { EntityMlopsDriftCard } from './plugin';
export { isMlopsModel } from './components/EntityMlopsDriftCard/isMlopsModel';
export { EntityMlopsTriageCard } from './plugin';
export { EntityMlopsModelVersionsCard } from './plugin';
export { MlopsPage } from './plugin';
export { mlopsRootRouteRef } from './routes';
export { EntityMlopsDeploymentsCard } from './plugin';
export { isMlopsDeploymentsAvailable } from './components/EntityMlopsDeploymentsCard/conditions';
export { EntityMlopsPipelineRunsCard } from './plugin';
export { isMlopsPipelineRunsAvailable } from './components/EntityMlopsPipelineRunsCard/conditions';
export { mlopsApiRef, MlopsClient } from './api';
export type { MlopsApi } from './api';
export { isMlopsAvailable } from './conditions';
