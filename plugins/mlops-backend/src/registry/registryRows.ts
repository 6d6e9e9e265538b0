import {
  ModelHistoryEntry,
  ModelVersion,
  RegisteredModel,
} from '@backstage-mlops/plugin-mlops-common';
import { NotFoundError } from '@backstage/errors';
import { Knex } from 'knex';
import { readRequiredIso } from '../database/values';

/*
 * The registry's rows and what they read as: models, versions with their
 * aliases, history entries, and the not-found errors every part of the
 * store answers with. RegistryStore and the modules it is split into
 * (modelHistory, versionRetention, mirrorModel) read through these.
 */

export const MODELS = 'mlops_registered_models';
export const VERSIONS = 'mlops_model_versions';
export const ALIASES = 'mlops_model_aliases';
export const HISTORY = 'mlops_model_history';

export type Row = Record<string, any>;

// JSON has no NaN or ±Infinity; tracking accepts them the way MLflow does, so
// the snapshot spells them out as strings and turns them back on read.
export function encodeMetrics(metrics: Record<string, number>): string {
  return JSON.stringify(metrics, (_key, value) =>
    typeof value === 'number' && !Number.isFinite(value)
      ? String(value)
      : value,
  );
}

export function decodeMetrics(text: string): Record<string, number> {
  const raw = JSON.parse(text) as Record<string, number | string>;
  const metrics: Record<string, number> = {};
  for (const [key, value] of Object.entries(raw)) {
    metrics[key] = typeof value === 'number' ? value : Number(value);
  }
  return metrics;
}

export function optional<T>(value: T | null | undefined): T | undefined {
  return value === null || value === undefined ? undefined : value;
}

export async function readVersion(
  db: Knex,
  name: string,
  version: number,
): Promise<ModelVersion> {
  const model = await db(MODELS).where({ name }).first('id');
  if (!model) {
    throw notFoundModel(name);
  }
  const row = await db(VERSIONS).where({ model_id: model.id, version }).first();
  if (!row) {
    throw notFoundVersion(name, version);
  }
  return (await toVersions(db, name, model.id, [row]))[0];
}

export async function toVersions(
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

export async function toModels(
  db: Knex,
  rows: Row[],
): Promise<RegisteredModel[]> {
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

/** A model's versions, newest first. */
export async function listVersions(
  db: Knex,
  name: string,
): Promise<ModelVersion[]> {
  const model = await db(MODELS).where({ name }).first('id');
  if (!model) {
    throw notFoundModel(name);
  }
  const rows: Row[] = await db(VERSIONS)
    .where({ model_id: model.id })
    .orderBy('version', 'desc');
  return toVersions(db, name, model.id, rows);
}

/** A model with its newest versions and latest history entries. */
export interface ModelView {
  model: RegisteredModel;
  versions: ModelVersion[];
  history: ModelHistoryEntry[];
}

/**
 * What an entity card shows of a model: the model, its newest versions
 * and its latest history entries, read with one query per table (run
 * side by side where the pool has several connections).
 */
export async function readModelView(
  db: Knex,
  name: string,
  limits: { versions: number; history: number },
): Promise<ModelView | undefined> {
  const row: Row | undefined = await db(MODELS).where({ name }).first();
  if (!row) {
    return undefined;
  }
  const [versionRows, aliasRows, production, historyRows] = await Promise.all([
    db(VERSIONS)
      .where({ model_id: row.id })
      .orderBy('version', 'desc')
      .limit(limits.versions) as Promise<Row[]>,
    db(ALIASES).where({ model_id: row.id }).orderBy('alias') as Promise<Row[]>,
    db(VERSIONS)
      .where({ model_id: row.id, stage: 'Production' })
      .orderBy('stage_changed_at', 'desc')
      .orderBy('version', 'desc')
      .first('version') as Promise<Row | undefined>,
    db(HISTORY)
      .where({ model_id: row.id })
      .orderBy('id', 'desc')
      .limit(limits.history) as Promise<Row[]>,
  ]);
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

/** The aliases of a version row, from alias rows of its model. */
export function aliasLookup(aliasRows: Row[]): (row: Row) => string[] {
  const byVersion = new Map<string, string[]>();
  for (const a of aliasRows) {
    const key = `${a.model_id}:${a.version}`;
    byVersion.set(key, [...(byVersion.get(key) ?? []), a.alias]);
  }
  return row => byVersion.get(`${row.model_id}:${row.version}`) ?? [];
}

export function modelFields(
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

export function toVersion(
  model: string,
  row: Row,
  aliases: string[],
): ModelVersion {
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

export function toHistoryEntry(model: string, row: Row): ModelHistoryEntry {
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

export function notFoundModel(name: string) {
  return new NotFoundError(`No registered model named "${name}"`);
}

export function notFoundVersion(name: string, version: number) {
  return new NotFoundError(`Model "${name}" has no version ${version}`);
}
