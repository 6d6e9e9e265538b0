import { CompoundEntityRef } from '@backstage/catalog-model';
import { createApiRef } from '@backstage/core-plugin-api';
import type { MlopsSourcesResponse } from '@backstage-mlops/plugin-mlops-common';
import { EntityHealthSummary } from '@backstage-mlops/plugin-mlops-common';
import type {
  EntityDeploymentsResponse,
  EntityPipelineRunsResponse,
  MlopsDeployment,
  MlopsPipelineRun,
} from '@backstage-mlops/plugin-mlops-common';
import type {
  MlopsEntityMetrics,
  MlopsMetricsWindow,
} from '@backstage-mlops/plugin-mlops-common';
import type { MlopsIncident } from '@backstage-mlops/plugin-mlops-common';
import type { EntityIncidentsResponse } from '@backstage-mlops/plugin-mlops-common';
import type {
  EntityExperimentsResponse,
  MetricHistory,
  RunComparison,
} from '@backstage-mlops/plugin-mlops-common';
import type { EntityDriftView } from '@backstage-mlops/plugin-mlops-common';
import type {
  EntityModelsResponse,
  ModelStage,
  ModelVersion,
  ModelVersionComparison,
  RetentionResult,
} from '@backstage-mlops/plugin-mlops-common';
import type {
  EntityTriage,
  FleetQuery,
  FleetResponse,
  TriageCategory,
  TriageEntry,
  TriageEntryList,
} from '@backstage-mlops/plugin-mlops-common';

/**
 * The MLOps backend as the frontend sees it.
 *
 * @public
 */
export interface MlopsApi {
  /** Health of an entity and the MLOps objects its annotations link to. */
  getEntitySummary(entity: CompoundEntityRef): Promise<EntityHealthSummary>;
  /** Prediction metrics of the models the entity links to, over a window. */
  getEntityMetrics(
    entity: CompoundEntityRef,
    options?: { window?: MlopsMetricsWindow; environment?: string },
  ): Promise<MlopsEntityMetrics>;
  /**
   * Open incidents first, then recently resolved ones, of the objects the
   * entity links to. Optional: cards show incidents only when it exists.
   */
  getEntityIncidents?(
    entity: CompoundEntityRef,
  ): Promise<EntityIncidentsResponse>;
  /** One incident with its timeline. */
  getIncident(id: string): Promise<MlopsIncident>;
  /** Acknowledges an open incident as the signed-in user. */
  acknowledgeIncident(id: string, note?: string): Promise<MlopsIncident>;
  /** Resolves an incident by hand as the signed-in user. */
  resolveIncident(id: string, note?: string): Promise<MlopsIncident>;
  /** The experiments the entity links to, each with its most recent runs. */
  getEntityExperiments(
    entity: CompoundEntityRef,
  ): Promise<EntityExperimentsResponse>;
  /** Every logged value of one metric of a run, by step. */
  getMetricHistory(runId: string, key: string): Promise<MetricHistory>;
  /** Params and latest metrics of several runs side by side. */
  compareRuns(runIds: string[]): Promise<RunComparison>;
  /** Latest drift report and drift share over time of each model the entity links to. */
  getEntityDrift(entity: CompoundEntityRef): Promise<EntityDriftView>;
  /** Knowledge base entries matching the entity's current problems, with filled commands. */
  getEntityTriage(entity: CompoundEntityRef): Promise<EntityTriage>;
  /** Full-text search over the triage knowledge base. */
  searchTriageEntries(query: {
    q?: string;
    category?: TriageCategory;
  }): Promise<TriageEntryList>;
  /** One triage knowledge base entry. */
  getTriageEntry(id: string): Promise<TriageEntry>;
  /**
   * One page of the registered models with their owner, health and
   * operational state, filtered and sorted by the backend.
   */
  getFleet(query?: FleetQuery): Promise<FleetResponse>;
  /** Each configured source instance (`mlops.sources`) with its sync status. */
  getSources(): Promise<MlopsSourcesResponse>;
  /** The registered models the entity's annotations link to, with versions, aliases and history. */
  getEntityModels(entity: CompoundEntityRef): Promise<EntityModelsResponse>;
  /** Moves a model version to another stage, recorded in the model's history. */
  transitionModelVersionStage(request: {
    model: string;
    version: number;
    stage: ModelStage;
    archiveExisting?: boolean;
    reason?: string;
  }): Promise<{ version: ModelVersion; archived: number[] }>;
  /** Puts the previous Production version of a model back in Production. */
  rollbackModel(request: {
    model: string;
    reason: string;
  }): Promise<{ from: number; to: number; version: ModelVersion }>;
  /**
   * Points an alias (champion, challenger…) of a model at a version, moving
   * it from the version it was on; recorded in the model's history.
   */
  setModelAlias(request: {
    model: string;
    alias: string;
    version: number;
    reason?: string;
  }): Promise<ModelVersion>;
  /** Removes an alias from a model; recorded in the model's history. */
  deleteModelAlias(request: {
    model: string;
    alias: string;
    reason?: string;
  }): Promise<void>;
  /** Two versions of a model metric by metric, with the better one per metric. */
  compareModelVersions(request: {
    model: string;
    a: number;
    b: number;
  }): Promise<ModelVersionComparison>;
  /**
   * Deletes a model's versions beyond the newest `keep`, except those in
   * Production or Staging, aliased or deployed; with `dryRun`, only says
   * which it would delete.
   */
  applyModelRetention(request: {
    model: string;
    keep: number;
    dryRun: boolean;
  }): Promise<RetentionResult>;
  /** Current version per environment and deployment history of the entity's models. */
  getEntityDeployments(
    entity: CompoundEntityRef,
  ): Promise<EntityDeploymentsResponse>;
  /** Deploys a model version to an environment. */
  deployModel(request: {
    model: string;
    version: number;
    environment: string;
  }): Promise<MlopsDeployment>;
  /** Re-deploys the last version that succeeded in the environment. */
  rollbackDeployment(request: {
    model: string;
    environment: string;
    reason: string;
  }): Promise<MlopsDeployment>;
  /** Recent runs, with stages, of the pipelines the entity links to. */
  getEntityPipelineRuns(
    entity: CompoundEntityRef,
  ): Promise<EntityPipelineRunsResponse>;
  /** Asks for a run of a pipeline (recorded as SCHEDULED for the orchestrator). */
  requestPipelineRun(request: {
    pipeline: string;
    reason: string;
  }): Promise<MlopsPipelineRun>;
}

/**
 * Reference to the {@link MlopsApi}.
 *
 * @public
 */
export const mlopsApiRef = createApiRef<MlopsApi>({
  id: 'plugin.mlops.service',
});
