import {
  AuthService,
  LoggerService,
  SchedulerServiceTaskScheduleDefinition,
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { Config, readDurationFromConfig } from '@backstage/config';
import {
  ConflictError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import type {
  MlopsMonitoringSubject,
  MlopsRegistryWriteBack,
  MlopsSource,
  MlopsSourceEntity,
  MlopsSourceInstance,
  MlopsSourceInstanceConfig,
  MlopsSourceSyncScope,
  MlopsSourceWebhookRequest,
  MlopsSourceWebhookResult,
  MlopsSourceWindowMetrics,
} from '@backstage-mlops/plugin-mlops-node';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type { MlopsSourceStatus } from '@backstage-mlops/plugin-mlops-common';
import {
  DEFAULT_HTTP_SETTINGS,
  SourceCircuit,
  SourceHttpClient,
  SourceHttpSettings,
} from './SourceHttpClient';
import { SecretMask } from './secrets';
import type { ObjectChangeNotifier } from '../shared/ObjectChangeNotifier';
import { SinkStores, SyncSinks } from './sinks';
import { SourceInstanceKey, SourceStateStore } from './SourceStateStore';

/** What `GET /sources` says of one instance. Never holds a secret. */
export type SourceInstanceStatus = MlopsSourceStatus;

interface RunningInstance {
  key: SourceInstanceKey;
  config: MlopsSourceInstanceConfig;
  instance: MlopsSourceInstance;
  schedule: SchedulerServiceTaskScheduleDefinition;
  settings: SourceHttpSettings;
  circuit: SourceCircuit;
  mask: SecretMask;
  running?: Promise<void>;
}

const DEFAULT_SCHEDULE: SchedulerServiceTaskScheduleDefinition = {
  frequency: { minutes: 5 },
  timeout: { minutes: 4 },
  initialDelay: { seconds: 15 },
};

const MS: Record<string, number> = {
  years: 365 * 86_400_000,
  months: 30 * 86_400_000,
  weeks: 7 * 86_400_000,
  days: 86_400_000,
  hours: 3_600_000,
  minutes: 60_000,
  seconds: 1000,
  milliseconds: 1,
};

function toMs(duration: object): number {
  return Object.entries(duration).reduce(
    (sum, [unit, n]) => sum + (MS[unit] ?? 0) * Number(n),
    0,
  );
}

function timeoutMsOf(schedule: SchedulerServiceTaskScheduleDefinition): number {
  const t = schedule.timeout;
  return typeof t === 'string' ? 4 * 60_000 : toMs(t as object);
}

/**
 * An open run's history is fetched again at most this often; a finished
 * run's history cannot grow and is fetched once.
 */
export const OPEN_RUN_HISTORY_REFRESH_MS = 30_000;

const FINISHED_RUN_STATUSES = ['FINISHED', 'FAILED', 'KILLED'];

/** Longest error text kept in the status. */
const MAX_ERROR_LENGTH = 1000;

/** The task id of an instance's scheduled sync. */
export function syncTaskId(key: SourceInstanceKey): string {
  return `mlops-source-sync:${key.type}:${key.name}`;
}

/**
 * Runs the configured instances of the registered sources: reads
 * `mlops.sources.<type>[]`, makes each instance, syncs it (on its schedule,
 * after a webhook, or on demand) and records how that went. A sync never
 * throws to its caller: a failure is recorded (masked) and the store keeps
 * what it holds.
 */
export class SourceService {
  private readonly instances = new Map<string, RunningInstance>();
  /** History fetches under way on this replica, joined instead of doubled. */
  private readonly historyFetches = new Map<string, Promise<void>>();

  private constructor(
    private readonly options: {
      logger: LoggerService;
      state: SourceStateStore;
      stores: SinkStores;
      catalog?: CatalogService;
      auth?: AuthService;
      fetchImpl?: typeof fetch;
      objectChanges?: ObjectChangeNotifier;
    },
  ) {}

  static async create(options: {
    config: Config;
    logger: LoggerService;
    sources: MlopsSource[];
    state: SourceStateStore;
    stores: SinkStores;
    catalog?: CatalogService;
    auth?: AuthService;
    /** Tests shorten backoff and cooldowns through this. */
    httpSettings?: Partial<SourceHttpSettings>;
    fetchImpl?: typeof fetch;
    /** Newly mirrored models, experiments and pipelines are announced here. */
    objectChanges?: ObjectChangeNotifier;
  }): Promise<SourceService> {
    const service = new SourceService(options);
    const sourcesConfig = options.config.getOptionalConfig('mlops.sources');
    const registered = new Map(options.sources.map(s => [s.type, s]));
    for (const type of sourcesConfig?.keys() ?? []) {
      if (!registered.has(type)) {
        options.logger.warn(
          `mlops.sources.${type} is configured but no installed module reads it; add its backend module`,
        );
      }
    }
    for (const source of options.sources) {
      const blocks = sourcesConfig?.getOptionalConfigArray(source.type) ?? [];
      const names = new Set<string>();
      for (const block of blocks) {
        const name = block.getString('name');
        if (!/^[a-zA-Z0-9][a-zA-Z0-9._-]{0,62}$/.test(name)) {
          throw new Error(
            `mlops.sources.${source.type}: instance name "${name}" must be letters, digits, ".", "_" or "-" (at most 63)`,
          );
        }
        if (names.has(name)) {
          throw new Error(
            `mlops.sources.${source.type}: two instances are named "${name}"`,
          );
        }
        names.add(name);
        const baseUrl = block.getString('baseUrl').replace(/\/+$/, '');
        let parsed: URL;
        try {
          parsed = new URL(baseUrl);
        } catch {
          throw new Error(
            `mlops.sources.${source.type}[${name}].baseUrl is not a URL`,
          );
        }
        if (!['http:', 'https:'].includes(parsed.protocol)) {
          throw new Error(
            `mlops.sources.${source.type}[${name}].baseUrl must be http or https`,
          );
        }
        if (parsed.username || parsed.password) {
          throw new Error(
            `mlops.sources.${source.type}[${name}].baseUrl must not carry credentials; use the instance's credential keys`,
          );
        }
        const settings: SourceHttpSettings = {
          ...DEFAULT_HTTP_SETTINGS,
          ...options.httpSettings,
        };
        if (block.has('requestTimeout')) {
          settings.requestTimeoutMs = toMs(
            readDurationFromConfig(block, { key: 'requestTimeout' }),
          );
        }
        const rps = block.getOptionalNumber('requestsPerSecond');
        if (rps !== undefined) {
          if (!(rps > 0)) {
            throw new Error(
              `mlops.sources.${source.type}[${name}].requestsPerSecond must be above 0`,
            );
          }
          settings.requestsPerSecond = rps;
        }
        const key = { type: source.type, name };
        const instanceConfig: MlopsSourceInstanceConfig = {
          type: source.type,
          name,
          baseUrl,
          config: block,
          logger: options.logger.child({ source: `${source.type}/${name}` }),
        };
        const instance = await source.createInstance(instanceConfig);
        service.instances.set(`${source.type}/${name}`, {
          key,
          config: instanceConfig,
          instance,
          schedule: block.has('schedule')
            ? readSchedulerServiceTaskScheduleDefinitionFromConfig(
                block.getConfig('schedule'),
              )
            : DEFAULT_SCHEDULE,
          settings,
          circuit: new SourceCircuit(settings),
          mask: SecretMask.fromConfig(block, source.secretKeys),
        });
      }
    }
    return service;
  }

  /** Instances in config order, per type. */
  list(): Array<{ type: string; name: string; instance: MlopsSourceInstance }> {
    return [...this.instances.values()].map(r => ({
      ...r.key,
      instance: r.instance,
    }));
  }

  private require(type: string, name: string): RunningInstance {
    const running = this.instances.get(`${type}/${name}`);
    if (!running) {
      throw new NotFoundError(`No ${type} source named "${name}"`);
    }
    return running;
  }

  /** One scheduled task per instance that syncs, to run `scope: 'global'`. */
  scheduledTasks() {
    return [...this.instances.values()]
      .filter(r => r.instance.sync)
      .map(r => ({
        id: syncTaskId(r.key),
        scope: 'global' as const,
        ...r.schedule,
        fn: async (signal?: AbortSignal) => {
          await this.sync(r.key.type, r.key.name, { signal });
        },
      }));
  }

  /** The HTTP client of an instance, for query-on-read and write-back. */
  httpClient(type: string, name: string, signal?: AbortSignal) {
    const r = this.require(type, name);
    return new SourceHttpClient(r.config.baseUrl, {
      settings: r.settings,
      circuit: r.circuit,
      mask: r.mask,
      signal,
      fetchImpl: this.options.fetchImpl,
    });
  }

  /** Masks an instance's secrets in a text. */
  mask(type: string, name: string, text: string): string {
    return this.require(type, name).mask.apply(text);
  }

  /**
   * Syncs an instance now. A sync already running on this replica is joined
   * rather than doubled. Resolves when done; never rejects.
   */
  sync(
    type: string,
    name: string,
    options: { scope?: MlopsSourceSyncScope; signal?: AbortSignal } = {},
  ): Promise<void> {
    const r = this.require(type, name);
    if (!r.instance.sync) {
      return Promise.resolve();
    }
    if (r.running) {
      // A scoped sync after a full one in flight would find nothing new.
      return options.scope
        ? r.running.then(() => this.sync(type, name, options))
        : r.running;
    }
    r.running = this.runSync(r, options).finally(() => {
      r.running = undefined;
    });
    return r.running;
  }

  private async runSync(
    r: RunningInstance,
    options: { scope?: MlopsSourceSyncScope; signal?: AbortSignal },
  ): Promise<void> {
    const { state, logger } = this.options;
    const started = new Date();
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new Error('the sync ran past its timeout')),
      timeoutMsOf(r.schedule),
    );
    const onOuterAbort = () => controller.abort(options.signal?.reason);
    options.signal?.addEventListener('abort', onOuterAbort, { once: true });
    const staged = new Map<string, string>();
    const stored = await state.cursors(r.key).catch(() => new Map());
    const sinks = new SyncSinks(
      r.key,
      this.options.stores,
      r.config.logger,
      this.options.objectChanges,
    );
    try {
      await r.instance.sync!({
        instance: r.config,
        http: new SourceHttpClient(r.config.baseUrl, {
          settings: r.settings,
          circuit: r.circuit,
          mask: r.mask,
          signal: controller.signal,
          fetchImpl: this.options.fetchImpl,
        }),
        cursors: {
          get: async key => staged.get(key) ?? stored.get(key),
          set: async (key, value) => {
            staged.set(key, value);
          },
        },
        tracking: sinks.tracking,
        registry: sinks.registry,
        pipelines: sinks.pipelines,
        entities: { withAnnotation: key => this.entitiesWithAnnotation(key) },
        signal: controller.signal,
        logger: r.config.logger,
        scope: options.scope,
      });
      if (controller.signal.aborted) {
        throw controller.signal.reason ?? new Error('the sync was aborted');
      }
      await state.saveCursors(r.key, staged);
      await state.recordSuccess(r.key, {
        at: new Date(),
        durationMs: Date.now() - started.getTime(),
        counts: sinks.counts,
      });
    } catch (error) {
      // Masked, and short: a database error can quote a whole statement.
      const full = r.mask.apply(
        error instanceof Error ? error.message : String(error),
      );
      const message =
        full.length > MAX_ERROR_LENGTH
          ? `${full.slice(0, MAX_ERROR_LENGTH)}…`
          : full;
      logger.warn(
        `Sync of ${r.key.type} source "${r.key.name}" failed; the store keeps what it holds: ${message}`,
      );
      try {
        await state.recordFailure(r.key, {
          at: new Date(),
          durationMs: Date.now() - started.getTime(),
          error: message,
        });
      } catch (recordError) {
        logger.error(
          `Could not record the failed sync of ${r.key.type}/${r.key.name}: ${recordError}`,
        );
      }
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onOuterAbort);
    }
  }

  private async entitiesWithAnnotation(
    annotation: string,
  ): Promise<MlopsSourceEntity[]> {
    const { catalog, auth } = this.options;
    if (!catalog || !auth) {
      return [];
    }
    const { items } = await catalog.getEntities(
      {
        filter: {
          [`metadata.annotations.${annotation}`]: CATALOG_FILTER_EXISTS,
        },
        fields: [
          'kind',
          'metadata.namespace',
          'metadata.name',
          'metadata.annotations',
        ],
      },
      { credentials: await auth.getOwnServiceCredentials() },
    );
    return items.map(entity => ({
      entityRef: stringifyEntityRef(entity),
      annotations: entity.metadata.annotations ?? {},
    }));
  }

  /**
   * Hands a webhook to its instance; an accepted one with a scope starts a
   * sync of that scope in the background (returned for tests).
   */
  async handleWebhook(
    type: string,
    name: string,
    request: MlopsSourceWebhookRequest,
  ): Promise<{ result: MlopsSourceWebhookResult; sync?: Promise<void> }> {
    const r = this.require(type, name);
    if (!r.instance.handleWebhook) {
      throw new NotFoundError(`The ${type} source "${name}" takes no webhooks`);
    }
    const result = await r.instance.handleWebhook(request);
    if (result.accepted && result.sync) {
      return { result, sync: this.sync(type, name, { scope: result.sync }) };
    }
    return { result };
  }

  /**
   * Serving figures of a subject from the monitoring sources, first answer
   * wins. A source that fails is skipped here and shows in its status.
   */
  async windowMetrics(
    subject: MlopsMonitoringSubject,
    from: Date,
    to: Date,
    options: { stepSeconds?: number } = {},
  ): Promise<
    (MlopsSourceWindowMetrics & { source: SourceInstanceKey }) | undefined
  > {
    for (const r of this.instances.values()) {
      if (!r.instance.monitoring) continue;
      const controller = new AbortController();
      const timer = setTimeout(
        () => controller.abort(),
        r.settings.requestTimeoutMs,
      );
      try {
        const metrics = await r.instance.monitoring.windowMetrics({
          subject,
          from,
          to,
          http: this.httpClient(r.key.type, r.key.name, controller.signal),
          signal: controller.signal,
          stepSeconds: options.stepSeconds,
        });
        if (metrics) return { ...metrics, source: r.key };
      } catch (error) {
        this.options.logger.warn(
          `Monitoring source ${r.key.type}/${r.key.name} failed: ${r.mask.apply(
            String(error),
          )}`,
        );
      } finally {
        clearTimeout(timer);
      }
    }
    return undefined;
  }

  /**
   * Brings a mirrored run's history of metric `key` into the store before it
   * is read: fetched from the run's source when the store has not fetched it
   * yet, or, for a run still open, not in the last
   * {@link OPEN_RUN_HISTORY_REFRESH_MS}. A run the portal owns, or whose
   * source cannot tell, is left alone. Never rejects: a source that fails is
   * logged (masked) and the store answers with what it holds.
   */
  refreshMetricHistory(runId: string, key: string): Promise<void> {
    const id = `${runId}\u0000${key}`;
    const running = this.historyFetches.get(id);
    if (running) return running;
    const fetching = this.fetchMetricHistory(runId, key).finally(() => {
      this.historyFetches.delete(id);
    });
    this.historyFetches.set(id, fetching);
    return fetching;
  }

  private async fetchMetricHistory(runId: string, key: string): Promise<void> {
    const { state, stores, logger } = this.options;
    let r: RunningInstance | undefined;
    try {
      const origin = await state.originOf('run', runId);
      r = origin && this.instances.get(`${origin.type}/${origin.name}`);
      const source = r?.instance.tracking;
      if (!r || !source) return;
      const status = await stores.tracking.runStatus(runId);
      if (status === undefined) return;
      const fetched = await state.metricHistoryFetch(runId, key);
      if (
        fetched &&
        (fetched.runFinished ||
          Date.now() - fetched.at.getTime() < OPEN_RUN_HISTORY_REFRESH_MS)
      ) {
        return;
      }
      // Told before the fetch: a run that finishes during it is read again.
      const runFinished = FINISHED_RUN_STATUSES.includes(status);
      const controller = new AbortController();
      const timer = setTimeout(
        () => controller.abort(new Error('the history read timed out')),
        r.settings.requestTimeoutMs,
      );
      let points;
      try {
        points = await source.metricHistory({
          runId,
          key,
          http: this.httpClient(r.key.type, r.key.name, controller.signal),
          signal: controller.signal,
        });
      } finally {
        clearTimeout(timer);
      }
      // An empty answer says nothing the store should take as final.
      if (points.length === 0) return;
      await stores.tracking.mirrorMetricHistory(runId, key, points);
      await state.markMetricHistoryFetched(r.key, runId, key, runFinished);
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      logger.warn(
        `Could not read the history of metric "${key}" of run ${runId}${
          r ? ` from ${r.key.type} source "${r.key.name}"` : ''
        }; answering from the store: ${r ? r.mask.apply(text) : text}`,
      );
    }
  }

  /** Status of every configured instance, for `GET /sources`. */
  async statuses(now = new Date()): Promise<SourceInstanceStatus[]> {
    const records = await this.options.state.statuses();
    const out: SourceInstanceStatus[] = [];
    for (const r of this.instances.values()) {
      const record = records.get(`${r.key.type}/${r.key.name}`);
      const openUntil = r.circuit.openUntilMs();
      const offers: SourceInstanceStatus['offers'] = [];
      if (r.instance.sync) offers.push('sync');
      if (r.instance.monitoring) offers.push('monitoring');
      if (r.instance.handleWebhook) offers.push('webhook');
      let state: SourceInstanceStatus['state'] = 'never_synced';
      if (openUntil) state = 'circuit_open';
      else if (r.running) state = 'syncing';
      else if (record && record.consecutiveFailures > 0) state = 'failing';
      else if (record?.lastSuccessAt) state = 'ok';
      out.push({
        ...r.key,
        baseUrl: r.config.baseUrl,
        offers,
        state,
        lastSyncAt: record?.lastSyncAt,
        lastSuccessAt: record?.lastSuccessAt,
        lastDurationMs: record?.lastDurationMs,
        lagMs: record?.lastSuccessAt
          ? now.getTime() - new Date(record.lastSuccessAt).getTime()
          : undefined,
        lastCounts: record?.lastCounts ?? {},
        mirrored: await this.options.state.countsOf(r.key),
        lastError: record?.lastError,
        lastErrorAt: record?.lastErrorAt,
        consecutiveFailures: record?.consecutiveFailures ?? 0,
        circuitOpenUntil: openUntil
          ? new Date(openUntil).toISOString()
          : undefined,
      });
    }
    return out;
  }

  /**
   * The instance an object was mirrored from, with its status, when that
   * instance is failing: the health reason "source unreachable".
   */
  async unreachableSourceOf(
    kind: 'model' | 'experiment' | 'pipeline',
    name: string,
  ): Promise<SourceInstanceStatus | undefined> {
    const origin =
      kind === 'pipeline'
        ? await this.options.state.originOfPipeline(name)
        : await this.options.state.originOf(kind, name);
    if (!origin || !this.instances.has(`${origin.type}/${origin.name}`)) {
      return undefined;
    }
    const status = (await this.statuses()).find(
      s => s.type === origin.type && s.name === origin.name,
    );
    return status && status.consecutiveFailures > 0 ? status : undefined;
  }

  /**
   * Registry changes made in the portal, sent first to the system a mirrored
   * model lives in (the registry's `upstream`). A model the portal owns
   * passes untouched; one from a source that cannot write back is refused,
   * since the next sync would undo the change.
   */
  readonly registryUpstream = {
    transitionStage: (
      model: string,
      version: number,
      stage: 'None' | 'Staging' | 'Production' | 'Archived',
      archiveExisting: boolean,
    ) =>
      this.writeBack(model, (registry, http) =>
        registry.transitionStage(
          { model, version, stage, archiveExisting },
          http,
        ),
      ),
    setAlias: (model: string, alias: string, version: number) =>
      this.writeBack(model, (registry, http) =>
        registry.setAlias({ model, alias, version }, http),
      ),
    deleteAlias: (model: string, alias: string) =>
      this.writeBack(model, (registry, http) =>
        registry.deleteAlias({ model, alias }, http),
      ),
    originOf: (model: string) => this.options.state.originOf('model', model),
  };

  private async writeBack(
    model: string,
    change: (
      registry: MlopsRegistryWriteBack,
      http: SourceHttpClient,
    ) => Promise<void>,
  ): Promise<void> {
    const origin = await this.options.state.originOf('model', model);
    const r = origin && this.instances.get(`${origin.type}/${origin.name}`);
    if (!origin) {
      return;
    }
    if (!r?.instance.registry) {
      throw new ConflictError(
        `Model "${model}" is mirrored from ${origin.type} instance "${origin.name}", which the portal cannot change; change it there`,
      );
    }
    try {
      await change(
        r.instance.registry,
        this.httpClient(r.key.type, r.key.name),
      );
    } catch (error) {
      throw new ServiceUnavailableError(
        `Model "${model}" lives in ${r.key.type} instance "${
          r.key.name
        }", which did not take the change, so the portal did not either: ${r.mask.apply(
          error instanceof Error ? error.message : String(error),
        )}`,
      );
    }
  }

  /** The instance an object was mirrored from ("from central" on cards). */
  originOf(kind: 'model' | 'experiment', name: string) {
    return this.options.state.originOf(kind, name);
  }
}
