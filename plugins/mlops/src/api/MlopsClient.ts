import { CompoundEntityRef } from '@backstage/catalog-model';
import { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
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
import type {
  EntityExperimentsResponse,
  MetricHistory,
  RunComparison,
} from '@backstage-mlops/plugin-mlops-common';
import { MlopsApi } from './MlopsApi';

/**
 * Talks to the MLOps backend plugin through the discovery and fetch APIs, so
 * the caller's Backstage credentials travel with every request.
 *
 * @public
 */
export class MlopsClient implements MlopsApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  async getEntitySummary(
    entity: CompoundEntityRef,
  ): Promise<EntityHealthSummary> {
    return this.get(`${entityPath(entity)}/summary`);
  }

  async getEntityIncidents(
    entity: CompoundEntityRef,
  ): Promise<EntityIncidentsResponse> {
    return this.get(`${entityPath(entity)}/incidents`);
  }

  async getIncident(id: string): Promise<MlopsIncident> {
    return this.get(`/incidents/${encodeURIComponent(id)}`);
  }

  async acknowledgeIncident(id: string, note?: string): Promise<MlopsIncident> {
    return this.incidentAction(id, 'acknowledge', note);
  }

  async resolveIncident(id: string, note?: string): Promise<MlopsIncident> {
    return this.incidentAction(id, 'resolve', note);
  }

  private async incidentAction(
    id: string,
    action: 'acknowledge' | 'resolve',
    note?: string,
  ): Promise<MlopsIncident> {
    const baseUrl = await this.discoveryApi.getBaseUrl('mlops');
    const response = await this.fetchApi.fetch(
      `${baseUrl}/incidents/${encodeURIComponent(id)}/${action}`,
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(note ? { note } : {}),
      },
    );
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as MlopsIncident;
  }

  async getEntityExperiments(
    entity: CompoundEntityRef,
  ): Promise<EntityExperimentsResponse> {
    return this.get(`${entityPath(entity)}/experiments`);
  }

  async getMetricHistory(runId: string, key: string): Promise<MetricHistory> {
    // Keys may hold slashes ("train/loss"); the route takes the rest of the path.
    const path = key.split('/').map(encodeURIComponent).join('/');
    return this.get(`/runs/${encodeURIComponent(runId)}/metrics/${path}`);
  }

  async compareRuns(runIds: string[]): Promise<RunComparison> {
    const ids = runIds.map(encodeURIComponent).join(',');
    return this.get(`/runs/compare?ids=${ids}`);
  }

  async getEntityTriage(entity: CompoundEntityRef): Promise<EntityTriage> {
    return this.get(`${entityPath(entity)}/triage`);
  }

  async searchTriageEntries(query: {
    q?: string;
    category?: TriageCategory;
  }): Promise<TriageEntryList> {
    const params = new URLSearchParams();
    if (query.q?.trim()) {
      params.set('q', query.q.trim());
    }
    if (query.category) {
      params.set('category', query.category);
    }
    const search = params.toString();
    return this.get(`/triage/entries${search ? `?${search}` : ''}`);
  }

  async getTriageEntry(id: string): Promise<TriageEntry> {
    return this.get(`/triage/entries/${encodeURIComponent(id)}`);
  }

  async getFleet(query: FleetQuery = {}): Promise<FleetResponse> {
    const params = new URLSearchParams();
    if (query.owner) {
      params.set('owner', query.owner);
    }
    if (query.status?.length) {
      params.set('status', query.status.join(','));
    }
    for (const key of ['sort', 'order', 'offset', 'limit'] as const) {
      if (query[key] !== undefined) {
        params.set(key, String(query[key]));
      }
    }
    const search = params.toString();
    return this.get(`/fleet${search ? `?${search}` : ''}`);
  }

  async getSources(): Promise<MlopsSourcesResponse> {
    return this.get('/sources');
  }

  async getEntityModels(
    entity: CompoundEntityRef,
  ): Promise<EntityModelsResponse> {
    return this.get(`${entityPath(entity)}/models`);
  }

  async transitionModelVersionStage(request: {
    model: string;
    version: number;
    stage: ModelStage;
    archiveExisting?: boolean;
    reason?: string;
  }): Promise<{ version: ModelVersion; archived: number[] }> {
    const { model, version, ...body } = request;
    return this.sendJson(
      'POST',
      `/models/${encodeURIComponent(model)}/versions/${version}/stage`,
      body,
    );
  }

  async rollbackModel(request: {
    model: string;
    reason: string;
  }): Promise<{ from: number; to: number; version: ModelVersion }> {
    return this.sendJson(
      'POST',
      `/models/${encodeURIComponent(request.model)}/rollback`,
      { reason: request.reason },
    );
  }

  async setModelAlias(request: {
    model: string;
    alias: string;
    version: number;
    reason?: string;
  }): Promise<ModelVersion> {
    const { model, alias, ...body } = request;
    return this.sendJson(
      'PUT',
      `/models/${encodeURIComponent(model)}/aliases/${encodeURIComponent(
        alias,
      )}`,
      body,
    );
  }

  async deleteModelAlias(request: {
    model: string;
    alias: string;
    reason?: string;
  }): Promise<void> {
    const baseUrl = await this.discoveryApi.getBaseUrl('mlops');
    const query = request.reason
      ? `?${new URLSearchParams({ reason: request.reason })}`
      : '';
    const response = await this.fetchApi.fetch(
      `${baseUrl}/models/${encodeURIComponent(
        request.model,
      )}/aliases/${encodeURIComponent(request.alias)}${query}`,
      { method: 'DELETE' },
    );
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
  }

  async compareModelVersions(request: {
    model: string;
    a: number;
    b: number;
  }): Promise<ModelVersionComparison> {
    const query = new URLSearchParams({
      a: String(request.a),
      b: String(request.b),
    });
    return this.get(
      `/models/${encodeURIComponent(request.model)}/compare?${query}`,
    );
  }

  async applyModelRetention(request: {
    model: string;
    keep: number;
    dryRun: boolean;
  }): Promise<RetentionResult> {
    return this.sendJson(
      'POST',
      `/models/${encodeURIComponent(request.model)}/retention`,
      { keep: request.keep, dryRun: request.dryRun },
    );
  }

  private async sendJson<T>(
    method: 'POST' | 'PUT' | 'PATCH',
    path: string,
    body: unknown,
  ): Promise<T> {
    const baseUrl = await this.discoveryApi.getBaseUrl('mlops');
    const response = await this.fetchApi.fetch(`${baseUrl}${path}`, {
      method,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }

  async getEntityDrift(entity: CompoundEntityRef): Promise<EntityDriftView> {
    return this.get(`${entityPath(entity)}/drift`);
  }

  async getEntityMetrics(
    entity: CompoundEntityRef,
    options: { window?: MlopsMetricsWindow; environment?: string } = {},
  ): Promise<MlopsEntityMetrics> {
    const query = new URLSearchParams();
    if (options.window) {
      query.set('window', options.window);
    }
    if (options.environment) {
      query.set('environment', options.environment);
    }
    const suffix = query.toString() ? `?${query}` : '';
    return this.get(`${entityPath(entity)}/metrics${suffix}`);
  }

  async getEntityDeployments(
    entity: CompoundEntityRef,
  ): Promise<EntityDeploymentsResponse> {
    return this.get(`${entityPath(entity)}/deployments`);
  }

  async deployModel(request: {
    model: string;
    version: number;
    environment: string;
  }): Promise<MlopsDeployment> {
    const { model, ...body } = request;
    return this.sendJson(
      'POST',
      `/models/${encodeURIComponent(model)}/deployments`,
      body,
    );
  }

  async rollbackDeployment(request: {
    model: string;
    environment: string;
    reason: string;
  }): Promise<MlopsDeployment> {
    const { model, ...body } = request;
    return this.sendJson(
      'POST',
      `/models/${encodeURIComponent(model)}/deployments/rollback`,
      body,
    );
  }

  async getEntityPipelineRuns(
    entity: CompoundEntityRef,
  ): Promise<EntityPipelineRunsResponse> {
    return this.get(`${entityPath(entity)}/pipeline-runs`);
  }

  async requestPipelineRun(request: {
    pipeline: string;
    reason: string;
  }): Promise<MlopsPipelineRun> {
    return this.sendJson(
      'POST',
      `/pipelines/${encodeURIComponent(request.pipeline)}/runs/request`,
      { reason: request.reason },
    );
  }

  private async get<T>(path: string): Promise<T> {
    const baseUrl = await this.discoveryApi.getBaseUrl('mlops');
    const response = await this.fetchApi.fetch(`${baseUrl}${path}`);
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }
}

function entityPath(entity: CompoundEntityRef): string {
  return `/entities/${[entity.kind, entity.namespace, entity.name]
    .map(encodeURIComponent)
    .join('/')}`;
}
