import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { mlopsSeedExtensionPoint } from '@backstage-mlops/plugin-mlops-node';
import type { MlopsSeedServices } from '@backstage-mlops/plugin-mlops-backend';
import { readDemoData, seedDemoData } from './seedDemoData';

/**
 * Seeds the demo organisation from `mlops.demo.seedFile` into an empty
 * store, through the MLOps plugin's services, when the plugin starts.
 * Without the key it does nothing.
 *
 * @public
 */
export const mlopsModuleDemo = createBackendModule({
  pluginId: 'mlops',
  moduleId: 'demo',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        seeds: mlopsSeedExtensionPoint,
      },
      async init({ config, seeds }) {
        const seedFile = config.getOptionalString('mlops.demo.seedFile');
        if (!seedFile) {
          return;
        }
        seeds.addSeeder({
          async seed(opaque) {
            // mlops-node cannot name the plugin's types; the plugin hands
            // seeders exactly this shape.
            const services = opaque as unknown as MlopsSeedServices;
            await seedDemoData({
              data: await readDemoData(seedFile),
              objects: services.objects,
              logger: services.logger,
              deployments: { db: services.db },
              pipelines: { db: services.db },
              monitoring: services.monitoring,
              tracking: services.tracking,
              drift: {
                drift: services.drift,
                store: services.driftStore,
                registry: services.registry,
              },
              incidents: services.incidents,
              registry: services.registry,
            });
          },
        });
      },
    });
  },
});
