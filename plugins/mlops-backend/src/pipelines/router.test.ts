import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import request from 'supertest';
import { createTestDatabases } from '../__testUtils__/databases';
import {
  PIPELINE_MIGRATIONS,
  migrateOnly,
} from '../deployments/migrateForTests';
import { EntityResolver } from '../shared/EntityResolver';
import { PipelineStore } from './PipelineStore';
import { sweepPipelines } from './PipelineSweeper';
import { createPipelines } from '.';
import { MlopsObjectReadAccess } from '../permissions/MlopsObjectReadAccess';

jest.setTimeout(60_000);

const pipelineEntity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'ticket-classifier-training',
    namespace: 'default',
    annotations: {
      'backstage-mlops.dev/pipeline':
        'ticket-classifier-training, unknown-pipeline',
    },
  },
  spec: { type: 'ml-pipeline', lifecycle: 'production', owner: 'support-ml' },
};

describe('pipelines routes', () => {
  const databases = createTestDatabases();

  describe.each(databases.eachSupportedId())('on %p', databaseId => {
    async function startBackend() {
      const knex = await databases.init(databaseId);
      await migrateOnly(knex, PIPELINE_MIGRATIONS);
      await knex('mlops_pipeline_run_stages').delete();
      await knex('mlops_pipeline_runs').delete();
      await knex('mlops_pipelines').delete();
      const testPlugin = createBackendPlugin({
        pluginId: 'mlops',
        register(env) {
          env.registerInit({
            deps: {
              config: coreServices.rootConfig,
              logger: coreServices.logger,
              httpRouter: coreServices.httpRouter,
              httpAuth: coreServices.httpAuth,
              database: coreServices.database,
              scheduler: coreServices.scheduler,
              catalog: catalogServiceRef,
              permissions: coreServices.permissions,
            },
            async init(deps) {
              const db = await deps.database.getClient();
              const { router } = createPipelines({
                ...deps,
                db,
                entities: new EntityResolver(deps.catalog),
                readAccess: new MlopsObjectReadAccess(
                  db,
                  deps.permissions,
                  deps.httpAuth,
                ),
              });
              deps.httpRouter.use(router);
            },
          });
        },
      });
      const { server } = await startTestBackend({
        features: [
          testPlugin,
          mockServices.database.factory({ knex }),
          mockServices.rootConfig.factory({
            data: { mlops: { pipelines: { sweepInterval: '1h' } } },
          }),
          catalogServiceMock.factory({ entities: [pipelineEntity] }),
        ],
      });
      const api = (method: 'get' | 'post' | 'put', path: string) =>
        request(server)
          [method](`/api/mlops${path}`)
          .set('Authorization', mockCredentials.user.header());
      await api('put', '/pipelines/ticket-classifier-training/definition')
        .send({
          orchestrator: 'airflow',
          stages: ['extract', 'train', 'register'],
          slaMinutes: 11520,
        })
        .expect(200);
      return { api, knex };
    }

    it('takes an orchestrator through create, stages, heartbeat and finish', async () => {
      const { api } = await startBackend();
      const created = await api(
        'post',
        '/pipelines/ticket-classifier-training/runs',
      ).send({
        externalId: 'airflow-run-7',
        trigger: 'schedule',
      });
      expect(created.status).toBe(201);
      const id = created.body.id;
      const base = `/pipelines/ticket-classifier-training/runs/${id}`;

      const retried = await api(
        'post',
        '/pipelines/ticket-classifier-training/runs',
      ).send({ externalId: 'airflow-run-7' });
      expect(retried.status).toBe(200);
      expect(retried.body.id).toBe(id);

      const running = await api('post', `${base}/stages/extract`).send({
        state: 'RUNNING',
      });
      expect(running.body.state).toBe('RUNNING');
      await api('post', `${base}/heartbeat`).expect(200);
      await api('post', `${base}/stages/extract`)
        .send({ state: 'COMPLETED' })
        .expect(200);
      await api('post', `${base}/stages/train`)
        .send({ state: 'RUNNING' })
        .expect(200);
      await api('post', `${base}/stages/train`)
        .send({
          state: 'FAILED',
          failureReason:
            'Back-off restarting failed container trainer: CrashLoopBackOff',
        })
        .expect(200);
      const finished = await api('post', `${base}/finish`).send({
        state: 'FAILED',
      });
      expect(finished.status).toBe(200);
      expect(finished.body).toMatchObject({
        state: 'FAILED',
        failureClass: 'crash_loop_backoff',
        stages: [
          expect.objectContaining({ name: 'extract', state: 'COMPLETED' }),
          expect.objectContaining({
            name: 'train',
            state: 'FAILED',
            failureClass: 'crash_loop_backoff',
          }),
          expect.objectContaining({ name: 'register', state: 'CANCELLED' }),
        ],
      });

      const list = await api(
        'get',
        '/pipelines/ticket-classifier-training/runs?state=FAILED',
      );
      expect(list.body.items.map((r: any) => r.id)).toEqual([id]);
    });

    it('refuses illegal moves with 409 and bad input with 400, changing nothing', async () => {
      const { api } = await startBackend();
      const { body: run } = await api(
        'post',
        '/pipelines/ticket-classifier-training/runs',
      ).send({});
      const base = `/pipelines/ticket-classifier-training/runs/${run.id}`;

      const early = await api('post', `${base}/finish`).send({
        state: 'COMPLETED',
      });
      expect(early.status).toBe(409);
      expect(early.body.error.message).toMatch(
        /is SCHEDULED; it cannot move to COMPLETED/,
      );

      expect(
        (await api('post', `${base}/finish`).send({ state: 'LATE' })).status,
      ).toBe(400);
      expect(
        (await api('post', `${base}/stages/train`).send({ state: 'LATE' }))
          .status,
      ).toBe(400);
      expect(
        (
          await api('post', `${base}/stages/train`).send({
            state: 'RUNNING',
            extra: 1,
          })
        ).status,
      ).toBe(400);
      expect(
        (
          await api('post', '/pipelines/ticket-classifier-training/runs').send({
            scheduledAt: 'tomorrow',
          })
        ).status,
      ).toBe(400);
      expect(
        (await api('post', '/pipelines/no-such/runs').send({})).status,
      ).toBe(404);
      expect(
        (await api('get', '/pipelines/ticket-classifier-training/runs/abc'))
          .status,
      ).toBe(400);
      expect(
        (await api('get', '/pipelines/ticket-classifier-training/runs/99999'))
          .status,
      ).toBe(404);

      const unchanged = await api('get', base);
      expect(unchanged.body.state).toBe('SCHEDULED');

      await api('post', `${base}/finish`)
        .send({ state: 'CANCELLED' })
        .expect(200);
      const afterEnd = await api('post', `${base}/heartbeat`);
      expect(afterEnd.status).toBe(409);
    });

    it('serves the runs and freshness of the pipelines an entity links to', async () => {
      const { api } = await startBackend();
      const { body: run } = await api(
        'post',
        '/pipelines/ticket-classifier-training/runs',
      ).send({ state: 'RUNNING' });
      await api(
        'post',
        `/pipelines/ticket-classifier-training/runs/${run.id}/finish`,
      )
        .send({
          state: 'FAILED',
          failureReason: 'Container trainer was OOMKilled',
        })
        .expect(200);
      const requested = await api(
        'post',
        '/pipelines/ticket-classifier-training/runs/request',
      ).send({ reason: 'retry after raising memory' });
      expect(requested.status).toBe(201);
      expect(requested.body).toMatchObject({
        state: 'SCHEDULED',
        trigger: 'requested',
      });

      const response = await api(
        'get',
        '/entities/component/default/ticket-classifier-training/pipeline-runs',
      );
      expect(response.status).toBe(200);
      expect(response.body.pipelines).toEqual([
        {
          pipeline: 'ticket-classifier-training',
          known: true,
          status: expect.objectContaining({
            orchestrator: 'airflow',
            slaMinutes: 11520,
            stale: false,
          }),
          runs: [
            expect.objectContaining({
              id: requested.body.id,
              state: 'SCHEDULED',
            }),
            expect.objectContaining({
              id: run.id,
              state: 'FAILED',
              failureClass: 'oom_killed',
            }),
          ],
        },
        { pipeline: 'unknown-pipeline', known: false, runs: [] },
      ]);
      expect(
        (await api('get', '/entities/component/default/ghost/pipeline-runs'))
          .status,
      ).toBe(404);
    });
  });

  it('the sweep logs its own failure instead of throwing', async () => {
    const logger = mockServices.logger.mock();
    const store = {
      sweep: jest.fn().mockRejectedValue(new Error('database is locked')),
    } as unknown as PipelineStore;
    await expect(sweepPipelines(store, logger)).resolves.toBeUndefined();
    expect(logger.error).toHaveBeenCalledWith(
      expect.stringContaining('database is locked'),
    );
  });

  it('schedules the sweep once across replicas, at the configured interval', async () => {
    const scheduler = mockServices.scheduler.mock();
    const logger = mockServices.logger.mock();
    const { scheduledTasks } = createPipelines({
      config: mockServices.rootConfig({
        data: { mlops: { pipelines: { sweepInterval: { minutes: 5 } } } },
      }),
      logger,
      httpAuth: mockServices.httpAuth(),
      db: (() => {
        throw new Error('no database in this test');
      }) as any,
      entities: {} as EntityResolver,
      readAccess: {} as MlopsObjectReadAccess,
    });
    for (const task of scheduledTasks) {
      await scheduler.scheduleTask(task);
    }
    expect(scheduler.scheduleTask).toHaveBeenCalledWith(
      expect.objectContaining({
        id: 'mlops-pipelines-sweep',
        scope: 'global',
        frequency: { milliseconds: 300_000 },
      }),
    );
    // The task body survives a broken database and says so in the log.
    const task = scheduler.scheduleTask.mock.calls[0][0];
    await expect(
      task.fn(new AbortController().signal),
    ).resolves.toBeUndefined();
    expect(logger.error).toHaveBeenCalledWith(
      expect.stringContaining('Pipeline sweep failed'),
    );
  });
});
