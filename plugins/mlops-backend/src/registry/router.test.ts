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
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import express from 'express';
import Router from 'express-promise-router';
import { Knex } from 'knex';
import request from 'supertest';
import { createTestDatabases } from '../__testUtils__/databases';
import { EntityResolver } from '../shared/EntityResolver';
import { migrateRegistryOnly } from './__testUtils__/migrateRegistry';
import { MetricDirections } from './compareVersions';
import { RegistryStore } from './RegistryStore';
import { TrackingStore } from '../tracking';
import { createRegistryRouter } from './router';
import { permissionsAllowingReads } from '../__testUtils__/permissions';
import { MlopsObjectReadAccess } from '../permissions/MlopsObjectReadAccess';

jest.setTimeout(180_000);

const alice = mockCredentials.user.header('user:default/alice');
const ci = mockCredentials.service.header();

const modelEntity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'fraud-detection',
    namespace: 'default',
    annotations: {
      'backstage-mlops.dev/model': 'fraud-detection, not-registered',
    },
  },
  spec: { type: 'ml-model', lifecycle: 'production', owner: 'risk-ml' },
};

describe('registry routes', () => {
  const databases = createTestDatabases();

  describe.each(databases.eachSupportedId())('on %p', databaseId => {
    let knex: Knex;
    let server: any;
    // Stopped after each test so that their connections are closed before
    // the test databases are dropped.
    const backends: Array<{ stop(): Promise<void> }> = [];
    const deployed = new Set<number>();
    // Ids of two tracked runs, as a training job would have logged them.
    let runA: string;
    let runB: string;

    async function logRuns(tracking: TrackingStore) {
      await tracking.createExperiment({ name: 'fraud-detection' });
      const runs: string[] = [];
      for (const [auc, loss, depth] of [
        [0.91, 0.31, '6'],
        [0.94, 0.35, '8'],
      ] as const) {
        const run = await tracking.createRun({
          experimentName: 'fraud-detection',
        });
        await tracking.logBatch(run.id, {
          metrics: [
            { key: 'auc', value: auc, step: 0, timestamp: 1 },
            { key: 'val_loss', value: loss, step: 0, timestamp: 1 },
          ],
          params: [
            { key: 'lr', value: '0.1' },
            { key: 'depth', value: depth },
          ],
          tags: [],
        });
        runs.push(run.id);
      }
      [runA, runB] = runs;
    }

    // One database per engine, emptied before each test: dropping a fresh
    // database per test takes longer than the suite's shutdown allows on a
    // busy PostgreSQL server.
    beforeAll(async () => {
      knex = await databases.init(databaseId);
      await migrateRegistryOnly(knex);
    });

    async function emptyTables() {
      for (const table of [
        'mlops_model_history',
        'mlops_model_aliases',
        'mlops_model_versions',
        'mlops_registered_models',
        'mlops_run_latest_metrics',
        'mlops_run_metrics',
        'mlops_run_tags',
        'mlops_run_params',
        'mlops_runs',
        'mlops_experiments',
      ]) {
        await knex(table).delete();
      }
    }

    async function startBackend(
      permissionResult: AuthorizeResult.ALLOW | AuthorizeResult.DENY,
    ) {
      deployed.clear();
      await emptyTables();
      const testPlugin = createBackendPlugin({
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
            async init({
              httpRouter,
              httpAuth,
              database,
              catalog,
              permissions,
            }) {
              const db = await database.getClient();
              const tracking = await TrackingStore.create({ db });
              await logRuns(tracking);
              const router = Router();
              router.use(express.json());
              router.use(
                createRegistryRouter({
                  httpAuth,
                  entities: new EntityResolver(catalog),
                  catalog,
                  readAccess: new MlopsObjectReadAccess(
                    db,
                    permissions,
                    httpAuth,
                  ),
                  registry: {
                    permissions,
                    store: new RegistryStore(db),
                    directions: new MetricDirections({ latency_ms: 'lower' }),
                    runs: tracking,
                    deployments: {
                      isDeployed: async (_model, version) =>
                        deployed.has(version),
                    },
                  },
                }),
              );
              httpRouter.use(router);
            },
          });
        },
      });
      const backend = await startTestBackend({
        features: [
          testPlugin,
          mockServices.database.factory({ knex }),
          catalogServiceMock.factory({ entities: [modelEntity] }),
          permissionsAllowingReads(permissionResult),
        ],
      });
      backends.push(backend);
      server = backend.server;
    }

    afterEach(async () => {
      while (backends.length > 0) {
        await backends.pop()!.stop();
      }
    });

    beforeEach(async () => {
      await startBackend(AuthorizeResult.ALLOW);
    });

    const api = () => request(server);

    async function createModel() {
      await api()
        .post('/api/mlops/models')
        .set('Authorization', alice)
        .send({
          name: 'fraud-detection',
          owner: 'group:default/risk-ml',
          tags: { domain: 'payments' },
          pipelineName: 'fraud-detection-training',
        })
        .expect(201);
    }

    async function createVersion(body: object = {}) {
      const response = await api()
        .post('/api/mlops/models/fraud-detection/versions')
        .set('Authorization', alice)
        .send(body);
      expect(response.status).toBe(201);
      return response.body;
    }

    async function stage(version: number, body: object, auth = alice) {
      return api()
        .post(`/api/mlops/models/fraud-detection/versions/${version}/stage`)
        .set('Authorization', auth)
        .send(body);
    }

    async function countRows(table: string) {
      const [{ n }] = await knex(table).count({ n: '*' });
      return Number(n);
    }

    it('registers a model, lists it, reads it and updates it', async () => {
      await createModel();
      const list = await api()
        .get('/api/mlops/models')
        .set('Authorization', alice);
      expect(list.status).toBe(200);
      expect(list.body.items.map((m: any) => m.name)).toEqual([
        'fraud-detection',
      ]);
      const patched = await api()
        .patch('/api/mlops/models/fraud-detection')
        .set('Authorization', alice)
        .send({ description: 'Card fraud scoring', pipelineName: null });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({
        name: 'fraud-detection',
        description: 'Card fraud scoring',
        owner: 'group:default/risk-ml',
        latestVersion: 0,
      });
      expect(patched.body.pipelineName).toBeUndefined();
      const read = await api()
        .get('/api/mlops/models/fraud-detection')
        .set('Authorization', alice);
      expect(read.body.description).toBe('Card fraud scoring');
    });

    it('refuses bad models with a 4xx and writes nothing', async () => {
      const cases: Array<[object, number, string]> = [
        [{ name: '../etc' }, 400, 'name'],
        [{ name: '' }, 400, 'name'],
        [{ name: 'ok', tags: { a: 1 } }, 400, 'tags.a'],
        [{ name: 'ok', owner: 42 }, 400, 'owner'],
        [{ name: 'ok', colour: 'red' }, 400, 'colour'],
      ];
      for (const [body, status, mention] of cases) {
        const response = await api()
          .post('/api/mlops/models')
          .set('Authorization', alice)
          .send(body);
        expect(response.status).toBe(status);
        expect(response.body.error.message).toContain(mention);
      }
      expect(await countRows('mlops_registered_models')).toBe(0);

      await createModel();
      const duplicate = await api()
        .post('/api/mlops/models')
        .set('Authorization', alice)
        .send({ name: 'fraud-detection' });
      expect(duplicate.status).toBe(409);
      expect(duplicate.body.error.message).toContain('already registered');

      const badPatch = await api()
        .patch('/api/mlops/models/fraud-detection')
        .set('Authorization', alice)
        .send({ description: 5 });
      expect(badPatch.status).toBe(400);
      const unknown = await api()
        .patch('/api/mlops/models/ghost')
        .set('Authorization', alice)
        .send({ description: 'x' });
      expect(unknown.status).toBe(404);
      expect(unknown.body.error.message).toBe(
        'No registered model named "ghost"',
      );
      const stillThere = await api()
        .get('/api/mlops/models/fraud-detection')
        .set('Authorization', alice);
      expect(stillThere.body.description).toBeUndefined();
    });

    it('creates versions with the run snapshot and reads them back', async () => {
      await createModel();
      const v1 = await createVersion({
        runId: runA,
        artifactUri: 's3://models/fraud/1',
        description: 'baseline',
      });
      expect(v1).toMatchObject({
        version: 1,
        stage: 'None',
        runId: runA,
        metrics: { auc: 0.91, val_loss: 0.31 },
        params: { lr: '0.1', depth: '6' },
        createdBy: 'user:default/alice',
      });
      const v2 = await createVersion({});
      expect(v2.version).toBe(2);
      const list = await api()
        .get('/api/mlops/models/fraud-detection/versions')
        .set('Authorization', alice);
      expect(list.body.items.map((v: any) => v.version)).toEqual([2, 1]);
      const one = await api()
        .get('/api/mlops/models/fraud-detection/versions/1')
        .set('Authorization', alice);
      expect(one.body.description).toBe('baseline');
    });

    it('refuses bad versions with a 4xx and creates none', async () => {
      await createModel();
      const cases: Array<[object, number, string]> = [
        [{ runId: 'no-such-run' }, 400, 'no run with id "no-such-run"'],
        [{ artifactUri: 's3://bucket/../other' }, 400, '.. path segments'],
        [
          { artifactUri: 'file:///models/%2e%2e/secrets' },
          400,
          '.. path segments',
        ],
        [{ runId: 7 }, 400, 'runId'],
        [{ tags: ['a'] }, 400, 'tags'],
      ];
      for (const [body, status, mention] of cases) {
        const response = await api()
          .post('/api/mlops/models/fraud-detection/versions')
          .set('Authorization', alice)
          .send(body);
        expect(response.status).toBe(status);
        expect(response.body.error.message).toContain(mention);
      }
      const ghost = await api()
        .post('/api/mlops/models/ghost/versions')
        .set('Authorization', alice)
        .send({ runId: runA });
      expect(ghost.status).toBe(404);
      expect(await countRows('mlops_model_versions')).toBe(0);
      const model = await api()
        .get('/api/mlops/models/fraud-detection')
        .set('Authorization', alice);
      expect(model.body.latestVersion).toBe(0);

      for (const [path, status] of [
        ['/api/mlops/models/fraud-detection/versions/0', 400],
        ['/api/mlops/models/fraud-detection/versions/one', 400],
        ['/api/mlops/models/fraud-detection/versions/99', 404],
        ['/api/mlops/models/ghost/versions', 404],
      ] as const) {
        const response = await api().get(path).set('Authorization', alice);
        expect(response.status).toBe(status);
        expect(response.body.error.message).toBeTruthy();
      }
    });

    it('transitions stages, archives the old Production version and records the caller in the history', async () => {
      await createModel();
      await createVersion({ runId: runA });
      await createVersion({ runId: runB });
      expect((await stage(1, { stage: 'production' })).status).toBe(200);
      const promoted = await stage(
        2,
        { stage: 'Production', archiveExisting: true, reason: 'higher auc' },
        ci,
      );
      expect(promoted.status).toBe(200);
      expect(promoted.body.archived).toEqual([1]);
      expect(promoted.body.version.stage).toBe('Production');

      const history = await api()
        .get('/api/mlops/models/fraud-detection/history')
        .set('Authorization', alice);
      expect(
        history.body.items.map((h: any) => [h.version, h.from, h.to, h.actor]),
      ).toEqual([
        [2, 'None', 'Production', 'external:test-service'],
        [1, 'Production', 'Archived', 'external:test-service'],
        [1, 'None', 'Production', 'user:default/alice'],
      ]);
      expect(history.body.items[0].reason).toBe('higher auc');
    });

    it('refuses bad stage transitions and leaves the stage as it was', async () => {
      await createModel();
      await createVersion();
      const cases: Array<[number | string, object, number, string]> = [
        [
          1,
          { stage: 'Live' },
          400,
          'must be one of None, Staging, Production, Archived',
        ],
        [1, {}, 400, 'stage'],
        [
          1,
          { stage: 'Production', archiveExisting: 'yes' },
          400,
          'archiveExisting',
        ],
        [1, { stage: 'Production', reason: '   ' }, 400, 'reason'],
        [5, { stage: 'Production' }, 404, 'has no version 5'],
        ['-1', { stage: 'Production' }, 400, 'positive whole number'],
      ];
      for (const [version, body, status, mention] of cases) {
        const response = await stage(version as number, body);
        expect(response.status).toBe(status);
        expect(response.body.error.message).toContain(mention);
      }
      const version = await api()
        .get('/api/mlops/models/fraud-detection/versions/1')
        .set('Authorization', alice);
      expect(version.body.stage).toBe('None');
      expect(await countRows('mlops_model_history')).toBe(0);
    });

    it('sets, moves and deletes aliases; reserved and malformed ones are refused', async () => {
      await createModel();
      await createVersion();
      await createVersion();
      const put = (alias: string, body: object) =>
        api()
          .put(`/api/mlops/models/fraud-detection/aliases/${alias}`)
          .set('Authorization', alice)
          .send(body);

      expect((await put('champion', { version: 1 })).status).toBe(200);
      const moved = await put('champion', { version: 2, reason: 'better' });
      expect(moved.status).toBe(200);
      expect(moved.body.aliases).toEqual(['champion']);

      for (const [alias, body, status, mention] of [
        ['latest', { version: 1 }, 400, 'reserved'],
        ['V3', { version: 1 }, 400, 'reserved'],
        ['has.dot', { version: 1 }, 400, 'letters, digits'],
        ['challenger', { version: '1' }, 400, 'version'],
        ['challenger', { version: 9 }, 404, 'has no version 9'],
      ] as const) {
        const response = await put(alias, body);
        expect(response.status).toBe(status);
        expect(response.body.error.message).toContain(mention);
      }
      const model = await api()
        .get('/api/mlops/models/fraud-detection')
        .set('Authorization', alice);
      expect(model.body.aliases).toEqual({ champion: 2 });

      const deleted = await api()
        .delete(
          '/api/mlops/models/fraud-detection/aliases/champion?reason=retired',
        )
        .set('Authorization', alice);
      expect(deleted.status).toBe(204);
      const again = await api()
        .delete('/api/mlops/models/fraud-detection/aliases/champion')
        .set('Authorization', alice);
      expect(again.status).toBe(404);

      const history = await api()
        .get('/api/mlops/models/fraud-detection/history?limit=5')
        .set('Authorization', alice);
      expect(
        history.body.items.map((h: any) => [
          h.action,
          h.alias,
          h.from,
          h.to,
          h.reason,
        ]),
      ).toEqual([
        ['alias_deleted', 'champion', '2', undefined, 'retired'],
        ['alias_set', 'champion', '1', '2', 'better'],
        ['alias_set', 'champion', undefined, '1', undefined],
      ]);
      const badQuery = await api()
        .get('/api/mlops/models/fraud-detection/history?limit=0')
        .set('Authorization', alice);
      expect(badQuery.status).toBe(400);
    });

    it('rolls back to the previous Production version with a reason', async () => {
      await createModel();
      await createVersion({ runId: runA });
      await createVersion({ runId: runB });
      await stage(1, { stage: 'Production' });
      await stage(2, { stage: 'Production', archiveExisting: true });

      const noReason = await api()
        .post('/api/mlops/models/fraud-detection/rollback')
        .set('Authorization', alice)
        .send({});
      expect(noReason.status).toBe(400);
      expect(noReason.body.error.message).toContain('reason');

      const rollback = await api()
        .post('/api/mlops/models/fraud-detection/rollback')
        .set('Authorization', alice)
        .send({ reason: 'false positives doubled' });
      expect(rollback.status).toBe(200);
      expect(rollback.body).toMatchObject({ from: 2, to: 1 });
      expect(rollback.body.version.stage).toBe('Production');

      const second = await api()
        .post('/api/mlops/models/fraud-detection/rollback')
        .set('Authorization', alice)
        .send({ reason: 'again' });
      expect(second.status).toBe(409);
      expect(second.body.error.message).toContain(
        'no earlier Production version',
      );

      const history = await api()
        .get('/api/mlops/models/fraud-detection/history?limit=1')
        .set('Authorization', alice);
      expect(history.body.items[0]).toMatchObject({
        version: 1,
        action: 'rollback',
        from: 'Archived',
        to: 'Production',
        reason: 'false positives doubled',
        actor: 'user:default/alice',
      });
    });

    it('compares two versions metric by metric with configured directions', async () => {
      await createModel();
      await createVersion({ runId: runA });
      await createVersion({ runId: runB });
      const response = await api()
        .get('/api/mlops/models/fraud-detection/compare?a=1&b=2')
        .set('Authorization', alice);
      expect(response.status).toBe(200);
      expect(response.body.metrics).toEqual([
        { key: 'auc', a: 0.91, b: 0.94, direction: 'higher', better: 'b' },
        { key: 'val_loss', a: 0.31, b: 0.35, direction: 'lower', better: 'a' },
      ]);
      expect(response.body.params).toEqual([
        { key: 'depth', a: '6', b: '8', different: true },
        { key: 'lr', a: '0.1', b: '0.1', different: false },
      ]);
      for (const [query, status] of [
        ['a=1', 400],
        ['a=1&b=x', 400],
        ['a=1&b=3', 404],
      ] as const) {
        const bad = await api()
          .get(`/api/mlops/models/fraud-detection/compare?${query}`)
          .set('Authorization', alice);
        expect(bad.status).toBe(status);
      }
    });

    it('applies retention, with a dry run first, and protects deployed versions', async () => {
      await createModel();
      for (let i = 0; i < 5; i++) {
        await createVersion();
      }
      await stage(1, { stage: 'Production' });
      deployed.add(2);
      const dry = await api()
        .post('/api/mlops/models/fraud-detection/retention')
        .set('Authorization', alice)
        .send({ keep: 2, dryRun: true });
      expect(dry.status).toBe(200);
      expect(dry.body.deleted).toEqual([3]);
      expect(await countRows('mlops_model_versions')).toBe(5);

      const real = await api()
        .post('/api/mlops/models/fraud-detection/retention')
        .set('Authorization', alice)
        .send({ keep: 2 });
      expect(real.body).toEqual({
        model: 'fraud-detection',
        keep: 2,
        dryRun: false,
        deleted: [3],
        kept: [
          { version: 5, reasons: ['newest'] },
          { version: 4, reasons: ['newest'] },
          { version: 2, reasons: ['deployed'] },
          { version: 1, reasons: ['production'] },
        ],
      });
      for (const body of [{ keep: 0 }, { keep: 1.5 }, { keep: '2' }, {}]) {
        const bad = await api()
          .post('/api/mlops/models/fraud-detection/retention')
          .set('Authorization', alice)
          .send(body);
        expect(bad.status).toBe(400);
        expect(bad.body.error.message).toContain('keep');
      }
      expect(await countRows('mlops_model_versions')).toBe(4);
    });

    it('answers an entity with the models its annotation links to', async () => {
      await createModel();
      await createVersion({ runId: runA });
      await stage(1, { stage: 'Staging', reason: 'canary' });
      await api()
        .put('/api/mlops/models/fraud-detection/aliases/challenger')
        .set('Authorization', alice)
        .send({ version: 1 });
      const response = await api()
        .get('/api/mlops/entities/component/default/fraud-detection/models')
        .set('Authorization', alice);
      expect(response.status).toBe(200);
      expect(response.body.entityRef).toBe('component:default/fraud-detection');
      const [known, unknown] = response.body.models;
      expect(known).toMatchObject({
        name: 'fraud-detection',
        known: true,
        model: { aliases: { challenger: 1 } },
        versions: [{ version: 1, stage: 'Staging', aliases: ['challenger'] }],
      });
      expect(known.history.map((h: any) => h.action)).toEqual([
        'alias_set',
        'stage',
      ]);
      expect(unknown).toEqual({
        name: 'not-registered',
        known: false,
        versions: [],
        history: [],
      });
      const missing = await api()
        .get('/api/mlops/entities/component/default/ghost/models')
        .set('Authorization', alice);
      expect(missing.status).toBe(404);
    });

    it('refuses stage, alias, rollback and retention changes the policy denies, and changes nothing', async () => {
      await startBackend(AuthorizeResult.DENY);
      await createModel();
      await createVersion({ runId: runA });
      const attempts = [
        api()
          .post('/api/mlops/models/fraud-detection/versions/1/stage')
          .send({ stage: 'Production' }),
        api()
          .put('/api/mlops/models/fraud-detection/aliases/champion')
          .send({ version: 1 }),
        api().delete('/api/mlops/models/fraud-detection/aliases/champion'),
        api()
          .post('/api/mlops/models/fraud-detection/rollback')
          .send({ reason: 'bad' }),
        api()
          .post('/api/mlops/models/fraud-detection/retention')
          .send({ keep: 1 }),
      ];
      const messages = [];
      for (const attempt of attempts) {
        const response = await attempt.set('Authorization', alice);
        expect(response.status).toBe(403);
        messages.push(response.body.error.message);
      }
      expect(messages).toEqual([
        'You are not allowed to change stages or aliases of model fraud-detection',
        'You are not allowed to change stages or aliases of model fraud-detection',
        'You are not allowed to change stages or aliases of model fraud-detection',
        'You are not allowed to roll back model fraud-detection',
        'You are not allowed to delete versions of model fraud-detection',
      ]);
      expect(await countRows('mlops_model_history')).toBe(0);
      expect(await countRows('mlops_model_aliases')).toBe(0);
      const version = await api()
        .get('/api/mlops/models/fraud-detection/versions/1')
        .set('Authorization', alice);
      expect(version.body.stage).toBe('None');
    });

    it('lets a service, but not a user, change a model no catalog entity links to yet', async () => {
      await api()
        .post('/api/mlops/models')
        .set('Authorization', alice)
        .send({ name: 'churn' })
        .expect(201);
      await api()
        .post('/api/mlops/models/churn/versions')
        .set('Authorization', ci)
        .send({})
        .expect(201);
      const byUser = await api()
        .post('/api/mlops/models/churn/versions/1/stage')
        .set('Authorization', alice)
        .send({ stage: 'Staging' });
      expect(byUser.status).toBe(403);
      expect(byUser.body.error.message).toContain(
        'No catalog entity you can see links to model churn',
      );
      const byService = await api()
        .post('/api/mlops/models/churn/versions/1/stage')
        .set('Authorization', ci)
        .send({ stage: 'Staging' });
      expect(byService.status).toBe(200);
      expect(byService.body.version.stage).toBe('Staging');
    });

    it('refuses a bad model name in the path', async () => {
      const response = await api()
        .get(`/api/mlops/models/${encodeURIComponent(' padded')}`)
        .set('Authorization', alice);
      expect(response.status).toBe(400);
      expect(response.body.error.message).toContain('Invalid model name');
    });
  });
});
