import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  FleetResponse,
  HealthStatus,
} from '@backstage-mlops/plugin-mlops-common';
import { Knex } from 'knex';
import request from 'supertest';
import { createTestDatabases } from '../__testUtils__/databases';
import { ResolvedEntity } from '../shared/EntityResolver';
import { migrateInitialSchema } from '../triage/__testUtils__/initialSchema';
import { FleetHealthSource, FleetSources } from './FleetService';
import { RegistryStore } from '../registry';
import { createFleetRouter } from './router';
import {
  AuthorizeResult,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import { mlopsObjectReadPermission } from '@backstage-mlops/plugin-mlops-common';
import {
  createMlopsObjectConditionalDecision,
  mlopsObjectConditions,
} from '@backstage-mlops/plugin-mlops-node';
import { permissionsDecidedBy } from '../__testUtils__/permissions';
import { MlopsObjectReadAccess } from '../permissions/MlopsObjectReadAccess';

jest.setTimeout(60_000);

function modelEntity(
  name: string,
  owner: string,
  extra: Partial<Entity['metadata']> = {},
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      namespace: 'default',
      annotations: { 'backstage-mlops.dev/model': name },
      ...extra,
    },
    spec: { type: 'ml-model', lifecycle: 'production', owner },
  };
}

// A service that serves fraud-detection: the fleet must still link the model
// to its own ml-model page.
const scoringService: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'scoring-api',
    namespace: 'default',
    annotations: { 'backstage-mlops.dev/model': 'fraud-detection' },
  },
  spec: { type: 'service', lifecycle: 'production', owner: 'platform' },
};

const catalogEntities = [
  scoringService,
  modelEntity('fraud-detection', 'risk-ml', { title: 'Fraud detection' }),
  modelEntity('market-master', 'group:default/risk-ml'),
  modelEntity('ticket-classifier', 'support-ml'),
];

const health: FleetHealthSource = {
  async statusesOf(resolved: ResolvedEntity[]) {
    return new Map<string, { status: HealthStatus; problems: string[] }>(
      resolved.map(r =>
        r.entityRef === 'component:default/fraud-detection'
          ? [
              r.entityRef,
              {
                status: 'unhealthy' as const,
                problems: ['p95 latency 812 ms is above 500 ms'],
              },
            ]
          : [r.entityRef, { status: 'healthy' as const, problems: [] }],
      ),
    );
  },
};

const sources: FleetSources = {
  registry: {
    async productionVersions(models: string[]) {
      return new Map(
        models.filter(m => m === 'fraud-detection').map(m => [m, 7]),
      );
    },
  },
  drift: {
    async latestVerdicts(models: string[]) {
      return new Map(
        models
          .filter(m => m === 'fraud-detection')
          .map(m => [
            m,
            {
              datasetDrift: true,
              driftShare: 0.6,
              driftedFeatures: ['amount', 'merchant'],
              createdAt: '2026-11-25T07:00:00Z',
            },
          ]),
      );
    },
  },
  incidents: {
    async openIncidentCounts(_kind: 'model', names: string[]) {
      return new Map(
        names
          .filter(n => n === 'fraud-detection' || n === 'churn')
          .map(n => [n, 2]),
      );
    },
  },
};

// The registry is down: its column is empty for every model, the rest shows.
const failingRegistry: FleetSources = {
  ...sources,
  registry: {
    async productionVersions() {
      throw new Error('registry timed out');
    },
  },
};

describe('GET /fleet', () => {
  const databases = createTestDatabases();

  describe.each(databases.eachSupportedId())('on %p', databaseId => {
    let knex: Knex;

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      await migrateInitialSchema(knex);
      const now = new Date();
      await knex('mlops_registered_models').insert(
        [
          ['fraud-detection', 'group:default/risk-ml'],
          ['market-master', 'group:default/risk-ml'],
          ['ticket-classifier', 'group:default/support-ml'],
          // Registered by a training job; no catalog entity claims it yet.
          ['churn', 'group:default/growth-ml'],
        ].map(([name, owner]) => ({
          name,
          owner,
          description: `${name} model`,
          created_at: now,
          updated_at: now,
        })),
      );
    });

    async function startBackend(
      fleetSources?: FleetSources,
      readDecision: PolicyDecision = { result: AuthorizeResult.ALLOW },
    ) {
      const plugin = createBackendPlugin({
        pluginId: 'mlops',
        register(env) {
          env.registerInit({
            deps: {
              logger: coreServices.logger,
              httpAuth: coreServices.httpAuth,
              httpRouter: coreServices.httpRouter,
              catalog: catalogServiceRef,
              permissions: coreServices.permissions,
            },
            async init({ logger, httpAuth, httpRouter, catalog, permissions }) {
              httpRouter.use(
                createFleetRouter({
                  logger,
                  httpAuth,
                  models: new RegistryStore(knex),
                  catalog,
                  health,
                  fleetSources,
                  readAccess: new MlopsObjectReadAccess(
                    knex,
                    permissions,
                    httpAuth,
                  ),
                }),
              );
            },
          });
        },
      });
      const { server } = await startTestBackend({
        features: [
          plugin,
          mockServices.httpAuth.factory({
            defaultCredentials: mockCredentials.none(),
          }),
          catalogServiceMock.factory({ entities: catalogEntities }),
          permissionsDecidedBy(permission =>
            permission.name === mlopsObjectReadPermission.name
              ? readDecision
              : { result: AuthorizeResult.ALLOW },
          ),
        ],
      });
      return server;
    }

    const get = (server: any, url: string) =>
      request(server)
        .get(url)
        .set('Authorization', mockCredentials.user.header());

    it('lists only the models a conditional read decision lets the user see', async () => {
      const server = await startBackend(
        sources,
        createMlopsObjectConditionalDecision(mlopsObjectReadPermission, {
          anyOf: [
            mlopsObjectConditions.isMlopsObjectOwner({
              claims: ['user:default/guest', 'group:default/Risk-ML'],
            }),
            {
              allOf: [
                mlopsObjectConditions.isMlopsObjectKind({ kinds: ['model'] }),
                {
                  not: mlopsObjectConditions.isMlopsObjectOwner({
                    claims: ['support-ml', 'group:default/risk-ml'],
                  }),
                },
                mlopsObjectConditions.isMlopsObjectOwner({
                  claims: ['growth-ml'],
                }),
              ],
            },
          ],
        }),
      );
      const body = (await get(server, '/api/mlops/fleet?sort=name'))
        .body as FleetResponse;
      expect(body.items.map(m => m.name)).toEqual([
        'churn',
        'fraud-detection',
        'market-master',
      ]);
    });

    it('lists no model when the read permission is denied', async () => {
      const server = await startBackend(sources, {
        result: AuthorizeResult.DENY,
      });
      const response = await get(server, '/api/mlops/fleet');
      expect(response.status).toBe(200);
      expect((response.body as FleetResponse).items).toEqual([]);
    });

    it('lists every registered model with owner, health, production version, drift and incidents', async () => {
      const server = await startBackend(sources);
      const response = await get(server, '/api/mlops/fleet');
      expect(response.status).toBe(200);
      const body = response.body as FleetResponse;
      // Worst health first by default, then by name.
      expect(body.items.map(m => m.name)).toEqual([
        'fraud-detection',
        'churn',
        'market-master',
        'ticket-classifier',
      ]);
      expect(body).toMatchObject({
        total: 4,
        offset: 0,
        limit: 25,
        sort: 'health',
        order: 'asc',
      });
      expect(body.available).toEqual({
        productionVersion: true,
        drift: true,
        openIncidents: true,
      });
      expect(body.owners).toEqual([
        'group:default/growth-ml',
        'group:default/risk-ml',
        'group:default/support-ml',
      ]);
      const fraud = body.items.find(m => m.name === 'fraud-detection')!;
      expect(fraud).toMatchObject({
        owner: 'group:default/risk-ml',
        entityRef: 'component:default/fraud-detection',
        title: 'Fraud detection',
        health: 'unhealthy',
        problems: ['p95 latency 812 ms is above 500 ms'],
        productionVersion: 7,
        drift: { datasetDrift: true, driftShare: 0.6 },
        openIncidents: 2,
      });
      const churn = body.items.find(m => m.name === 'churn')!;
      expect(churn).toMatchObject({
        owner: 'group:default/growth-ml',
        health: 'unknown',
        productionVersion: null,
        // Incidents belong to the model object, entity or not.
        openIncidents: 2,
      });
      expect(churn.entityRef).toBeUndefined();
    });

    it('still lists the fleet when the registry fails, with that column empty', async () => {
      const server = await startBackend(failingRegistry);
      const response = await get(server, '/api/mlops/fleet');
      expect(response.status).toBe(200);
      const items = (response.body as FleetResponse).items;
      expect(items).toHaveLength(4);
      expect(items.every(m => m.productionVersion === null)).toBe(true);
      const fraud = items.find(m => m.name === 'fraud-detection')!;
      expect(fraud.health).toBe('unhealthy');
      expect(fraud.openIncidents).toBe(2);
    });

    it('cuts the sorted fleet into pages on the server', async () => {
      const server = await startBackend(sources);
      const page = async (query: string) =>
        (await get(server, `/api/mlops/fleet?${query}`)).body as FleetResponse;
      const byName = await page('sort=name&order=desc&limit=2');
      expect(byName.items.map(m => m.name)).toEqual([
        'ticket-classifier',
        'market-master',
      ]);
      expect(byName.total).toBe(4);
      const next = await page('sort=name&order=desc&limit=2&offset=2');
      expect(next.items.map(m => m.name)).toEqual(['fraud-detection', 'churn']);
      expect(next).toMatchObject({ offset: 2, limit: 2, total: 4 });
      expect((await page('sort=name&offset=10')).items).toEqual([]);
    });

    it('sorts by a column in either direction, models without a value last', async () => {
      const server = await startBackend(sources);
      const names = async (query: string) =>
        (
          (await get(server, `/api/mlops/fleet?${query}`)).body as FleetResponse
        ).items.map(m => m.name);
      expect(await names('sort=openIncidents&order=desc')).toEqual([
        'churn',
        'fraud-detection',
        'market-master',
        'ticket-classifier',
      ]);
      // Only fraud-detection has a Production version; the rest follow by name.
      expect(await names('sort=productionVersion&order=asc')).toEqual([
        'fraud-detection',
        'churn',
        'market-master',
        'ticket-classifier',
      ]);
      expect(await names('sort=health&order=desc')).toEqual([
        'market-master',
        'ticket-classifier',
        'churn',
        'fraud-detection',
      ]);
      expect(await names('sort=owner&order=desc')).toEqual([
        'ticket-classifier',
        'fraud-detection',
        'market-master',
        'churn',
      ]);
    });

    it.each([
      ['sort=shoe-size', 'sort'],
      ['order=sideways', 'order'],
      ['limit=0', 'limit'],
      ['limit=501', 'limit'],
      ['offset=-1', 'offset'],
      ['offset=two', 'offset'],
    ])('rejects %p with a 400 that names %p', async (query, name) => {
      const server = await startBackend(sources);
      const response = await get(server, `/api/mlops/fleet?${query}`);
      expect(response.status).toBe(400);
      expect(response.body.error.message).toContain(name);
    });

    it('says which columns have no source installed', async () => {
      const server = await startBackend();
      const body = (await get(server, '/api/mlops/fleet'))
        .body as FleetResponse;
      expect(body.available).toEqual({
        productionVersion: false,
        drift: false,
        openIncidents: false,
      });
      expect(body.items.every(m => m.drift === null)).toBe(true);
    });

    it('filters by owner, written as a bare group name or a full reference', async () => {
      const server = await startBackend(sources);
      const bare = (
        await get(server, '/api/mlops/fleet?owner=risk-ml&sort=name')
      ).body as FleetResponse;
      expect(bare.items.map(m => m.name)).toEqual([
        'fraud-detection',
        'market-master',
      ]);
      expect(bare.total).toBe(2);
      // The owner list still offers every owner to switch to.
      expect(bare.owners).toHaveLength(3);
      const full = (
        await get(server, '/api/mlops/fleet?owner=group:default/support-ml')
      ).body as FleetResponse;
      expect(full.items.map(m => m.name)).toEqual(['ticket-classifier']);
    });

    it('filters by one or several health statuses', async () => {
      const server = await startBackend(sources);
      const unhealthy = (await get(server, '/api/mlops/fleet?status=unhealthy'))
        .body as FleetResponse;
      expect(unhealthy.items.map(m => m.name)).toEqual(['fraud-detection']);
      const several = (
        await get(server, '/api/mlops/fleet?status=unhealthy,unknown&sort=name')
      ).body as FleetResponse;
      expect(several.items.map(m => m.name)).toEqual([
        'churn',
        'fraud-detection',
      ]);
    });

    it('rejects an unknown status with a 400 that names it', async () => {
      const server = await startBackend(sources);
      const response = await get(server, '/api/mlops/fleet?status=on-fire');
      expect(response.status).toBe(400);
      expect(response.body.error.message).toContain('status');
    });

    it('refuses anonymous callers', async () => {
      const server = await startBackend(sources);
      const response = await request(server).get('/api/mlops/fleet');
      expect(response.status).toBe(401);
    });
  });
});
