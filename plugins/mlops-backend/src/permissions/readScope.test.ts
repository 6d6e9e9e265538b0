import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import {
  AuthorizeResult,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import { mlopsObjectReadPermission } from '@backstage-mlops/plugin-mlops-common';
import {
  createMlopsObjectConditionalDecision,
  mlopsObjectConditions,
} from '@backstage-mlops/plugin-mlops-node';
import request from 'supertest';
import { createTestDatabases } from '../__testUtils__/databases';
import { startMlopsTestBackend } from '../__testUtils__/mlopsBackend';
import { permissionsDecidedBy } from '../__testUtils__/permissions';

jest.setTimeout(180_000);

const MLFLOW = '/api/mlops/mlflow/api/2.0/mlflow';
const service = mockCredentials.service.header();
// Alice is in risk-ml: she may read what risk-ml or she owns. Bob may read
// nothing. Services (training jobs, CD) read everything.
const alice = mockCredentials.user.header('user:default/alice');
const bob = mockCredentials.user.header('user:default/bob');

function readDecision(userEntityRef: string | undefined): PolicyDecision {
  if (userEntityRef === 'user:default/alice') {
    return createMlopsObjectConditionalDecision(
      mlopsObjectReadPermission,
      mlopsObjectConditions.isMlopsObjectOwner({
        claims: ['user:default/alice', 'group:default/risk-ml'],
      }),
    );
  }
  if (userEntityRef) {
    return { result: AuthorizeResult.DENY };
  }
  return { result: AuthorizeResult.ALLOW };
}

/*
 * Every route that lists or reads models, experiments, pipelines, runs and
 * deployments, the portal's and MLflow's, under a conditional
 * `mlops.object.read` decision: what the user may not read is left out of
 * lists and is a 404 when asked for.
 */
describe('reads narrowed by a conditional mlops.object.read decision', () => {
  const databases = createTestDatabases();

  describe.each(databases.eachSupportedId())('on %p', databaseId => {
    let server: any;
    let stop: () => Promise<void>;
    const experimentIds: Record<string, string> = {};
    const runIds: Record<string, string> = {};
    const pipelineRunIds: Record<string, string> = {};
    const deploymentIds: Record<string, string> = {};

    beforeAll(async () => {
      const knex = await databases.init(databaseId);
      const backend = await startMlopsTestBackend({
        knex,
        features: [
          mockServices.scheduler.factory({ skipTaskRunOnStartup: true }),
          permissionsDecidedBy((permission, credentials) =>
            permission.name === mlopsObjectReadPermission.name
              ? readDecision(
                  credentials.principal &&
                    (credentials.principal as any).userEntityRef,
                )
              : { result: AuthorizeResult.ALLOW },
          ),
        ],
      });
      server = backend.server;
      stop = () => backend.stop();

      const post = (path: string, body: object) =>
        request(server)
          .post(path)
          .set('Authorization', service)
          .send(body)
          .expect(201);
      for (const [name, owner] of [
        ['fraud-detection', 'group:default/risk-ml'],
        ['alice-sandbox', 'user:default/alice'],
        ['ticket-classifier', 'group:default/support-ml'],
      ]) {
        await post('/api/mlops/models', { name, owner });
        await post(`/api/mlops/models/${name}/versions`, {});
        const experiment = await post('/api/mlops/experiments', {
          name,
          owner,
        });
        experimentIds[name] = experiment.body.id;
        const run = await post('/api/mlops/runs', { experimentName: name });
        runIds[name] = run.body.id;
        await request(server)
          .post(`/api/mlops/runs/${run.body.id}/log-batch`)
          .set('Authorization', service)
          .send({ metrics: [{ key: 'loss', value: 0.5, step: 0 }] })
          .expect(204);
        await request(server)
          .put(`/api/mlops/pipelines/${name}/definition`)
          .set('Authorization', service)
          .send({ owner })
          .expect(200);
        const pipelineRun = await post(`/api/mlops/pipelines/${name}/runs`, {});
        pipelineRunIds[name] = pipelineRun.body.id;
        const deployment = await post(`/api/mlops/models/${name}/deployments`, {
          version: 1,
          environment: 'staging',
        });
        deploymentIds[name] = deployment.body.id;
        await post(`/api/mlops/models/${name}/versions/1/baseline`, {
          columns: { amount: [1, 2, 3] },
        });
        // An alias that exists, so a 404 for it can only be the scope's.
        await request(server)
          .put(`/api/mlops/models/${name}/aliases/champion`)
          .set('Authorization', service)
          .send({ version: 1 })
          .expect(200);
      }
    });

    afterAll(async () => {
      await stop();
    });

    const get = (path: string, as = alice) =>
      request(server).get(path).set('Authorization', as);
    const postAs = (path: string, body: object, as = alice) =>
      request(server).post(path).set('Authorization', as).send(body);
    const readable = ['alice-sandbox', 'fraud-detection'];

    it('lists only the readable models, experiments and objects', async () => {
      const models = await get('/api/mlops/models').expect(200);
      expect(models.body.items.map((m: any) => m.name)).toEqual(readable);

      const experiments = await get('/api/mlops/experiments').expect(200);
      expect(experiments.body.experiments.map((e: any) => e.name)).toEqual(
        readable,
      );

      const objects = await get('/api/mlops/objects').expect(200);
      expect(
        objects.body.items.map((o: any) => `${o.kind}:${o.name}`).sort(),
      ).toEqual([
        'experiment:alice-sandbox',
        'experiment:fraud-detection',
        'model:alice-sandbox',
        'model:fraud-detection',
        'pipeline:alice-sandbox',
        'pipeline:fraud-detection',
      ]);

      // A service reads everything, so the narrowing is the decision's doing.
      const all = await get('/api/mlops/models', service).expect(200);
      expect(all.body.items).toHaveLength(3);
    });

    it('answers a read of an unreadable model or experiment as not found', async () => {
      for (const path of [
        '/api/mlops/models/ticket-classifier',
        '/api/mlops/models/ticket-classifier/versions',
        '/api/mlops/models/ticket-classifier/versions/1',
        '/api/mlops/models/ticket-classifier/history',
        '/api/mlops/models/ticket-classifier/compare?a=1&b=1',
        '/api/mlops/objects/model/ticket-classifier',
        '/api/mlops/objects/experiment/ticket-classifier',
        '/api/mlops/experiments/ticket-classifier',
        `/api/mlops/experiments/${experimentIds['ticket-classifier']}`,
      ]) {
        const response = await get(path);
        expect({ path, status: response.status }).toEqual({
          path,
          status: 404,
        });
      }
      const byName = await get(
        '/api/mlops/experiments?name=ticket-classifier',
      ).expect(200);
      expect(byName.body.experiments).toEqual([]);

      // Several by reference: the unreadable one is null, like a missing one.
      const byRefs = await postAs('/api/mlops/objects/by-refs', {
        refs: [
          { kind: 'model', name: 'ticket-classifier' },
          { kind: 'experiment', name: 'ticket-classifier' },
          { kind: 'model', name: 'alice-sandbox' },
        ],
      }).expect(200);
      expect(byRefs.body.items.map((o: any) => o?.name ?? null)).toEqual([
        null,
        null,
        'alice-sandbox',
      ]);

      await get('/api/mlops/models/fraud-detection/versions/1').expect(200);
      await get('/api/mlops/objects/model/alice-sandbox').expect(200);
      await get(
        `/api/mlops/experiments/${experimentIds['fraud-detection']}`,
      ).expect(200);
    });

    it('answers pipeline, deployment and baseline reads of an unreadable object as not found', async () => {
      const paths = (name: string) => [
        `/api/mlops/pipelines/${name}/status`,
        `/api/mlops/pipelines/${name}/runs`,
        `/api/mlops/pipelines/${name}/runs/${pipelineRunIds[name]}`,
        `/api/mlops/models/${name}/deployments`,
        `/api/mlops/models/${name}/deployments/current`,
        `/api/mlops/deployments/${deploymentIds[name]}`,
        `/api/mlops/models/${name}/versions/1/baseline`,
      ];
      const status = async (path: string) => ({
        path,
        status: (await get(path)).status,
      });
      for (const path of paths('ticket-classifier')) {
        expect(await status(path)).toEqual({ path, status: 404 });
      }
      for (const path of paths('fraud-detection')) {
        expect(await status(path)).toEqual({ path, status: 200 });
      }
    });

    it('answers reads of a run in an unreadable experiment as not found', async () => {
      const hidden = runIds['ticket-classifier'];
      const shown = runIds['fraud-detection'];
      for (const path of [
        `/api/mlops/runs/${hidden}`,
        `/api/mlops/runs/${hidden}/metrics/loss`,
        `/api/mlops/runs/compare?ids=${shown},${hidden}`,
        `${MLFLOW}/runs/get?run_id=${hidden}`,
        `${MLFLOW}/metrics/get-history?run_id=${hidden}&metric_key=loss`,
      ]) {
        const response = await get(path);
        expect({ path, status: response.status }).toEqual({
          path,
          status: 404,
        });
      }
      await get(`/api/mlops/runs/${shown}`).expect(200);
      await get(`/api/mlops/runs/${shown}/metrics/loss`).expect(200);
      await get(
        `${MLFLOW}/metrics/get-history?run_id=${shown}&metric_key=loss`,
      ).expect(200);
      await get(`${MLFLOW}/runs/get?run_id=${shown}`).expect(200);
      await get(
        `/api/mlops/runs/compare?ids=${shown},${runIds['alice-sandbox']}`,
      ).expect(200);
    });

    it('searches runs only in readable experiments', async () => {
      const all = await postAs('/api/mlops/runs/search', {
        experimentIds: Object.values(experimentIds),
      }).expect(200);
      expect(all.body.runs.map((r: any) => r.id).sort()).toEqual(
        readable.map(name => runIds[name]).sort(),
      );
    });

    it('narrows the MLflow searches and reads the same way', async () => {
      const experiments = await postAs(`${MLFLOW}/experiments/search`, {
        max_results: 100,
      }).expect(200);
      expect(experiments.body.experiments.map((e: any) => e.name)).toEqual(
        readable,
      );
      const listed = await get(`${MLFLOW}/experiments/list`).expect(200);
      expect(listed.body.experiments.map((e: any) => e.name)).toEqual(readable);

      const runs = await postAs(`${MLFLOW}/runs/search`, {
        experiment_ids: Object.values(experimentIds),
      }).expect(200);
      expect(runs.body.runs.map((r: any) => r.info.run_id).sort()).toEqual(
        readable.map(name => runIds[name]).sort(),
      );

      const models = await get(`${MLFLOW}/registered-models/search`).expect(
        200,
      );
      expect(models.body.registered_models.map((m: any) => m.name)).toEqual(
        readable,
      );
      const versions = await get(`${MLFLOW}/model-versions/search`).expect(200);
      expect(
        versions.body.model_versions.map((v: any) => v.name).sort(),
      ).toEqual(readable);
      const filtered = await get(
        `${MLFLOW}/model-versions/search?filter=${encodeURIComponent(
          "name='ticket-classifier'",
        )}`,
      ).expect(200);
      expect(filtered.body.model_versions ?? []).toEqual([]);

      for (const path of [
        `${MLFLOW}/registered-models/get?name=ticket-classifier`,
        `${MLFLOW}/model-versions/get?name=ticket-classifier&version=1`,
        `${MLFLOW}/experiments/get?experiment_id=${experimentIds['ticket-classifier']}`,
        `${MLFLOW}/experiments/get-by-name?experiment_name=ticket-classifier`,
      ]) {
        const response = await get(path);
        expect({
          path,
          status: response.status,
          code: response.body.error_code,
        }).toEqual({ path, status: 404, code: 'RESOURCE_DOES_NOT_EXIST' });
      }
      await get(`${MLFLOW}/registered-models/get?name=fraud-detection`).expect(
        200,
      );
      const latest = (name: string) =>
        postAs(`${MLFLOW}/registered-models/get-latest-versions`, { name });
      expect((await latest('ticket-classifier')).status).toBe(404);
      expect((await latest('fraud-detection')).status).toBe(200);
      const alias = (name: string) =>
        get(`${MLFLOW}/registered-models/alias?name=${name}&alias=champion`);
      expect((await alias('ticket-classifier')).status).toBe(404);
      expect((await alias('fraud-detection')).status).toBe(200);
    });

    it('reads nothing under a denied decision', async () => {
      const models = await get('/api/mlops/models', bob).expect(200);
      expect(models.body.items).toEqual([]);
      const experiments = await get('/api/mlops/experiments', bob).expect(200);
      expect(experiments.body.experiments).toEqual([]);
      const runs = await postAs(
        '/api/mlops/runs/search',
        { experimentIds: Object.values(experimentIds) },
        bob,
      ).expect(200);
      expect(runs.body.runs).toEqual([]);
      await get('/api/mlops/models/fraud-detection', bob).expect(404);
    });
  });
});
