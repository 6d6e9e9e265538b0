import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { EntityHealthSummary } from '@backstage-mlops/plugin-mlops-common';
import { createTestDatabases } from '../__testUtils__/databases';
import { ResolvedEntity } from '../shared/EntityResolver';
import { migrateInitialSchema } from '../triage/__testUtils__/initialSchema';
import { FLEET_ROW_TTL_MS, FleetService } from './FleetService';

jest.setTimeout(60_000);

describe('FleetService', () => {
  const databases = createTestDatabases();

  it.each(databases.eachSupportedId())(
    'reuses a model row until it expires on %p',
    async databaseId => {
      const knex = await databases.init(databaseId);
      await migrateInitialSchema(knex);
      const now = new Date();
      await knex('mlops_registered_models').insert({
        name: 'fraud-detection',
        owner: 'group:default/risk-ml',
        created_at: now,
        updated_at: now,
      });
      let status: EntityHealthSummary['status'] = 'healthy';
      const health = {
        summarize: jest.fn(
          async (resolved: ResolvedEntity): Promise<EntityHealthSummary> => ({
            entityRef: resolved.entityRef,
            status,
            reasons: [],
            links: [],
            checkedAt: now.toISOString(),
          }),
        ),
      };
      const productionVersion = jest.fn(async () => ({
        version: 4,
        metrics: {},
      }));
      let clock = 1_000_000;
      const fleet = new FleetService({
        db: knex,
        catalog: catalogServiceMock({
          entities: [
            {
              apiVersion: 'backstage.io/v1alpha1',
              kind: 'Component',
              metadata: {
                name: 'fraud-detection',
                annotations: { 'backstage-mlops.dev/model': 'fraud-detection' },
              },
              spec: { type: 'ml-model', owner: 'risk-ml' },
            },
          ],
        }),
        health,
        logger: mockServices.logger.mock(),
        sources: { registry: { productionVersion } },
        now: () => clock,
      });
      const credentials = mockCredentials.user();

      const first = await fleet.list({}, credentials);
      expect(first.items[0]).toMatchObject({
        health: 'healthy',
        productionVersion: 4,
      });

      status = 'unhealthy';
      clock += FLEET_ROW_TTL_MS - 1;
      const second = await fleet.list({ status: ['healthy'] }, credentials);
      expect(second.items.map(m => m.name)).toEqual(['fraud-detection']);
      expect(health.summarize).toHaveBeenCalledTimes(1);
      expect(productionVersion).toHaveBeenCalledTimes(1);

      clock += 2;
      const third = await fleet.list({}, credentials);
      expect(third.items[0].health).toBe('unhealthy');
      expect(health.summarize).toHaveBeenCalledTimes(2);
    },
  );
});
