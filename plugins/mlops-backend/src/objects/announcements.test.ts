import { createBackendPlugin } from '@backstage/backend-plugin-api';
import { mockCredentials } from '@backstage/backend-test-utils';
import {
  eventsServiceFactory,
  eventsServiceRef,
} from '@backstage/plugin-events-node';
import request from 'supertest';
import { createTestDatabases } from '../__testUtils__/databases';
import { startMlopsTestBackend } from '../__testUtils__/mlopsBackend';

jest.setTimeout(60_000);

/*
 * A model or experiment created through any API — the portal's own routes or
 * the MLflow-compatible ones — and a model whose Production version changes
 * are announced at once, so the catalog mirrors them within seconds rather
 * than at its next full refresh.
 */
describe('object change announcements', () => {
  const databases = createTestDatabases();

  it('announces experiments and models created through the portal and MLflow routes', async () => {
    const knex = await databases.init('SQLITE_3');
    const received: Array<{ action: string; kind: string; name: string }> = [];
    const listener = createBackendPlugin({
      pluginId: 'listener',
      register(env) {
        env.registerInit({
          deps: { events: eventsServiceRef },
          async init({ events }) {
            await events.subscribe({
              id: 'announcements-test',
              topics: ['mlops.objects'],
              onEvent: async event => {
                received.push(event.eventPayload as any);
              },
            });
          },
        });
      },
    });
    const { server } = await startMlopsTestBackend({
      knex,
      config: { events: { useEventBus: 'never' } },
      features: [listener, eventsServiceFactory],
    });
    const asService = (method: 'post', path: string, body: object) =>
      request(server)
        [method](path)
        .set('Authorization', mockCredentials.service.header())
        .send(body);

    await asService('post', '/api/mlops/experiments', {
      name: 'portal-experiment',
    });
    await asService('post', '/api/mlops/models', { name: 'portal-model' });
    await asService('post', '/api/mlops/models/portal-model/versions', {});
    await asService('post', '/api/mlops/models/portal-model/versions/1/stage', {
      stage: 'Production',
    });
    const mlflow = '/api/mlops/mlflow/api/2.0/mlflow';
    const created = await asService('post', `${mlflow}/experiments/create`, {
      name: 'mlflow-experiment',
    });
    await asService('post', `${mlflow}/registered-models/create`, {
      name: 'mlflow-model',
    });
    await asService('post', `${mlflow}/experiments/delete`, {
      experiment_id: created.body.experiment_id,
    });

    await new Promise(resolve => setTimeout(resolve, 200));
    expect(received).toEqual(
      expect.arrayContaining([
        { action: 'upserted', kind: 'experiment', name: 'portal-experiment' },
        { action: 'upserted', kind: 'model', name: 'portal-model' },
        { action: 'upserted', kind: 'experiment', name: 'mlflow-experiment' },
        { action: 'upserted', kind: 'model', name: 'mlflow-model' },
        { action: 'deleted', kind: 'experiment', name: 'mlflow-experiment' },
      ]),
    );
    // The promotion to Production changes the model's lifecycle in the catalog.
    expect(received.filter(e => e.name === 'portal-model')).toHaveLength(2);
  });
});
