import {
  ModelHistoryAction,
  ModelHistoryEntry,
  ModelStage,
  ModelVersion,
} from '@backstage-mlops/plugin-mlops-common';
import { ConflictError, NotFoundError } from '@backstage/errors';
import { Knex } from 'knex';
import {
  ALIASES,
  HISTORY,
  MODELS,
  notFoundModel,
  notFoundVersion,
  readVersion,
  Row,
  toHistoryEntry,
  VERSIONS,
} from './registryRows';

/*
 * A model's stages and aliases and the append-only history of their changes:
 * stage transitions, aliases set and removed, rollbacks, and the history
 * read back. Every change first locks the model row inside its transaction
 * ({@link lockModel}), as RegistryStore documents; `clock` is the store's.
 */

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

/** Touches the model row: the lock that serializes changes to a model. */
export async function lockModel(
  tx: Knex,
  name: string,
  now: Date,
): Promise<Row> {
  const count = await tx(MODELS).where({ name }).update({ updated_at: now });
  if (count === 0) {
    throw notFoundModel(name);
  }
  return tx(MODELS).where({ name }).first('id', 'name');
}

export async function recordStage(
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
  await appendHistory(tx, { modelId, version, ...change });
}

export async function appendHistory(
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

async function currentProduction(
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

/** A model's history, newest first. */
export async function history(
  db: Knex,
  name: string,
  options: { limit?: number; before?: number } = {},
): Promise<ModelHistoryEntry[]> {
  const model = await db(MODELS).where({ name }).first('id');
  if (!model) {
    throw notFoundModel(name);
  }
  const query = db(HISTORY)
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
 * Moves a version to another stage. With `archiveExisting`, a promotion to
 * Staging or Production archives the versions already in that stage.
 * Moving a version to the stage it is in changes nothing and records
 * nothing.
 */
export async function transitionStage(
  db: Knex,
  clock: () => Date,
  name: string,
  version: number,
  options: { stage: ModelStage; archiveExisting?: boolean; reason?: string },
  actor: string,
): Promise<StageTransitionResult> {
  const archived = await db.transaction(async tx => {
    const model = await lockModel(tx, name, clock());
    const row = await tx(VERSIONS)
      .where({ model_id: model.id, version })
      .first();
    if (!row) {
      throw notFoundVersion(name, version);
    }
    if (row.stage === options.stage) {
      return [];
    }
    const now = clock();
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
        await recordStage(tx, model.id, Number(other.version), {
          action: 'stage',
          from: options.stage,
          to: 'Archived',
          actor,
          reason: `Archived when version ${version} moved to ${options.stage}${
            options.reason ? `: ${options.reason}` : ''
          }`,
          now,
        });
      }
    }
    await recordStage(tx, model.id, version, {
      action: 'stage',
      from: row.stage,
      to: options.stage,
      actor,
      reason: options.reason,
      now,
    });
    return moved;
  });
  return { version: await readVersion(db, name, version), archived };
}

/**
 * Points an alias at a version, moving it when it already points
 * elsewhere. Re-pointing an alias at the version it already names records
 * nothing.
 */
export async function setAlias(
  db: Knex,
  clock: () => Date,
  name: string,
  alias: string,
  version: number,
  actor: string,
  reason?: string,
): Promise<ModelVersion> {
  await db.transaction(async tx => {
    const model = await lockModel(tx, name, clock());
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
    await appendHistory(tx, {
      modelId: model.id,
      version,
      action: 'alias_set',
      alias,
      from: current ? String(current.version) : undefined,
      to: String(version),
      actor,
      reason,
      now: clock(),
    });
  });
  return readVersion(db, name, version);
}

/** Removes an alias; the version it named stays as it is. */
export async function deleteAlias(
  db: Knex,
  clock: () => Date,
  name: string,
  alias: string,
  actor: string,
  reason?: string,
): Promise<void> {
  await db.transaction(async tx => {
    const model = await lockModel(tx, name, clock());
    const current = await tx(ALIASES)
      .where({ model_id: model.id, alias })
      .first();
    if (!current) {
      throw new NotFoundError(`Model "${name}" has no alias "${alias}"`);
    }
    await tx(ALIASES).where({ model_id: model.id, alias }).delete();
    await appendHistory(tx, {
      modelId: model.id,
      version: Number(current.version),
      action: 'alias_deleted',
      alias,
      from: String(current.version),
      actor,
      reason,
      now: clock(),
    });
  });
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
export async function rollback(
  db: Knex,
  clock: () => Date,
  name: string,
  reason: string,
  actor: string,
): Promise<RollbackResult> {
  const result = await db.transaction(async tx => {
    const model = await lockModel(tx, name, clock());
    const current = await currentProduction(tx, model.id);
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
    const now = clock();
    await recordStage(tx, model.id, current, {
      action: 'stage',
      from: 'Production',
      to: 'Archived',
      actor,
      reason: `Rolled back to version ${target}: ${reason}`,
      now,
    });
    if (targetRow.stage !== 'Production') {
      await recordStage(tx, model.id, target, {
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
      await appendHistory(tx, {
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
  return { ...result, version: await readVersion(db, name, result.to) };
}
