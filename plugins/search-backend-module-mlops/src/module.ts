import {
  coreServices,
  createBackendModule,
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { searchIndexRegistryExtensionPoint } from '@backstage/plugin-search-backend-node/alpha';
import { MlopsApiReader } from './collators/MlopsApiReader';
import { MlopsCollatorFactory } from './collators/MlopsCollatorFactory';

const CONFIG_KEY = 'search.collators.mlops';

/**
 * Search backend module that indexes MLOps models, pipelines and
 * experiments with their health and Production version, and every triage
 * guide entry, under the search type `mlops`.
 *
 * @public
 */
export const searchModuleMlopsCollator = createBackendModule({
  pluginId: 'search',
  moduleId: 'mlops-collator',
  register(env) {
    env.registerInit({
      deps: {
        auth: coreServices.auth,
        config: coreServices.rootConfig,
        discovery: coreServices.discovery,
        logger: coreServices.logger,
        scheduler: coreServices.scheduler,
        catalog: catalogServiceRef,
        indexRegistry: searchIndexRegistryExtensionPoint,
      },
      async init({
        auth,
        config,
        discovery,
        logger,
        scheduler,
        catalog,
        indexRegistry,
      }) {
        const own = config.getOptionalConfig(CONFIG_KEY);
        const schedule = own?.has('schedule')
          ? readSchedulerServiceTaskScheduleDefinitionFromConfig(
              own.getConfig('schedule'),
            )
          : {
              frequency: { minutes: 10 },
              timeout: { minutes: 15 },
              // After the MLOps backend has started and seeded.
              initialDelay: { seconds: 30 },
            };
        indexRegistry.addCollator({
          schedule: scheduler.createScheduledTaskRunner(schedule),
          factory: new MlopsCollatorFactory({
            auth,
            catalog,
            logger,
            source: new MlopsApiReader({ discovery, auth }),
            mlopsPagePath: own?.getOptionalString('mlopsPagePath'),
          }),
        });
      },
    });
  },
});
