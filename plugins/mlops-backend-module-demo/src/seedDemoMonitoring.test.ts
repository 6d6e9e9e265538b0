import { mockServices } from '@backstage/backend-test-utils';
import { createTestDatabases } from '@backstage-mlops/plugin-mlops-backend/src/__testUtils__/databases';
import { migrateMlopsDatabase } from '@backstage-mlops/plugin-mlops-backend/src/database/migrations';
import { MonitoringService } from '@backstage-mlops/plugin-mlops-backend/src/monitoring/MonitoringService';
import { MonitoringStore } from '@backstage-mlops/plugin-mlops-backend/src/monitoring/MonitoringStore';
import { seedDemoMonitoring } from './seedDemoMonitoring';

jest.setTimeout(120_000);

const NOW = Date.UTC(2026, 10, 25, 15, 0, 0);
const HOUR_MS = 3_600_000;

describe('seedDemoMonitoring', () => {
  const databases = createTestDatabases();

  it.each(databases.eachSupportedId())(
    'writes a week of traffic with a latency spike on market-master, %p',
    async databaseId => {
      const knex = await databases.init(databaseId);
      await migrateMlopsDatabase(knex);
      const store = new MonitoringStore(knex);
      await seedDemoMonitoring({
        store,
        models: ['fraud-detection', 'ticket-classifier', 'market-master'],
        logger: mockServices.logger.mock(),
        now: NOW,
      });
      const live = new MonitoringService(store, { now: () => NOW });
      const dayBefore = new MonitoringService(store, {
        now: () => NOW - 24 * HOUR_MS,
      });

      const spike = await live.windowStats('market-master', {
        windowMinutes: 60,
      });
      // Minute rows of a day ago are past retention; three hours come from
      // the quarter-hour rows.
      const calm = await dayBefore.windowStats('market-master', {
        windowMinutes: 180,
      });
      expect(calm.count).toBeGreaterThan(20);
      expect(spike.count).toBeGreaterThan(20);
      expect(spike.latencyP95Ms).toBeGreaterThan(500);
      expect(calm.latencyP95Ms).toBeLessThan(150);

      for (const model of ['fraud-detection', 'ticket-classifier']) {
        const stats = await live.windowStats(model, { windowMinutes: 60 });
        expect(stats.latencyP95Ms).toBeLessThan(500);
        expect(stats.accuracy).not.toBeNull();
        expect(stats.baselineAccuracy).not.toBeNull();
      }

      // Seven days of hourly traffic, and recent feature samples for drift.
      const week = await live.entityMetrics(
        {
          entity: {
            apiVersion: 'backstage.io/v1alpha1',
            kind: 'Component',
            metadata: { name: 'fraud-detection' },
          },
          entityRef: 'component:default/fraud-detection',
          links: [{ kind: 'model', name: 'fraud-detection' }],
        },
        { window: '7d' },
      );
      const hoursWithTraffic = week.models[0].series.filter(p => p.count > 0);
      expect(hoursWithTraffic.length).toBeGreaterThan(160);
      expect(week.models[0].environments).toEqual(['production', 'staging']);
      const sample = await live.featureSample('fraud-detection', {
        windowMinutes: 60,
      });
      expect(Object.keys(sample).sort()).toEqual([
        'amount',
        'card_present',
        'merchant_category',
      ]);
      expect(sample.amount.length).toBeGreaterThan(20);
      await knex.destroy();
    },
  );
});
