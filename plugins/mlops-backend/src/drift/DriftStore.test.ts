import { StoredDriftReport } from '@backstage-mlops/plugin-mlops-common';
import { createTestDatabases } from '../__testUtils__/databases';
import { DriftStore } from './DriftStore';
import {
  insertModels,
  migrateDriftTables,
  rollbackDriftMigration,
} from './__testUtils__/migrateDrift';
import { summarizeColumns } from './dataset';
import { dataQuality } from './quality';

jest.setTimeout(60_000);

function report(
  overrides: Partial<StoredDriftReport> & { createdAt: string },
): StoredDriftReport {
  return {
    id: `r-${overrides.createdAt}`,
    model: 'fraud-detection',
    version: 1,
    source: 'upload',
    datasetDrift: false,
    driftShare: 0,
    driftedCount: 0,
    featureCount: 1,
    driftShareThreshold: 0.5,
    driftedFeatures: [],
    features: [],
    skippedFeatures: [],
    quality: dataQuality({ amount: [1, 2] }, 2),
    referenceRows: 2,
    currentRows: 2,
    windowMinutes: null,
    ...overrides,
  };
}

describe('DriftStore', () => {
  const databases = createTestDatabases();

  describe.each(databases.eachSupportedId())('on %p', databaseId => {
    async function createStore() {
      const knex = await databases.init(databaseId);
      await migrateDriftTables(knex);
      await insertModels(knex, ['fraud-detection']);
      return { knex, store: new DriftStore(knex) };
    }

    it('stores a baseline compressed and reads back the same columns and summary', async () => {
      const { store, knex } = await createStore();
      const amount = Array.from({ length: 5000 }, (_, i) => (i % 97) + 0.5);
      const channel = Array.from(
        { length: 5000 },
        (_, i) => ['web', 'pos', null][i % 3],
      );
      const columns = { amount, channel };
      const features = summarizeColumns(columns, 'baseline');
      const { replaced, storedBytes } = await store.putBaseline({
        model: 'fraud-detection',
        version: 3,
        columns,
        rowCount: 5000,
        features,
        createdBy: 'user:default/ada',
        replace: false,
      });
      expect(replaced).toBe(false);
      // Column JSON of 10,000 values is ~60 kB; gzip keeps it far smaller.
      expect(storedBytes).toBeLessThan(JSON.stringify(columns).length / 4);

      const data = await store.getBaselineData('fraud-detection', 3);
      expect(data!.rowCount).toBe(5000);
      expect(data!.columns.amount).toEqual(amount);
      expect(data!.columns.channel).toEqual(channel);

      const summary = await store.getBaselineSummary('fraud-detection', 3);
      expect(summary).toMatchObject({
        model: 'fraud-detection',
        version: 3,
        rowCount: 5000,
        featureCount: 2,
        storedBytes,
        createdBy: 'user:default/ada',
      });
      expect(summary!.features[1]).toMatchObject({
        name: 'channel',
        type: 'categorical',
        missing: 1666,
      });
      expect(Date.parse(summary!.createdAt)).not.toBeNaN();
      expect(await store.baselineVersions('fraud-detection')).toEqual([3]);
      expect(await store.modelsWithBaselines()).toEqual(['fraud-detection']);
      await knex.destroy();
    });

    it('refuses to replace a baseline unless asked to, and replaces it when asked', async () => {
      const { store, knex } = await createStore();
      const put = (values: number[], replace: boolean) =>
        store.putBaseline({
          model: 'fraud-detection',
          version: 1,
          columns: { amount: values },
          rowCount: values.length,
          features: summarizeColumns({ amount: values }, 'baseline'),
          replace,
        });
      await put([1, 2, 3], false);
      await expect(put([7, 8], false)).rejects.toThrow(
        /already has a baseline; send replace=true/,
      );
      expect(
        (await store.getBaselineData('fraud-detection', 1))!.columns.amount,
      ).toEqual([1, 2, 3]);

      expect((await put([7, 8], true)).replaced).toBe(true);
      expect(
        (await store.getBaselineData('fraud-detection', 1))!.columns.amount,
      ).toEqual([7, 8]);
      expect(
        Number((await knex('mlops_drift_baselines').count({ n: '*' }))[0].n),
      ).toBe(1);
      await knex.destroy();
    });

    it('returns the newest report and the drift share history oldest first', async () => {
      const { store, knex } = await createStore();
      await store.insertReport(
        report({ createdAt: '2026-11-20T10:00:00.000Z', driftShare: 0.25 }),
      );
      await store.insertReport(
        report({
          createdAt: '2026-11-22T10:00:00.000Z',
          driftShare: 0.75,
          datasetDrift: true,
          driftedFeatures: ['amount', 'distance'],
          quality: dataQuality({ amount: [1, 1, null] }, 3),
        }),
      );
      await store.insertReport(
        report({ createdAt: '2026-11-21T10:00:00.000Z', driftShare: 0.5 }),
      );
      await store.insertReport(
        report({
          createdAt: '2026-11-23T10:00:00.000Z',
          model: 'market-master',
          driftShare: 0,
        }),
      );

      const latest = await store.latestReport('fraud-detection');
      expect(latest).toMatchObject({
        createdAt: '2026-11-22T10:00:00.000Z',
        driftShare: 0.75,
        datasetDrift: true,
        driftedFeatures: ['amount', 'distance'],
      });
      expect(latest!.quality.duplicateRatio).toBeCloseTo(1 / 3);

      const history = await store.history('fraud-detection', 2);
      expect(history.map(p => [p.createdAt, p.driftShare])).toEqual([
        ['2026-11-21T10:00:00.000Z', 0.5],
        ['2026-11-22T10:00:00.000Z', 0.75],
      ]);
      expect(await store.latestReport('ticket-classifier')).toBeUndefined();
      expect(await store.countReports('fraud-detection')).toBe(3);
      await knex.destroy();
    });

    it('creates the drift tables and removes them again', async () => {
      const { knex } = await createStore();
      expect(await knex.schema.hasTable('mlops_drift_baselines')).toBe(true);
      expect(await knex.schema.hasTable('mlops_drift_reports')).toBe(true);
      await rollbackDriftMigration(knex);
      expect(await knex.schema.hasTable('mlops_drift_baselines')).toBe(false);
      expect(await knex.schema.hasTable('mlops_drift_reports')).toBe(false);
      expect(await knex.schema.hasTable('mlops_registered_models')).toBe(true);
      await knex.destroy();
    });

    it("prunes old reports but keeps every model's newest one", async () => {
      const { store, knex } = await createStore();
      for (const [i, [model, createdAt]] of [
        ['fraud-detection', '2026-01-01T00:00:00.000Z'],
        ['fraud-detection', '2026-06-01T00:00:00.000Z'],
        ['fraud-detection', '2026-11-20T00:00:00.000Z'],
        ['market-master', '2026-02-01T00:00:00.000Z'],
        ['market-master', '2026-03-01T00:00:00.000Z'],
      ].entries()) {
        await store.insertReport(report({ id: `r-${i}`, model, createdAt }));
      }
      const deleted = await store.pruneReports(
        new Date('2026-10-01T00:00:00.000Z'),
      );
      expect(deleted).toBe(3);
      expect(
        (await store.history('fraud-detection', 10)).map(p => p.createdAt),
      ).toEqual(['2026-11-20T00:00:00.000Z']);
      expect(
        (await store.history('market-master', 10)).map(p => p.createdAt),
      ).toEqual(['2026-03-01T00:00:00.000Z']);
      await knex.destroy();
    });

    it('knows which models are registered', async () => {
      const { store, knex } = await createStore();
      expect(await store.modelExists('fraud-detection')).toBe(true);
      expect(await store.modelExists('ghost')).toBe(false);
      await knex.destroy();
    });
  });
});
