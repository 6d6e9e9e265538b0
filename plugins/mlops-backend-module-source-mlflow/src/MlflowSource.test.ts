import {
  TestDatabaseId,
  TestDatabases,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import {
  SchedulerService,
  ServiceFactory,
} from '@backstage/backend-plugin-api';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
// The test runs the real MLOps plugin twice: as the MLflow-compatible server
// teams already run, and as the portal that mirrors it.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import mlopsPlugin from '@backstage-mlops/plugin-mlops-backend';
import {
  MLOPS_OBJECTS_EVENT_TOPIC,
  objectChangesOf,
} from '@backstage-mlops/plugin-mlops-common';
import fs from 'fs';
import { Server } from 'http';
import os from 'os';
import { join } from 'path';
import { AddressInfo } from 'net';
import request from 'supertest';
import { mlopsModuleSourceMlflow } from './module';
import { FaultProxy } from './__testUtils__/FaultProxy';
import { mlflowSignature } from './webhooks';

jest.setTimeout(120_000);

const ids: TestDatabaseId[] = ['SQLITE_3'];
if (process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING) {
  ids.push('POSTGRES_15');
}
const databases = TestDatabases.create({ ids });

const TOKEN = mockCredentials.user.token();
const AUTH = { Authorization: mockCredentials.user.header() };
const MLFLOW = '/api/mlops/mlflow/api/2.0/mlflow';
const TASK = 'mlops-source-sync:mlflow:central';
const WEBHOOK_SECRET = 'whsec-test-0d9f8a';

/** Artifacts of both backends go to a throwaway folder, not the package. */
const artifactFolders: string[] = [];
const artifacts = () => {
  const root = fs.mkdtempSync(join(os.tmpdir(), 'mlops-source-mlflow-'));
  artifactFolders.push(root);
  return { artifacts: { filesystem: { root } } };
};
afterAll(() => {
  for (const folder of artifactFolders) {
    fs.rmSync(folder, { recursive: true, force: true });
  }
});

/** The model's entity: its owner may change stages and roll back. */
function modelEntity(annotations: Record<string, string>) {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'fraud-detector', namespace: 'default', annotations },
    spec: {
      type: 'ml-model',
      lifecycle: 'production',
      owner: 'user:default/mock',
    },
  };
}

/** The MLflow server teams already run: here, a second MLOps backend's MLflow endpoint. */
async function startUpstream(databaseId: TestDatabaseId) {
  const backend = await startTestBackend({
    features: [
      mlopsPlugin,
      mockServices.database.factory({ knex: await databases.init(databaseId) }),
      mockServices.httpAuth.factory({
        defaultCredentials: mockCredentials.none(),
      }),
      mockServices.rootConfig.factory({ data: { mlops: artifacts() } }),
      catalogServiceMock.factory({
        entities: [
          modelEntity({ 'backstage-mlops.dev/model': 'fraud-detector' }),
        ],
      }),
      mockServices.scheduler.factory({ skipTaskRunOnStartup: true }),
    ],
  });
  const server = backend.server as Server;
  const { port } = server.address() as AddressInfo;
  const call = async (path: string, body: object) => {
    const res = await request(server)
      .post(`${MLFLOW}${path}`)
      .set(AUTH)
      .send(body);
    if (res.status !== 200) {
      throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
    }
    return res.body;
  };
  return {
    backend,
    server,
    url: `http://127.0.0.1:${port}/api/mlops/mlflow`,
    call,
  };
}

async function startPortal(
  databaseId: TestDatabaseId,
  baseUrl: string,
  token = TOKEN,
) {
  // The mock scheduler's instance also makes its factory and awaits a
  // triggered task; its declared type is only SchedulerService.
  const scheduler = mockServices.scheduler() as SchedulerService & {
    factory(options: { skipTaskRunOnStartup?: boolean }): ServiceFactory;
  };
  // What the portal announces to the catalog (ObjectChangeNotifier).
  const events = mockServices.events.mock();
  const db = await databases.init(databaseId);
  const backend = await startTestBackend({
    features: [
      mlopsPlugin,
      mlopsModuleSourceMlflow,
      events.factory,
      mockServices.database.factory({ knex: db }),
      mockServices.httpAuth.factory({
        defaultCredentials: mockCredentials.none(),
      }),
      mockServices.rootConfig.factory({
        data: {
          mlops: {
            ...artifacts(),
            sources: {
              mlflow: [
                {
                  name: 'central',
                  baseUrl,
                  token,
                  webhookSecret: WEBHOOK_SECRET,
                  requestTimeout: { seconds: 2 },
                  requestsPerSecond: 200,
                  schedule: {
                    frequency: { hours: 24 },
                    timeout: { seconds: 60 },
                    initialDelay: { hours: 1 },
                  },
                },
              ],
            },
          },
        },
      }),
      catalogServiceMock.factory({
        entities: [
          // Only MLflow's annotation: it links the entity to the mirrored model.
          modelEntity({ 'mlflow.org/registered-model': 'fraud-detector' }),
        ],
      }),
      scheduler.factory({ skipTaskRunOnStartup: true }),
    ],
  });
  const server = backend.server as Server;
  const sync = () => scheduler.triggerTask(TASK);
  const status = async () => {
    const res = await request(server).get('/api/mlops/sources').set(AUTH);
    expect(res.status).toBe(200);
    return res.body.items.find((i: any) => i.name === 'central');
  };
  // Every change announced so far. The backend gathers announcements for
  // 100 ms before publishing them as one event: wait past that window.
  const announced = async () => {
    await new Promise(resolve => setTimeout(resolve, 300));
    return events.publish.mock.calls
      .map(([params]) => params)
      .filter(params => params.topic === MLOPS_OBJECTS_EVENT_TOPIC)
      .flatMap(params => objectChangesOf(params.eventPayload));
  };
  return { backend, server, sync, status, db, announced };
}

async function seedUpstream(
  call: (path: string, body: object) => Promise<any>,
) {
  const { experiment_id } = await call('/experiments/create', {
    name: 'fraud-training',
  });
  const runIds: string[] = [];
  for (let i = 0; i < 3; i++) {
    const { run } = await call('/runs/create', {
      experiment_id,
      run_name: `trial-${i}`,
      start_time: 1_700_000_000_000 + i * 1000,
    });
    const runId = run.info.run_id;
    runIds.push(runId);
    await call('/runs/log-batch', {
      run_id: runId,
      params: [{ key: 'max_depth', value: String(4 + i) }],
      metrics: [
        {
          key: 'auc',
          value: 0.8 + i / 100,
          timestamp: 1_700_000_100_000,
          step: 0,
        },
        {
          key: 'auc',
          value: 0.9 + i / 100,
          timestamp: 1_700_000_200_000,
          step: 1,
        },
      ],
      tags: [{ key: 'team', value: 'payments-ml' }],
    });
    await call('/runs/update', {
      run_id: runId,
      status: 'FINISHED',
      end_time: 1_700_000_300_000,
    });
  }
  await call('/registered-models/create', {
    name: 'fraud-detector',
    description: 'Scores card payments',
  });
  for (const runId of runIds) {
    await call('/model-versions/create', {
      name: 'fraud-detector',
      source: `runs:/${runId}/model`,
      run_id: runId,
    });
  }
  await call('/model-versions/transition-stage', {
    name: 'fraud-detector',
    version: '2',
    stage: 'Production',
    archive_existing_versions: false,
  });
  await call('/model-versions/transition-stage', {
    name: 'fraud-detector',
    version: '3',
    stage: 'Staging',
    archive_existing_versions: false,
  });
  await call('/registered-models/alias', {
    name: 'fraud-detector',
    alias: 'champion',
    version: '2',
  });
  return { experimentId: experiment_id as string, runIds };
}

describe.each(ids)(
  'MLflow source against an MLflow-compatible server, %s',
  databaseId => {
    const stops: Array<() => Promise<void>> = [];
    afterEach(async () => {
      while (stops.length) await stops.pop()!().catch(() => {});
    });

    async function setUp(options: { token?: string } = {}) {
      const upstream = await startUpstream(databaseId);
      stops.push(() => upstream.backend.stop());
      const proxy = new FaultProxy(
        upstream.url.replace(/\/api\/mlops\/mlflow$/, ''),
      );
      const proxyUrl = await proxy.start();
      stops.push(() => proxy.stop());
      const seeded = await seedUpstream(upstream.call);
      const portal = await startPortal(
        databaseId,
        `${proxyUrl}/api/mlops/mlflow`,
        options.token,
      );
      stops.push(() => portal.backend.stop());
      return { upstream, proxy, portal, seeded };
    }

    it('mirrors experiments, runs, versions, stages and aliases; history says observed; an unchanged re-sync writes nothing', async () => {
      const { upstream, portal, seeded } = await setUp();
      await portal.sync();

      const status = await portal.status();
      expect(status).toMatchObject({
        state: 'ok',
        consecutiveFailures: 0,
        offers: ['sync', 'webhook'],
      });
      // Two experiments: MLflow's "Default" and fraud-training.
      expect(status.mirrored).toMatchObject({
        experiment: 2,
        run: 3,
        model: 1,
        version: 3,
      });

      const versions = await request(portal.server)
        .get('/api/mlops/models/fraud-detector/versions')
        .set(AUTH);
      expect(versions.status).toBe(200);
      const byNumber = Object.fromEntries(
        (versions.body.items ?? versions.body).map((v: any) => [v.version, v]),
      );
      expect(byNumber[2].stage).toBe('Production');
      expect(byNumber[3].stage).toBe('Staging');
      expect(byNumber[1].stage).toBe('None');
      expect(byNumber[2].aliases).toEqual(['champion']);

      const run = await request(portal.server)
        .get(`${MLFLOW}/runs/get`)
        .query({ run_id: seeded.runIds[2] })
        .set(AUTH);
      expect(run.status).toBe(200);
      expect(run.body.run.data.params).toEqual([
        { key: 'max_depth', value: '6' },
      ]);
      expect(run.body.run.data.metrics).toEqual([
        expect.objectContaining({ key: 'auc', value: 0.92, step: 1 }),
      ]);
      expect(run.body.run.info.status).toBe('FINISHED');

      // The entity's card says where the model comes from.
      const entityModels = await request(portal.server)
        .get('/api/mlops/entities/component/default/fraud-detector/models')
        .set(AUTH);
      expect(entityModels.status).toBe(200);
      expect(entityModels.body.models).toEqual([
        expect.objectContaining({
          name: 'fraud-detector',
          known: true,
          source: { type: 'mlflow', name: 'central' },
        }),
      ]);

      // A change upstream between two syncs is history, seen rather than made.
      await upstream.call('/model-versions/transition-stage', {
        name: 'fraud-detector',
        version: '3',
        stage: 'Production',
        archive_existing_versions: true,
      });
      await upstream.call('/registered-models/alias', {
        name: 'fraud-detector',
        alias: 'champion',
        version: '3',
      });
      await portal.sync();
      const history = await request(portal.server)
        .get('/api/mlops/models/fraud-detector/history')
        .set(AUTH);
      expect(history.status).toBe(200);
      const entries = history.body.items ?? history.body;
      const observed = entries.filter((e: any) => e.actor === 'observed');
      expect(observed).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            version: 3,
            action: 'stage',
            from: 'Staging',
            to: 'Production',
          }),
          expect.objectContaining({
            version: 2,
            action: 'stage',
            from: 'Production',
            to: 'Archived',
          }),
          expect.objectContaining({
            version: 3,
            action: 'alias_set',
            alias: 'champion',
          }),
        ]),
      );

      // Rollback works on the mirrored history: back to version 2.
      const rollback = await request(portal.server)
        .post('/api/mlops/models/fraud-detector/rollback')
        .set(AUTH)
        .send({ reason: 'v3 regressed' });
      expect(rollback.status).toBe(200);
      expect(rollback.body.to).toBe(2);
      // ...and MLflow followed: the portal wrote the rollback back.
      const upstreamModel = await request(upstream.server)
        .get(`${MLFLOW}/model-versions/get`)
        .query({ name: 'fraud-detector', version: '2' })
        .set(AUTH);
      expect(upstreamModel.body.model_version.current_stage).toBe('Production');

      // The next sync finds both sides agreeing: no observed history.
      await portal.sync();
      expect((await portal.status()).lastCounts.historyEntries ?? 0).toBe(0);
      await portal.sync();
      const again = await portal.status();
      expect(again.lastCounts.models ?? 0).toBe(0);
      expect(again.lastCounts.runs ?? 0).toBe(0);
      expect(again.lastCounts.versions ?? 0).toBe(0);
      expect(again.lastCounts.modelUnchanged).toBe(1);
    });

    const historyOf = async (server: Server, runId: string, key: string) => {
      const res = await request(server)
        .get(`/api/mlops/runs/${runId}/metrics/${key}`)
        .set(AUTH);
      expect(res.status).toBe(200);
      return res.body.points.map((p: any) => [p.step, p.value]);
    };

    it("reads a finished mirrored run's metric history from MLflow once and serves it from the store after", async () => {
      const { proxy, portal, seeded } = await setUp();
      await portal.sync();
      const historyReads = () =>
        proxy.requests.filter(url => url.includes('/metrics/get-history'));
      const runId = seeded.runIds[1];
      const whole = [
        [0, 0.8 + 1 / 100],
        [1, 0.9 + 1 / 100],
      ];
      // The sync mirrored only the latest value; the chart gets both points.
      expect(await historyOf(portal.server, runId, 'auc')).toEqual(whole);
      expect(historyReads()).toHaveLength(1);
      expect(historyReads()[0]).toContain(`run_id=${runId}`);

      // MLflow's own route on the portal answers from the same store.
      const mlflowHistory = await request(portal.server)
        .get(`${MLFLOW}/metrics/get-history`)
        .query({ run_id: runId, metric_key: 'auc' })
        .set(AUTH);
      expect(mlflowHistory.status).toBe(200);
      expect(mlflowHistory.body.metrics.map((m: any) => m.value)).toEqual(
        whole.map(([, value]) => value),
      );
      expect(historyReads()).toHaveLength(1);

      // A finished run's history cannot grow: not read again, even when
      // MLflow is down, and a re-sync does not double the latest point.
      proxy.mode = { kind: 'unavailable' };
      expect(await historyOf(portal.server, runId, 'auc')).toEqual(whole);
      proxy.mode = { kind: 'pass' };
      await portal.sync();
      expect(await historyOf(portal.server, runId, 'auc')).toEqual(whole);
      expect(historyReads()).toHaveLength(1);
    });

    it("reads an open run's history again only after the refresh interval", async () => {
      const { upstream, proxy, portal, seeded } = await setUp();
      const { run } = await upstream.call('/runs/create', {
        experiment_id: seeded.experimentId,
        run_name: 'still-training',
        start_time: 1_700_000_500_000,
      });
      const runId = run.info.run_id;
      const log = (step: number, value: number) =>
        upstream.call('/runs/log-metric', {
          run_id: runId,
          key: 'loss',
          value,
          step,
          timestamp: 1_700_000_600_000 + step,
        });
      await log(0, 0.7);
      await log(1, 0.5);
      await portal.sync();
      const historyReads = () =>
        proxy.requests.filter(url => url.includes('/metrics/get-history'));

      expect(await historyOf(portal.server, runId, 'loss')).toEqual([
        [0, 0.7],
        [1, 0.5],
      ]);
      await log(2, 0.4);
      // Within the interval the store answers without asking MLflow.
      expect(await historyOf(portal.server, runId, 'loss')).toHaveLength(2);
      expect(historyReads()).toHaveLength(1);

      // The interval passed (the fetch mark made older): read again, and
      // only the new point is added.
      await portal
        .db('mlops_source_objects')
        .where({ kind: 'metric_history' })
        .update({ synced_at: new Date(Date.now() - 3_600_000) });
      expect(await historyOf(portal.server, runId, 'loss')).toEqual([
        [0, 0.7],
        [1, 0.5],
        [2, 0.4],
      ]);
      expect(historyReads()).toHaveLength(2);
    });

    it('answers the stored latest value when MLflow fails, without its error text or the token, and reads the history once MLflow is back', async () => {
      const { proxy, portal, seeded } = await setUp();
      await portal.sync();
      const runId = seeded.runIds[0];
      proxy.mode = { kind: 'unavailable' };
      const res = await request(portal.server)
        .get(`/api/mlops/runs/${runId}/metrics/auc`)
        .set(AUTH);
      expect(res.status).toBe(200);
      expect(res.body.points.map((p: any) => [p.step, p.value])).toEqual([
        [1, 0.9],
      ]);
      const mlflowHistory = await request(portal.server)
        .get(`${MLFLOW}/metrics/get-history`)
        .query({ run_id: runId, metric_key: 'auc' })
        .set(AUTH);
      expect(mlflowHistory.status).toBe(200);
      expect(mlflowHistory.body.metrics).toHaveLength(1);
      for (const body of [res.text, mlflowHistory.text]) {
        expect(body).not.toContain('maintenance');
        expect(body).not.toContain(TOKEN);
      }

      // A failed read is not remembered as done.
      proxy.mode = { kind: 'pass' };
      expect(await historyOf(portal.server, runId, 'auc')).toEqual([
        [0, 0.8],
        [1, 0.9],
      ]);
    });

    it('announces newly mirrored models and experiments to the catalog once, and nothing on an unchanged re-sync', async () => {
      const { upstream, portal } = await setUp();
      await portal.sync();
      const first = await portal.announced();
      expect(first).toEqual(
        expect.arrayContaining([
          { action: 'upserted', kind: 'model', name: 'fraud-detector' },
          { action: 'upserted', kind: 'experiment', name: 'fraud-training' },
          { action: 'upserted', kind: 'experiment', name: 'Default' },
        ]),
      );
      expect(first).toHaveLength(3);

      // A stage change is no new object; an unchanged re-sync announces nothing.
      await upstream.call('/model-versions/transition-stage', {
        name: 'fraud-detector',
        version: '1',
        stage: 'Archived',
        archive_existing_versions: false,
      });
      await portal.sync();
      await portal.sync();
      expect(await portal.announced()).toHaveLength(3);

      await upstream.call('/registered-models/create', { name: 'churn-model' });
      await portal.sync();
      expect((await portal.announced()).slice(3)).toEqual([
        { action: 'upserted', kind: 'model', name: 'churn-model' },
      ]);
    });

    it('keeps the store and reports the upstream error when the server is down, answers 5xx, hangs or loops page tokens', async () => {
      const { proxy, portal } = await setUp();
      await portal.sync();
      const first = await portal.status();
      expect(first.state).toBe('ok');

      proxy.mode = { kind: 'unavailable' };
      await portal.sync();
      let status = await portal.status();
      expect(status.state).toBe('failing');
      expect(status.lastError).toMatch(/answered 503: down for maintenance/);
      expect(status.lastSuccessAt).toBe(first.lastSuccessAt);
      expect(status.mirrored).toEqual(first.mirrored);
      const versions = await request(portal.server)
        .get('/api/mlops/models/fraud-detector/versions')
        .set(AUTH);
      expect((versions.body.items ?? versions.body).length).toBe(3);

      proxy.mode = { kind: 'hang' };
      await portal.sync();
      status = await portal.status();
      expect(status.lastError).toMatch(/timed out after 2000 ms/);

      proxy.mode = { kind: 'pageTokenLoop' };
      await portal.sync();
      status = await portal.status();
      expect(status.lastError).toMatch(/page token "same-page-again" twice/);
      expect(status.mirrored).toEqual(first.mirrored);

      // Vanishing mid-sync: the first requests pass, then the server is gone.
      proxy.mode = { kind: 'vanishAfter', requests: 1 };
      await portal.sync();
      status = await portal.status();
      expect(status.state).toMatch(/failing|circuit_open/);
      expect(status.mirrored).toEqual(first.mirrored);

      proxy.mode = { kind: 'pass' };
    });

    it('opens the circuit after repeated failures and stops calling the source', async () => {
      const { proxy, portal } = await setUp();
      proxy.mode = { kind: 'unavailable' };
      // Each failed request is retried (3 attempts); five failed requests open it.
      for (let i = 0; i < 5; i++) await portal.sync();
      const status = await portal.status();
      expect(status.state).toBe('circuit_open');
      expect(status.circuitOpenUntil).toBeDefined();
      const before = proxy.requests.length;
      await portal.sync();
      expect(proxy.requests.length).toBe(before);
      expect((await portal.status()).lastError).toMatch(/failed repeatedly/);
    });

    it('writes a stage change made in the portal to MLflow first, and refuses it when MLflow does not take it', async () => {
      const { upstream, proxy, portal } = await setUp();
      await portal.sync();
      const change = () =>
        request(portal.server)
          .post('/api/mlops/models/fraud-detector/versions/3/stage')
          .set(AUTH)
          .send({ stage: 'Production', archiveExisting: true });
      const stageOf = async (server: Server, version: number) => {
        const res = await request(server)
          .get(`${MLFLOW}/model-versions/get`)
          .query({ name: 'fraud-detector', version: String(version) })
          .set(AUTH);
        return res.body.model_version.current_stage;
      };

      proxy.mode = { kind: 'unavailable' };
      const refused = await change();
      expect(refused.status).toBe(503);
      expect(refused.body.error.message).toMatch(
        /lives in mlflow instance "central", which did not take the change/,
      );
      expect(await stageOf(portal.server, 3)).toBe('Staging');
      expect(await stageOf(upstream.server, 3)).toBe('Staging');

      proxy.mode = { kind: 'pass' };
      const done = await change();
      expect(done.status).toBe(200);
      expect(await stageOf(upstream.server, 3)).toBe('Production');
      expect(await stageOf(upstream.server, 2)).toBe('Archived');
      expect(await stageOf(portal.server, 3)).toBe('Production');

      const alias = await request(portal.server)
        .put('/api/mlops/models/fraud-detector/aliases/challenger')
        .set(AUTH)
        .send({ version: 1 });
      expect(alias.status).toBe(200);
      const upstreamAlias = await request(upstream.server)
        .get(`${MLFLOW}/registered-models/alias`)
        .query({ name: 'fraud-detector', alias: 'challenger' })
        .set(AUTH);
      expect(upstreamAlias.body.model_version.version).toBe('1');
    });

    it('reports an auth failure without the token', async () => {
      const { portal } = await setUp({ token: 'wrong-secret-token-4711' });
      await portal.sync();
      const status = await portal.status();
      expect(status.state).toBe('failing');
      expect(status.lastError).toMatch(/answered 401/);
      const body = JSON.stringify(
        await request(portal.server)
          .get('/api/mlops/sources')
          .set(AUTH)
          .then(r => r.body),
      );
      expect(body).not.toContain('wrong-secret-token-4711');
      expect(body).not.toContain(WEBHOOK_SECRET);
    });

    it('syncs a model at once on a signed MLflow webhook and refuses bad signatures and replays', async () => {
      const { upstream, portal } = await setUp();
      await portal.sync();
      await upstream.call('/model-versions/create', {
        name: 'fraud-detector',
        source: 's3://models/fraud/4',
      });

      const body = JSON.stringify({
        entity: 'model_version',
        action: 'created',
        timestamp: new Date().toISOString(),
        data: { name: 'fraud-detector', version: '4' },
      });
      const timestamp = String(Math.floor(Date.now() / 1000));
      const send = (headers: Record<string, string>) =>
        request(portal.server)
          .post('/api/mlops/sources/mlflow/central/webhook')
          .set('content-type', 'application/json')
          .set(headers)
          .send(body);

      const forged = await send({
        'x-mlflow-delivery-id': 'd-1',
        'x-mlflow-timestamp': timestamp,
        'x-mlflow-signature': mlflowSignature(
          'not-the-secret',
          'd-1',
          timestamp,
          body,
        ),
      });
      expect(forged.status).toBe(401);
      const stale = String(Math.floor(Date.now() / 1000) - 3600);
      const old = await send({
        'x-mlflow-delivery-id': 'd-2',
        'x-mlflow-timestamp': stale,
        'x-mlflow-signature': mlflowSignature(
          WEBHOOK_SECRET,
          'd-2',
          stale,
          body,
        ),
      });
      expect(old.status).toBe(401);

      const good = {
        'x-mlflow-delivery-id': 'd-3',
        'x-mlflow-timestamp': timestamp,
        'x-mlflow-signature': mlflowSignature(
          WEBHOOK_SECRET,
          'd-3',
          timestamp,
          body,
        ),
      };
      expect((await send(good)).status).toBe(202);
      expect((await send(good)).status).toBe(401);

      let versions: any[] = [];
      for (let i = 0; i < 50 && versions.length < 4; i++) {
        await new Promise(r => setTimeout(r, 100));
        const res = await request(portal.server)
          .get('/api/mlops/models/fraud-detector/versions')
          .set(AUTH);
        versions = res.body.items ?? res.body;
      }
      expect(versions.map((v: any) => v.version)).toContain(4);
    });
  },
);
