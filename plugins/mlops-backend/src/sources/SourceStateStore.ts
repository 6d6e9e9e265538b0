import { Knex } from 'knex';
import { inChunks, readIso, readTimestamp } from '../database/values';

const STATUS = 'mlops_source_status';
const CURSORS = 'mlops_source_cursors';
const OBJECTS = 'mlops_source_objects';

/** A source instance, as its rows are keyed. */
export interface SourceInstanceKey {
  type: string;
  name: string;
}

/** What the store remembers of an instance's syncs. */
export interface SourceSyncRecord {
  lastSyncAt?: string;
  lastSuccessAt?: string;
  lastDurationMs?: number;
  lastCounts: Record<string, number>;
  lastError?: string;
  lastErrorAt?: string;
  consecutiveFailures: number;
}

/** Kinds of mirrored objects. */
export type MirroredKind =
  | 'model'
  | 'version'
  | 'experiment'
  | 'run'
  | 'pipeline_run';

/**
 * Marks of fetched metric histories share the objects table under this kind
 * (key `<run id>/<metric key>`), so their origin and fetch time need no table
 * of their own; the fingerprint says whether the run was finished then.
 */
const METRIC_HISTORY = 'metric_history';
const FINISHED_RUN_HISTORY = 'finished';
const OPEN_RUN_HISTORY = 'open';

/** Where a mirrored object came from, and what was last written of it. */
export interface MirroredObject {
  kind: MirroredKind;
  key: string;
  type: string;
  name: string;
  fingerprint: string;
}

type Row = Record<string, any>;

/**
 * Sync status, cursors and the origin of mirrored objects, per source
 * instance. Status rows are written by whichever replica ran the sync and
 * read by all of them.
 */
export class SourceStateStore {
  constructor(private readonly db: Knex) {}

  async statuses(): Promise<Map<string, SourceSyncRecord>> {
    const rows: Row[] = await this.db(STATUS).select('*');
    const out = new Map<string, SourceSyncRecord>();
    for (const row of rows) {
      out.set(`${row.source_type}/${row.source_name}`, {
        lastSyncAt: readIso(row.last_sync_at),
        lastSuccessAt: readIso(row.last_success_at),
        lastDurationMs:
          row.last_duration_ms === null
            ? undefined
            : Number(row.last_duration_ms),
        lastCounts: JSON.parse(row.last_counts ?? '{}'),
        lastError: row.last_error ?? undefined,
        lastErrorAt: readIso(row.last_error_at),
        consecutiveFailures: Number(row.consecutive_failures ?? 0),
      });
    }
    return out;
  }

  async recordSuccess(
    instance: SourceInstanceKey,
    result: { at: Date; durationMs: number; counts: Record<string, number> },
  ): Promise<void> {
    await this.upsertStatus(instance, {
      last_sync_at: result.at,
      last_success_at: result.at,
      last_duration_ms: result.durationMs,
      last_counts: JSON.stringify(result.counts),
      consecutive_failures: 0,
    });
  }

  /** Keeps the last success and its counts: they still describe the store. */
  async recordFailure(
    instance: SourceInstanceKey,
    result: { at: Date; durationMs: number; error: string },
  ): Promise<void> {
    await this.db.transaction(async tx => {
      const row = await tx(STATUS)
        .where({ source_type: instance.type, source_name: instance.name })
        .first('consecutive_failures');
      const failures = Number(row?.consecutive_failures ?? 0) + 1;
      await this.upsertStatus(
        instance,
        {
          last_sync_at: result.at,
          last_duration_ms: result.durationMs,
          last_error: result.error,
          last_error_at: result.at,
          consecutive_failures: failures,
        },
        tx,
      );
    });
  }

  private async upsertStatus(
    instance: SourceInstanceKey,
    values: Row,
    db: Knex = this.db,
  ): Promise<void> {
    const now = new Date();
    await db(STATUS)
      .insert({
        source_type: instance.type,
        source_name: instance.name,
        last_counts: '{}',
        consecutive_failures: 0,
        ...values,
        updated_at: now,
      })
      .onConflict(['source_type', 'source_name'])
      .merge({ ...values, updated_at: now });
  }

  async cursors(instance: SourceInstanceKey): Promise<Map<string, string>> {
    const rows: Row[] = await this.db(CURSORS)
      .where({ source_type: instance.type, source_name: instance.name })
      .select('key', 'value');
    return new Map(rows.map(r => [r.key, r.value]));
  }

  async saveCursors(
    instance: SourceInstanceKey,
    values: Map<string, string>,
  ): Promise<void> {
    if (values.size === 0) {
      return;
    }
    // SQLite allows 500 terms in the compound select knex builds.
    for (const chunk of inChunks([...values], 200)) {
      await this.db(CURSORS)
        .insert(
          chunk.map(([key, value]) => ({
            source_type: instance.type,
            source_name: instance.name,
            key,
            value,
          })),
        )
        .onConflict(['source_type', 'source_name', 'key'])
        .merge(['value']);
    }
  }

  /** The mirrored objects among `keys`, by key. */
  async mirrored(
    kind: MirroredKind,
    keys: string[],
  ): Promise<Map<string, MirroredObject>> {
    const out = new Map<string, MirroredObject>();
    for (const chunk of inChunks([...new Set(keys)])) {
      const rows: Row[] = await this.db(OBJECTS)
        .where({ kind })
        .whereIn('object_key', chunk)
        .select('*');
      for (const row of rows) {
        out.set(row.object_key, {
          kind,
          key: row.object_key,
          type: row.source_type,
          name: row.source_name,
          fingerprint: row.fingerprint,
        });
      }
    }
    return out;
  }

  async markMirrored(
    objects: MirroredObject[],
    db: Knex = this.db,
  ): Promise<void> {
    const now = new Date();
    // PostgreSQL refuses one insert that names the same key twice.
    const unique = new Map(objects.map(o => [`${o.kind}\u0000${o.key}`, o]));
    for (const chunk of inChunks([...unique.values()], 200)) {
      await db(OBJECTS)
        .insert(
          chunk.map(o => ({
            kind: o.kind,
            object_key: o.key,
            source_type: o.type,
            source_name: o.name,
            fingerprint: o.fingerprint,
            synced_at: now,
          })),
        )
        .onConflict(['kind', 'object_key'])
        .merge(['source_type', 'source_name', 'fingerprint', 'synced_at']);
    }
  }

  /** The instance a model (or experiment) was mirrored from, if any. */
  async originOf(
    kind: MirroredKind,
    key: string,
  ): Promise<SourceInstanceKey | undefined> {
    const row = await this.db(OBJECTS)
      .where({ kind, object_key: key })
      .first('source_type', 'source_name');
    return row ? { type: row.source_type, name: row.source_name } : undefined;
  }

  /** The instance a pipeline's runs were mirrored from, if any. */
  async originOfPipeline(
    pipeline: string,
  ): Promise<SourceInstanceKey | undefined> {
    const prefix = `${pipeline.replace(/[\\%_]/g, c => `\\${c}`)}/%`;
    const row = await this.db(OBJECTS)
      .where({ kind: 'pipeline_run' })
      .whereRaw("object_key like ? escape '\\'", [prefix])
      .orderBy('synced_at', 'desc')
      .first('source_type', 'source_name');
    return row ? { type: row.source_type, name: row.source_name } : undefined;
  }

  /**
   * When a run's metric history was last fetched from its source, and
   * whether the run had finished by then (its history cannot grow).
   */
  async metricHistoryFetch(
    runId: string,
    key: string,
  ): Promise<{ at: Date; runFinished: boolean } | undefined> {
    const row = await this.db(OBJECTS)
      .where({ kind: METRIC_HISTORY, object_key: `${runId}/${key}` })
      .first('fingerprint', 'synced_at');
    return row
      ? {
          at: readTimestamp(row.synced_at) ?? new Date(0),
          runFinished: row.fingerprint === FINISHED_RUN_HISTORY,
        }
      : undefined;
  }

  async markMetricHistoryFetched(
    instance: SourceInstanceKey,
    runId: string,
    key: string,
    runFinished: boolean,
  ): Promise<void> {
    await this.db(OBJECTS)
      .insert({
        kind: METRIC_HISTORY,
        object_key: `${runId}/${key}`,
        source_type: instance.type,
        source_name: instance.name,
        fingerprint: runFinished ? FINISHED_RUN_HISTORY : OPEN_RUN_HISTORY,
        synced_at: new Date(),
      })
      .onConflict(['kind', 'object_key'])
      .merge(['source_type', 'source_name', 'fingerprint', 'synced_at']);
  }

  /** How many objects of each kind the store holds from the instance. */
  async countsOf(instance: SourceInstanceKey): Promise<Record<string, number>> {
    const rows: Row[] = await this.db(OBJECTS)
      .where({ source_type: instance.type, source_name: instance.name })
      .whereNot({ kind: METRIC_HISTORY })
      .groupBy('kind')
      .select('kind')
      .count({ n: '*' });
    return Object.fromEntries(rows.map(r => [r.kind, Number(r.n)]));
  }
}
