import { AuthService, DiscoveryService } from '@backstage/backend-plugin-api';
import { CompoundEntityRef } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import {
  EntityHealthSummary,
  FLEET_MAX_PAGE_SIZE,
  FleetModel,
  FleetResponse,
} from '@backstage-mlops/plugin-mlops-common';

/** What the collator reads from the MLOps backend. */
export interface MlopsIndexSource {
  /** Every registered model with its health and Production version. */
  fleet(): Promise<FleetModel[]>;
  /** The health of one entity (pipelines and experiments). */
  health(entity: CompoundEntityRef): Promise<EntityHealthSummary>;
}

/**
 * Reads the MLOps backend's HTTP API (`/fleet`, `/entities/.../summary`)
 * with the search plugin's own service credentials, so the index holds what
 * the portal's own pages show; who may see a result is decided when
 * searching, by the catalog's read permission on the entity.
 */
export class MlopsApiReader implements MlopsIndexSource {
  constructor(
    private readonly options: {
      discovery: DiscoveryService;
      auth: AuthService;
    },
  ) {}

  async fleet(): Promise<FleetModel[]> {
    const models: FleetModel[] = [];
    for (let offset = 0; ; offset += FLEET_MAX_PAGE_SIZE) {
      const page: FleetResponse = await this.get(
        `/fleet?sort=name&offset=${offset}&limit=${FLEET_MAX_PAGE_SIZE}`,
      );
      models.push(...page.items);
      if (page.items.length < FLEET_MAX_PAGE_SIZE) {
        return models;
      }
    }
  }

  async health(entity: CompoundEntityRef): Promise<EntityHealthSummary> {
    const path = [entity.kind, entity.namespace, entity.name]
      .map(part => encodeURIComponent(part.toLocaleLowerCase('en-US')))
      .join('/');
    return this.get(`/entities/${path}/summary`);
  }

  private async get<T>(path: string): Promise<T> {
    const { discovery, auth } = this.options;
    const { token } = await auth.getPluginRequestToken({
      onBehalfOf: await auth.getOwnServiceCredentials(),
      targetPluginId: 'mlops',
    });
    const response = await fetch(
      `${await discovery.getBaseUrl('mlops')}${path}`,
      {
        headers: { Authorization: `Bearer ${token}` },
      },
    );
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }
}
