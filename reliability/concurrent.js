/*
 * Concurrent writers: N clients log metric batches and prediction batches at
 * once against the real backend, then every acknowledged write is checked
 * through the API to be stored exactly once.
 */
const lib = require('./lib');
const {
  createLedger,
  createRuns,
  startWorkload,
  verifyLedger,
} = require('./workload');

/** Runs the check on one database kind ('sqlite' or 'pg'); returns { ok, lines }. */
async function concurrentWriters({ db, port, durationMs, writers }) {
  const part = `concurrent-${db}`;
  const { tag, database, drop } = lib.throwawayDatabase(db, 'relc');
  const backend = lib.startBackend({ name: part, port, database });
  try {
    lib.log(part, `starting the backend on :${port} (${db})`);
    const client = await lib.ready(backend);
    const ledger = createLedger(tag);
    await createRuns(client, ledger, writers);
    lib.log(part, `${writers} writers for ${durationMs / 1000} s`);
    const started = Date.now();
    await startWorkload(client, ledger, { writers, durationMs }).done;
    const seconds = (Date.now() - started) / 1000;
    const { problems, facts } = await verifyLedger(client, ledger);
    const totalAcked = Object.values(ledger.perModel).reduce(
      (n, b) => n + b.acked.size,
      0,
    );
    const ackedSteps = ledger.runs.reduce((n, r) => n + r.acked.size, 0);
    const lines = [
      `${seconds.toFixed(0)} s, statuses ${JSON.stringify(ledger.statuses)}`,
      `${totalAcked} prediction ids (${(totalAcked / seconds).toFixed(
        0,
      )}/s), ${ackedSteps} metric steps (${(ackedSteps / seconds).toFixed(
        0,
      )}/s) acknowledged`,
      ...facts,
    ];
    const errors = Object.entries(ledger.statuses).filter(
      ([s]) => !/^2/.test(s),
    );
    if (errors.length)
      problems.push(
        `non-2xx answers: ${JSON.stringify(Object.fromEntries(errors))}`,
      );
    return lib.verdict(lines, problems);
  } finally {
    await lib.stopBackend(backend);
    await drop();
  }
}

module.exports = { concurrentWriters };
