/*
 * bench/mlflow: what a data scientist notices of the portal's MLflow
 * endpoint, measured from the client side.
 *
 * 1. Artifacts: a 200 MB file uploaded through the artifact proxy (PUT, as
 *    MLflow's client sends it) and downloaded again, with the backend's RSS
 *    sampled every 50 ms from /proc (the backend runs in its own process,
 *    backend.ts); the goal is a peak under 600 MB, which holds only if the
 *    proxy streams.
 * 2. A training script (training.py) through MLflow's own Python client:
 *    20 epochs x 50 metrics, 2 artifacts and a logged model, timed per step.
 *    It runs when python3 can import mlflow (set MLFLOW_PYTHONPATH to a
 *    source checkout's path list); otherwise the bench says it skipped it.
 *
 *   bench/mlflow/run.sh            BENCH_ARTIFACT_MB=200 by default
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import crypto from 'crypto';
import fs from 'fs';
import http from 'http';
import os from 'os';
import path from 'path';

const HERE = __dirname;
const ROOT = path.resolve(HERE, '../..');
const TRANSFORM = path.join(
  ROOT,
  'node_modules/@backstage/cli/config/nodeTransform.cjs',
);
const MB = 1024 * 1024;
const SIZE_MB = Number(process.env.BENCH_ARTIFACT_MB ?? 200);
const RSS_GOAL_MB = 600;

function startBackend(): Promise<{
  child: ChildProcess;
  port: number;
  pid: number;
}> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['-r', TRANSFORM, path.join(HERE, 'backend.ts')],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
      },
    );
    let out = '';
    child.stdout!.on('data', chunk => {
      out += chunk;
      const match = /PORT (\d+) PID (\d+)/.exec(out);
      if (match)
        resolve({ child, port: Number(match[1]), pid: Number(match[2]) });
    });
    child.on('exit', code => reject(new Error(`backend exited with ${code}`)));
  });
}

function rssMb(pid: number): { rss: number; hwm: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) =>
    Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)![1]);
  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
}

async function json(
  port: number,
  method: string,
  route: string,
  body?: object,
) {
  const response = await fetch(
    `http://127.0.0.1:${port}/api/mlops/mlflow${route}`,
    {
      method,
      headers: { 'Content-Type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
    },
  );
  if (!response.ok)
    throw new Error(
      `${method} ${route}: ${response.status} ${await response.text()}`,
    );
  return response.json();
}

function transfer(
  options: http.RequestOptions,
  send?: fs.ReadStream,
): Promise<{ status: number; sha256: string; bytes: number }> {
  return new Promise((resolve, reject) => {
    const req = http.request(options, res => {
      const hash = crypto.createHash('sha256');
      let bytes = 0;
      res.on('data', (chunk: Buffer) => {
        hash.update(chunk);
        bytes += chunk.length;
      });
      res.on('end', () =>
        resolve({ status: res.statusCode!, sha256: hash.digest('hex'), bytes }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    if (send) send.pipe(req);
    else req.end();
  });
}

async function artifactBench(port: number, pid: number) {
  const { experiment_id } = await json(
    port,
    'POST',
    '/api/2.0/mlflow/experiments/create',
    {
      name: `artifact-bench-${Date.now()}`,
    },
  );
  const { run } = await json(port, 'POST', '/api/2.0/mlflow/runs/create', {
    experiment_id,
  });
  const artifactPath = `${run.info.artifact_uri.replace(
    /^mlflow-artifacts:\//,
    '',
  )}/big.bin`;

  // A file of pseudo-random bytes (incompressible, no page of zeros).
  const file = path.join(
    fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-bench-')),
    'big.bin',
  );
  const fd = fs.openSync(file, 'w');
  const hash = crypto.createHash('sha256');
  const block = crypto.randomBytes(MB);
  for (let i = 0; i < SIZE_MB; i++) {
    block.writeUInt32LE(i, 0);
    hash.update(block);
    fs.writeSync(fd, block);
  }
  fs.closeSync(fd);
  const expected = hash.digest('hex');

  const before = rssMb(pid);
  let peak = before.rss;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssMb(pid).rss);
  }, 50);

  const uploadStart = process.hrtime.bigint();
  const upload = await transfer(
    {
      host: '127.0.0.1',
      port,
      method: 'PUT',
      path: `/api/mlops/mlflow/api/2.0/mlflow-artifacts/artifacts/${artifactPath}`,
      headers: {
        'Content-Type': 'application/octet-stream',
        'Content-Length': SIZE_MB * MB,
      },
    },
    fs.createReadStream(file, { highWaterMark: MB }),
  );
  const uploadMs = Number(process.hrtime.bigint() - uploadStart) / 1e6;
  const afterUpload = peak;

  const downloadStart = process.hrtime.bigint();
  const download = await transfer({
    host: '127.0.0.1',
    port,
    method: 'GET',
    path: `/api/mlops/mlflow/api/2.0/mlflow-artifacts/artifacts/${artifactPath}`,
  });
  const downloadMs = Number(process.hrtime.bigint() - downloadStart) / 1e6;
  clearInterval(sampler);
  peak = Math.max(peak, rssMb(pid).rss);
  fs.rmSync(path.dirname(file), { recursive: true, force: true });

  const ok =
    upload.status === 200 &&
    download.status === 200 &&
    download.sha256 === expected;
  console.log(
    `\n== artifacts: ${SIZE_MB} MB through the proxy (filesystem store, SQLite)`,
  );
  console.log(
    `upload    ${uploadMs.toFixed(0)} ms  ${(
      SIZE_MB /
      (uploadMs / 1000)
    ).toFixed(0)} MB/s  status ${upload.status}`,
  );
  console.log(
    `download  ${downloadMs.toFixed(0)} ms  ${(
      SIZE_MB /
      (downloadMs / 1000)
    ).toFixed(0)} MB/s  status ${download.status}  bytes ${
      download.bytes
    }  sha256 ${download.sha256 === expected ? 'matches' : 'DIFFERS'}`,
  );
  console.log(
    `backend RSS: ${before.rss.toFixed(
      0,
    )} MB before, peak ${afterUpload.toFixed(
      0,
    )} MB during upload, peak ${peak.toFixed(
      0,
    )} MB overall (goal < ${RSS_GOAL_MB} MB): ${
      peak < RSS_GOAL_MB ? 'ok' : 'OVER'
    }`,
  );
  return ok && peak < RSS_GOAL_MB;
}

function trainingBench(port: number, pid: number): boolean | undefined {
  const env = {
    ...process.env,
    PYTHONPATH: process.env.MLFLOW_PYTHONPATH ?? process.env.PYTHONPATH ?? '',
    MLFLOW_TRACKING_URI: `http://127.0.0.1:${port}/api/mlops/mlflow`,
  };
  const python = process.env.BENCH_PYTHON ?? 'python3';
  const probe = spawnSync(python, ['-c', 'import mlflow, sklearn'], { env });
  console.log("\n== training script through MLflow's Python client");
  if (probe.status !== 0) {
    console.log(
      'skipped: python3 cannot import mlflow and sklearn (set MLFLOW_PYTHONPATH)',
    );
    return undefined;
  }
  const result = spawnSync(python, [path.join(HERE, 'training.py')], {
    env,
    encoding: 'utf8',
  });
  process.stdout.write(result.stdout);
  if (result.status !== 0)
    process.stdout.write(result.stderr.split('\n').slice(-15).join('\n'));
  console.log(
    `backend RSS after the script: ${rssMb(pid).rss.toFixed(
      0,
    )} MB (peak ${rssMb(pid).hwm.toFixed(0)} MB)`,
  );
  return result.status === 0;
}

async function main() {
  const { child, port, pid } = await startBackend();
  try {
    const artifacts = await artifactBench(port, pid);
    const training = trainingBench(port, pid);
    process.exitCode = artifacts && training !== false ? 0 : 1;
  } finally {
    child.kill('SIGTERM');
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
