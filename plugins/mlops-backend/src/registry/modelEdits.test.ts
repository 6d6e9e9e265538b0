import {
  mockCredentials,
  startTestBackend,
} from '@backstage/backend-test-utils';
import request from 'supertest';
import { createTestDatabases } from '../__testUtils__/databases';
import { startMlopsTestBackend } from '../__testUtils__/mlopsBackend';

jest.setTimeout(120_000);

/*
 * The portal's own routes for what MLflow's registry can also do: version
 * tags, rename, deleting versions and models, with the governance 409.
 */
describe('registry routes: tags, rename, delete', () => {
  const databases = createTestDatabases();

  describe.each(databases.eachSupportedId())('on %p', databaseId => {
    let server: Awaited<ReturnType<typeof startTestBackend>>['server'];
    const call = (method: 'get' | 'post' | 'put' | 'delete', path: string) =>
      request(server)
        [method](`/api/mlops${path}`)
        .set('Authorization', mockCredentials.service.header());

    beforeAll(async () => {
      const knex = await databases.init(databaseId);
      ({ server } = await startMlopsTestBackend({ knex }));
    });

    async function model(name: string, versions: number) {
      expect((await call('post', '/models').send({ name })).status).toBe(201);
      for (let i = 0; i < versions; i++) {
        await call('post', `/models/${name}/versions`).send({
          artifactUri: `s3://models/${name}/${i + 1}`,
        });
      }
    }

    it('sets and removes a version tag', async () => {
      await model('portal-tags', 1);
      const set = await call(
        'put',
        '/models/portal-tags/versions/1/tags/validated',
      ).send({
        value: 'yes',
      });
      expect(set.status).toBe(200);
      expect(set.body.tags).toEqual({ validated: 'yes' });
      expect(
        (await call('delete', '/models/portal-tags/versions/1/tags/validated'))
          .status,
      ).toBe(204);
      expect(
        (await call('get', '/models/portal-tags/versions/1')).body.tags,
      ).toEqual({});
      const bad = await call(
        'put',
        '/models/portal-tags/versions/1/tags/x',
      ).send({
        value: 42,
      });
      expect(bad.status).toBe(400);
    });

    it('renames a model, refusing a taken name', async () => {
      await model('portal-old', 1);
      await model('portal-taken', 0);
      const taken = await call('post', '/models/portal-old/rename').send({
        newName: 'portal-taken',
      });
      expect(taken.status).toBe(409);
      const renamed = await call('post', '/models/portal-old/rename').send({
        newName: 'portal-new',
      });
      expect(renamed.status).toBe(200);
      expect(renamed.body).toMatchObject({
        name: 'portal-new',
        latestVersion: 1,
      });
      expect((await call('get', '/models/portal-old')).status).toBe(404);
      expect((await call('get', '/models/portal-new/versions/1')).status).toBe(
        200,
      );
    });

    it('deletes a Staging version and refuses a Production one and its model with a 409', async () => {
      await model('portal-delete', 2);
      await call('post', '/models/portal-delete/versions/1/stage').send({
        stage: 'Production',
      });
      await call('post', '/models/portal-delete/versions/2/stage').send({
        stage: 'Staging',
      });
      expect(
        (await call('delete', '/models/portal-delete/versions/2')).status,
      ).toBe(204);
      const production = await call(
        'delete',
        '/models/portal-delete/versions/1',
      );
      expect(production.status).toBe(409);
      expect(production.body.error.message).toMatch(/in Production/);
      const whole = await call('delete', '/models/portal-delete');
      expect(whole.status).toBe(409);
      expect(whole.body.error.message).toMatch(/version 1 is in Production/);

      await call('post', '/models/portal-delete/versions/1/stage').send({
        stage: 'Archived',
      });
      expect((await call('delete', '/models/portal-delete')).status).toBe(204);
      expect((await call('get', '/models/portal-delete')).status).toBe(404);
    });
  });
});
