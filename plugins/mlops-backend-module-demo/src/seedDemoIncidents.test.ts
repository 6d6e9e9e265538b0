import { mockServices } from '@backstage/backend-test-utils';
import { Knex } from 'knex';
import path from 'path';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { createTestDatabases } from '@backstage-mlops/plugin-mlops-backend/src/__testUtils__/databases';
import { readDemoData, seedDemoData } from './seedDemoData';
import {
  MonitoringService,
  MonitoringStore,
} from '@backstage-mlops/plugin-mlops-backend/src/monitoring';
import { seedDemoMonitoring } from './seedDemoMonitoring';
import { MlopsObjectStore } from '@backstage-mlops/plugin-mlops-backend/src/objects/MlopsObjectStore';
import { DEFAULT_THRESHOLDS } from '@backstage-mlops/plugin-mlops-backend/src/incidents/detectors/thresholds';
import { IncidentService } from '@backstage-mlops/plugin-mlops-backend/src/incidents/IncidentService';
import { IncidentStore } from '@backstage-mlops/plugin-mlops-backend/src/incidents/IncidentStore';
import { seedDemoIncidents } from './seedDemoIncidents';
import {
  MemoryDeployments,
  MemoryPipelines,
} from '@backstage-mlops/plugin-mlops-backend/src/incidents/__testUtils__/memorySources';

jest.setTimeout(180_000);

const migrationsDir = resolvePackagePath(
  '@backstage-mlops/plugin-mlops-backend',
  'migrations',
);
const NEEDED = [
  '20261122090000_init.js',
  '20261125130000_monitoring.js',
  '20261125150000_incidents.js',
  '20261203144500_health_latest_checks.js',
];

async function migrate(knex: Knex) {
  await knex.migrate.latest({
    migrationSource: {
      getMigrations: async () => NEEDED,
      getMigrationName: (name: string) => name,
      getMigration: async (name: string) =>
        require(path.join(migrationsDir, name)),
    },
  });
}

const seedFile = path.resolve(__dirname, '../../../examples/demo-data.json');

describe('seedDemoIncidents', () => {
  const databases = createTestDatabases();

  it.each(databases.eachSupportedId())(
    'opens the demo incidents through the real detectors, %p',
    async databaseId => {
      const knex = await databases.init(databaseId);
      await migrate(knex);
      const logger = mockServices.logger.mock();
      const objects = new MlopsObjectStore(knex);
      const data = await readDemoData(seedFile);
      await seedDemoData({ data, objects, logger });
      const monitoringStore = new MonitoringStore(knex);
      await seedDemoMonitoring({
        store: monitoringStore,
        // The other models' traffic is quiet and slow to seed.
        models: ['market-master'],
        logger,
      });

      // Deployments and pipelines as their seeders describe them.
      const now = Date.now();
      const deployments = new MemoryDeployments();
      deployments.latest.set('fraud-detection', [
        {
          id: 'dep-2',
          environment: 'production',
          version: 4,
          status: 'rolled_back',
          message:
            'Readiness probe failed: HTTP probe failed with statuscode: 503',
          updatedAt: new Date(now - 3_600_000).toISOString(),
        },
      ]);
      const pipelines = new MemoryPipelines();
      pipelines.runs.set('ticket-classifier-training', [
        {
          id: 'run-9',
          state: 'FAILED',
          failureReason:
            'train: container trainer terminated: OOMKilled (exit code 137)',
          endedAt: new Date(now - 2 * 3_600_000).toISOString(),
        },
      ]);

      const store = new IncidentStore(knex);
      const incidents = new IncidentService({
        store,
        logger,
        thresholds: DEFAULT_THRESHOLDS,
        sources: {
          monitoring: new MonitoringService(monitoringStore),
          deployments,
          pipelines,
        },
      });
      await seedDemoIncidents({ incidents, logger });

      const open = await store.openIncidents([
        { kind: 'model', name: 'fraud-detection' },
        { kind: 'model', name: 'ticket-classifier' },
        { kind: 'model', name: 'market-master' },
        { kind: 'pipeline', name: 'ticket-classifier-training' },
      ]);
      expect(
        open.map(i => `${i.object.name}:${i.symptom}:${i.severity}`).sort(),
      ).toEqual(
        // The monitoring seeder decides how many errors come with the spike.
        expect.arrayContaining([
          'fraud-detection:deployment_failed:warning',
          'market-master:latency_high:critical',
          'ticket-classifier-training:pipeline_failed:critical',
        ]),
      );
      // The calm models raise nothing.
      expect(open.filter(i => i.object.name === 'ticket-classifier')).toEqual(
        [],
      );
      const latency = open.find(i => i.symptom === 'latency_high')!;
      expect(Number(latency.evidence?.values.latencyP95Ms)).toBeGreaterThan(
        500,
      );
      const failed = open.find(i => i.symptom === 'pipeline_failed')!;
      expect(failed.evidence?.values.failureClass).toBe('oom_killed');
    },
  );
});
