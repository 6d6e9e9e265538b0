import {
  mockCredentials,
  startTestBackend,
} from '@backstage/backend-test-utils';
import request from 'supertest';
import { createTestDatabases } from '../__testUtils__/databases';
import { startMlopsTestBackend } from '../__testUtils__/mlopsBackend';

jest.setTimeout(120_000);

const API = '/api/mlops/mlflow/api/2.0/mlflow';

/*
 * The whole registry through MLflow's routes: tags on models and versions,
 * rename (aliases and history follow), delete, and the portal's governance
 * where MLflow would delete what the portal protects (a 409 that says why).
 */
describe('MLflow registry edits', () => {
  const databases = createTestDatabases();

  describe.each(databases.eachSupportedId())('on %p', databaseId => {
    let server: Awaited<ReturnType<typeof startTestBackend>>['server'];
    const auth = () => mockCredentials.service.header();
    const call = (
      method: 'get' | 'post' | 'patch' | 'delete',
      path: string,
      body: Record<string, unknown> = {},
    ) => {
      const req = request(server)
        [method](`${API}${path}`)
        .set('Authorization', auth());
      return method === 'get'
        ? req.query(body as Record<string, string>)
        : req.send(body);
    };

    beforeAll(async () => {
      const knex = await databases.init(databaseId);
      ({ server } = await startMlopsTestBackend({ knex }));
    });

    async function model(name: string, versions: number) {
      expect(
        (await call('post', '/registered-models/create', { name })).status,
      ).toBe(200);
      for (let i = 0; i < versions; i++) {
        await call('post', '/model-versions/create', {
          name,
          source: `s3://models/${name}/${i + 1}`,
        });
      }
    }

    it('sets and deletes tags of models and versions', async () => {
      await model('edits-tags', 1);
      await call('post', '/registered-models/set-tag', {
        name: 'edits-tags',
        key: 'team',
        value: 'risk',
      });
      await call('post', '/model-versions/set-tag', {
        name: 'edits-tags',
        version: '1',
        key: 'validated',
        value: 'yes',
      });
      const got = await call('get', '/registered-models/get', {
        name: 'edits-tags',
      });
      expect(got.body.registered_model.tags).toEqual([
        { key: 'team', value: 'risk' },
      ]);
      const version = await call('get', '/model-versions/get', {
        name: 'edits-tags',
        version: '1',
      });
      expect(version.body.model_version.tags).toEqual([
        { key: 'validated', value: 'yes' },
      ]);

      expect(
        (
          await call('delete', '/registered-models/delete-tag', {
            name: 'edits-tags',
            key: 'team',
          })
        ).status,
      ).toBe(200);
      expect(
        (
          await call('delete', '/model-versions/delete-tag', {
            name: 'edits-tags',
            version: '1',
            key: 'validated',
          })
        ).status,
      ).toBe(200);
      expect(
        (await call('get', '/registered-models/get', { name: 'edits-tags' }))
          .body.registered_model.tags,
      ).toEqual([]);

      const bad = await call('post', '/registered-models/set-tag', {
        name: 'edits-tags',
        key: 'bad\u0000key',
        value: 'x',
      });
      expect(bad.status).toBe(400);
      expect(bad.body.error_code).toBe('INVALID_PARAMETER_VALUE');
      const missing = await call('post', '/registered-models/set-tag', {
        name: 'no-such-model',
        key: 'k',
        value: 'v',
      });
      expect(missing.status).toBe(404);
      expect(missing.body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
    });

    it('renames a model; its versions and aliases follow, the old name is gone', async () => {
      await model('edits-old', 2);
      await call('post', '/registered-models/alias', {
        name: 'edits-old',
        alias: 'champion',
        version: '2',
      });
      await model('edits-taken', 0);
      const taken = await call('post', '/registered-models/rename', {
        name: 'edits-old',
        new_name: 'edits-taken',
      });
      expect(taken.status).toBe(400);
      expect(taken.body.error_code).toBe('RESOURCE_ALREADY_EXISTS');

      const renamed = await call('post', '/registered-models/rename', {
        name: 'edits-old',
        new_name: 'edits-new',
      });
      expect(renamed.status).toBe(200);
      expect(renamed.body.registered_model.name).toBe('edits-new');
      const alias = await call('get', '/registered-models/alias', {
        name: 'edits-new',
        alias: 'champion',
      });
      expect(alias.body.model_version).toMatchObject({
        name: 'edits-new',
        version: '2',
      });
      const old = await call('get', '/registered-models/get', {
        name: 'edits-old',
      });
      expect(old.status).toBe(404);
      // The history recorded under the old name is the renamed model's.
      const history = await request(server)
        .get('/api/mlops/models/edits-new/history')
        .set('Authorization', auth());
      expect(history.status).toBe(200);
      expect(JSON.stringify(history.body)).toContain('champion');
    });

    it('deletes None and Staging versions; Production and aliased ones are a 409 that says why', async () => {
      await model('edits-delete', 3);
      await call('post', '/model-versions/transition-stage', {
        name: 'edits-delete',
        version: '1',
        stage: 'Production',
      });
      await call('post', '/model-versions/transition-stage', {
        name: 'edits-delete',
        version: '2',
        stage: 'Staging',
      });
      const staging = await call('delete', '/model-versions/delete', {
        name: 'edits-delete',
        version: '2',
      });
      expect(staging.status).toBe(200);
      expect(
        (
          await call('get', '/model-versions/get', {
            name: 'edits-delete',
            version: '2',
          })
        ).status,
      ).toBe(404);

      const production = await call('delete', '/model-versions/delete', {
        name: 'edits-delete',
        version: '1',
      });
      expect(production.status).toBe(409);
      expect(production.body).toEqual({
        error_code: 'RESOURCE_CONFLICT',
        message: expect.stringMatching(/version 1.*in Production/i),
      });

      const model409 = await call('delete', '/registered-models/delete', {
        name: 'edits-delete',
      });
      expect(model409.status).toBe(409);
      expect(model409.body.message).toMatch(/version 1 is in Production/);
      // Nothing was deleted.
      expect(
        (
          await call('get', '/model-versions/get', {
            name: 'edits-delete',
            version: '3',
          })
        ).status,
      ).toBe(200);

      await call('post', '/model-versions/transition-stage', {
        name: 'edits-delete',
        version: '1',
        stage: 'Archived',
      });
      await call('post', '/registered-models/alias', {
        name: 'edits-delete',
        alias: 'challenger',
        version: '3',
      });
      const aliased = await call('delete', '/registered-models/delete', {
        name: 'edits-delete',
      });
      expect(aliased.status).toBe(409);
      expect(aliased.body.message).toMatch(
        /version 3 carries the alias challenger/,
      );
      await call('delete', '/registered-models/alias', {
        name: 'edits-delete',
        alias: 'challenger',
      });

      const deleted = await call('delete', '/registered-models/delete', {
        name: 'edits-delete',
      });
      expect(deleted.status).toBe(200);
      const gone = await call('get', '/registered-models/get', {
        name: 'edits-delete',
      });
      expect(gone.status).toBe(404);
      expect(gone.body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
      // The name can be registered again, from version 1.
      await model('edits-delete', 1);
      expect(
        (
          await call('get', '/model-versions/get', {
            name: 'edits-delete',
            version: '1',
          })
        ).body.model_version.source,
      ).toBe('s3://models/edits-delete/1');
    });
  });
});
