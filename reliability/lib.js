/*
 * Shared helpers of the reliability scripts: start the real backend as a
 * child process (its own process group, so a kill reaches every process of
 * it), wait for it, get a guest token, send JSON, and manage throwaway
 * PostgreSQL databases.
 */
const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const BACKEND_DIR = path.join(ROOT, 'packages', 'backend');
const PG_URL =
  process.env.MLOPS_RELIABILITY_PG ?? 'postgresql://postgres@127.0.0.1:5432';
const ARTIFACTS = path.join(ROOT, 'test-artifacts', 'reliability');

function log(part, message) {
  console.log(
    `[${new Date().toISOString().slice(11, 19)}] [${part}] ${message}`,
  );
}

const sleep = ms => new Promise(r => setTimeout(r, ms));

/** A unique, database-name-safe tag for one run of a script. */
function runTag(prefix) {
  return `${prefix}${Date.now().toString(36)}${Math.floor(
    Math.random() * 1e4,
  )}`;
}

/**
 * Writes the extra config file of one backend: the database (SQLite folder
 * or PostgreSQL with a prefix of its own) plus whatever `extra` holds.
 * JSON is valid YAML, so no YAML writer is needed.
 */
function writeConfig(file, { port, database, extra = {} }) {
  const base = `http://localhost:${port}`;
  const db =
    database.kind === 'pg'
      ? { client: 'pg', connection: PG_URL, prefix: database.prefix }
      : {
          client: 'better-sqlite3',
          connection: { directory: database.directory },
        };
  const config = {
    app: { baseUrl: base },
    backend: {
      baseUrl: base,
      listen: { port },
      cors: { origin: base },
      database: db,
    },
    ...extra,
  };
  fs.writeFileSync(file, JSON.stringify(config, null, 2));
}

/**
 * Starts the backend of packages/backend with
 * app-config.yaml plus the given extra config. Returns the child (detached:
 * its pid is the process group id) and where its log goes.
 */
function startBackend({ name, port, database, extra }) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const configFile = path.join(
    os.tmpdir(),
    `mlops-rel-${name}-${port}-${Date.now()}.json`,
  );
  writeConfig(configFile, { port, database, extra });
  const logPath = path.join(ARTIFACTS, `${name}.log`);
  const logOffset = fs.existsSync(logPath) ? fs.statSync(logPath).size : 0;
  const logFile = fs.openSync(logPath, 'a');
  // The backend runs as `backstage-cli package start` runs it (the CLI's
  // node transform over src/index.ts) but without its file watcher: other
  // people editing the tree would otherwise restart it in the middle of a
  // measurement.
  const child = spawn(
    process.execPath,
    [
      '--enable-source-maps',
      '--require',
      require.resolve('@backstage/cli-node/config/nodeTransform.cjs', {
        paths: [BACKEND_DIR, ROOT],
      }),
      'src/index.ts',
      '--config',
      path.join(ROOT, 'app-config.yaml'),
      '--config',
      configFile,
    ],
    {
      cwd: BACKEND_DIR,
      detached: true,
      stdio: ['ignore', logFile, logFile],
      env: {
        ...process.env,
        NODE_ENV: 'development',
        ESBK_TSCONFIG_PATH: path.join(ROOT, 'tsconfig.json'),
      },
    },
  );
  fs.closeSync(logFile);
  child.exited = new Promise(resolve => child.once('exit', resolve));
  return {
    child,
    port,
    base: `http://localhost:${port}`,
    logPath,
    logOffset,
    configFile,
  };
}

/** Sends a signal to the backend's whole process group. */
function killGroup(backend, signal) {
  try {
    process.kill(-backend.child.pid, signal);
  } catch (error) {
    if (error.code !== 'ESRCH') throw error;
  }
}

/** Stops a backend: SIGTERM to its group, SIGKILL after a grace period. */
async function stopBackend(backend, graceMs = 10_000) {
  if (!backend || backend.child.exitCode !== null || backend.child.signalCode) {
    killGroup(backend, 'SIGKILL');
    return;
  }
  killGroup(backend, 'SIGTERM');
  const done = await Promise.race([
    backend.child.exited.then(() => true),
    sleep(graceMs),
  ]);
  // The group may hold the backend process even after npx has exited.
  killGroup(backend, 'SIGKILL');
  if (!done) await backend.child.exited;
  await sleep(300);
}

/** Pids of every process in the backend's process group (Linux /proc). */
function groupPids(backend) {
  const pids = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command may hold spaces and parentheses: fields follow the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === backend.child.pid) pids.push(Number(entry));
    } catch {
      // The process ended meanwhile.
    }
  }
  return pids;
}

/** Current and peak resident memory (kB) of the group's largest process. */
function memoryOf(backend) {
  let best = { pid: undefined, rssKb: 0, hwmKb: 0 };
  for (const pid of groupPids(backend)) {
    try {
      const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
      const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      const hwmKb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
      if (hwmKb > best.hwmKb) best = { pid, rssKb, hwmKb };
    } catch {
      // Gone.
    }
  }
  return best;
}

/** Plugins whose start failed, from the backend's log (this start only). */
function startupFailures(backend) {
  return Object.keys(startupFailureCauses(backend));
}

/** Plugin id → the cause the backend logged for its failed start. */
function startupFailureCauses(backend) {
  const text = fs
    .readFileSync(backend.logPath, 'utf8')
    .slice(backend.logOffset ?? 0);
  if (!text.includes('Backend startup failed')) return {};
  const causes = {};
  for (const m of text.matchAll(
    /Plugin '([\w-]+)' startup failed; caused by ([^\n]*)/g,
  )) {
    causes[m[1]] = m[2];
  }
  return causes;
}

async function waitFor(what, probe, timeoutMs, backend) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  while (Date.now() < deadline) {
    if (
      backend &&
      (backend.child.exitCode !== null || backend.child.signalCode)
    ) {
      throw new Error(
        `backend exited while waiting for ${what}; see ${backend.logPath}`,
      );
    }
    // A failed start does not end the process in development mode.
    const failed = backend && startupFailures(backend);
    if (failed?.length) {
      const error = new Error(
        `backend startup failed (${failed.join(', ')}); see ${backend.logPath}`,
      );
      error.failedPlugins = failed;
      error.failureCauses = startupFailureCauses(backend);
      throw error;
    }
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    await sleep(500);
  }
  throw new Error(
    `Timed out waiting for ${what}${lastError ? `: ${lastError}` : ''}`,
  );
}

async function guestToken(base) {
  const response = await fetch(
    `${base}/api/auth/guest/refresh?env=development`,
    {
      method: 'POST',
      headers: { 'X-Requested-With': 'XMLHttpRequest' },
    },
  );
  if (!response.ok)
    throw new Error(`guest refresh answered ${response.status}`);
  return (await response.json()).backstageIdentity.token;
}

/**
 * Waits until the backend answers, then until the demo store is seeded and
 * the catalog has the demo model components. Returns a client.
 */
async function ready(backend, { timeoutMs = 180_000, catalog = true } = {}) {
  await waitFor(
    `${backend.base} /api/mlops/health`,
    async () => (await fetch(`${backend.base}/api/mlops/health`)).ok,
    timeoutMs,
    backend,
  );
  const token = await waitFor(
    'a guest token',
    () => guestToken(backend.base),
    30_000,
    backend,
  );
  const client = new Client(backend.base, token);
  await waitFor(
    'the demo models',
    async () => {
      const r = await client.get('/api/mlops/models');
      return r.ok && r.body.items?.length >= 3;
    },
    60_000,
    backend,
  );
  if (catalog) {
    await waitFor(
      'the demo model components in the catalog',
      async () => {
        const r = await client.get(
          '/api/mlops/entities/component/default/fraud-detection/metrics?window=1h',
        );
        return r.ok;
      },
      90_000,
      backend,
    );
  }
  return client;
}

/** A tiny JSON client that never throws on HTTP status, only on network errors. */
class Client {
  constructor(base, token) {
    this.base = base;
    this.token = token;
  }
  async request(method, route, body, timeoutMs = 30_000) {
    const response = await fetch(`${this.base}${route}`, {
      method,
      headers: {
        Authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    let parsed;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = text;
    }
    return { status: response.status, ok: response.ok, body: parsed };
  }
  get(route) {
    return this.request('GET', route);
  }
  post(route, body) {
    return this.request('POST', route, body);
  }
}

/** Runs `fn` with a pg client on database `name` (default: postgres). */
async function withPg(name, fn) {
  const { Client: PgClient } = require('pg');
  const url = new URL(PG_URL);
  url.pathname = `/${name ?? 'postgres'}`;
  const client = new PgClient({ connectionString: url.toString() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Drops every database whose name starts with the prefix. */
async function dropPgDatabases(prefix) {
  await withPg(undefined, async pg => {
    const { rows } = await pg.query(
      'select datname from pg_database where starts_with(datname, $1)',
      [prefix],
    );
    for (const { datname } of rows) {
      await pg.query(
        'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1',
        [datname],
      );
      // Identifier from pg_database itself, quoted; not user input.
      await pg.query(
        `drop database if exists "${datname.replace(/"/g, '""')}"`,
      );
    }
  });
}

/**
 * The throwaway database of one part: a fresh SQLite folder, or a
 * PostgreSQL database prefix named after the run; `drop` removes it.
 */
function throwawayDatabase(db, tagPrefix) {
  const tag = runTag(tagPrefix);
  if (db === 'pg') {
    const prefix = `${tag}_`;
    return {
      tag,
      database: { kind: 'pg', prefix },
      drop: () => dropPgDatabases(prefix),
    };
  }
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-rel-'));
  return {
    tag,
    dataDir: directory,
    database: { kind: 'sqlite', directory },
    drop: async () => fs.rmSync(directory, { recursive: true, force: true }),
  };
}

/** A part's result: it passes without problems, which follow its figures. */
function verdict(lines, problems) {
  return {
    ok: problems.length === 0,
    lines: [...lines, ...problems.map(p => `PROBLEM ${p}`)],
  };
}

/** Latency quantile of a sorted array. */
function quantile(sorted, q) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

module.exports = {
  ROOT,
  ARTIFACTS,
  Client,
  dropPgDatabases,
  groupPids,
  killGroup,
  log,
  memoryOf,
  quantile,
  ready,
  runTag,
  sleep,
  startBackend,
  startupFailures,
  stopBackend,
  throwawayDatabase,
  verdict,
  waitFor,
  withPg,
};
