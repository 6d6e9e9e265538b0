/*
 * Crash recovery: heavy ingest, kill -9 of the backend's process group in
 * the middle of it, restart on the same data, and check that every
 * acknowledged write survived and the database is sound.
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const lib = require('./lib');
const {
  MODELS,
  createLedger,
  createRuns,
  startWorkload,
  verifyLedger,
} = require('./workload');

const CRASH_AFTER_MS =
  Number(process.env.MLOPS_RELIABILITY_CRASH_AFTER ?? 15) * 1000;

/** PRAGMA integrity_check of every SQLite file in a folder (on a copy). */
function sqliteIntegrity(dataDir) {
  const Database = require('better-sqlite3');
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-rel-copy-'));
  const results = {};
  try {
    // The -wal and -shm files go along: recovery of the log is part of what
    // is being checked.
    for (const file of fs.readdirSync(dataDir))
      fs.copyFileSync(path.join(dataDir, file), path.join(copy, file));
    for (const file of fs
      .readdirSync(copy)
      .filter(f => f.endsWith('.sqlite'))) {
      const db = new Database(path.join(copy, file));
      try {
        results[file] = db
          .pragma('integrity_check')
          .map(row => row.integrity_check)
          .join('; ');
      } finally {
        db.close();
      }
    }
  } finally {
    fs.rmSync(copy, { recursive: true, force: true });
  }
  return results;
}

async function predictionCounts(client, ledger) {
  const counts = {};
  for (const model of MODELS) {
    const r = await client.get(
      `/api/mlops/entities/component/default/${model}/metrics?window=24h&environment=${ledger.environment}`,
    );
    if (!r.ok) throw new Error(`metrics of ${model} answered ${r.status}`);
    counts[model] =
      r.body.models.find(m => m.model === model)?.totals.count ?? 0;
  }
  return counts;
}

/**
 * PostgreSQL has no integrity_check; amcheck verifies every B-tree index of
 * the plugin's tables against its heap (the structures a torn write would
 * break). The extension goes into the throwaway database only.
 */
async function pgIndexCheck(databaseName) {
  return lib.withPg(databaseName, async pg => {
    await pg.query('create extension if not exists amcheck');
    const { rows } = await pg.query(
      `select c.relname from pg_index i
         join pg_class c on c.oid = i.indexrelid
         join pg_am am on am.oid = c.relam
         join pg_namespace n on n.oid = c.relnamespace
        where am.amname = 'btree' and n.nspname = 'public'`,
    );
    for (const { relname } of rows) {
      // heapallindexed: every heap tuple must be found in the index.
      await pg.query('select bt_index_check($1::regclass, true)', [relname]);
    }
    return rows.length;
  });
}

/** Runs the crash check on one database kind; returns { ok, lines }. */
async function crashRecovery({ db, port, writers }) {
  const part = `crash-${db}`;
  const { tag, dataDir, database, drop } = lib.throwawayDatabase(db, 'relk');
  const lines = [];
  const problems = [];
  let backend = lib.startBackend({ name: part, port, database });
  try {
    lib.log(part, `starting the backend on :${port} (${db})`);
    let client = await lib.ready(backend);
    const ledger = createLedger(tag);
    await createRuns(client, ledger, writers);
    lib.log(
      part,
      `heavy ingest by ${writers} writers; kill -9 after ${
        CRASH_AFTER_MS / 1000
      } s`,
    );
    const workload = startWorkload(client, ledger, {
      writers,
      predictionBatch: 1000,
      metricBatch: 200,
      maxRetries: 2,
    });
    await lib.sleep(CRASH_AFTER_MS);
    const pids = lib.groupPids(backend);
    lib.killGroup(backend, 'SIGKILL');
    await backend.child.exited;
    const ackedAtKill = Object.values(ledger.perModel).reduce(
      (n, b) => n + b.acked.size,
      0,
    );
    lines.push(
      `killed process group ${backend.child.pid} (pids ${pids.join(
        ', ',
      )}) with SIGKILL after ${ackedAtKill} acknowledged prediction ids`,
    );
    await workload.stop();
    const inFlight = ledger.pendingPredictionBatches.length;
    lines.push(
      `at the kill: ${inFlight} prediction batches unanswered, statuses ${JSON.stringify(
        ledger.statuses,
      )}`,
    );

    if (dataDir) {
      const integrity = sqliteIntegrity(dataDir);
      lines.push(
        `integrity_check right after the kill: ${JSON.stringify(integrity)}`,
      );
      for (const [file, result] of Object.entries(integrity)) {
        if (result !== 'ok') problems.push(`${file} after the kill: ${result}`);
      }
    }

    lib.log(part, 'restarting on the same data');
    backend = lib.startBackend({ name: `${part}-restart`, port, database });
    client = await lib.ready(backend);
    const before = await predictionCounts(client, ledger);
    const check = await verifyLedger(client, ledger, { allowUnacked: true });
    lines.push(`after restart, before any retry: ${JSON.stringify(before)}`);
    lines.push(...check.facts);
    problems.push(...check.problems);

    // The clients' retries after the restart: same ids, so whatever had
    // been committed without an answer is reported as a duplicate.
    let duplicatesOnRetry = 0;
    for (const { model, events } of ledger.pendingPredictionBatches.splice(0)) {
      const r = await client.post(`/api/mlops/models/${model}/predictions`, {
        events,
      });
      if (!r.ok) {
        problems.push(`retry after restart answered ${r.status}`);
        continue;
      }
      duplicatesOnRetry += r.body.duplicates;
      const book = ledger.perModel[model];
      for (const event of events) {
        book.acked.add(event.id);
        book.unacked.delete(event.id);
      }
    }
    const after = await predictionCounts(client, ledger);
    lines.push(
      `after retrying the ${inFlight} unanswered batches (${duplicatesOnRetry} of their ids were already stored): ${JSON.stringify(
        after,
      )}`,
    );
    for (const model of MODELS) {
      const expected = ledger.perModel[model].acked.size;
      if (after[model] !== expected)
        problems.push(
          `${model}: ${after[model]} stored, ${expected} distinct ids acknowledged`,
        );
    }
    await lib.stopBackend(backend);
    if (db === 'pg') {
      try {
        const indexes = await pgIndexCheck(`${tag}_mlops`);
        lines.push(
          `amcheck bt_index_check(heapallindexed) after the restart: ${indexes} indexes ok`,
        );
      } catch (error) {
        problems.push(`amcheck after the restart: ${error.message}`);
      }
    }
    if (dataDir) {
      const integrity = sqliteIntegrity(dataDir);
      lines.push(
        `integrity_check after the restart: ${JSON.stringify(integrity)}`,
      );
      for (const [file, result] of Object.entries(integrity)) {
        if (result !== 'ok')
          problems.push(`${file} after the restart: ${result}`);
      }
    }
    return lib.verdict(lines, problems);
  } finally {
    await lib.stopBackend(backend);
    await drop();
  }
}

module.exports = { crashRecovery };
