import { mockCredentials } from '@backstage/backend-test-utils';
import { eventsServiceFactory } from '@backstage/plugin-events-node';
import request from 'supertest';
import { announcementListener } from '../__testUtils__/announcements';
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
    const announcements = announcementListener();
    const { server } = await startMlopsTestBackend({
      knex,
      config: { events: { useEventBus: 'never' } },
      features: [announcements.feature, eventsServiceFactory],
    });
    const asService = (method: 'post', path: string, body: object) =>
      request(server)
        [method](path)
        .set('Authorization', mockCredentials.service.header())
        .send(body);

    // Each step's announcements, unpacked from the windowed events.
    const announcedBy = async (step: () => Promise<unknown>) => {
      await announcements.settle();
      announcements.received.length = 0;
      await step();
      await announcements.settle();
      return [...announcements.received];
    };

    expect(
      await announcedBy(async () => {
        await asService('post', '/api/mlops/experiments', {
          name: 'portal-experiment',
        });
        await asService('post', '/api/mlops/models', { name: 'portal-model' });
        await asService('post', '/api/mlops/models/portal-model/versions', {});
      }),
    ).toEqual(
      expect.arrayContaining([
        { action: 'upserted', kind: 'experiment', name: 'portal-experiment' },
        { action: 'upserted', kind: 'model', name: 'portal-model' },
      ]),
    );
    // The promotion to Production changes the model's lifecycle in the catalog.
    expect(
      await announcedBy(() =>
        asService('post', '/api/mlops/models/portal-model/versions/1/stage', {
          stage: 'Production',
        }),
      ),
    ).toEqual([{ action: 'upserted', kind: 'model', name: 'portal-model' }]);

    const mlflow = '/api/mlops/mlflow/api/2.0/mlflow';
    let experimentId = '';
    expect(
      await announcedBy(async () => {
        const created = await asService(
          'post',
          `${mlflow}/experiments/create`,
          {
            name: 'mlflow-experiment',
          },
        );
        experimentId = created.body.experiment_id;
        await asService('post', `${mlflow}/registered-models/create`, {
          name: 'mlflow-model',
        });
      }),
    ).toEqual(
      // The first MLflow call also creates MLflow's Default experiment.
      expect.arrayContaining([
        { action: 'upserted', kind: 'experiment', name: 'mlflow-experiment' },
        { action: 'upserted', kind: 'model', name: 'mlflow-model' },
      ]),
    );
    expect(
      await announcedBy(() =>
        asService('post', `${mlflow}/experiments/delete`, {
          experiment_id: experimentId,
        }),
      ),
    ).toEqual([
      { action: 'deleted', kind: 'experiment', name: 'mlflow-experiment' },
    ]);
  });
});
