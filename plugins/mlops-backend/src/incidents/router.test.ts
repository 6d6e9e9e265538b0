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
import request from 'supertest';
import { createTestDatabases } from '../__testUtils__/databases';
import { EntityResolver } from '../shared/EntityResolver';
import { HealthService } from '../health/HealthService';
import { MlopsObjectStore } from '../objects/MlopsObjectStore';
import { pingDatabase } from '../database/ping';
import { createHealthRouter } from '../health';
import { DEFAULT_THRESHOLDS } from './detectors/thresholds';
import { IncidentService } from './IncidentService';
import { IncidentStore } from './IncidentStore';
import { createIncidentsRouter } from './router';
import { migrateForIncidents } from './__testUtils__/migrate';
import { MemoryMonitoring } from './__testUtils__/memorySources';

jest.setTimeout(60_000);

const marketMaster = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'market-master',
    namespace: 'default',
    annotations: { 'backstage-mlops.dev/model': 'market-master' },
  },
  spec: { type: 'ml-model', lifecycle: 'production', owner: 'risk-ml' },
};

describe('incident routes', () => {
  const databases = createTestDatabases();

  describe.each(databases.eachSupportedId())('on %p', databaseId => {
    async function startBackend(
      options: {
        permission?: AuthorizeResult.ALLOW | AuthorizeResult.DENY;
        catalogEntities?: Array<typeof marketMaster>;
      } = {},
    ) {
      const knex = await databases.init(databaseId);
      await migrateForIncidents(knex);
      const objects = new MlopsObjectStore(knex);
      await objects.upsert('model', { name: 'market-master' });
      const monitoring = new MemoryMonitoring();
      monitoring.set('market-master', { latencyP95Ms: 870 });
      const store = new IncidentStore(knex);
      let service: IncidentService | undefined;

      // The same wiring as the plugin, limited to what incidents need, so
      // these tests do not depend on other capabilities' migrations.
      const testPlugin = createBackendPlugin({
        pluginId: 'mlops',
        register(env) {
          env.registerInit({
            deps: {
              logger: coreServices.logger,
              httpRouter: coreServices.httpRouter,
              httpAuth: coreServices.httpAuth,
              catalog: catalogServiceRef,
              permissions: coreServices.permissions,
            },
            async init({ logger, httpRouter, httpAuth, catalog, permissions }) {
              const entities = new EntityResolver(catalog);
              service = new IncidentService({
                store,
                logger,
                sources: { monitoring },
                thresholds: DEFAULT_THRESHOLDS,
              });
              httpRouter.use(
                createHealthRouter({
                  logger,
                  httpAuth,
                  pingDatabase: () => pingDatabase(knex),
                  entities,
                  health: new HealthService(objects, store),
                }),
              );
              httpRouter.use(
                await createIncidentsRouter({
                  httpAuth,
                  entities,
                  incidents: service,
                  catalog,
                  permissions,
                }),
              );
            },
          });
        },
      });

      const { server } = await startTestBackend({
        features: [
          testPlugin,
          mockServices.httpAuth.factory({
            defaultCredentials: mockCredentials.none(),
          }),
          catalogServiceMock.factory({
            entities: options.catalogEntities ?? [marketMaster],
          }),
          mockServices.permissions.factory({
            result: options.permission ?? AuthorizeResult.ALLOW,
          }),
        ],
      });
      await service!.evaluateAll();
      const [incident] = await store.openIncidents([
        { kind: 'model', name: 'market-master' },
      ]);
      return { server, incidentId: incident.id, store };
    }

    it('lists the open incident of an entity with its timeline', async () => {
      const { server, incidentId } = await startBackend();
      const response = await request(server)
        .get('/api/mlops/entities/component/default/market-master/incidents')
        .set('Authorization', mockCredentials.user.header());
      expect(response.status).toBe(200);
      expect(response.body.entityRef).toBe('component:default/market-master');
      expect(response.body.items).toHaveLength(1);
      expect(response.body.items[0]).toMatchObject({
        id: incidentId,
        object: { kind: 'model', name: 'market-master' },
        symptom: 'latency_high',
        severity: 'critical',
        status: 'open',
        timeline: [{ type: 'opened' }],
      });
    });

    it('serves the unhealthy summary with the reason linked to the incident', async () => {
      const { server, incidentId } = await startBackend();
      const response = await request(server)
        .get('/api/mlops/entities/component/default/market-master/summary')
        .set('Authorization', mockCredentials.user.header());
      expect(response.status).toBe(200);
      expect(response.body.status).toBe('unhealthy');
      expect(response.body.reasons[0]).toMatchObject({
        symptom: 'latency_high',
        incidentId,
        evidence: { values: { latencyP95Ms: 870 }, threshold: 500 },
      });
      expect(response.body.metrics[0].latencyP95Ms).toBe(870);
    });

    it('acknowledges with the caller as actor, then resolves, and refuses repeats', async () => {
      const { server, incidentId } = await startBackend();
      const ack = await request(server)
        .post(`/api/mlops/incidents/${incidentId}/acknowledge`)
        .set('Authorization', mockCredentials.user.header('user:default/alice'))
        .send({ note: 'checking the autoscaler' });
      expect(ack.status).toBe(200);
      expect(ack.body).toMatchObject({
        status: 'acknowledged',
        acknowledgedBy: 'user:default/alice',
      });
      expect(ack.body.timeline[1]).toMatchObject({
        type: 'acknowledged',
        actor: 'user:default/alice',
        message: 'Acknowledged: checking the autoscaler',
      });

      const again = await request(server)
        .post(`/api/mlops/incidents/${incidentId}/acknowledge`)
        .set('Authorization', mockCredentials.user.header());
      expect(again.status).toBe(409);

      const resolved = await request(server)
        .post(`/api/mlops/incidents/${incidentId}/resolve`)
        .set('Authorization', mockCredentials.user.header('user:default/bob'))
        .send({});
      expect(resolved.status).toBe(200);
      expect(resolved.body).toMatchObject({
        status: 'resolved',
        resolvedBy: 'user:default/bob',
      });

      const fetched = await request(server)
        .get(`/api/mlops/incidents/${incidentId}`)
        .set('Authorization', mockCredentials.user.header());
      expect(
        fetched.body.timeline.map((e: { type: string }) => e.type),
      ).toEqual(['opened', 'acknowledged', 'resolved']);
      const resolveAgain = await request(server)
        .post(`/api/mlops/incidents/${incidentId}/resolve`)
        .set('Authorization', mockCredentials.user.header());
      expect(resolveAgain.status).toBe(409);
    });

    it('records a service principal as the actor', async () => {
      const { server, incidentId } = await startBackend();
      const response = await request(server)
        .post(`/api/mlops/incidents/${incidentId}/acknowledge`)
        .set(
          'Authorization',
          mockCredentials.service.header({
            onBehalfOf: mockCredentials.service('external:oncall-bot'),
            targetPluginId: 'mlops',
          }),
        );
      expect(response.status).toBe(200);
      expect(response.body.acknowledgedBy).toBe('service:external:oncall-bot');
    });

    it('answers 404 for unknown incidents and entities', async () => {
      const { server } = await startBackend();
      const auth = mockCredentials.user.header();
      for (const [method, path] of [
        ['get', '/api/mlops/incidents/nope'],
        ['post', '/api/mlops/incidents/nope/acknowledge'],
        ['post', '/api/mlops/incidents/nope/resolve'],
        ['get', '/api/mlops/entities/component/default/ghost/incidents'],
      ] as const) {
        const response = await request(server)
          [method](path)
          .set('Authorization', auth);
        expect(response.status).toBe(404);
        expect(response.body.error.name).toBe('NotFoundError');
      }
    });

    it('refuses every route without credentials and changes nothing', async () => {
      const { server, incidentId, store } = await startBackend();
      for (const [method, path] of [
        [
          'get',
          '/api/mlops/entities/component/default/market-master/incidents',
        ],
        ['get', `/api/mlops/incidents/${incidentId}`],
        ['post', `/api/mlops/incidents/${incidentId}/acknowledge`],
        ['post', `/api/mlops/incidents/${incidentId}/resolve`],
      ] as const) {
        const response = await request(server)[method](path);
        expect(response.status).toBe(401);
      }
      expect((await store.get(incidentId)).status).toBe('open');
    });

    it('refuses to acknowledge or resolve without the incident permission', async () => {
      const { server, incidentId, store } = await startBackend({
        permission: AuthorizeResult.DENY,
      });
      for (const action of ['acknowledge', 'resolve']) {
        const response = await request(server)
          .post(`/api/mlops/incidents/${incidentId}/${action}`)
          .set('Authorization', mockCredentials.user.header());
        expect(response.status).toBe(403);
        expect(response.body.error.message).toContain(
          'not allowed to change the incidents of model market-master',
        );
      }
      const incident = await store.get(incidentId);
      expect(incident.status).toBe('open');
      expect(incident.timeline).toHaveLength(1);
    });

    it('shows a person an incident only through an entity they can see', async () => {
      const { server, incidentId } = await startBackend({
        catalogEntities: [],
      });
      const asUser = await request(server)
        .get(`/api/mlops/incidents/${incidentId}`)
        .set('Authorization', mockCredentials.user.header());
      expect(asUser.status).toBe(404);
      const asService = await request(server)
        .get(`/api/mlops/incidents/${incidentId}`)
        .set('Authorization', mockCredentials.service.header());
      expect(asService.status).toBe(200);
      expect(asService.body.id).toBe(incidentId);
    });

    it('rejects a bad body with 400 and leaves the incident open', async () => {
      const { server, incidentId, store } = await startBackend();
      const response = await request(server)
        .post(`/api/mlops/incidents/${incidentId}/resolve`)
        .set('Authorization', mockCredentials.user.header())
        .send({ note: 42, extra: true });
      expect(response.status).toBe(400);
      expect(response.body.error.message).toMatch(/Invalid resolution/);
      expect((await store.get(incidentId)).status).toBe('open');
    });
  });
});
