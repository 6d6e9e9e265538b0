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
import http from 'http';
import { Knex } from 'knex';
import {
  modelEntities,
  openDatabase,
  percentile,
  request,
  startBackend,
} from '../lib';

const MODELS = 1000;
const VERSIONS = 20;
const CONCURRENT = 50;

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

function summarize(label: string, times: number[]) {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => percentile(sorted, q);
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
  const knex = await openDatabase(kind, 'registry');
  const port = await startBackend(knex, modelEntities(MODELS));
  const filled = Date.now();
  await fill(knex);
  console.log(
    `== ${kind}: ${MODELS} models x ${VERSIONS} versions filled in ${
      Date.now() - filled
    } ms; ${requests} requests per route, one client ==`,
  );
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

  // MLflow's searches, as the Python client pages them: a page of 100
  // models with their latest versions, and one model's versions by name.
  const mlflow = '/api/mlops/mlflow/api/2.0/mlflow';
  const modelSearches: number[] = [];
  const versionSearches: number[] = [];
  for (let i = 0; i < requests; i++) {
    const models = await request(
      port,
      agent,
      'GET',
      `${mlflow}/registered-models/search?max_results=100`,
    );
    if (models.status !== 200) {
      throw new Error(`registered-models/search answered ${models.status}`);
    }
    modelSearches.push(models.ms);
    const versions = await request(
      port,
      agent,
      'GET',
      `${mlflow}/model-versions/search?filter=${encodeURIComponent(
        `name = '${random()}'`,
      )}`,
    );
    if (versions.status !== 200) {
      throw new Error(`model-versions/search answered ${versions.status}`);
    }
    versionSearches.push(versions.ms);
  }
  summarize('MLflow registered-models/search (100)', modelSearches);
  summarize("MLflow model-versions/search name = 'x'", versionSearches);

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
