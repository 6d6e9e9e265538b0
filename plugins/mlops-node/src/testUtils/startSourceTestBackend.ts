import type {
  BackendFeature,
  SchedulerService,
  ServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { Server } from 'http';
import type { AddressInfo } from 'net';

/**
 * A test backend running the MLOps backend plugin with one source instance,
 * started by {@link startSourceTestBackend}.
 *
 * @public
 */
export interface SourceTestBackend {
  /** The backend's HTTP server (for `supertest`). */
  server: Server;
  /** Runs the instance's sync task once and waits for it. */
  sync(): Promise<void>;
  /** Runs the health checks (`mlops-health-checks`) once and waits for them. */
  checkHealth(): Promise<void>;
  /** A signed-in user's GET of a path below `/api/mlops`, e.g. `/sources`. */
  get(path: string): Promise<{ status: number; body: any }>;
  /** The instance as `GET /api/mlops/sources` lists it to a signed-in user. */
  status(): Promise<any>;
  /** Stops the backend. */
  stop(): Promise<void>;
}

/**
 * Starts the given features (the MLOps backend plugin, a source module and a
 * database) with one instance of the source configured, named `prod`, under
 * `mlops.sources.<type>`, and a catalog holding `entities`. The instance
 * never syncs on its own: `sync()` runs it, so an end-to-end test of a
 * source module decides when.
 *
 * @public
 */
export async function startSourceTestBackend(options: {
  features: BackendFeature[];
  /** The source type, e.g. `airflow`. */
  type: string;
  /** The instance's config besides its name and schedule: baseUrl, credentials. */
  instance: Record<string, unknown>;
  entities: Entity[];
}): Promise<SourceTestBackend> {
  const { type } = options;
  const scheduler = mockServices.scheduler() as SchedulerService & {
    factory(factoryOptions: { skipTaskRunOnStartup?: boolean }): ServiceFactory;
    triggerTask(id: string): Promise<void>;
  };
  const backend = await startTestBackend({
    features: [
      ...options.features,
      mockServices.httpAuth.factory({
        defaultCredentials: mockCredentials.none(),
      }),
      mockServices.rootConfig.factory({
        data: {
          mlops: {
            sources: {
              [type]: [
                {
                  name: 'prod',
                  ...options.instance,
                  requestTimeout: { seconds: 2 },
                  requestsPerSecond: 200,
                  schedule: {
                    frequency: { hours: 24 },
                    timeout: { seconds: 60 },
                    initialDelay: { hours: 1 },
                  },
                },
              ],
            },
          },
        },
      }),
      catalogServiceMock.factory({ entities: options.entities }),
      scheduler.factory({ skipTaskRunOnStartup: true }),
    ],
  });
  const server = backend.server as Server;
  const { port } = server.address() as AddressInfo;
  const get = async (path: string) => {
    const response = await fetch(`http://127.0.0.1:${port}/api/mlops${path}`, {
      headers: { Authorization: mockCredentials.user.header() },
    });
    const text = await response.text();
    const json = response.headers.get('content-type')?.includes('json');
    return { status: response.status, body: json ? JSON.parse(text) : text };
  };
  return {
    server,
    sync: () => scheduler.triggerTask(`mlops-source-sync:${type}:prod`),
    checkHealth: () => scheduler.triggerTask('mlops-health-checks'),
    get,
    async status() {
      const { body } = await get('/sources');
      return body.items.find((i: any) => i.type === type && i.name === 'prod');
    },
    stop: () => backend.stop(),
  };
}
