import { createTestDatabases } from '../__testUtils__/databases';
import { migrateForIncidents } from './__testUtils__/migrate';
import { Finding } from './detectors/types';
import { IncidentStore, MAX_DETECTOR_EVENTS } from './IncidentStore';

jest.setTimeout(60_000);

const model = { kind: 'model' as const, name: 'market-master' };

const latency = (p95: number): Finding => ({
  symptom: 'latency_high',
  severity: 'critical',
  message: `p95 latency ${p95} ms is above the 500 ms threshold`,
  evidence: { values: { latencyP95Ms: p95 }, threshold: 500, windowMinutes: 15 },
});

const minutes = (n: number) => new Date(Date.UTC(2026, 10, 25, 12, n));

describe('IncidentStore', () => {
  const databases = createTestDatabases();

  describe.each(databases.eachSupportedId())('on %p', databaseId => {
    async function createStore() {
      const knex = await databases.init(databaseId);
      await migrateForIncidents(knex);
      return { store: new IncidentStore(knex), knex };
    }

    it('opens one incident per object and symptom and refreshes it after', async () => {
      const { store } = await createStore();
      const first = await store.reportSymptom(model, latency(800), minutes(0));
      const again = await store.reportSymptom(model, latency(800), minutes(5));
      const worse = await store.reportSymptom(model, latency(950), minutes(10));

      expect(first.opened).toBe(true);
      expect(again.opened).toBe(false);
      expect(worse.opened).toBe(false);
      expect(worse.incident.id).toBe(first.incident.id);
      expect(worse.incident.message).toContain('950 ms');
      expect(worse.incident.timeline.map(e => e.type)).toEqual([
        'opened',
        'evidence_updated',
      ]);
      expect(await store.openIncidents([model])).toHaveLength(1);
    });

    it('lets the database decide when two evaluators race to open', async () => {
      const { store } = await createStore();
      const results = await Promise.all(
        Array.from({ length: 6 }, () =>
          store.reportSymptom(model, latency(800), minutes(0)),
        ),
      );
      expect(results.filter(r => r.opened)).toHaveLength(1);
      expect(new Set(results.map(r => r.incident.id)).size).toBe(1);
      expect(await store.openIncidents([model])).toHaveLength(1);
    });

    it('enforces one unresolved incident even for a direct insert', async () => {
      const { store, knex } = await createStore();
      const { incident } = await store.reportSymptom(
        model,
        latency(800),
        minutes(0),
      );
      const row = await knex('mlops_incidents').where({ id: incident.id }).first();
      // The rejection is inspected as text: errors from the native SQLite
      // driver do not always pass Jest's Error checks.
      const attempt = await knex('mlops_incidents')
        .insert({ ...row, id: 'another-id' })
        .then(
          () => 'inserted',
          (error: unknown) => String(error),
        );
      expect(attempt).toMatch(/unique/i);
      expect(
        await knex('mlops_incidents').whereNot('status', 'resolved').pluck('id'),
      ).toEqual([incident.id]);
      // A resolved one does not block a new incident.
      await knex('mlops_incidents')
        .insert({ ...row, id: 'old-one', status: 'resolved' });
    });

    it('resolves after the clear period and opens a new incident when the symptom returns later', async () => {
      const { store } = await createStore();
      const quarterHour = 15 * 60_000;
      const { incident } = await store.reportSymptom(model, latency(800), minutes(0));

      expect(await store.reportClear(model, 'latency_high', minutes(5), quarterHour)).toBe('clearing');
      // Back before the period ends: the same incident carries on.
      await store.reportSymptom(model, latency(700), minutes(10));
      expect(await store.reportClear(model, 'latency_high', minutes(15), quarterHour)).toBe('clearing');
      expect(await store.reportClear(model, 'latency_high', minutes(25), quarterHour)).toBe('clearing');
      expect(await store.reportClear(model, 'latency_high', minutes(30), quarterHour)).toBe('resolved');
      expect(await store.reportClear(model, 'latency_high', minutes(35), quarterHour)).toBe('none');

      const resolved = await store.get(incident.id);
      expect(resolved.status).toBe('resolved');
      expect(resolved.resolvedAt).toBe(minutes(30).toISOString());
      expect(resolved.resolvedBy).toBeUndefined();
      expect(resolved.timeline.map(e => e.type)).toEqual([
        'opened',
        'symptom_cleared',
        'symptom_returned',
        'symptom_cleared',
        'resolved',
      ]);

      const next = await store.reportSymptom(model, latency(900), minutes(40));
      expect(next.opened).toBe(true);
      expect(next.incident.id).not.toBe(incident.id);
    });

    it('records who acknowledged and resolved, and refuses to repeat either', async () => {
      const { store } = await createStore();
      const { incident } = await store.reportSymptom(model, latency(800), minutes(0));

      const acked = await store.acknowledge(incident.id, 'user:default/alice', 'looking');
      expect(acked.status).toBe('acknowledged');
      expect(acked.acknowledgedBy).toBe('user:default/alice');
      await expect(store.acknowledge(incident.id, 'user:default/bob')).rejects.toThrow(
        /already acknowledged \(by user:default\/alice\)/,
      );

      const resolved = await store.resolve(incident.id, 'user:default/bob');
      expect(resolved.status).toBe('resolved');
      expect(resolved.resolvedBy).toBe('user:default/bob');
      expect(resolved.timeline.map(e => [e.type, e.actor])).toEqual([
        ['opened', undefined],
        ['acknowledged', 'user:default/alice'],
        ['resolved', 'user:default/bob'],
      ]);
      expect(resolved.timeline[1].message).toBe('Acknowledged: looking');
      await expect(store.resolve(incident.id, 'user:default/bob')).rejects.toThrow(
        /already resolved/,
      );
      await expect(store.get('missing')).rejects.toThrow(/No incident missing/);
    });

    it('keeps a flapping incident timeline bounded', async () => {
      const { store } = await createStore();
      const { incident } = await store.reportSymptom(model, latency(600), minutes(0));
      for (let i = 1; i <= MAX_DETECTOR_EVENTS + 20; i++) {
        await store.reportSymptom(model, latency(600 + i), minutes(0));
      }
      const events = (await store.get(incident.id)).timeline;
      expect(events).toHaveLength(MAX_DETECTOR_EVENTS + 1);
      expect((await store.get(incident.id)).message).toContain(
        `${600 + MAX_DETECTOR_EVENTS + 20} ms`,
      );
    });

    it('lists open incidents before recently resolved ones, per object', async () => {
      const { store } = await createStore();
      const other = { kind: 'pipeline' as const, name: 'market-master-training' };
      const a = await store.reportSymptom(model, latency(800), minutes(0));
      await store.resolve(a.incident.id, 'user:default/alice');
      const b = await store.reportSymptom(model, latency(900), minutes(1));
      await store.reportSymptom(
        other,
        {
          symptom: 'pipeline_failed',
          severity: 'critical',
          message: 'Run 1 failed',
          evidence: { values: {} },
        },
        minutes(2),
      );

      const listed = await store.list([model], {
        resolvedSince: minutes(0),
        limit: 10,
      });
      expect(listed.map(i => [i.id, i.status])).toEqual([
        [b.incident.id, 'open'],
        [a.incident.id, 'resolved'],
      ]);
      expect(await store.list([model], { limit: 10 })).toHaveLength(1);
    });

    it('keeps checks and serves the latest and a metrics series', async () => {
      const { store } = await createStore();
      for (let i = 0; i < 5; i++) {
        await store.recordCheck({
          kind: 'model',
          name: 'market-master',
          checkedAt: minutes(i),
          judged: ['latency_high'],
          findings: i === 4 ? [latency(900)] : [],
          metrics: {
            at: minutes(i).toISOString(),
            count: 100 + i,
            errorRate: 0.01,
            latencyP95Ms: 100 * (i + 1),
            accuracy: null,
            windowMinutes: 15,
            baselineAccuracy: null,
          },
        });
      }
      const [latest] = await store.latestChecks([model]);
      expect(latest.checkedAt).toBe(minutes(4).toISOString());
      expect(latest.findings.map(f => f.symptom)).toEqual(['latency_high']);
      const series = await store.metricsSeries('market-master', 3);
      expect(series.map(p => p.latencyP95Ms)).toEqual([300, 400, 500]);

      expect(await store.pruneChecks(minutes(3))).toBe(3);
      expect(await store.metricsSeries('market-master', 10)).toHaveLength(2);
    });
  });
});
