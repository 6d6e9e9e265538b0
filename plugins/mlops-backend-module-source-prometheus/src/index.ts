/**
 * MLOps backend module: Prometheus as a monitoring source. Serving latency,
 * error rate and throughput are queried on read, so the metrics card, health
 * and the latency and error-rate detectors work for a model whose server
 * never reports to the portal.
 *
 * @packageDocumentation
 */

export { mlopsModuleSourcePrometheus as default } from './module';
export {
  createPrometheusSource,
  DEFAULT_ERROR_MATCHER,
  DEFAULT_LATENCY_HISTOGRAM,
} from './PrometheusSource';
export {
  ANNOTATION_PROMETHEUS_ERROR_RATE,
  ANNOTATION_PROMETHEUS_INSTANCE,
  ANNOTATION_PROMETHEUS_LATENCY_P95,
  ANNOTATION_PROMETHEUS_SELECTOR,
  ANNOTATION_PROMETHEUS_THROUGHPUT,
} from './annotations';
