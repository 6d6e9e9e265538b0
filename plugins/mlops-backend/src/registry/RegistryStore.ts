import {
  ModelHistoryEntry,
  ModelStage,
  ModelVersion,
  RegisteredModel,
  RetentionResult,
} from '@backstage-mlops/plugin-mlops-common';
import { ConflictError } from '@backstage/errors';
import { Knex } from 'knex';
import {
  ObjectReadScope,
  UNRESTRICTED_READ_SCOPE,
} from '../permissions/MlopsObjectReadAccess';
import { inChunks } from '../database/values';
import { MirroredModelInput, MirrorResult, mirrorModel } from './mirrorModel';
import {
  deleteModel,
  editModelTag,
  editVersionTag,
  renameModel,
} from './modelEdits';
import {
  deleteAlias,
  history,
  rollback,
  RollbackResult,
  setAlias,
  StageTransitionResult,
  transitionStage,
} from './modelHistory';
import {
  ALIASES,
  aliasLookup,
  decodeMetrics,
  encodeMetrics,
  listVersions,
  modelFields,
  MODELS,
  ModelView,
  notFoundModel,
  readModelView,
  readVersion,
  Row,
  toModels,
  toVersion,
  VERSIONS,
} from './registryRows';
import {
  latestVersionRows,
  RegistrySearch,
  searchModelRows,
  searchVersionRows,
} from './registrySearch';
import {
  applyRetention,
  DeployedVersionCheck,
  deleteVersion,
} from './versionRetention';

export type {
  MirroredModelInput,
  MirroredVersionInput,
  MirrorResult,
} from './mirrorModel';
export type { RollbackResult, StageTransitionResult } from './modelHistory';
export type { DeployedVersionCheck } from './versionRetention';

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
      toModels(this.db, page.rows),
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

  /** The names among `names` that a registered model has. */
  async existingModelNames(names: string[]): Promise<Set<string>> {
    const rows = await this.db(MODELS).whereIn('name', names).pluck('name');
    return new Set(rows.map(String));
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

  /**
   * Registers a model; a taken name is a ConflictError. One statement: the
   * unique name decides (no check-then-insert race), and the new model's
   * answer comes from the row it returns, as a new model has no versions
   * or aliases yet. MLflow clients create models one request at a time, so
   * each round trip saved shows in their latency.
   */
  async createModel(input: CreateModelInput): Promise<RegisteredModel> {
    const now = this.now();
    const [row]: Row[] = await this.db(MODELS)
      .insert({
        name: input.name,
        owner: input.owner ?? null,
        description: input.description ?? null,
        tags: JSON.stringify(input.tags ?? {}),
        pipeline_name: input.pipelineName ?? null,
        experiment_name: input.experimentName ?? null,
        latest_version: 0,
        created_at: now,
        updated_at: now,
      })
      .onConflict('name')
      .ignore()
      .returning('*');
    if (!row) {
      throw new ConflictError(
        `A model named "${input.name}" is already registered`,
      );
    }
    return { ...modelFields(row), productionVersion: undefined, aliases: {} };
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
    return toModels(this.db, rows);
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
    return row ? (await toModels(this.db, [row]))[0] : undefined;
  }

  /**
   * Creates the next version of a model. The number comes from the model's
   * counter, incremented in the same statement (PostgreSQL) or transaction
   * (other databases) as the insert.
   */
  async createVersion(
    name: string,
    input: CreateVersionInput,
    snapshot: RunSnapshot | undefined,
    actor: string,
  ): Promise<ModelVersion> {
    const now = this.now();
    const columns = {
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
    };
    // The answer is made of the inserted row (a new version has no aliases),
    // never read back: MLflow clients register versions one request at a
    // time, so each round trip shows in their latency.
    let row: Row | undefined;
    if (String(this.db.client.config.client) === 'pg') {
      // One statement: the counter's update feeds the insert. Values in a
      // select list need their types spelt out (PostgreSQL reads them as text).
      const names = Object.keys(columns).join(', ');
      const values = Object.values(columns);
      const placeholders = values
        .map(v => (v instanceof Date ? '?::timestamptz' : '?::text'))
        .join(', ');
      const result = await this.db.raw(
        `with m as (
           update ${MODELS} set latest_version = latest_version + 1, updated_at = ?
           where name = ? returning id, latest_version)
         insert into ${VERSIONS} (model_id, version, ${names})
         select m.id, m.latest_version, ${placeholders} from m
         returning *`,
        [now, name, ...values],
      );
      row = result.rows[0];
    } else {
      row = await this.db.transaction(async tx => {
        const [model]: Row[] = await tx(MODELS)
          .where({ name })
          .update({
            latest_version: tx.raw('?? + 1', ['latest_version']),
            updated_at: now,
          })
          .returning(['id', 'latest_version']);
        if (!model) {
          return undefined;
        }
        const [inserted]: Row[] = await tx(VERSIONS)
          .insert({
            model_id: model.id,
            version: Number(model.latest_version),
            ...columns,
          })
          .returning('*');
        return inserted;
      });
    }
    if (!row) {
      throw notFoundModel(name);
    }
    return toVersion(name, row, []);
  }

  /** A model's versions, newest first. */
  async listVersions(name: string): Promise<ModelVersion[]> {
    return listVersions(this.db, name);
  }

  async getVersion(name: string, version: number): Promise<ModelVersion> {
    return readVersion(this.db, name, version);
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
    return transitionStage(this.db, this.now, name, version, options, actor);
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
    return setAlias(this.db, this.now, name, alias, version, actor, reason);
  }

  /** Removes an alias; the version it named stays as it is. */
  async deleteAlias(
    name: string,
    alias: string,
    actor: string,
    reason?: string,
  ): Promise<void> {
    await deleteAlias(this.db, this.now, name, alias, actor, reason);
  }

  /**
   * What an entity card shows of a model: the model, its newest versions
   * and its latest history entries.
   */
  async modelView(
    name: string,
    limits: { versions: number; history: number },
  ): Promise<ModelView | undefined> {
    return readModelView(this.db, name, limits);
  }

  /** A model's history, newest first. */
  async history(
    name: string,
    options: { limit?: number; before?: number } = {},
  ): Promise<ModelHistoryEntry[]> {
    return history(this.db, name, options);
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
    return rollback(this.db, this.now, name, reason, actor);
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
    return applyRetention(this.db, this.now, name, options, deployments);
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
    await deleteVersion(this.db, this.now, name, version, actor, deployments);
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
    return mirrorModel(db, this.now, name, input, actor, reason);
  }
}
