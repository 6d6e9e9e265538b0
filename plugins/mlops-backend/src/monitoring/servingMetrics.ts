import type { AuthService } from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { stringifyEntityRef } from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  mlopsObjectLinksOf,
  MlopsPredictionStats,
} from '@backstage-mlops/plugin-mlops-common';
import type {
  MlopsMonitoringSubject,
  MlopsSourceWindowMetrics,
} from '@backstage-mlops/plugin-mlops-node';

/**
 * Serving figures asked of the monitoring sources (Prometheus) at read time
 * (the sources capability implements it). A source that fails answers
 * undefined here and reports itself in the sources' status.
 */
export interface ServingMetricsSource {
  windowMetrics(
    subject: MlopsMonitoringSubject,
    from: Date,
    to: Date,
    options?: { stepSeconds?: number },
  ): Promise<
    | (MlopsSourceWindowMetrics & { source: { type: string; name: string } })
    | undefined
  >;
}

/** Annotations that make an entity a subject of a monitoring source. */
export const SERVING_METRICS_ANNOTATIONS = [
  'backstage-mlops.dev/prometheus-selector',
  'backstage-mlops.dev/prometheus-latency-p95',
  'backstage-mlops.dev/prometheus-error-rate',
  'backstage-mlops.dev/prometheus-throughput',
];

/** Whether an entity's annotations name anything a monitoring source reads. */
export function isServingSubject(annotations: Record<string, string>) {
  return SERVING_METRICS_ANNOTATIONS.some(key => annotations[key]);
}

const SUBJECTS_TTL_MS = 60_000;

/**
 * The catalog entities that serve each model and carry a monitoring
 * source's annotations: the detectors judge models by name, the sources are
 * asked about entities. Read with the plugin's own credentials, refreshed
 * once a minute.
 */
export class ServingSubjects {
  private cached?: {
    at: number;
    byModel: Map<string, MlopsMonitoringSubject[]>;
  };

  constructor(
    private readonly catalog: CatalogService,
    private readonly auth: AuthService,
    private readonly now: () => number = Date.now,
  ) {}

  async of(model: string): Promise<MlopsMonitoringSubject[]> {
    if (!this.cached || this.now() - this.cached.at > SUBJECTS_TTL_MS) {
      this.cached = { at: this.now(), byModel: await this.read() };
    }
    return this.cached.byModel.get(model) ?? [];
  }

  private async read() {
    const credentials = await this.auth.getOwnServiceCredentials();
    const { items } = await this.catalog.getEntities(
      {
        filter: SERVING_METRICS_ANNOTATIONS.map(key => ({
          [`metadata.annotations.${key}`]: CATALOG_FILTER_EXISTS,
        })),
        fields: [
          'kind',
          'metadata.namespace',
          'metadata.name',
          'metadata.annotations',
        ],
      },
      { credentials },
    );
    const byModel = new Map<string, MlopsMonitoringSubject[]>();
    for (const entity of items) {
      const annotations = entity.metadata.annotations ?? {};
      for (const link of mlopsObjectLinksOf(entity)) {
        if (link.kind !== 'model') continue;
        const subjects = byModel.get(link.name) ?? [];
        subjects.push({
          entityRef: stringifyEntityRef(entity),
          annotations,
          model: link.name,
        });
        byModel.set(link.name, subjects);
      }
    }
    return byModel;
  }
}

/**
 * Pulled figures in the shape of pushed ones, for a window of `minutes`.
 * What a serving metric cannot tell (accuracy, confidence) stays null.
 */
export function statsFromServingMetrics(
  metrics: Pick<
    MlopsSourceWindowMetrics,
    'latencyMs' | 'errorRate' | 'throughputPerSecond' | 'requestCount'
  >,
  minutes: number,
): MlopsPredictionStats {
  const count =
    metrics.requestCount ??
    (metrics.throughputPerSecond !== undefined
      ? Math.round(metrics.throughputPerSecond * minutes * 60)
      : 0);
  return {
    count,
    errors:
      metrics.errorRate !== undefined
        ? Math.round(count * metrics.errorRate)
        : 0,
    throughputPerMinute:
      metrics.throughputPerSecond !== undefined
        ? metrics.throughputPerSecond * 60
        : count / Math.max(minutes, 1),
    errorRate: metrics.errorRate ?? null,
    latencyP50Ms: metrics.latencyMs?.p50 ?? null,
    latencyP95Ms: metrics.latencyMs?.p95 ?? null,
    latencyP99Ms: metrics.latencyMs?.p99 ?? null,
    labelled: 0,
    accuracy: null,
    meanConfidence: null,
  };
}
