import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import request from 'supertest';
import { mlopsPlugin } from '../plugin';

jest.setTimeout(120_000);

describe('drift routes in the mlops plugin', () => {
  it('accept a dataset larger than the plugin-wide 1 MB body limit and schedule the global check', async () => {
    const scheduler = mockServices.scheduler.mock();
    const { server } = await startTestBackend({
      features: [
        mlopsPlugin,
        scheduler.factory,
        catalogServiceMock.factory({ entities: [] }),
      ],
    });
    // Two columns of 60,000 numbers: about 2 MB of JSON.
    const values = Array.from({ length: 60_000 }, (_, i) => i / 7);
    const response = await request(server)
      .post('/api/mlops/drift/compare')
      .set('Authorization', mockCredentials.user.header())
      .send({ reference: { x: values }, current: { x: values } });
    expect(response.status).toBe(200);
    expect(response.body.report).toMatchObject({
      featureCount: 1,
      driftShare: 0,
      datasetDrift: false,
    });

    expect(scheduler.scheduleTask).toHaveBeenCalledWith(
      expect.objectContaining({ id: 'mlops-drift-checks', scope: 'global' }),
    );
  });
});
