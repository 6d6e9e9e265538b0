import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { openMlopsDatabase } from './database/migrations';
import { readDemoData, seedDemoData } from './demo/seedDemoData';
import { EntityResolver } from './entities/EntityResolver';
import { HealthService } from './health/HealthService';
import { MlopsObjectStore } from './objects/MlopsObjectStore';
import { createRouter } from './service/router';

/**
 * The MLOps backend plugin, served under `/api/mlops`.
 *
 * @public
 */
export const mlopsPlugin = createBackendPlugin({
  pluginId: 'mlops',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        database: coreServices.database,
        catalog: catalogServiceRef,
      },
      async init({ config, logger, httpRouter, httpAuth, database, catalog }) {
        const db = await openMlopsDatabase(database);
        const objects = new MlopsObjectStore(db);

        const seedFile = config.getOptionalString('mlops.demo.seedFile');
        if (seedFile) {
          await seedDemoData({
            data: await readDemoData(seedFile),
            objects,
            logger,
          });
        }

        httpRouter.use(
          await createRouter({
            logger,
            httpAuth,
            db,
            entities: new EntityResolver(catalog),
            health: new HealthService(objects),
          }),
        );
        httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
      },
    });
  },
});
