import { mockCredentials } from '@backstage/backend-test-utils';
import path from 'path';
import request from 'supertest';
import { createTestDatabases } from '@backstage-mlops/plugin-mlops-backend/src/__testUtils__/databases';
import { startMlopsTestBackend } from '@backstage-mlops/plugin-mlops-backend/src/__testUtils__/mlopsBackend';
import { mlopsModuleDemo } from './module';

jest.setTimeout(300_000);

const seedFile = path.resolve(__dirname, '../../../examples/demo-data.json');

function component(name: string, annotation: 'model' | 'pipeline') {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      namespace: 'default',
      annotations: { [`backstage-mlops.dev/${annotation}`]: name },
    },
    spec: {
      type: annotation === 'model' ? 'ml-model' : 'ml-pipeline',
      lifecycle: 'production',
      owner: 'risk-ml',
    },
  };
}

describe('the demo through the whole plugin', () => {
  const databases = createTestDatabases();

  it.each(databases.eachSupportedId())(
    'shows the incidents the detectors opened over the seeded week, %p',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { server } = await startMlopsTestBackend({
        knex,
        entities: [
          component('market-master', 'model'),
          component('fraud-detection', 'model'),
          component('ticket-classifier-training', 'pipeline'),
        ],
        config: { mlops: { demo: { seedFile } } },
        features: [mlopsModuleDemo],
      });
      const incidentsOf = async (name: string) => {
        const response = await request(server)
          .get(`/api/mlops/entities/component/default/${name}/incidents`)
          .set('Authorization', mockCredentials.user.header());
        expect(response.status).toBe(200);
        return response.body.items as Array<{
          symptom: string;
          status: string;
          evidence?: { values: Record<string, unknown> };
          timeline: Array<{ type: string; message: string }>;
        }>;
      };

      const market = await incidentsOf('market-master');
      expect(market.map(i => i.symptom)).toContain('latency_high');

      const training = await incidentsOf('ticket-classifier-training');
      const failed = training.find(i => i.symptom === 'pipeline_failed');
      expect(failed?.evidence?.values.failureClass).toBe('oom_killed');

      // The failed release was rolled back a day ago: its incident opened
      // then and resolved once the rollback had held for the clear period.
      const fraud = await incidentsOf('fraud-detection');
      const release = fraud.find(i => i.symptom === 'deployment_failed');
      expect(release?.status).toBe('resolved');
      expect(release?.timeline.map(e => e.type)).toEqual([
        'opened',
        'symptom_cleared',
        'resolved',
      ]);
      expect(release?.timeline[0].message).toContain('Readiness probe failed');

      const summary = await request(server)
        .get('/api/mlops/entities/component/default/market-master/summary')
        .set('Authorization', mockCredentials.user.header());
      expect(summary.body.status).toBe('unhealthy');
      expect(summary.body.metrics[0].model).toBe('market-master');
    },
  );
});
