import { createBackendModule } from '@backstage/backend-plugin-api';
import { mlopsSourcesExtensionPoint } from '@backstage-mlops/plugin-mlops-node';
import { createAirflowSource } from './AirflowSource';

/**
 * Adds Airflow as a pipelines source of the MLOps backend: the runs of the
 * DAGs that entities name in `airflow.apache.org/dag-id`, read from every
 * `mlops.sources.airflow` instance. Without that config block it adds a
 * source with no instances, which does nothing.
 *
 * @public
 */
export const mlopsModuleSourceAirflow = createBackendModule({
  pluginId: 'mlops',
  moduleId: 'source-airflow',
  register(env) {
    env.registerInit({
      deps: { sources: mlopsSourcesExtensionPoint },
      async init({ sources }) {
        sources.addSource(createAirflowSource());
      },
    });
  },
});
