import { mockCredentials } from '@backstage/backend-test-utils';
import request from 'supertest';
import { createTestDatabases } from '../__testUtils__/databases';
import { startMlopsTestBackend } from '../__testUtils__/mlopsBackend';

jest.setTimeout(60_000);

const experimentEntity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: {
    name: 'fraud-detection-experiment',
    namespace: 'default',
    annotations: { 'backstage-mlops.dev/experiment': 'fraud-detection' },
  },
  spec: { type: 'ml-experiment', owner: 'risk-ml' },
};

/** The tracking routes as the real mlops plugin mounts them. */
describe('tracking in the mlops plugin', () => {
  const databases = createTestDatabases();

  it.each(databases.eachSupportedId())(
    'serves runs, logs a batch and refuses an oversized one with a 400, on %p',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { server } = await startMlopsTestBackend({
        knex,
        entities: [experimentEntity],
      });
      const auth = mockCredentials.user.header();

      await request(server)
        .post('/api/mlops/experiments')
        .set('Authorization', auth)
        .send({ name: 'fraud-detection' })
        .expect(201);
      await request(server)
        .post('/api/mlops/runs')
        .set('Authorization', auth)
        .send({ experimentName: 'fraud-detection', name: 'nightly' })
        .expect(201);

      const entity = await request(server)
        .get(
          '/api/mlops/entities/resource/default/fraud-detection-experiment/experiments',
        )
        .set('Authorization', auth);
      expect(entity.status).toBe(200);
      const runs = entity.body.experiments[0].runs;
      expect(runs.map((r: { name: string }) => r.name)).toEqual(['nightly']);
      const runId = runs[0].id;

      await request(server)
        .post(`/api/mlops/runs/${runId}/log-batch`)
        .set('Authorization', auth)
        .send({ tags: [{ key: 'reviewed', value: 'yes' }] })
        .expect(204);

      // The tracking router parses its own bodies, ahead of the shared
      // parser, so the size limit is a 400 naming the limit and not a 413.
      const huge = await request(server)
        .post(`/api/mlops/runs/${runId}/log-batch`)
        .set('Authorization', auth)
        .send({ tags: [{ key: 'blob', value: 'x'.repeat(1024 * 1024 + 1) }] });
      expect(huge.status).toBe(400);
      expect(huge.body.error.message).toContain('1 MB limit');

      const run = await request(server)
        .get(`/api/mlops/runs/${runId}`)
        .set('Authorization', auth);
      expect(run.body.tags).toMatchObject({ reviewed: 'yes' });
      expect(run.body.tags.blob).toBeUndefined();
    },
  );
});
