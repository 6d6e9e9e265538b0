import type {
  MlopsSource,
  MlopsSourceHttpClient,
  MlopsSourceInstance,
  MlopsSourceInstanceConfig,
  MlopsSourceMetricPoint,
  MlopsSourceModelVersion,
  MlopsSourceRegisteredModel,
  MlopsSourceRun,
  MlopsSourceSyncContext,
  MlopsRegistryWriteBack,
  MlopsTrackingQuerySource,
} from '@backstage-mlops/plugin-mlops-node';
import {
  API,
  MlflowExperiment,
  MlflowKeyValue,
  MlflowMetric,
  MlflowModelVersion,
  MlflowRegisteredModel,
  MlflowRun,
  Paged,
} from './mlflowApi';
import { MlflowWebhookReceiver } from './webhooks';

/** The source type: instances live under `mlops.sources.mlflow`. */
export const MLFLOW_SOURCE_TYPE = 'mlflow';

/** Runs per `runs/search` page; MLflow allows up to 50,000. */
const RUN_PAGE = 1000;
/** Experiments per `runs/search` call. */
const EXPERIMENTS_PER_RUN_SEARCH = 100;
/** Registered models per page; MLflow's maximum. */
const MODEL_PAGE = 1000;
/** Versions per `model-versions/search` page. */
const VERSION_PAGE = 1000;
/** Models whose versions are read at the same time. */
const VERSION_READS_IN_FLIGHT = 4;
/** Models whose versions are written in one go. */
const MODELS_PER_WRITE = 40;
/** No listing is followed further than this many pages. */
const MAX_PAGES = 10_000;
/**
 * A re-sync re-reads runs that started up to this long before the newest
 * one it saw: a run created just before the last sync read its page may
 * reach the server's index a little later.
 */
const RUN_OVERLAP_MS = 10 * 60_000;

const STAGES = ['None', 'Staging', 'Production', 'Archived'] as const;
const RUN_STATUSES = [
  'RUNNING',
  'SCHEDULED',
  'FINISHED',
  'FAILED',
  'KILLED',
] as const;

function num(value: number | string | undefined): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

/** MLflow writes NaN and the infinities as strings in JSON. */
function metricValue(value: number | string | undefined): number {
  if (typeof value === 'number') return value;
  if (value === 'NaN') return NaN;
  if (value === 'Infinity') return Infinity;
  if (value === '-Infinity') return -Infinity;
  return Number(value);
}

function record(pairs: MlflowKeyValue[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { key, value } of pairs ?? []) {
    if (key !== undefined) out[key] = value ?? '';
  }
  return out;
}

/**
 * Follows page tokens to the end. A token the server already gave in this
 * listing means it is going round in circles: that fails the sync rather
 * than looping or pretending the listing was complete.
 */
async function* pages<T extends Paged>(
  fetchPage: (token: string | undefined) => Promise<T>,
  signal: AbortSignal,
): AsyncGenerator<T> {
  const seen = new Set<string>();
  let token: string | undefined;
  for (let n = 0; n < MAX_PAGES; n++) {
    if (signal.aborted) throw signal.reason ?? new Error('aborted');
    const page = await fetchPage(token);
    yield page;
    token = page.next_page_token || undefined;
    if (!token) return;
    if (seen.has(token)) {
      throw new Error(
        `The MLflow server returned page token "${token.slice(
          0,
          40,
        )}" twice in one listing`,
      );
    }
    seen.add(token);
  }
  throw new Error(`A listing ran past ${MAX_PAGES} pages`);
}

function quoteFilterValue(value: string): string {
  return value.includes("'")
    ? `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`
    : `'${value.replace(/\\/g, '\\\\')}'`;
}

/** How the module reads one instance's config. */
export interface MlflowInstanceSettings {
  authorization?: string;
  webhookSecret?: string;
}

export function readMlflowSettings(
  config: MlopsSourceInstanceConfig['config'],
  name: string,
): MlflowInstanceSettings {
  const token = config.getOptionalString('token');
  const username = config.getOptionalString('username');
  const password = config.getOptionalString('password');
  if (token && (username || password)) {
    throw new Error(
      `mlops.sources.mlflow[${name}]: give either token or username/password, not both`,
    );
  }
  if ((username === undefined) !== (password === undefined)) {
    throw new Error(
      `mlops.sources.mlflow[${name}]: username and password go together`,
    );
  }
  let authorization: string | undefined;
  if (token) {
    authorization = `Bearer ${token}`;
  } else if (username !== undefined) {
    authorization = `Basic ${Buffer.from(`${username}:${password}`).toString(
      'base64',
    )}`;
  }
  return {
    authorization,
    webhookSecret: config.getOptionalString('webhookSecret'),
  };
}

/**
 * One MLflow server: mirrors its experiments, runs (params, tags, latest
 * metrics), registered models, versions, stages, aliases and tags, and
 * writes stage and alias changes made in the portal back to it.
 */
export class MlflowInstance implements MlopsSourceInstance {
  private readonly webhooks: MlflowWebhookReceiver;

  constructor(
    readonly name: string,
    private readonly settings: MlflowInstanceSettings,
  ) {
    this.webhooks = new MlflowWebhookReceiver(settings.webhookSecret);
  }

  private headers(): Record<string, string> {
    return this.settings.authorization
      ? { authorization: this.settings.authorization }
      : {};
  }

  async sync(context: MlopsSourceSyncContext): Promise<void> {
    const scope = context.scope;
    const started = Date.now();
    if (!scope || scope.experiments) {
      await this.syncTracking(context);
    }
    const tracked = Date.now();
    if (!scope || scope.registeredModels) {
      await this.syncRegistry(context, scope?.registeredModels);
    }
    context.logger.info(
      `MLflow sync of ${this.name}: tracking ${
        tracked - started
      } ms, registry ${Date.now() - tracked} ms`,
    );
  }

  readonly registry: MlopsRegistryWriteBack = {
    transitionStage: (change, http) =>
      this.transitionStage(
        http,
        change.model,
        change.version,
        change.stage,
        change.archiveExisting,
      ),
    setAlias: (change, http) =>
      this.setAlias(http, change.model, change.alias, change.version),
    deleteAlias: (change, http) =>
      this.deleteAlias(http, change.model, change.alias),
  };

  readonly tracking: MlopsTrackingQuerySource = {
    metricHistory: request => this.metricHistory(request),
  };

  readonly handleWebhook = (
    request: Parameters<MlflowWebhookReceiver['handle']>[0],
  ) => this.webhooks.handle(request);

  // -------------------------------------------------------------------
  // Tracking

  private async syncTracking(context: MlopsSourceSyncContext) {
    const { http, signal, cursors, tracking } = context;
    const experiments: MlflowExperiment[] = [];
    for await (const page of pages(
      token =>
        http.json<{ experiments?: MlflowExperiment[] } & Paged>({
          path: `${API}/experiments/search`,
          method: 'POST',
          headers: this.headers(),
          body: { max_results: 1000, view_type: 'ALL', page_token: token },
        }),
      signal,
    )) {
      experiments.push(...(page.experiments ?? []));
    }
    const named = experiments.filter(
      (e): e is MlflowExperiment & { experiment_id: string; name: string } =>
        !!e.experiment_id && !!e.name,
    );
    await tracking.upsertExperiments(
      named.map(e => ({
        name: e.name,
        externalId: e.experiment_id,
        lifecycleStage: e.lifecycle_stage === 'deleted' ? 'deleted' : 'active',
        tags: record(e.tags),
      })),
    );

    // Runs have no update time to search by: read newest first and stop
    // below both the newest start seen last time (minus an overlap) and
    // the oldest run that was still open, so runs that finished since are
    // read again.
    const newestBefore = num(await cursors.get('runs.newestStart'));
    const oldestOpenBefore = num(await cursors.get('runs.oldestOpenStart'));
    const stopBelow =
      newestBefore === undefined
        ? -Infinity
        : Math.min(newestBefore - RUN_OVERLAP_MS, oldestOpenBefore ?? Infinity);
    let newest = newestBefore ?? -Infinity;
    let oldestOpen = Infinity;
    // An experiment first seen now may hold old runs: read it whole.
    const known = new Set<string>(
      JSON.parse((await cursors.get('runs.experiments')) ?? '[]'),
    );
    const ids = named.map(e => e.experiment_id);
    const groups: Array<{ ids: string[]; stopBelow: number }> = [];
    for (const [list, stop] of [
      [ids.filter(id => known.has(id)), stopBelow],
      [ids.filter(id => !known.has(id)), -Infinity],
    ] as const) {
      for (let i = 0; i < list.length; i += EXPERIMENTS_PER_RUN_SEARCH) {
        groups.push({
          ids: list.slice(i, i + EXPERIMENTS_PER_RUN_SEARCH),
          stopBelow: stop,
        });
      }
    }
    for (const group of groups) {
      const listing = pages(
        token =>
          http.json<{ runs?: MlflowRun[] } & Paged>({
            path: `${API}/runs/search`,
            method: 'POST',
            headers: this.headers(),
            body: {
              experiment_ids: group.ids,
              max_results: RUN_PAGE,
              run_view_type: 'ALL',
              order_by: ['attributes.start_time DESC'],
              page_token: token,
            },
          }),
        signal,
      )[Symbol.asyncIterator]();
      let next:
        | Promise<IteratorResult<{ runs?: MlflowRun[] } & Paged>>
        | undefined = listing.next();
      while (next) {
        const { value: page, done } = await next;
        if (done) break;
        const runs = (page.runs ?? [])
          .map(toSourceRun)
          .filter((r): r is MlopsSourceRun => r !== undefined);
        let reachedKnown = false;
        for (const run of runs) {
          newest = Math.max(newest, run.startTime);
          if (run.status === 'RUNNING' || run.status === 'SCHEDULED') {
            oldestOpen = Math.min(oldestOpen, run.startTime);
          }
          if (run.startTime < group.stopBelow) reachedKnown = true;
        }
        // The next page is read while this one is written, unless this one
        // already reached runs the last sync saw.
        next = reachedKnown ? undefined : listing.next();
        next?.catch(() => undefined);
        await tracking.upsertRuns(runs);
      }
      if (!next) await listing.return?.(undefined);
    }
    await cursors.set('runs.experiments', JSON.stringify(ids));
    if (Number.isFinite(newest)) {
      await cursors.set('runs.newestStart', String(newest));
    }
    await cursors.set(
      'runs.oldestOpenStart',
      Number.isFinite(oldestOpen) ? String(oldestOpen) : '',
    );
  }

  /**
   * A run's whole history of one metric, read when the portal is first asked
   * for it (`metrics/get-history`, paged to the end).
   */
  private async metricHistory(
    request: Parameters<MlopsTrackingQuerySource['metricHistory']>[0],
  ): Promise<MlopsSourceMetricPoint[]> {
    const points: MlopsSourceMetricPoint[] = [];
    for await (const page of pages(
      token =>
        request.http.json<{ metrics?: MlflowMetric[] } & Paged>({
          path: `${API}/metrics/get-history`,
          headers: this.headers(),
          query: {
            run_id: request.runId,
            metric_key: request.key,
            // No max_results: MLflow then answers the whole history at
            // once; a server that pages anyway sends a token, followed here.
            page_token: token,
          },
        }),
      request.signal,
    )) {
      for (const metric of page.metrics ?? []) {
        const timestamp = num(metric.timestamp);
        if (metric.value === undefined || timestamp === undefined) continue;
        points.push({
          value: metricValue(metric.value),
          step: num(metric.step) ?? 0,
          timestamp,
        });
      }
    }
    return points;
  }

  // -------------------------------------------------------------------
  // Registry

  private async syncRegistry(
    context: MlopsSourceSyncContext,
    only: string[] | undefined,
  ) {
    const { http, signal, cursors, registry } = context;
    const models: MlflowRegisteredModel[] = [];
    if (only) {
      for (const name of only) {
        try {
          const answer = await http.json<{
            registered_model?: MlflowRegisteredModel;
          }>({
            path: `${API}/registered-models/get`,
            query: { name },
            headers: this.headers(),
          });
          if (answer.registered_model) models.push(answer.registered_model);
        } catch (error) {
          // A model deleted upstream stays in the store; nothing to mirror.
          if ((error as { code?: string }).code === 'RESOURCE_DOES_NOT_EXIST') {
            continue;
          }
          throw error;
        }
      }
    } else {
      for await (const page of pages(
        token =>
          http.json<{ registered_models?: MlflowRegisteredModel[] } & Paged>({
            path: `${API}/registered-models/search`,
            query: { max_results: MODEL_PAGE, page_token: token },
            headers: this.headers(),
          }),
        signal,
      )) {
        models.push(...(page.registered_models ?? []));
      }
    }
    const named = models.filter(
      (m): m is MlflowRegisteredModel & { name: string } => !!m.name,
    );
    await registry.upsertModels(named.map(toSourceModel));

    // A model's versions are read again only when something the model
    // listing shows moved: its update time, its aliases, the latest
    // version per stage. A webhook-triggered sync always reads them.
    const changed: Array<{ name: string; key: string; print: string }> = [];
    for (const model of named) {
      const print = JSON.stringify([
        model.last_updated_timestamp,
        (model.aliases ?? []).map(a => `${a.alias}=${a.version}`).sort(),
        (model.latest_versions ?? [])
          .map(v => `${v.version}:${v.current_stage}`)
          .sort(),
      ]);
      const key = `model:${model.name}`;
      if (only || (await cursors.get(key)) !== print) {
        changed.push({ name: model.name, key, print });
      }
    }
    // A few models' versions in flight at once (the rate limit, not the
    // round trip, then bounds a first sync), written a group of models at a
    // time (one transaction each).
    const groups: Array<typeof changed> = [];
    for (let i = 0; i < changed.length; i += MODELS_PER_WRITE) {
      groups.push(changed.slice(i, i + MODELS_PER_WRITE));
    }
    const readGroup = async (group: typeof changed) => {
      const versions: MlopsSourceModelVersion[] = [];
      for (let j = 0; j < group.length; j += VERSION_READS_IN_FLIGHT) {
        if (signal.aborted) throw signal.reason ?? new Error('aborted');
        const reads = await Promise.all(
          group
            .slice(j, j + VERSION_READS_IN_FLIGHT)
            .map(model => this.readVersions(context, model.name)),
        );
        versions.push(...reads.flat());
      }
      return versions;
    };
    // The next group is read while this one is written.
    let next = groups.length > 0 ? readGroup(groups[0]) : undefined;
    for (let g = 0; g < groups.length; g++) {
      const versions = await next!;
      next = g + 1 < groups.length ? readGroup(groups[g + 1]) : undefined;
      // Awaited in the next round; until then a failure must not count as
      // unhandled.
      next?.catch(() => undefined);
      await registry.upsertVersions(versions);
      for (const model of groups[g]) {
        await cursors.set(model.key, model.print);
      }
    }
  }

  private async readVersions(
    context: MlopsSourceSyncContext,
    model: string,
  ): Promise<MlopsSourceModelVersion[]> {
    const versions: MlopsSourceModelVersion[] = [];
    for await (const page of pages(
      token =>
        context.http.json<{ model_versions?: MlflowModelVersion[] } & Paged>({
          path: `${API}/model-versions/search`,
          query: {
            filter: `name=${quoteFilterValue(model)}`,
            max_results: VERSION_PAGE,
            page_token: token,
          },
          headers: this.headers(),
        }),
      context.signal,
    )) {
      for (const v of page.model_versions ?? []) {
        const mapped = toSourceVersion(v, model);
        if (mapped) versions.push(mapped);
      }
    }
    return versions;
  }

  // -------------------------------------------------------------------
  // Write-back, after the portal's own permission check

  async transitionStage(
    http: MlopsSourceHttpClient,
    model: string,
    version: number,
    stage: string,
    archiveExisting: boolean,
  ): Promise<void> {
    await http.json({
      path: `${API}/model-versions/transition-stage`,
      method: 'POST',
      headers: this.headers(),
      body: {
        name: model,
        version: String(version),
        stage,
        archive_existing_versions: archiveExisting,
      },
    });
  }

  async setAlias(
    http: MlopsSourceHttpClient,
    model: string,
    alias: string,
    version: number,
  ): Promise<void> {
    await http.json({
      path: `${API}/registered-models/alias`,
      method: 'POST',
      headers: this.headers(),
      body: { name: model, alias, version: String(version) },
    });
  }

  async deleteAlias(
    http: MlopsSourceHttpClient,
    model: string,
    alias: string,
  ): Promise<void> {
    await http.json({
      path: `${API}/registered-models/alias`,
      method: 'DELETE',
      headers: this.headers(),
      query: { name: model, alias },
    });
  }
}

export function toSourceRun(run: MlflowRun): MlopsSourceRun | undefined {
  const info = run.info ?? {};
  const id = info.run_id ?? info.run_uuid;
  const startTime = num(info.start_time);
  if (!id || !info.experiment_id || startTime === undefined || id.length > 32) {
    return undefined;
  }
  const status = RUN_STATUSES.find(s => s === info.status) ?? 'RUNNING';
  return {
    id,
    experimentExternalId: info.experiment_id,
    name: info.run_name || undefined,
    status,
    startTime,
    endTime: num(info.end_time),
    userId: info.user_id || undefined,
    lifecycleStage: info.lifecycle_stage === 'deleted' ? 'deleted' : 'active',
    params: record(run.data?.params),
    tags: record(run.data?.tags),
    latestMetrics: (run.data?.metrics ?? [])
      .filter(m => m.key !== undefined)
      .map(m => ({
        key: m.key!,
        value: metricValue(m.value),
        step: num(m.step) ?? 0,
        timestamp: num(m.timestamp) ?? startTime,
      })),
  };
}

export function toSourceModel(
  model: MlflowRegisteredModel & { name: string },
): MlopsSourceRegisteredModel {
  const aliases: Record<string, number> = {};
  for (const { alias, version } of model.aliases ?? []) {
    const n = num(version);
    if (alias && n !== undefined) aliases[alias] = n;
  }
  return {
    name: model.name,
    description: model.description || undefined,
    tags: record(model.tags),
    aliases,
    createdAt: num(model.creation_timestamp),
    updatedAt: num(model.last_updated_timestamp),
  };
}

export function toSourceVersion(
  version: MlflowModelVersion,
  model: string,
): MlopsSourceModelVersion | undefined {
  const n = num(version.version);
  if (n === undefined || !Number.isInteger(n) || n < 1) return undefined;
  return {
    model,
    version: n,
    stage: STAGES.find(s => s === version.current_stage) ?? 'None',
    status: version.status,
    runId: version.run_id || undefined,
    artifactUri: version.source || undefined,
    description: version.description || undefined,
    tags: record(version.tags),
    createdBy: version.user_id || undefined,
    createdAt: num(version.creation_timestamp),
    updatedAt: num(version.last_updated_timestamp),
  };
}

/**
 * The MLflow source for `mlopsSourcesExtensionPoint`.
 *
 * @public
 */
export function createMlflowSource(): MlopsSource {
  return {
    type: MLFLOW_SOURCE_TYPE,
    createInstance: ({ name, config }) =>
      new MlflowInstance(name, readMlflowSettings(config, name)),
  };
}
