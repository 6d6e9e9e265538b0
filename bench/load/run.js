#!/usr/bin/env node
/*
 * Load on the real backend over loopback: ingest (prediction batches and
 * metric log-batches) and the entity card routes (summary, metrics, drift,
 * incidents, triage) at the same time, for a few minutes. Prints throughput,
 * p50/p95/p99 latency and errors per route, and the backend's peak resident
 * memory (VmHWM from /proc/<pid>/status).
 *
 *   node bench/load/run.js
 *
 * Environment: BENCH_DURATION seconds (default 180), BENCH_DB sqlite|pg
 * (default sqlite), BENCH_INGEST_CLIENTS (4), BENCH_READ_CLIENTS (4),
 * BENCH_BATCH events per prediction batch (100), BENCH_PORT (7400).
 * Targets: zero errors, peak RSS below 600 MB; exit code 1 when missed.
 * NODE_OPTIONS reaches the backend: V8 grows its heap lazily, so without a
 * limit the peak RSS mostly measures uncollected garbage; compare with
 * NODE_OPTIONS=--max-old-space-size=384 (the setting a container would use).
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const lib = require('../../reliability/lib');
const { MODELS, METRIC_KEY } = require('../../reliability/workload');

const DURATION_MS = Number(process.env.BENCH_DURATION ?? 180) * 1000;
const DB = process.env.BENCH_DB ?? 'sqlite';
const INGEST_CLIENTS = Number(process.env.BENCH_INGEST_CLIENTS ?? 4);
const READ_CLIENTS = Number(process.env.BENCH_READ_CLIENTS ?? 4);
const BATCH = Number(process.env.BENCH_BATCH ?? 100);
const PORT = Number(process.env.BENCH_PORT ?? 7400);
const RSS_TARGET_MB = 600;

const stats = new Map();
function record(route, ms, ok) {
  if (!stats.has(route)) stats.set(route, { ms: [], errors: 0, statuses: {} });
  const s = stats.get(route);
  s.ms.push(ms);
  if (!ok) s.errors += 1;
}

async function timed(route, fn) {
  const started = performance.now();
  let ok = false;
  let status = 'network';
  try {
    const r = await fn();
    ok = r.ok;
    status = r.status;
  } catch {
    // counted as an error below
  }
  record(route, performance.now() - started, ok);
  const s = stats.get(route);
  s.statuses[status] = (s.statuses[status] ?? 0) + 1;
}

async function main() {
  const tag = lib.runTag('load');
  const dataDir =
    DB === 'sqlite'
      ? fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-load-'))
      : undefined;
  const database =
    DB === 'pg'
      ? { kind: 'pg', prefix: `${tag}_` }
      : { kind: 'sqlite', directory: dataDir };
  const backend = lib.startBackend({
    name: `load-${DB}`,
    port: PORT,
    database,
  });
  let peak = { hwmKb: 0, rssKb: 0 };
  const sampler = setInterval(() => {
    const m = lib.memoryOf(backend);
    if (m.hwmKb > peak.hwmKb) peak = m;
  }, 1000);
  try {
    lib.log('load', `starting the backend on :${PORT} (${DB})`);
    const client = await lib.ready(backend);
    const idle = lib.memoryOf(backend);
    const experiment = await client.post('/api/mlops/experiments', {
      name: `load-${tag}`,
      owner: 'group:default/support-ml',
    });
    const runs = [];
    for (let i = 0; i < INGEST_CLIENTS; i++) {
      runs.push(
        (
          await client.post('/api/mlops/runs', {
            experimentId: experiment.body.id,
            name: `load-${i}`,
          })
        ).body.id,
      );
    }
    let stop = false;
    const environment = `load-${tag}`.toLowerCase();
    lib.log(
      'load',
      `${INGEST_CLIENTS} ingest + ${READ_CLIENTS} card clients for ${
        DURATION_MS / 1000
      } s`,
    );
    const started = Date.now();
    setTimeout(() => (stop = true), DURATION_MS);

    const ingest = async i => {
      let seq = 0;
      let step = 0;
      while (!stop) {
        const model = MODELS[(i + seq) % MODELS.length];
        const now = Date.now();
        const events = Array.from({ length: BATCH }, (_, j) => ({
          id: `${tag}-${i}-${seq}-${j}`,
          timestamp: now,
          environment,
          latencyMs: 5 + (j % 90),
          status: j % 50 === 0 ? 'error' : 'ok',
          prediction: j % 2,
          label: (j >> 1) % 2,
          confidence: 0.5 + (j % 50) / 100,
        }));
        seq += 1;
        await timed('POST predictions', () =>
          client.post(`/api/mlops/models/${model}/predictions`, { events }),
        );
        const metrics = Array.from({ length: 50 }, () => ({
          key: METRIC_KEY,
          value: step / 10,
          step: step++,
          timestamp: Date.now(),
        }));
        await timed('POST log-batch', () =>
          client.post(`/api/mlops/runs/${runs[i]}/log-batch`, { metrics }),
        );
      }
    };
    const cards = [
      [
        'GET summary',
        m => `/api/mlops/entities/component/default/${m}/summary`,
      ],
      [
        'GET metrics',
        m => `/api/mlops/entities/component/default/${m}/metrics?window=24h`,
      ],
      ['GET drift', m => `/api/mlops/entities/component/default/${m}/drift`],
      [
        'GET incidents',
        m => `/api/mlops/entities/component/default/${m}/incidents`,
      ],
      ['GET triage', m => `/api/mlops/entities/component/default/${m}/triage`],
    ];
    const read = async i => {
      let n = i;
      while (!stop) {
        const [name, route] = cards[n % cards.length];
        const model = MODELS[Math.floor(n / cards.length) % MODELS.length];
        n += 1;
        await timed(name, () => client.get(route(model)));
      }
    };
    await Promise.all([
      ...Array.from({ length: INGEST_CLIENTS }, (_, i) => ingest(i)),
      ...Array.from({ length: READ_CLIENTS }, (_, i) => read(i)),
    ]);
    const seconds = (Date.now() - started) / 1000;
    const final = lib.memoryOf(backend);
    if (final.hwmKb > peak.hwmKb) peak = final;

    console.log(
      `\nbench/load: ${DB}, ${seconds.toFixed(
        0,
      )} s, ${INGEST_CLIENTS} ingest clients (${BATCH} predictions + 50 metrics per round), ${READ_CLIENTS} card clients, loopback`,
    );
    console.log(
      'route               requests   req/s    p50 ms   p95 ms   p99 ms  errors',
    );
    let totalErrors = 0;
    for (const [route, s] of [...stats].sort()) {
      const sorted = s.ms.sort((a, b) => a - b);
      totalErrors += s.errors;
      console.log(
        `${route.padEnd(18)} ${String(sorted.length).padStart(9)} ${(
          sorted.length / seconds
        )
          .toFixed(1)
          .padStart(7)} ${lib
          .quantile(sorted, 0.5)
          .toFixed(1)
          .padStart(8)} ${lib
          .quantile(sorted, 0.95)
          .toFixed(1)
          .padStart(8)} ${lib
          .quantile(sorted, 0.99)
          .toFixed(1)
          .padStart(8)} ${String(s.errors).padStart(7)}${
          s.errors ? `  ${JSON.stringify(s.statuses)}` : ''
        }`,
      );
    }
    const ingestRequests = stats.get('POST predictions')?.ms.length ?? 0;
    const logRequests = stats.get('POST log-batch')?.ms.length ?? 0;
    console.log(
      `ingest throughput: ${((ingestRequests * BATCH) / seconds).toFixed(
        0,
      )} predictions/s, ${((logRequests * 50) / seconds).toFixed(
        0,
      )} metric points/s`,
    );
    const peakMb = peak.hwmKb / 1024;
    console.log(
      `backend pid ${peak.pid}: RSS ${(idle.rssKb / 1024).toFixed(
        0,
      )} MB idle after start, ${(final.rssKb / 1024).toFixed(
        0,
      )} MB at the end, peak (VmHWM) ${peakMb.toFixed(
        0,
      )} MB (target < ${RSS_TARGET_MB} MB)`,
    );
    const ok = totalErrors === 0 && peakMb < RSS_TARGET_MB;
    console.log(
      `${
        ok ? 'targets met' : 'TARGET MISSED'
      }: ${totalErrors} errors, peak RSS ${peakMb.toFixed(0)} MB`,
    );
    process.exitCode = ok ? 0 : 1;
  } finally {
    clearInterval(sampler);
    await lib.stopBackend(backend);
    if (DB === 'pg') await lib.dropPgDatabases(`${tag}_`);
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
