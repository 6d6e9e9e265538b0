import { ModelStage } from '@backstage-mlops/plugin-mlops-common';
import { Knex } from 'knex';
import { inChunks } from '../database/values';
import { appendHistory, recordStage } from './modelHistory';
import { ALIASES, HISTORY, MODELS, Row, VERSIONS } from './registryRows';

/*
 * The registry's write path for sources: a model as an MLflow server
 * reports it, written under the upstream's version numbers.
 */

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
 * Writes a model as a source reports it, in one transaction: creates it
 * when missing, updates description and tags, inserts or updates the given
 * versions under their upstream numbers, and brings the aliases to the
 * given set. Every stage or alias that differs from what the store held
 * is appended to the history under `actor`, as a change seen rather than
 * made here; a newly seen version outside None counts as promoted from
 * None, so rollback has a Production to go back to. Nothing is deleted
 * except aliases the full set no longer names.
 */
export async function mirrorModel(
  /** The database, or an enclosing transaction: many models, one commit. */
  db: Knex,
  clock: () => Date,
  name: string,
  input: MirroredModelInput,
  actor: string,
  reason: string,
): Promise<MirrorResult> {
  return db.transaction(async tx => {
    const now = clock();
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
          await recordStage(tx, modelId, v.version, {
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
        await appendHistory(tx, {
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
        await appendHistory(tx, {
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
