import { createBackendModule } from '@backstage/backend-plugin-api';
import { mlopsSourcesExtensionPoint } from '@backstage-mlops/plugin-mlops-node';
import { createPrefectSource } from './PrefectSource';

/**
 * Adds Prefect as a pipelines source of the MLOps backend: the flow runs of
 * the deployments and flows entities name in `prefect.io/deployment` or
 * `prefect.io/flow-name`, read from every `mlops.sources.prefect` instance.
 * Without that config block it does nothing.
 *
 * @public
 */
export const mlopsModuleSourcePrefect = createBackendModule({
  pluginId: 'mlops',
  moduleId: 'source-prefect',
  register(env) {
    env.registerInit({
      deps: { sources: mlopsSourcesExtensionPoint },
      async init({ sources }) {
        sources.addSource(createPrefectSource());
      },
    });
  },
});
