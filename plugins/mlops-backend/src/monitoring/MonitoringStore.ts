import { Knex } from 'knex';
import {
  all,
  emptySums,
  EVENT_IDS,
  epochMinute,
  FeatureSample,
  HOUR,
  IngestResult,
  MINUTE,
  q,
  QUARTER,
  RETENTION_MINUTES,
  ROLLUP_SUM_SELECT,
  ROLLUPS,
  RollupBucket,
  RollupSums,
  rowToSums,
  SAMPLE_WINDOWS,
  SAMPLES,
} from './monitoringRows';
import { ingestPredictions } from './predictionIngest';
import { FeatureValue, PredictionEvent } from './types';

export {
  addSums,
  emptySums,
  epochMinute,
  HOUR,
  MINUTE,
  QUARTER,
  RESERVOIR_CAPACITY,
  RETENTION_MINUTES,
} from './monitoringRows';
export type {
  FeatureSample,
  IngestResult,
  RollupBucket,
  RollupSums,
} from './monitoringRows';

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
    return ingestPredictions(this.db, this.isPostgres, model, events, now);
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
    const rows = await all<Record<string, unknown>>(
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
    const [row] = await all<Record<string, unknown>>(
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
