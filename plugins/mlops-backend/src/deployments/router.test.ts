import {
  coreServices,
  createBackendModule,
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
import { mlopsDeploymentTargetsExtensionPoint } from '@backstage-mlops/plugin-mlops-node';
import http from 'http';
import { AddressInfo } from 'net';
import request from 'supertest';
import { createTestDatabases } from '../__testUtils__/databases';
import { EntityResolver } from '../shared/EntityResolver';
import { MlopsObjectStore } from '../objects/MlopsObjectStore';
import { DEPLOYMENT_MIGRATIONS, migrateOnly } from './migrateForTests';
import { DeploymentTargetCollector, createDeployments } from '.';
import { MlopsObjectReadAccess } from '../permissions/MlopsObjectReadAccess';
import { permissionsAllowingReads } from '../__testUtils__/permissions';

jest.setTimeout(60_000);

const modelEntity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'fraud-detection',
    namespace: 'default',
    annotations: { 'backstage-mlops.dev/model': 'fraud-detection' },
  },
  spec: { type: 'ml-model', lifecycle: 'production', owner: 'risk-ml' },
};

/** A local HTTP server that records what it receives. */
async function startHookServer(status = 202) {
  const received: Array<{ url: string; body: any }> = [];
  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', chunk => (text += chunk));
    req.on('end', () => {
      received.push({ url: req.url ?? '', body: JSON.parse(text || '{}') });
      res.statusCode = status;
      res.end();
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, received, base: `http://127.0.0.1:${port}` };
}

describe('deployments routes', () => {
  const databases = createTestDatabases();
  const hooks: http.Server[] = [];

  afterAll(async () => {
    await Promise.all(hooks.map(s => new Promise(resolve => s.close(resolve))));
  });

  describe.each(databases.eachSupportedId())('on %p', databaseId => {
    async function startBackend(
      mlopsConfig: object = {},
      permissionResult:
        | AuthorizeResult.ALLOW
        | AuthorizeResult.DENY = AuthorizeResult.ALLOW,
    ) {
      const knex = await databases.init(databaseId);
      await migrateOnly(knex, DEPLOYMENT_MIGRATIONS);
      await knex('mlops_deployments').delete();
      await new MlopsObjectStore(knex).upsert('model', {
        name: 'fraud-detection',
      });

      // The same wiring as the plugin's, without the other capabilities.
      const collector = new DeploymentTargetCollector();
      const testPlugin = createBackendPlugin({
        pluginId: 'mlops',
        register(env) {
          env.registerExtensionPoint(
            mlopsDeploymentTargetsExtensionPoint,
            collector,
          );
          env.registerInit({
            deps: {
              config: coreServices.rootConfig,
              logger: coreServices.logger,
              httpRouter: coreServices.httpRouter,
              httpAuth: coreServices.httpAuth,
              database: coreServices.database,
              catalog: catalogServiceRef,
              permissions: coreServices.permissions,
            },
            async init({
              config,
              logger,
              httpRouter,
              httpAuth,
              database,
              catalog,
              permissions,
            }) {
              const db = await database.getClient();
              const { router } = createDeployments({
                config,
                logger,
                httpAuth,
                db,
                readAccess: new MlopsObjectReadAccess(
                  db,
                  permissions,
                  httpAuth,
                ),
                entities: new EntityResolver(catalog),
                extraTargets: collector.targets,
                catalog,
                permissions,
                versions: {
                  versionExists: async (_model, version) => version <= 10,
                },
              });
              httpRouter.use(router);
            },
          });
        },
      });
      const { server } = await startTestBackend({
        features: [
          testPlugin,
          createBackendModule({
            pluginId: 'mlops',
            moduleId: 'instant-target',
            register(env) {
              env.registerInit({
                deps: { targets: mlopsDeploymentTargetsExtensionPoint },
                async init({ targets }) {
                  targets.addDeploymentTarget({
                    type: 'instant',
                    async deploy() {
                      return { status: 'succeeded', message: 'done at once' };
                    },
                  });
                },
              });
            },
          }),
          mockServices.database.factory({ knex }),
          permissionsAllowingReads(permissionResult),
          mockServices.rootConfig.factory({ data: { mlops: mlopsConfig } }),
          catalogServiceMock.factory({ entities: [modelEntity] }),
        ],
      });
      return { server, knex };
    }

    const auth = mockCredentials.user.header();

    it('deploys, takes CD status reports and shows the current version per environment', async () => {
      const { server } = await startBackend();
      const created = await request(server)
        .post('/api/mlops/models/fraud-detection/deployments')
        .set('Authorization', auth)
        .send({ version: 3, environment: 'production' });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        status: 'pending',
        version: 3,
        target: 'record',
        requestedBy: 'user:default/mock',
      });
      const id = created.body.id;

      await request(server)
        .patch(`/api/mlops/deployments/${id}`)
        .set('Authorization', auth)
        .send({ status: 'in_progress', message: 'rolling out' })
        .expect(200);
      const done = await request(server)
        .patch(`/api/mlops/deployments/${id}`)
        .set('Authorization', auth)
        .send({ status: 'succeeded' });
      expect(done.body).toMatchObject({ id, status: 'succeeded' });

      const entity = await request(server)
        .get(
          '/api/mlops/entities/component/default/fraud-detection/deployments',
        )
        .set('Authorization', auth);
      expect(entity.status).toBe(200);
      expect(entity.body.models).toEqual([
        expect.objectContaining({
          model: 'fraud-detection',
          known: true,
          current: [
            expect.objectContaining({
              environment: 'production',
              version: 3,
              status: 'succeeded',
            }),
          ],
          history: [expect.objectContaining({ id })],
        }),
      ]);
    });

    it('refuses illegal status reports with a 409 and bad ones with a 400', async () => {
      const { server } = await startBackend();
      const { body } = await request(server)
        .post('/api/mlops/models/fraud-detection/deployments')
        .set('Authorization', auth)
        .send({ version: 3, environment: 'production' });
      const illegal = await request(server)
        .patch(`/api/mlops/deployments/${body.id}`)
        .set('Authorization', auth)
        .send({ status: 'succeeded' });
      expect(illegal.status).toBe(409);
      expect(illegal.body.error.message).toMatch(
        /is pending; it cannot move to succeeded/,
      );

      const bad = await request(server)
        .patch(`/api/mlops/deployments/${body.id}`)
        .set('Authorization', auth)
        .send({ status: 'rolled_back' });
      expect(bad.status).toBe(400);

      const current = await request(server)
        .get(`/api/mlops/deployments/${body.id}`)
        .set('Authorization', auth);
      expect(current.body.status).toBe('pending');

      await request(server)
        .patch('/api/mlops/deployments/999999')
        .set('Authorization', auth)
        .send({ status: 'failed' })
        .expect(404);
    });

    it('rejects unknown models, unknown versions and bad input without recording anything', async () => {
      const { server, knex } = await startBackend();
      const post = (name: string, body: object) =>
        request(server)
          .post(`/api/mlops/models/${name}/deployments`)
          .set('Authorization', auth)
          .send(body);
      // A CD system may deploy models no entity claims, but not unknown ones.
      const unknownModel = await request(server)
        .post('/api/mlops/models/churn/deployments')
        .set('Authorization', mockCredentials.service.header())
        .send({ version: 1, environment: 'production' });
      expect(unknownModel.status).toBe(404);
      expect(
        (
          await post('fraud-detection', {
            version: 11,
            environment: 'production',
          })
        ).status,
      ).toBe(404);
      expect(
        (
          await post('fraud-detection', {
            version: 0,
            environment: 'production',
          })
        ).status,
      ).toBe(400);
      expect(
        (
          await post('fraud-detection', {
            version: 1,
            environment: 'prod/../x',
          })
        ).status,
      ).toBe(400);
      expect(
        (
          await post('fraud-detection', {
            version: 1,
            environment: 'prod',
            target: 'ftp',
          })
        ).status,
      ).toBe(400);
      const [{ n }] = await knex('mlops_deployments').count({ n: '*' });
      expect(Number(n)).toBe(0);
    });

    it('lets exactly one of several concurrent deploys win', async () => {
      const { server } = await startBackend();
      const responses = await Promise.all(
        [4, 5, 6, 7].map(version =>
          request(server)
            .post('/api/mlops/models/fraud-detection/deployments')
            .set('Authorization', auth)
            .send({ version, environment: 'production' }),
        ),
      );
      const won = responses.filter(r => r.status === 201);
      const lost = responses.filter(r => r.status === 409);
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(3);
      for (const r of lost) {
        expect(r.body.error.message).toContain(`Deployment ${won[0].body.id} `);
      }
    });

    it('rolls back to the last version that succeeded, with the reason recorded', async () => {
      const { server } = await startBackend();
      const deploy = (version: number) =>
        request(server)
          .post('/api/mlops/models/fraud-detection/deployments')
          .set('Authorization', auth)
          .send({ version, environment: 'production', target: 'instant' });
      expect((await deploy(2)).body.status).toBe('succeeded');
      const bad = await deploy(3);
      expect(bad.body.status).toBe('succeeded');

      const noReason = await request(server)
        .post('/api/mlops/models/fraud-detection/deployments/rollback')
        .set('Authorization', auth)
        .send({ environment: 'production', reason: ' ' });
      expect(noReason.status).toBe(400);

      const rollback = await request(server)
        .post('/api/mlops/models/fraud-detection/deployments/rollback')
        .set('Authorization', auth)
        .send({
          environment: 'production',
          reason: 'v3 doubles false positives',
        });
      expect(rollback.status).toBe(201);
      expect(rollback.body).toMatchObject({
        version: 2,
        status: 'pending',
        rollbackOf: bad.body.id,
        reason: 'v3 doubles false positives',
      });
      const history = await request(server)
        .get(
          '/api/mlops/models/fraud-detection/deployments?environment=production',
        )
        .set('Authorization', auth);
      expect(history.body.items.map((d: any) => [d.version, d.status])).toEqual(
        [
          [2, 'pending'],
          [3, 'rolled_back'],
          [2, 'succeeded'],
        ],
      );

      // While the rollback is in flight, another rollback is a conflict.
      const again = await request(server)
        .post('/api/mlops/models/fraud-detection/deployments/rollback')
        .set('Authorization', auth)
        .send({ environment: 'production', reason: 'again' });
      expect(again.status).toBe(409);
      expect(again.body.error.message).toContain(rollback.body.id);
    });

    it('answers 409 when there is no earlier good version to roll back to', async () => {
      const { server } = await startBackend();
      await request(server)
        .post('/api/mlops/models/fraud-detection/deployments')
        .set('Authorization', auth)
        .send({ version: 1, environment: 'production', target: 'instant' });
      const response = await request(server)
        .post('/api/mlops/models/fraud-detection/deployments/rollback')
        .set('Authorization', auth)
        .send({ environment: 'production', reason: 'bad' });
      expect(response.status).toBe(409);
      expect(response.body.error.message).toMatch(/nothing to roll back to/);
    });

    it('calls an allowed webhook and never a URL that is not on the allow-list', async () => {
      const allowed = await startHookServer(202);
      const other = await startHookServer(202);
      hooks.push(allowed.server, other.server);
      const allowedUrl = `${allowed.base}/hooks/deploy?token=s3cr3t-token`;
      const { server } = await startBackend({
        deployments: { webhook: { allowedUrls: [allowedUrl] } },
      });

      const refused = await request(server)
        .post('/api/mlops/models/fraud-detection/deployments')
        .set('Authorization', auth)
        .send({
          version: 3,
          environment: 'production',
          target: {
            type: 'webhook',
            url: `${other.base}/hooks/deploy?token=s3cr3t-token`,
          },
        });
      expect(refused.status).toBe(400);
      expect(refused.body.error.message).toMatch(
        /not on mlops\.deployments\.webhook\.allowedUrls/,
      );
      expect(other.received).toHaveLength(0);
      expect(allowed.received).toHaveLength(0);

      const sent = await request(server)
        .post('/api/mlops/models/fraud-detection/deployments')
        .set('Authorization', auth)
        .send({
          version: 3,
          environment: 'production',
          target: { type: 'webhook', url: allowedUrl },
        });
      expect(sent.status).toBe(201);
      expect(sent.body.status).toBe('in_progress');
      expect(sent.body.message).toContain(allowed.base);
      expect(JSON.stringify(sent.body)).not.toContain('s3cr3t');
      expect(allowed.received).toEqual([
        {
          url: '/hooks/deploy?token=s3cr3t-token',
          body: {
            deployment: expect.objectContaining({
              id: sent.body.id,
              model: 'fraud-detection',
              version: 3,
              environment: 'production',
            }),
          },
        },
      ]);
      expect(other.received).toHaveLength(0);
    });

    it('marks the deployment failed when the webhook answers with an error', async () => {
      const failing = await startHookServer(500);
      hooks.push(failing.server);
      const { server } = await startBackend({
        deployments: { webhook: { allowedUrls: [`${failing.base}/hook`] } },
      });
      const response = await request(server)
        .post('/api/mlops/models/fraud-detection/deployments')
        .set('Authorization', auth)
        .send({ version: 3, environment: 'staging', target: 'webhook' });
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({ status: 'failed' });
      expect(response.body.message).toMatch(/answered HTTP 500/);
      expect(failing.received).toHaveLength(1);
    });

    it('refuses the webhook target when no URL is configured', async () => {
      const { server } = await startBackend();
      const response = await request(server)
        .post('/api/mlops/models/fraud-detection/deployments')
        .set('Authorization', auth)
        .send({
          version: 3,
          environment: 'staging',
          target: { type: 'webhook', url: 'http://169.254.169.254/' },
        });
      expect(response.status).toBe(400);
      expect(response.body.error.message).toMatch(/allowedUrls is empty/);
    });
    it('refuses deploy, rollback and status reports the policy denies, changing nothing', async () => {
      const { server, knex } = await startBackend({}, AuthorizeResult.DENY);
      const deploy = await request(server)
        .post('/api/mlops/models/fraud-detection/deployments')
        .set('Authorization', auth)
        .send({ version: 3, environment: 'production' });
      expect(deploy.status).toBe(403);
      expect(deploy.body.error.message).toMatch(
        /not allowed to deploy model fraud-detection/,
      );
      const rollback = await request(server)
        .post('/api/mlops/models/fraud-detection/deployments/rollback')
        .set('Authorization', auth)
        .send({ environment: 'production', reason: 'bad' });
      expect(rollback.status).toBe(403);
      const [{ n }] = await knex('mlops_deployments').count({ n: '*' });
      expect(Number(n)).toBe(0);

      // A model no entity links to: users may not, CD systems may.
      await new MlopsObjectStore(knex).upsert('model', { name: 'churn' });
      const orphanByUser = await request(server)
        .post('/api/mlops/models/churn/deployments')
        .set('Authorization', auth)
        .send({ version: 1, environment: 'production' });
      expect(orphanByUser.status).toBe(403);
      const orphanByService = await request(server)
        .post('/api/mlops/models/churn/deployments')
        .set('Authorization', mockCredentials.service.header())
        .send({ version: 1, environment: 'production' });
      expect(orphanByService.status).toBe(201);
    });
  });
});
