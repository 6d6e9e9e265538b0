import { Knex } from 'knex';
import { latencyBucket } from './histogram';
import {
  addSums,
  ALL_SUM_COLUMNS,
  all,
  emptySums,
  epochMinute,
  EVENT_IDS,
  HOUR,
  IngestResult,
  KEY_COLUMNS,
  MINUTE,
  q,
  QUARTER,
  RESERVOIR_CAPACITY,
  RETENTION_MINUTES,
  ROLLUPS,
  RollupSums,
  SAMPLE_WINDOWS,
  SAMPLES,
} from './monitoringRows';
import { FeatureValue, PredictionEvent } from './types';

/*
 * The prediction ingest path: a batch of events counted once per id into
 * the rollups and sampled into the hourly feature reservoirs, in one
 * transaction.
 */

const ROLLUP_COLUMNS = [...KEY_COLUMNS, ...ALL_SUM_COLUMNS];
const ROLLUP_UPSERT_TAIL = ` on conflict (${KEY_COLUMNS.map(q).join(
  ', ',
)}) do update set ${ALL_SUM_COLUMNS.map(
  c => `${q(c)} = ${q(ROLLUPS)}.${q(c)} + excluded.${q(c)}`,
).join(', ')}`;

// SQLite accepts 32766 bindings per statement, PostgreSQL 65535.
const MAX_BINDINGS = 30000;

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

/**
 * Counts a validated batch of events for a model. The batch is written in
 * one transaction: new ids first (insert-or-ignore on a unique key, so a
 * retried or concurrent duplicate is never counted twice), then one
 * multi-row upsert of the touched rollup rows, then the reservoirs.
 */
export async function ingestPredictions(
  db: Knex,
  isPostgres: boolean,
  model: string,
  events: PredictionEvent[],
  now: number,
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

  return db.transaction(async tx => {
    const inserted = await insertNewIds(
      tx,
      isPostgres,
      model,
      ids,
      receivedMinute,
    );
    const fresh: PredictionEvent[] = [];
    for (const id of ids) {
      if (inserted.has(id)) {
        fresh.push(unique.get(id)!);
      }
    }
    if (fresh.length > 0) {
      await upsertRollups(tx, model, fresh, now);
      await sampleFeatures(tx, model, fresh);
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
async function insertNewIds(
  tx: Knex.Transaction,
  isPostgres: boolean,
  model: string,
  ids: string[],
  receivedMinute: number,
): Promise<Set<string>> {
  const columns = `${q('model')}, ${q('event_id')}, ${q('received_minute')}`;
  const conflict = `on conflict (${q('model')}, ${q(
    'event_id',
  )}) do nothing returning ${q('event_id')}`;
  const rows = isPostgres
    ? await all<{ event_id: string }>(
        tx,
        `insert into ${q(
          EVENT_IDS,
        )} (${columns}) select ?, id, ? from unnest(?::text[]) as ids(id) ${conflict}`,
        [model, receivedMinute, ids as unknown as Knex.Value],
      )
    : await all<{ event_id: string }>(
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

async function upsertRollups(
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
  const oldestQuarterRow = epochMinute(now) - RETENTION_MINUTES.quarterRollups;
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
async function sampleFeatures(
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
    const [row] = await all<{ seen: number | string }>(
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

function placeholders(rows: number, width: number): string {
  const row = `(${new Array(width).fill('?').join(', ')})`;
  return new Array(rows).fill(row).join(', ');
}
