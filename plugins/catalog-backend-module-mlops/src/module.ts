import {
  coreServices,
  createBackendModule,
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import {
  catalogProcessingExtensionPoint,
  catalogServiceRef,
} from '@backstage/plugin-catalog-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import {
  MLOPS_OBJECTS_EVENT_TOPIC,
  objectChangesOf,
} from '@backstage-mlops/plugin-mlops-common';
import { MlopsAnnotationProcessor } from './processor/MlopsAnnotationProcessor';
import { ChangeQueue } from './provider/ChangeQueue';
import { DeclaredEntityIndex } from './provider/DeclaredEntityIndex';
import { MlopsEntityProvider } from './provider/MlopsEntityProvider';
import { MlopsObjectsClient } from './provider/MlopsObjectsClient';

// Events make changes show up within seconds; the full refresh only repairs
// what an event missed, so it can be infrequent.
const DEFAULT_SCHEDULE: SchedulerServiceTaskScheduleDefinition = {
  frequency: { minutes: 30 },
  timeout: { minutes: 5 },
  initialDelay: { seconds: 15 },
};

/**
 * Catalog module for MLOps: mirrors the MLOps store's models, experiments and
 * pipelines into the catalog, and validates `backstage-mlops.dev/*`
 * annotations on every entity.
 *
 * @public
 */
export const catalogModuleMlops = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'mlops',
  register(reg) {
    reg.registerInit({
      deps: {
        catalogProcessing: catalogProcessingExtensionPoint,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        scheduler: coreServices.scheduler,
        discovery: coreServices.discovery,
        auth: coreServices.auth,
        events: eventsServiceRef,
        catalog: catalogServiceRef,
      },
      async init({
        catalogProcessing,
        config,
        logger,
        scheduler,
        discovery,
        auth,
        events,
        catalog,
      }) {
        const providerConfig = config.getOptionalConfig(
          'catalog.providers.mlops',
        );
        const schedule = providerConfig?.has('schedule')
          ? readSchedulerServiceTaskScheduleDefinitionFromConfig(
              providerConfig.getConfig('schedule'),
            )
          : DEFAULT_SCHEDULE;
        const index = new DeclaredEntityIndex({ catalog, auth });
        const provider = new MlopsEntityProvider({
          objects: new MlopsObjectsClient({ discovery, auth }),
          declared: index,
          logger,
          taskRunner: scheduler.createScheduledTaskRunner(schedule),
          defaultOwner: providerConfig?.getOptionalString('defaultOwner'),
        });
        catalogProcessing.addEntityProvider(provider);
        catalogProcessing.addProcessor(
          new MlopsAnnotationProcessor({ index, listener: provider, logger }),
        );
        const changes = new ChangeQueue(
          batch => provider.handleChanges(batch),
          logger,
        );
        await events.subscribe({
          id: 'mlops-entity-provider',
          topics: [MLOPS_OBJECTS_EVENT_TOPIC],
          // Returns at once: the write that published this must not wait
          // for the catalog (see ChangeQueue).
          onEvent: async ({ eventPayload }) => {
            objectChangesOf(eventPayload).forEach(change =>
              changes.enqueue(change),
            );
          },
        });
      },
    });
  },
});
