/* eslint-disable no-console */
/*
 * Times the tracking routes through real HTTP on SQLite and PostgreSQL:
 *  - POST /runs/:id/log-batch with 1,000 metrics (target: median < 50 ms);
 *  - POST /runs/search over 30,000 runs x 100 metrics with a metric filter
 *    and a metric order (target: median < 200 ms).
 * Run through run.sh (needs Backstage's TypeScript loader).
 */
import express from 'express';
import fs from 'fs';
import http from 'http';
import knexFactory, { Knex } from 'knex';
import os from 'os';
import path from 'path';
import { EntityResolver } from '../../plugins/mlops-backend/src/shared/EntityResolver';
import {
  MlopsObjectReadAccess,
  UNRESTRICTED_READ_SCOPE,
} from '../../plugins/mlops-backend/src/permissions/MlopsObjectReadAccess';
import { TrackingStore } from '../../plugins/mlops-backend/src/tracking/TrackingStore';
import { createTrackingRouter } from '../../plugins/mlops-backend/src/tracking/router';
import { migrateTracking } from '../../plugins/mlops-backend/src/tracking/__testUtils__/migrateTracking';
import { printPeakRssAtExit } from '../lib/memory';

const RUNS = Number(process.env.TRACKING_BENCH_RUNS ?? 30_000);
const METRICS_PER_RUN = 100;
const ITERATIONS = Number(process.env.TRACKING_BENCH_ITERATIONS ?? 30);
const PG_URL =
  process.env.TRACKING_BENCH_PG ?? 'postgresql://postgres@127.0.0.1:5432';
const PG_DB = 'mlops_tracking_bench';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
function p95(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)];
}

/** The tracking router on a bare express app; every caller is one user. */
async function startServer(db: Knex) {
  const httpAuth = {
    credentials: async () => ({
      $$type: '@backstage/BackstageCredentials',
      principal: { type: 'user', userEntityRef: 'user:default/bench' },
    }),
  } as any;
  const app = express();
  app.use(
    '/api/mlops',
    createTrackingRouter({
      httpAuth,
      entities: new EntityResolver({} as any),
      tracking: await TrackingStore.create({ db }),
      // Every experiment readable, as under an allow-all policy; the cost of
      // a narrowing policy is bench/permissions' subject.
      readAccess: {
        scopeOf: async () => UNRESTRICTED_READ_SCOPE,
        requireReadable: async () => undefined,
      } as unknown as MlopsObjectReadAccess,
    }),
  );
  app.use((error: any, _req: any, res: any, _next: any) => {
    res.status(error.statusCode ?? 500).json({ error: String(error) });
  });
  const server = http.createServer(app);
  // The search data is filled between the two phases; keep the socket open.
  server.keepAliveTimeout = 30 * 60 * 1000;
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as any).port;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const call = (method: string, urlPath: string, body?: unknown) =>
    new Promise<{ status: number; body: any }>((resolve, reject) => {
      const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          method,
          path: `/api/mlops${urlPath}`,
          agent,
          headers: data
            ? { 'content-type': 'application/json', 'content-length': data.length }
            : {},
        },
        res => {
          const chunks: Buffer[] = [];
          res.on('data', c => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined });
          });
        },
      );
      req.on('error', reject);
      if (data) {
        req.write(data);
      }
      req.end();
    });
  return {
    call,
    close: async () => {
      agent.destroy();
      await new Promise(resolve => server.close(resolve));
    },
  };
}

/** CPU milliseconds this process spent in the last `timed` call. */
let lastCpuMs = 0;

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const result = await fn();
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  lastCpuMs = (cpu.user + cpu.system) / 1000;
  return [wall, result];
}

/**
 * Fills the store with RUNS runs x 100 metrics (latest value and one
 * history point each) and three params per run, set-based in SQL: the fill
 * is setup, not what is measured.
 */
async function seedSearchData(db: Knex, experimentId: string) {
  const isPg = db.client.config.client === 'pg';
  const seq = (n: number, alias: string) =>
    isPg
      ? `generate_series(0, ${n - 1}) as ${alias}(i)`
      : `(with recursive s(i) as (select 0 union all select i + 1 from s where i < ${n - 1}) select i from s) as ${alias}`;
  const hex = (expr: string) =>
    isPg ? `lpad(to_hex(${expr}), 32, '0')` : `printf('%032x', ${expr})`;
  const base = Date.parse('2026-01-01T00:00:00Z');
  // A deterministic spread of values in [0, 1) per run and metric key.
  const value = `(((r.i * 7919 + k.i * 104729) % 10007) * 1.0 / 10007)`;
  const bool = (b: boolean) => (isPg ? String(b) : b ? '1' : '0');

  await db.raw(
    `insert into mlops_runs (id, experiment_id, name, status, start_time, end_time, user_id, deleted)
     select ${hex('r.i + 1')}, ${experimentId}, 'run-' || r.i,
            case when r.i % 10 = 0 then 'FAILED' else 'FINISHED' end,
            ${base} + r.i * 60000, ${base} + r.i * 60000 + 3600000, 'user:default/bench', ${bool(false)}
     from ${seq(RUNS, 'r')}`,
  );
  for (const table of ['mlops_run_latest_metrics', 'mlops_run_metrics']) {
    // In slices, so SQLite's and PostgreSQL's statement memory stays small.
    const slice = 5000;
    for (let start = 0; start < RUNS; start += slice) {
      await db.raw(
        `insert into ${table} (run_id, key, value, is_nan, step, timestamp)
         select ${hex('r.i + 1')}, 'metric_' || k.i, ${value}, ${bool(false)}, 10, ${base} + r.i * 60000
         from ${seq(RUNS, 'r')} cross join ${seq(METRICS_PER_RUN, 'k')}
         where r.i >= ${start} and r.i < ${start + slice}`,
      );
    }
  }
  await db.raw(
    `insert into mlops_run_params (run_id, key, value)
     select ${hex('r.i + 1')}, p.key, case p.key when 'lr' then '0.0' || (1 + r.i % 9) when 'depth' then '' || (2 + r.i % 10) else '' || r.i end
     from ${seq(RUNS, 'r')} cross join (select 'lr' as key union all select 'depth' union all select 'seed') as p`,
  );
  // Statistics and the visibility map as autovacuum leaves a table that
  // has been written to (index-only scans need the latter).
  await db.raw(isPg ? 'vacuum analyze' : 'analyze');
}

async function openDatabase(kind: 'sqlite' | 'pg'): Promise<Knex> {
  if (kind === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracking-bench-'));
    return knexFactory({
      client: 'better-sqlite3',
      connection: { filename: path.join(dir, 'mlops.sqlite') },
      useNullAsDefault: true,
    });
  }
  const admin = knexFactory({ client: 'pg', connection: PG_URL });
  await admin.raw(`drop database if exists ${PG_DB}`);
  await admin.raw(`create database ${PG_DB}`);
  await admin.destroy();
  return knexFactory({
    client: 'pg',
    connection: `${PG_URL.replace(/\/$/, '')}/${PG_DB}`,
    pool: { min: 1, max: 5 },
  });
}

async function bench(kind: 'sqlite' | 'pg') {
  const db = await openDatabase(kind);
  await migrateTracking(db);
  const server = await startServer(db);
  const label = kind === 'sqlite' ? 'SQLite' : 'PostgreSQL';
  try {
    // --- log-batch --------------------------------------------------------
    const experiment = await server.call('POST', '/experiments', { name: 'bench-logging' });
    const run = await server.call('POST', '/runs', { experimentId: experiment.body.id });
    const batch = (step: number) => ({
      metrics: Array.from({ length: 1000 }, (_, i) => ({
        key: `metric_${i}`,
        value: Math.sin(step + i),
        step,
        timestamp: Date.now(),
      })),
    });
    const logTimes: number[] = [];
    const logCpu: number[] = [];
    for (let step = 0; step < ITERATIONS + 3; step++) {
      const body = batch(step);
      const [ms, response] = await timed(() =>
        server.call('POST', `/runs/${run.body.id}/log-batch`, body),
      );
      if (response.status !== 204) {
        throw new Error(`log-batch answered ${response.status}: ${JSON.stringify(response.body)}`);
      }
      if (step >= 3) {
        logTimes.push(ms);
        logCpu.push(lastCpuMs);
      }
    }
    console.log(
      `LOG_BATCH ${label} (load ${os.loadavg()[0].toFixed(1)}) 1000 metrics: median ${median(logTimes).toFixed(1)} ms, p95 ${p95(logTimes).toFixed(1)} ms (${logTimes.length} requests, target median < 50 ms); node CPU per request median ${median(logCpu).toFixed(1)} ms`,
    );

    if (process.env.TRACKING_BENCH_SKIP_SEARCH) {
      return;
    }
    // --- search -----------------------------------------------------------
    const searchExperiment = await server.call('POST', '/experiments', { name: 'bench-search' });
    const [seedMs] = await timed(() => seedSearchData(db, searchExperiment.body.id));
    console.log(
      `SEED ${label}: ${RUNS} runs x ${METRICS_PER_RUN} metrics (+ history rows, 3 params each) in ${(seedMs / 1000).toFixed(1)} s`,
    );
    const searches: Array<[string, unknown]> = [
      [
        'metric filter + metric order',
        {
          experimentIds: [searchExperiment.body.id],
          filter: [{ type: 'metric', key: 'metric_7', op: '>', value: 0.5 }],
          orderBy: { type: 'metric', key: 'metric_3', direction: 'desc' },
          pageSize: 100,
        },
      ],
      [
        'metric + param filter, start time order',
        {
          experimentIds: [searchExperiment.body.id],
          filter: [
            { type: 'metric', key: 'metric_42', op: '<=', value: 0.25 },
            { type: 'param', key: 'depth', op: '=', value: '5' },
          ],
          pageSize: 100,
        },
      ],
    ];
    for (const [name, body] of searches) {
      const times: number[] = [];
      const cpuTimes: number[] = [];
      let count = 0;
      let token: string | undefined;
      for (let i = 0; i < ITERATIONS + 3; i++) {
        const [ms, response] = await timed(() => server.call('POST', '/runs/search', body));
        if (response.status !== 200) {
          throw new Error(`search answered ${response.status}: ${JSON.stringify(response.body)}`);
        }
        count = response.body.runs.length;
        token = response.body.nextPageToken;
        if (i >= 3) {
          times.push(ms);
          cpuTimes.push(lastCpuMs);
        }
      }
      // The second page costs the same as the first thanks to the keyset token.
      const [pageMs, page2] = await timed(() =>
        server.call('POST', '/runs/search', { ...(body as object), pageToken: token }),
      );
      console.log(
        `SEARCH ${label} (load ${os.loadavg()[0].toFixed(1)}) ${name}: median ${median(times).toFixed(1)} ms, p95 ${p95(times).toFixed(1)} ms, ${count} runs per page, page 2 ${pageMs.toFixed(1)} ms (${page2.body.runs.length} runs) (target median < 200 ms); node CPU per request median ${median(cpuTimes).toFixed(1)} ms`,
      );
    }
  } finally {
    await server.close();
    await db.destroy();
  }
}

async function main() {
  // The tracking router and its store run in this process.
  printPeakRssAtExit();
  const which = process.argv.slice(2);
  const kinds = (which.length > 0 ? which : ['sqlite', 'pg']) as Array<'sqlite' | 'pg'>;
  console.log(
    `node ${process.version}, ${os.cpus().length} CPUs, load average ${os.loadavg().map(l => l.toFixed(1)).join(' ')}, ${ITERATIONS} timed requests each`,
  );
  for (const kind of kinds) {
    await bench(kind);
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
