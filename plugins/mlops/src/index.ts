/**
 * Backstage MLOps frontend plugin: entity cards and pages for ML models,
 * experiments and pipelines.
 *
 * @packageDocumentation
 */

export { mlopsPlugin, EntityMlopsHealthCard } from './plugin';
export { EntityMlopsMetricsCard } from './plugin';
export { EntityMlopsIncidentsCard } from './plugin';
export { EntityMlopsTeamCard } from './plugin';
export { EntityMlopsExperimentRunsCard } from './plugin';
export { EntityMlopsDriftCard } from './plugin';
export { EntityMlopsTriageCard } from './plugin';
export { EntityMlopsModelVersionsCard } from './plugin';
export { MlopsPage } from './plugin';
export { mlopsRootRouteRef } from './routes';
export { EntityMlopsDeploymentsCard } from './plugin';
export { EntityMlopsPipelineRunsCard } from './plugin';
export { EntityMlopsContent, EntityMlopsSummaryCard } from './plugin';
export { mlopsApiRef, MlopsClient } from './api';
export type { MlopsApi } from './api';
export {
  isMlopsAvailable,
  isMlopsExperimentAvailable,
  isMlopsModelAvailable,
  isMlopsPipelineAvailable,
  isMlopsTeamAvailable,
} from './conditions';
export { MlopsSearchResultListItem } from './components/MlopsSearchResultListItem';
export type { MlopsSearchResultListItemProps } from './components/MlopsSearchResultListItem';
