import {
  EntityExperiment,
  Experiment,
  MetricHistory,
  Run,
  RunComparison,
  RunStatus,
  SearchRunsResponse,
} from '@backstage-mlops/plugin-mlops-common';
import { ConflictError, NotFoundError } from '@backstage/errors';
import { randomUUID } from 'crypto';
import { Knex } from 'knex';
import {
  MirroredRunInput,
  mirrorMetricHistory,
  mirrorRuns,
} from './mirrorRuns';
import { PlannerStatistics, plannerStatisticsFor } from './plannerStatistics';
import {
  ObjectReadScope,
  UNRESTRICTED_READ_SCOPE,
} from '../permissions/MlopsObjectReadAccess';
import { fromStoredValue, toMetricValue } from './metricValues';
import { isUniqueViolation, readJsonTags } from '../database/values';
import { RUN_TABLES, RunReader, toExperiment } from './runRows';
import { runComparison } from './runComparison';
import { writeRunBatch } from './runBatch';
import type {
  NewExperiment,
  NewRun,
  RunBatch,
  RunSnapshot,
  RunUpdate,
} from './trackingInputs';

export type {
  MetricMeasurement,
  NewExperiment,
  NewRun,
  RunBatch,
  RunSnapshot,
  RunUpdate,
} from './trackingInputs';
export { isParamChangeRefusal } from './runBatch';
import { ExperimentSearch, searchExperimentIds } from './experimentSearch';
import { RunSearch, searchRuns } from './runSearch';

export type {
  RunSearch,
  RunSearchClause,
  RunSearchOrder,
  RunTextAttribute,
} from './runSearch';

const { EXPERIMENTS, RUNS, TAGS, METRICS } = RUN_TABLES;

const TERMINAL_STATUSES: RunStatus[] = ['FINISHED', 'FAILED', 'KILLED'];

/**
 * Fills the store with a mirrored run's metric history before it is read
 * (the sources capability: the history stays upstream until asked for).
 * Must never throw: a source that fails leaves the store's points to answer.
 */
export interface MirroredMetricHistory {
  beforeRead(runId: string, key: string): Promise<void>;
}

/**
 * Experiments, runs, params, tags and metrics, on knex (SQLite or
 * PostgreSQL). Implements `RunSnapshotSource` for the model registry.
 */
export class TrackingStore {
  static async create(options: {
    db: Knex;
    mirroredHistory?: MirroredMetricHistory;
  }): Promise<TrackingStore> {
    const client = String(options.db.client.config.client);
    if (client === 'better-sqlite3' || client === 'sqlite3') {
      // The embedded default: in WAL mode a commit is one sync of the log
      // instead of syncing a rollback journal and the database file (a
      // 1,000-metric batch went from ~30 ms of commit to ~3 ms here), and
      // readers (cards, search) no longer wait for a writer. The setting
      // is stored in the database file; in-memory databases ignore it.
      await options.db.raw('pragma journal_mode = WAL');
    }
    return new TrackingStore(options.db, options.mirroredHistory);
  }

  private readonly runs: RunReader;
  /** Refreshes PostgreSQL's statistics after large writes (plannerStatistics.ts). */
  readonly plannerStatistics: PlannerStatistics;

  constructor(
    private readonly db: Knex,
    private readonly mirroredHistory?: MirroredMetricHistory,
  ) {
    this.runs = new RunReader(db);
    this.plannerStatistics = plannerStatisticsFor(db);
  }

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

  /**
   * Creates an ownerless experiment with a fixed id (MLflow's Default, id
   * `0`) unless that id or that name is taken already: someone's own
   * experiment of that name is kept, not replaced. True when it created it
   * (a replica racing on the same id loses quietly).
   */
  async createExperimentUnlessTaken(input: {
    id: string;
    name: string;
  }): Promise<boolean> {
    const existing = await this.db(EXPERIMENTS)
      .where({ id: input.id })
      .first('id');
    if (existing) return false;
    const taken = await this.db(EXPERIMENTS)
      .where({ name: input.name })
      .first('id');
    if (taken) return false;
    const now = new Date();
    const inserted = await this.db(EXPERIMENTS)
      .insert({
        id: input.id,
        name: input.name,
        owner: null,
        description: null,
        tags: '{}',
        lifecycle_stage: 'active',
        created_at: now,
        updated_at: now,
      })
      .onConflict('id')
      .ignore()
      .returning('id');
    return inserted.length > 0;
  }

  /** A page of the experiments matching `search` that `scope` lets the caller read. */
  async searchExperiments(
    search: ExperimentSearch,
    scope: ObjectReadScope = UNRESTRICTED_READ_SCOPE,
  ): Promise<{ experiments: Experiment[]; nextPageToken?: string }> {
    const { rows, nextPageToken } = await searchExperimentIds(
      this.db,
      search,
      scope,
    );
    return { experiments: rows.map(toExperiment), nextPageToken };
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
        throw new ConflictError(
          `An experiment named "${newName}" already exists`,
        );
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
  async setExperimentTag(
    id: string,
    key: string,
    value: string,
  ): Promise<void> {
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
        const parent = await tx(RUNS)
          .where({ id: input.parentRunId })
          .first('id');
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
    const [run] = await this.runs.loadRuns([id]);
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
    this.plannerStatistics.noteWrittenRows(
      await writeRunBatch(this.db, runId, batch),
    );
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
    await this.mirroredHistory?.beforeRead(runId, key).catch(() => undefined);
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
    return searchRuns(this.db, search, scope, ids => this.runs.loadRuns(ids));
  }

  async compareRuns(ids: string[]): Promise<RunComparison> {
    const unique = [...new Set(ids)];
    const runs = await this.runs.loadRuns(unique);
    const found = new Set(runs.map(r => r.id));
    const unknown = unique.filter(id => !found.has(id));
    if (unknown.length > 0) {
      throw new NotFoundError(`No runs with ids ${unknown.join(', ')}`);
    }
    return runComparison(runs);
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
      experiments.push({ experiment, runs: await this.runs.loadRuns(ids) });
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
    const [run] = await this.runs.loadRuns([runId]);
    if (!run) {
      return undefined;
    }
    const metrics: Record<string, number> = {};
    for (const [key, metric] of Object.entries(run.metrics)) {
      metrics[key] =
        typeof metric.value === 'number' ? metric.value : Number(metric.value);
    }
    return {
      experimentName: run.experimentName,
      params: { ...run.params },
      metrics,
    };
  }

  // ---------------------------------------------------------------------
  // Mirrored from sources (the sources capability)

  /** The ids among `ids` that name a run the store holds. */
  async existingRunIds(ids: string[]): Promise<Set<string>> {
    const rows = await this.db(RUNS).whereIn('id', ids).pluck('id');
    return new Set(rows.map(String));
  }

  /** A run's status, or undefined when the store holds no such run. */
  async runStatus(id: string): Promise<string | undefined> {
    const run = await this.db(RUNS).where({ id }).first('status');
    return run ? String(run.status) : undefined;
  }

  /**
   * Writes runs as a source reports them (mirrorRuns.ts), in `tx` when the
   * caller writes other stores in the same commit.
   */
  async mirrorRuns(runs: MirroredRunInput[], tx: Knex = this.db) {
    await mirrorRuns(tx, runs);
  }

  /** Merges a source's history of one metric of a run (mirrorRuns.ts). */
  async mirrorMetricHistory(
    runId: string,
    key: string,
    points: Array<{ value: number; step: number; timestamp: number }>,
  ): Promise<number> {
    return mirrorMetricHistory(this.db, runId, key, points);
  }
}
