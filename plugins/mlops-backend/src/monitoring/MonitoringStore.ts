import { Knex } from 'knex';
import {
  LATENCY_BUCKET_COUNT,
  LATENCY_COLUMNS,
  latencyBucket,
} from './histogram';
import { FeatureValue, PredictionEvent } from './types';

const ROLLUPS = 'mlops_prediction_rollups';
const EVENT_IDS = 'mlops_prediction_event_ids';
const SAMPLE_WINDOWS = 'mlops_prediction_sample_windows';
const SAMPLES = 'mlops_prediction_samples';

/** Rollup resolutions, in minutes: minute rows answer the last hour or
 * two, quarter-hour rows the last day, hourly rows the week and beyond, so
 * no read sums more than a few hundred rows. */
export const MINUTE = 1;
/** Quarter-hour rollups. */
export const QUARTER = 15;
/** Hourly rollups. */
export const HOUR = 60;

/**
 * How long each kind of row is kept, in minutes. Minute rollups cover
 * windows of up to two hours plus late arrivals, quarter-hour rollups the
 * 24-hour window, hourly rollups the 7-day window and the
 * first-production-day baseline of models that have been live for a quarter. Event ids only need to outlive a
 * client's retries: two days is far longer than any sane retry policy, and
 * keeping them longer would make the id table the largest in the store.
 */
export const RETENTION_MINUTES = {
  minuteRollups: 3 * 60,
  quarterRollups: 25 * 60,
  hourRollups: 90 * 24 * 60,
  eventIds: 2 * 24 * 60,
  samples: 8 * 24 * 60,
};

/** Rows each hourly feature reservoir keeps at most. */
export const RESERVOIR_CAPACITY = 1000;

const SUM_COLUMNS = [
  'count',
  'errors',
  'latency_sum',
  'labelled',
  'correct',
  'confidence_count',
  'confidence_sum',
] as const;
const ALL_SUM_COLUMNS: readonly string[] = [...SUM_COLUMNS, ...LATENCY_COLUMNS];
const KEY_COLUMNS = ['model', 'environment', 'resolution', 'bucket_start'];
const ROLLUP_COLUMNS = [...KEY_COLUMNS, ...ALL_SUM_COLUMNS];

// Identifiers below are constants of this file, never input; values always
// travel as bindings.
const q = (id: string) => `"${id}"`;
const ROLLUP_UPSERT_TAIL = ` on conflict (${KEY_COLUMNS.map(q).join(
  ', ',
)}) do update set ${ALL_SUM_COLUMNS.map(
  c => `${q(c)} = ${q(ROLLUPS)}.${q(c)} + excluded.${q(c)}`,
).join(', ')}`;
const ROLLUP_SUM_SELECT = ALL_SUM_COLUMNS.map(
  c => `sum(${q(c)}) as ${q(c)}`,
).join(', ');

// SQLite accepts 32766 bindings per statement, PostgreSQL 65535.
const MAX_BINDINGS = 30000;

/** Sums of one rollup bucket (or of several added together). */
export interface RollupSums {
  count: number;
  errors: number;
  latencySum: number;
  labelled: number;
  correct: number;
  confidenceCount: number;
  confidenceSum: number;
  histogram: number[];
}

/** Rollup sums of one series bucket. */
export interface RollupBucket extends RollupSums {
  /** Epoch minute the bucket starts at. */
  startMinute: number;
}

/** What an ingest call did. */
export interface IngestResult {
  /** Events counted now. */
  accepted: number;
  /** Events already counted earlier, or repeated within the batch. */
  duplicates: number;
}

/** A sample of recent feature values as columns, ready for drift checks. */
export interface FeatureSample {
  /** One array per feature, all of length `rows`; missing values are null. */
  columns: Record<string, Array<FeatureValue>>;
  rows: number;
  /** Events with features that arrived in the sampled windows. */
  seen: number;
}

/** Converts a timestamp in milliseconds to an epoch minute. */
export function epochMinute(ms: number): number {
  return Math.floor(ms / 60_000);
}

function emptySums(): RollupSums {
  return {
    count: 0,
    errors: 0,
    latencySum: 0,
    labelled: 0,
    correct: 0,
    confidenceCount: 0,
    confidenceSum: 0,
    histogram: new Array(LATENCY_BUCKET_COUNT).fill(0),
  };
}

function sameValue(a: FeatureValue | undefined, b: FeatureValue | undefined) {
  return a !== null && a !== undefined && String(a) === String(b);
}

interface PendingRollup {
  environment: string;
  resolution: number;
  bucketStart: number;
  sums: RollupSums;
}

function addEvent(sums: RollupSums, event: PredictionEvent) {
  sums.count += 1;
  if (event.status === 'error') {
    sums.errors += 1;
  }
  sums.latencySum += event.latencyMs;
  sums.histogram[latencyBucket(event.latencyMs)] += 1;
  if (event.label !== undefined && event.label !== null) {
    sums.labelled += 1;
    if (sameValue(event.prediction, event.label)) {
      sums.correct += 1;
    }
  }
  if (event.confidence !== undefined && event.confidence !== null) {
    sums.confidenceCount += 1;
    sums.confidenceSum += event.confidence;
  }
}

function rowToSums(row: Record<string, unknown>): RollupSums {
  return {
    count: Number(row.count ?? 0),
    errors: Number(row.errors ?? 0),
    latencySum: Number(row.latency_sum ?? 0),
    labelled: Number(row.labelled ?? 0),
    correct: Number(row.correct ?? 0),
    confidenceCount: Number(row.confidence_count ?? 0),
    confidenceSum: Number(row.confidence_sum ?? 0),
    histogram: LATENCY_COLUMNS.map(c => Number(row[c] ?? 0)),
  };
}

/** Adds `b` into `a`. */
export function addSums(a: RollupSums, b: RollupSums): RollupSums {
  a.count += b.count;
  a.errors += b.errors;
  a.latencySum += b.latencySum;
  a.labelled += b.labelled;
  a.correct += b.correct;
  a.confidenceCount += b.confidenceCount;
  a.confidenceSum += b.confidenceSum;
  for (let i = 0; i < a.histogram.length; i++) {
    a.histogram[i] += b.histogram[i];
  }
  return a;
}

export { emptySums };

/**
 * Stores prediction monitoring data: rollups per model, environment and
 * minute (and hour), the ids that make ingest idempotent, and hourly feature
 * reservoirs.
 *
 * Raw events are deliberately not kept. Every read the product needs
 * (throughput, error rate, percentiles, accuracy, drift samples) is answered
 * from the rollups and reservoirs, whose size depends on time and models,
 * not on traffic; storing each event would multiply write volume by the row
 * count and grow without bound. Only the client event ids are kept, for a
 * limited time, because deduplicating retries needs nothing else.
 */
export class MonitoringStore {
  private readonly isPostgres: boolean;

  constructor(private readonly db: Knex) {
    this.isPostgres = db.client.config.client === 'pg';
  }

  /** Whether the registry holds a model of this name: only those get predictions. */
  async isRegisteredModel(name: string): Promise<boolean> {
    const row = await this.db('mlops_registered_models')
      .where({ name })
      .first('name');
    return Boolean(row);
  }

  /**
   * Counts a validated batch of events for a model. The batch is written in
   * one transaction: new ids first (insert-or-ignore on a unique key, so a
   * retried or concurrent duplicate is never counted twice), then one
   * multi-row upsert of the touched rollup rows, then the reservoirs.
   */
  async ingest(
    model: string,
    events: PredictionEvent[],
    now: number = Date.now(),
  ): Promise<IngestResult> {
    // Within a batch the first occurrence of an id wins.
    const unique = new Map<string, PredictionEvent>();
    for (const event of events) {
      if (!unique.has(event.id)) {
        unique.set(event.id, event);
      }
    }
    // A stable order of ids and rollup keys keeps concurrent transactions on
    // PostgreSQL from waiting on each other's rows in opposite orders.
    const ids = [...unique.keys()].sort();
    const receivedMinute = epochMinute(now);

    return this.db.transaction(async tx => {
      const inserted = await this.insertNewIds(tx, model, ids, receivedMinute);
      const fresh: PredictionEvent[] = [];
      for (const id of ids) {
        if (inserted.has(id)) {
          fresh.push(unique.get(id)!);
        }
      }
      if (fresh.length > 0) {
        await this.upsertRollups(tx, model, fresh, now);
        await this.sampleFeatures(tx, model, fresh);
      }
      return {
        accepted: fresh.length,
        duplicates: events.length - fresh.length,
      };
    });
  }

  /**
   * Inserts the ids that are new and returns them. The ids travel as one
   * array binding (json_each on SQLite, unnest on PostgreSQL), so the
   * statement text stays the same size whatever the batch, instead of a
   * statement with thousands of placeholders to parse on every batch.
   */
  private async insertNewIds(
    tx: Knex.Transaction,
    model: string,
    ids: string[],
    receivedMinute: number,
  ): Promise<Set<string>> {
    const columns = `${q('model')}, ${q('event_id')}, ${q('received_minute')}`;
    const conflict = `on conflict (${q('model')}, ${q(
      'event_id',
    )}) do nothing returning ${q('event_id')}`;
    const rows = this.isPostgres
      ? await this.all<{ event_id: string }>(
          tx,
          `insert into ${q(
            EVENT_IDS,
          )} (${columns}) select ?, id, ? from unnest(?::text[]) as ids(id) ${conflict}`,
          [model, receivedMinute, ids as unknown as Knex.Value],
        )
      : await this.all<{ event_id: string }>(
          tx,
          // "where true" tells SQLite's parser the upsert clause is not part
          // of the SELECT.
          `insert into ${q(
            EVENT_IDS,
          )} (${columns}) select ?, value, ? from json_each(?) where true ${conflict}`,
          [model, receivedMinute, JSON.stringify(ids)],
        );
    return new Set(rows.map(row => row.event_id));
  }

  private async upsertRollups(
    tx: Knex.Transaction,
    model: string,
    events: PredictionEvent[],
    now: number,
  ) {
    // Events are summed per environment and minute first (one map lookup
    // per event); quarter-hour and hour rows are then sums of those.
    const byMinute = new Map<string, Map<number, RollupSums>>();
    for (const event of events) {
      let minutes = byMinute.get(event.environment);
      if (!minutes) {
        minutes = new Map();
        byMinute.set(event.environment, minutes);
      }
      const minute = epochMinute(event.timestampMs);
      let sums = minutes.get(minute);
      if (!sums) {
        sums = emptySums();
        minutes.set(minute, sums);
      }
      addEvent(sums, event);
    }
    const pending: PendingRollup[] = [];
    // Minute and quarter rows older than their retention would be deleted by
    // the next prune; late events only go into the hourly rows.
    const oldestMinuteRow = epochMinute(now) - RETENTION_MINUTES.minuteRollups;
    const oldestQuarterRow =
      epochMinute(now) - RETENTION_MINUTES.quarterRollups;
    for (const [environment, minutes] of byMinute) {
      const coarse = new Map<number, PendingRollup>();
      const addTo = (resolution: number, start: number, sums: RollupSums) => {
        const key = start * 100 + resolution;
        let row = coarse.get(key);
        if (!row) {
          row = {
            environment,
            resolution,
            bucketStart: start,
            sums: emptySums(),
          };
          coarse.set(key, row);
          pending.push(row);
        }
        addSums(row.sums, sums);
      };
      for (const [minute, sums] of minutes) {
        if (minute >= oldestMinuteRow) {
          pending.push({
            environment,
            resolution: MINUTE,
            bucketStart: minute,
            sums,
          });
        }
        if (minute >= oldestQuarterRow) {
          addTo(QUARTER, minute - (minute % QUARTER), sums);
        }
        addTo(HOUR, minute - (minute % HOUR), sums);
      }
    }
    const rows = pending.sort(
      (a, b) =>
        a.environment.localeCompare(b.environment, 'en') ||
        a.resolution - b.resolution ||
        a.bucketStart - b.bucketStart,
    );
    const width = ROLLUP_COLUMNS.length;
    const perStatement = Math.floor(MAX_BINDINGS / width);
    for (let start = 0; start < rows.length; start += perStatement) {
      const chunk = rows.slice(start, start + perStatement);
      const bindings: Knex.Value[] = [];
      for (const row of chunk) {
        const s = row.sums;
        bindings.push(
          model,
          row.environment,
          row.resolution,
          row.bucketStart,
          s.count,
          s.errors,
          s.latencySum,
          s.labelled,
          s.correct,
          s.confidenceCount,
          s.confidenceSum,
          ...s.histogram,
        );
      }
      await tx.raw(
        `insert into ${q(ROLLUPS)} (${ROLLUP_COLUMNS.map(q).join(
          ', ',
        )}) values ${placeholders(chunk.length, width)}${ROLLUP_UPSERT_TAIL}`,
        bindings,
      );
    }
  }

  /**
   * Algorithm R per model and hour: the first RESERVOIR_CAPACITY events with
   * features fill the reservoir, the n-th after that replaces a random slot
   * with probability capacity / n. The window's `seen` counter is bumped with
   * an upsert that returns the new value, which also locks the window row on
   * PostgreSQL, so concurrent batches draw their slots one after another.
   */
  private async sampleFeatures(
    tx: Knex.Transaction,
    model: string,
    events: PredictionEvent[],
  ) {
    const byWindow = new Map<number, PredictionEvent[]>();
    for (const event of events) {
      if (!event.features || Object.keys(event.features).length === 0) {
        continue;
      }
      const minute = epochMinute(event.timestampMs);
      const window = minute - (minute % HOUR);
      const list = byWindow.get(window);
      if (list) {
        list.push(event);
      } else {
        byWindow.set(window, [event]);
      }
    }
    const windows = [...byWindow.keys()].sort((a, b) => a - b);
    for (const window of windows) {
      const windowEvents = byWindow.get(window)!;
      const [row] = await this.all<{ seen: number | string }>(
        tx,
        `insert into ${q(SAMPLE_WINDOWS)} (${q('model')}, ${q(
          'window_start',
        )}, ${q('seen')}) values (?, ?, ?) on conflict (${q('model')}, ${q(
          'window_start',
        )}) do update set ${q('seen')} = ${q(SAMPLE_WINDOWS)}.${q(
          'seen',
        )} + excluded.${q('seen')} returning ${q('seen')}`,
        [model, window, windowEvents.length],
      );
      let seen = Number(row.seen) - windowEvents.length;
      const slots = new Map<number, PredictionEvent>();
      for (const event of windowEvents) {
        seen += 1;
        if (seen <= RESERVOIR_CAPACITY) {
          slots.set(seen - 1, event);
        } else {
          const j = Math.floor(Math.random() * seen);
          if (j < RESERVOIR_CAPACITY) {
            slots.set(j, event);
          }
        }
      }
      const entries = [...slots.entries()].sort((a, b) => a[0] - b[0]);
      const perStatement = Math.floor(MAX_BINDINGS / 5);
      for (let start = 0; start < entries.length; start += perStatement) {
        const chunk = entries.slice(start, start + perStatement);
        const bindings: Knex.Value[] = [];
        for (const [slot, event] of chunk) {
          bindings.push(
            model,
            window,
            slot,
            event.environment,
            JSON.stringify(event.features),
          );
        }
        await tx.raw(
          `insert into ${q(SAMPLES)} (${q('model')}, ${q('window_start')}, ${q(
            'slot',
          )}, ${q('environment')}, ${q('features')}) values ${placeholders(
            chunk.length,
            5,
          )} on conflict (${q('model')}, ${q('window_start')}, ${q(
            'slot',
          )}) do update set ${q('environment')} = excluded.${q(
            'environment',
          )}, ${q('features')} = excluded.${q('features')}`,
          bindings,
        );
      }
    }
  }

  /**
   * Sums rollups of one resolution for `[fromMinute, toMinute)`, grouped into
   * buckets of `bucketMinutes` aligned to multiples of it (epoch based).
   * Reads only rollup rows: at most one per minute or hour of the range.
   */
  async readBuckets(
    model: string,
    options: {
      resolution: number;
      fromMinute: number;
      toMinute: number;
      bucketMinutes: number;
      environment?: string;
    },
  ): Promise<RollupBucket[]> {
    const { resolution, fromMinute, toMinute, bucketMinutes, environment } =
      options;
    const bindings: unknown[] = [
      bucketMinutes,
      bucketMinutes,
      model,
      resolution,
      fromMinute,
      toMinute,
    ];
    let environmentClause = '';
    if (environment) {
      environmentClause = ` and ${q('environment')} = ?`;
      bindings.push(environment);
    }
    // Integer division on both databases: the column is an integer and the
    // binding is cast to one.
    const rows = await this.all<Record<string, unknown>>(
      this.db,
      `select (${q(
        'bucket_start',
      )} / cast(? as integer)) * cast(? as integer) as ${q(
        'start_minute',
      )}, ${ROLLUP_SUM_SELECT} from ${q(ROLLUPS)} where ${q(
        'model',
      )} = ? and ${q('resolution')} = ? and ${q('bucket_start')} >= ? and ${q(
        'bucket_start',
      )} < ?${environmentClause} group by 1 order by 1`,
      bindings,
    );
    return rows.map(row => ({
      startMinute: Number(row.start_minute),
      ...rowToSums(row),
    }));
  }

  /** Sums rollups of one resolution over `[fromMinute, toMinute)`. */
  async readTotals(
    model: string,
    options: {
      resolution: number;
      fromMinute: number;
      toMinute: number;
      environment?: string;
    },
  ): Promise<RollupSums> {
    const { resolution, fromMinute, toMinute, environment } = options;
    const bindings: unknown[] = [model, resolution, fromMinute, toMinute];
    let environmentClause = '';
    if (environment) {
      environmentClause = ` and ${q('environment')} = ?`;
      bindings.push(environment);
    }
    const [row] = await this.all<Record<string, unknown>>(
      this.db,
      `select ${ROLLUP_SUM_SELECT} from ${q(ROLLUPS)} where ${q(
        'model',
      )} = ? and ${q('resolution')} = ? and ${q('bucket_start')} >= ? and ${q(
        'bucket_start',
      )} < ?${environmentClause}`,
      bindings,
    );
    return row ? rowToSums(row) : emptySums();
  }

  /**
   * The first hour in which the model served labelled predictions in the
   * given environment, as an epoch minute.
   */
  async firstLabelledHour(
    model: string,
    environment: string,
  ): Promise<number | undefined> {
    const row = await this.db(ROLLUPS)
      .where({ model, environment, resolution: HOUR })
      .where('labelled', '>', 0)
      .min({ first: 'bucket_start' })
      .first();
    return row?.first === null || row?.first === undefined
      ? undefined
      : Number(row.first);
  }

  /** The environments that have reported predictions for the model. */
  async environments(model: string): Promise<string[]> {
    const rows: Array<{ environment: string }> = await this.db(ROLLUPS)
      .where({ model, resolution: HOUR })
      .distinct('environment')
      .orderBy('environment');
    return rows.map(r => r.environment);
  }

  /**
   * A sample of the feature values of events between `fromMinute` and now,
   * drawn from the hourly reservoirs that overlap the range. Each hour
   * contributes in proportion to the events it saw, so a busy hour is not
   * under-represented next to a quiet one; the result has at most `maxRows`
   * rows.
   */
  async featureSample(
    model: string,
    options: { fromMinute: number; environment?: string; maxRows: number },
  ): Promise<FeatureSample> {
    const firstWindow = options.fromMinute - (options.fromMinute % HOUR);
    const windows: Array<{
      window_start: number | string;
      seen: number | string;
    }> = await this.db(SAMPLE_WINDOWS)
      .where({ model })
      .where('window_start', '>=', firstWindow)
      .select('window_start', 'seen');
    const query = this.db(SAMPLES)
      .where({ model })
      .where('window_start', '>=', firstWindow)
      .select('window_start', 'features');
    if (options.environment) {
      query.where({ environment: options.environment });
    }
    const samples: Array<{ window_start: number | string; features: string }> =
      await query;

    const byWindow = new Map<number, string[]>();
    for (const s of samples) {
      const w = Number(s.window_start);
      const list = byWindow.get(w);
      if (list) {
        list.push(s.features);
      } else {
        byWindow.set(w, [s.features]);
      }
    }
    let totalSeen = 0;
    const weighted: Array<{ rows: string[]; seen: number }> = [];
    for (const w of windows) {
      const rows = byWindow.get(Number(w.window_start)) ?? [];
      const windowSeen = Number(w.seen);
      totalSeen += windowSeen;
      if (rows.length > 0) {
        weighted.push({ rows, seen: windowSeen });
      }
    }
    const weightTotal = weighted.reduce((sum, w) => sum + w.seen, 0);
    // The largest sample size at which no window is asked for more rows than
    // its reservoir holds.
    let target = options.maxRows;
    for (const w of weighted) {
      target = Math.min(target, (w.rows.length * weightTotal) / w.seen);
    }
    const picked: string[] = [];
    for (const w of weighted) {
      const quota = Math.min(
        w.rows.length,
        Math.round((target * w.seen) / weightTotal),
      );
      picked.push(...pickRandom(w.rows, quota));
    }

    const parsed = picked.map(
      text => JSON.parse(text) as Record<string, FeatureValue>,
    );
    const names = new Set<string>();
    for (const row of parsed) {
      for (const name of Object.keys(row)) {
        names.add(name);
      }
    }
    const columns: Record<string, FeatureValue[]> = {};
    for (const name of [...names].sort()) {
      columns[name] = parsed.map(row => row[name] ?? null);
    }
    return { columns, rows: parsed.length, seen: totalSeen };
  }

  /** Deletes rows older than their retention; returns how many went. */
  async prune(now: number = Date.now()): Promise<number> {
    const minute = epochMinute(now);
    let deleted = 0;
    deleted += await this.db(ROLLUPS)
      .where({ resolution: MINUTE })
      .where('bucket_start', '<', minute - RETENTION_MINUTES.minuteRollups)
      .delete();
    deleted += await this.db(ROLLUPS)
      .where({ resolution: QUARTER })
      .where('bucket_start', '<', minute - RETENTION_MINUTES.quarterRollups)
      .delete();
    deleted += await this.db(ROLLUPS)
      .where({ resolution: HOUR })
      .where('bucket_start', '<', minute - RETENTION_MINUTES.hourRollups)
      .delete();
    deleted += await this.db(EVENT_IDS)
      .where('received_minute', '<', minute - RETENTION_MINUTES.eventIds)
      .delete();
    const sampleCutoff = minute - RETENTION_MINUTES.samples;
    deleted += await this.db(SAMPLES)
      .where('window_start', '<', sampleCutoff)
      .delete();
    deleted += await this.db(SAMPLE_WINDOWS)
      .where('window_start', '<', sampleCutoff)
      .delete();
    return deleted;
  }

  /** Runs a raw statement and returns its rows on either database. */
  private async all<T>(
    db: Knex | Knex.Transaction,
    sql: string,
    bindings: readonly unknown[],
  ): Promise<T[]> {
    const result = await db.raw(sql, bindings as Knex.RawBinding[]);
    // pg answers { rows }, better-sqlite3 an array of rows.
    return (Array.isArray(result) ? result : result.rows) as T[];
  }
}

function placeholders(rows: number, width: number): string {
  const row = `(${new Array(width).fill('?').join(', ')})`;
  return new Array(rows).fill(row).join(', ');
}

function pickRandom<T>(items: T[], count: number): T[] {
  if (count >= items.length) {
    return items;
  }
  const copy = items.slice();
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(Math.random() * (copy.length - i));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy.slice(0, count);
}
