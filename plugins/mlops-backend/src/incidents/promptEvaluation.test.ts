import { mockCredentials } from '@backstage/backend-test-utils';
import request from 'supertest';
import { createTestDatabases } from '../__testUtils__/databases';
import { startMlopsTestBackend } from '../__testUtils__/mlopsBackend';

jest.setTimeout(60_000);

const pipelineEntity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'nightly-training',
    namespace: 'default',
    annotations: { 'backstage-mlops.dev/pipeline': 'nightly-training' },
  },
  spec: { type: 'ml-pipeline', lifecycle: 'production', owner: 'risk-ml' },
};

/*
 * A failed run opens its incident within seconds of the orchestrator
 * reporting it, not at the next scheduled health pass (every 5 minutes by
 * default, far beyond this test's wait).
 */
describe('health re-evaluation right after a write', () => {
  const databases = createTestDatabases();

  it('opens the incident of a pipeline run reported as failed', async () => {
    const knex = await databases.init('SQLITE_3');
    const { server } = await startMlopsTestBackend({
      knex,
      entities: [pipelineEntity],
    });
    const api = (method: 'post' | 'put' | 'get', path: string) =>
      request(server)
        [method](`/api/mlops${path}`)
        .set('Authorization', mockCredentials.service.header());

    await api('put', '/pipelines/nightly-training/definition').send({
      stages: ['train'],
    });
    const run = await api('post', '/pipelines/nightly-training/runs').send({
      state: 'RUNNING',
    });
    expect(run.status).toBe(201);
    const finished = await api(
      'post',
      `/pipelines/nightly-training/runs/${run.body.id}/finish`,
    ).send({
      state: 'FAILED',
      failureReason:
        'container "trainer" terminated with reason OOMKilled (exit code 137)',
    });
    expect(finished.status).toBe(200);

    const incidentsPath =
      '/entities/component/default/nightly-training/incidents';
    const deadline = Date.now() + 15_000;
    let open: Array<{ symptom: string; status: string }> = [];
    while (Date.now() < deadline) {
      const response = await api('get', incidentsPath);
      const items = (response.body.items ??
        response.body.incidents ??
        []) as typeof open;
      open = items.filter(i => i.status === 'open');
      if (open.length > 0) break;
      await new Promise(r => setTimeout(r, 500));
    }
    expect(open.map(i => i.symptom)).toContain('pipeline_failed');
  });
});
