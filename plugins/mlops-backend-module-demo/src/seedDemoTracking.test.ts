import { mockServices } from '@backstage/backend-test-utils';
import { createTestDatabases } from '@backstage-mlops/plugin-mlops-backend/src/__testUtils__/databases';
import { TrackingStore } from '@backstage-mlops/plugin-mlops-backend/src/tracking/TrackingStore';
import { seedDemoTracking } from './seedDemoTracking';
import { migrateTracking } from '@backstage-mlops/plugin-mlops-backend/src/tracking/__testUtils__/migrateTracking';

jest.setTimeout(60_000);

describe('seedDemoTracking', () => {
  const databases = createTestDatabases();

  it.each(databases.eachSupportedId())(
    'fills each demo experiment with finished and failed runs and their curves, once, on %p',
    async databaseId => {
      const knex = await databases.init(databaseId);
      await migrateTracking(knex);
      const tracking = await TrackingStore.create({ db: knex });
      const names = ['fraud-detection', 'ticket-classifier', 'market-master'];
      for (const name of names) {
        await tracking.createExperiment({
          name,
          owner: 'group:default/risk-ml',
        });
      }
      const logger = mockServices.logger.mock();
      await seedDemoTracking({
        tracking,
        experiments: [...names, 'absent'],
        logger,
      });
      await seedDemoTracking({ tracking, experiments: names, logger });

      for (const name of names) {
        const { runs } = await tracking.searchRuns({
          experimentNames: [name],
          filter: [],
          pageSize: 100,
          includeDeleted: false,
        });
        expect(runs).toHaveLength(6);
        expect(runs.filter(r => r.status === 'FAILED')).toHaveLength(1);
        expect(runs.filter(r => r.status === 'FINISHED')).toHaveLength(5);
        for (const run of runs) {
          expect(Object.keys(run.params).length).toBeGreaterThanOrEqual(4);
          expect(Object.keys(run.metrics).sort()).toEqual([
            'train_loss',
            'val_accuracy',
            'val_auc',
            'val_loss',
          ]);
          expect(run.endTime).toBeDefined();
        }
        const finished = runs.find(r => r.status === 'FINISHED')!;
        const loss = await tracking.getMetricHistory(finished.id, 'train_loss');
        expect(loss.points.length).toBeGreaterThan(10);
        const first = loss.points[0].value as number;
        const last = loss.points[loss.points.length - 1].value as number;
        expect(last).toBeLessThan(first / 2);
        const auc = finished.metrics.val_auc.value as number;
        expect(auc).toBeGreaterThan(0.5);
        expect(auc).toBeLessThan(1);

        const failed = runs.find(r => r.status === 'FAILED')!;
        expect(failed.metrics.train_loss.value).toBe('NaN');
        expect(failed.tags.failure_reason).toBeTruthy();
      }
    },
  );
});
