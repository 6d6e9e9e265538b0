import {
  ModelHistoryAction,
  ModelHistoryEntry,
  ModelStage,
  ModelVersion,
  RegisteredModel,
  RetentionKeepReason,
  RetentionResult,
} from '@backstage-mlops/plugin-mlops-common';
import { ConflictError, NotFoundError } from '@backstage/errors';
import { Knex } from 'knex';
import {
  ObjectReadScope,
  UNRESTRICTED_READ_SCOPE,
} from '../permissions/MlopsObjectReadAccess';
import { inChunks, readRequiredIso } from '../database/values';
import {
  deleteModel,
  editModelTag,
  editVersionTag,
  renameModel,
} from './modelEdits';
import {
  latestVersionRows,
  RegistrySearch,
  searchModelRows,
  searchVersionRows,
} from './registrySearch';

const MODELS = 'mlops_registered_models';
const VERSIONS = 'mlops_model_versions';
const ALIASES = 'mlops_model_aliases';
const HISTORY = 'mlops_model_history';

/** Fields given when a model is registered. */
export interface CreateModelInput {
  name: string;
  owner?: string;
  description?: string;
  tags?: Record<string, string>;
  pipelineName?: string;
  experimentName?: string;
}

/** Fields a model update may change; `null` clears an optional field. */
export interface UpdateModelInput {
  owner?: string | null;
  description?: string | null;
  tags?: Record<string, string>;
  pipelineName?: string | null;
  experimentName?: string | null;
}

/** Fields given when a version is created. */
export interface CreateVersionInput {
  runId?: string;
  artifactUri?: string;
  description?: string;
  tags?: Record<string, string>;
}

/** What a version copies from its source run when it is created. */
export interface RunSnapshot {
  metrics: Record<string, number>;
  params: Record<string, string>;
}

/**
 * A version as a source (an MLflow server) reports it: its number is the
 * upstream's, not the store's counter.
 */
export interface MirroredVersionInput {
  version: number;
  stage: ModelStage;
  status?: string;
  runId?: string;
  artifactUri?: string;
  description?: string;
  tags?: Record<string, string>;
  createdBy?: string;
  /** Epoch milliseconds. */
  createdAt?: number;
}

/** A model as a source reports it; absent parts are left as they are. */
export interface MirroredModelInput {
  description?: string;
  tags?: Record<string, string>;
  versions?: MirroredVersionInput[];
  /** The whole alias set: aliases not in it are removed. */
  aliases?: Record<string, number>;
}

/** What mirroring a model changed. */
export interface MirrorResult {
  created: boolean;
  versionsWritten: number;
  historyEntries: number;
  /** Aliases naming a version the store does not hold (yet). */
  pendingAliases: Record<string, number>;
}

/**
 * Answers whether a version of a model runs in some environment; the
 * deployments capability provides it. Retention never deletes a deployed
 * version.
 */
export interface DeployedVersionCheck {
  isDeployed(model: string, version: number): Promise<boolean>;
}

/** The outcome of a stage transition. */
export interface StageTransitionResult {
  version: ModelVersion;
  /** Versions moved to Archived because of `archiveExisting`. */
  archived: number[];
}

/** The outcome of a rollback. */
export interface RollbackResult {
  /** The version that was in Production and is now Archived. */
  from: number;
  /** The earlier version that is in Production again. */
  to: number;
  version: ModelVersion;
}

type Row = Record<string, any>;

// JSON has no NaN or ±Infinity; tracking accepts them the way MLflow does, so
// the snapshot spells them out as strings and turns them back on read.
function encodeMetrics(metrics: Record<string, number>): string {
  return JSON.stringify(metrics, (_key, value) =>
    typeof value === 'number' && !Number.isFinite(value)
      ? String(value)
      : value,
  );
}

function decodeMetrics(text: string): Record<string, number> {
  const raw = JSON.parse(text) as Record<string, number | string>;
  const metrics: Record<string, number> = {};
  for (const [key, value] of Object.entries(raw)) {
    metrics[key] = typeof value === 'number' ? value : Number(value);
  }
  return metrics;
}

function optional<T>(value: T | null | undefined): T | undefined {
  return value === null || value === undefined ? undefined : value;
}

/**
 * The model registry on knex: registered models, their versions, stages,
 * aliases, and the append-only history of every stage and alias change.
 * Every change that reads-then-writes a model's versions first touches the
 * model row inside its transaction, which serializes concurrent changes to
 * one model on PostgreSQL (SQLite runs one writer at a time anyway).
 */
export class RegistryStore {
  private readonly now: () => Date;

  constructor(private readonly db: Knex, options: { now?: () => Date } = {}) {
    this.now = options.now ?? (() => new Date());
  }

  /**
   * The same store with another clock: the demo seeder uses it to spread a
   * believable history over past weeks.
   */
  withClock(now: () => Date): RegistryStore {
    return new RegistryStore(this.db, { now });
  }

  /**
   * A page of the models matching an MLflow search that `scope` lets the
   * caller read, each with its newest version per stage (MLflow's
   * `latest_versions`); filtered, ordered and paged in SQL.
   */
  async searchModels(
    search: RegistrySearch,
    scope: ObjectReadScope = UNRESTRICTED_READ_SCOPE,
  ): Promise<{
    models: Array<{ model: RegisteredModel; latest: ModelVersion[] }>;
    nextPageToken?: string;
  }> {
    const page = await searchModelRows(this.db, search, scope);
    const ids = page.rows.map(row => Number(row.id));
    const [models, latestRows, aliasRows] = await Promise.all([
      this.toModels(this.db, page.rows),
      latestVersionRows(this.db, ids),
      ids.length > 0
        ? (this.db(ALIASES)
            .whereIn('model_id', ids)
            .orderBy('alias') as Promise<Row[]>)
        : Promise.resolve([] as Row[]),
    ]);
    const aliasesOf = aliasLookup(aliasRows);
    return {
      models: models.map((model, i) => ({
        model,
        latest: latestRows
          .filter(row => Number(row.model_id) === ids[i])
          .map(row => toVersion(model.name, row, aliasesOf(row))),
      })),
      nextPageToken: page.nextPageToken,
    };
  }

  /** A page of the versions matching an MLflow search, in SQL like {@link RegistryStore.searchModels}. */
  async searchVersions(
    search: RegistrySearch,
    scope: ObjectReadScope = UNRESTRICTED_READ_SCOPE,
  ): Promise<{ versions: ModelVersion[]; nextPageToken?: string }> {
    const page = await searchVersionRows(this.db, search, scope);
    const ids = [...new Set(page.rows.map(row => Number(row.model_id)))];
    const aliasRows: Row[] =
      ids.length > 0
        ? await this.db(ALIASES).whereIn('model_id', ids).orderBy('alias')
        : [];
    const aliasesOf = aliasLookup(aliasRows);
    return {
      versions: page.rows.map(row =>
        toVersion(row.model_name, row, aliasesOf(row)),
      ),
      nextPageToken: page.nextPageToken,
    };
  }

  /** Sets one tag of a model, or removes it when `value` is undefined. */
  async setModelTag(name: string, key: string, value: string | undefined) {
    await editModelTag(this.db, name, key, value);
  }

  /** Sets one tag of a version, or removes it when `value` is undefined. */
  async setVersionTag(
    name: string,
    version: number,
    key: string,
    value: string | undefined,
  ) {
    await editVersionTag(this.db, name, version, key, value);
  }

  /** Renames a model; its versions, aliases and history follow it. */
  async renameModel(
    name: string,
    newName: string,
    deployments?: DeployedVersionCheck,
  ): Promise<RegisteredModel> {
    await renameModel(this.db, this.now(), name, newName, deployments);
    return this.getModel(newName);
  }

  /** Deletes a model that has no version in Production, aliased or deployed. */
  async deleteModel(name: string, deployments?: DeployedVersionCheck) {
    await deleteModel(this.db, this.now(), name, deployments);
  }

  /** True when the model has that version (the deployments capability asks). */
  async versionExists(model: string, version: number): Promise<boolean> {
    const row = await this.db(VERSIONS)
      .join(MODELS, `${MODELS}.id`, `${VERSIONS}.model_id`)
      .where(`${MODELS}.name`, model)
      .where(`${VERSIONS}.version`, version)
      .first(`${VERSIONS}.id`);
    return row !== undefined;
  }

  async createModel(input: CreateModelInput): Promise<RegisteredModel> {
    const now = this.now();
    await this.db.transaction(async tx => {
      const existing = await tx(MODELS).where({ name: input.name }).first();
      if (existing) {
        throw new ConflictError(
          `A model named "${input.name}" is already registered`,
        );
      }
      await tx(MODELS).insert({
        name: input.name,
        owner: input.owner ?? null,
        description: input.description ?? null,
        tags: JSON.stringify(input.tags ?? {}),
        pipeline_name: input.pipelineName ?? null,
        experiment_name: input.experimentName ?? null,
        latest_version: 0,
        created_at: now,
        updated_at: now,
      });
    });
    return this.getModel(input.name);
  }

  async updateModel(
    name: string,
    patch: UpdateModelInput,
  ): Promise<RegisteredModel> {
    const update: Row = { updated_at: this.now() };
    if (patch.owner !== undefined) update.owner = patch.owner;
    if (patch.description !== undefined) update.description = patch.description;
    if (patch.tags !== undefined) update.tags = JSON.stringify(patch.tags);
    if (patch.pipelineName !== undefined) {
      update.pipeline_name = patch.pipelineName;
    }
    if (patch.experimentName !== undefined) {
      update.experiment_name = patch.experimentName;
    }
    const count = await this.db(MODELS).where({ name }).update(update);
    if (count === 0) {
      throw notFoundModel(name);
    }
    return this.getModel(name);
  }

  /** The models `scope` lets the caller read, by name. */
  async listModels(
    scope: ObjectReadScope = UNRESTRICTED_READ_SCOPE,
  ): Promise<RegisteredModel[]> {
    const rows: Row[] = await scope.restrict(
      this.db(MODELS).orderBy('name'),
      'model',
      'name',
    );
    return this.toModels(this.db, rows);
  }

  /** The model; a model outside `scope` is not found, as if it did not exist. */
  async getModel(
    name: string,
    scope: ObjectReadScope = UNRESTRICTED_READ_SCOPE,
  ): Promise<RegisteredModel> {
    const model = await this.findModel(name, scope);
    if (!model) {
      throw notFoundModel(name);
    }
    return model;
  }

  /** The model, or undefined when no model in `scope` has that name. */
  async findModel(
    name: string,
    scope: ObjectReadScope = UNRESTRICTED_READ_SCOPE,
  ): Promise<RegisteredModel | undefined> {
    const row = await scope
      .restrict(this.db(MODELS).where({ name }), 'model', 'name')
      .first();
    return row ? (await this.toModels(this.db, [row]))[0] : undefined;
  }

  /**
   * Creates the next version of a model. The number comes from the model's
   * counter, incremented in the same transaction as the insert.
   */
  async createVersion(
    name: string,
    input: CreateVersionInput,
    snapshot: RunSnapshot | undefined,
    actor: string,
  ): Promise<ModelVersion> {
    const version = await this.db.transaction(async tx => {
      const now = this.now();
      const count = await tx(MODELS)
        .where({ name })
        .update({
          latest_version: tx.raw('?? + 1', ['latest_version']),
          updated_at: now,
        });
      if (count === 0) {
        throw notFoundModel(name);
      }
      const model = await tx(MODELS)
        .where({ name })
        .first('id', 'latest_version');
      const number = Number(model.latest_version);
      await tx(VERSIONS).insert({
        model_id: model.id,
        version: number,
        stage: 'None',
        status: 'READY',
        run_id: input.runId ?? null,
        artifact_uri: input.artifactUri ?? null,
        metrics: encodeMetrics(snapshot?.metrics ?? {}),
        params: JSON.stringify(snapshot?.params ?? {}),
        description: input.description ?? null,
        tags: JSON.stringify(input.tags ?? {}),
        created_by: actor,
        created_at: now,
        updated_at: now,
        stage_changed_at: now,
      });
      return number;
    });
    return this.getVersion(name, version);
  }

  /** A model's versions, newest first. */
  async listVersions(name: string): Promise<ModelVersion[]> {
    const model = await this.db(MODELS).where({ name }).first('id');
    if (!model) {
      throw notFoundModel(name);
    }
    const rows: Row[] = await this.db(VERSIONS)
      .where({ model_id: model.id })
      .orderBy('version', 'desc');
    return this.toVersions(this.db, name, model.id, rows);
  }

  async getVersion(name: string, version: number): Promise<ModelVersion> {
    return this.readVersion(this.db, name, version);
  }

  /**
   * Moves a version to another stage. With `archiveExisting`, a promotion to
   * Staging or Production archives the versions already in that stage.
   * Moving a version to the stage it is in changes nothing and records
   * nothing.
   */
  async transitionStage(
    name: string,
    version: number,
    options: { stage: ModelStage; archiveExisting?: boolean; reason?: string },
    actor: string,
  ): Promise<StageTransitionResult> {
    const archived = await this.db.transaction(async tx => {
      const model = await this.lockModel(tx, name);
      const row = await tx(VERSIONS)
        .where({ model_id: model.id, version })
        .first();
      if (!row) {
        throw notFoundVersion(name, version);
      }
      if (row.stage === options.stage) {
        return [];
      }
      const now = this.now();
      const moved: number[] = [];
      if (
        options.archiveExisting &&
        (options.stage === 'Production' || options.stage === 'Staging')
      ) {
        const others: Row[] = await tx(VERSIONS)
          .where({ model_id: model.id, stage: options.stage })
          .whereNot({ version })
          .orderBy('version');
        for (const other of others) {
          moved.push(Number(other.version));
          await this.recordStage(tx, model.id, Number(other.version), {
            action: 'stage',
            from: options.stage,
            to: 'Archived',
            actor,
            reason: `Archived when version ${version} moved to ${
              options.stage
            }${options.reason ? `: ${options.reason}` : ''}`,
            now,
          });
        }
      }
      await this.recordStage(tx, model.id, version, {
        action: 'stage',
        from: row.stage,
        to: options.stage,
        actor,
        reason: options.reason,
        now,
      });
      return moved;
    });
    return { version: await this.getVersion(name, version), archived };
  }

  /**
   * Points an alias at a version, moving it when it already points
   * elsewhere. Re-pointing an alias at the version it already names records
   * nothing.
   */
  async setAlias(
    name: string,
    alias: string,
    version: number,
    actor: string,
    reason?: string,
  ): Promise<ModelVersion> {
    await this.db.transaction(async tx => {
      const model = await this.lockModel(tx, name);
      const target = await tx(VERSIONS)
        .where({ model_id: model.id, version })
        .first('id');
      if (!target) {
        throw notFoundVersion(name, version);
      }
      const current = await tx(ALIASES)
        .where({ model_id: model.id, alias })
        .first();
      if (current && Number(current.version) === version) {
        return;
      }
      if (current) {
        await tx(ALIASES)
          .where({ model_id: model.id, alias })
          .update({ version });
      } else {
        await tx(ALIASES).insert({ model_id: model.id, alias, version });
      }
      await this.appendHistory(tx, {
        modelId: model.id,
        version,
        action: 'alias_set',
        alias,
        from: current ? String(current.version) : undefined,
        to: String(version),
        actor,
        reason,
        now: this.now(),
      });
    });
    return this.getVersion(name, version);
  }

  /** Removes an alias; the version it named stays as it is. */
  async deleteAlias(
    name: string,
    alias: string,
    actor: string,
    reason?: string,
  ): Promise<void> {
    await this.db.transaction(async tx => {
      const model = await this.lockModel(tx, name);
      const current = await tx(ALIASES)
        .where({ model_id: model.id, alias })
        .first();
      if (!current) {
        throw new NotFoundError(`Model "${name}" has no alias "${alias}"`);
      }
      await tx(ALIASES).where({ model_id: model.id, alias }).delete();
      await this.appendHistory(tx, {
        modelId: model.id,
        version: Number(current.version),
        action: 'alias_deleted',
        alias,
        from: String(current.version),
        actor,
        reason,
        now: this.now(),
      });
    });
  }

  /**
   * What an entity card shows of a model: the model, its newest versions
   * and its latest history entries, read with one query per table (run
   * side by side where the pool has several connections).
   */
  async modelView(
    name: string,
    limits: { versions: number; history: number },
  ): Promise<
    | {
        model: RegisteredModel;
        versions: ModelVersion[];
        history: ModelHistoryEntry[];
      }
    | undefined
  > {
    const row: Row | undefined = await this.db(MODELS).where({ name }).first();
    if (!row) {
      return undefined;
    }
    const [versionRows, aliasRows, production, historyRows] = await Promise.all(
      [
        this.db(VERSIONS)
          .where({ model_id: row.id })
          .orderBy('version', 'desc')
          .limit(limits.versions) as Promise<Row[]>,
        this.db(ALIASES)
          .where({ model_id: row.id })
          .orderBy('alias') as Promise<Row[]>,
        this.db(VERSIONS)
          .where({ model_id: row.id, stage: 'Production' })
          .orderBy('stage_changed_at', 'desc')
          .orderBy('version', 'desc')
          .first('version') as Promise<Row | undefined>,
        this.db(HISTORY)
          .where({ model_id: row.id })
          .orderBy('id', 'desc')
          .limit(limits.history) as Promise<Row[]>,
      ],
    );
    const aliases: Record<string, number> = {};
    const aliasesByVersion = new Map<number, string[]>();
    for (const a of aliasRows) {
      aliases[a.alias] = Number(a.version);
      const list = aliasesByVersion.get(Number(a.version)) ?? [];
      list.push(a.alias);
      aliasesByVersion.set(Number(a.version), list);
    }
    return {
      model: {
        ...modelFields(row),
        productionVersion: production ? Number(production.version) : undefined,
        aliases,
      },
      versions: versionRows.map(v =>
        toVersion(name, v, aliasesByVersion.get(Number(v.version)) ?? []),
      ),
      history: historyRows.map(h => toHistoryEntry(name, h)),
    };
  }

  /** A model's history, newest first. */
  async history(
    name: string,
    options: { limit?: number; before?: number } = {},
  ): Promise<ModelHistoryEntry[]> {
    const model = await this.db(MODELS).where({ name }).first('id');
    if (!model) {
      throw notFoundModel(name);
    }
    const query = this.db(HISTORY)
      .where({ model_id: model.id })
      .orderBy('id', 'desc')
      .limit(options.limit ?? 100);
    if (options.before !== undefined) {
      query.where('id', '<', options.before);
    }
    const rows: Row[] = await query;
    return rows.map(row => toHistoryEntry(name, row));
  }

  /**
   * Puts the version that was in Production before the current one back in
   * Production and archives the current one.
   *
   * The previous version is found by replaying the history as a stack of
   * promotions: a promotion pushes, a rollback pops, so rolling back twice
   * walks back through two earlier versions rather than flipping between
   * the last two. Versions deleted since are skipped.
   */
  async rollback(
    name: string,
    reason: string,
    actor: string,
  ): Promise<RollbackResult> {
    const result = await this.db.transaction(async tx => {
      const model = await this.lockModel(tx, name);
      const current = await this.currentProduction(tx, model.id);
      if (current === undefined) {
        throw new ConflictError(
          `Model "${name}" has no version in Production to roll back from`,
        );
      }
      const promotions: Row[] = await tx(HISTORY)
        .where({ model_id: model.id, to_value: 'Production' })
        .whereIn('action', ['stage', 'rollback'])
        .orderBy('id', 'asc');
      const stack: number[] = [];
      for (const entry of promotions) {
        const version = Number(entry.version);
        if (entry.action === 'rollback') {
          stack.pop();
          if (stack[stack.length - 1] !== version) {
            stack.push(version);
          }
        } else {
          stack.push(version);
        }
      }
      const existing = new Set<number>(
        (await tx(VERSIONS).where({ model_id: model.id }).pluck('version')).map(
          Number,
        ),
      );
      let target: number | undefined;
      for (let i = stack.length - 1; i >= 0; i--) {
        if (stack[i] !== current && existing.has(stack[i])) {
          target = stack[i];
          break;
        }
      }
      if (target === undefined) {
        throw new ConflictError(
          `Model "${name}" has no earlier Production version to roll back to`,
        );
      }
      const targetRow = await tx(VERSIONS)
        .where({ model_id: model.id, version: target })
        .first('stage');
      const now = this.now();
      await this.recordStage(tx, model.id, current, {
        action: 'stage',
        from: 'Production',
        to: 'Archived',
        actor,
        reason: `Rolled back to version ${target}: ${reason}`,
        now,
      });
      if (targetRow.stage !== 'Production') {
        await this.recordStage(tx, model.id, target, {
          action: 'rollback',
          from: targetRow.stage,
          to: 'Production',
          actor,
          reason,
          now,
        });
      } else {
        // Already in Production next to the current one: record the
        // rollback so that the promotion stack stays right.
        await this.appendHistory(tx, {
          modelId: model.id,
          version: target,
          action: 'rollback',
          from: 'Production',
          to: 'Production',
          actor,
          reason,
          now,
        });
      }
      return { from: current, to: target };
    });
    return { ...result, version: await this.getVersion(name, result.to) };
  }

  /**
   * Deletes the oldest versions beyond the newest `keep`, except those in
   * Production or Staging, aliased, or deployed. A dry run reports the same
   * answer without deleting.
   */
  async applyRetention(
    name: string,
    options: { keep: number; dryRun?: boolean; actor: string },
    deployments?: DeployedVersionCheck,
  ): Promise<RetentionResult> {
    const { keep, actor } = options;
    const dryRun = options.dryRun ?? false;
    const versions = await this.listVersions(name);
    const reasons = new Map<number, RetentionKeepReason[]>();
    const candidates: number[] = [];
    for (const [index, v] of versions.entries()) {
      const why: RetentionKeepReason[] = [];
      if (index < keep) why.push('newest');
      if (v.stage === 'Production') why.push('production');
      if (v.stage === 'Staging') why.push('staging');
      if (v.aliases.length > 0) why.push('aliased');
      if (why.length === 0) {
        candidates.push(v.version);
      }
      reasons.set(v.version, why);
    }
    // Asked outside the transaction: the deployments store may share the
    // single SQLite connection that the transaction would hold.
    const deletable: number[] = [];
    for (const version of candidates) {
      if (deployments && (await deployments.isDeployed(name, version))) {
        reasons.get(version)!.push('deployed');
      } else {
        deletable.push(version);
      }
    }

    let deleted = deletable;
    if (!dryRun && deletable.length > 0) {
      deleted = await this.db.transaction(async tx => {
        const model = await this.lockModel(tx, name);
        // A version promoted or aliased since the check above stays.
        const rows: Row[] = await tx(VERSIONS)
          .where({ model_id: model.id })
          .whereIn('version', deletable)
          .whereNotIn('stage', ['Production', 'Staging'])
          .whereNotIn(
            'version',
            tx(ALIASES).where({ model_id: model.id }).select('version'),
          );
        const now = this.now();
        const gone = rows.map(r => Number(r.version)).sort((a, b) => a - b);
        for (const row of rows) {
          await this.appendHistory(tx, {
            modelId: model.id,
            version: Number(row.version),
            action: 'version_deleted',
            from: row.stage,
            actor,
            reason: `Retention keeps the newest ${keep} versions`,
            now,
          });
        }
        if (gone.length > 0) {
          await tx(VERSIONS)
            .where({ model_id: model.id })
            .whereIn('version', gone)
            .delete();
        }
        return gone;
      });
      const missed = deletable.filter(v => !deleted.includes(v));
      if (missed.length > 0) {
        for (const v of await this.listVersions(name)) {
          if (!missed.includes(v.version)) continue;
          const why = reasons.get(v.version)!;
          if (v.stage === 'Production') why.push('production');
          if (v.stage === 'Staging') why.push('staging');
          if (v.aliases.length > 0) why.push('aliased');
        }
      }
    }
    const deletedSet = new Set(deleted);
    return {
      model: name,
      keep,
      dryRun,
      deleted: [...deleted].sort((a, b) => a - b),
      kept: versions
        .filter(v => !deletedSet.has(v.version))
        .map(v => ({ version: v.version, reasons: reasons.get(v.version)! })),
    };
  }

  /** Changes a version's description. */
  async updateVersionDescription(
    name: string,
    version: number,
    description: string | null,
  ): Promise<ModelVersion> {
    const count = await this.db(VERSIONS)
      .whereIn('model_id', this.db(MODELS).where({ name }).select('id'))
      .where({ version })
      .update({ description, updated_at: this.now() });
    if (count === 0) {
      // Tells a missing model from a missing version.
      await this.getVersion(name, version);
    }
    return this.getVersion(name, version);
  }

  /**
   * Deletes one version, as MLflow deletes a version in None, Staging or
   * Archived; a version in Production, aliased, or deployed stays (the
   * portal's governance rule), and the refusal says why. The deletion is recorded in the model's history.
   */
  async deleteVersion(
    name: string,
    version: number,
    actor: string,
    deployments?: DeployedVersionCheck,
  ): Promise<void> {
    const current = await this.getVersion(name, version);
    const protectedBy: string[] = [];
    if (current.stage === 'Production') {
      protectedBy.push(`it is in ${current.stage}`);
    }
    if (current.aliases.length > 0) {
      protectedBy.push(`it carries the alias ${current.aliases.join(', ')}`);
    }
    // Asked outside the transaction, as in applyRetention.
    if (deployments && (await deployments.isDeployed(name, version))) {
      protectedBy.push('it is deployed');
    }
    if (protectedBy.length > 0) {
      throw new ConflictError(
        `Version ${version} of model "${name}" cannot be deleted: ${protectedBy.join(
          '; ',
        )}`,
      );
    }
    await this.db.transaction(async tx => {
      const model = await this.lockModel(tx, name);
      const row: Row | undefined = await tx(VERSIONS)
        .where({ model_id: model.id, version })
        .whereNot('stage', 'Production')
        .whereNotIn(
          'version',
          tx(ALIASES).where({ model_id: model.id }).select('version'),
        )
        .first('stage');
      if (!row) {
        throw new ConflictError(
          `Version ${version} of model "${name}" changed while it was being deleted; try again`,
        );
      }
      await this.appendHistory(tx, {
        modelId: model.id,
        version,
        action: 'version_deleted',
        from: row.stage,
        actor,
        reason: 'Deleted on request',
        now: this.now(),
      });
      await tx(VERSIONS).where({ model_id: model.id, version }).delete();
    });
  }

  /**
   * The version currently in Production (the most recently promoted one when
   * several are), with its metrics snapshot.
   */
  async productionVersion(
    model: string,
  ): Promise<{ version: number; metrics: Record<string, number> } | undefined> {
    const row = await this.db(VERSIONS)
      .join(MODELS, `${MODELS}.id`, `${VERSIONS}.model_id`)
      .where(`${MODELS}.name`, model)
      .where(`${VERSIONS}.stage`, 'Production')
      .orderBy(`${VERSIONS}.stage_changed_at`, 'desc')
      .orderBy(`${VERSIONS}.version`, 'desc')
      .first(`${VERSIONS}.version`, `${VERSIONS}.metrics`);
    if (!row) {
      return undefined;
    }
    return {
      version: Number(row.version),
      metrics: decodeMetrics(row.metrics),
    };
  }

  /**
   * Every registered model `scope` may read, by name, with the owner and
   * description it was registered with: the fleet's rows. The read scope
   * narrows it in SQL, so a caller's unreadable models never leave the
   * database.
   */
  async readableModelSummaries(
    scope: ObjectReadScope = UNRESTRICTED_READ_SCOPE,
  ): Promise<
    Array<{ name: string; owner: string | null; description: string | null }>
  > {
    return scope.restrict(
      this.db(MODELS).select('name', 'owner', 'description').orderBy('name'),
      'model',
      'name',
    );
  }

  /**
   * The Production version of each named model that has one (the most
   * recently promoted, as {@link RegistryStore.productionVersion} picks), in
   * one query per slice of names: the fleet asks for thousands at once.
   */
  async productionVersions(models: string[]): Promise<Map<string, number>> {
    const versions = new Map<string, number>();
    for (const chunk of inChunks([...new Set(models)])) {
      const rows: Array<{ name: string; version: unknown }> = await this.db
        .select('name', 'version')
        .from(
          this.db(VERSIONS)
            .join(MODELS, `${MODELS}.id`, `${VERSIONS}.model_id`)
            .whereIn(`${MODELS}.name`, chunk)
            .where(`${VERSIONS}.stage`, 'Production')
            .select(
              `${MODELS}.name`,
              `${VERSIONS}.version`,
              this.db.raw(
                `row_number() over (partition by ${VERSIONS}.model_id order by ${VERSIONS}.stage_changed_at desc, ${VERSIONS}.version desc) as newest`,
              ),
            )
            .as('ranked'),
        )
        .where('newest', 1);
      for (const row of rows) {
        versions.set(row.name, Number(row.version));
      }
    }
    return versions;
  }

  private async currentProduction(
    tx: Knex,
    modelId: number,
  ): Promise<number | undefined> {
    const row = await tx(VERSIONS)
      .where({ model_id: modelId, stage: 'Production' })
      .orderBy('stage_changed_at', 'desc')
      .orderBy('version', 'desc')
      .first('version');
    return row ? Number(row.version) : undefined;
  }

  /** Touches the model row: the lock that serializes changes to a model. */
  /**
   * Writes a model as a source reports it, in one transaction: creates it
   * when missing, updates description and tags, inserts or updates the given
   * versions under their upstream numbers, and brings the aliases to the
   * given set. Every stage or alias that differs from what the store held
   * is appended to the history under `actor`, as a change seen rather than
   * made here; a newly seen version outside None counts as promoted from
   * None, so rollback has a Production to go back to. Nothing is deleted
   * except aliases the full set no longer names.
   */
  async mirrorModel(
    name: string,
    input: MirroredModelInput,
    actor: string,
    reason: string,
    /** An enclosing transaction: many models, one commit. */
    db: Knex = this.db,
  ): Promise<MirrorResult> {
    return db.transaction(async tx => {
      const now = this.now();
      let created = false;
      let model: Row | undefined = await tx(MODELS)
        .where({ name })
        .first('id', 'latest_version', 'description', 'tags');
      if (!model) {
        await tx(MODELS).insert({
          name,
          description: input.description ?? null,
          tags: JSON.stringify(input.tags ?? {}),
          latest_version: 0,
          created_at: now,
          updated_at: now,
        });
        created = true;
        model = await tx(MODELS)
          .where({ name })
          .first('id', 'latest_version', 'description', 'tags');
      } else {
        const patch: Row = {};
        if (
          input.description !== undefined &&
          input.description !== model.description
        ) {
          patch.description = input.description;
        }
        if (input.tags !== undefined) {
          const tags = JSON.stringify(input.tags);
          if (tags !== model.tags) patch.tags = tags;
        }
        // Touching the row also serializes concurrent writers of the model.
        await tx(MODELS)
          .where({ id: model.id })
          .update({ ...patch, updated_at: now });
      }
      const modelId = model!.id;
      let versionsWritten = 0;
      let historyEntries = 0;
      if (input.versions && input.versions.length > 0) {
        const existing = new Map<number, Row>();
        for (const chunk of inChunks(input.versions.map(v => v.version))) {
          const rows: Row[] = await tx(VERSIONS)
            .where({ model_id: modelId })
            .whereIn('version', chunk)
            .select('version', 'stage');
          for (const row of rows) existing.set(Number(row.version), row);
        }
        let highest = Number(model!.latest_version);
        // New versions go in with their stage in one insert, their first
        // stage in one history insert: a first sync writes thousands.
        const fresh: Row[] = [];
        const freshHistory: Row[] = [];
        for (const v of input.versions) {
          highest = Math.max(highest, v.version);
          const fields = {
            status: v.status ?? 'READY',
            run_id: v.runId ?? null,
            artifact_uri: v.artifactUri ?? null,
            description: v.description ?? null,
            tags: JSON.stringify(v.tags ?? {}),
          };
          const current = existing.get(v.version);
          versionsWritten += 1;
          if (!current) {
            const createdAt = v.createdAt ? new Date(v.createdAt) : now;
            fresh.push({
              model_id: modelId,
              version: v.version,
              stage: v.stage,
              ...fields,
              created_by: v.createdBy ?? null,
              created_at: createdAt,
              updated_at: now,
              stage_changed_at: v.stage === 'None' ? createdAt : now,
            });
            if (v.stage !== 'None') {
              freshHistory.push({
                model_id: modelId,
                version: v.version,
                action: 'stage',
                alias: null,
                from_value: 'None',
                to_value: v.stage,
                actor,
                reason,
                created_at: now,
              });
            }
            continue;
          }
          await tx(VERSIONS)
            .where({ model_id: modelId, version: v.version })
            .update({ ...fields, updated_at: now });
          if (current.stage !== v.stage) {
            await this.recordStage(tx, modelId, v.version, {
              action: 'stage',
              from: current.stage,
              to: v.stage,
              actor,
              reason,
              now,
            });
            historyEntries += 1;
          }
        }
        // Oldest first, so the history replays promotions in version order.
        fresh.sort((a, b) => a.version - b.version);
        freshHistory.sort((a, b) => a.version - b.version);
        for (const chunk of inChunks(fresh, 50)) {
          await tx(VERSIONS).insert(chunk);
        }
        for (const chunk of inChunks(freshHistory, 50)) {
          await tx(HISTORY).insert(chunk);
        }
        historyEntries += freshHistory.length;
        if (highest > Number(model!.latest_version)) {
          await tx(MODELS)
            .where({ id: modelId })
            .update({ latest_version: highest });
        }
      }
      const pendingAliases: Record<string, number> = {};
      if (input.aliases) {
        const current = new Map<string, number>(
          (
            (await tx(ALIASES)
              .where({ model_id: modelId })
              .select('alias', 'version')) as Row[]
          ).map(r => [r.alias, Number(r.version)]),
        );
        const wanted = Object.entries(input.aliases);
        const known = new Set<number>(
          wanted.length === 0
            ? []
            : (
                await tx(VERSIONS)
                  .where({ model_id: modelId })
                  .whereIn(
                    'version',
                    wanted.map(([, v]) => v),
                  )
                  .pluck('version')
              ).map(Number),
        );
        for (const [alias, version] of wanted) {
          if (!known.has(version)) {
            pendingAliases[alias] = version;
            continue;
          }
          const before = current.get(alias);
          if (before === version) continue;
          if (before === undefined) {
            await tx(ALIASES).insert({ model_id: modelId, alias, version });
          } else {
            await tx(ALIASES)
              .where({ model_id: modelId, alias })
              .update({ version });
          }
          await this.appendHistory(tx, {
            modelId,
            version,
            action: 'alias_set',
            alias,
            from: before === undefined ? undefined : String(before),
            to: String(version),
            actor,
            reason,
            now,
          });
          historyEntries += 1;
        }
        for (const [alias, version] of current) {
          if (alias in input.aliases) continue;
          await tx(ALIASES).where({ model_id: modelId, alias }).delete();
          await this.appendHistory(tx, {
            modelId,
            version,
            action: 'alias_deleted',
            alias,
            from: String(version),
            actor,
            reason,
            now,
          });
          historyEntries += 1;
        }
      }
      return { created, versionsWritten, historyEntries, pendingAliases };
    });
  }

  private async lockModel(tx: Knex, name: string): Promise<Row> {
    const count = await tx(MODELS)
      .where({ name })
      .update({ updated_at: this.now() });
    if (count === 0) {
      throw notFoundModel(name);
    }
    return tx(MODELS).where({ name }).first('id', 'name');
  }

  private async recordStage(
    tx: Knex,
    modelId: number,
    version: number,
    change: {
      action: ModelHistoryAction;
      from: string;
      to: ModelStage;
      actor: string;
      reason?: string;
      now: Date;
    },
  ) {
    await tx(VERSIONS).where({ model_id: modelId, version }).update({
      stage: change.to,
      stage_changed_at: change.now,
      updated_at: change.now,
    });
    await this.appendHistory(tx, { modelId, version, ...change });
  }

  private async appendHistory(
    tx: Knex,
    entry: {
      modelId: number;
      version: number;
      action: ModelHistoryAction;
      alias?: string;
      from?: string;
      to?: string;
      actor: string;
      reason?: string;
      now: Date;
    },
  ) {
    await tx(HISTORY).insert({
      model_id: entry.modelId,
      version: entry.version,
      action: entry.action,
      alias: entry.alias ?? null,
      from_value: entry.from ?? null,
      to_value: entry.to ?? null,
      actor: entry.actor,
      reason: entry.reason ?? null,
      created_at: entry.now,
    });
  }

  private async readVersion(
    db: Knex,
    name: string,
    version: number,
  ): Promise<ModelVersion> {
    const model = await db(MODELS).where({ name }).first('id');
    if (!model) {
      throw notFoundModel(name);
    }
    const row = await db(VERSIONS)
      .where({ model_id: model.id, version })
      .first();
    if (!row) {
      throw notFoundVersion(name, version);
    }
    return (await this.toVersions(db, name, model.id, [row]))[0];
  }

  private async toVersions(
    db: Knex,
    name: string,
    modelId: number,
    rows: Row[],
  ): Promise<ModelVersion[]> {
    const aliasRows: Row[] = await db(ALIASES)
      .where({ model_id: modelId })
      .orderBy('alias');
    const aliases = new Map<number, string[]>();
    for (const a of aliasRows) {
      const list = aliases.get(Number(a.version)) ?? [];
      list.push(a.alias);
      aliases.set(Number(a.version), list);
    }
    return rows.map(row =>
      toVersion(name, row, aliases.get(Number(row.version)) ?? []),
    );
  }

  private async toModels(db: Knex, rows: Row[]): Promise<RegisteredModel[]> {
    if (rows.length === 0) {
      return [];
    }
    const ids = rows.map(r => r.id);
    const aliasRows: Row[] = await db(ALIASES).whereIn('model_id', ids);
    const productionRows: Row[] = await db(VERSIONS)
      .whereIn('model_id', ids)
      .where({ stage: 'Production' })
      .orderBy('stage_changed_at', 'asc')
      .orderBy('version', 'asc')
      .select('model_id', 'version');
    const production = new Map<string, number>();
    // Ascending order, so the most recent promotion is written last.
    for (const p of productionRows) {
      production.set(String(p.model_id), Number(p.version));
    }
    return rows.map(row => {
      const aliases: Record<string, number> = {};
      for (const a of aliasRows) {
        if (String(a.model_id) === String(row.id)) {
          aliases[a.alias] = Number(a.version);
        }
      }
      return {
        ...modelFields(row),
        productionVersion: production.get(String(row.id)),
        aliases,
      };
    });
  }
}

/** The aliases of a version row, from alias rows of its model. */
function aliasLookup(aliasRows: Row[]): (row: Row) => string[] {
  const byVersion = new Map<string, string[]>();
  for (const a of aliasRows) {
    const key = `${a.model_id}:${a.version}`;
    byVersion.set(key, [...(byVersion.get(key) ?? []), a.alias]);
  }
  return row => byVersion.get(`${row.model_id}:${row.version}`) ?? [];
}

function modelFields(
  row: Row,
): Omit<RegisteredModel, 'productionVersion' | 'aliases'> {
  return {
    name: row.name,
    owner: optional(row.owner),
    description: optional(row.description),
    tags: JSON.parse(row.tags ?? '{}'),
    pipelineName: optional(row.pipeline_name),
    experimentName: optional(row.experiment_name),
    latestVersion: Number(row.latest_version ?? 0),
    createdAt: readRequiredIso(row.created_at),
    updatedAt: readRequiredIso(row.updated_at),
  };
}

function toVersion(model: string, row: Row, aliases: string[]): ModelVersion {
  return {
    model,
    version: Number(row.version),
    stage: row.stage,
    status: row.status,
    runId: optional(row.run_id),
    artifactUri: optional(row.artifact_uri),
    metrics: decodeMetrics(row.metrics),
    params: JSON.parse(row.params),
    description: optional(row.description),
    tags: JSON.parse(row.tags),
    aliases,
    createdBy: optional(row.created_by),
    createdAt: readRequiredIso(row.created_at),
    updatedAt: readRequiredIso(row.updated_at),
    stageChangedAt: readRequiredIso(row.stage_changed_at),
  };
}

function toHistoryEntry(model: string, row: Row): ModelHistoryEntry {
  return {
    id: Number(row.id),
    model,
    version: Number(row.version),
    action: row.action,
    alias: optional(row.alias),
    from: optional(row.from_value),
    to: optional(row.to_value),
    actor: row.actor,
    reason: optional(row.reason),
    at: readRequiredIso(row.created_at),
  };
}

function notFoundModel(name: string) {
  return new NotFoundError(`No registered model named "${name}"`);
}

function notFoundVersion(name: string, version: number) {
  return new NotFoundError(`Model "${name}" has no version ${version}`);
}
