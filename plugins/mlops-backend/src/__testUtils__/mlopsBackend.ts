import { BackendFeature } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { Knex } from 'knex';
import { mlopsPlugin } from '../plugin';

type ConfigData = NonNullable<
  Parameters<typeof mockServices.rootConfig.factory>[0]
>['data'];

/** How a test wants the MLOps backend started. */
export interface MlopsTestBackendOptions {
  /** The test database (from `createTestDatabases().init(id)`). */
  knex: Knex;
  /** What the catalog holds. */
  entities?: Entity[];
  /** App config, e.g. `{ mlops: { demo: { seedFile } } }`. */
  config?: ConfigData;
  /**
   * Other services or modules: a scheduler, a permission policy's decisions,
   * the events service. Each replaces the test backend's default for its
   * service.
   */
  features?: BackendFeature[];
}

/**
 * Starts the real MLOps backend plugin over a test database. A request
 * without a token is anonymous, as in a real backend (the test backend
 * would otherwise treat it as a signed-in user).
 */
export async function startMlopsTestBackend(options: MlopsTestBackendOptions) {
  return startTestBackend({
    features: [
      mlopsPlugin,
      mockServices.database.factory({ knex: options.knex }),
      mockServices.httpAuth.factory({
        defaultCredentials: mockCredentials.none(),
      }),
      mockServices.rootConfig.factory({ data: options.config ?? {} }),
      catalogServiceMock.factory({ entities: options.entities ?? [] }),
      ...(options.features ?? []),
    ],
  });
}
