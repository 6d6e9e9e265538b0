import {
  createExtensionPoint,
  type LoggerService,
} from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import type { MlopsPipelineRunState } from '@backstage-mlops/plugin-mlops-common';

/**
 * One configured instance of a source, as the MLOps backend read it from
 * `mlops.sources.<type>[]`. The backend reads `name` (unique per type),
 * `baseUrl`, `schedule` (a Backstage task schedule; default every 5 minutes
 * with a 4 minute timeout), `requestTimeout` (a duration, default 30
 * seconds) and `requestsPerSecond` (default 50); everything else in the
 * block (credentials, options) is the module's to read from `config`.
 *
 * @public
 */
export interface MlopsSourceInstanceConfig {
  /** The source type, e.g. `mlflow`. */
  type: string;
  /** The instance's name, e.g. `central`; annotations pick instances by it. */
  name: string;
  /**
   * The instance's base URL without a trailing slash. The only origin
   * {@link MlopsSourceHttpClient} will call for this instance.
   */
  baseUrl: string;
  /**
   * The instance's whole config block, secrets included. Never log it or put
   * any of its values into an error message.
   */
  config: Config;
  /** A logger that names the instance. */
  logger: LoggerService;
}

/**
 * A request through {@link MlopsSourceHttpClient}. The path is joined to the
 * instance's `baseUrl`; absolute URLs are refused.
 *
 * @public
 */
export interface MlopsSourceHttpRequest {
  /** A path below the base URL, e.g. `/api/2.0/mlflow/experiments/search`. */
  path: string;
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Query parameters; arrays repeat the parameter. */
  query?: Record<string, string | number | boolean | string[] | undefined>;
  /** Sent as JSON. */
  body?: unknown;
  /** Extra headers, typically `Authorization`. */
  headers?: Record<string, string>;
}

/**
 * HTTP to one source instance, with the robustness every source needs done
 * once in the MLOps backend: a per-request timeout, retries with exponential
 * backoff on network errors, 429 and 5xx, a rate limit per instance, and a
 * circuit that fails fast while the instance is down. Errors it throws name
 * the status and path but never a secret of the instance.
 *
 * @public
 */
export interface MlopsSourceHttpClient {
  /**
   * Sends the request and parses a JSON answer. Throws
   * {@link MlopsSourceHttpError} for a non-2xx answer after retries.
   */
  json<T = unknown>(request: MlopsSourceHttpRequest): Promise<T>;
}

/**
 * What {@link MlopsSourceHttpClient} throws for an answer that is not 2xx,
 * a timeout or a network error. `status` is 0 for the last two.
 *
 * @public
 */
export interface MlopsSourceHttpError extends Error {
  name: 'MlopsSourceHttpError';
  status: number;
  /** The upstream's error code when it sent one (MLflow's `error_code`). */
  code?: string;
}

/**
 * A key/value store that keeps a sync's position between runs, per instance
 * (e.g. the newest `last_update_time` seen). Values written during a sync are
 * committed only when the sync resolves; a sync that throws leaves the
 * previous cursors in place, so the next one starts from the last good point.
 *
 * @public
 */
export interface MlopsSourceCursorStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
}

/**
 * An experiment as a tracking source reports it. Upserting by name.
 *
 * @public
 */
export interface MlopsSourceExperiment {
  name: string;
  /** The upstream's own id, kept for runs that name their experiment by id. */
  externalId: string;
  lifecycleStage?: 'active' | 'deleted';
  tags?: Record<string, string>;
}

/**
 * A run as a tracking source reports it, with its params, tags and the
 * latest value of each metric (metric history stays upstream and is read on
 * demand). Upserting by `id`.
 *
 * @public
 */
export interface MlopsSourceRun {
  /** The upstream run id (at most 32 characters, as MLflow's). */
  id: string;
  /** The experiment's {@link MlopsSourceExperiment.externalId}. */
  experimentExternalId: string;
  name?: string;
  status: 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED';
  /** Epoch milliseconds. */
  startTime: number;
  endTime?: number;
  userId?: string;
  lifecycleStage?: 'active' | 'deleted';
  params?: Record<string, string>;
  tags?: Record<string, string>;
  latestMetrics?: Array<{
    key: string;
    value: number;
    step: number;
    /** Epoch milliseconds. */
    timestamp: number;
  }>;
}

/**
 * Where a tracking source writes what it mirrors. Writes are idempotent
 * upserts; there is no delete, so a source that answers an error or an empty
 * page never removes what the store holds.
 *
 * @public
 */
export interface MlopsTrackingSink {
  upsertExperiments(experiments: MlopsSourceExperiment[]): Promise<void>;
  upsertRuns(runs: MlopsSourceRun[]): Promise<void>;
}

/**
 * A registered model as a registry source reports it. Upserting by name.
 *
 * @public
 */
export interface MlopsSourceRegisteredModel {
  name: string;
  description?: string;
  tags?: Record<string, string>;
  /** Alias to version number: the whole current set, not a change list. */
  aliases?: Record<string, number>;
  /** Epoch milliseconds. */
  createdAt?: number;
  updatedAt?: number;
}

/**
 * A model version as a registry source reports it. Upserting by model and
 * version number.
 *
 * @public
 */
export interface MlopsSourceModelVersion {
  model: string;
  version: number;
  stage: 'None' | 'Staging' | 'Production' | 'Archived';
  /** e.g. MLflow's `READY`, `PENDING_REGISTRATION`, `FAILED_REGISTRATION`. */
  status?: string;
  runId?: string;
  artifactUri?: string;
  description?: string;
  tags?: Record<string, string>;
  createdBy?: string;
  /** Epoch milliseconds. */
  createdAt?: number;
  updatedAt?: number;
}

/**
 * Where a registry source writes what it mirrors. A stage or alias that
 * differs from what the store held is written to the model's stage/alias
 * history with the actor `observed`, so history and rollback work for models
 * that live upstream. No delete: an alias is only removed when the model is
 * reported with a full `aliases` set that no longer holds it.
 *
 * @public
 */
export interface MlopsRegistrySink {
  upsertModels(models: MlopsSourceRegisteredModel[]): Promise<void>;
  upsertVersions(versions: MlopsSourceModelVersion[]): Promise<void>;
}

/**
 * One stage (an Airflow task instance, a Prefect task run) of a pipeline run.
 *
 * @public
 */
export interface MlopsSourcePipelineStage {
  name: string;
  /** Order within the run; defaults to the order given. */
  position?: number;
  state: MlopsPipelineRunState;
  /** ISO 8601. */
  startedAt?: string;
  endedAt?: string;
  /**
   * The upstream's failure text (exit reason, exception, log tail). The
   * backend classifies it (OOMKilled, CUDA out of memory, ImagePullBackOff…)
   * as for pushed runs.
   */
  failureMessage?: string;
}

/**
 * A pipeline run (an Airflow DAG run, a Prefect flow run) as a pipelines
 * source reports it. Upserting by pipeline and `externalId`.
 *
 * @public
 */
export interface MlopsSourcePipelineRun {
  /**
   * The pipeline's name in the store: what its entity's
   * `backstage-mlops.dev/pipeline` annotation says, or what the source's own
   * annotation (`airflow.apache.org/dag-id`…) maps to.
   */
  pipeline: string;
  /** The upstream run id (DAG run id, flow run id). */
  externalId: string;
  /** Prefect-like state type; `LATE` for a scheduled run that did not start. */
  state: MlopsPipelineRunState;
  trigger?: 'schedule' | 'manual' | 'api';
  /** ISO 8601. */
  scheduledAt?: string;
  startedAt?: string;
  endedAt?: string;
  failureMessage?: string;
  stages?: MlopsSourcePipelineStage[];
}

/**
 * Where a pipelines source writes what it mirrors. Runs in a terminal state
 * are not moved back by a later, older report.
 *
 * @public
 */
export interface MlopsPipelinesSink {
  upsertRuns(runs: MlopsSourcePipelineRun[]): Promise<void>;
}

/**
 * Narrows a sync to some objects, e.g. after a webhook about one model.
 * Absent means everything.
 *
 * @public
 */
export interface MlopsSourceSyncScope {
  registeredModels?: string[];
  experiments?: string[];
  pipelines?: string[];
}

/**
 * What a sync gets from the MLOps backend.
 *
 * @public
 */
export interface MlopsSourceSyncContext {
  instance: MlopsSourceInstanceConfig;
  /** HTTP to this instance only, with timeouts, retries, rate limit, circuit. */
  http: MlopsSourceHttpClient;
  cursors: MlopsSourceCursorStore;
  tracking: MlopsTrackingSink;
  registry: MlopsRegistrySink;
  pipelines: MlopsPipelinesSink;
  entities: MlopsSourceEntities;
  /** Set when the sync should stop: its timeout passed or the backend stops. */
  signal: AbortSignal;
  logger: LoggerService;
  scope?: MlopsSourceSyncScope;
}

/**
 * A catalog entity as a source sees it: its ref and annotations.
 *
 * @public
 */
export interface MlopsSourceEntity {
  /** e.g. `component:default/fraud-model`. */
  entityRef: string;
  annotations: Record<string, string>;
}

/**
 * Catalog entities a sync may need, e.g. the DAGs to read are those named by
 * an `airflow.apache.org/dag-id` annotation.
 *
 * @public
 */
export interface MlopsSourceEntities {
  /** Every entity carrying the annotation, whatever its value. */
  withAnnotation(annotation: string): Promise<MlopsSourceEntity[]>;
}

/**
 * An entity a monitoring source is asked about (its annotations carry e.g.
 * `backstage-mlops.dev/prometheus-selector`), plus the registered model it
 * serves when known.
 *
 * @public
 */
export interface MlopsMonitoringSubject extends MlopsSourceEntity {
  model?: string;
  environment?: string;
}

/**
 * Windowed serving metrics of one subject. A figure the source cannot tell
 * is left out, never reported as 0.
 *
 * @public
 */
export interface MlopsSourceWindowMetrics {
  /** ISO 8601 bounds of the window the figures cover. */
  from: string;
  to: string;
  latencyMs?: { p50?: number; p95?: number; p99?: number };
  /** Errors per request, 0..1. */
  errorRate?: number;
  /** Requests per second over the window. */
  throughputPerSecond?: number;
  /** Requests in the window. */
  requestCount?: number;
  /**
   * The same figures per step, oldest first, when the request gave
   * `stepSeconds` and the source can tell (a chart's points).
   */
  series?: MlopsSourceWindowPoint[];
}

/**
 * One step of {@link MlopsSourceWindowMetrics.series}; a figure the source
 * cannot tell is left out.
 *
 * @public
 */
export interface MlopsSourceWindowPoint {
  /** ISO 8601 start of the step. */
  start: string;
  latencyMs?: { p50?: number; p95?: number; p99?: number };
  errorRate?: number;
  throughputPerSecond?: number;
  requestCount?: number;
}

/**
 * A source asked at read time (Prometheus) instead of mirrored by a sync.
 *
 * @public
 */
export interface MlopsMonitoringQuerySource {
  /**
   * Figures for the subject over `[from, to]`, or `undefined` when the
   * subject has nothing in this source (no selector annotation, say).
   * Throws when the source is unreachable; the backend then reports the
   * source, not the model, as the problem.
   */
  windowMetrics(request: {
    subject: MlopsMonitoringSubject;
    from: Date;
    to: Date;
    http: MlopsSourceHttpClient;
    signal: AbortSignal;
    /** Also wanted: the figures per step of this many seconds (`series`). */
    stepSeconds?: number;
  }): Promise<MlopsSourceWindowMetrics | undefined>;
}

/**
 * One point of a metric's history as a tracking source reports it.
 *
 * @public
 */
export interface MlopsSourceMetricPoint {
  /** May be NaN or an infinity. */
  value: number;
  /** The training step it was logged at (0 when the source has none). */
  step: number;
  /** Epoch milliseconds. */
  timestamp: number;
}

/**
 * What a tracking source answers at read time instead of mirroring in its
 * sync: a run's whole metric history, which the backend fetches when a
 * mirrored run's history is first asked for and keeps in the store (once for
 * a finished run, at most once per short interval for an open one).
 *
 * @public
 */
export interface MlopsTrackingQuerySource {
  /**
   * Every point of metric `key` of upstream run `runId`, in any order (page
   * through to the end). Throws when the source is unreachable; the backend
   * then answers from what the store holds.
   */
  metricHistory(request: {
    runId: string;
    key: string;
    http: MlopsSourceHttpClient;
    signal: AbortSignal;
  }): Promise<MlopsSourceMetricPoint[]>;
}

/**
 * A webhook call as received on
 * `POST /api/mlops/sources/<type>/<instance>/webhook` (unauthenticated by
 * Backstage: the handler must check the sender, e.g. an HMAC signature over
 * `rawBody` with the instance's secret).
 *
 * @public
 */
export interface MlopsSourceWebhookRequest {
  headers: Record<string, string | undefined>;
  rawBody: Buffer;
}

/**
 * What a webhook handler decides: refuse (`accepted: false`, answered with
 * 401 and nothing else), or accept and optionally sync a scope right away.
 *
 * @public
 */
export type MlopsSourceWebhookResult =
  | { accepted: false }
  | { accepted: true; sync?: MlopsSourceSyncScope };

/**
 * Registry changes made in the portal (after its permission check) that a
 * registry source writes to its upstream before the portal's store takes
 * them, so the model stays the same on both sides. Throwing refuses the
 * change: the portal's store is left as it was.
 *
 * @public
 */
export interface MlopsRegistryWriteBack {
  transitionStage(
    change: {
      model: string;
      version: number;
      stage: 'None' | 'Staging' | 'Production' | 'Archived';
      archiveExisting: boolean;
    },
    http: MlopsSourceHttpClient,
  ): Promise<void>;
  setAlias(
    change: { model: string; alias: string; version: number },
    http: MlopsSourceHttpClient,
  ): Promise<void>;
  deleteAlias(
    change: { model: string; alias: string },
    http: MlopsSourceHttpClient,
  ): Promise<void>;
}

/**
 * One running instance of a source, made by {@link MlopsSource.createInstance}.
 * It offers any of: a scheduled sync, query-on-read monitoring, webhooks.
 *
 * @public
 */
export interface MlopsSourceInstance {
  /**
   * Mirrors the upstream into the store, incrementally from the cursors.
   * Runs on the instance's `schedule` (default every 5 minutes, timeout 4),
   * once across replicas. Throwing marks the sync failed with the (masked)
   * message; the store keeps everything written before.
   */
  sync?(context: MlopsSourceSyncContext): Promise<void>;
  monitoring?: MlopsMonitoringQuerySource;
  /** For tracking sources: metric history, read on demand and cached. */
  tracking?: MlopsTrackingQuerySource;
  /** For registry sources: portal changes to mirrored models go upstream. */
  registry?: MlopsRegistryWriteBack;
  handleWebhook?(
    request: MlopsSourceWebhookRequest,
  ): Promise<MlopsSourceWebhookResult>;
}

/**
 * A kind of external system the MLOps backend can read, with any number of
 * named instances under `mlops.sources.<type>`.
 *
 * @public
 */
export interface MlopsSource {
  /** The config key under `mlops.sources`, e.g. `mlflow`. Unique. */
  readonly type: string;
  /**
   * Keys of the instance config whose values are secrets, masked in every
   * status, log line and error text. `token`, `password`, `apiKey`,
   * `webhookSecret` and `clientSecret` are always masked.
   */
  readonly secretKeys?: string[];
  /**
   * Reads one instance's config and returns what it offers. Throw for an
   * invalid config: the backend refuses to start, naming the instance.
   */
  createInstance(
    config: MlopsSourceInstanceConfig,
  ): MlopsSourceInstance | Promise<MlopsSourceInstance>;
}

/**
 * Lets backend modules add sources to the MLOps backend plugin.
 *
 * @public
 */
export interface MlopsSourcesExtensionPoint {
  /** Adds sources; a type that is already taken is refused at start-up. */
  addSource(...sources: MlopsSource[]): void;
}

/**
 * Extension point for sources of the MLOps backend plugin: systems a team
 * already runs (MLflow, Airflow, Prefect, Prometheus) that the portal reads.
 *
 * @example
 * ```ts
 * createBackendModule({
 *   pluginId: 'mlops',
 *   moduleId: 'source-airflow',
 *   register(env) {
 *     env.registerInit({
 *       deps: { sources: mlopsSourcesExtensionPoint },
 *       async init({ sources }) {
 *         sources.addSource({
 *           type: 'airflow',
 *           createInstance: ({ config }) => new AirflowInstance(config),
 *         });
 *       },
 *     });
 *   },
 * });
 * ```
 *
 * @public
 */
export const mlopsSourcesExtensionPoint =
  createExtensionPoint<MlopsSourcesExtensionPoint>({
    id: 'mlops.sources',
  });
