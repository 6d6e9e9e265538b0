import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import { Knex } from 'knex';
import { createTestDatabases } from '../__testUtils__/databases';
import { RunBatch, TrackingStore } from './TrackingStore';
import { migrateTracking } from './__testUtils__/migrateTracking';

jest.setTimeout(60_000);

const emptyBatch: RunBatch = { metrics: [], params: [], tags: [] };

describe('TrackingStore', () => {
  const databases = createTestDatabases();

  describe.each(databases.eachSupportedId())('on %p', databaseId => {
    let knex: Knex;
    let store: TrackingStore;

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      await migrateTracking(knex);
      store = await TrackingStore.create({ db: knex });
    });

    let experimentCount = 0;
    async function newExperiment() {
      experimentCount += 1;
      return store.createExperiment({
        name: `exp-${databaseId}-${experimentCount}`,
        owner: 'group:default/risk-ml',
        tags: { team: 'risk' },
      });
    }

    it('creates experiments with unique names and finds them by id or name', async () => {
      const experiment = await newExperiment();
      expect(experiment).toMatchObject({
        owner: 'group:default/risk-ml',
        tags: { team: 'risk' },
      });
      await expect(store.getExperiment(experiment.id)).resolves.toEqual(experiment);
      await expect(store.getExperiment(experiment.name)).resolves.toEqual(experiment);
      await expect(
        store.createExperiment({ name: experiment.name }),
      ).rejects.toThrow(ConflictError);
      await expect(store.getExperiment('no-such-experiment')).rejects.toThrow(
        NotFoundError,
      );
    });

    it('creates, reads and finishes a run', async () => {
      const experiment = await newExperiment();
      const run = await store.createRun({
        experimentName: experiment.name,
        name: 'baseline',
        user: 'user:default/ada',
        source: 'train.py',
        startTime: Date.parse('2026-11-20T10:00:00Z'),
        tags: { 'mlflow.source.git.commit': 'abc123' },
      });
      expect(run).toMatchObject({
        experimentId: experiment.id,
        experimentName: experiment.name,
        name: 'baseline',
        status: 'RUNNING',
        startTime: '2026-11-20T10:00:00.000Z',
        user: 'user:default/ada',
        deleted: false,
        tags: { 'mlflow.source.git.commit': 'abc123' },
      });
      expect(run.id).toMatch(/^[0-9a-f]{32}$/);
      expect(run.endTime).toBeUndefined();

      const child = await store.createRun({
        experimentId: experiment.id,
        parentRunId: run.id,
      });
      expect(child.parentRunId).toBe(run.id);

      const finished = await store.updateRun(run.id, { status: 'FINISHED' });
      expect(finished.status).toBe('FINISHED');
      expect(Date.parse(finished.endTime!)).toBeGreaterThan(
        Date.parse('2026-11-20T10:00:00Z'),
      );
      await expect(
        store.createRun({ experimentName: 'ghost-experiment' }),
      ).rejects.toThrow(NotFoundError);
      await expect(
        store.updateRun('0'.repeat(32), { status: 'FAILED' }),
      ).rejects.toThrow(NotFoundError);
    });

    it('logs a batch, keeps the full history and the latest value per key', async () => {
      const experiment = await newExperiment();
      const run = await store.createRun({ experimentId: experiment.id });
      await store.logBatch(run.id, {
        metrics: [
          { key: 'loss', value: 0.9, step: 0, timestamp: 1000 },
          { key: 'loss', value: 0.5, step: 1, timestamp: 2000 },
          { key: 'loss', value: 0.7, step: 0, timestamp: 3000 },
          { key: 'train/acc', value: 0.6, step: 1, timestamp: 2000 },
        ],
        params: [{ key: 'lr', value: '0.01' }],
        tags: [{ key: 'stage', value: 'dev' }],
      });
      // An older step arriving later must not replace the latest value.
      await store.logBatch(run.id, {
        ...emptyBatch,
        metrics: [{ key: 'loss', value: 0.8, step: 0, timestamp: 4000 }],
        tags: [{ key: 'stage', value: 'prod' }],
      });
      const stored = await store.getRun(run.id);
      expect(stored.params).toEqual({ lr: '0.01' });
      expect(stored.tags).toEqual({ stage: 'prod' });
      expect(stored.metrics.loss).toEqual({
        key: 'loss',
        value: 0.5,
        step: 1,
        timestamp: 2000,
      });
      expect(stored.metrics['train/acc'].value).toBe(0.6);

      const history = await store.getMetricHistory(run.id, 'loss');
      expect(history.points).toEqual([
        { value: 0.9, step: 0, timestamp: 1000 },
        { value: 0.7, step: 0, timestamp: 3000 },
        { value: 0.8, step: 0, timestamp: 4000 },
        { value: 0.5, step: 1, timestamp: 2000 },
      ]);
      await expect(store.getMetricHistory(run.id, 'nope')).rejects.toThrow(
        NotFoundError,
      );
    });

    it('keeps every metric of batches logged at once, and the latest by step, time, then value', async () => {
      const experiment = await newExperiment();
      const run = await store.createRun({ experimentId: experiment.id });
      const batches: RunBatch[] = Array.from({ length: 20 }, (_, step) => ({
        ...emptyBatch,
        metrics: [
          { key: 'loss', value: 1 / (step + 1), step, timestamp: 1000 + step },
          { key: 'acc', value: step, step, timestamp: 1000 + step },
        ],
        // Some batches also set a tag, so metrics-only batches and batches
        // written in a transaction share the store's connection.
        tags: step % 5 === 0 ? [{ key: `phase.${step}`, value: 'seen' }] : [],
      }));
      // The newest first: older steps arriving later keep the latest value.
      await Promise.all(
        [...batches].reverse().map(batch => store.logBatch(run.id, batch)),
      );
      // Same step and time as the latest: only a larger value replaces it.
      await store.logBatch(run.id, {
        ...emptyBatch,
        metrics: [
          { key: 'loss', value: 0.01, step: 19, timestamp: 1019 },
          { key: 'acc', value: 25, step: 19, timestamp: 1019 },
          {
            key: 'far',
            value: -2,
            step: Number.MAX_SAFE_INTEGER,
            timestamp: 4102444800000,
          },
        ],
      });

      const stored = await store.getRun(run.id);
      expect(stored.metrics.loss).toEqual({
        key: 'loss',
        value: 1 / 20,
        step: 19,
        timestamp: 1019,
      });
      expect(stored.metrics.acc.value).toBe(25);
      expect(stored.metrics.far).toEqual({
        key: 'far',
        value: -2,
        step: Number.MAX_SAFE_INTEGER,
        timestamp: 4102444800000,
      });
      expect(stored.tags).toEqual({
        'phase.0': 'seen',
        'phase.5': 'seen',
        'phase.10': 'seen',
        'phase.15': 'seen',
      });
      const history = await store.getMetricHistory(run.id, 'acc');
      expect(history.points).toEqual([
        ...batches.map((_, step) => ({
          value: step,
          step,
          timestamp: 1000 + step,
        })),
        { value: 25, step: 19, timestamp: 1019 },
      ]);
    });

    it('stores NaN and the infinities the way MLflow does and reads them back', async () => {
      const experiment = await newExperiment();
      const run = await store.createRun({ experimentId: experiment.id });
      await store.logBatch(run.id, {
        ...emptyBatch,
        metrics: [
          { key: 'a', value: NaN, step: 0, timestamp: 1 },
          { key: 'b', value: Infinity, step: 0, timestamp: 1 },
          { key: 'c', value: -Infinity, step: 0, timestamp: 1 },
        ],
      });
      const rows = await knex('mlops_run_latest_metrics')
        .where({ run_id: run.id })
        .orderBy('key');
      expect(rows.map(r => [r.key, Number(r.value), Boolean(r.is_nan)])).toEqual([
        ['a', 0, true],
        ['b', Number.MAX_VALUE, false],
        ['c', -Number.MAX_VALUE, false],
      ]);
      const stored = await store.getRun(run.id);
      expect(stored.metrics.a.value).toBe('NaN');
      expect(stored.metrics.b.value).toBe('Infinity');
      expect(stored.metrics.c.value).toBe('-Infinity');
      const snapshot = await store.getRunSnapshot(run.id);
      expect(Number.isNaN(snapshot!.metrics.a)).toBe(true);
      expect(snapshot!.metrics.b).toBe(Infinity);
      expect(snapshot!.metrics.c).toBe(-Infinity);
    });

    it('keeps params write-once and rolls back the whole batch on a conflict', async () => {
      const experiment = await newExperiment();
      const run = await store.createRun({ experimentId: experiment.id });
      await store.logBatch(run.id, {
        ...emptyBatch,
        params: [{ key: 'lr', value: '0.01' }],
      });
      // The same value again is fine.
      await store.logBatch(run.id, {
        ...emptyBatch,
        params: [{ key: 'lr', value: '0.01' }],
      });
      await expect(
        store.logBatch(run.id, {
          metrics: [{ key: 'loss', value: 1, step: 0, timestamp: 1 }],
          params: [
            { key: 'depth', value: '6' },
            { key: 'lr', value: '0.1' },
          ],
          tags: [{ key: 'note', value: 'x' }],
        }),
      ).rejects.toThrow(ConflictError);
      const stored = await store.getRun(run.id);
      expect(stored.params).toEqual({ lr: '0.01' });
      expect(stored.tags).toEqual({});
      expect(stored.metrics).toEqual({});
      const [{ n }] = await knex('mlops_run_metrics')
        .where({ run_id: run.id })
        .count({ n: '*' });
      expect(Number(n)).toBe(0);

      await expect(
        store.logBatch(run.id, {
          ...emptyBatch,
          params: [
            { key: 'seed', value: '1' },
            { key: 'seed', value: '2' },
          ],
        }),
      ).rejects.toThrow(InputError);
    });

    it('refuses to log to unknown or deleted runs', async () => {
      await expect(store.logBatch('f'.repeat(32), emptyBatch)).rejects.toThrow(
        NotFoundError,
      );
      const experiment = await newExperiment();
      const run = await store.createRun({ experimentId: experiment.id });
      await store.updateRun(run.id, { deleted: true });
      await expect(
        store.logBatch(run.id, {
          ...emptyBatch,
          tags: [{ key: 'k', value: 'v' }],
        }),
      ).rejects.toThrow(ConflictError);
      // A metrics-only batch (one statement on PostgreSQL) is refused the
      // same way, and writes nothing.
      const metrics = [{ key: 'loss', value: 0.5, step: 1, timestamp: 1 }];
      await expect(
        store.logBatch(run.id, { ...emptyBatch, metrics }),
      ).rejects.toThrow(ConflictError);
      await expect(
        store.logBatch('e'.repeat(32), { ...emptyBatch, metrics }),
      ).rejects.toThrow(NotFoundError);
      await store.updateRun(run.id, { deleted: false });
      await expect(store.getMetricHistory(run.id, 'loss')).rejects.toThrow(
        NotFoundError,
      );
      await store.logBatch(run.id, { ...emptyBatch, metrics });
      expect((await store.getMetricHistory(run.id, 'loss')).points).toEqual([
        { value: 0.5, step: 1, timestamp: 1 },
      ]);
    });

    describe('search', () => {
      let experimentName: string;
      const ids: string[] = [];

      beforeAll(async () => {
        const experiment = await newExperiment();
        experimentName = experiment.name;
        // Ten runs: acc = i/10, lr alternates, run 9 has no acc and run 8 a NaN acc.
        for (let i = 0; i < 10; i++) {
          const run = await store.createRun({
            experimentId: experiment.id,
            name: `run-${i}`,
            startTime: Date.parse('2026-11-01T00:00:00Z') + i * 60_000,
            status: i === 3 ? 'FAILED' : 'FINISHED',
          });
          ids.push(run.id);
          const metrics =
            i === 9
              ? []
              : [
                  {
                    key: 'acc',
                    value: i === 8 ? NaN : i / 10,
                    step: 1,
                    timestamp: 1,
                  },
                ];
          await store.logBatch(run.id, {
            metrics,
            params: [{ key: 'lr', value: i % 2 === 0 ? '0.01' : '0.1' }],
            tags: [{ key: 'parity', value: i % 2 === 0 ? 'even' : 'odd' }],
          });
        }
        await store.updateRun(ids[7], { deleted: true });
      });

      const search = (overrides: object = {}) =>
        store.searchRuns({
          experimentNames: [experimentName],
          filter: [],
          pageSize: 100,
          includeDeleted: false,
          ...overrides,
        });
      const names = (runs: Array<{ name?: string }>) => runs.map(r => r.name);

      it('orders by start time, newest first, and hides deleted runs', async () => {
        const { runs, nextPageToken } = await search();
        expect(names(runs)).toEqual([
          'run-9', 'run-8', 'run-6', 'run-5', 'run-4', 'run-3', 'run-2', 'run-1', 'run-0',
        ]);
        expect(nextPageToken).toBeUndefined();
        expect(names((await search({ includeDeleted: true })).runs)).toContain('run-7');
      });

      it('filters on metrics, params, tags and status', async () => {
        const byMetric = await search({
          filter: [{ type: 'metric', key: 'acc', op: '>=', value: 0.5 }],
          orderBy: { type: 'metric', key: 'acc', direction: 'asc' },
        });
        expect(names(byMetric.runs)).toEqual(['run-5', 'run-6']);

        const combined = await search({
          filter: [
            { type: 'param', key: 'lr', op: '=', value: '0.01' },
            { type: 'tag', key: 'parity', op: '!=', value: 'odd' },
            { type: 'metric', key: 'acc', op: '<', value: 0.5 },
          ],
          orderBy: { type: 'attribute', key: 'start_time', direction: 'asc' },
        });
        expect(names(combined.runs)).toEqual(['run-0', 'run-2', 'run-4']);

        const failed = await search({
          filter: [{ type: 'status', op: '=', value: 'FAILED' }],
        });
        expect(names(failed.runs)).toEqual(['run-3']);
      });

      it('orders by a metric with missing and NaN values last, in both directions', async () => {
        const desc = await search({
          orderBy: { type: 'metric', key: 'acc', direction: 'desc' },
        });
        expect(names(desc.runs).slice(0, 7)).toEqual([
          'run-6', 'run-5', 'run-4', 'run-3', 'run-2', 'run-1', 'run-0',
        ]);
        // NaN and missing values share the end, ordered by run id.
        expect(names(desc.runs).slice(-2).sort()).toEqual(['run-8', 'run-9']);
        const asc = await search({
          orderBy: { type: 'metric', key: 'acc', direction: 'asc' },
        });
        expect(names(asc.runs).slice(0, 3)).toEqual(['run-0', 'run-1', 'run-2']);
        expect(names(asc.runs).slice(-2).sort()).toEqual(['run-8', 'run-9']);
      });

      it('pages through every run exactly once with the page token', async () => {
        for (const orderBy of [
          { type: 'metric', key: 'acc', direction: 'desc' },
          { type: 'param', key: 'lr', direction: 'asc' },
          { type: 'attribute', key: 'start_time', direction: 'desc' },
          { type: 'attribute', key: 'end_time', direction: 'asc' },
        ] as const) {
          const seen: string[] = [];
          let pageToken: string | undefined;
          let pages = 0;
          do {
            const page = await search({ orderBy, pageSize: 2, pageToken });
            seen.push(...page.runs.map(r => r.id));
            pageToken = page.nextPageToken;
            pages += 1;
          } while (pageToken && pages < 20);
          const all = await search({ orderBy });
          expect(seen).toEqual(all.runs.map(r => r.id));
          expect(seen).toHaveLength(9);
        }
      });

      it('refuses a page token from another search or a forged one', async () => {
        const page = await search({ pageSize: 2 });
        await expect(
          search({
            pageSize: 2,
            pageToken: page.nextPageToken,
            orderBy: { type: 'metric', key: 'acc' },
          }),
        ).rejects.toThrow(/different search/);
        await expect(search({ pageToken: 'garbage' })).rejects.toThrow(InputError);
      });

      it('compares runs side by side and marks differences', async () => {
        const comparison = await store.compareRuns([ids[0], ids[2], ids[9]]);
        expect(comparison.runs.map(r => r.name)).toEqual(['run-0', 'run-2', 'run-9']);
        expect(comparison.params).toEqual([
          {
            key: 'lr',
            values: { [ids[0]]: '0.01', [ids[2]]: '0.01', [ids[9]]: '0.1' },
            differs: true,
          },
        ]);
        expect(comparison.metrics).toEqual([
          {
            key: 'acc',
            values: { [ids[0]]: 0, [ids[2]]: 0.2, [ids[9]]: null },
            differs: true,
          },
        ]);
        const same = await store.compareRuns([ids[0], ids[2]]);
        expect(same.params[0].differs).toBe(false);
        await expect(store.compareRuns([ids[0], 'a'.repeat(32)])).rejects.toThrow(
          NotFoundError,
        );
      });

      it('answers a run snapshot for the registry, or undefined', async () => {
        await expect(store.getRunSnapshot(ids[5])).resolves.toEqual({
          experimentName,
          params: { lr: '0.1' },
          metrics: { acc: 0.5 },
        });
        await expect(store.getRunSnapshot('b'.repeat(32))).resolves.toBeUndefined();
      });

      it('lists an experiment with its recent runs for entity cards', async () => {
        const result = await store.experimentsWithRecentRuns(
          [experimentName, 'not-there'],
          3,
        );
        expect(result.missing).toEqual(['not-there']);
        expect(names(result.experiments[0].runs)).toEqual(['run-9', 'run-8', 'run-6']);
      });
    });
  });
});
