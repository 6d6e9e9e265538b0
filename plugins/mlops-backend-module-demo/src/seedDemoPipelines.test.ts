import { mockServices } from '@backstage/backend-test-utils';
import { createTestDatabases } from '@backstage-mlops/plugin-mlops-backend/src/__testUtils__/databases';
import {
  PIPELINE_MIGRATIONS,
  migrateOnly,
} from '@backstage-mlops/plugin-mlops-backend/src/deployments/migrateForTests';
import { MlopsObjectStore } from '@backstage-mlops/plugin-mlops-backend/src/objects/MlopsObjectStore';
import { PipelineStore } from '@backstage-mlops/plugin-mlops-backend/src/pipelines/PipelineStore';
import { seedDemoPipelines } from './seedDemoPipelines';

jest.setTimeout(60_000);

const DEMO_STAGES: Record<string, string[]> = {
  'fraud-detection-training': [
    'ingest',
    'validate',
    'train',
    'evaluate',
    'register',
  ],
  'ticket-classifier-training': [
    'extract',
    'clean',
    'train',
    'evaluate',
    'register',
  ],
  'market-master-training': [
    'ingest',
    'features',
    'train',
    'evaluate',
    'register',
    'deploy',
  ],
};

describe('seedDemoPipelines', () => {
  const databases = createTestDatabases();

  it.each(databases.eachSupportedId())(
    'seeds successful weeks and one OOMKilled ticket-classifier run, once, %p',
    async databaseId => {
      const knex = await databases.init(databaseId);
      await migrateOnly(knex, PIPELINE_MIGRATIONS);
      const objects = new MlopsObjectStore(knex);
      for (const [name, stages] of Object.entries(DEMO_STAGES)) {
        await objects.upsert('pipeline', { name, stages });
      }
      const now = new Date('2026-11-25T12:00:00Z'); // a Wednesday
      const logger = mockServices.logger.mock();
      await seedDemoPipelines({ db: knex, logger, now });
      const store = new PipelineStore(
        knex,
        { heartbeatTimeoutMs: 600_000, lateAfterMs: 900_000 },
        () => now,
      );

      const ticket = await store.listRuns('ticket-classifier-training');
      expect(ticket.map(r => r.state)).toEqual(['FAILED', 'COMPLETED']);
      expect(ticket[0]).toMatchObject({ failureClass: 'oom_killed' });
      expect(ticket[0].failureReason).toMatch(/OOMKilled/);
      expect(ticket[0].stages.map(s => s.state)).toEqual([
        'COMPLETED',
        'COMPLETED',
        'FAILED',
        'CANCELLED',
        'CANCELLED',
      ]);

      const fraud = await store.listRuns('fraud-detection-training', {
        limit: 50,
      });
      expect(fraud.length).toBeGreaterThanOrEqual(7);
      expect(fraud.every(r => r.state === 'COMPLETED')).toBe(true);
      // Stages of a run follow each other in time.
      for (const run of fraud) {
        for (let i = 1; i < run.stages.length; i++) {
          expect(run.stages[i].startedAt! >= run.stages[i - 1].endedAt!).toBe(
            true,
          );
        }
      }
      const fraudStatus = (await store.status('fraud-detection-training'))!;
      expect(fraudStatus).toMatchObject({ slaMinutes: 26 * 60, stale: false });

      const market = await store.listRuns('market-master-training', {
        limit: 50,
      });
      expect(market.every(r => r.state === 'COMPLETED')).toBe(true);
      expect(
        market.every(
          r => ![0, 6].includes(new Date(r.scheduledAt!).getUTCDay()),
        ),
      ).toBe(true);

      const [{ n }] = await knex('mlops_pipeline_runs').count({ n: '*' });
      await seedDemoPipelines({ db: knex, logger, now });
      const [{ n: after }] = await knex('mlops_pipeline_runs').count({
        n: '*',
      });
      expect(Number(after)).toBe(Number(n));
      await knex.destroy();
    },
  );
});
