import { Knex } from 'knex';
import { LATENCY_BUCKET_COUNT, LATENCY_COLUMNS } from './histogram';
import { FeatureValue } from './types';

/*
 * The monitoring tables and what their rows read as: rollup resolutions and
 * retention, rollup sums, and the raw statements both the ingest path
 * (predictionIngest) and MonitoringStore's reads run on either database.
 */

export const ROLLUPS = 'mlops_prediction_rollups';
export const EVENT_IDS = 'mlops_prediction_event_ids';
export const SAMPLE_WINDOWS = 'mlops_prediction_sample_windows';
export const SAMPLES = 'mlops_prediction_samples';

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
export const ALL_SUM_COLUMNS: readonly string[] = [
  ...SUM_COLUMNS,
  ...LATENCY_COLUMNS,
];
export const KEY_COLUMNS = [
  'model',
  'environment',
  'resolution',
  'bucket_start',
];

// Identifiers quoted with q are constants of the monitoring store's modules,
// never input; values always travel as bindings.
export const q = (id: string) => `"${id}"`;
export const ROLLUP_SUM_SELECT = ALL_SUM_COLUMNS.map(
  c => `sum(${q(c)}) as ${q(c)}`,
).join(', ');

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

export function emptySums(): RollupSums {
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

export function rowToSums(row: Record<string, unknown>): RollupSums {
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

/** Runs a raw statement and returns its rows on either database. */
export async function all<T>(
  db: Knex | Knex.Transaction,
  sql: string,
  bindings: readonly unknown[],
): Promise<T[]> {
  const result = await db.raw(sql, bindings as Knex.RawBinding[]);
  // pg answers { rows }, better-sqlite3 an array of rows.
  return (Array.isArray(result) ? result : result.rows) as T[];
}
