import { mockCredentials } from '@backstage/backend-test-utils';
import { FleetResponse } from '@backstage-mlops/plugin-mlops-common';
import path from 'path';
import request from 'supertest';
import { createTestDatabases } from '@backstage-mlops/plugin-mlops-backend/src/__testUtils__/databases';
import { startMlopsTestBackend } from '@backstage-mlops/plugin-mlops-backend/src/__testUtils__/mlopsBackend';
import { mlopsModuleDemo } from './module';

jest.setTimeout(120_000);

const seedFile = path.resolve(__dirname, '../../../examples/demo-data.json');

const fraudModel = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'fraud-detection',
    namespace: 'default',
    annotations: {
      'backstage-mlops.dev/model': 'fraud-detection',
      'backstage.io/kubernetes-namespace': 'payments-ml',
    },
  },
  spec: { type: 'ml-model', lifecycle: 'production', owner: 'risk-ml' },
};

// The fleet and triage routes through the real plugin wiring: the demo data,
// the real health service and every installed source.
describe('fleet and triage in the mlops plugin', () => {
  const databases = createTestDatabases();

  it.each(databases.eachSupportedId())(
    'lists the demo fleet with every column backed by a source on %p',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { server } = await startMlopsTestBackend({
        knex,
        entities: [fraudModel],
        config: { mlops: { demo: { seedFile } } },
        features: [mlopsModuleDemo],
      });
      const auth = mockCredentials.user.header();

      const fleet = await request(server)
        .get('/api/mlops/fleet')
        .set('Authorization', auth);
      expect(fleet.status).toBe(200);
      const body = fleet.body as FleetResponse;
      expect(body.available).toEqual({
        productionVersion: true,
        drift: true,
        openIncidents: true,
      });
      expect(body.items.map(m => m.name)).toEqual(
        expect.arrayContaining([
          'fraud-detection',
          'market-master',
          'ticket-classifier',
        ]),
      );
      const fraud = body.items.find(m => m.name === 'fraud-detection')!;
      expect(fraud.entityRef).toBe('component:default/fraud-detection');
      expect(fraud.owner).toBe('group:default/risk-ml');

      const triage = await request(server)
        .get('/api/mlops/entities/component/default/fraud-detection/triage')
        .set('Authorization', auth);
      expect(triage.status).toBe(200);
      expect(triage.body.context.namespace).toBe('payments-ml');
      expect(triage.body.entityRef).toBe('component:default/fraud-detection');
    },
  );
});
