import { createBackendModule } from '@backstage/backend-plugin-api';
import { mlopsSourcesExtensionPoint } from '@backstage-mlops/plugin-mlops-node';
import { createMlflowSource } from './MlflowSource';

/**
 * Adds MLflow tracking servers as a source of the MLOps backend: every
 * `mlops.sources.mlflow` instance is mirrored into the portal's store on its
 * schedule and after its webhooks. Without that config block it does
 * nothing.
 *
 * @public
 */
export const mlopsModuleSourceMlflow = createBackendModule({
  pluginId: 'mlops',
  moduleId: 'source-mlflow',
  register(env) {
    env.registerInit({
      deps: { sources: mlopsSourcesExtensionPoint },
      async init({ sources }) {
        sources.addSource(createMlflowSource());
      },
    });
  },
});
