import { Knex } from 'knex';
import { createTestDatabases } from '../__testUtils__/databases';
import { TrackingStore } from './TrackingStore';
import { migrateTracking } from './__testUtils__/migrateTracking';
import { mirrorRuns } from './mirrorRuns';
import { MIN_ROWS } from './plannerStatistics';

jest.setTimeout(120_000);

const TABLE = 'mlops_run_latest_metrics';

/** When PostgreSQL last ran a manual ANALYZE on the table (autovacuum's are apart). */
async function lastAnalyze(knex: Knex, table: string): Promise<Date | null> {
  const { rows } = await knex.raw(
    'select last_analyze from pg_stat_user_tables where relname = ?',
    [table],
  );
  return rows[0]?.last_analyze ?? null;
}

async function waitForAnalyze(knex: Knex, table: string, after: Date | null) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const at = await lastAnalyze(knex, table);
    if (at && (!after || at > after)) return at;
    if (Date.now() > deadline) return at;
    await new Promise(r => setTimeout(r, 100));
  }
}

const metrics = (count: number, step: number) =>
  Array.from({ length: count }, (_, i) => ({
    key: `m${i}`,
    value: i + step,
    step,
    timestamp: 1_700_000_000_000 + step,
  }));

/** A store on a fresh database, and a bulk load into it. */
function storeOn(databases: ReturnType<typeof createTestDatabases>) {
  const context = {} as { knex: Knex; store: TrackingStore; id: string };
  const open = async (databaseId: string) => {
    context.id = databaseId;
    context.knex = await databases.init(databaseId as any);
    await migrateTracking(context.knex);
    context.store = await TrackingStore.create({ db: context.knex });
  };
  /** Three small batches, then more than MIN_ROWS rows in 1,000-metric batches. */
  const bulkLoad = async (afterSmallBatches: () => Promise<void>) => {
    const { store } = context;
    const experiment = await store.createExperiment({
      name: `bulk-${context.id}`,
    });
    const run = await store.createRun({
      experimentName: experiment.name,
      startTime: 1_700_000_000_000,
    });
    for (let step = 0; step < 3; step++) {
      await store.logBatch(run.id, {
        metrics: metrics(10, step),
        params: [],
        tags: [],
      });
    }
    await store.plannerStatistics.settled();
    await afterSmallBatches();
    for (let step = 3; step < 3 + Math.ceil(MIN_ROWS / 2000) + 1; step++) {
      await store.logBatch(run.id, {
        metrics: metrics(1000, step),
        params: [],
        tags: [],
      });
    }
    await store.plannerStatistics.settled();
  };
  return { context, open, bulkLoad };
}

describe('planner statistics after bulk writes', () => {
  const databases = createTestDatabases();
  const ids = databases.eachSupportedId();
  const postgresIds = ids.filter(([id]) => String(id).startsWith('POSTGRES'));
  const sqliteIds = ids.filter(([id]) => String(id).startsWith('SQLITE'));

  describe.each(postgresIds)('on %p', databaseId => {
    const { context, open, bulkLoad } = storeOn(databases);
    beforeAll(() => open(databaseId));

    it('analyzes the tables a bulk log-batch load filled, and not after small batches', async () => {
      const { knex } = context;
      let afterSmallBatches: Date | null = null;
      await bulkLoad(async () => {
        afterSmallBatches = await lastAnalyze(knex, TABLE);
      });
      expect(afterSmallBatches).toBeNull();
      expect(await waitForAnalyze(knex, TABLE, null)).not.toBeNull();
      // The planner now has column statistics of the table; before, it
      // guessed one row per join and scanned the table for a page.
      const { rows: stats } = await knex.raw(
        'select count(*) as n from pg_stats where tablename = ?',
        [TABLE],
      );
      expect(Number(stats[0].n)).toBeGreaterThan(0);
      const { rows } = await knex.raw(
        'select n_live_tup from pg_stat_user_tables where relname = ?',
        [TABLE],
      );
      expect(Number(rows[0].n_live_tup)).toBeGreaterThanOrEqual(1000);
    });

    it('analyzes after a source sync that mirrored many runs', async () => {
      const { knex, store } = context;
      const experiment = await store.createExperiment({
        name: `mirror-${databaseId}`,
      });
      const before = await lastAnalyze(knex, 'mlops_runs');
      await new Promise(r => setTimeout(r, 10));
      const reported = Array.from({ length: 400 }, (_, i) => ({
        id: `mirrored${String(i).padStart(24, '0')}`,
        experimentId: experiment.id,
        status: 'FINISHED' as const,
        startTime: 1_700_000_000_000 + i,
        deleted: false,
        params: { lr: '0.1' },
        tags: { team: 'a' },
        latestMetrics: metrics(20, 0),
      }));
      await mirrorRuns(knex, reported);
      await store.plannerStatistics.settled();
      const at = await waitForAnalyze(knex, 'mlops_runs', before);
      expect(at).not.toBeNull();
      expect(before === null || at! > before).toBe(true);
    });
  });

  describe.each(sqliteIds)('on %p', databaseId => {
    const { context, open, bulkLoad } = storeOn(databases);
    beforeAll(() => open(databaseId));

    it('leaves SQLite without statistics after a bulk load', async () => {
      // Run search on SQLite fixes its join order itself (runFilters.ts);
      // statistics could only move its plans.
      await bulkLoad(async () => {});
      const stat = await context.knex.raw(
        "select name from sqlite_master where name = 'sqlite_stat1'",
      );
      expect(stat).toEqual([]);
    });
  });
});
