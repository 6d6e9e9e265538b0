import {
  EntityExperiment,
  Experiment,
  LatestMetric,
  MetricHistory,
  Run,
  RunComparison,
  RunComparisonRow,
  RunFilterClause,
  RunOrderBy,
  RunStatus,
  SearchRunsResponse,
  MetricValue,
} from '@backstage-mlops/plugin-mlops-common';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import { createHash, randomUUID } from 'crypto';
import { Knex } from 'knex';
import { writeMetrics } from './metricWriter';
import {
  ObjectReadScope,
  UNRESTRICTED_READ_SCOPE,
} from '../permissions/MlopsObjectReadAccess';
import {
  fromStoredValue,
  toMetricValue,
  toStoredValue,
} from './metricValues';
import {
  isUniqueViolation,
  readIso,
  readJsonTags,
  readRequiredIso,
} from '../database/values';

const EXPERIMENTS = 'mlops_experiments';
const RUNS = 'mlops_runs';
const PARAMS = 'mlops_run_params';
const TAGS = 'mlops_run_tags';
const METRICS = 'mlops_run_metrics';
const LATEST = 'mlops_run_latest_metrics';

/** Run ids per `whereIn` when loading params, tags and metrics. */
const LOAD_CHUNK = 500;

const TERMINAL_STATUSES: RunStatus[] = ['FINISHED', 'FAILED', 'KILLED'];

/** A new experiment, already validated. */
export interface NewExperiment {
  name: string;
  owner?: string;
  description?: string;
  tags?: Record<string, string>;
}

/** A new run, already validated; times are epoch milliseconds. */
export interface NewRun {
  experimentId?: string;
  experimentName?: string;
  name?: string;
  status?: RunStatus;
  startTime?: number;
  user?: string;
  source?: string;
  parentRunId?: string;
  tags?: Record<string, string>;
}

/** A change to a run, already validated; times are epoch milliseconds. */
export interface RunUpdate {
  name?: string;
  status?: RunStatus;
  endTime?: number;
  deleted?: boolean;
}

/** One metric measurement, already validated (value may be NaN or ±Infinity). */
export interface MetricMeasurement {
  key: string;
  value: number;
  step: number;
  timestamp: number;
}

/** A validated log batch. */
export interface RunBatch {
  metrics: MetricMeasurement[];
  params: Array<{ key: string; value: string }>;
  tags: Array<{ key: string; value: string }>;
}

/** A validated run search. */
export interface RunSearch {
  experimentIds?: string[];
  experimentNames?: string[];
  filter: RunFilterClause[];
  orderBy?: RunOrderBy;
  pageSize: number;
  pageToken?: string;
  includeDeleted: boolean;
}

/** What {@link TrackingStore.getRunSnapshot} answers (RunSnapshotSource). */
export interface RunSnapshot {
  experimentName: string;
  params: Record<string, string>;
  metrics: Record<string, number>;
}

interface PageCursor {
  /** Fingerprint of the search the token was issued for. */
  f: string;
  /** 1 when the last run had no sort value, else 0. */
  m: 0 | 1;
  /** The sort value of the last run. */
  v: string | number | null;
  /** The id of the last run. */
  id: string;
}

function optional(value: unknown): string | undefined {
  return value === null || value === undefined || value === ''
    ? undefined
    : String(value);
}

function toExperiment(row: any): Experiment {
  return {
    id: String(row.id),
    name: row.name,
    owner: optional(row.owner),
    description: optional(row.description),
    tags: readJsonTags(row.tags),
    lifecycleStage: row.lifecycle_stage === 'deleted' ? 'deleted' : 'active',
    createdAt: readRequiredIso(row.created_at),
    updatedAt: readRequiredIso(row.updated_at),
  };
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) {
    out.push(items.slice(i, i + size));
  }
  return out;
}

function truncate(text: string, max = 80): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/**
 * Experiments, runs, params, tags and metrics, on knex (SQLite or
 * PostgreSQL). Implements `RunSnapshotSource` for the model registry.
 */
export class TrackingStore {
  static async create(options: { db: Knex }): Promise<TrackingStore> {
    const client = String(options.db.client.config.client);
    if (client === 'better-sqlite3' || client === 'sqlite3') {
      // The embedded default: in WAL mode a commit is one sync of the log
      // instead of syncing a rollback journal and the database file (a
      // 1,000-metric batch went from ~30 ms of commit to ~3 ms here), and
      // readers (cards, search) no longer wait for a writer. The setting
      // is stored in the database file; in-memory databases ignore it.
      await options.db.raw('pragma journal_mode = WAL');
    }
    return new TrackingStore(options.db);
  }

  constructor(private readonly db: Knex) {}

  // ---------------------------------------------------------------------
  // Experiments

  async createExperiment(input: NewExperiment): Promise<Experiment> {
    const now = new Date();
    try {
      await this.db(EXPERIMENTS).insert({
        name: input.name,
        owner: input.owner ?? null,
        description: input.description ?? null,
        tags: JSON.stringify(input.tags ?? {}),
        created_at: now,
        updated_at: now,
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new ConflictError(
          `An experiment named "${input.name}" already exists`,
        );
      }
      throw error;
    }
    return (await this.findExperimentByName(input.name))!;
  }

  /** The experiments `scope` lets the caller read, by name. */
  async listExperiments(
    options: { owner?: string; scope?: ObjectReadScope } = {},
  ): Promise<Experiment[]> {
    const query = this.db(EXPERIMENTS).select('*').orderBy('name');
    if (options.owner) {
      query.where('owner', options.owner);
    }
    const scope = options.scope ?? UNRESTRICTED_READ_SCOPE;
    return (await scope.restrict(query, 'experiment', 'name')).map(
      toExperiment,
    );
  }

  async findExperimentByName(
    name: string,
    scope: ObjectReadScope = UNRESTRICTED_READ_SCOPE,
  ): Promise<Experiment | undefined> {
    const row = await scope
      .restrict(this.db(EXPERIMENTS).where({ name }), 'experiment', 'name')
      .first();
    return row ? toExperiment(row) : undefined;
  }

  async findExperimentById(
    id: string,
    scope: ObjectReadScope = UNRESTRICTED_READ_SCOPE,
  ): Promise<Experiment | undefined> {
    if (!/^\d{1,18}$/.test(id)) {
      return undefined;
    }
    const row = await scope
      .restrict(this.db(EXPERIMENTS).where({ id }), 'experiment', 'name')
      .first();
    return row ? toExperiment(row) : undefined;
  }

  /**
   * An experiment by id, or by name when no experiment has that id (names
   * may be all digits, ids always are). One outside `scope` is not found.
   */
  async getExperiment(
    idOrName: string,
    scope: ObjectReadScope = UNRESTRICTED_READ_SCOPE,
  ): Promise<Experiment> {
    const experiment =
      (await this.findExperimentById(idOrName, scope)) ??
      (await this.findExperimentByName(idOrName, scope));
    if (!experiment) {
      throw new NotFoundError(`No experiment with id or name "${idOrName}"`);
    }
    return experiment;
  }

  /** Renames an experiment; the new name must not be taken. */
  async renameExperiment(id: string, newName: string): Promise<Experiment> {
    await this.requireExperiment(id);
    try {
      await this.db(EXPERIMENTS)
        .where({ id })
        .update({ name: newName, updated_at: new Date() });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new ConflictError(`An experiment named "${newName}" already exists`);
      }
      throw error;
    }
    return (await this.findExperimentById(id))!;
  }

  /**
   * Soft-deletes an experiment or restores it (MLflow's lifecycle stage): a
   * deleted experiment keeps its runs and can be restored.
   */
  async setExperimentLifecycle(
    id: string,
    stage: 'active' | 'deleted',
  ): Promise<void> {
    await this.requireExperiment(id);
    await this.db(EXPERIMENTS)
      .where({ id })
      .update({ lifecycle_stage: stage, updated_at: new Date() });
  }

  /** Sets one tag of an experiment, overwriting its earlier value. */
  async setExperimentTag(id: string, key: string, value: string): Promise<void> {
    await this.db.transaction(async tx => {
      const row = await tx(EXPERIMENTS).where({ id }).first('tags');
      if (!row) {
        throw new NotFoundError(`No experiment with id ${id}`);
      }
      const tags = { ...readJsonTags(row.tags), [key]: value };
      await tx(EXPERIMENTS)
        .where({ id })
        .update({ tags: JSON.stringify(tags), updated_at: new Date() });
    });
  }

  private async requireExperiment(id: string): Promise<Experiment> {
    const experiment = await this.findExperimentById(id);
    if (!experiment) {
      throw new NotFoundError(`No experiment with id ${id}`);
    }
    return experiment;
  }

  // ---------------------------------------------------------------------
  // Runs

  async createRun(input: NewRun): Promise<Run> {
    const experiment = input.experimentId
      ? await this.findExperimentById(input.experimentId)
      : await this.findExperimentByName(input.experimentName ?? '');
    if (!experiment) {
      throw new NotFoundError(
        input.experimentId
          ? `No experiment with id ${input.experimentId}`
          : `No experiment named "${input.experimentName}"`,
      );
    }
    const id = randomUUID().replace(/-/g, '');
    const status = input.status ?? 'RUNNING';
    const startTime = input.startTime ?? Date.now();
    await this.db.transaction(async tx => {
      if (input.parentRunId) {
        const parent = await tx(RUNS).where({ id: input.parentRunId }).first('id');
        if (!parent) {
          throw new NotFoundError(`No parent run with id ${input.parentRunId}`);
        }
      }
      await tx(RUNS).insert({
        id,
        experiment_id: experiment.id,
        name: input.name ?? null,
        status,
        start_time: startTime,
        end_time: TERMINAL_STATUSES.includes(status) ? startTime : null,
        user_id: input.user ?? null,
        source: input.source ?? null,
        parent_run_id: input.parentRunId ?? null,
        deleted: false,
      });
      const tags = Object.entries(input.tags ?? {});
      if (tags.length > 0) {
        await tx(TAGS).insert(
          tags.map(([key, value]) => ({ run_id: id, key, value })),
        );
      }
    });
    return this.getRun(id);
  }

  /**
   * Resolves when every run is in an experiment `scope` lets the caller
   * read; otherwise throws the NotFoundError of an unknown run, so a hidden
   * run cannot be told from one that does not exist.
   */
  async requireReadableRuns(
    ids: string[],
    scope: ObjectReadScope,
  ): Promise<void> {
    if (!scope.restricted || ids.length === 0) {
      return;
    }
    const readable = new Set<string>(
      await scope
        .restrict(
          this.db(RUNS).whereIn('id', ids),
          'experiment',
          'experiment_id',
          'id',
        )
        .pluck('id'),
    );
    const hidden = ids.find(id => !readable.has(id));
    if (hidden !== undefined) {
      throw new NotFoundError(`No run with id ${hidden}`);
    }
  }

  async getRun(id: string): Promise<Run> {
    const [run] = await this.loadRuns([id]);
    if (!run) {
      throw new NotFoundError(`No run with id ${id}`);
    }
    return run;
  }

  async updateRun(id: string, update: RunUpdate): Promise<Run> {
    await this.db.transaction(async tx => {
      const row = await tx(RUNS).where({ id }).first('id', 'end_time');
      if (!row) {
        throw new NotFoundError(`No run with id ${id}`);
      }
      const patch: Record<string, unknown> = {};
      if (update.name !== undefined) {
        patch.name = update.name;
      }
      if (update.status !== undefined) {
        patch.status = update.status;
        if (TERMINAL_STATUSES.includes(update.status)) {
          patch.end_time = update.endTime ?? row.end_time ?? Date.now();
        } else {
          // A run that starts again has not ended.
          patch.end_time = update.endTime ?? null;
        }
      } else if (update.endTime !== undefined) {
        patch.end_time = update.endTime;
      }
      if (update.deleted !== undefined) {
        patch.deleted = update.deleted;
      }
      if (Object.keys(patch).length > 0) {
        await tx(RUNS).where({ id }).update(patch);
      }
    });
    return this.getRun(id);
  }

  /**
   * Writes params, tags and metrics of one run in one transaction. Any
   * problem (unknown or deleted run, a param logged before with another
   * value) rolls back the whole batch.
   */
  async logBatch(runId: string, batch: RunBatch): Promise<void> {
    const params = new Map<string, string>();
    for (const { key, value } of batch.params) {
      const previous = params.get(key);
      if (previous !== undefined && previous !== value) {
        throw new InputError(
          `Param "${key}" appears twice in the batch with different values`,
        );
      }
      params.set(key, value);
    }
    const tags = new Map<string, string>();
    for (const { key, value } of batch.tags) {
      tags.set(key, value);
    }
    // The latest value per key among the batch, by MLflow's rule: highest
    // step, then newest timestamp, then largest value.
    const latest = new Map<string, MetricMeasurement>();
    for (const metric of batch.metrics) {
      const current = latest.get(metric.key);
      if (!current || isLater(metric, current)) {
        latest.set(metric.key, metric);
      }
    }

    await this.db.transaction(async tx => {
      const run = await tx(RUNS).where({ id: runId }).first('id', 'deleted');
      if (!run) {
        throw new NotFoundError(`No run with id ${runId}`);
      }
      if (run.deleted === true || run.deleted === 1) {
        throw new ConflictError(
          `Run ${runId} is deleted; restore it before logging to it`,
        );
      }

      if (params.size > 0) {
        const existing: Array<{ key: string; value: string }> = await tx(PARAMS)
          .where('run_id', runId)
          .whereIn('key', [...params.keys()])
          .select('key', 'value');
        for (const row of existing) {
          const value = params.get(row.key)!;
          if (row.value !== value) {
            throw new ConflictError(
              `Param "${row.key}" of run ${runId} is already "${truncate(
                row.value,
              )}" and cannot be changed to "${truncate(
                value,
              )}": params are write-once`,
            );
          }
          params.delete(row.key);
        }
        if (params.size > 0) {
          try {
            await tx(PARAMS).insert(
              [...params].map(([key, value]) => ({ run_id: runId, key, value })),
            );
          } catch (error) {
            if (isUniqueViolation(error)) {
              throw new ConflictError(
                `Params of run ${runId} were logged concurrently; retry the batch`,
              );
            }
            throw error;
          }
        }
      }

      if (tags.size > 0) {
        await tx(TAGS)
          .insert([...tags].map(([key, value]) => ({ run_id: runId, key, value })))
          .onConflict(['run_id', 'key'])
          .merge(['value']);
      }

      await writeMetrics(tx, runId, batch.metrics, [...latest.values()]);
    });
  }

  /** Removes one tag of a run; removing a tag the run lacks is an error, as in MLflow. */
  async deleteRunTag(runId: string, key: string): Promise<void> {
    await this.db.transaction(async tx => {
      const run = await tx(RUNS).where({ id: runId }).first('id');
      if (!run) {
        throw new NotFoundError(`No run with id ${runId}`);
      }
      const removed = await tx(TAGS).where({ run_id: runId, key }).delete();
      if (removed === 0) {
        throw new NotFoundError(`Run ${runId} has no tag "${key}"`);
      }
    });
  }

  async getMetricHistory(runId: string, key: string): Promise<MetricHistory> {
    const run = await this.db(RUNS).where({ id: runId }).first('id');
    if (!run) {
      throw new NotFoundError(`No run with id ${runId}`);
    }
    const rows = await this.db(METRICS)
      .where({ run_id: runId, key })
      .orderBy([
        { column: 'step', order: 'asc' },
        { column: 'timestamp', order: 'asc' },
      ])
      .select('value', 'is_nan', 'step', 'timestamp');
    if (rows.length === 0) {
      throw new NotFoundError(`Run ${runId} has no metric "${key}"`);
    }
    return {
      runId,
      key,
      points: rows.map(row => ({
        value: toMetricValue(fromStoredValue(row.value, row.is_nan)),
        step: Number(row.step),
        timestamp: Number(row.timestamp),
      })),
    };
  }

  // ---------------------------------------------------------------------
  // Search and compare

  /** Runs matching `search`, only in experiments `scope` lets the caller read. */
  async searchRuns(
    search: RunSearch,
    scope: ObjectReadScope = UNRESTRICTED_READ_SCOPE,
  ): Promise<SearchRunsResponse> {
    const db = this.db;
    const orderBy: RunOrderBy = search.orderBy ?? {
      type: 'attribute',
      key: 'start_time',
      direction: 'desc',
    };
    const direction = orderBy.direction === 'asc' ? 'asc' : 'desc';
    const fingerprint = createHash('sha256')
      .update(
        JSON.stringify([
          search.experimentIds,
          search.experimentNames,
          search.filter,
          orderBy,
          search.includeDeleted,
        ]),
      )
      .digest('base64url')
      .slice(0, 16);

    // SQLite's planner joins the table with the narrowest filter first and
    // then sorts every match; a CROSS JOIN fixes the join order (outer table
    // first) so that the table the page is ordered by drives the loop and
    // the scan stops at the page size. PostgreSQL finds that plan itself,
    // and has no CROSS JOIN with a condition.
    const sqlite = String(db.client.config.client).includes('sqlite');
    const joinOn = (
      query: Knex.QueryBuilder,
      table: string,
      on: (join: Knex.JoinClause) => void,
    ) =>
      sqlite
        ? query.crossJoin(table, on as any)
        : query.join(table, on as any);

    // The runs the search matches, before ordering; `driver` is the table
    // of sort values a page is read in the order of.
    const matching = (driver?: {
      table: string;
      present: (join: Knex.JoinClause) => void;
      where: (query: Knex.QueryBuilder) => void;
    }) => {
      let query: Knex.QueryBuilder;
      if (driver && sqlite) {
        query = db(`${driver.table} as o`);
        driver.where(query);
        query.crossJoin(`${RUNS} as r`, 'r.id', 'o.run_id');
      } else {
        query = db(`${RUNS} as r`);
        if (driver) {
          query.join(`${driver.table} as o`, driver.present as any);
        }
      }
      if (search.experimentIds) {
        query.whereIn(
          'r.experiment_id',
          search.experimentIds.filter(id => /^\d{1,18}$/.test(id)),
        );
      }
      if (search.experimentNames) {
        query.whereIn(
          'r.experiment_id',
          db(EXPERIMENTS).whereIn('name', search.experimentNames).select('id'),
        );
      }
      if (!search.includeDeleted) {
        query.where('r.deleted', false);
      }
      scope.restrict(query, 'experiment', 'r.experiment_id', 'id');
      search.filter.forEach((clause, i) => {
        const alias = `f${i}`;
        const op = clause.op === '!=' ? '<>' : clause.op;
        switch (clause.type) {
          case 'metric':
            joinOn(query, `${LATEST} as ${alias}`, join =>
              join
                .on(`${alias}.run_id`, 'r.id')
                .andOnVal(`${alias}.key`, clause.key)
                .andOnVal(`${alias}.is_nan`, false),
            ).where(`${alias}.value`, op, toStoredValue(clause.value).value);
            break;
          case 'param':
          case 'tag':
            joinOn(query, `${clause.type === 'param' ? PARAMS : TAGS} as ${alias}`, join =>
              join.on(`${alias}.run_id`, 'r.id').andOnVal(`${alias}.key`, clause.key),
            ).where(`${alias}.value`, op, clause.value);
            break;
          case 'status':
            query.where('r.status', op, clause.value);
            break;
          default:
            throw new InputError('Unknown filter clause');
        }
      });
      return query;
    };

    // Runs with a sort value come first, ordered by (value, id) in the
    // requested direction; this order is the order of the indexes
    // (key, is_nan, value, run_id) and (experiment_id, start_time, id), so
    // the database walks an index and stops at the page size instead of
    // sorting every match. Runs without a sort value (missing metric or
    // param, NaN, no end time) follow, by id.
    let withValue: () => Knex.QueryBuilder;
    let withoutValue: (() => Knex.QueryBuilder) | undefined;
    let valueColumn: string;
    let idColumn: string;
    let numeric = true;
    if (orderBy.type === 'metric' || orderBy.type === 'param') {
      const table = orderBy.type === 'metric' ? LATEST : PARAMS;
      const present = (join: Knex.JoinClause) => {
        join.on('o.run_id', 'r.id').andOnVal('o.key', orderBy.key);
        if (orderBy.type === 'metric') {
          join.andOnVal('o.is_nan', false);
        }
        return join;
      };
      withValue = () =>
        matching({
          table,
          present,
          where: query => {
            query.where('o.key', orderBy.key);
            if (orderBy.type === 'metric') {
              query.where('o.is_nan', false);
            }
          },
        });
      const sortKey = orderBy.key;
      const isMetric = orderBy.type === 'metric';
      withoutValue = () =>
        matching().whereNotExists(function missing() {
          this.select(db.raw('1'))
            .from(`${table} as o`)
            .whereRaw('o.run_id = r.id')
            .andWhere('o.key', sortKey);
          if (isMetric) {
            this.andWhere('o.is_nan', false);
          }
        });
      valueColumn = 'o.value';
      idColumn = 'o.run_id';
      numeric = orderBy.type === 'metric';
    } else {
      const column = {
        start_time: 'r.start_time',
        end_time: 'r.end_time',
        name: 'r.name',
      }[orderBy.key];
      if (!column) {
        throw new InputError(`Cannot order runs by attribute "${orderBy.key}"`);
      }
      numeric = orderBy.key !== 'name';
      valueColumn = column;
      idColumn = 'r.id';
      if (orderBy.key === 'start_time') {
        withValue = matching;
      } else {
        withValue = () => matching().whereNotNull(column);
        withoutValue = () => matching().whereNull(column);
      }
    }

    let cursor: PageCursor | undefined;
    if (search.pageToken) {
      cursor = decodeCursor(search.pageToken);
      if (cursor.f !== fingerprint) {
        throw new InputError(
          'The page token belongs to a different search; start again without it',
        );
      }
    }

    const limit = search.pageSize + 1;
    type Row = { id: string; sort_value: unknown; missing: 0 | 1 };
    const rows: Row[] = [];
    if (!cursor || cursor.m === 0) {
      const query = withValue().select(
        `${idColumn} as id`,
        `${valueColumn} as sort_value`,
      );
      if (cursor) {
        const after = direction === 'asc' ? '>' : '<';
        query.where(inner =>
          inner
            .where(valueColumn, after, cursor!.v as any)
            .orWhere(tie =>
              tie.where(valueColumn, cursor!.v as any).andWhere(idColumn, after, cursor!.id),
            ),
        );
      }
      const found: Array<{ id: string; sort_value: unknown }> = await query
        .orderBy([
          { column: valueColumn, order: direction },
          { column: idColumn, order: direction },
        ])
        .limit(limit);
      rows.push(...found.map(row => ({ ...row, missing: 0 as const })));
    }
    if (rows.length < limit && withoutValue) {
      const query = withoutValue().select('r.id as id');
      if (cursor?.m === 1) {
        query.where('r.id', '>', cursor.id);
      }
      const found: Array<{ id: string }> = await query
        .orderBy('r.id', 'asc')
        .limit(limit - rows.length);
      rows.push(
        ...found.map(row => ({ id: row.id, sort_value: null, missing: 1 as const })),
      );
    }

    const page = rows.slice(0, search.pageSize);
    const runs = await this.loadRuns(page.map(row => row.id));
    let nextPageToken: string | undefined;
    if (rows.length > search.pageSize) {
      const last = page[page.length - 1];
      let value: string | number | null = null;
      if (last.missing === 0) {
        value = numeric ? Number(last.sort_value) : String(last.sort_value);
      }
      nextPageToken = encodeCursor({ f: fingerprint, m: last.missing, v: value, id: last.id });
    }
    return { runs, nextPageToken };
  }

  async compareRuns(ids: string[]): Promise<RunComparison> {
    const unique = [...new Set(ids)];
    const runs = await this.loadRuns(unique);
    const found = new Set(runs.map(r => r.id));
    const unknown = unique.filter(id => !found.has(id));
    if (unknown.length > 0) {
      throw new NotFoundError(`No runs with ids ${unknown.join(', ')}`);
    }
    const rowsOf = <T>(pick: (run: Run) => Record<string, T>) => {
      const keys = [...new Set(runs.flatMap(run => Object.keys(pick(run))))].sort();
      return keys.map(key => {
        const values: Record<string, T | null> = {};
        for (const run of runs) {
          values[run.id] = pick(run)[key] ?? null;
        }
        const distinct = new Set(Object.values(values).map(v => JSON.stringify(v)));
        return { key, values, differs: distinct.size > 1 } as RunComparisonRow<T>;
      });
    };
    return {
      runs: runs.map(run => ({
        id: run.id,
        name: run.name,
        status: run.status,
        experimentName: run.experimentName,
      })),
      params: rowsOf<string>(run => run.params),
      metrics: rowsOf<MetricValue>(run =>
        Object.fromEntries(
          Object.entries(run.metrics).map(([key, m]) => [key, m.value]),
        ),
      ),
    };
  }

  // ---------------------------------------------------------------------
  // Reads for entity cards and other capabilities

  /**
   * The named experiments with their most recent runs (newest first).
   * Names the store does not know are returned in `missing`.
   */
  async experimentsWithRecentRuns(
    names: string[],
    runLimit: number,
  ): Promise<{ experiments: EntityExperiment[]; missing: string[] }> {
    const experiments: EntityExperiment[] = [];
    const missing: string[] = [];
    for (const name of names) {
      const experiment = await this.findExperimentByName(name);
      if (!experiment) {
        missing.push(name);
        continue;
      }
      const ids = await this.db(RUNS)
        .where({ experiment_id: experiment.id, deleted: false })
        .orderBy([
          { column: 'start_time', order: 'desc' },
          { column: 'id', order: 'asc' },
        ])
        .limit(runLimit)
        .pluck('id');
      experiments.push({ experiment, runs: await this.loadRuns(ids) });
    }
    return { experiments, missing };
  }

  /** The experiment names the given registered models link to. */
  async experimentNamesOfModels(models: string[]): Promise<string[]> {
    if (models.length === 0) {
      return [];
    }
    const rows: Array<{ experiment_name: string | null }> = await this.db(
      'mlops_registered_models',
    )
      .whereIn('name', models)
      .select('experiment_name');
    return rows
      .map(row => row.experiment_name)
      .filter((name): name is string => !!name);
  }

  /** RunSnapshotSource: a run's experiment, params and latest metric values. */
  async getRunSnapshot(runId: string): Promise<RunSnapshot | undefined> {
    const [run] = await this.loadRuns([runId]);
    if (!run) {
      return undefined;
    }
    const metrics: Record<string, number> = {};
    for (const [key, metric] of Object.entries(run.metrics)) {
      metrics[key] =
        typeof metric.value === 'number'
          ? metric.value
          : Number(metric.value);
    }
    return { experimentName: run.experimentName, params: { ...run.params }, metrics };
  }

  /** Loads runs with params, tags and latest metrics, in the order of `ids`. */
  private async loadRuns(ids: string[]): Promise<Run[]> {
    if (ids.length === 0) {
      return [];
    }
    const byId = new Map<string, Run>();
    for (const chunk of chunks(ids, LOAD_CHUNK)) {
      const rows = await this.db(`${RUNS} as r`)
        .join(`${EXPERIMENTS} as e`, 'e.id', 'r.experiment_id')
        .whereIn('r.id', chunk)
        .select('r.*', 'e.name as experiment_name');
      for (const row of rows) {
        byId.set(row.id, {
          id: row.id,
          experimentId: String(row.experiment_id),
          experimentName: row.experiment_name,
          name: optional(row.name),
          status: row.status,
          startTime: readRequiredIso(row.start_time),
          endTime: readIso(row.end_time),
          user: optional(row.user_id),
          source: optional(row.source),
          parentRunId: optional(row.parent_run_id),
          deleted: row.deleted === true || row.deleted === 1,
          params: {},
          tags: {},
          metrics: {},
        });
      }
      const present = chunk.filter(id => byId.has(id));
      if (present.length === 0) {
        continue;
      }
      const [params, tags, metrics] = await Promise.all([
        this.db(PARAMS).whereIn('run_id', present).select('run_id', 'key', 'value'),
        this.db(TAGS).whereIn('run_id', present).select('run_id', 'key', 'value'),
        this.loadLatestMetricRows(present),
      ]);
      for (const row of params) {
        byId.get(row.run_id)!.params[row.key] = row.value;
      }
      for (const row of tags) {
        byId.get(row.run_id)!.tags[row.key] = row.value;
      }
      for (const row of metrics) {
        const metric: LatestMetric = {
          key: row.key,
          value: toMetricValue(fromStoredValue(row.value, row.is_nan)),
          step: Number(row.step),
          timestamp: Number(row.timestamp),
        };
        byId.get(row.run_id)!.metrics[row.key] = metric;
      }
    }
    return ids.map(id => byId.get(id)).filter((run): run is Run => !!run);
  }

  /**
   * The latest metric rows of the given runs. A page of 100 runs x 100
   * metrics is 10,000 rows; on PostgreSQL they travel as one JSON array per
   * run, which the driver turns into values far faster than it parses
   * 10,000 six-column rows (PostgreSQL prints doubles exactly in JSON;
   * SQLite's JSON would round them to 15 digits, so it keeps plain rows).
   */
  private async loadLatestMetricRows(runIds: string[]): Promise<
    Array<{
      run_id: string;
      key: string;
      value: unknown;
      is_nan: unknown;
      step: unknown;
      timestamp: unknown;
    }>
  > {
    if (String(this.db.client.config.client) !== 'pg') {
      return this.db(LATEST)
        .whereIn('run_id', runIds)
        .select('run_id', 'key', 'value', 'is_nan', 'step', 'timestamp');
    }
    const grouped: Array<{ run_id: string; metrics: unknown }> = await this.db(LATEST)
      .whereIn('run_id', runIds)
      .groupBy('run_id')
      .select(
        'run_id',
        this.db.raw('json_agg(json_build_array(key, value, is_nan, step, timestamp)) as metrics'),
      );
    return grouped.flatMap(row => {
      const metrics = (
        typeof row.metrics === 'string' ? JSON.parse(row.metrics) : row.metrics
      ) as Array<[string, number, boolean, number, number]>;
      return metrics.map(([key, value, isNan, step, timestamp]) => ({
        run_id: row.run_id,
        key,
        value,
        is_nan: isNan,
        step,
        timestamp,
      }));
    });
  }
}

function isLater(a: MetricMeasurement, b: MetricMeasurement): boolean {
  if (a.step !== b.step) {
    return a.step > b.step;
  }
  if (a.timestamp !== b.timestamp) {
    return a.timestamp > b.timestamp;
  }
  return toStoredValue(a.value).value > toStoredValue(b.value).value;
}

function encodeCursor(cursor: PageCursor): string {
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

function decodeCursor(token: string): PageCursor {
  try {
    const cursor = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (
      cursor &&
      typeof cursor.f === 'string' &&
      (cursor.m === 0 || cursor.m === 1) &&
      typeof cursor.id === 'string' &&
      (cursor.v === null || ['string', 'number'].includes(typeof cursor.v))
    ) {
      return cursor;
    }
  } catch {
    // falls through to the error below
  }
  throw new InputError('The page token is not one this server issued');
}
