import { mockServices } from '@backstage/backend-test-utils';
import { createTestDatabases } from '../__testUtils__/databases';
import { migrateRegistryOnly } from './__testUtils__/migrateRegistry';
import { RegistryStore } from './RegistryStore';
import { seedDemoRegistry } from './seedDemoRegistry';

jest.setTimeout(60_000);

const MODELS = ['fraud-detection', 'ticket-classifier', 'market-master'];

describe('seedDemoRegistry', () => {
  const databases = createTestDatabases();

  it.each(databases.eachSupportedId())(
    'gives each demo model a version in every stage, champion and challenger, and fraud-detection a rollback, %p',
    async databaseId => {
      const knex = await databases.init(databaseId);
      await migrateRegistryOnly(knex);
      const registry = new RegistryStore(knex);
      for (const name of MODELS) {
        await registry.createModel({ name });
      }
      const now = new Date('2026-11-25T12:00:00Z');
      const logger = mockServices.logger.mock();
      await seedDemoRegistry({ registry, models: MODELS, logger, now });

      for (const name of MODELS) {
        const versions = await registry.listVersions(name);
        expect(new Set(versions.map(v => v.stage))).toEqual(
          new Set(['None', 'Staging', 'Production', 'Archived']),
        );
        const model = await registry.getModel(name);
        expect(Object.keys(model.aliases).sort()).toEqual([
          'challenger',
          'champion',
        ]);
        expect(model.aliases.champion).toBe(model.productionVersion);
        // The story lies in the past, oldest entry first.
        const history = await registry.history(name);
        expect(Date.parse(history[0].at)).toBeLessThan(now.getTime());
        expect(Date.parse(history[history.length - 1].at)).toBeLessThan(
          Date.parse(history[0].at),
        );
      }
      const fraud = await registry.history('fraud-detection');
      const rollback = fraud.find(h => h.action === 'rollback');
      expect(rollback).toMatchObject({ version: 2, to: 'Production' });
      expect(rollback?.reason).toContain('weekend');
      expect(
        (await registry.productionVersion('fraud-detection'))?.version,
      ).toBe(2);

      // A second run changes nothing.
      await seedDemoRegistry({ registry, models: MODELS, logger, now });
      expect((await registry.listVersions('fraud-detection')).length).toBe(5);
      await knex.destroy();
    },
  );
});
