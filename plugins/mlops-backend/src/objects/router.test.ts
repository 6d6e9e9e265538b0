import { mockCredentials } from '@backstage/backend-test-utils';
import { eventsServiceFactory } from '@backstage/plugin-events-node';
import request from 'supertest';
import { announcementListener } from '../__testUtils__/announcements';
import { createTestDatabases } from '../__testUtils__/databases';
import { startMlopsTestBackend } from '../__testUtils__/mlopsBackend';

jest.setTimeout(60_000);

const body = {
  owner: 'risk-ml',
  pipeline: { name: 'churn-training', orchestrator: 'prefect' },
  model: { name: 'churn', description: 'Predicts churn' },
};

describe('objects routes', () => {
  const databases = createTestDatabases();

  describe.each(databases.eachSupportedId())('on %p', databaseId => {
    async function startBackend() {
      const knex = await databases.init(databaseId);
      const announcements = announcementListener();
      const { server } = await startMlopsTestBackend({
        knex,
        config: {
          app: { baseUrl: 'http://portal.test' },
          events: { useEventBus: 'never' },
        },
        features: [announcements.feature, eventsServiceFactory],
      });
      return { server, knex, announcements };
    }

    it('registers through the API with service credentials and announces each object', async () => {
      const { server, knex, announcements } = await startBackend();
      const response = await request(server)
        .post('/api/mlops/objects/register')
        .set('Authorization', mockCredentials.service.header())
        .send(body);
      expect(response.status).toBe(200);
      expect(response.body.model).toMatchObject({
        name: 'churn',
        owner: 'group:default/risk-ml',
        experimentName: 'churn',
        pipelineName: 'churn-training',
        links: { mlopsPage: 'http://portal.test/mlops/models/churn' },
      });
      await announcements.settle();
      expect(announcements.received).toEqual([
        { action: 'upserted', kind: 'experiment', name: 'churn' },
        { action: 'upserted', kind: 'pipeline', name: 'churn-training' },
        { action: 'upserted', kind: 'model', name: 'churn' },
      ]);

      const again = await request(server)
        .post('/api/mlops/objects/register')
        .set('Authorization', mockCredentials.service.header())
        .send(body);
      expect(again.body.model.id).toBe(response.body.model.id);
      expect(await knex('mlops_pipelines').pluck('name')).toEqual([
        'churn-training',
      ]);

      const list = await request(server)
        .get('/api/mlops/objects')
        .set('Authorization', mockCredentials.service.header());
      expect(list.status).toBe(200);
      expect(
        list.body.items.map((o: any) => `${o.kind}:${o.name}`).sort(),
      ).toEqual(['experiment:churn', 'model:churn', 'pipeline:churn-training']);
    });

    it('checks a registration in a dry run without storing or announcing it', async () => {
      const { server, knex, announcements } = await startBackend();
      const response = await request(server)
        .post('/api/mlops/objects/register?dryRun=true')
        .set('Authorization', mockCredentials.service.header())
        .send(body);
      expect(response.status).toBe(200);
      expect(response.body.model).toMatchObject({
        name: 'churn',
        links: { mlopsPage: 'http://portal.test/mlops/models/churn' },
      });
      expect(await knex('mlops_registered_models').pluck('name')).toEqual([]);
      expect(await knex('mlops_pipelines').pluck('name')).toEqual([]);
      await announcements.settle();
      expect(announcements.received).toEqual([]);
    });

    it('reports a model, its pipeline and experiment in production once the registry has a Production version', async () => {
      const { server } = await startBackend();
      await request(server)
        .post('/api/mlops/objects/register')
        .set('Authorization', mockCredentials.service.header())
        .send(body)
        .expect(200);
      // A training job (a service) registers and promotes the version.
      const version = await request(server)
        .post('/api/mlops/models/churn/versions')
        .set('Authorization', mockCredentials.service.header())
        .send({});
      expect(version.status).toBe(201);
      await request(server)
        .post(`/api/mlops/models/churn/versions/${version.body.version}/stage`)
        .set('Authorization', mockCredentials.service.header())
        .send({ stage: 'Production' })
        .expect(200);

      const list = await request(server)
        .get('/api/mlops/objects')
        .set('Authorization', mockCredentials.service.header());
      const byKey = new Map(
        list.body.items.map((o: any) => [`${o.kind}:${o.name}`, o]),
      );
      expect(byKey.get('model:churn')).toMatchObject({
        inProduction: true,
        productionVersion: version.body.version,
      });
      expect(byKey.get('pipeline:churn-training')).toMatchObject({
        inProduction: true,
      });
      expect(byKey.get('experiment:churn')).toMatchObject({
        inProduction: true,
      });
    });

    it('refuses registration by a user or anonymously', async () => {
      const { server, knex } = await startBackend();
      const asUser = await request(server)
        .post('/api/mlops/objects/register')
        .set('Authorization', mockCredentials.user.header())
        .send(body);
      expect(asUser.status).toBe(403);
      const anonymous = await request(server)
        .post('/api/mlops/objects/register')
        .send(body);
      expect(anonymous.status).toBe(401);
      expect(await knex('mlops_registered_models').pluck('name')).toEqual([]);
    });

    it('answers 400 naming the field for a bad name and writes nothing', async () => {
      const { server, knex, announcements } = await startBackend();
      const response = await request(server)
        .post('/api/mlops/objects/register')
        .set('Authorization', mockCredentials.service.header())
        .send({ ...body, model: { name: '../etc' } });
      expect(response.status).toBe(400);
      expect(response.body.error.message).toContain('model.name');
      const badUrl = await request(server)
        .post('/api/mlops/objects/register')
        .set('Authorization', mockCredentials.service.header())
        .send({ ...body, model: { name: 'churn', servingUrl: 'file:///x' } });
      expect(badUrl.status).toBe(400);
      expect(badUrl.body.error.message).toContain('model.servingUrl');
      expect(await knex('mlops_pipelines').pluck('name')).toEqual([]);
      await announcements.settle();
      expect(announcements.received).toEqual([]);
    });

    it('answers 409 when the model belongs to another team', async () => {
      const { server } = await startBackend();
      await request(server)
        .post('/api/mlops/objects/register')
        .set('Authorization', mockCredentials.service.header())
        .send(body)
        .expect(200);
      const response = await request(server)
        .post('/api/mlops/objects/register')
        .set('Authorization', mockCredentials.service.header())
        .send({ ...body, owner: 'group:default/support-ml' });
      expect(response.status).toBe(409);
    });

    it('reads several objects by reference in one request, null where none exists, and refuses bad references', async () => {
      const { server } = await startBackend();
      await request(server)
        .post('/api/mlops/objects/register')
        .set('Authorization', mockCredentials.service.header())
        .send(body)
        .expect(200);
      const found = await request(server)
        .post('/api/mlops/objects/by-refs')
        .set('Authorization', mockCredentials.service.header())
        .send({
          refs: [
            { kind: 'pipeline', name: 'churn-training' },
            { kind: 'model', name: 'missing' },
            { kind: 'model', name: 'churn' },
          ],
        });
      expect(found.status).toBe(200);
      expect(found.body.items).toEqual([
        expect.objectContaining({ kind: 'pipeline', name: 'churn-training' }),
        null,
        expect.objectContaining({
          kind: 'model',
          name: 'churn',
          pipelineName: 'churn-training',
          inProduction: false,
        }),
      ]);

      for (const bad of [
        { refs: [] },
        { refs: [{ kind: 'dataset', name: 'churn' }] },
        { refs: [{ kind: 'model', name: '../etc' }] },
        {
          refs: Array.from({ length: 501 }, (_, i) => ({
            kind: 'model',
            name: `m${i}`,
          })),
        },
      ]) {
        const response = await request(server)
          .post('/api/mlops/objects/by-refs')
          .set('Authorization', mockCredentials.service.header())
          .send(bad);
        expect(response.status).toBe(400);
        expect(response.body.error.message).toContain('refs');
      }
      const anonymous = await request(server)
        .post('/api/mlops/objects/by-refs')
        .send({ refs: [{ kind: 'model', name: 'churn' }] });
      expect(anonymous.status).toBe(401);
    });

    it('reads one object, deletes it with an announcement, then answers 404', async () => {
      const { server, announcements } = await startBackend();
      await request(server)
        .post('/api/mlops/objects/register')
        .set('Authorization', mockCredentials.service.header())
        .send(body)
        .expect(200);
      const one = await request(server)
        .get('/api/mlops/objects/pipeline/churn-training')
        .set('Authorization', mockCredentials.user.header());
      expect(one.status).toBe(200);
      expect(one.body.orchestrator).toBe('prefect');

      await announcements.settle();
      announcements.received.length = 0;
      await request(server)
        .delete('/api/mlops/objects/model/churn')
        .set('Authorization', mockCredentials.service.header())
        .expect(204);
      await announcements.settle();
      expect(announcements.received).toEqual([
        { action: 'deleted', kind: 'model', name: 'churn' },
      ]);
      const gone = await request(server)
        .get('/api/mlops/objects/model/churn')
        .set('Authorization', mockCredentials.service.header());
      expect(gone.status).toBe(404);
      const badKind = await request(server)
        .get('/api/mlops/objects/dataset/churn')
        .set('Authorization', mockCredentials.service.header());
      expect(badKind.status).toBe(400);
    });
  });
});
