import { resolvePackagePath } from '@backstage/backend-plugin-api';
import path from 'path';
import { createTestDatabases } from '../__testUtils__/databases';
import { migrateForIncidents } from './__testUtils__/migrate';
import { Finding } from './detectors/types';
import { IncidentStore } from './IncidentStore';

jest.setTimeout(60_000);

const at = (minute: number) => new Date(Date.UTC(2026, 11, 3, 12, minute));

const latency: Finding = {
  symptom: 'latency_high',
  severity: 'critical',
  message: 'p95 latency 812 ms is above the 500 ms threshold',
  evidence: {
    values: { latencyP95Ms: 812 },
    threshold: 500,
    windowMinutes: 15,
  },
};

const migrationsDir = resolvePackagePath(
  '@backstage-mlops/plugin-mlops-backend',
  'migrations',
);

describe('latest health checks', () => {
  const databases = createTestDatabases();

  describe.each(databases.eachSupportedId())('on %p', databaseId => {
    it('answers with the newest check of each object, also when a replica records an older one last', async () => {
      const knex = await databases.init(databaseId);
      await migrateForIncidents(knex);
      const store = new IncidentStore(knex);
      const check = (name: string, minute: number, findings: Finding[]) =>
        store.recordCheck({
          kind: 'model',
          name,
          checkedAt: at(minute),
          judged: ['latency_high'],
          findings,
        });
      await check('fraud-detection', 1, []);
      await check('fraud-detection', 3, [latency]);
      // A slower replica finishes the evaluation it started at minute 2.
      await check('fraud-detection', 2, []);
      await check('market-master', 1, []);

      const latest = await store.latestChecks([
        { kind: 'model', name: 'market-master' },
        { kind: 'pipeline', name: 'fraud-detection' },
        { kind: 'model', name: 'fraud-detection' },
      ]);
      expect(latest.map(c => [c.name, c.checkedAt, c.findings.length])).toEqual(
        [
          ['market-master', at(1).toISOString(), 0],
          ['fraud-detection', at(3).toISOString(), 1],
        ],
      );
      // The history keeps every check.
      const [{ n }] = await knex('mlops_health_checks').count({ n: '*' });
      expect(Number(n)).toBe(4);

      // Pruning the day-old history forgets an object checked only then.
      await store.pruneChecks(at(2));
      expect(
        (
          await store.latestChecks([
            { kind: 'model', name: 'market-master' },
            { kind: 'model', name: 'fraud-detection' },
          ])
        ).map(c => c.name),
      ).toEqual(['fraud-detection']);
    });

    it('carries the newest check per object over from the history when migrating, and drops the table on the way down', async () => {
      const knex = await databases.init(databaseId);
      const source = (names: string[]) => ({
        getMigrations: async () => names,
        getMigrationName: (name: string) => name,
        getMigration: async (name: string) =>
          require(path.join(migrationsDir, name)),
      });
      const before = ['20261122090000_init.js', '20261125150000_incidents.js'];
      const latest = [...before, '20261203144500_health_latest_checks.js'];
      await knex.migrate.latest({ migrationSource: source(before) });
      for (const [name, minute, findings] of [
        ['fraud-detection', 1, '[]'],
        ['fraud-detection', 5, JSON.stringify([latency])],
        ['fraud-detection', 4, '[]'],
        ['market-master', 2, '[]'],
      ] as const) {
        await knex('mlops_health_checks').insert({
          object_kind: 'model',
          object_name: name,
          checked_at: at(minute),
          observed: '["latency_high"]',
          findings,
        });
      }
      await knex.migrate.latest({ migrationSource: source(latest) });
      const checks = await new IncidentStore(knex).latestChecks([
        { kind: 'model', name: 'fraud-detection' },
        { kind: 'model', name: 'market-master' },
      ]);
      expect(checks.map(c => [c.name, c.checkedAt, c.findings])).toEqual([
        ['fraud-detection', at(5).toISOString(), [latency]],
        ['market-master', at(2).toISOString(), []],
      ]);

      await knex.migrate.down({ migrationSource: source(latest) });
      expect(await knex.schema.hasTable('mlops_health_latest_checks')).toBe(
        false,
      );
      expect(await knex.schema.hasTable('mlops_health_checks')).toBe(true);
    });
  });
});
