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
  /**
   * The named objects in the order asked, undefined for each the store no
   * longer has.
   */
  getObjects(
    refs: Array<{ kind: MlopsObjectKind; name: string }>,
  ): Promise<Array<MlopsStoreObject | undefined>>;
}

/** What one `POST /objects/by-refs` may name (the route's limit). */
const REFS_PER_REQUEST = 500;

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

  async getObjects(
    refs: Array<{ kind: MlopsObjectKind; name: string }>,
  ): Promise<Array<MlopsStoreObject | undefined>> {
    const found: Array<MlopsStoreObject | undefined> = [];
    for (let i = 0; i < refs.length; i += REFS_PER_REQUEST) {
      const response = await this.request('/objects/by-refs', {
        refs: refs.slice(i, i + REFS_PER_REQUEST),
      });
      if (!response.ok) {
        throw await ResponseError.fromResponse(response);
      }
      const { items } = (await response.json()) as {
        items: Array<MlopsStoreObject | null>;
      };
      found.push(...items.map(item => item ?? undefined));
    }
    return found;
  }

  /** A GET, or a POST of `body` as JSON. */
  private async request(path: string, body?: object): Promise<Response> {
    const { token } = await this.auth.getPluginRequestToken({
      onBehalfOf: await this.auth.getOwnServiceCredentials(),
      targetPluginId: 'mlops',
    });
    return fetch(`${await this.baseUrl()}${path}`, {
      method: body ? 'POST' : 'GET',
      headers: {
        Authorization: `Bearer ${token}`,
        ...(body && { 'Content-Type': 'application/json' }),
      },
      body: body && JSON.stringify(body),
    });
  }
}
