import { mockCredentials } from '@backstage/backend-test-utils';
import { mlopsObjectReadPermission } from '@backstage-mlops/plugin-mlops-common';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import nodePath from 'node:path';
import request from 'supertest';
import { createTestDatabases } from '../__testUtils__/databases';
import { startMlopsTestBackend } from '../__testUtils__/mlopsBackend';
import { permissionsDecidedBy } from '../__testUtils__/permissions';

jest.setTimeout(120_000);

const MLFLOW = '/api/mlops/mlflow/api/2.0/mlflow';
const PROXY = '/api/mlops/mlflow/api/2.0/mlflow-artifacts';

/*
 * Artifacts are read with the caller's permission: under a policy that lets
 * users read no MLOps object (mlops.object.read denied), a user cannot list,
 * download or overwrite a run's files, nor see its logged models or its
 * version's model files, through the proxy or the portal's routes; a
 * training job (a service principal) still can.
 */
describe('artifacts under mlops.object.read', () => {
  const databases = createTestDatabases();

  describe.each(databases.eachSupportedId())('on %p', databaseId => {
    let server: http.Server;
    let dir: string;
    const service = mockCredentials.service.header();
    const user = mockCredentials.user.header();

    beforeAll(async () => {
      dir = await fs.mkdtemp(
        nodePath.join(os.tmpdir(), 'mlops-artifacts-read-'),
      );
      const knex = await databases.init(databaseId);
      ({ server } = await startMlopsTestBackend({
        knex,
        config: { mlops: { artifacts: { filesystem: { root: dir } } } },
        features: [
          permissionsDecidedBy((permission, credentials) => ({
            result:
              permission.name === mlopsObjectReadPermission.name &&
              (credentials.principal as { type?: string }).type === 'user'
                ? AuthorizeResult.DENY
                : AuthorizeResult.ALLOW,
          })),
        ],
      }));
    });
    afterAll(async () => {
      await fs.rm(dir, { recursive: true, force: true });
    });

    it('hides a run’s artifacts and logged models from a user who may not read them', async () => {
      const post = (path: string, body: object) =>
        request(server)
          .post(`${MLFLOW}${path}`)
          .set('Authorization', service)
          .send(body);
      const experiment = await post('/experiments/create', { name: 'hidden' });
      const experimentId = experiment.body.experiment_id;
      const run = await post('/runs/create', { experiment_id: experimentId });
      const runId = run.body.run.info.run_id;
      const file = `${experimentId}/${runId}/artifacts/secret.txt`;
      const put = await request(server)
        .put(`${PROXY}/artifacts/${file}`)
        .set('Authorization', service)
        .send(Buffer.from('TOP-SECRET-CONTENT'));
      expect(put.status).toBe(200);
      const model = await post('/logged-models', {
        experiment_id: experimentId,
        name: 'm',
      });
      const modelId = model.body.model.info.model_id;

      // The training job reads its own files.
      const own = await request(server)
        .get(`${PROXY}/artifacts/${file}`)
        .set('Authorization', service);
      expect(own.status).toBe(200);

      const attempts = [
        request(server).get(`${PROXY}/artifacts/${file}`),
        request(server)
          .get(`${PROXY}/artifacts`)
          .query({ path: `${experimentId}/${runId}/artifacts` }),
        request(server)
          .put(
            `${PROXY}/artifacts/${experimentId}/${runId}/artifacts/planted.txt`,
          )
          .send(Buffer.from('x')),
        request(server).delete(`${PROXY}/artifacts/${file}`),
        request(server)
          .get(`${MLFLOW}/artifacts/list`)
          .query({ run_id: runId }),
        request(server).get(`${MLFLOW}/logged-models/${modelId}`),
        request(server).get(`/api/mlops/runs/${runId}/artifacts`),
        request(server)
          .get(`/api/mlops/runs/${runId}/artifacts/content`)
          .query({ path: 'secret.txt' }),
        request(server).get(`/api/mlops/runs/${runId}/inputs`),
      ];
      for (const [index, attempt] of attempts.entries()) {
        const response = await attempt.set('Authorization', user);
        expect({ index, status: response.status }).toEqual({
          index,
          status: 404,
        });
        expect(response.text).not.toContain('TOP-SECRET-CONTENT');
      }
      const search = await request(server)
        .post(`${MLFLOW}/logged-models/search`)
        .set('Authorization', user)
        .send({ experiment_ids: [experimentId] });
      expect(search.body.models).toEqual([]);

      // Nothing the user tried changed the files.
      const after = await request(server)
        .get(`${MLFLOW}/artifacts/list`)
        .query({ run_id: runId })
        .set('Authorization', service);
      expect(after.body.files).toEqual([
        { path: 'secret.txt', is_dir: false, file_size: 18 },
      ]);
    });
  });
});
