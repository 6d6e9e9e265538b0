import { mockServices } from '@backstage/backend-test-utils';
import { createTestDatabases } from '@backstage-mlops/plugin-mlops-backend/src/__testUtils__/databases';
import { MlopsObjectStore } from '@backstage-mlops/plugin-mlops-backend/src/objects/MlopsObjectStore';
import { DeploymentStore } from '@backstage-mlops/plugin-mlops-backend/src/deployments/DeploymentStore';
import {
  DEPLOYMENT_MIGRATIONS,
  migrateOnly,
} from '@backstage-mlops/plugin-mlops-backend/src/deployments/migrateForTests';
import { seedDemoDeployments } from './seedDemoDeployments';

jest.setTimeout(60_000);

describe('seedDemoDeployments', () => {
  const databases = createTestDatabases();

  it.each(databases.eachSupportedId())(
    'seeds a week with a failed and rolled-back fraud-detection release, once, %p',
    async databaseId => {
      const knex = await databases.init(databaseId);
      await migrateOnly(knex, DEPLOYMENT_MIGRATIONS);
      const objects = new MlopsObjectStore(knex);
      for (const name of [
        'fraud-detection',
        'ticket-classifier',
        'market-master',
      ]) {
        await objects.upsert('model', { name });
      }
      const logger = mockServices.logger.mock();
      await seedDemoDeployments({ db: knex, logger });
      const store = new DeploymentStore(knex, 30 * 60_000);

      const fraud = await store.history('fraud-detection', {
        environment: 'production',
      });
      expect(fraud.map(d => [d.version, d.status])).toEqual([
        [2, 'succeeded'],
        [3, 'rolled_back'],
        [2, 'succeeded'],
      ]);
      expect(fraud[0].rollbackOf).toBe(fraud[1].id);
      expect(fraud[0].reason).toMatch(/back to version 2/);
      expect(fraud[1].message).toMatch(/Readiness probe failed/);
      expect(await store.latestByEnvironment('fraud-detection')).toEqual([
        expect.objectContaining({
          environment: 'production',
          version: 2,
          status: 'succeeded',
        }),
        expect.objectContaining({
          environment: 'staging',
          version: 4,
          status: 'succeeded',
        }),
      ]);
      // A rollback from here would go to the version before 2 — there is none.
      expect(
        await store.lastSucceeded('fraud-detection', 'production', 2),
      ).toBeUndefined();
      expect(await store.isDeployed('fraud-detection', 3)).toBe(false);

      const before = await knex('mlops_deployments').count({ n: '*' });
      await seedDemoDeployments({ db: knex, logger });
      expect(await knex('mlops_deployments').count({ n: '*' })).toEqual(before);
      await knex.destroy();
    },
  );
});
