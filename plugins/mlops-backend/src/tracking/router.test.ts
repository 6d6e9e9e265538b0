import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import express from 'express';
import Router from 'express-promise-router';
import { Knex } from 'knex';
import request from 'supertest';
import { createTestDatabases } from '../__testUtils__/databases';
import { EntityResolver } from '../shared/EntityResolver';
import { TrackingStore } from './TrackingStore';
import { createTrackingRouter } from './router';
import { MlopsObjectReadAccess } from '../permissions/MlopsObjectReadAccess';
import { migrateTracking } from './__testUtils__/migrateTracking';

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

const modelEntity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'fraud-model',
    namespace: 'default',
    annotations: { 'backstage-mlops.dev/model': 'fraud-model' },
  },
  spec: { type: 'ml-model', lifecycle: 'production', owner: 'risk-ml' },
};

/**
 * The tracking routes inside a backend plugin with id `mlops`, wired as the
 * real plugin wires them: before the shared JSON parser.
 */
const trackingTestPlugin = createBackendPlugin({
  pluginId: 'mlops',
  register(env) {
    env.registerInit({
      deps: {
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        database: coreServices.database,
        catalog: catalogServiceRef,
        permissions: coreServices.permissions,
      },
      async init({ httpRouter, httpAuth, database, catalog, permissions }) {
        const db = await database.getClient();
        await migrateTracking(db);
        const router = Router();
        router.use(
          createTrackingRouter({
            httpAuth,
            entities: new EntityResolver(catalog),
            tracking: await TrackingStore.create({ db }),
            readAccess: new MlopsObjectReadAccess(db, permissions, httpAuth),
          }),
        );
        router.use(express.json({ limit: 1024 * 1024 }));
        httpRouter.use(router);
      },
    });
  },
});

describe('tracking routes', () => {
  const databases = createTestDatabases();

  describe.each(databases.eachSupportedId())('on %p', databaseId => {
    let knex: Knex;
    let server: any;
    const auth = mockCredentials.user.header();

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      ({ server } = await startTestBackend({
        features: [
          trackingTestPlugin,
          mockServices.database.factory({ knex }),
          mockServices.httpAuth.factory({
            defaultCredentials: mockCredentials.none(),
          }),
          catalogServiceMock.factory({
            entities: [experimentEntity, modelEntity],
          }),
        ],
      }));
    });

    const post = (path: string, body: unknown) =>
      request(server).post(`/api/mlops${path}`).set('Authorization', auth).send(body as any);
    const get = (path: string) =>
      request(server).get(`/api/mlops${path}`).set('Authorization', auth);

    let counter = 0;
    async function newRun() {
      counter += 1;
      const experiment = await post('/experiments', { name: `exp ${counter}` });
      expect(experiment.status).toBe(201);
      const run = await post('/runs', {
        experimentId: experiment.body.id,
        name: `run ${counter}`,
      });
      expect(run.status).toBe(201);
      return run.body as { id: string; experimentId: string; user: string };
    }
    async function rowCounts(runId: string) {
      const count = async (table: string) => {
        const [{ n }] = await knex(table).where({ run_id: runId }).count({ n: '*' });
        return Number(n);
      };
      return {
        params: await count('mlops_run_params'),
        tags: await count('mlops_run_tags'),
        metrics: await count('mlops_run_metrics'),
        latest: await count('mlops_run_latest_metrics'),
      };
    }
    const nothingWritten = { params: 0, tags: 0, metrics: 0, latest: 0 };

    it('refuses callers without credentials', async () => {
      const response = await request(server).get('/api/mlops/experiments');
      expect(response.status).toBe(401);
    });

    it('creates, lists and reads experiments, by id or by name', async () => {
      const created = await post('/experiments', {
        name: 'fraud-detection',
        owner: 'group:default/risk-ml',
        description: 'Card fraud',
        tags: { team: 'risk' },
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ name: 'fraud-detection', tags: { team: 'risk' } });

      const list = await get('/experiments');
      expect(list.body.experiments.map((e: any) => e.name)).toContain('fraud-detection');
      expect((await get(`/experiments/${created.body.id}`)).body.name).toBe('fraud-detection');
      expect((await get('/experiments/fraud-detection')).body.id).toBe(created.body.id);

      const duplicate = await post('/experiments', { name: 'fraud-detection' });
      expect(duplicate.status).toBe(409);
      expect(duplicate.body.error.message).toContain('already exists');
      expect((await get('/experiments/ghost')).status).toBe(404);
    });

    it('refuses names that break the naming rule, saying why', async () => {
      for (const [name, why] of [
        ['/etc/passwd', 'must not start with /'],
        ['a/../b', 'must not contain . or .. path segments'],
        ['semi;colon', 'may only contain letters'],
        ['x'.repeat(251), 'at most 250 characters'],
      ]) {
        const response = await post('/experiments', { name });
        expect(response.status).toBe(400);
        expect(response.body.error.message).toContain(why);
      }
      // Letters of any script are names too.
      expect((await post('/experiments', { name: 'Betrugserkennung Ü/数据' })).status).toBe(201);
    });

    it('creates, reads and updates a run, recording the caller as its user', async () => {
      const run = await newRun();
      expect(run.user).toBe('user:default/mock');
      const patched = await request(server)
        .patch(`/api/mlops/runs/${run.id}`)
        .set('Authorization', auth)
        .send({ status: 'FINISHED' });
      expect(patched.status).toBe(200);
      expect(patched.body.status).toBe('FINISHED');
      expect(patched.body.endTime).toEqual(expect.any(String));

      const bad = await request(server)
        .patch(`/api/mlops/runs/${run.id}`)
        .set('Authorization', auth)
        .send({ status: 'DONE' });
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toContain('status');

      const unknown = await get(`/runs/${'0'.repeat(32)}`);
      expect(unknown.status).toBe(404);
      expect((await get('/runs/not-a-run-id')).status).toBe(400);
      const noExperiment = await post('/runs', { experimentName: 'nowhere' });
      expect(noExperiment.status).toBe(404);
      expect(noExperiment.body.error.message).toContain('nowhere');
    });

    it('logs a batch and serves the metric history, non-finite values included', async () => {
      const run = await newRun();
      const response = await post(`/runs/${run.id}/log-batch`, {
        metrics: [
          { key: 'train/loss', value: 0.9, step: 0, timestamp: 1000 },
          { key: 'train/loss', value: 0.4, step: 1, timestamp: 2000 },
          { key: 'grad_norm', value: 'Infinity', step: 1 },
          { key: 'kl', value: 'NaN' },
        ],
        params: [{ key: 'lr', value: '0.01' }],
        tags: [{ key: 'stage', value: 'dev' }],
      });
      expect(response.status).toBe(204);

      const history = await get(`/runs/${run.id}/metrics/train/loss`);
      expect(history.status).toBe(200);
      expect(history.body.points).toEqual([
        { value: 0.9, step: 0, timestamp: 1000 },
        { value: 0.4, step: 1, timestamp: 2000 },
      ]);
      const stored = (await get(`/runs/${run.id}`)).body;
      expect(stored.params).toEqual({ lr: '0.01' });
      expect(stored.metrics.grad_norm.value).toBe('Infinity');
      expect(stored.metrics.kl.value).toBe('NaN');
      expect((await get(`/runs/${run.id}/metrics/absent`)).status).toBe(404);
    });

    it('answers 409 when a param changes value, and writes nothing of that batch', async () => {
      const run = await newRun();
      await post(`/runs/${run.id}/log-batch`, { params: [{ key: 'lr', value: '0.01' }] }).expect(204);
      await post(`/runs/${run.id}/log-batch`, { params: [{ key: 'lr', value: '0.01' }] }).expect(204);
      const before = await rowCounts(run.id);

      const conflict = await post(`/runs/${run.id}/log-batch`, {
        metrics: [{ key: 'loss', value: 1 }],
        params: [{ key: 'depth', value: '4' }, { key: 'lr', value: '0.5' }],
        tags: [{ key: 'note', value: 'x' }],
      });
      expect(conflict.status).toBe(409);
      expect(conflict.body.error.message).toContain('write-once');
      expect(conflict.body.error.message).toContain('"lr"');
      expect(await rowCounts(run.id)).toEqual(before);
    });

    it('enforces the batch limits with a 400 that names each limit, writing nothing', async () => {
      const run = await newRun();
      const tooManyMetrics = await post(`/runs/${run.id}/log-batch`, {
        metrics: Array.from({ length: 1001 }, (_, i) => ({ key: `m${i}`, value: i })),
      });
      expect(tooManyMetrics.status).toBe(400);
      expect(tooManyMetrics.body.error.message).toContain('at most 1000 metrics');

      const tooManyParams = await post(`/runs/${run.id}/log-batch`, {
        params: Array.from({ length: 60 }, (_, i) => ({ key: `p${i}`, value: 'v' })),
        tags: Array.from({ length: 41 }, (_, i) => ({ key: `t${i}`, value: 'v' })),
      });
      expect(tooManyParams.status).toBe(400);
      expect(tooManyParams.body.error.message).toContain('at most 100 params and tags');

      const hugeBody = await post(`/runs/${run.id}/log-batch`, {
        tags: [{ key: 'blob', value: 'x'.repeat(1024 * 1024 + 10) }],
      });
      expect(hugeBody.status).toBe(400);
      expect(hugeBody.body.error.message).toContain('1 MB limit');

      const longParam = await post(`/runs/${run.id}/log-batch`, {
        params: [{ key: 'prompt', value: 'x'.repeat(6001) }],
      });
      expect(longParam.status).toBe(400);
      expect(longParam.body.error.message).toContain('at most 6000 characters');
      // The longest value MLflow allows is fine.
      await post(`/runs/${run.id}/log-batch`, {
        tags: [{ key: 'long', value: 'y'.repeat(8000) }],
      }).expect(204);
      const longTag = await post(`/runs/${run.id}/log-batch`, {
        tags: [{ key: 'longer', value: 'y'.repeat(8001) }],
      });
      expect(longTag.status).toBe(400);
      expect(await rowCounts(run.id)).toEqual({ ...nothingWritten, tags: 1 });
    });

    it('refuses wrong types and bad keys in a batch without writing any of it', async () => {
      const run = await newRun();
      for (const body of [
        { metrics: [{ key: 'loss', value: 'high' }] },
        { metrics: [{ key: 'loss', value: 1, step: 1.5 }] },
        { metrics: [{ key: '../loss', value: 1 }] },
        { metrics: [{ key: 'ok', value: 1 }], params: [{ key: 'lr', value: 0.01 }] },
        { metrics: 'all of them' },
      ]) {
        const response = await post(`/runs/${run.id}/log-batch`, body);
        expect(response.status).toBe(400);
        expect(response.body.error.message).toMatch(/^Invalid log batch: /);
      }
      const malformed = await request(server)
        .post(`/api/mlops/runs/${run.id}/log-batch`)
        .set('Authorization', auth)
        .set('Content-Type', 'application/json')
        .send('{"metrics": [');
      expect(malformed.status).toBe(400);
      expect(await rowCounts(run.id)).toEqual(nothingWritten);

      const unknown = await post(`/runs/${'a'.repeat(32)}/log-batch`, {
        metrics: [{ key: 'loss', value: 1 }],
      });
      expect(unknown.status).toBe(404);
      expect(await rowCounts('a'.repeat(32))).toEqual(nothingWritten);
    });

    it('searches runs with a filter, an order and page tokens', async () => {
      const experiment = await post('/experiments', { name: 'search-me' });
      for (let i = 0; i < 5; i++) {
        const run = await post('/runs', { experimentName: 'search-me', name: `r${i}` });
        await post(`/runs/${run.body.id}/log-batch`, {
          metrics: [{ key: 'auc', value: 0.5 + i / 10 }],
          params: [{ key: 'depth', value: String(i) }],
        }).expect(204);
      }
      const first = await post('/runs/search', {
        experimentIds: [experiment.body.id],
        filter: [{ type: 'metric', key: 'auc', op: '>', value: 0.55 }],
        orderBy: { type: 'metric', key: 'auc', direction: 'desc' },
        pageSize: 2,
      });
      expect(first.status).toBe(200);
      expect(first.body.runs.map((r: any) => r.name)).toEqual(['r4', 'r3']);
      const second = await post('/runs/search', {
        experimentIds: [experiment.body.id],
        filter: [{ type: 'metric', key: 'auc', op: '>', value: 0.55 }],
        orderBy: { type: 'metric', key: 'auc', direction: 'desc' },
        pageSize: 2,
        pageToken: first.body.nextPageToken,
      });
      expect(second.body.runs.map((r: any) => r.name)).toEqual(['r2', 'r1']);
      expect(second.body.nextPageToken).toBeUndefined();

      const tooBig = await post('/runs/search', { pageSize: 5000 });
      expect(tooBig.status).toBe(400);
      expect(tooBig.body.error.message).toContain('at most 1000');
      const badOp = await post('/runs/search', {
        filter: [{ type: 'metric', key: 'auc', op: 'LIKE', value: 1 }],
      });
      expect(badOp.status).toBe(400);
      const badToken = await post('/runs/search', { pageToken: 'bm9wZQ' });
      expect(badToken.status).toBe(400);
    });

    it('compares runs and marks the differences', async () => {
      const a = await newRun();
      const b = await newRun();
      await post(`/runs/${a.id}/log-batch`, {
        metrics: [{ key: 'auc', value: 0.9 }],
        params: [{ key: 'depth', value: '6' }, { key: 'seed', value: '1' }],
      }).expect(204);
      await post(`/runs/${b.id}/log-batch`, {
        metrics: [{ key: 'auc', value: 0.8 }],
        params: [{ key: 'depth', value: '8' }, { key: 'seed', value: '1' }],
      }).expect(204);
      const response = await get(`/runs/compare?ids=${a.id},${b.id}`);
      expect(response.status).toBe(200);
      expect(response.body.params).toEqual([
        { key: 'depth', values: { [a.id]: '6', [b.id]: '8' }, differs: true },
        { key: 'seed', values: { [a.id]: '1', [b.id]: '1' }, differs: false },
      ]);
      expect(response.body.metrics[0]).toEqual({
        key: 'auc',
        values: { [a.id]: 0.9, [b.id]: 0.8 },
        differs: true,
      });
      expect((await get(`/runs/compare?ids=${a.id}`)).status).toBe(400);
      expect((await get(`/runs/compare?ids=${a.id},${'c'.repeat(32)}`)).status).toBe(404);
    });

    it('lists the experiments of an entity, through a model link too', async () => {
      await knex('mlops_registered_models').insert({
        name: 'fraud-model',
        experiment_name: 'fraud-detection',
        tags: '{}',
        created_at: new Date(),
        updated_at: new Date(),
      });
      const run = await post('/runs', { experimentName: 'fraud-detection', name: 'nightly' });
      expect(run.status).toBe(201);
      for (const path of [
        '/entities/resource/default/fraud-detection-experiment/experiments',
        '/entities/component/default/fraud-model/experiments',
      ]) {
        const response = await get(path);
        expect(response.status).toBe(200);
        expect(response.body.experiments).toHaveLength(1);
        expect(response.body.experiments[0].experiment.name).toBe('fraud-detection');
        expect(response.body.experiments[0].runs.map((r: any) => r.name)).toContain('nightly');
      }
      expect((await get('/entities/component/default/ghost/experiments')).status).toBe(404);
    });
  });
});
