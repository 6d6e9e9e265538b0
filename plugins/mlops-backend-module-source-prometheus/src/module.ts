import { createBackendModule } from '@backstage/backend-plugin-api';
import { mlopsSourcesExtensionPoint } from '@backstage-mlops/plugin-mlops-node';
import { createPrometheusSource } from './PrometheusSource';

/**
 * Adds Prometheus as a monitoring source of the MLOps backend: serving
 * latency, error rate and throughput of entities with a
 * `backstage-mlops.dev/prometheus-selector` (or explicit query) annotation,
 * queried on read from every `mlops.sources.prometheus` instance. Without
 * that config block it does nothing.
 *
 * @public
 */
export const mlopsModuleSourcePrometheus = createBackendModule({
  pluginId: 'mlops',
  moduleId: 'source-prometheus',
  register(env) {
    env.registerInit({
      deps: { sources: mlopsSourcesExtensionPoint },
      async init({ sources }) {
        sources.addSource(createPrometheusSource());
      },
    });
  },
});
