import { Knex } from 'knex';
import { createTestDatabases } from '../__testUtils__/databases';
import { migrateMlopsDatabase } from '../database/migrations';
import { ResolvedEntity } from '../shared/EntityResolver';
import { bucketLowerMs, bucketUpperMs, latencyBucket } from './histogram';
import { MonitoringService } from './MonitoringService';
import {
  HOUR,
  MINUTE,
  MonitoringStore,
  QUARTER,
  RESERVOIR_CAPACITY,
  RETENTION_MINUTES,
} from './MonitoringStore';
import { PredictionEvent } from './types';

jest.setTimeout(120_000);

// 2026-11-25T12:30:30Z: mid-minute, mid-hour, so boundaries are visible.
const NOW = Date.UTC(2026, 10, 25, 12, 30, 30);
const MIN = 60_000;

function event(
  id: string,
  overrides: Partial<PredictionEvent> = {},
): PredictionEvent {
  return {
    id,
    timestampMs: NOW - 1000,
    environment: 'production',
    latencyMs: 20,
    status: 'ok',
    prediction: 'a',
    ...overrides,
  };
}

function entity(model: string): ResolvedEntity {
  return {
    entity: {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: model },
    },
    entityRef: `component:default/${model}`,
    links: [{ kind: 'model', name: model }],
  };
}

describe('MonitoringStore', () => {
  const databases = createTestDatabases();

  describe.each(databases.eachSupportedId())('on %p', databaseId => {
    let knex: Knex;
    let store: MonitoringStore;
    let service: MonitoringService;

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      await migrateMlopsDatabase(knex);
    });

    beforeEach(async () => {
      for (const table of [
        'mlops_prediction_rollups',
        'mlops_prediction_event_ids',
        'mlops_prediction_sample_windows',
        'mlops_prediction_samples',
      ]) {
        await knex(table).delete();
      }
      store = new MonitoringStore(knex);
      service = new MonitoringService(store, { now: () => NOW });
    });

    it('reports p50/p95/p99 within the bucket of the true percentile', async () => {
      // A skewed, long-tailed distribution: 0.5 ms to ~3 s.
      const latencies = Array.from({ length: 20_000 }, (_, i) => {
        const u = ((i * 7919) % 20_000) / 20_000;
        return 0.5 * Math.exp(8.7 * u ** 2);
      });
      const events = latencies.map((latencyMs, i) =>
        event(`e${i}`, { latencyMs, timestampMs: NOW - (i % 50) * MIN }),
      );
      for (let i = 0; i < events.length; i += 5000) {
        await store.ingest('m', events.slice(i, i + 5000), NOW);
      }
      const sorted = [...latencies].sort((a, b) => a - b);
      const metrics = await service.entityMetrics(entity('m'), {
        window: '1h',
      });
      const totals = metrics.models[0].totals;
      expect(totals.count).toBe(20_000);
      for (const [q, estimate] of [
        [0.5, totals.latencyP50Ms],
        [0.95, totals.latencyP95Ms],
        [0.99, totals.latencyP99Ms],
      ] as const) {
        const truth = sorted[Math.ceil(q * sorted.length) - 1];
        const bucket = latencyBucket(truth);
        expect(estimate).toBeGreaterThanOrEqual(bucketLowerMs(bucket));
        expect(estimate).toBeLessThanOrEqual(bucketUpperMs(bucket));
      }
      // The same numbers come back through windowStats.
      const stats = await service.windowStats('m', { windowMinutes: 60 });
      expect(stats.count).toBe(20_000);
      expect(stats.latencyP95Ms).toBeCloseTo(totals.latencyP95Ms!, 6);
    });

    it('counts a retried batch once and reports the duplicates', async () => {
      const batch = [event('a'), event('b'), event('c', { status: 'error' })];
      expect(await store.ingest('m', batch, NOW)).toEqual({
        accepted: 3,
        duplicates: 0,
      });
      expect(await store.ingest('m', batch, NOW)).toEqual({
        accepted: 0,
        duplicates: 3,
      });
      // A batch that overlaps the first one counts only its new event; an id
      // repeated inside a batch counts once.
      expect(
        await store.ingest('m', [event('c'), event('d'), event('d')], NOW),
      ).toEqual({ accepted: 1, duplicates: 2 });
      // The same id under another model is a different event.
      expect(await store.ingest('other', [event('a')], NOW)).toEqual({
        accepted: 1,
        duplicates: 0,
      });

      const stats = await service.windowStats('m', { windowMinutes: 5 });
      expect(stats.count).toBe(4);
      expect(stats.errorRate).toBeCloseTo(1 / 4);
    });

    it('counts concurrent deliveries of the same batch once', async () => {
      const batch = Array.from({ length: 2000 }, (_, i) => event(`c${i}`));
      const results = await Promise.all(
        Array.from({ length: 4 }, () => store.ingest('m', batch, NOW)),
      );
      expect(results.reduce((sum, r) => sum + r.accepted, 0)).toBe(2000);
      const stats = await service.windowStats('m', { windowMinutes: 1 });
      expect(stats.count).toBe(2000);
    });

    it('includes exactly the minutes of the window', async () => {
      const minuteStart = Math.floor(NOW / MIN) * MIN;
      await store.ingest(
        'm',
        [
          event('now', { timestampMs: NOW }),
          // First second of the oldest minute inside a 60-minute window.
          event('edge-in', { timestampMs: minuteStart - 59 * MIN }),
          // Last millisecond before it.
          event('edge-out', { timestampMs: minuteStart - 59 * MIN - 1 }),
          event('staging', { timestampMs: NOW, environment: 'staging' }),
        ],
        NOW,
      );
      expect(
        (await service.windowStats('m', { windowMinutes: 60 })).count,
      ).toBe(3);
      expect(
        (await service.windowStats('m', { windowMinutes: 61 })).count,
      ).toBe(4);
      expect(
        (
          await service.windowStats('m', {
            windowMinutes: 60,
            environment: 'production',
          })
        ).count,
      ).toBe(2);
      expect((await service.windowStats('m', { windowMinutes: 1 })).count).toBe(
        2,
      );
      await expect(
        service.windowStats('m', { windowMinutes: 0 }),
      ).rejects.toThrow('windowMinutes');
    });

    it('answers windows longer than a day from whole hours', async () => {
      await store.ingest(
        'm',
        [
          event('recent'),
          event('two-days', { timestampMs: NOW - 2 * 24 * 60 * MIN }),
          event('eight-days', { timestampMs: NOW - 8 * 24 * 60 * MIN }),
        ],
        NOW,
      );
      const week = await service.windowStats('m', {
        windowMinutes: 7 * 24 * 60,
      });
      expect(week.count).toBe(2);
      const hourRows = await knex('mlops_prediction_rollups').where({
        resolution: HOUR,
      });
      expect(hourRows).toHaveLength(3);

      const series = await service.entityMetrics(entity('m'), { window: '7d' });
      const model = series.models[0];
      expect(model.series).toHaveLength(168);
      expect(model.totals.count).toBe(2);
      expect(model.series[model.series.length - 1].count).toBe(1);
      expect(model.series[model.series.length - 1].start).toBe(
        '2026-11-25T12:00:00.000Z',
      );
    });

    it('computes accuracy from labelled events and compares it with the first production day', async () => {
      const firstDay = NOW - 6 * 24 * 60 * MIN;
      const early = Array.from({ length: 100 }, (_, i) =>
        event(`early${i}`, {
          timestampMs: firstDay + i * MIN,
          prediction: 'x',
          label: i < 95 ? 'x' : 'y',
        }),
      );
      const labelOf = (i: number) => {
        if (i < 72) {
          return '1';
        }
        return i < 80 ? 0 : undefined;
      };
      const recent = Array.from({ length: 100 }, (_, i) =>
        event(`recent${i}`, {
          timestampMs: NOW - (i % 30) * MIN,
          prediction: 1,
          // 1 and "1" are the same class to a client that sends both.
          label: labelOf(i),
          confidence: 0.5,
        }),
      );
      await store.ingest('m', [...early, ...recent], NOW);

      const stats = await service.windowStats('m', { windowMinutes: 60 });
      expect(stats.accuracy).toBeCloseTo(72 / 80);
      expect(stats.baselineAccuracy).toBeCloseTo(0.95);

      const metrics = await service.entityMetrics(entity('m'), {
        window: '1h',
      });
      const model = metrics.models[0];
      expect(model.totals.labelled).toBe(80);
      expect(model.totals.meanConfidence).toBeCloseTo(0.5);
      expect(model.baseline).toMatchObject({
        source: 'first_production_day',
        accuracy: 0.95,
      });
      expect(model.degradation.accuracy).toBeCloseTo((0.95 - 0.9) / 0.95);
    });

    it('prefers the registry version evaluation as the baseline', async () => {
      const withRegistry = new MonitoringService(store, {
        now: () => NOW,
        registry: {
          productionVersion: async model =>
            model === 'm'
              ? { version: 7, metrics: { accuracy: 0.95, loss: 0.1 } }
              : undefined,
        },
      });
      await store.ingest(
        'm',
        Array.from({ length: 10 }, (_, i) =>
          event(`r${i}`, { prediction: 'a', label: i < 8 ? 'a' : 'b' }),
        ),
        NOW,
      );
      const stats = await withRegistry.windowStats('m', { windowMinutes: 10 });
      expect(stats.accuracy).toBeCloseTo(0.8);
      expect(stats.baselineAccuracy).toBe(0.95);
      const metrics = await withRegistry.entityMetrics(entity('m'), {
        window: '24h',
      });
      expect(metrics.models[0].baseline).toEqual({
        source: 'registry',
        version: 7,
        accuracy: 0.95,
      });
      expect(metrics.models[0].degradation.accuracy).toBeCloseTo(
        (0.95 - 0.8) / 0.95,
      );
      expect(metrics.models[0].series).toHaveLength(96);
      expect(metrics.bucketMinutes).toBe(15);
    });

    it('keeps a bounded reservoir of feature values per hour', async () => {
      const events = Array.from({ length: 3000 }, (_, i) =>
        event(`f${i}`, {
          timestampMs: NOW - (i % 20) * MIN,
          features: i % 2 ? { x: i, kind: 'odd', flag: true } : { x: i },
        }),
      );
      await store.ingest('m', events.slice(0, 1500), NOW);
      await store.ingest('m', events.slice(1500), NOW);
      const rows = await knex('mlops_prediction_samples').count({ n: '*' });
      expect(Number(rows[0].n)).toBe(RESERVOIR_CAPACITY);
      const window = await knex('mlops_prediction_sample_windows').first();
      expect(Number(window.seen)).toBe(3000);

      const columns = await service.featureSample('m', { windowMinutes: 60 });
      expect(Object.keys(columns).sort()).toEqual(['flag', 'kind', 'x']);
      expect(columns.x).toHaveLength(RESERVOIR_CAPACITY);
      expect(columns.kind).toHaveLength(RESERVOIR_CAPACITY);
      // Later events made it into the reservoir, not only the first 1000.
      expect(Math.max(...(columns.x as number[]))).toBeGreaterThan(1000);
      expect(new Set(columns.flag)).toEqual(new Set(['true', null]));

      const small = await service.featureSample('m', {
        windowMinutes: 60,
        maxRows: 10,
      });
      expect(small.x).toHaveLength(10);
      expect(
        await service.featureSample('other', { windowMinutes: 60 }),
      ).toEqual({});
    });

    it('forgets rows past their retention', async () => {
      await store.ingest(
        'm',
        [
          event('old', {
            timestampMs: NOW - 3 * 24 * 60 * MIN,
            features: { x: 1 },
          }),
          event('new', { features: { x: 2 } }),
        ],
        NOW - 3 * 24 * 60 * MIN,
      );
      const later = NOW + (RETENTION_MINUTES.eventIds + 1) * MIN;
      await store.prune(later);
      expect(
        Number(
          (await knex('mlops_prediction_event_ids').count({ n: '*' }))[0].n,
        ),
      ).toBe(0);
      expect(
        await knex('mlops_prediction_rollups').where({ resolution: MINUTE }),
      ).toHaveLength(0);
      expect(
        await knex('mlops_prediction_rollups').where({ resolution: QUARTER }),
      ).toHaveLength(0);
      expect(
        await knex('mlops_prediction_rollups').where({ resolution: HOUR }),
      ).toHaveLength(2);
    });
  });
});
