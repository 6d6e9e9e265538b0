import { mockServices } from '@backstage/backend-test-utils';
import { createTestDatabases } from '@backstage-mlops/plugin-mlops-backend/src/__testUtils__/databases';
import { migrateRegistryOnly } from '@backstage-mlops/plugin-mlops-backend/src/registry/__testUtils__/migrateRegistry';
import { TrackingStore } from '@backstage-mlops/plugin-mlops-backend/src/tracking';
import { seedDemoTracking } from './seedDemoTracking';
import { RegistryStore } from '@backstage-mlops/plugin-mlops-backend/src/registry/RegistryStore';
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

  it.each(databases.eachSupportedId())(
    'builds the versions from the finished demo runs when tracking is there, %p',
    async databaseId => {
      const knex = await databases.init(databaseId);
      await migrateRegistryOnly(knex);
      const registry = new RegistryStore(knex);
      const tracking = await TrackingStore.create({ db: knex });
      const logger = mockServices.logger.mock();
      for (const name of MODELS) {
        await tracking.createExperiment({ name });
        await registry.createModel({ name, experimentName: name });
      }
      await seedDemoTracking({ tracking, experiments: MODELS, logger });
      await seedDemoRegistry({ registry, tracking, models: MODELS, logger });

      const versions = await registry.listVersions('fraud-detection');
      const linked = versions.filter(v => v.runId);
      expect(linked.length).toBeGreaterThan(0);
      for (const version of linked) {
        const run = await tracking.getRun(version.runId!);
        expect(run.status).toBe('FINISHED');
        const snapshot = await tracking.getRunSnapshot(version.runId!);
        expect(version.params).toEqual(snapshot!.params);
        expect(version.metrics).toEqual(snapshot!.metrics);
      }
      // Oldest run first: version numbers follow the runs' start times.
      const starts = await Promise.all(
        [...linked]
          .reverse()
          .map(async v =>
            Date.parse((await tracking.getRun(v.runId!)).startTime),
          ),
      );
      expect(starts).toEqual([...starts].sort((a, b) => a - b));
      await knex.destroy();
    },
  );
});
