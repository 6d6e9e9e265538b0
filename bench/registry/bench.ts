/* eslint-disable no-console */
/*
 * Latency of the model registry routes through real HTTP, with 1,000 models
 * of 20 versions each (stages, two aliases and a history per model), on
 * SQLite (file-backed, WAL) and PostgreSQL:
 *
 * - GET /entities/:kind/:namespace/:name/models, the versions card's load;
 * - POST /models/:name/versions, one client, random models;
 * - 50 concurrent POST /models/:name/versions on one model, which must get
 *   50 distinct numbers.
 *
 *   node -r <backstage nodeTransform> bench/registry/bench.ts sqlite|postgres [requests=300]
 *
 * The registry is filled with bulk inserts of the rows the store would have
 * written, so the figures measure the routes, not the fill.
 */
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import fs from 'fs';
import http from 'http';
import knexFactory, { Knex } from 'knex';
import os from 'os';
import path from 'path';
import { mlopsPlugin } from '../../plugins/mlops-backend/src/plugin';

const MODELS = 1000;
const VERSIONS = 20;
const CONCURRENT = 50;
const PG = process.env.BENCH_PG ?? 'postgresql://postgres@127.0.0.1:5432';

async function openDatabase(kind: string): Promise<Knex> {
  if (kind === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-registry-'));
    const knex = knexFactory({
      client: 'better-sqlite3',
      connection: { filename: path.join(dir, 'mlops.sqlite') },
      useNullAsDefault: true,
    });
    await knex.raw('pragma journal_mode = wal');
    return knex;
  }
  const admin = knexFactory({ client: 'pg', connection: PG });
  const name = `mlops_registry_bench_${process.pid}`;
  await admin.raw('drop database if exists ??', [name]);
  await admin.raw('create database ??', [name]);
  await admin.destroy();
  return knexFactory({ client: 'pg', connection: `${PG}/${name}` });
}

function stageOf(version: number): string {
  if (version === VERSIONS) return 'None';
  if (version === VERSIONS - 1) return 'Staging';
  if (version === VERSIONS - 2) return 'Production';
  return 'Archived';
}

async function fill(knex: Knex) {
  const now = Date.now();
  const at = (i: number) => new Date(now - (VERSIONS - i) * 86_400_000);
  for (let start = 0; start < MODELS; start += 100) {
    const names = Array.from(
      { length: Math.min(100, MODELS - start) },
      (_, i) => `bench-model-${start + i}`,
    );
    await knex('mlops_registered_models').insert(
      names.map(name => ({
        name,
        latest_version: VERSIONS,
        created_at: at(0),
        updated_at: at(VERSIONS),
      })),
    );
    const models: Array<{ id: number; name: string }> = await knex(
      'mlops_registered_models',
    )
      .whereIn('name', names)
      .select('id', 'name');
    const versions = [];
    const aliases = [];
    const history = [];
    for (const model of models) {
      for (let v = 1; v <= VERSIONS; v++) {
        versions.push({
          model_id: model.id,
          version: v,
          stage: stageOf(v),
          status: 'READY',
          run_id: `${model.id}`.padStart(8, '0') + `${v}`.padStart(24, '0'),
          artifact_uri: `s3://bench/${model.name}/${v}`,
          metrics: JSON.stringify({
            auc: 0.9 + v / 1000,
            precision: 0.8,
            recall: 0.7,
            val_loss: 0.3 - v / 1000,
          }),
          params: JSON.stringify({ lr: '0.1', depth: String(v % 10) }),
          tags: '{}',
          created_by: 'user:default/bench',
          created_at: at(v),
          updated_at: at(v),
          stage_changed_at: at(v),
        });
        // Every version was promoted once, then archived by its successor.
        if (v <= VERSIONS - 2) {
          history.push({
            model_id: model.id,
            version: v,
            action: 'stage',
            from_value: 'None',
            to_value: 'Production',
            actor: 'user:default/bench',
            reason: 'bench',
            created_at: at(v),
          });
        }
      }
      aliases.push(
        { model_id: model.id, alias: 'champion', version: VERSIONS - 2 },
        { model_id: model.id, alias: 'challenger', version: VERSIONS - 1 },
      );
    }
    for (let i = 0; i < versions.length; i += 500) {
      await knex('mlops_model_versions').insert(versions.slice(i, i + 500));
    }
    await knex('mlops_model_aliases').insert(aliases);
    for (let i = 0; i < history.length; i += 500) {
      await knex('mlops_model_history').insert(history.slice(i, i + 500));
    }
  }
}

function request(
  port: number,
  agent: http.Agent | undefined,
  method: string,
  url: string,
  body?: unknown,
): Promise<{ ms: number; status: number; json: any }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: url,
        method,
        agent,
        headers: payload
          ? {
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(payload),
            }
          : {},
      },
      res => {
        const chunks: Buffer[] = [];
        res.on('data', c => chunks.push(c));
        res.on('end', () => {
          const ms = Number(process.hrtime.bigint() - started) / 1e6;
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            ms,
            status: res.statusCode ?? 0,
            json: text ? JSON.parse(text) : undefined,
          });
        });
      },
    );
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

function summarize(label: string, times: number[]) {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  console.log(
    `${label.padEnd(44)} n=${String(sorted.length).padStart(4)}  p50 ${at(
      0.5,
    ).toFixed(1)} ms  p95 ${at(0.95).toFixed(1)} ms  max ${sorted[
      sorted.length - 1
    ].toFixed(1)} ms`,
  );
}

async function main() {
  const kind = process.argv[2] ?? 'sqlite';
  const requests = Number(process.argv[3] ?? 300);
  const knex = await openDatabase(kind);
  const entities = Array.from({ length: MODELS }, (_, i) => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: `bench-model-${i}`,
      namespace: 'default',
      annotations: { 'backstage-mlops.dev/model': `bench-model-${i}` },
    },
    spec: { type: 'ml-model', lifecycle: 'production', owner: 'bench' },
  }));
  // The default mock credentials (a user) are used for every request.
  const { server } = await startTestBackend({
    features: [
      mlopsPlugin,
      mockServices.database.factory({ knex }),
      mockServices.rootConfig.factory({ data: {} }),
      catalogServiceMock.factory({ entities }),
    ],
  });
  const filled = Date.now();
  await fill(knex);
  console.log(
    `== ${kind}: ${MODELS} models x ${VERSIONS} versions filled in ${
      Date.now() - filled
    } ms; ${requests} requests per route, one client ==`,
  );
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const random = () => `bench-model-${Math.floor(Math.random() * MODELS)}`;

  for (let i = 0; i < 20; i++) {
    await request(
      port,
      agent,
      'GET',
      `/api/mlops/entities/component/default/bench-model-${i}/models`,
    );
  }
  const reads: number[] = [];
  for (let i = 0; i < requests; i++) {
    const r = await request(
      port,
      agent,
      'GET',
      `/api/mlops/entities/component/default/${random()}/models`,
    );
    if (r.status !== 200) throw new Error(`entity models answered ${r.status}`);
    reads.push(r.ms);
  }
  summarize('GET /entities/…/models (20 versions)', reads);

  const creates: number[] = [];
  for (let i = 0; i < requests; i++) {
    const r = await request(
      port,
      agent,
      'POST',
      `/api/mlops/models/${random()}/versions`,
      {
        artifactUri: 's3://bench/new',
      },
    );
    if (r.status !== 201) throw new Error(`create answered ${r.status}`);
    creates.push(r.ms);
  }
  summarize('POST /models/:name/versions', creates);

  const started = Date.now();
  const results = await Promise.all(
    Array.from({ length: CONCURRENT }, () =>
      request(
        port,
        undefined,
        'POST',
        '/api/mlops/models/bench-model-0/versions',
        {},
      ),
    ),
  );
  const numbers = new Set(results.map(r => r.json?.version));
  console.log(
    `${CONCURRENT} concurrent creates on one model: ${
      Date.now() - started
    } ms, ${numbers.size} distinct numbers, statuses ${[
      ...new Set(results.map(r => r.status)),
    ].join(',')}`,
  );
  agent.destroy();
  process.exit(0);
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
