import type {
  MlopsMonitoringSubject,
  MlopsSource,
  MlopsSourceHttpClient,
  MlopsSourceInstance,
  MlopsSourceInstanceConfig,
  MlopsSourceWindowMetrics,
  MlopsSourceWindowPoint,
} from '@backstage-mlops/plugin-mlops-node';
import { readDurationFromConfig } from '@backstage/config';
import { Duration } from 'luxon';
import { z } from 'zod';
import {
  ANNOTATION_PROMETHEUS_ERROR_RATE,
  ANNOTATION_PROMETHEUS_INSTANCE,
  ANNOTATION_PROMETHEUS_LATENCY_P95,
  ANNOTATION_PROMETHEUS_SELECTOR,
  ANNOTATION_PROMETHEUS_THROUGHPUT,
} from './annotations';
import { formatMatchers, LabelMatcher, parseLabelSelector } from './selector';

/**
 * The OpenTelemetry semantic convention's HTTP server duration histogram.
 *
 * @public
 */
export const DEFAULT_LATENCY_HISTOGRAM = 'http_server_request_duration_seconds';
/**
 * Requests that count as errors: a 5xx answer (OpenTelemetry's label).
 *
 * @public
 */
export const DEFAULT_ERROR_MATCHER = 'http_response_status_code=~"5.."';

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const MAX_QUERY_LENGTH = 2_000;
/** The shortest window asked for, whatever the caller wants. */
export const MIN_WINDOW_SECONDS = 15;
/** Cached answers kept at most, so memory stays bounded. */
const MAX_CACHE_ENTRIES = 500;

/** What one Prometheus instance's block says beyond what the backend reads. */
export interface PrometheusInstanceOptions {
  latencyHistogram: string;
  /** The unit the histogram's `le` buckets are in. */
  latencyUnit: 'seconds' | 'milliseconds';
  errorMatchers: LabelMatcher[];
  cacheTtlMs: number;
  headers: Record<string, string>;
}

/** Reads and checks an instance's own options; throws naming the problem. */
export function readPrometheusInstanceOptions(
  instance: MlopsSourceInstanceConfig,
): PrometheusInstanceOptions {
  const { config, name } = instance;
  const latencyHistogram =
    config.getOptionalString('latencyHistogram') ?? DEFAULT_LATENCY_HISTOGRAM;
  if (!METRIC_NAME.test(latencyHistogram)) {
    throw new Error(
      `mlops.sources.prometheus ${name}: latencyHistogram must be a metric name`,
    );
  }
  const latencyUnit = config.getOptionalString('latencyUnit') ?? 'seconds';
  if (latencyUnit !== 'seconds' && latencyUnit !== 'milliseconds') {
    throw new Error(
      `mlops.sources.prometheus ${name}: latencyUnit is seconds or milliseconds`,
    );
  }
  let errorMatchers: LabelMatcher[];
  try {
    errorMatchers = parseLabelSelector(
      config.getOptionalString('errorSelector') ?? DEFAULT_ERROR_MATCHER,
    );
  } catch (error) {
    throw new Error(
      `mlops.sources.prometheus ${name}: errorSelector is ${
        (error as Error).message
      }`,
    );
  }
  const token = config.getOptionalString('token');
  const username = config.getOptionalString('username');
  const password = config.getOptionalString('password');
  const headers: Record<string, string> = {};
  if (token) {
    headers.Authorization = `Bearer ${token}`;
  } else if (username && password) {
    headers.Authorization = `Basic ${Buffer.from(
      `${username}:${password}`,
    ).toString('base64')}`;
  }
  return {
    latencyHistogram,
    latencyUnit,
    errorMatchers,
    headers,
    cacheTtlMs: config.has('cacheTtl')
      ? Duration.fromObject(
          readDurationFromConfig(config, { key: 'cacheTtl' }),
        ).toMillis()
      : 30_000,
  };
}

/** The PromQL of each figure for one subject and window. */
export interface FigureQueries {
  p50?: string;
  p95?: string;
  p99?: string;
  errorRate?: string;
  throughputPerSecond?: string;
  requestCount?: string;
}

/**
 * The queries for a subject: from its explicit query annotations, else
 * built from its selector and the instance's histogram. Undefined when the
 * subject names nothing for Prometheus. Throws for an invalid selector or
 * query annotation.
 */
export function queriesFor(
  annotations: Record<string, string>,
  options: PrometheusInstanceOptions,
  windowSeconds: number,
): FigureQueries | undefined {
  const range = `${windowSeconds}s`;
  const explicit = (key: string) => {
    const query = annotations[key]?.trim();
    if (!query) return undefined;
    if (
      query.length > MAX_QUERY_LENGTH ||
      [...query].some(c => c.charCodeAt(0) < 0x20)
    ) {
      throw new Error(`${key} is not a usable query`);
    }
    return query.replace(/\$__range/g, range);
  };
  const selectorText = annotations[ANNOTATION_PROMETHEUS_SELECTOR];
  const queries: FigureQueries = {};
  if (selectorText !== undefined) {
    let matchers: LabelMatcher[];
    try {
      matchers = parseLabelSelector(selectorText);
    } catch (error) {
      throw new Error(
        `${ANNOTATION_PROMETHEUS_SELECTOR} is ${(error as Error).message}`,
      );
    }
    const selector = formatMatchers(matchers);
    const errors = formatMatchers([...matchers, ...options.errorMatchers]);
    const m = options.latencyHistogram;
    const toMs = options.latencyUnit === 'seconds' ? ' * 1000' : '';
    const quantile = (q: number) =>
      `histogram_quantile(${q}, sum by (le) (rate(${m}_bucket{${selector}}[${range}])))${toMs}`;
    queries.p50 = quantile(0.5);
    queries.p95 = quantile(0.95);
    queries.p99 = quantile(0.99);
    queries.errorRate = `(sum(rate(${m}_count{${errors}}[${range}])) or vector(0)) / sum(rate(${m}_count{${selector}}[${range}]))`;
    queries.throughputPerSecond = `sum(rate(${m}_count{${selector}}[${range}]))`;
    queries.requestCount = `sum(increase(${m}_count{${selector}}[${range}]))`;
  }
  const p95 = explicit(ANNOTATION_PROMETHEUS_LATENCY_P95);
  const errorRate = explicit(ANNOTATION_PROMETHEUS_ERROR_RATE);
  const throughput = explicit(ANNOTATION_PROMETHEUS_THROUGHPUT);
  if (p95) {
    queries.p95 = p95;
    delete queries.p50;
    delete queries.p99;
  }
  if (errorRate) queries.errorRate = errorRate;
  if (throughput) {
    queries.throughputPerSecond = throughput;
    queries.requestCount = `(${throughput}) * ${windowSeconds}`;
  }
  return Object.keys(queries).length > 0 ? queries : undefined;
}

const rangeAnswer = z.object({
  status: z.literal('success'),
  data: z.object({
    resultType: z.string(),
    result: z.array(
      z.object({
        values: z.array(z.tuple([z.number(), z.string()])).optional(),
        value: z.tuple([z.number(), z.string()]).optional(),
      }),
    ),
  }),
});

/**
 * The newest value of a `query_range` answer, or undefined when there is no
 * series or the value is not a number (Prometheus writes NaN for 0/0).
 */
export function lastValue(answer: unknown): number | undefined {
  const parsed = rangeAnswer.safeParse(answer);
  if (!parsed.success) {
    throw new Error('Prometheus answered query_range with an unexpected shape');
  }
  const series = parsed.data.data.result[0];
  const point = series?.values?.[series.values.length - 1] ?? series?.value;
  if (!point) return undefined;
  const value = Number(point[1]);
  return Number.isFinite(value) ? value : undefined;
}

/** Every point of a `query_range` answer's first series, as [seconds, value]. */
export function allValues(answer: unknown): Array<[number, number]> {
  const parsed = rangeAnswer.safeParse(answer);
  if (!parsed.success) {
    throw new Error('Prometheus answered query_range with an unexpected shape');
  }
  return (parsed.data.data.result[0]?.values ?? []).flatMap(([t, v]) => {
    const value = Number(v);
    return Number.isFinite(value) ? [[t, value] as [number, number]] : [];
  });
}

/** A small time-bounded, size-bounded cache of figures. */
class FigureCache {
  private readonly entries = new Map<
    string,
    { expires: number; value: MlopsSourceWindowMetrics }
  >();
  constructor(private readonly ttlMs: number) {}

  get(key: string, now: number) {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expires <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: MlopsSourceWindowMetrics, now: number) {
    if (this.ttlMs <= 0) return;
    this.entries.delete(key);
    this.entries.set(key, { expires: now + this.ttlMs, value });
    while (this.entries.size > MAX_CACHE_ENTRIES) {
      this.entries.delete(this.entries.keys().next().value!);
    }
  }
}

/**
 * Serving figures of one subject over `[from, to]` from one instance, by
 * `query_range` at `to` with the window as the range, several queries in
 * parallel. Answers are cached for `cacheTtlMs`, keyed by the queries and
 * the window's end to five seconds.
 */
export class PrometheusMonitoring {
  private readonly cache: FigureCache;

  constructor(
    private readonly instanceName: string,
    private readonly isDefault: boolean,
    private readonly options: PrometheusInstanceOptions,
    private readonly now: () => number = Date.now,
  ) {
    this.cache = new FigureCache(options.cacheTtlMs);
  }

  get instanceOptions(): PrometheusInstanceOptions {
    return this.options;
  }

  private series(
    request: {
      subject: MlopsMonitoringSubject;
      from: Date;
      http: MlopsSourceHttpClient;
    },
    step: number,
    end: number,
  ) {
    return seriesOf(this, request, step, end);
  }

  async windowMetrics(request: {
    subject: MlopsMonitoringSubject;
    from: Date;
    to: Date;
    http: MlopsSourceHttpClient;
    signal?: AbortSignal;
    stepSeconds?: number;
  }): Promise<MlopsSourceWindowMetrics | undefined> {
    const { annotations } = request.subject;
    const instance = annotations[ANNOTATION_PROMETHEUS_INSTANCE]?.trim();
    if (instance ? instance !== this.instanceName : !this.isDefault) {
      return undefined;
    }
    // Shorter than this, rate() has too few scrapes to say anything.
    const windowSeconds = Math.max(
      MIN_WINDOW_SECONDS,
      Math.round((request.to.getTime() - request.from.getTime()) / 1000),
    );
    const queries = queriesFor(annotations, this.options, windowSeconds);
    if (!queries) {
      return undefined;
    }
    const end = Math.floor(request.to.getTime() / 1000);
    // Reads within the same five seconds share an answer.
    const step =
      request.stepSeconds !== undefined
        ? Math.max(MIN_WINDOW_SECONDS, Math.round(request.stepSeconds))
        : undefined;
    const key = `${Math.floor(
      end / 5,
    )}|${windowSeconds}|${step}|${JSON.stringify(queries)}`;
    const cached = this.cache.get(key, this.now());
    if (cached) {
      return cached;
    }
    const entries = Object.entries(queries) as Array<
      [keyof FigureQueries, string]
    >;
    const values = await Promise.all(
      entries.map(async ([figure, query]) => {
        const answer = await request.http.json({
          method: 'GET',
          path: '/api/v1/query_range',
          query: { query, start: end, end, step: windowSeconds },
          headers: this.options.headers,
        });
        return [figure, lastValue(answer)] as const;
      }),
    );
    const figures = Object.fromEntries(values) as Partial<
      Record<keyof FigureQueries, number>
    >;
    const latency = {
      ...(figures.p50 !== undefined ? { p50: figures.p50 } : {}),
      ...(figures.p95 !== undefined ? { p95: figures.p95 } : {}),
      ...(figures.p99 !== undefined ? { p99: figures.p99 } : {}),
    };
    const result: MlopsSourceWindowMetrics = {
      from: new Date((end - windowSeconds) * 1000).toISOString(),
      to: new Date(end * 1000).toISOString(),
      ...(Object.keys(latency).length > 0 ? { latencyMs: latency } : {}),
      ...(figures.errorRate !== undefined
        ? { errorRate: figures.errorRate }
        : {}),
      ...(figures.throughputPerSecond !== undefined
        ? { throughputPerSecond: figures.throughputPerSecond }
        : {}),
      ...(figures.requestCount !== undefined
        ? { requestCount: Math.round(figures.requestCount) }
        : {}),
    };
    if (step !== undefined) {
      const series = await this.series(request, step, end);
      if (series.length > 0) {
        result.series = series;
      }
    }
    this.cache.set(key, result, this.now());
    return result;
  }
}

/**
 * The figures per step over the window, for a chart: p95, error rate,
 * throughput and requests, each one `query_range` with the step as range.
 * A point at `t` covers `[t - step, t]`.
 */
async function seriesOf(
  monitoring: PrometheusMonitoring,
  request: {
    subject: MlopsMonitoringSubject;
    from: Date;
    http: MlopsSourceHttpClient;
  },
  step: number,
  end: number,
): Promise<MlopsSourceWindowPoint[]> {
  const queries = queriesFor(
    request.subject.annotations,
    monitoring.instanceOptions,
    step,
  );
  if (!queries) return [];
  const start = Math.floor(request.from.getTime() / 1000) + step;
  if (start > end) return [];
  const wanted: Array<keyof FigureQueries> = [
    'p95',
    'errorRate',
    'throughputPerSecond',
    'requestCount',
  ];
  const answers = await Promise.all(
    wanted
      .filter(figure => queries[figure])
      .map(async figure => {
        const answer = await request.http.json({
          method: 'GET',
          path: '/api/v1/query_range',
          query: { query: queries[figure]!, start, end, step },
          headers: monitoring.instanceOptions.headers,
        });
        return [figure, allValues(answer)] as const;
      }),
  );
  const points = new Map<number, MlopsSourceWindowPoint>();
  for (const [figure, values] of answers) {
    for (const [t, value] of values) {
      const point = points.get(t) ?? {
        start: new Date((t - step) * 1000).toISOString(),
      };
      if (figure === 'p95') point.latencyMs = { p95: value };
      else if (figure === 'requestCount')
        point.requestCount = Math.round(value);
      else if (figure === 'errorRate') point.errorRate = value;
      else if (figure === 'throughputPerSecond')
        point.throughputPerSecond = value;
      points.set(t, point);
    }
  }
  return [...points.entries()].sort((a, b) => a[0] - b[0]).map(([, p]) => p);
}

/**
 * The Prometheus source: one instance per `mlops.sources.prometheus` block,
 * asked at read time. The first block is the default for entities without a
 * `backstage-mlops.dev/prometheus-instance` annotation.
 *
 * @public
 */
export function createPrometheusSource(): MlopsSource {
  let created = 0;
  return {
    type: 'prometheus',
    secretKeys: ['token', 'password'],
    createInstance(instance): MlopsSourceInstance {
      const options = readPrometheusInstanceOptions(instance);
      const monitoring = new PrometheusMonitoring(
        instance.name,
        created++ === 0,
        options,
      );
      return {
        monitoring: {
          windowMetrics: request => monitoring.windowMetrics(request),
        },
      };
    },
  };
}
