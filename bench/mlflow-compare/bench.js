#!/usr/bin/env node
/* eslint-disable no-console */
/*
 * The portal's MLflow-compatible endpoint beside a reference MLflow tracking
 * server, on the same workload, with requests interleaved server by server so
 * a noisy machine slows both alike: every row prints both medians and their
 * ratio against its goal (issue 20).
 *
 *   node bench/mlflow-compare/bench.js [sqlite|postgres]
 *
 * The bench starts the portal itself: the demo backend (packages/backend, the
 * whole Backstage backend with catalog, auth, search and MLOps), as built
 * for production unless BENCH_PORTAL says otherwise, on a
 * throwaway SQLite folder or PostgreSQL database, with no demo data and a
 * static token. The reference is whatever MLFLOW_REFERENCE_URL points at; it
 * speaks MLflow's REST API and nothing of MLflow is in this file. Without a
 * reference the portal's figures are printed alone.
 *
 * Environment:
 *   MLFLOW_REFERENCE_URL   a reference server (e.g. http://127.0.0.1:5100)
 *   MLFLOW_REFERENCE_PID   its top process (e.g. gunicorn's master); the peak
 *                          RSS of that process and all its descendants is shown
 *   MLFLOW_REFERENCE_TOKEN a bearer token for the reference, if it needs one
 *   BENCH_PG               PostgreSQL server (postgresql://postgres@127.0.0.1:5432)
 *   BENCH_PORT             the portal's port (7365)
 *   BENCH_ITERATIONS       samples per latency row (30)
 *   BENCH_SEARCH_RUNS      runs in the search row (5000), 20 metrics each
 *   BENCH_LARGE_RUNS       runs in the large search row (0 = skipped; the
 *                          issue's figure is 30000), 100 metrics each
 *   BENCH_THROUGHPUT_SECONDS seconds of throughput per server (30), in 3 slices
 *   BENCH_ARTIFACT_MB      sizes of the artifact rows ("1,200"; "" skips them)
 *   BENCH_ROWS             only these rows, comma-separated, of: batch,
 *                          throughput, search, large, history, model-create,
 *                          version-create, model-search, artifacts (all)
 *   BENCH_PORTAL           production (default): the backend as deployed,
 *                          the bundle of `npm run build` installed with its
 *                          production dependencies and run with
 *                          NODE_ENV=production, as MLflow's reference is its
 *                          released code; development: packages/backend
 *                          through the dev TypeScript transform (slower to
 *                          start, and its transform and source maps add
 *                          about 250 MB of RSS)
 *   BENCH_SETTLE_SECONDS   how long a row waits at most for both servers
 *                          to go idle before it starts (60; 0 = no wait)
 *   BENCH_KEEP_DB          keep the portal's database at the end (printed)
 *   BENCH_NODE_ARGS        extra node flags for the portal, e.g.
 *                          "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile it
 *   MLFLOW_REFERENCE_DB_URL the reference's backend store (sqlite:////path or
 *                          postgresql://...), to seed the large search row
 *                          straight into its tables; without it the large
 *                          row is seeded through batched HTTP
 *
 * The 5,000-run row is seeded through the REST API on both servers (8
 * requests in flight), as a training fleet would log it, so it also shows
 * whether each store plans well after a bulk load on its own. The large row
 * (30,000 runs x 100 metrics is 6 million metric rows per server, over an
 * hour through either API on this machine) is written straight into each
 * store's tables: the portal's knex tables, and the tables of the
 * reference's backend store (MLflow's documented SQL schema: runs, params,
 * tags, metrics, latest_metrics); on PostgreSQL both databases are then
 * analyzed, as neither store saw the writes.
 */
const { spawn } = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const os = require('os');
const path = require('path');

const ROOT = path.resolve(__dirname, '..', '..');
const DB = process.argv[2] ?? 'sqlite';
const PG = process.env.BENCH_PG ?? 'postgresql://postgres@127.0.0.1:5432';
const PORT = Number(process.env.BENCH_PORT ?? 7365);
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 30);
const SEARCH_RUNS = Number(process.env.BENCH_SEARCH_RUNS ?? 5000);
const LARGE_RUNS = Number(process.env.BENCH_LARGE_RUNS ?? 0);
const THROUGHPUT_SECONDS = Number(process.env.BENCH_THROUGHPUT_SECONDS ?? 30);
const SETTLE_SECONDS = Number(process.env.BENCH_SETTLE_SECONDS ?? 60);
const ARTIFACT_MB = (process.env.BENCH_ARTIFACT_MB ?? '1,200')
  .split(',')
  .filter(Boolean)
  .map(Number);
const ROWS = process.env.BENCH_ROWS
  ? new Set(process.env.BENCH_ROWS.split(',').map(r => r.trim()))
  : undefined;
/** Whether the row named `row` (see BENCH_ROWS) is to run. */
const wanted = row => !ROWS || ROWS.has(row);
const PORTAL_MODE = process.env.BENCH_PORTAL ?? 'production';
const NODE_ARGS = (process.env.BENCH_NODE_ARGS ?? '')
  .split(' ')
  .filter(Boolean);
const TOKEN = crypto.randomBytes(24).toString('hex');
const REFERENCE_DB_URL = process.env.MLFLOW_REFERENCE_DB_URL;

// ---------------------------------------------------------------- servers

/** One MLflow REST peer: its base URL, bearer token and keep-alive agent. */
function peer(name, baseUrl, token, pid) {
  const url = new URL(baseUrl);
  return {
    name,
    host: url.hostname,
    port: Number(url.port || 80),
    prefix: url.pathname.replace(/\/$/, ''),
    token,
    pid,
    agent: new http.Agent({ keepAlive: true, maxSockets: 16 }),
    peakRss: 0,
  };
}

/**
 * One request, timed from the call to the end of the body, in ms. `body`
 * may be an object (sent as JSON) or a Buffer/stream factory for uploads.
 */
function call(server, method, apiPath, body, { raw = false } = {}) {
  const isJson = body !== undefined && !Buffer.isBuffer(body);
  const payload = isJson ? Buffer.from(JSON.stringify(body)) : body;
  const headers = {};
  if (server.token) headers.authorization = `Bearer ${server.token}`;
  if (payload) {
    headers['content-type'] = isJson
      ? 'application/json'
      : 'application/octet-stream';
    headers['content-length'] = payload.length;
  }
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: server.host,
        port: server.port,
        path: `${server.prefix}${apiPath}`,
        method,
        agent: server.agent,
        headers,
      },
      res => {
        const chunks = [];
        let bytes = 0;
        res.on('data', c => {
          bytes += c.length;
          if (!raw) chunks.push(c);
        });
        res.on('end', () => {
          const ms = Number(process.hrtime.bigint() - started) / 1e6;
          const text = raw ? '' : Buffer.concat(chunks).toString('utf8');
          let json;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = text;
          }
          resolve({ ms, status: res.statusCode, json, bytes });
        });
      },
    );
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

/** Like call(), but a status other than 200 is an error naming the route. */
async function ok(server, method, apiPath, body, options) {
  const result = await call(server, method, apiPath, body, options);
  if (result.status !== 200) {
    throw new Error(
      `${server.name} ${method} ${apiPath} answered ${
        result.status
      }: ${JSON.stringify(result.json).slice(0, 300)}`,
    );
  }
  return result;
}

const API = '/api/2.0/mlflow';

// ---------------------------------------------------------------- memory

/** `pid` and every process below it (Linux /proc). */
function processTree(pid) {
  const children = new Map();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  const tree = [];
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop();
    tree.push(p);
    stack.push(...(children.get(p) ?? []));
  }
  return tree;
}

/** RSS in bytes of `pid` and every process below it. */
function treeRss(pid) {
  let total = 0;
  for (const p of processTree(pid)) {
    try {
      const status = fs.readFileSync(`/proc/${p}/status`, 'utf8');
      const match = /VmRSS:\s+(\d+) kB/.exec(status);
      if (match) total += Number(match[1]) * 1024;
    } catch {
      // the process ended while we looked
    }
  }
  return total;
}

/** CPU time in ms (user + system) used so far by `pid` and its descendants. */
function treeCpuMs(pid) {
  const ticksPerSecond = 100; // USER_HZ on Linux
  let ticks = 0;
  for (const p of processTree(pid)) {
    try {
      const stat = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // the process ended while we looked
    }
  }
  return (ticks * 1000) / ticksPerSecond;
}

/**
 * Waits until every server is idle: under 5% of a core over half a second,
 * twice in a row, for at most SETTLE_SECONDS. A row then measures its own
 * work, not what the portal still does for the row before (the catalog
 * mirroring created models, a health pass over new objects) or for its own
 * start (the catalog's first pass, the search index). Work a row causes
 * while it runs still counts against it.
 */
async function settle(servers) {
  const started = Date.now();
  const deadline = started + SETTLE_SECONDS * 1000;
  const watched = servers.filter(s => s.pid);
  let quietWindows = 0;
  while (quietWindows < 2 && Date.now() < deadline) {
    const before = watched.map(s => treeCpuMs(s.pid));
    await new Promise(resolve => setTimeout(resolve, 500));
    const busiest = Math.max(
      0,
      ...watched.map((s, i) => (treeCpuMs(s.pid) - before[i]) / 500),
    );
    quietWindows = busiest < 0.05 ? quietWindows + 1 : 0;
  }
  const waited = (Date.now() - started) / 1000;
  if (waited > 2) {
    console.log(
      `  (waited ${waited.toFixed(0)} s for the servers to go idle${
        quietWindows < 2 ? '; they did not' : ''
      })`,
    );
  }
}

function sampleMemory(servers) {
  const timer = setInterval(() => {
    for (const s of servers) {
      if (s.pid) s.peakRss = Math.max(s.peakRss, treeRss(s.pid));
    }
  }, 200);
  timer.unref();
  return () => clearInterval(timer);
}

// ---------------------------------------------------------------- portal

async function portalDatabase() {
  if (DB === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlflow-compare-'));
    return {
      config: { client: 'better-sqlite3', connection: { directory: dir } },
      // The backend keeps each plugin in <directory>/<plugin id>.sqlite.
      store: () =>
        require('knex')({
          client: 'better-sqlite3',
          connection: { filename: path.join(dir, 'mlops.sqlite') },
          useNullAsDefault: true,
        }),
      describe: path.join(dir, 'mlops.sqlite'),
      drop: async () => fs.rmSync(dir, { recursive: true, force: true }),
      keep: async () => {},
    };
  }
  // The backend makes one database per plugin with this prefix; drop them
  // before and after so runs never see each other's data.
  const prefix = `mlflow_compare_${process.pid}_`;
  const knex = require('knex')({ client: 'pg', connection: PG });
  const dropAll = async () => {
    const { rows } = await knex.raw(
      'select datname from pg_database where datname like ?',
      [`${prefix}%`],
    );
    for (const { datname } of rows) {
      await knex.raw('drop database if exists ?? with (force)', [datname]);
    }
  };
  await dropAll();
  const url = new URL(PG);
  return {
    config: {
      client: 'pg',
      pluginDivisionMode: 'database',
      prefix,
      connection: {
        host: url.hostname,
        port: Number(url.port || 5432),
        user: decodeURIComponent(url.username || 'postgres'),
        password: decodeURIComponent(url.password || ''),
      },
    },
    describe: `${PG}/${prefix}mlops`,
    store: () =>
      require('knex')({ client: 'pg', connection: `${PG}/${prefix}mlops` }),
    drop: async () => {
      await dropAll();
      await knex.destroy();
    },
    // Kept for a look afterwards: only the bench's own connection closes.
    keep: () => knex.destroy(),
  };
}

/**
 * The production backend installed under `dir` (scripts/
 * install-production-backend.sh, from the bundle `npm run build` made);
 * returns the directory to start it in.
 */
function installProductionBackend(dir) {
  if (PORTAL_MODE !== 'production') {
    throw new Error(
      `BENCH_PORTAL must be production or development, not ${PORTAL_MODE}`,
    );
  }
  const bundle = path.join(ROOT, 'packages/backend/dist/bundle.tar.gz');
  if (!fs.existsSync(bundle)) {
    throw new Error(
      `${bundle} is missing: run npm run build first (or BENCH_PORTAL=development)`,
    );
  }
  const target = path.join(dir, 'backend');
  console.log(`installing the production backend into ${target}`);
  const result = require('child_process').spawnSync(
    'bash',
    [path.join(ROOT, 'scripts/install-production-backend.sh'), target],
    { stdio: 'inherit' },
  );
  if (result.status !== 0) {
    throw new Error('installing the production backend failed');
  }
  return target;
}

/** Starts the portal with the bench's config; resolves when every plugin is up. */
async function startPortal(database, logFile) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlflow-compare-config-'));
  const configFile = path.join(dir, 'bench.json');
  fs.writeFileSync(
    configFile,
    JSON.stringify({
      app: { baseUrl: `http://localhost:${PORT}` },
      backend: {
        baseUrl: `http://localhost:${PORT}`,
        listen: { port: PORT },
        database: database.config,
        auth: {
          externalAccess: [
            {
              type: 'static',
              options: { token: TOKEN, subject: 'mlflow-compare' },
            },
          ],
        },
      },
      mlops: { demo: { seedFile: null } },
    }),
  );
  const child =
    PORTAL_MODE === 'development'
      ? spawn(
          process.execPath,
          [
            ...NODE_ARGS,
            '-r',
            path.join(
              ROOT,
              'node_modules/@backstage/cli/config/nodeTransform.cjs',
            ),
            'src/index.ts',
            '--config',
            path.join(ROOT, 'app-config.yaml'),
            '--config',
            configFile,
          ],
          {
            cwd: path.join(ROOT, 'packages', 'backend'),
            stdio: ['ignore', 'pipe', 'pipe'],
            env: { ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'warn' },
          },
        )
      : spawn(
          process.execPath,
          [
            ...NODE_ARGS,
            'packages/backend',
            '--config',
            'app-config.yaml',
            '--config',
            configFile,
          ],
          {
            cwd: installProductionBackend(dir),
            stdio: ['ignore', 'pipe', 'pipe'],
            env: { ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'warn' },
          },
        );
  const log = fs.createWriteStream(logFile);
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  const server = peer(
    'portal',
    `http://127.0.0.1:${PORT}/api/mlops/mlflow`,
    TOKEN,
    child.pid,
  );
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (exited) throw new Error(`the portal exited at start; see ${logFile}`);
    if (Date.now() > deadline)
      throw new Error(`the portal did not answer; see ${logFile}`);
    try {
      // Ready once every plugin has started: the MLOps plugin answers
      // sooner, while others (the app's config schema, the catalog's first
      // pass) still compile and load, which would fall into the first row.
      const ready = await call(
        { ...server, prefix: '', agent: undefined },
        'GET',
        '/.backstage/health/v1/readiness',
      );
      if (ready.status === 200) break;
    } catch {
      // not listening yet
    }
    await new Promise(r => setTimeout(r, 500));
  }
  return { server, child, configDir: dir };
}

// ---------------------------------------------------------------- figures

const median = values => {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const p95 = values => {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(s.length * 0.95) - 1)];
};

const rows = [];

/**
 * Runs `sample(server, i)` ITERATIONS times per server, alternating which
 * server goes first, and records the row. `goal` is the highest acceptable
 * portal/reference ratio.
 */
async function latencyRow(
  label,
  servers,
  goal,
  sample,
  iterations = ITERATIONS,
) {
  await settle(servers);
  const times = new Map(servers.map(s => [s.name, []]));
  for (let i = 0; i < iterations; i++) {
    const order = i % 2 ? [...servers].reverse() : servers;
    for (const s of order) times.get(s.name).push(await sample(s, i));
  }
  const figures = servers.map(s => ({
    name: s.name,
    median: median(times.get(s.name)),
    p95: p95(times.get(s.name)),
  }));
  rows.push({ label, unit: 'ms', lowerIsBetter: true, goal, figures });
  printRow(rows[rows.length - 1]);
}

function printRow(row) {
  const [portal, reference] = row.figures;
  const fmt = f =>
    row.unit === 'ms'
      ? `${f.median.toFixed(1)} ms (p95 ${f.p95.toFixed(1)})`
      : `${Math.round(f.median).toLocaleString('en')} ${row.unit}`;
  let line = `${row.label.padEnd(46)} portal ${fmt(portal)}`;
  if (reference) {
    const ratio = portal.median / reference.median;
    const met = row.lowerIsBetter ? ratio <= row.goal : ratio >= row.goal;
    line += `  vs reference ${fmt(reference)}  = ${ratio.toFixed(2)}x (goal ${
      row.lowerIsBetter ? '<=' : '>='
    } ${row.goal}x) ${met ? 'MET' : 'MISSED'}`;
  }
  console.log(line);
}

// ---------------------------------------------------------------- workload

let unique = 0;
const uniqueName = stem => `${stem}-${process.pid}-${Date.now()}-${unique++}`;

async function createExperiment(s, name) {
  const { json } = await ok(s, 'POST', `${API}/experiments/create`, { name });
  return json.experiment_id;
}

async function createRun(s, experimentId) {
  const { json } = await ok(s, 'POST', `${API}/runs/create`, {
    experiment_id: experimentId,
    start_time: Date.now(),
  });
  return json.run.info.run_id;
}

const metricBatch = (count, step, keyOf = i => `m${i}`) => {
  const timestamp = Date.now();
  return Array.from({ length: count }, (_, i) => ({
    key: keyOf(i),
    value: Math.random(),
    timestamp,
    step,
  }));
};

/** Runs `task(i)` for i < count with `concurrency` in flight at once. */
async function pool(count, concurrency, task) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

/** `runs` runs × `metrics` metrics (plus a param and a tag) in one experiment. */
async function seedRuns(s, label, runs, metrics) {
  const started = Date.now();
  const experimentId = await createExperiment(s, uniqueName(label));
  await pool(runs, 8, async i => {
    const runId = await createRun(s, experimentId);
    await ok(s, 'POST', `${API}/runs/log-batch`, {
      run_id: runId,
      metrics: metricBatch(metrics, 0),
      params: [{ key: 'lr', value: String((i % 10) / 100) }],
      tags: [{ key: 'team', value: `team-${i % 5}` }],
    });
  });
  console.log(
    `  seeded ${runs.toLocaleString('en')} runs x ${metrics} metrics on ${
      s.name
    } in ${((Date.now() - started) / 1000).toFixed(0)} s`,
  );
  return experimentId;
}

// ---------------------------------------------------------------- direct seeding

/** A knex handle on the reference's backend store, from its URL. */
function referenceStore(url) {
  if (url.startsWith('sqlite:')) {
    return require('knex')({
      client: 'better-sqlite3',
      connection: { filename: url.replace(/^sqlite:\/\//, '') },
      useNullAsDefault: true,
    });
  }
  return require('knex')({
    client: 'pg',
    connection: url.replace(/^postgresql\+\w+:/, 'postgresql:'),
  });
}

/** The table and column names of each store's runs, params, tags and metrics. */
const SCHEMAS = {
  portal: {
    runs: 'mlops_runs',
    run: (id, experimentId, i, now) => ({
      id,
      experiment_id: Number(experimentId),
      name: `run-${i}`,
      status: 'FINISHED',
      start_time: now + i,
      end_time: now + i + 1,
      user_id: 'bench',
      // 0 and 1, which both better-sqlite3 and PostgreSQL's boolean take.
      deleted: 0,
    }),
    runId: 'run_id',
    params: 'mlops_run_params',
    tags: 'mlops_run_tags',
    metrics: 'mlops_run_metrics',
    latest: 'mlops_run_latest_metrics',
  },
  reference: {
    runs: 'runs',
    run: (id, experimentId, i, now, artifactRoot) => ({
      run_uuid: id,
      experiment_id: Number(experimentId),
      name: `run-${i}`,
      source_type: 'LOCAL',
      source_name: '',
      entry_point_name: '',
      user_id: 'bench',
      status: 'FINISHED',
      start_time: now + i,
      end_time: now + i + 1,
      source_version: '',
      lifecycle_stage: 'active',
      artifact_uri: `${artifactRoot}/${id}/artifacts`,
    }),
    runId: 'run_uuid',
    params: 'params',
    tags: 'tags',
    metrics: 'metrics',
    latest: 'latest_metrics',
  },
};

/**
 * `runs` runs x `metrics` metrics, a param and a tag each, written straight
 * into a store's tables in one transaction, the same values as seedRuns
 * would log. Rows go in 500 at a time (SQLite allows 32,766 bindings).
 */
async function seedRunsDirect(s, db, experimentId, runs, metrics) {
  const started = Date.now();
  const schema = SCHEMAS[s.name];
  const { json } = await ok(
    s,
    'GET',
    `${API}/experiments/get?experiment_id=${experimentId}`,
  );
  const artifactRoot = json.experiment.artifact_location;
  const now = Date.now();
  const chunk = 500;
  await db.transaction(async tx => {
    let buffer = { runs: [], params: [], tags: [], metrics: [] };
    const flush = async () => {
      for (const [table, rows] of [
        [schema.runs, buffer.runs],
        [schema.params, buffer.params],
        [schema.tags, buffer.tags],
      ]) {
        if (rows.length) await tx(table).insert(rows);
      }
      for (let i = 0; i < buffer.metrics.length; i += chunk) {
        const rows = buffer.metrics.slice(i, i + chunk);
        await tx(schema.metrics).insert(rows);
        await tx(schema.latest).insert(rows);
      }
      buffer = { runs: [], params: [], tags: [], metrics: [] };
    };
    for (let i = 0; i < runs; i++) {
      const id = crypto.randomBytes(16).toString('hex');
      buffer.runs.push(schema.run(id, experimentId, i, now, artifactRoot));
      buffer.params.push({
        [schema.runId]: id,
        key: 'lr',
        value: String((i % 10) / 100),
      });
      buffer.tags.push({
        [schema.runId]: id,
        key: 'team',
        value: `team-${i % 5}`,
      });
      for (let m = 0; m < metrics; m++) {
        buffer.metrics.push({
          [schema.runId]: id,
          key: `m${m}`,
          value: Math.random(),
          is_nan: 0,
          step: 0,
          timestamp: now,
        });
      }
      if (buffer.runs.length === chunk) await flush();
    }
    await flush();
  });
  if (db.client.config.client === 'pg') {
    // Neither store saw these writes, so neither refreshed its statistics.
    await db.raw(
      `analyze ${Object.values(schema)
        .filter(v => typeof v === 'string' && v !== schema.runId)
        .join(', ')}`,
    );
  }
  console.log(
    `  seeded ${runs.toLocaleString('en')} runs x ${metrics} metrics into ${
      s.name
    }'s tables in ${((Date.now() - started) / 1000).toFixed(0)} s`,
  );
}

async function throughputRow(servers) {
  const slices = 3;
  const sliceMs = (THROUGHPUT_SECONDS * 1000) / slices;
  const logged = new Map(servers.map(s => [s.name, { metrics: 0, ms: 0 }]));
  const runs = new Map();
  for (const s of servers) {
    const experimentId = await createExperiment(s, uniqueName('throughput'));
    runs.set(
      s.name,
      await Promise.all([0, 1, 2, 3].map(() => createRun(s, experimentId))),
    );
  }
  await settle(servers);
  for (let slice = 0; slice < slices; slice++) {
    const order = slice % 2 ? [...servers].reverse() : servers;
    for (const s of order) {
      const until = Date.now() + sliceMs;
      const started = Date.now();
      let step = 0;
      await Promise.all(
        runs.get(s.name).map(async runId => {
          while (Date.now() < until) {
            await ok(s, 'POST', `${API}/runs/log-batch`, {
              run_id: runId,
              metrics: metricBatch(100, step++),
            });
            logged.get(s.name).metrics += 100;
          }
        }),
      );
      logged.get(s.name).ms += Date.now() - started;
    }
  }
  const row = {
    label: 'throughput, 100-metric batches, 4 clients',
    unit: 'metrics/s',
    lowerIsBetter: false,
    goal: 5,
    figures: servers.map(s => {
      const { metrics, ms } = logged.get(s.name);
      return { name: s.name, median: (metrics * 1000) / ms };
    }),
  };
  rows.push(row);
  printRow(row);
}

async function artifactRows(servers) {
  for (const mb of ARTIFACT_MB) {
    const data = crypto.randomBytes(mb * 1024 * 1024);
    const paths = new Map();
    const usable = [];
    for (const s of servers) {
      const experimentId = await createExperiment(s, uniqueName('artifacts'));
      const runId = await createRun(s, experimentId);
      const probe = await call(
        s,
        'PUT',
        `/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts/probe.txt`,
        Buffer.from('probe'),
      );
      if (probe.status !== 200) {
        console.log(
          `  artifact rows skipped: ${s.name} answers ${probe.status} to an artifact upload`,
        );
        return;
      }
      paths.set(s.name, `${experimentId}/${runId}/artifacts`);
      usable.push(s);
    }
    const iterations = mb >= 100 ? 3 : ITERATIONS;
    await latencyRow(
      `artifact upload, ${mb} MB`,
      usable,
      0.25,
      async (s, i) => {
        const r = await ok(
          s,
          'PUT',
          `/api/2.0/mlflow-artifacts/artifacts/${paths.get(
            s.name,
          )}/blob-${i}.bin`,
          data,
        );
        return r.ms;
      },
      iterations,
    );
    await latencyRow(
      `artifact download, ${mb} MB`,
      usable,
      0.25,
      async (s, i) => {
        const r = await ok(
          s,
          'GET',
          `/api/2.0/mlflow-artifacts/artifacts/${paths.get(
            s.name,
          )}/blob-${i}.bin`,
          undefined,
          { raw: true },
        );
        if (r.bytes !== data.length) {
          throw new Error(
            `${s.name} returned ${r.bytes} of ${data.length} bytes`,
          );
        }
        return r.ms;
      },
      iterations,
    );
  }
}

async function workload(servers, stores) {
  if (wanted('batch')) {
    // log-batch of 1,000 metrics into one run per server.
    const batchRuns = new Map();
    for (const s of servers) {
      batchRuns.set(
        s.name,
        await createRun(s, await createExperiment(s, uniqueName('batch'))),
      );
    }
    await latencyRow(
      'log-batch, 1,000 metrics',
      servers,
      0.25,
      async (s, i) =>
        (
          await ok(s, 'POST', `${API}/runs/log-batch`, {
            run_id: batchRuns.get(s.name),
            metrics: metricBatch(1000, i),
          })
        ).ms,
    );
  }

  if (wanted('throughput')) await throughputRow(servers);

  if (wanted('search')) {
    // Run search over SEARCH_RUNS runs x 20 metrics.
    const searchExperiments = new Map();
    for (const s of servers) {
      searchExperiments.set(
        s.name,
        await seedRuns(s, 'search', SEARCH_RUNS, 20),
      );
    }
    const search = experimentId => ({
      experiment_ids: [experimentId],
      filter: "metrics.m3 > 0.5 and params.lr = '0.05'",
      order_by: ['metrics.m7 DESC'],
      max_results: 100,
    });
    await latencyRow(
      `run search, ${SEARCH_RUNS.toLocaleString('en')} runs x 20 metrics`,
      servers,
      0.1,
      async s =>
        (
          await ok(
            s,
            'POST',
            `${API}/runs/search`,
            search(searchExperiments.get(s.name)),
          )
        ).ms,
    );

    if (LARGE_RUNS > 0 && wanted('large')) {
      const large = new Map();
      for (const s of servers) {
        const db = stores.get(s.name);
        if (db) {
          const experimentId = await createExperiment(s, uniqueName('large'));
          await seedRunsDirect(s, db, experimentId, LARGE_RUNS, 100);
          large.set(s.name, experimentId);
        } else {
          large.set(s.name, await seedRuns(s, 'large', LARGE_RUNS, 100));
        }
      }
      await latencyRow(
        `run search, ${LARGE_RUNS.toLocaleString('en')} runs x 100 metrics`,
        servers,
        0.1,
        async s =>
          (
            await ok(s, 'POST', `${API}/runs/search`, search(large.get(s.name)))
          ).ms,
      );
    }
  }

  if (wanted('history')) {
    // Metric history of 10,000 steps.
    const historyRuns = new Map();
    for (const s of servers) {
      const runId = await createRun(
        s,
        await createExperiment(s, uniqueName('history')),
      );
      for (let chunk = 0; chunk < 10; chunk++) {
        await ok(s, 'POST', `${API}/runs/log-batch`, {
          run_id: runId,
          metrics: metricBatch(1000, 0, () => 'loss').map((m, i) => ({
            ...m,
            step: chunk * 1000 + i,
          })),
        });
      }
      historyRuns.set(s.name, runId);
    }
    await latencyRow('metric history, 10,000 steps', servers, 0.1, async s => {
      const r = await ok(
        s,
        'GET',
        `${API}/metrics/get-history?run_id=${historyRuns.get(
          s.name,
        )}&metric_key=loss&max_results=25000`,
      );
      if ((r.json.metrics ?? []).length !== 10000) {
        throw new Error(
          `${s.name} returned ${(r.json.metrics ?? []).length} of 10000 steps`,
        );
      }
      return r.ms;
    });
  }

  if (wanted('model-create')) {
    // Registry: create models, versions, and search 100 models.
    await latencyRow(
      'registered-models/create',
      servers,
      0.5,
      async s =>
        (
          await ok(s, 'POST', `${API}/registered-models/create`, {
            name: uniqueName('model'),
          })
        ).ms,
    );
  }

  if (wanted('version-create')) {
    const versionModels = new Map();
    for (const s of servers) {
      const name = uniqueName('versioned');
      await ok(s, 'POST', `${API}/registered-models/create`, { name });
      // A version's source run as a training job leaves it: 20 metrics.
      const runId = await createRun(
        s,
        await createExperiment(s, uniqueName('source')),
      );
      await ok(s, 'POST', `${API}/runs/log-batch`, {
        run_id: runId,
        metrics: metricBatch(20, 0),
      });
      versionModels.set(s.name, { name, runId });
    }
    await latencyRow('model-versions/create', servers, 0.5, async s => {
      const { name, runId } = versionModels.get(s.name);
      return (
        await ok(s, 'POST', `${API}/model-versions/create`, {
          name,
          source: `runs:/${runId}/model`,
          run_id: runId,
        })
      ).ms;
    });
  }

  if (wanted('model-search')) {
    const searchPrefix = uniqueName('searchable');
    for (const s of servers) {
      await pool(100, 4, i =>
        ok(s, 'POST', `${API}/registered-models/create`, {
          name: `${searchPrefix}-${i}`,
        }),
      );
    }
    await latencyRow(
      'registered-models/search, 100 models',
      servers,
      0.25,
      async s => {
        const r = await ok(
          s,
          'GET',
          `${API}/registered-models/search?max_results=100`,
        );
        if ((r.json.registered_models ?? []).length !== 100) {
          throw new Error(
            `${s.name} found ${
              (r.json.registered_models ?? []).length
            } of 100 models`,
          );
        }
        return r.ms;
      },
    );
  }

  if (wanted('artifacts')) await artifactRows(servers);
}

// ---------------------------------------------------------------- main

async function main() {
  if (!['sqlite', 'postgres'].includes(DB)) {
    throw new Error(`database must be sqlite or postgres, not ${DB}`);
  }
  const logFile = path.join(os.tmpdir(), `mlflow-compare-portal-${DB}.log`);
  const database = await portalDatabase();
  let portal;
  const stop = () => {
    if (portal?.child.exitCode === null) portal.child.kill('SIGTERM');
  };
  process.once('SIGINT', () => {
    stop();
    process.exit(130);
  });
  try {
    portal = await startPortal(database, logFile);
    const servers = [portal.server];
    if (process.env.MLFLOW_REFERENCE_URL) {
      servers.push(
        peer(
          'reference',
          process.env.MLFLOW_REFERENCE_URL,
          process.env.MLFLOW_REFERENCE_TOKEN,
          process.env.MLFLOW_REFERENCE_PID
            ? Number(process.env.MLFLOW_REFERENCE_PID)
            : undefined,
        ),
      );
    }
    console.log(
      `MLflow compare on ${DB}: portal (pid ${portal.child.pid}, log ${logFile})` +
        (servers[1]
          ? ` vs reference at ${process.env.MLFLOW_REFERENCE_URL}`
          : ', no reference'),
    );
    const stores = new Map([['portal', database.store()]]);
    if (REFERENCE_DB_URL && servers[1]) {
      stores.set('reference', referenceStore(REFERENCE_DB_URL));
    }
    const stopSampling = sampleMemory(servers);
    try {
      await workload(servers, stores);
    } finally {
      stopSampling();
      for (const db of stores.values()) await db.destroy();
    }
    const mib = b => (b / 1024 / 1024).toFixed(0);
    const [p, r] = servers;
    let line = `${'peak RSS during the workload'.padEnd(46)} portal ${mib(
      p.peakRss,
    )} MiB`;
    if (r?.pid) {
      const ratio = p.peakRss / r.peakRss;
      line += `  vs reference ${mib(r.peakRss)} MiB  = ${ratio.toFixed(
        2,
      )}x (goal <= 1x) ${ratio <= 1 ? 'MET' : 'MISSED'}`;
    }
    console.log(
      `${line}; portal under 600 MiB: ${
        p.peakRss < 600 * 1024 * 1024 ? 'yes' : 'NO'
      }`,
    );
  } finally {
    stop();
    await new Promise(r => setTimeout(r, 500));
    if (process.env.BENCH_KEEP_DB) {
      console.log(`kept the portal's database: ${database.describe}`);
      await database.keep();
    } else {
      await database
        .drop()
        .catch(e => console.error(`could not drop the bench database: ${e}`));
    }
    if (portal) fs.rmSync(portal.configDir, { recursive: true, force: true });
  }
}

main().catch(error => {
  console.error(error.stack ?? String(error));
  process.exitCode = 1;
});
