import { InputError } from '@backstage/errors';
import {
  MlopsEntityMetrics,
  MlopsMetricsBaseline,
  MlopsMetricsPoint,
  MlopsMetricsWindow,
  MlopsModelMetrics,
  MlopsPredictionStats,
} from '@backstage-mlops/plugin-mlops-common';
import { ResolvedEntity } from '../shared/EntityResolver';
import type { MlopsMonitoringSubject } from '@backstage-mlops/plugin-mlops-node';
import { histogramQuantile } from './histogram';
import {
  isServingSubject,
  ServingMetricsSource,
  statsFromServingMetrics,
} from './servingMetrics';
import {
  HOUR,
  MINUTE,
  QUARTER,
  MonitoringStore,
  RETENTION_MINUTES,
  RollupSums,
  addSums,
  emptySums,
  epochMinute,
} from './MonitoringStore';

/**
 * The part of the model registry monitoring reads (the registry store
 * implements it; the contract is shared with the incidents detectors).
 */
export interface MonitoringRegistrySource {
  productionVersion(
    model: string,
  ): Promise<{ version: number; metrics: Record<string, number> } | undefined>;
}

/** Stats over a trailing window, as the incidents detectors read them. */
export interface WindowStats {
  count: number;
  errorRate: number | null;
  latencyP95Ms: number | null;
  accuracy: number | null;
  baselineAccuracy: number | null;
}

/** The environment whose first day sets a baseline when the registry has none. */
export const PRODUCTION_ENVIRONMENT = 'production';

// Registry evaluation metrics are logged under different names by
// different training code; the first one present is the baseline.
const ACCURACY_METRIC_KEYS = [
  'accuracy',
  'test_accuracy',
  'eval_accuracy',
  'val_accuracy',
];

const WINDOWS: Record<
  MlopsMetricsWindow,
  { buckets: number; bucketMinutes: number; resolution: number }
> = {
  '1h': { buckets: 60, bucketMinutes: 1, resolution: MINUTE },
  '24h': { buckets: 96, bucketMinutes: 15, resolution: QUARTER },
  '7d': { buckets: 168, bucketMinutes: 60, resolution: HOUR },
};

/** Longest window summed from minute rows. */
const MINUTE_WINDOW_LIMIT = 2 * 60;
/** Longest window summed from quarter-hour rows; longer ones use hours. */
const QUARTER_WINDOW_LIMIT = 24 * 60;
/** Largest drift sample featureSample returns unless asked for less. */
const DEFAULT_SAMPLE_ROWS = 10_000;
const MAX_SAMPLE_ROWS = 50_000;

/** Turns summed rollups into the rates and percentiles users read. */
export function statsOf(
  sums: RollupSums,
  minutes: number,
): MlopsPredictionStats {
  const { count } = sums;
  return {
    count,
    errors: sums.errors,
    throughputPerMinute: minutes > 0 ? count / minutes : 0,
    errorRate: count > 0 ? sums.errors / count : null,
    latencyP50Ms: histogramQuantile(sums.histogram, 0.5),
    latencyP95Ms: histogramQuantile(sums.histogram, 0.95),
    latencyP99Ms: histogramQuantile(sums.histogram, 0.99),
    labelled: sums.labelled,
    accuracy: sums.labelled > 0 ? sums.correct / sums.labelled : null,
    meanConfidence:
      sums.confidenceCount > 0
        ? sums.confidenceSum / sums.confidenceCount
        : null,
  };
}

/** Relative drop of `current` below `baseline` (negative when better). */
export function relativeDrop(
  current: number | null,
  baseline: number | null | undefined,
): number | null {
  if (current === null || baseline === null || baseline === undefined) {
    return null;
  }
  if (baseline <= 0) {
    return null;
  }
  return (baseline - current) / baseline;
}

/**
 * Reads prediction metrics for routes, cards and detectors. Implements the
 * `MonitoringSource` contract (`windowStats`) and gives drift checks their
 * recent samples (`featureSample`).
 */
export class MonitoringService {
  private readonly now: () => number;

  constructor(
    private readonly store: MonitoringStore,
    private readonly options: {
      registry?: MonitoringRegistrySource;
      /**
       * Serving figures pulled at read time (Prometheus), for models that
       * pushed no prediction events in a window, and the entities that
       * serve each model.
       */
      serving?: {
        source: ServingMetricsSource;
        subjects(model: string): Promise<MlopsMonitoringSubject[]>;
      };
      now?: () => number;
    } = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  /**
   * Stats over the last `windowMinutes` minutes, current minute included.
   * Windows up to two hours are summed from minute rollups exactly; up to a
   * day from quarter-hour rollups and beyond from hourly ones, starting at
   * the beginning of the quarter or hour the window starts in.
   */
  async windowStats(
    model: string,
    options: { windowMinutes: number; environment?: string },
  ): Promise<WindowStats> {
    const windowMinutes = checkWindowMinutes(options.windowMinutes);
    const nowMinute = epochMinute(this.now());
    const fromMinute = nowMinute - windowMinutes + 1;
    let resolution = HOUR;
    if (windowMinutes <= MINUTE_WINDOW_LIMIT) {
      resolution = MINUTE;
    } else if (windowMinutes <= QUARTER_WINDOW_LIMIT) {
      resolution = QUARTER;
    }
    const sums = await this.store.readTotals(model, {
      resolution,
      fromMinute: fromMinute - (fromMinute % resolution),
      toMinute: nowMinute + 1,
      environment: options.environment,
    });
    let stats = statsOf(sums, windowMinutes);
    if (stats.count === 0 && !options.environment) {
      stats = (await this.pulledStats(model, windowMinutes)) ?? stats;
    }
    const baseline = await this.baseline(model);
    return {
      count: stats.count,
      errorRate: stats.errorRate,
      latencyP95Ms: stats.latencyP95Ms,
      accuracy: stats.accuracy,
      baselineAccuracy: baseline?.accuracy ?? null,
    };
  }

  /**
   * Figures of the first entity serving `model` that a monitoring source
   * answers for, over the last `windowMinutes`; pushed events stay the
   * first choice, so this is asked only when there are none.
   */
  private async pulledStats(
    model: string,
    windowMinutes: number,
  ): Promise<MlopsPredictionStats | undefined> {
    const serving = this.options.serving;
    if (!serving) {
      return undefined;
    }
    const to = new Date(this.now());
    const from = new Date(to.getTime() - windowMinutes * 60_000);
    for (const subject of await serving.subjects(model)) {
      const metrics = await serving.source.windowMetrics(subject, from, to);
      if (metrics) {
        return statsFromServingMetrics(metrics, windowMinutes);
      }
    }
    return undefined;
  }

  /**
   * Feature values of recent events as columns (the drift helper's input),
   * from the hourly reservoirs overlapping the last `windowMinutes`. Every
   * column has the same length; an event without a feature has null there.
   * Booleans come back as the strings "true" and "false", which the drift
   * tests treat as the two categories they are.
   */
  async featureSample(
    model: string,
    options: { windowMinutes: number; environment?: string; maxRows?: number },
  ): Promise<Record<string, Array<number | string | null>>> {
    const windowMinutes = checkWindowMinutes(options.windowMinutes);
    const maxRows = Math.min(
      Math.max(1, Math.floor(options.maxRows ?? DEFAULT_SAMPLE_ROWS)),
      MAX_SAMPLE_ROWS,
    );
    const nowMinute = epochMinute(this.now());
    const sample = await this.store.featureSample(model, {
      fromMinute: nowMinute - windowMinutes + 1,
      environment: options.environment,
      maxRows,
    });
    const columns: Record<string, Array<number | string | null>> = {};
    for (const [name, values] of Object.entries(sample.columns)) {
      columns[name] = values.map(v => (typeof v === 'boolean' ? String(v) : v));
    }
    return columns;
  }

  /**
   * What the model's accuracy is judged against: the evaluation metrics of
   * the registry's Production version when it has an accuracy, otherwise the
   * model's first day of labelled production traffic.
   */
  async baseline(model: string): Promise<MlopsMetricsBaseline | undefined> {
    const [fromRegistry, first] = await Promise.all([
      this.registryBaseline(model),
      this.store.firstLabelledHour(model, PRODUCTION_ENVIRONMENT),
    ]);
    if (fromRegistry) {
      return fromRegistry;
    }
    if (first === undefined) {
      return undefined;
    }
    const sums = await this.store.readTotals(model, {
      resolution: HOUR,
      fromMinute: first,
      toMinute: first + 24 * 60,
      environment: PRODUCTION_ENVIRONMENT,
    });
    return {
      source: 'first_production_day',
      accuracy: sums.labelled > 0 ? sums.correct / sums.labelled : null,
      from: new Date(first * 60_000).toISOString(),
    };
  }

  private async registryBaseline(
    model: string,
  ): Promise<MlopsMetricsBaseline | undefined> {
    if (!this.options.registry) {
      return undefined;
    }
    const version = await this.options.registry.productionVersion(model);
    if (!version) {
      return undefined;
    }
    const key = ACCURACY_METRIC_KEYS.find(
      k =>
        typeof version.metrics[k] === 'number' &&
        Number.isFinite(version.metrics[k]),
    );
    if (!key) {
      return undefined;
    }
    return {
      source: 'registry',
      version: version.version,
      accuracy: version.metrics[key],
    };
  }

  /** Metrics of every model an entity links to, as series and totals. */
  async entityMetrics(
    resolved: ResolvedEntity,
    options: { window: MlopsMetricsWindow; environment?: string },
  ): Promise<MlopsEntityMetrics> {
    const spec = WINDOWS[options.window];
    const nowMinute = epochMinute(this.now());
    const lastStart = nowMinute - (nowMinute % spec.bucketMinutes);
    const fromMinute = lastStart - (spec.buckets - 1) * spec.bucketMinutes;
    const toMinute = lastStart + spec.bucketMinutes;
    const models = resolved.links
      .filter(link => link.kind === 'model')
      .map(link => link.name);

    const result: MlopsModelMetrics[] = [];
    for (const model of models) {
      // Independent reads: on PostgreSQL they run on separate pooled
      // connections, so the route waits for the slowest, not the sum.
      const [buckets, baseline, environments] = await Promise.all([
        this.store.readBuckets(model, {
          resolution: spec.resolution,
          fromMinute,
          toMinute,
          bucketMinutes: spec.bucketMinutes,
          environment: options.environment,
        }),
        this.baseline(model),
        this.store.environments(model),
      ]);
      const byStart = new Map(buckets.map(b => [b.startMinute, b]));
      const totals = emptySums();
      const series: MlopsMetricsPoint[] = [];
      for (let i = 0; i < spec.buckets; i++) {
        const start = fromMinute + i * spec.bucketMinutes;
        const bucket = byStart.get(start);
        if (bucket) {
          addSums(totals, bucket);
        }
        series.push({
          start: new Date(start * 60_000).toISOString(),
          ...statsOf(bucket ?? emptySums(), spec.bucketMinutes),
        });
      }
      let totalStats = statsOf(totals, toMinute - fromMinute);
      // A server that never reports to the portal: its figures come from
      // the monitoring source the entity names (Prometheus), totals and a
      // point per bucket.
      let pulledFrom: { type: string; name: string } | undefined;
      const annotations = resolved.entity.metadata.annotations ?? {};
      if (
        totalStats.count === 0 &&
        !options.environment &&
        this.options.serving &&
        isServingSubject(annotations)
      ) {
        const pulled = await this.options.serving.source.windowMetrics(
          { entityRef: resolved.entityRef, annotations, model },
          new Date(fromMinute * 60_000),
          new Date(Math.min(toMinute * 60_000, this.now())),
          { stepSeconds: spec.bucketMinutes * 60 },
        );
        if (pulled) {
          totalStats = statsFromServingMetrics(pulled, toMinute - fromMinute);
          pulledFrom = pulled.source;
          const points = new Map(
            (pulled.series ?? []).map(p => [Date.parse(p.start), p]),
          );
          for (const [i, bucket] of series.entries()) {
            const point = points.get(Date.parse(bucket.start));
            if (point) {
              series[i] = {
                start: bucket.start,
                ...statsFromServingMetrics(point, spec.bucketMinutes),
              };
            }
          }
        }
      }
      result.push({
        model,
        ...(pulledFrom ? { source: pulledFrom } : {}),
        totals: totalStats,
        series,
        baseline,
        degradation: {
          accuracy: relativeDrop(totalStats.accuracy, baseline?.accuracy),
        },
        environments,
      });
    }
    return {
      entityRef: resolved.entityRef,
      window: options.window,
      environment: options.environment,
      bucketMinutes: spec.bucketMinutes,
      from: new Date(fromMinute * 60_000).toISOString(),
      to: new Date(toMinute * 60_000).toISOString(),
      models: result,
    };
  }
}

function checkWindowMinutes(windowMinutes: number): number {
  if (
    !Number.isInteger(windowMinutes) ||
    windowMinutes < 1 ||
    windowMinutes > RETENTION_MINUTES.hourRollups
  ) {
    throw new InputError(
      `windowMinutes must be a whole number from 1 to ${RETENTION_MINUTES.hourRollups}`,
    );
  }
  return windowMinutes;
}
