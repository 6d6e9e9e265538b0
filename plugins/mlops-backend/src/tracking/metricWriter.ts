import { Knex } from 'knex';
import { toStoredValue } from './metricValues';

/** One metric measurement to write; the value may be NaN or ±Infinity. */
export interface MetricRow {
  key: string;
  value: number;
  step: number;
  timestamp: number;
}

const HISTORY = 'mlops_run_metrics';
const LATEST = 'mlops_run_latest_metrics';
const COLUMNS = 'run_id, key, value, is_nan, step, timestamp';

// A stored row is replaced only by a later measurement (MLflow's rule:
// higher step, then newer timestamp, then larger value), decided by the
// database so that concurrent batches can never move the latest value back.
const LATER_THAN_STORED = `excluded.step > ${LATEST}.step
  or (excluded.step = ${LATEST}.step and excluded.timestamp > ${LATEST}.timestamp)
  or (excluded.step = ${LATEST}.step and excluded.timestamp = ${LATEST}.timestamp
      and excluded.value > ${LATEST}.value)`;

const UPSERT_LATEST = `on conflict (run_id, key) do update set
  value = excluded.value, is_nan = excluded.is_nan, step = excluded.step,
  timestamp = excluded.timestamp
  where ${LATER_THAN_STORED}`;

/** Rows per statement for databases without an array path. */
const CHUNK = 400;

/**
 * Writes a run's metric history rows and upserts its latest values.
 *
 * A 1,000-metric batch is the hot path of training jobs. Building one
 * INSERT with 6,000 bind values through the query builder and having the
 * database parse it costs tens of milliseconds, so on PostgreSQL the rows
 * travel as six arrays (`unnest`) and on SQLite as one JSON document
 * (`json_each`): a short, fixed statement whatever the batch size. Every
 * value is a binding; no input becomes SQL text.
 *
 * `latest` must hold at most one row per key.
 */
export async function writeMetrics(
  tx: Knex.Transaction | Knex,
  runId: string,
  history: MetricRow[],
  latest: MetricRow[],
): Promise<void> {
  const client = String(tx.client.config.client);
  if (client === 'pg') {
    await writePg(tx, runId, history, latest);
  } else if (client === 'better-sqlite3' || client === 'sqlite3') {
    await writeSqlite(tx, runId, history, false);
    await writeSqlite(tx, runId, latest, true);
  } else {
    await writeGeneric(tx, runId, history, latest);
  }
}

function pgArrays(rows: MetricRow[]) {
  const keys: string[] = [];
  const values: number[] = [];
  const nans: boolean[] = [];
  const steps: number[] = [];
  const timestamps: number[] = [];
  for (const row of rows) {
    const stored = toStoredValue(row.value);
    keys.push(row.key);
    values.push(stored.value);
    nans.push(stored.is_nan);
    steps.push(row.step);
    timestamps.push(row.timestamp);
  }
  return [keys, values, nans, steps, timestamps];
}

const PG_ROWS = `select ?, u.key, u.value, u.is_nan, u.step, u.timestamp
  from unnest(?::text[], ?::float8[], ?::boolean[], ?::bigint[], ?::bigint[])
    as u(key, value, is_nan, step, timestamp)`;

// History and latest values in one statement (a data-modifying CTE runs
// whether or not it is referenced): one round trip instead of two.
async function writePg(
  tx: Knex.Transaction | Knex,
  runId: string,
  history: MetricRow[],
  latest: MetricRow[],
) {
  if (history.length === 0) {
    return;
  }
  await tx.raw(
    `with history as (insert into ${HISTORY} (${COLUMNS}) ${PG_ROWS})
     insert into ${LATEST} (${COLUMNS}) ${PG_ROWS} ${UPSERT_LATEST}`,
    [runId, ...pgArrays(history), runId, ...pgArrays(latest)],
  );
}

/** What a metrics-only batch found of its run. */
export type LiveRunCheck = { state: 'live' | 'deleted' | 'missing' };

/**
 * A metrics-only batch, with the run's check (it exists and is not deleted)
 * and the writes together, so nothing is written for a missing or deleted
 * run. Returns the run's state as found. Training jobs log metrics far more
 * often than params or tags, so this is what their throughput rests on:
 * PostgreSQL does it in one statement, better-sqlite3 in one synchronous
 * transaction. Undefined on other databases: the caller writes in a knex
 * transaction there.
 */
export async function writeMetricsOfLiveRun(
  db: Knex,
  runId: string,
  history: MetricRow[],
  latest: MetricRow[],
): Promise<LiveRunCheck | undefined> {
  const client = String(db.client.config.client);
  if (client === 'pg') {
    return writePgLiveRun(db, runId, history, latest);
  }
  if (client === 'better-sqlite3') {
    return writeBetterSqliteLiveRun(db, runId, history, latest);
  }
  return undefined;
}

/**
 * PostgreSQL: one statement and one round trip. The check and the writes
 * are data-modifying CTEs that write only when the run is live, so no
 * transaction (BEGIN, check, write, COMMIT: four round trips) is needed to
 * keep them together.
 */
async function writePgLiveRun(
  db: Knex,
  runId: string,
  history: MetricRow[],
  latest: MetricRow[],
): Promise<LiveRunCheck> {
  const result = await db.raw(
    `with run as (select deleted from mlops_runs where id = ?),
     live as (select 1 from run where not deleted),
     history as (insert into ${HISTORY} (${COLUMNS}) ${PG_ROWS}
       where exists (select 1 from live)),
     latest as (insert into ${LATEST} (${COLUMNS}) ${PG_ROWS}
       where exists (select 1 from live) ${UPSERT_LATEST})
     select deleted from run`,
    [runId, runId, ...pgArrays(history), runId, ...pgArrays(latest)],
  );
  const [run] = result.rows as Array<{ deleted: boolean }>;
  if (!run) {
    return { state: 'missing' };
  }
  return { state: run.deleted ? 'deleted' : 'live' };
}

/** The parts of a better-sqlite3 connection the metric writer uses. */
interface BetterSqliteConnection {
  prepare(sql: string): {
    get(...bindings: unknown[]): unknown;
    run(...bindings: unknown[]): unknown;
  };
  transaction<F extends (...args: any[]) => any>(fn: F): F;
  pragma(source: string): unknown;
}

/**
 * WAL frames between two checkpoints (SQLite's default is 1,000). A
 * 100-metric batch dirties ~150 pages, one per metric's history leaf
 * (the history is ordered by run, key, step) plus the latest values and
 * their search index, so at the default every few batches copied the same
 * hot pages back into the database file, which cost SQLite more than the
 * batch itself. With 10,000 frames (a WAL of up to ~40 MB) a hot page is
 * copied back once for dozens of batches. Commits still sync the WAL as
 * before, so nothing acknowledged depends on the checkpoint.
 */
const WAL_FRAMES_PER_CHECKPOINT = 10_000;

type BetterSqliteLiveRunWriter = (
  runId: string,
  history: MetricRow[],
  latest: MetricRow[],
) => LiveRunCheck['state'];

const betterSqliteWriters = new WeakMap<
  BetterSqliteConnection,
  BetterSqliteLiveRunWriter
>();

/**
 * better-sqlite3 runs every statement synchronously, so a batch written
 * through knex paid for the query builder, the transaction's promise chain
 * and a fresh prepare of each statement (BEGIN, the check, two inserts,
 * COMMIT) on top of SQLite's own work, and the JSON document of the
 * `json_each` insert cost SQLite more than binding the rows one by one to a
 * prepared statement. Here the batch is one synchronous transaction on the
 * pool's connection, with statements prepared once per connection: nothing
 * else can run on that connection while it is held, as in a knex
 * transaction.
 */
async function writeBetterSqliteLiveRun(
  db: Knex,
  runId: string,
  history: MetricRow[],
  latest: MetricRow[],
): Promise<LiveRunCheck> {
  const connection: BetterSqliteConnection =
    await db.client.acquireConnection();
  try {
    let write = betterSqliteWriters.get(connection);
    if (!write) {
      write = betterSqliteLiveRunWriter(connection);
      betterSqliteWriters.set(connection, write);
    }
    return { state: write(runId, history, latest) };
  } finally {
    await db.client.releaseConnection(connection);
  }
}

function betterSqliteLiveRunWriter(
  connection: BetterSqliteConnection,
): BetterSqliteLiveRunWriter {
  // A per-connection setting, so it is set where the connection is first
  // used for metrics (in-memory databases have no WAL and ignore it).
  connection.pragma(`wal_autocheckpoint = ${WAL_FRAMES_PER_CHECKPOINT}`);
  const findRun = connection.prepare(
    'select deleted from mlops_runs where id = ?',
  );
  const ROW = `(${COLUMNS}) values (?, ?, ?, ?, ?, ?)`;
  const insertHistory = connection.prepare(`insert into ${HISTORY} ${ROW}`);
  const upsertLatest = connection.prepare(
    `insert into ${LATEST} ${ROW} ${UPSERT_LATEST}`,
  );
  const insert = (
    statement: ReturnType<BetterSqliteConnection['prepare']>,
    runId: string,
    row: MetricRow,
  ) => {
    const stored = toStoredValue(row.value);
    // better-sqlite3 binds no booleans: the flag is stored as 0 or 1, as
    // knex writes it.
    statement.run(
      runId,
      row.key,
      stored.value,
      stored.is_nan ? 1 : 0,
      row.step,
      row.timestamp,
    );
  };
  return connection.transaction(
    (runId: string, history: MetricRow[], latest: MetricRow[]) => {
      const run = findRun.get(runId) as { deleted: unknown } | undefined;
      if (!run) {
        return 'missing';
      }
      if (run.deleted === 1 || run.deleted === true) {
        return 'deleted';
      }
      for (const row of history) insert(insertHistory, runId, row);
      for (const row of latest) insert(upsertLatest, runId, row);
      return 'live';
    },
  );
}

async function writeSqlite(
  tx: Knex.Transaction | Knex,
  runId: string,
  rows: MetricRow[],
  upsert: boolean,
) {
  if (rows.length === 0) {
    return;
  }
  const document = JSON.stringify(
    rows.map(row => {
      const stored = toStoredValue(row.value);
      return [
        row.key,
        stored.value,
        stored.is_nan ? 1 : 0,
        row.step,
        row.timestamp,
      ];
    }),
  );
  // "where true" keeps SQLite from reading ON CONFLICT as a join constraint.
  await tx.raw(
    `insert into ${upsert ? LATEST : HISTORY} (${COLUMNS})
     select ?, j.value ->> 0, j.value ->> 1, j.value ->> 2, j.value ->> 3, j.value ->> 4
     from json_each(?) as j where true
     ${upsert ? UPSERT_LATEST : ''}`,
    [runId, document],
  );
}

async function writeGeneric(
  tx: Knex.Transaction | Knex,
  runId: string,
  history: MetricRow[],
  latest: MetricRow[],
) {
  const toRow = (m: MetricRow) => ({
    run_id: runId,
    key: m.key,
    ...toStoredValue(m.value),
    step: m.step,
    timestamp: m.timestamp,
  });
  for (let i = 0; i < history.length; i += CHUNK) {
    await tx(HISTORY).insert(history.slice(i, i + CHUNK).map(toRow));
  }
  for (let i = 0; i < latest.length; i += CHUNK) {
    await tx(LATEST)
      .insert(latest.slice(i, i + CHUNK).map(toRow))
      .onConflict(['run_id', 'key'])
      .merge(['value', 'is_nan', 'step', 'timestamp'])
      .whereRaw(LATER_THAN_STORED);
  }
}
