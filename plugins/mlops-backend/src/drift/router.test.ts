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
import { Knex } from 'knex';
import request from 'supertest';
import { createTestDatabases } from '../__testUtils__/databases';
import { EntityResolver } from '../shared/EntityResolver';
import { DriftService } from './DriftService';
import { DriftStore } from './DriftStore';
import { SeededRandom } from '@backstage-mlops/plugin-mlops-common';
import { createDriftRouter } from './router';
import { insertModels, migrateDriftTables } from './__testUtils__/migrateDrift';
import { MlopsObjectReadAccess } from '../permissions/MlopsObjectReadAccess';

// Generous: each test gets its own database, and teardown of dozens of them
// is slow on a busy machine.
jest.setTimeout(180_000);

const fraudEntity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'fraud-detection',
    namespace: 'default',
    annotations: { 'backstage-mlops.dev/model': 'fraud-detection' },
  },
  spec: { type: 'ml-model', lifecycle: 'production', owner: 'risk-ml' },
};

function rows(seed: number, n: number, amountMean: number) {
  const random = new SeededRandom(seed);
  return Array.from({ length: n }, () => ({
    amount: random.normal(amountMean, 10),
    channel: random.pick(['web', 'pos', 'app']),
  }));
}

const LIMITS = { maxRows: 3000, maxFeatures: 3, maxBodyBytes: 200_000 };
const user = mockCredentials.user.header();

describe('drift routes', () => {
  const databases = createTestDatabases();

  describe.each(databases.eachSupportedId())('on %p', databaseId => {
    let knex: Knex;

    async function startBackend(
      versionExists: (model: string, version: number) => boolean = () => true,
    ) {
      knex = await databases.init(databaseId);
      await migrateDriftTables(knex);
      await insertModels(knex, ['fraud-detection']);
      // The drift router on its own, mounted as the plugin mounts it.
      const driftOnly = createBackendPlugin({
        pluginId: 'mlops',
        register(env) {
          env.registerInit({
            deps: {
              httpRouter: coreServices.httpRouter,
              httpAuth: coreServices.httpAuth,
              logger: coreServices.logger,
              catalog: catalogServiceRef,
              permissions: coreServices.permissions,
            },
            async init({ httpRouter, httpAuth, logger, catalog, permissions }) {
              const drift = new DriftService({
                store: new DriftStore(knex),
                logger,
                limits: LIMITS,
                versions: {
                  versionExists: async (m, v) => versionExists(m, v),
                },
              });
              httpRouter.use(
                await createDriftRouter({
                  httpAuth,
                  entities: new EntityResolver(catalog),
                  drift,
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
          driftOnly,
          mockServices.httpAuth.factory({
            defaultCredentials: mockCredentials.none(),
          }),
          catalogServiceMock.factory({ entities: [fraudEntity] }),
        ],
      });
      return server;
    }

    async function tableCounts() {
      const count = async (table: string) =>
        Number((await knex(table).count({ n: '*' }))[0].n);
      return {
        baselines: await count('mlops_drift_baselines'),
        reports: await count('mlops_drift_reports'),
      };
    }

    describe('POST /drift/compare', () => {
      it('compares rows with columns and reports drift and quality', async () => {
        const server = await startBackend();
        const current = rows(4, 300, 120);
        const response = await request(server)
          .post('/api/mlops/drift/compare')
          .set('Authorization', user)
          .send({
            reference: rows(1, 400, 100),
            current: {
              amount: current.map(r => r.amount),
              channel: current.map(r => r.channel),
            },
            requiredColumns: ['amount', 'merchant'],
          });
        expect(response.status).toBe(200);
        const { report, quality } = response.body;
        expect(report.features).toEqual([
          expect.objectContaining({
            feature: 'amount',
            test: 'ks',
            drifted: true,
          }),
          expect.objectContaining({
            feature: 'channel',
            test: 'chisquare',
            drifted: false,
          }),
        ]);
        expect(report.features[0].pValue).toBeLessThan(1e-10);
        expect(report).toMatchObject({ driftShare: 0.5, datasetDrift: true });
        expect(quality.current).toMatchObject({
          rowCount: 300,
          missingRatio: 0,
          duplicateRatio: 0,
          score: 1,
          missingRequiredColumns: ['merchant'],
          passed: false,
        });
        expect(await tableCounts()).toEqual({ baselines: 0, reports: 0 });
      });

      it('refuses anonymous callers', async () => {
        const server = await startBackend();
        const response = await request(server)
          .post('/api/mlops/drift/compare')
          .send({ reference: [{ a: 1 }], current: [{ a: 2 }] });
        expect(response.status).toBe(401);
      });

      it.each([
        [
          'mixed value types',
          { reference: { a: [1, 2, 'x'] }, current: { a: [1, 2, 3] } },
          /reference column "a" mixes value types: element 0 is a number but element 2 is the string "x"/,
        ],
        [
          'different features',
          { reference: [{ a: 1 }, { a: 2 }], current: [{ b: 1 }, { b: 2 }] },
          /different features \(only in reference: a; only in current: b\)/,
        ],
        [
          'a row that is not an object',
          { reference: [{ a: 1 }, 7], current: [{ a: 1 }] },
          /reference row 1 must be an object of feature values, got a number/,
        ],
        [
          'an all-missing column',
          { reference: { a: [1, 2] }, current: { a: [null, null] } },
          /current column "a" has no non-missing values/,
        ],
        [
          'a missing dataset',
          { reference: [{ a: 1 }] },
          /current dataset must be an array of row objects or an object of columns, got nothing/,
        ],
        [
          'an unknown test',
          {
            reference: [{ a: 1 }],
            current: [{ a: 2 }],
            options: { features: { a: { test: 'magic' } } },
          },
          /options\.features\.a\.test/,
        ],
        [
          'too many rows',
          { reference: { a: new Array(3001).fill(1) }, current: { a: [1] } },
          /reference column "a" has 3001 rows; the limit is 3000/,
        ],
        [
          'too many features',
          {
            reference: [{ a: 1, b: 1, c: 1, d: 1 }],
            current: [{ a: 1, b: 1, c: 1, d: 1 }],
          },
          /reference dataset has more than 3 features; the limit is 3/,
        ],
      ])('answers 400 for %s', async (_what, body, message) => {
        const server = await startBackend();
        const response = await request(server)
          .post('/api/mlops/drift/compare')
          .set('Authorization', user)
          .send(body);
        expect(response.status).toBe(400);
        expect(response.body.error.message).toMatch(message);
      });

      it('answers 400 for a body over the byte limit and for broken JSON', async () => {
        const server = await startBackend();
        // 3 columns × 2900 values × 17 characters, twice: about 300 kB.
        const column = new Array(2900).fill(123456789.123456);
        const wide = { a: column, b: column, c: column };
        const big = await request(server)
          .post('/api/mlops/drift/compare')
          .set('Authorization', user)
          .send({ reference: wide, current: wide });
        expect(big.status).toBe(400);
        expect(big.body.error.message).toMatch(
          /drift data is limited to 200000 bytes per request/,
        );
        const broken = await request(server)
          .post('/api/mlops/drift/compare')
          .set('Authorization', user)
          .set('Content-Type', 'application/json')
          .send('{"reference": [');
        expect(broken.status).toBe(400);
        expect(broken.body.error.message).toBe(
          'Request body is not valid JSON',
        );
      });
    });

    describe('baselines and current windows', () => {
      const baselinePath =
        '/api/mlops/models/fraud-detection/versions/1/baseline';

      it('stores a baseline, shows its summary, and checks a window against it', async () => {
        const server = await startBackend();
        const created = await request(server)
          .post(baselinePath)
          .set('Authorization', user)
          .send({ rows: rows(1, 1500, 100) });
        expect(created.status).toBe(201);
        expect(created.body).toMatchObject({
          model: 'fraud-detection',
          version: 1,
          rowCount: 1500,
          featureCount: 2,
          replaced: false,
          createdBy: 'user:default/mock',
        });

        const summary = await request(server)
          .get(baselinePath)
          .set('Authorization', user);
        expect(summary.status).toBe(200);
        const amount = summary.body.features.find(
          (f: any) => f.name === 'amount',
        );
        expect(amount.type).toBe('numeric');
        expect(amount.mean).toBeGreaterThan(99);
        expect(amount.mean).toBeLessThan(101);

        const check = await request(server)
          .post('/api/mlops/models/fraud-detection/drift/current')
          .set('Authorization', user)
          .send({ rows: rows(3, 500, 118) });
        expect(check.status).toBe(201);
        expect(check.body).toMatchObject({
          model: 'fraud-detection',
          version: 1,
          source: 'upload',
          driftedFeatures: ['amount'],
          datasetDrift: true,
        });

        const entity = await request(server)
          .get('/api/mlops/entities/component/default/fraud-detection/drift')
          .set('Authorization', user);
        expect(entity.status).toBe(200);
        expect(entity.body).toMatchObject({
          entityRef: 'component:default/fraud-detection',
          models: [
            {
              model: 'fraud-detection',
              baselineVersions: [1],
              latest: { id: check.body.id, driftShare: 0.5 },
              history: [{ id: check.body.id, driftShare: 0.5 }],
            },
          ],
        });
      });

      it('replaces a baseline only when asked', async () => {
        const server = await startBackend();
        await request(server)
          .post(baselinePath)
          .set('Authorization', user)
          .send({ columns: { amount: [1, 2, 3] } })
          .expect(201);
        const again = await request(server)
          .post(baselinePath)
          .set('Authorization', user)
          .send({ columns: { amount: [5, 6] } });
        expect(again.status).toBe(409);
        expect(again.body.error.message).toMatch(/send replace=true/);
        expect(
          (await request(server).get(baselinePath).set('Authorization', user))
            .body.rowCount,
        ).toBe(3);

        const replaced = await request(server)
          .post(`${baselinePath}?replace=true`)
          .set('Authorization', user)
          .send({ columns: { amount: [5, 6] } });
        expect(replaced.status).toBe(200);
        expect(replaced.body).toMatchObject({ rowCount: 2, replaced: true });
      });

      it.each([
        [
          'an unknown model',
          '/api/mlops/models/ghost/versions/1/baseline',
          { rows: [{ a: 1 }] },
          404,
          /No registered model named ghost/,
        ],
        [
          'a version the registry does not have',
          '/api/mlops/models/fraud-detection/versions/9/baseline',
          { rows: [{ a: 1 }] },
          404,
          /Model fraud-detection has no version 9/,
        ],
        [
          'a version that is not a number',
          '/api/mlops/models/fraud-detection/versions/latest/baseline',
          { rows: [{ a: 1 }] },
          400,
          /Invalid model version: version/,
        ],
        [
          'both rows and columns',
          baselinePath,
          { rows: [{ a: 1 }], columns: { a: [1] } },
          400,
          /either "rows" or "columns"/,
        ],
        [
          'an object in a cell',
          baselinePath,
          { rows: [{ a: 1 }, { a: { nested: true } }] },
          400,
          /baseline column "a": element 1 is an object/,
        ],
        [
          'a column without values',
          baselinePath,
          { rows: [{ a: 1, b: null }] },
          400,
          /baseline column "b" has no non-missing values/,
        ],
      ])(
        'rejects a baseline for %s and stores nothing',
        async (_what, path, body, status, message) => {
          const server = await startBackend((_m, v) => v !== 9);
          const response = await request(server)
            .post(path)
            .set('Authorization', user)
            .send(body);
          expect(response.status).toBe(status);
          expect(response.body.error.message).toMatch(message);
          expect(await tableCounts()).toEqual({ baselines: 0, reports: 0 });
        },
      );

      it('rejects a bad current window and stores no report', async () => {
        const server = await startBackend();
        await request(server)
          .post(baselinePath)
          .set('Authorization', user)
          .send({ rows: rows(1, 200, 100) })
          .expect(201);
        const wrongType = await request(server)
          .post('/api/mlops/models/fraud-detection/drift/current')
          .set('Authorization', user)
          .send({ rows: [{ amount: 'high', channel: 'web' }] });
        expect(wrongType.status).toBe(400);
        expect(wrongType.body.error.message).toMatch(
          /column "amount" holds number values in reference but string values in current/,
        );
        const noBaseline = await request(server)
          .post('/api/mlops/models/fraud-detection/drift/current')
          .set('Authorization', user)
          .send({ rows: rows(2, 50, 100), version: 4 });
        expect(noBaseline.status).toBe(404);
        expect(noBaseline.body.error.message).toMatch(
          /version 4 has no baseline/,
        );
        expect(await tableCounts()).toEqual({ baselines: 1, reports: 0 });
      });

      it('shows an entity without reports as an empty history', async () => {
        const server = await startBackend();
        const response = await request(server)
          .get('/api/mlops/entities/component/default/fraud-detection/drift')
          .set('Authorization', user);
        expect(response.status).toBe(200);
        expect(response.body.models).toEqual([
          {
            model: 'fraud-detection',
            baselineVersions: [],
            latest: null,
            history: [],
          },
        ]);
        await request(server)
          .get('/api/mlops/entities/component/default/ghost/drift')
          .set('Authorization', user)
          .expect(404);
      });
    });
  });
});
