import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { randomUUID } from 'crypto';
import { Knex } from 'knex';
import path from 'path';
import { createTestDatabases } from '../__testUtils__/databases';
import { DriftStore } from '../drift';
import { HealthService } from '../health/HealthService';
import { Finding } from '../incidents/detectors/types';
import { IncidentStore } from '../incidents/IncidentStore';
import { MlopsObjectStore } from '../objects/MlopsObjectStore';
import { RegistryStore } from '../registry/RegistryStore';
import { mlopsLinksOf } from '../shared/EntityResolver';
import { FleetService } from './FleetService';

jest.setTimeout(120_000);

// Only the migrations of the tables the fleet reads, so these tests do not
// break while other capabilities' migrations are being written.
const NEEDED = [
  '20261122090000_init.js',
  '20261125110000_registry.js',
  '20261125120000_drift.js',
  '20261125150000_incidents.js',
  '20261203144500_health_latest_checks.js',
];

async function migrateForFleet(knex: Knex) {
  const dir = resolvePackagePath(
    '@backstage-mlops/plugin-mlops-backend',
    'migrations',
  );
  await knex.migrate.latest({
    migrationSource: {
      getMigrations: async () => NEEDED,
      getMigrationName: (name: string) => name,
      getMigration: async (name: string) => require(path.join(dir, name)),
    },
  });
}

const nameOf = (i: number) => `model-${String(i).padStart(3, '0')}`;

function entityOf(i: number): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: nameOf(i),
      namespace: 'default',
      annotations: { 'backstage-mlops.dev/model': nameOf(i) },
    },
    spec: { type: 'ml-model', lifecycle: 'production', owner: 'risk-ml' },
  };
}

// Model i is unhealthy when i % 4 == 0 (a critical and a warning finding,
// two open incidents), degraded when i % 4 == 1, healthy when i % 4 == 2 and
// unknown (never checked) when i % 4 == 3. Even models have Production
// version i, and every third a drift report.
async function seedFleet(knex: Knex, count: number) {
  const at = (minute: number) => new Date(Date.UTC(2026, 11, 3, 12, minute));
  await knex('mlops_registered_models').insert(
    Array.from({ length: count }, (_, i) => ({
      name: nameOf(i),
      owner: 'group:default/risk-ml',
      latest_version: 1,
      created_at: at(0),
      updated_at: at(0),
    })),
  );
  const ids: Array<{ id: number; name: string }> = await knex(
    'mlops_registered_models',
  ).select('id', 'name');
  const idOf = new Map(ids.map(r => [r.name, r.id]));
  const critical = {
    symptom: 'error_rate_high',
    severity: 'critical',
    message: 'Error rate 9% is above 5%',
    evidence: {},
  };
  const warning = {
    symptom: 'latency_high',
    severity: 'warning',
    message: 'p95 latency 812 ms is above 500 ms',
    evidence: {},
  };
  for (let i = 0; i < count; i++) {
    const name = nameOf(i);
    if (i % 2 === 0) {
      await knex('mlops_model_versions').insert(
        [1, i].map((version, n) => ({
          model_id: idOf.get(name),
          version: n === 0 ? 1000 + i : version,
          // The older Production version must not win.
          stage: 'Production',
          created_at: at(n),
          updated_at: at(n),
          stage_changed_at: at(n),
        })),
      );
    }
    const latestFindings = [[warning, critical], [warning], []][i % 4];
    if (latestFindings) {
      // An old failing check, then the latest: only the latest counts.
      for (const [minute, findings] of [
        [1, [critical]],
        [2, latestFindings],
      ] as const) {
        await new IncidentStore(knex).recordCheck({
          kind: 'model',
          name,
          checkedAt: at(minute),
          judged: ['error_rate_high', 'latency_high'],
          findings: findings as unknown as Finding[],
        });
      }
    }
    if (i % 3 === 0) {
      for (const minute of [3, 4]) {
        await knex('mlops_drift_reports').insert({
          id: randomUUID(),
          model_name: name,
          model_version: 1,
          source: 'schedule',
          dataset_drift: minute === 4,
          drift_share: minute === 4 ? 0.75 : 0.1,
          drifted_count: 3,
          feature_count: 4,
          drift_share_threshold: 0.5,
          drifted_features: JSON.stringify(['a', 'b', 'c']),
          features: JSON.stringify([]),
          quality: JSON.stringify({}),
          reference_rows: 100,
          current_rows: 100,
          created_at: at(minute),
        });
      }
    }
    if (i % 4 === 0) {
      for (const [symptom, status] of [
        ['error_rate_high', 'open'],
        ['latency_high', 'acknowledged'],
        ['no_traffic', 'resolved'],
      ]) {
        await knex('mlops_incidents').insert({
          id: randomUUID(),
          object_kind: 'model',
          object_name: name,
          symptom,
          severity: 'critical',
          status,
          message: symptom,
          opened_at: at(1),
          updated_at: at(2),
          last_seen_at: at(2),
        });
      }
    }
  }
}

describe('FleetService', () => {
  const databases = createTestDatabases();

  describe.each(databases.eachSupportedId())('on %p', databaseId => {
    async function fleetOf(count: number) {
      const knex = await databases.init(databaseId);
      await migrateForFleet(knex);
      await seedFleet(knex, count);
      const incidents = new IncidentStore(knex);
      const health = new HealthService(new MlopsObjectStore(knex), incidents);
      const entities = Array.from({ length: count }, (_, i) => entityOf(i));
      const fleet = new FleetService({
        models: new RegistryStore(knex),
        catalog: catalogServiceMock({ entities }),
        health,
        logger: mockServices.logger.mock(),
        sources: {
          registry: new RegistryStore(knex),
          drift: {
            latestVerdicts: models =>
              new DriftStore(knex).latestVerdicts(models),
          },
          incidents,
        },
      });
      let queries = 0;
      knex.on('query', () => {
        queries++;
      });
      const list = async (query: Parameters<FleetService['list']>[0]) => {
        queries = 0;
        const answer = await fleet.list(query, mockCredentials.user());
        return { answer, queries };
      };
      return { knex, health, entities, list };
    }

    it('describes every model with the same few queries however large the fleet', async () => {
      const small = await fleetOf(8);
      const large = await fleetOf(120);
      const a = await small.list({ limit: 500 });
      const b = await large.list({ limit: 500 });
      expect(a.answer.items).toHaveLength(8);
      expect(b.answer.items).toHaveLength(120);
      // 120 models fit in one slice of every bulk lookup, so a per-model
      // query anywhere would show as a difference here.
      expect(b.queries).toBe(a.queries);
      expect(a.queries).toBeLessThan(10);
    });

    it('fills every column from the stores, as the entity pages read them', async () => {
      const { list, health, entities } = await fleetOf(8);
      const { answer } = await list({ sort: 'name' });
      const byName = new Map(answer.items.map(m => [m.name, m]));
      expect(byName.get('model-000')).toMatchObject({
        health: 'unhealthy',
        problems: [
          'Error rate 9% is above 5%',
          'p95 latency 812 ms is above 500 ms',
        ],
        productionVersion: 0,
        drift: { datasetDrift: true, driftShare: 0.75 },
        openIncidents: 2,
      });
      expect(byName.get('model-001')).toMatchObject({
        health: 'degraded',
        productionVersion: null,
        drift: null,
        openIncidents: 0,
      });
      expect(byName.get('model-002')).toMatchObject({
        health: 'healthy',
        problems: [],
        productionVersion: 2,
      });
      expect(byName.get('model-003')!.health).toBe('unknown');
      // The health column says what the entity's health card says.
      for (const entity of entities) {
        const entityRef = `component:default/${entity.metadata.name}`;
        const summary = await health.summarize({
          entity,
          entityRef,
          links: mlopsLinksOf(entity),
        });
        const row = byName.get(entity.metadata.name)!;
        expect(row.health).toBe(summary.status);
        expect(row.problems).toEqual(summary.reasons.map(r => r.message));
      }
    });

    it('filters by status before it counts and pages', async () => {
      const { list } = await fleetOf(12);
      const { answer } = await list({
        status: ['unhealthy', 'degraded'],
        limit: 4,
        offset: 2,
      });
      expect(answer.total).toBe(6);
      // Worst first: the three unhealthy, then the three degraded, by name.
      expect(answer.items.map(m => `${m.name} ${m.health}`)).toEqual([
        'model-008 unhealthy',
        'model-001 degraded',
        'model-005 degraded',
        'model-009 degraded',
      ]);
    });
  });
});
