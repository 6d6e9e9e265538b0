import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
// The real MLOps backend plugin with this module, as a portal installs them.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import mlopsPlugin from '@backstage-mlops/plugin-mlops-backend';
import request from 'supertest';
import { mlopsModuleSourcePrefect } from './module';

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

describe('the prefect source module without config', () => {
  it('starts, offers no instance and logs nothing about itself', async () => {
    const logger = mockServices.logger.mock();
    logger.child.mockReturnValue(logger);
    const backend = await startTestBackend({
      features: [
        mlopsPlugin,
        mlopsModuleSourcePrefect,
        logger.factory,
        mockServices.database.factory({
          knex: await databases.init('SQLITE_3'),
        }),
        mockServices.rootConfig.factory({ data: {} }),
        catalogServiceMock.factory({ entities: [] }),
        mockServices.scheduler.factory(),
      ],
    });
    try {
      const res = await request(backend.server)
        .get('/api/mlops/sources')
        .set('Authorization', mockCredentials.user.header());
      expect(res.status).toBe(200);
      expect(res.body.items).toEqual([]);
      const lines = [
        ...logger.info.mock.calls,
        ...logger.warn.mock.calls,
        ...logger.error.mock.calls,
      ].map(call => String(call[0]));
      expect(lines.filter(line => /prefect/i.test(line))).toEqual([]);
      expect(logger.warn).not.toHaveBeenCalled();
      expect(logger.error).not.toHaveBeenCalled();
    } finally {
      await backend.stop();
    }
  });
});
