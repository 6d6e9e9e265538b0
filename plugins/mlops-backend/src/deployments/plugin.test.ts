import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  TestDatabases,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { mlopsDeploymentTargetsExtensionPoint } from '@backstage-mlops/plugin-mlops-node';
import request from 'supertest';
import { mlopsPlugin } from '../plugin';

jest.setTimeout(120_000);

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

describe('mlops plugin wiring of deployments', () => {
  // SQLite only: this checks the wiring; the stores have their own tests on both.
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

  it('takes deployment targets from backend modules through the extension point', async () => {
    const knex = await databases.init('SQLITE_3');
    const { server } = await startTestBackend({
      features: [
        mlopsPlugin,
        createBackendModule({
          pluginId: 'mlops',
          moduleId: 'test-target',
          register(env) {
            env.registerInit({
              deps: { targets: mlopsDeploymentTargetsExtensionPoint },
              async init({ targets }) {
                targets.addDeploymentTarget({
                  type: 'argo',
                  async deploy(deployment) {
                    return {
                      status: 'in_progress',
                      message: `Argo sync of ${deployment.model} v${deployment.version} started`,
                    };
                  },
                });
              },
            });
          },
        }),
        mockServices.database.factory({ knex }),
        catalogServiceMock.factory({ entities: [modelEntity] }),
      ],
    });
    // Through the registry's own routes: the plugin checks versions with it.
    const service = mockCredentials.service.header();
    await request(server)
      .post('/api/mlops/models')
      .set('Authorization', service)
      .send({ name: 'fraud-detection' })
      .expect(201);
    await request(server)
      .post('/api/mlops/models/fraud-detection/versions')
      .set('Authorization', service)
      .send({ artifactUri: 's3://models/fraud-detection/1' })
      .expect(201);
    const unknownVersion = await request(server)
      .post('/api/mlops/models/fraud-detection/deployments')
      .set('Authorization', mockCredentials.user.header())
      .send({ version: 2, environment: 'staging', target: 'argo' });
    expect(unknownVersion.status).toBe(404);
    expect(unknownVersion.body.error.message).toBe(
      'fraud-detection has no version 2',
    );

    const response = await request(server)
      .post('/api/mlops/models/fraud-detection/deployments')
      .set('Authorization', mockCredentials.user.header())
      .send({ version: 1, environment: 'staging', target: 'argo' });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      target: 'argo',
      status: 'in_progress',
      message: 'Argo sync of fraud-detection v1 started',
    });

    const runs = await request(server)
      .get('/api/mlops/pipelines/fraud-detection-training/runs')
      .set('Authorization', mockCredentials.user.header());
    expect(runs.status).toBe(200);
    expect(runs.body).toEqual({ items: [] });
  });
});
