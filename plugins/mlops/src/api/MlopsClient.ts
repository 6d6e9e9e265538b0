import { CompoundEntityRef } from '@backstage/catalog-model';
import { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import { EntityHealthSummary } from '@backstage-mlops/plugin-mlops-common';
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
