import { mockCredentials } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import request from 'supertest';
import { createTestDatabases } from '../__testUtils__/databases';
import { startMlopsTestBackend } from '../__testUtils__/mlopsBackend';
import { permissionsAllowingReads } from '../__testUtils__/permissions';

jest.setTimeout(120_000);

const API = '/api/mlops/mlflow/api/2.0/mlflow';

const guardedModel = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'guarded-model',
    namespace: 'default',
    annotations: { 'backstage-mlops.dev/model': 'guarded-model' },
  },
  spec: { type: 'ml-model', lifecycle: 'production', owner: 'risk-ml' },
};

/*
 * The MLflow routes that move production are decided by the same policy as
 * the portal's own registry routes: MLflow is no way around it.
 */
describe('MLflow registry routes under the permission policy', () => {
  const databases = createTestDatabases();

  async function startBackend(
    result: AuthorizeResult.ALLOW | AuthorizeResult.DENY,
  ) {
    const knex = await databases.init('SQLITE_3');
    const { server } = await startMlopsTestBackend({
      knex,
      entities: [guardedModel],
      features: [permissionsAllowingReads(result)],
    });
    const asService = (path: string, body: object) =>
      request(server)
        .post(`${API}${path}`)
        .set('Authorization', mockCredentials.service.header())
        .send(body);
    await asService('/registered-models/create', { name: 'guarded-model' });
    await asService('/model-versions/create', {
      name: 'guarded-model',
      source: 's3://m/1',
    });
    const asUser = (path: string, body: object) =>
      request(server)
        .post(`${API}${path}`)
        .set('Authorization', mockCredentials.user.header())
        .send(body);
    const stage = async () =>
      (
        await request(server)
          .get(`${API}/model-versions/get`)
          .query({ name: 'guarded-model', version: '1' })
          .set('Authorization', mockCredentials.user.header())
      ).body.model_version.current_stage;
    return { asUser, stage };
  }

  it('refuses a stage transition and an alias the policy denies, changing nothing', async () => {
    const { asUser, stage } = await startBackend(AuthorizeResult.DENY);
    const transition = await asUser('/model-versions/transition-stage', {
      name: 'guarded-model',
      version: '1',
      stage: 'Production',
    });
    expect(transition.status).toBe(403);
    expect(transition.body).toMatchObject({
      error_code: 'PERMISSION_DENIED',
      message: expect.stringContaining('guarded-model'),
    });
    const alias = await asUser('/registered-models/alias', {
      name: 'guarded-model',
      alias: 'champion',
      version: '1',
    });
    expect(alias.status).toBe(403);
    expect(await stage()).toBe('None');
  });

  it('lets the transition through when the policy allows it', async () => {
    const { asUser, stage } = await startBackend(AuthorizeResult.ALLOW);
    const transition = await asUser('/model-versions/transition-stage', {
      name: 'guarded-model',
      version: '1',
      stage: 'Production',
    });
    expect(transition.status).toBe(200);
    expect(await stage()).toBe('Production');
  });
});
