#!/usr/bin/env node
/*
 * Reliability checks against the real backend ("No data lost"):
 *
 *   node reliability/run.js [part ...]
 *
 * Parts: concurrent-sqlite, concurrent-pg, crash-sqlite, crash-pg, replicas
 * (default: all). Environment:
 *   MLOPS_RELIABILITY_DURATION   seconds of concurrent writing (default 60)
 *   MLOPS_RELIABILITY_WRITERS    concurrent clients (default 8)
 *   MLOPS_RELIABILITY_PORT       first port used (default 7300; +10 per part)
 *   MLOPS_RELIABILITY_PG         PostgreSQL URL (default postgresql://postgres@127.0.0.1:5432)
 * Backend logs go to test-artifacts/reliability/. Exits non-zero on any FAIL.
 */
const lib = require('./lib');
const { concurrentWriters } = require('./concurrent');
const { crashRecovery } = require('./crash');
const { twoReplicas } = require('./replicas');

const DURATION_MS = Number(process.env.MLOPS_RELIABILITY_DURATION ?? 60) * 1000;
const WRITERS = Number(process.env.MLOPS_RELIABILITY_WRITERS ?? 8);
const BASE_PORT = Number(process.env.MLOPS_RELIABILITY_PORT ?? 7300);
// Each part gets a bound so a hung backend cannot hold the run forever.
const PART_TIMEOUT_MS = DURATION_MS + 6 * 60_000;

const PARTS = {
  'concurrent-sqlite': port =>
    concurrentWriters({
      db: 'sqlite',
      port,
      durationMs: DURATION_MS,
      writers: WRITERS,
    }),
  'concurrent-pg': port =>
    concurrentWriters({
      db: 'pg',
      port,
      durationMs: DURATION_MS,
      writers: WRITERS,
    }),
  'crash-sqlite': port =>
    crashRecovery({ db: 'sqlite', port, writers: WRITERS }),
  'crash-pg': port => crashRecovery({ db: 'pg', port, writers: WRITERS }),
  replicas: port => twoReplicas({ ports: [port, port + 1] }),
};

async function main() {
  const names = process.argv.slice(2);
  const unknown = names.filter(n => !PARTS[n]);
  if (unknown.length) {
    console.error(
      `Unknown part(s): ${unknown.join(', ')}. Parts: ${Object.keys(PARTS).join(
        ', ',
      )}`,
    );
    process.exit(2);
  }
  const selected = names.length ? names : Object.keys(PARTS);
  const results = [];
  for (const [i, name] of selected.entries()) {
    const port = BASE_PORT + 10 * Object.keys(PARTS).indexOf(name);
    const started = Date.now();
    let result;
    try {
      result = await Promise.race([
        PARTS[name](port),
        lib.sleep(PART_TIMEOUT_MS).then(() => {
          throw new Error(`timed out after ${PART_TIMEOUT_MS / 1000} s`);
        }),
      ]);
    } catch (error) {
      result = { ok: false, lines: [`ERROR ${error.stack ?? error}`] };
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(0);
    results.push({ name, ...result, seconds });
    console.log(`\n${result.ok ? 'PASS' : 'FAIL'} ${name} (${seconds} s)`);
    for (const line of result.lines) console.log(`  ${line}`);
    console.log('');
    void i;
  }
  console.log('Summary:');
  for (const r of results)
    console.log(`  ${r.ok ? 'PASS' : 'FAIL'} ${r.name} (${r.seconds} s)`);
  process.exit(results.every(r => r.ok) ? 0 : 1);
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
