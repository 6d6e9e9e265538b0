import { mockCredentials } from '@backstage/backend-test-utils';
import path from 'path';
import request from 'supertest';
import { createTestDatabases } from '@backstage-mlops/plugin-mlops-backend/src/__testUtils__/databases';
import { startMlopsTestBackend } from '@backstage-mlops/plugin-mlops-backend/src/__testUtils__/mlopsBackend';
import { mlopsModuleDemo } from './module';

jest.setTimeout(60_000);

const fraudModel = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'fraud-detection',
    namespace: 'default',
    annotations: { 'backstage-mlops.dev/model': 'fraud-detection' },
  },
  spec: { type: 'ml-model', lifecycle: 'production', owner: 'risk-ml' },
};

const unregisteredModel = {
  ...fraudModel,
  metadata: {
    name: 'churn',
    namespace: 'default',
    annotations: { 'backstage-mlops.dev/model': 'churn' },
  },
};

const seedFile = path.resolve(__dirname, '../../../examples/demo-data.json');

describe('mlops backend plugin', () => {
  const databases = createTestDatabases();

  describe.each(databases.eachSupportedId())('on %p', databaseId => {
    async function startBackend() {
      const knex = await databases.init(databaseId);
      const { server } = await startMlopsTestBackend({
        knex,
        entities: [fraudModel, unregisteredModel],
        config: { mlops: { demo: { seedFile } } },
        features: [mlopsModuleDemo],
      });
      return { server, knex };
    }

    it('answers /health without credentials and reports the database', async () => {
      const { server } = await startBackend();
      const response = await request(server).get('/api/mlops/health');
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ status: 'ok', database: 'reachable' });
    });

    it('refuses the summary route without credentials', async () => {
      const { server } = await startBackend();
      const response = await request(server).get(
        '/api/mlops/entities/component/default/fraud-detection/summary',
      );
      expect(response.status).toBe(401);
    });

    it('summarizes an annotated entity, with its seeded model known', async () => {
      const { server } = await startBackend();
      const response = await request(server)
        .get('/api/mlops/entities/component/default/fraud-detection/summary')
        .set('Authorization', mockCredentials.user.header());
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        entityRef: 'component:default/fraud-detection',
        links: [{ kind: 'model', name: 'fraud-detection', known: true }],
      });
      // The demo seed ends with a detector pass, so health is judged, and
      // every reason it found carries its evidence.
      expect(response.body.status).not.toBe('unknown');
      expect(response.body.evaluatedAt).toBeDefined();
      for (const reason of response.body.reasons) {
        expect(reason.evidence.values).toBeDefined();
      }
    });

    it('marks a linked model that the store does not have', async () => {
      const { server } = await startBackend();
      const response = await request(server)
        .get('/api/mlops/entities/component/default/churn/summary')
        .set('Authorization', mockCredentials.user.header());
      expect(response.status).toBe(200);
      expect(response.body.links).toEqual([
        { kind: 'model', name: 'churn', known: false },
      ]);
    });

    it('answers 404 with a message for an entity the catalog does not have', async () => {
      const { server } = await startBackend();
      const response = await request(server)
        .get('/api/mlops/entities/component/default/ghost/summary')
        .set('Authorization', mockCredentials.user.header());
      expect(response.status).toBe(404);
      expect(response.body.error.message).toContain('component:default/ghost');
    });

    it('seeds the demo data once and keeps it across restarts', async () => {
      const { knex } = await startBackend();
      const models = await knex('mlops_registered_models').pluck('name');
      expect(models.sort()).toEqual([
        'fraud-detection',
        'market-master',
        'ticket-classifier',
      ]);
      await knex('mlops_registered_models')
        .where({ name: 'market-master' })
        .update({ owner: 'group:default/changed' });

      const { server } = await startMlopsTestBackend({
        knex,
        config: { mlops: { demo: { seedFile } } },
        features: [mlopsModuleDemo],
      });
      await request(server).get('/api/mlops/health').expect(200);
      const row = await knex('mlops_registered_models')
        .where({ name: 'market-master' })
        .first();
      expect(row.owner).toBe('group:default/changed');
    });
  });
});
