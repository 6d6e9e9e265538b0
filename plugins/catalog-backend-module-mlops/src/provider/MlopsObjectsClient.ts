import { AuthService, DiscoveryService } from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  MlopsObjectKind,
  MlopsStoreObject,
} from '@backstage-mlops/plugin-mlops-common';

/** Where the provider reads store objects from. */
export interface MlopsObjectsSource {
  /** Base URL of the MLOps backend (for location annotations). */
  baseUrl(): Promise<string>;
  listObjects(): Promise<MlopsStoreObject[]>;
  /** One object, or undefined when the store no longer has it. */
  getObject(
    kind: MlopsObjectKind,
    name: string,
  ): Promise<MlopsStoreObject | undefined>;
}

/**
 * Reads store objects from the MLOps backend's `/objects` routes with the
 * catalog's own service credentials.
 */
export class MlopsObjectsClient implements MlopsObjectsSource {
  private readonly discovery: DiscoveryService;
  private readonly auth: AuthService;

  constructor(options: { discovery: DiscoveryService; auth: AuthService }) {
    this.discovery = options.discovery;
    this.auth = options.auth;
  }

  async baseUrl(): Promise<string> {
    return this.discovery.getBaseUrl('mlops');
  }

  async listObjects(): Promise<MlopsStoreObject[]> {
    const response = await this.request('/objects');
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return ((await response.json()) as { items: MlopsStoreObject[] }).items;
  }

  async getObject(
    kind: MlopsObjectKind,
    name: string,
  ): Promise<MlopsStoreObject | undefined> {
    const response = await this.request(
      `/objects/${kind}/${encodeURIComponent(name)}`,
    );
    if (response.status === 404) {
      return undefined;
    }
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as MlopsStoreObject;
  }

  private async request(path: string): Promise<Response> {
    const { token } = await this.auth.getPluginRequestToken({
      onBehalfOf: await this.auth.getOwnServiceCredentials(),
      targetPluginId: 'mlops',
    });
    return fetch(`${await this.baseUrl()}${path}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
  }
}
