import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { mlopsObjectConditions } from '@backstage-mlops/plugin-mlops-node';
import request from 'supertest';
import { createTestDatabases } from '../__testUtils__/databases';
import { startMlopsTestBackend } from '../__testUtils__/mlopsBackend';

jest.setTimeout(120_000);

/*
 * When a policy answers a single object's read with conditions, the
 * permission backend sends them back to this plugin to decide against the
 * stored object: the rules must agree with what the lists' queries do.
 */
describe('mlops-object conditions decided for one object', () => {
  const databases = createTestDatabases();

  it.each(databases.eachSupportedId())('on %p', async databaseId => {
    const knex = await databases.init(databaseId);
    const { server } = await startMlopsTestBackend({
      knex,
      features: [
        mockServices.scheduler.factory({ skipTaskRunOnStartup: true }),
      ],
    });
    const created = await request(server)
      .post('/api/mlops/models')
      .set('Authorization', mockCredentials.service.header())
      .send({ name: 'fraud-detection', owner: 'risk-ml' });
    expect(created.status).toBe(201);

    const ownedByRisk = mlopsObjectConditions.isMlopsObjectOwner({
      claims: ['group:default/risk-ml'],
    });
    const response = await request(server)
      .post('/api/mlops/.well-known/backstage/permissions/apply-conditions')
      .set('Authorization', mockCredentials.service.header())
      .send({
        items: [
          ['owned', 'model:fraud-detection', ownedByRisk],
          [
            'other-owner',
            'model:fraud-detection',
            mlopsObjectConditions.isMlopsObjectOwner({
              claims: ['group:default/support-ml'],
            }),
          ],
          [
            'kind',
            'model:fraud-detection',
            {
              not: mlopsObjectConditions.isMlopsObjectKind({
                kinds: ['model'],
              }),
            },
          ],
          ['unknown', 'model:no-such-model', ownedByRisk],
        ].map(([id, resourceRef, conditions]) => ({
          id,
          resourceRef,
          resourceType: 'mlops-object',
          conditions,
        })),
      });
    expect(response.status).toBe(200);
    expect(response.body.items).toEqual([
      { id: 'owned', result: 'ALLOW' },
      { id: 'other-owner', result: 'DENY' },
      { id: 'kind', result: 'DENY' },
      { id: 'unknown', result: 'DENY' },
    ]);
  });
});
