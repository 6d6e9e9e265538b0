import { mockServices } from '@backstage/backend-test-utils';
import { createTestDatabases } from '@backstage-mlops/plugin-mlops-backend/src/__testUtils__/databases';
import { DriftService } from '@backstage-mlops/plugin-mlops-backend/src/drift/DriftService';
import { DriftStore } from '@backstage-mlops/plugin-mlops-backend/src/drift/DriftStore';
import { SeededRandom } from '@backstage-mlops/plugin-mlops-common';
import { DEMO_DRIFT_DAYS, seedDemoDrift } from './seedDemoDrift';
import {
  insertModels,
  migrateDriftTables,
} from '@backstage-mlops/plugin-mlops-backend/src/drift/__testUtils__/migrateDrift';

jest.setTimeout(60_000);

const MODELS = ['fraud-detection', 'ticket-classifier', 'market-master'];

describe('seedDemoDrift', () => {
  const databases = createTestDatabases();

  it.each(databases.eachSupportedId())(
    'gives fraud-detection a computed amount drift and the others none, %p',
    async databaseId => {
      const knex = await databases.init(databaseId);
      await migrateDriftTables(knex);
      await insertModels(knex, MODELS);
      const logger = mockServices.logger.mock();
      const store = new DriftStore(knex);
      const drift = new DriftService({ store, logger });
      const seed = () =>
        seedDemoDrift({
          drift,
          store,
          models: MODELS,
          logger,
          registry: { productionVersion: async () => ({ version: 2 }) },
          now: new Date('2026-11-25T12:00:00Z'),
        });
      await seed();

      const fraud = await store.latestReport('fraud-detection');
      expect(fraud).toMatchObject({ version: 2, datasetDrift: true });
      expect(fraud!.driftedFeatures).toContain('amount');
      expect(fraud!.createdAt).toBe('2026-11-25T12:00:00.000Z');
      const fraudHistory = await store.history('fraud-detection', 100);
      expect(fraudHistory).toHaveLength(DEMO_DRIFT_DAYS);
      // The week starts stable and ends drifted.
      expect(fraudHistory[0].driftShare).toBe(0);
      expect(fraudHistory[DEMO_DRIFT_DAYS - 1].driftShare).toBeGreaterThan(0.5);

      for (const model of ['ticket-classifier', 'market-master']) {
        const history = await store.history(model, 100);
        expect(history).toHaveLength(DEMO_DRIFT_DAYS);
        expect(history.every(point => point.driftShare === 0)).toBe(true);
        expect(await store.baselineVersions(model)).toEqual([2]);
      }

      // A second run (a restart) adds nothing.
      await seed();
      expect(await store.countReports()).toBe(3 * DEMO_DRIFT_DAYS);

      // Today's traffic as the monitoring demo sends it (booleans as labels)
      // still drifts from fraud-detection's baseline, so scheduled checks on
      // monitored values tell the same story.
      const random = new SeededRandom(99);
      const monitored = Array.from({ length: 600 }, () => ({
        amount: Math.round(random.logNormal(3.6, 1.1) * 100) / 100,
        merchant_category: random.pick([
          'grocery',
          'travel',
          'online',
          'fuel',
          'restaurants',
        ]),
        card_present: String(random.next() < 0.62),
      }));
      const scheduled = await drift.checkModel({
        model: 'fraud-detection',
        current: monitored,
        source: 'schedule',
      });
      expect(scheduled.datasetDrift).toBe(true);
      expect(scheduled.driftedFeatures).toEqual(['amount', 'card_present']);
      await knex.destroy();
    },
  );
});
