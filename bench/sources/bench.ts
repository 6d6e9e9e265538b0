/* eslint-disable no-console */
/*
 * A full and an unchanged sync of an MLflow-compatible server with 1,000
 * registered models x 20 versions (stages, aliases) and 10,000 runs (5
 * params, 5 latest metrics, 3 tags each) into the portal, on SQLite
 * (file-backed, WAL) and PostgreSQL.
 *
 *   node -r <backstage nodeTransform> bench/sources/bench.ts sqlite|postgres
 *
 * The MLflow server is a second MLOps backend (its MLflow endpoint: the
 * protocol, not a mock) in a child process, filled with bulk inserts of the
 * rows its store would have written, so that this process's RSS is the
 * portal's alone. Goals (issue 15): first full sync < 60 s, unchanged
 * re-sync < 5 s, portal RSS < 600 MB throughout.
 */
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import {
  SchedulerService,
  ServiceFactory,
} from '@backstage/backend-plugin-api';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { ChildProcess, spawn } from 'child_process';
import { Knex } from 'knex';
import { mlopsPlugin } from '../../plugins/mlops-backend/src/plugin';
import { mlopsModuleSourceMlflow } from '../../plugins/mlops-backend-module-source-mlflow/src/module';
import { openDatabase, request, startBackend } from '../lib';

const MODELS = 1000;
const VERSIONS = 20;
const EXPERIMENTS = 20;
const RUNS = 10_000;
const TASK = 'mlops-source-sync:mlflow:bench';

function stageOf(version: number): string {
  if (version === VERSIONS) return 'None';
  if (version === VERSIONS - 1) return 'Staging';
  if (version === VERSIONS - 2) return 'Production';
  return 'Archived';
}

function runId(i: number): string {
  return i.toString(16).padStart(32, '0');
}

async function fillUpstream(knex: Knex) {
  const now = new Date();
  const start = Date.now() - 30 * 86_400_000;
  await knex('mlops_experiments').insert(
    Array.from({ length: EXPERIMENTS }, (_, i) => ({
      name: `bench-experiment-${i}`,
      tags: '{}',
      created_at: now,
      updated_at: now,
    })),
  );
  const experiments: Array<{ id: number }> = await knex('mlops_experiments')
    .where('name', 'like', 'bench-experiment-%')
    .select('id');
  for (let first = 0; first < RUNS; first += 500) {
    const ids = Array.from(
      { length: Math.min(500, RUNS - first) },
      (_, k) => first + k,
    );
    await knex('mlops_runs').insert(
      ids.map(i => ({
        id: runId(i),
        experiment_id: experiments[i % EXPERIMENTS].id,
        name: `run-${i}`,
        status: 'FINISHED',
        start_time: start + i * 1000,
        end_time: start + i * 1000 + 600_000,
        user_id: 'bench',
        deleted: false,
      })),
    );
    const params = [];
    const tags = [];
    const metrics = [];
    for (const i of ids) {
      for (let p = 0; p < 5; p++)
        params.push({
          run_id: runId(i),
          key: `param_${p}`,
          value: String((i + p) % 7),
        });
      for (let t = 0; t < 3; t++)
        tags.push({ run_id: runId(i), key: `tag_${t}`, value: `v${t}` });
      for (let m = 0; m < 5; m++) {
        metrics.push({
          run_id: runId(i),
          key: `metric_${m}`,
          value: ((i * 7 + m) % 1000) / 1000,
          is_nan: false,
          step: 10,
          timestamp: start + i * 1000 + 500_000,
        });
      }
    }
    for (let k = 0; k < params.length; k += 400)
      await knex('mlops_run_params').insert(params.slice(k, k + 400));
    for (let k = 0; k < tags.length; k += 400)
      await knex('mlops_run_tags').insert(tags.slice(k, k + 400));
    for (let k = 0; k < metrics.length; k += 300) {
      await knex('mlops_run_metrics').insert(metrics.slice(k, k + 300));
      await knex('mlops_run_latest_metrics').insert(metrics.slice(k, k + 300));
    }
  }
  for (let first = 0; first < MODELS; first += 100) {
    const names = Array.from(
      { length: Math.min(100, MODELS - first) },
      (_, i) => `bench-model-${first + i}`,
    );
    await knex('mlops_registered_models').insert(
      names.map(name => ({
        name,
        latest_version: VERSIONS,
        tags: '{}',
        created_at: now,
        updated_at: now,
      })),
    );
    const models: Array<{ id: number; name: string }> = await knex(
      'mlops_registered_models',
    )
      .whereIn('name', names)
      .select('id', 'name');
    const versions = [];
    const aliases = [];
    for (const model of models) {
      for (let v = 1; v <= VERSIONS; v++) {
        versions.push({
          model_id: model.id,
          version: v,
          stage: stageOf(v),
          status: 'READY',
          run_id: runId((model.id * VERSIONS + v) % RUNS),
          artifact_uri: `s3://bench/${model.name}/${v}`,
          metrics: '{}',
          params: '{}',
          tags: '{}',
          created_by: 'bench',
          created_at: now,
          updated_at: now,
          stage_changed_at: now,
        });
      }
      aliases.push({
        model_id: model.id,
        alias: 'champion',
        version: VERSIONS - 2,
      });
      aliases.push({
        model_id: model.id,
        alias: 'challenger',
        version: VERSIONS - 1,
      });
    }
    for (let k = 0; k < versions.length; k += 500)
      await knex('mlops_model_versions').insert(versions.slice(k, k + 500));
    await knex('mlops_model_aliases').insert(aliases);
  }
}

/** The child process: the MLflow-compatible server, filled, answering until killed. */
async function serveUpstream(kind: string) {
  const knex = await openDatabase(kind, 'sources_upstream');
  const port = await startBackend(knex, []);
  await fillUpstream(knex);
  process.stdout.write(`UPSTREAM ${port}\n`);
}

function startUpstreamProcess(
  kind: string,
): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(
    process.execPath,
    [...process.execArgv, __filename, kind, 'upstream'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: process.env,
    },
  );
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout!.on('data', chunk => {
      text += chunk;
      const match = /UPSTREAM (\d+)/.exec(text);
      if (match) resolve({ child, port: Number(match[1]) });
    });
    child.on('exit', code => reject(new Error(`upstream exited with ${code}`)));
  });
}

async function main() {
  const [kind = 'sqlite', role] = process.argv.slice(2);
  if (role === 'upstream') {
    await serveUpstream(kind);
    return;
  }
  const filled = Date.now();
  const { child, port: upstreamPort } = await startUpstreamProcess(kind);
  console.log(
    `\n## sources bench on ${kind}: ${MODELS} models x ${VERSIONS} versions, ${RUNS} runs (upstream filled in ${(
      (Date.now() - filled) /
      1000
    ).toFixed(1)} s)`,
  );
  try {
    const scheduler = mockServices.scheduler() as SchedulerService & {
      factory(options: { skipTaskRunOnStartup?: boolean }): ServiceFactory;
    };
    const knex = await openDatabase(kind, 'sources_portal');
    const { server } = await startTestBackend({
      features: [
        mlopsPlugin,
        mlopsModuleSourceMlflow,
        mockServices.database.factory({ knex }),
        mockServices.rootConfig.factory({
          data: {
            mlops: {
              sources: {
                mlflow: [
                  {
                    name: 'bench',
                    baseUrl: `http://127.0.0.1:${upstreamPort}/api/mlops/mlflow`,
                    token: mockCredentials.user.token(),
                    schedule: {
                      frequency: { hours: 24 },
                      timeout: { minutes: 10 },
                      initialDelay: { hours: 1 },
                    },
                  },
                ],
              },
            },
          },
        }),
        catalogServiceMock.factory({ entities: [] }),
        scheduler.factory({ skipTaskRunOnStartup: true }),
      ],
    });
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 100);
    const status = async () =>
      (await request(port, undefined, 'GET', '/api/mlops/sources')).json
        .items[0];
    const timed = async (label: string, goalSeconds: number) => {
      const started = Date.now();
      await scheduler.triggerTask(TASK);
      const seconds = (Date.now() - started) / 1000;
      const s = await status();
      console.log(
        `${label.padEnd(22)} ${seconds
          .toFixed(2)
          .padStart(7)} s  goal < ${goalSeconds} s  ${
          seconds < goalSeconds ? 'ok' : 'MISSED'
        }  state=${s.state}${s.lastError ? ` error=${s.lastError}` : ''}`,
      );
      console.log(`${''.padEnd(22)} written: ${JSON.stringify(s.lastCounts)}`);
      return s;
    };
    await timed('first full sync', 60);
    const s = await timed('unchanged re-sync', 5);
    console.log(`${'mirrored'.padEnd(22)} ${JSON.stringify(s.mirrored)}`);
    clearInterval(sampler);
    const mb = peakRss / 1024 / 1024;
    console.log(
      `${'portal peak RSS'.padEnd(22)} ${mb
        .toFixed(0)
        .padStart(7)} MB goal < 600 MB  ${mb < 600 ? 'ok' : 'MISSED'}`,
    );
    await knex.destroy();
  } finally {
    child.kill('SIGTERM');
  }
  process.exit(0);
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
