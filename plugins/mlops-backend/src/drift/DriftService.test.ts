import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { SchedulerServiceTaskInvocationDefinition } from '@backstage/backend-plugin-api';
import { createTestDatabases } from '../__testUtils__/databases';
import { DriftService, FeatureWindowSource } from './DriftService';
import { DriftStore } from './DriftStore';
import { SeededRandom } from '@backstage-mlops/plugin-mlops-common';
import {
  createDriftCheckTask,
  DRIFT_CHECK_TASK_ID,
  scheduleDriftChecks,
} from './scheduleDriftChecks';
import { insertModels, migrateDriftTables } from './__testUtils__/migrateDrift';

jest.setTimeout(60_000);

/** Transactions with an amount around `amountMean` and a channel. */
function transactions(seed: number, n: number, amountMean: number) {
  const random = new SeededRandom(seed);
  return Array.from({ length: n }, () => ({
    amount: random.normal(amountMean, 10),
    channel: random.pick(['web', 'pos', 'app']),
  }));
}

function toColumns(rows: Array<Record<string, number | string>>) {
  return {
    amount: rows.map(r => r.amount as number),
    channel: rows.map(r => r.channel as string),
  };
}

describe('DriftService', () => {
  const databases = createTestDatabases();

  describe.each(databases.eachSupportedId())('on %p', databaseId => {
    async function setup(
      options: Partial<ConstructorParameters<typeof DriftService>[0]> = {},
    ) {
      const knex = await databases.init(databaseId);
      await migrateDriftTables(knex);
      await insertModels(knex, [
        'fraud-detection',
        'ticket-classifier',
        'market-master',
      ]);
      const logger = mockServices.logger.mock();
      const store = new DriftStore(knex);
      const service = new DriftService({ store, logger, ...options });
      return { knex, store, service, logger };
    }

    it('flags a shifted feature in an uploaded window and stores the report', async () => {
      const { service, store, knex } = await setup();
      await service.putBaseline({
        model: 'fraud-detection',
        version: 1,
        data: transactions(1, 2000, 100),
        replace: false,
      });

      const shifted = await service.checkModel({
        model: 'fraud-detection',
        current: transactions(2, 800, 115),
        source: 'upload',
      });
      expect(shifted.version).toBe(1);
      expect(shifted.driftedFeatures).toEqual(['amount']);
      const amount = shifted.features.find(f => f.feature === 'amount')!;
      expect(amount).toMatchObject({ test: 'wasserstein', drifted: true });
      // A 15-unit shift of a std-10 feature: the normed distance is ~1.5.
      expect(amount.distance).toBeGreaterThan(1.2);
      expect(shifted.driftShare).toBe(0.5);
      expect(shifted.datasetDrift).toBe(true);
      expect(shifted.quality.passed).toBe(true);

      const steady = await service.checkModel({
        model: 'fraud-detection',
        current: toColumns(transactions(3, 800, 100)),
        source: 'upload',
      });
      expect(steady.driftedFeatures).toEqual([]);
      expect(steady.datasetDrift).toBe(false);

      expect(await store.countReports('fraud-detection')).toBe(2);
      expect(await service.latestReport('fraud-detection')).toEqual({
        id: steady.id,
        datasetDrift: false,
        driftShare: 0,
        driftedFeatures: [],
        createdAt: steady.createdAt,
      });
      await knex.destroy();
    });

    it('skips baseline features the window lacks and fails its quality', async () => {
      const { service, knex } = await setup({ qualityThreshold: 0.8 });
      await service.putBaseline({
        model: 'fraud-detection',
        version: 1,
        data: transactions(1, 500, 100),
        replace: false,
      });
      const window = transactions(4, 300, 100).map(r => ({
        amount: r.amount,
        channel: null,
      }));
      const report = await service.checkModel({
        model: 'fraud-detection',
        current: window,
        source: 'upload',
      });
      expect(report.features.map(f => f.feature)).toEqual(['amount']);
      expect(report.skippedFeatures).toEqual([
        { feature: 'channel', reason: 'no values in the current data' },
      ]);
      expect(report.quality).toMatchObject({
        missingRatio: 0.5,
        missingRequiredColumns: ['channel'],
        passed: false,
      });
      await knex.destroy();
    });

    it('compares a baseline of JSON booleans with monitored "true"/"false" labels', async () => {
      const { service, knex } = await setup();
      const flags = (n: number, share: number) =>
        Array.from({ length: n }, (_, i) => i < n * share);
      await service.putBaseline({
        model: 'fraud-detection',
        version: 1,
        data: { card_present: flags(2000, 0.6) },
        replace: false,
      });
      const report = await service.checkModel({
        model: 'fraud-detection',
        // The shape monitoring's featureSample answers with.
        current: { card_present: flags(1000, 0.3).map(String) },
        source: 'schedule',
      });
      expect(report.features[0]).toMatchObject({
        feature: 'card_present',
        test: 'jensenshannon',
        drifted: true,
      });
      await knex.destroy();
    });

    it('compares with the Production version when the registry names one', async () => {
      const { service, knex } = await setup({
        registry: { productionVersion: async () => ({ version: 1 }) },
      });
      await service.putBaseline({
        model: 'fraud-detection',
        version: 1,
        data: transactions(1, 500, 100),
        replace: false,
      });
      await service.putBaseline({
        model: 'fraud-detection',
        version: 2,
        data: transactions(5, 500, 130),
        replace: false,
      });
      const report = await service.checkModel({
        model: 'fraud-detection',
        current: transactions(6, 300, 130),
        source: 'upload',
      });
      expect(report.version).toBe(1);
      expect(report.driftedFeatures).toEqual(['amount']);
      await knex.destroy();
    });

    it('checks every model with a baseline on schedule, one failure never stopping the round', async () => {
      const windows: Record<string, () => Promise<any>> = {
        'fraud-detection': async () => toColumns(transactions(7, 400, 125)),
        'ticket-classifier': async () => toColumns(transactions(8, 10, 100)),
        'market-master': async () => {
          throw new Error('reservoir unavailable');
        },
      };
      const featureWindows: FeatureWindowSource = {
        featureSample: jest.fn((model: string) => windows[model]()),
      };
      const { service, store, knex } = await setup({
        featureWindows,
        windowMinutes: 30,
      });
      for (const model of Object.keys(windows)) {
        await service.putBaseline({
          model,
          version: 1,
          data: transactions(9, 600, 100),
          replace: false,
        });
      }

      // A report from long before the 90-day retention: the round prunes it.
      await service.checkModel({
        model: 'fraud-detection',
        current: transactions(12, 100, 100),
        source: 'upload',
        now: new Date(Date.now() - 400 * 24 * 60 * 60 * 1000),
      });

      const summary = await service.runScheduledChecks();
      expect(summary.checked).toEqual(['fraud-detection']);
      expect(summary.skipped).toEqual([
        {
          model: 'ticket-classifier',
          reason: 'only 10 rows in the last 30 minutes (need 50)',
        },
      ]);
      expect(summary.failed).toEqual([
        { model: 'market-master', error: 'reservoir unavailable' },
      ]);
      expect(featureWindows.featureSample).toHaveBeenCalledWith(
        'fraud-detection',
        { windowMinutes: 30 },
      );
      const latest = await store.latestReport('fraud-detection');
      expect(latest).toMatchObject({
        source: 'schedule',
        windowMinutes: 30,
        driftedFeatures: ['amount'],
      });
      expect(await store.countReports()).toBe(1);
      await knex.destroy();
    });

    it('runs the scheduled task registered with the scheduler, globally and at the configured interval', async () => {
      const featureWindows: FeatureWindowSource = {
        featureSample: async () => toColumns(transactions(10, 300, 100)),
      };
      const { service, store, knex, logger } = await setup({ featureWindows });
      await service.putBaseline({
        model: 'market-master',
        version: 2,
        data: transactions(11, 400, 100),
        replace: false,
      });
      const scheduler = mockServices.scheduler.mock();
      await scheduleDriftChecks({
        config: new ConfigReader({
          mlops: {
            drift: {
              schedule: { frequency: { minutes: 15 }, timeout: { minutes: 5 } },
            },
          },
        }),
        scheduler,
        logger,
        drift: service,
      });
      expect(scheduler.scheduleTask).toHaveBeenCalledTimes(1);
      const task = scheduler.scheduleTask.mock
        .calls[0][0] as SchedulerServiceTaskInvocationDefinition;
      expect(task).toMatchObject({
        id: DRIFT_CHECK_TASK_ID,
        scope: 'global',
        frequency: { minutes: 15 },
        timeout: { minutes: 5 },
      });

      await task.fn(new AbortController().signal);
      const latest = await store.latestReport('market-master');
      expect(latest).toMatchObject({ source: 'schedule', version: 2 });
      expect(latest!.datasetDrift).toBe(false);
      await knex.destroy();
    });
  });

  it('skips every model while no monitored feature values are wired in', async () => {
    const store = {
      modelsWithBaselines: async () => ['fraud-detection'],
    } as unknown as DriftStore;
    const service = new DriftService({
      store,
      logger: mockServices.logger.mock(),
    });
    expect(await service.runScheduledChecks()).toEqual({
      checked: [],
      skipped: [
        {
          model: 'fraud-detection',
          reason: 'no monitored feature values (monitoring is not wired in)',
        },
      ],
      failed: [],
    });
  });

  it('keeps a failing round inside the task and logs it', async () => {
    const logger = mockServices.logger.mock();
    const task = createDriftCheckTask(
      { runScheduledChecks: () => Promise.reject(new Error('db is gone')) },
      logger,
    );
    await expect(task(new AbortController().signal)).resolves.toBeUndefined();
    expect(logger.error).toHaveBeenCalledWith(
      expect.stringContaining('db is gone'),
    );
  });
});
