/* eslint-disable no-console */
/*
 * First load of the MLOps page's fleet table (GET /fleet, as the page asks
 * for it) through the real plugin, with N registered models that each look
 * like a model in production: a catalog entity, three versions (one in
 * Production), a day of health checks with windowed metrics, two drift
 * reports with per-feature results, and for a quarter of them a failing
 * latest check and two open incidents.
 *
 *   node -r <backstage nodeTransform> bench/fleet/bench.ts sqlite|postgres [models=1000]
 *
 * Prints the cold first load, then warm repeats of the first page, a later
 * page, a health sort and a status filter, and the process's RSS (the
 * backend runs in this process).
 */
import { Entity } from '@backstage/catalog-model';
import { randomUUID } from 'crypto';
import { Knex } from 'knex';
import os from 'os';
import { openDatabase, percentile, request, startBackend } from '../lib';

const CHECKS_PER_MODEL = 12;
const FEATURES = 20;

const modelName = (i: number) => `fleet-model-${String(i).padStart(5, '0')}`;

function entityOf(i: number): Entity {
  const name = modelName(i);
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      namespace: 'default',
      title: `Fleet model ${i}`,
      annotations: { 'backstage-mlops.dev/model': name },
    },
    spec: {
      type: 'ml-model',
      lifecycle: 'production',
      owner: `team-${i % 40}`,
    },
  };
}

async function insertChunked(knex: Knex, table: string, rows: object[]) {
  // 100 rows at a time keeps SQLite under its bound-variable limit.
  for (let i = 0; i < rows.length; i += 100) {
    await knex(table).insert(rows.slice(i, i + 100));
  }
}

async function seed(knex: Knex, models: number) {
  const now = Date.now();
  const at = (minutesAgo: number) => new Date(now - minutesAgo * 60_000);
  await insertChunked(
    knex,
    'mlops_registered_models',
    Array.from({ length: models }, (_, i) => ({
      name: modelName(i),
      owner: `group:default/team-${i % 40}`,
      description: `Model ${i} of the fleet bench`,
      latest_version: 3,
      created_at: at(600),
      updated_at: at(600),
    })),
  );
  const ids: Array<{ id: number; name: string }> = await knex(
    'mlops_registered_models',
  ).select('id', 'name');
  await insertChunked(
    knex,
    'mlops_model_versions',
    ids.flatMap(({ id }) =>
      [1, 2, 3].map(version => ({
        model_id: id,
        version,
        stage:
          version === 2 ? 'Production' : version === 3 ? 'Staging' : 'Archived',
        metrics: JSON.stringify({ accuracy: 0.9 + version / 100 }),
        created_at: at(600 - version),
        updated_at: at(600 - version),
        stage_changed_at: at(600 - version),
      })),
    ),
  );
  const features = Array.from({ length: FEATURES }, (_, f) => ({
    feature: `feature_${f}`,
    test: 'ks',
    statistic: 0.05,
    pValue: 0.2,
    threshold: 0.05,
    drifted: f < 3,
  }));
  // Seeded 500 models at a time, so the bench's own rows never pile up in
  // this process: the RSS printed is the backend's, not the seed data's.
  for (let from = 0; from < models; from += 500) {
    const checks: any[] = [];
    const reports: object[] = [];
    const incidents: object[] = [];
    for (let i = from; i < Math.min(models, from + 500); i++) {
      const name = modelName(i);
      const failing = i % 4 === 0;
      for (let c = 0; c < CHECKS_PER_MODEL; c++) {
        const latest = c === CHECKS_PER_MODEL - 1;
        checks.push({
          object_kind: 'model',
          object_name: name,
          checked_at: at((CHECKS_PER_MODEL - c) * 5),
          observed: JSON.stringify([
            'error_rate_high',
            'latency_high',
            'no_traffic',
          ]),
          findings: JSON.stringify(
            failing && latest
              ? [
                  {
                    symptom: 'error_rate_high',
                    severity: 'critical',
                    message: 'Error rate 9% is above 5%',
                    evidence: { errorRate: 0.09, threshold: 0.05 },
                  },
                  {
                    symptom: 'latency_high',
                    severity: 'warning',
                    message: 'p95 latency 812 ms is above 500 ms',
                    evidence: { latencyP95Ms: 812, threshold: 500 },
                  },
                ]
              : [],
          ),
          metrics: JSON.stringify({
            at: at((CHECKS_PER_MODEL - c) * 5).toISOString(),
            count: 1200,
            errorRate: failing ? 0.09 : 0.01,
            latencyP95Ms: failing ? 812 : 120,
            accuracy: 0.93,
          }),
        });
      }
      for (const minutesAgo of [120, 60]) {
        reports.push({
          id: randomUUID(),
          model_name: name,
          model_version: 2,
          source: 'schedule',
          dataset_drift: false,
          drift_share: 3 / FEATURES,
          drifted_count: 3,
          feature_count: FEATURES,
          drift_share_threshold: 0.5,
          drifted_features: JSON.stringify([
            'feature_0',
            'feature_1',
            'feature_2',
          ]),
          features: JSON.stringify(features),
          quality: JSON.stringify({ score: 0.99 }),
          reference_rows: 5000,
          current_rows: 1200,
          window_minutes: 60,
          created_at: at(minutesAgo),
        });
      }
      if (failing) {
        for (const [symptom, severity, message] of [
          ['error_rate_high', 'critical', 'Error rate 9% is above 5%'],
          ['latency_high', 'warning', 'p95 latency 812 ms is above 500 ms'],
        ]) {
          incidents.push({
            id: randomUUID(),
            object_kind: 'model',
            object_name: name,
            symptom,
            severity,
            status: 'open',
            message,
            opened_at: at(30),
            updated_at: at(5),
            last_seen_at: at(5),
          });
        }
      }
    }
    await insertChunked(knex, 'mlops_health_checks', checks);
    // What IncidentStore.recordCheck keeps beside the history: each object's
    // newest check.
    await insertChunked(
      knex,
      'mlops_health_latest_checks',
      checks.filter((_, n) => n % CHECKS_PER_MODEL === CHECKS_PER_MODEL - 1),
    );
    await insertChunked(knex, 'mlops_drift_reports', reports);
    await insertChunked(knex, 'mlops_incidents', incidents);
  }
}

function mb(bytes: number) {
  return `${Math.round(bytes / 1024 / 1024)} MB`;
}

async function main() {
  const [kind = 'sqlite', modelsArg = '1000'] = process.argv.slice(2);
  const models = Number(modelsArg);
  const knex = await openDatabase(kind, `fleet${models}`);
  const port = await startBackend(
    knex,
    Array.from({ length: models }, (_, i) => entityOf(i)),
  );
  const seeding = Date.now();
  await seed(knex, models);
  console.log(
    `${kind}, ${models} models (seeded in ${(
      (Date.now() - seeding) /
      1000
    ).toFixed(1)} s): ` +
      `${
        models / 4
      } unhealthy with two open incidents, ${CHECKS_PER_MODEL} checks and 2 drift reports each`,
  );

  let peakRss = process.memoryUsage().rss;
  const get = async (url: string) => {
    const answer = await request(port, undefined, 'GET', url);
    if (answer.status !== 200) {
      throw new Error(
        `${url} answered ${answer.status}: ${JSON.stringify(answer.json)}`,
      );
    }
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    return answer;
  };
  // The plugin shares this knex, so its queries can be counted: the figure
  // that shows whether the load grows per model (N+1) or stays flat.
  let queries = 0;
  knex.on('query', () => {
    queries++;
  });
  const first = await get('/api/mlops/fleet');
  console.log(
    `  first load (GET /fleet, cold): ${first.ms.toFixed(0)} ms, ` +
      `${first.json.items.length} rows of total=${first.json.total}, ${queries} SQL queries`,
  );
  for (const [label, url] of [
    ['first page again', '/api/mlops/fleet'],
    ['page 3 of 25', '/api/mlops/fleet?offset=50&limit=25'],
    ['sorted by health, worst first', '/api/mlops/fleet?sort=health&order=asc'],
    ['only unhealthy', '/api/mlops/fleet?status=unhealthy'],
    ['one owner', '/api/mlops/fleet?owner=team-3'],
  ]) {
    const times: number[] = [];
    for (let n = 0; n < 5; n++) {
      times.push((await get(url)).ms);
    }
    times.sort((a, b) => a - b);
    console.log(
      `  ${label}: p50=${percentile(times, 0.5).toFixed(0)} ms max=${times[
        times.length - 1
      ].toFixed(0)} ms`,
    );
  }
  // Two cores shared with other work: the load says how far to trust the times.
  console.log(
    `  load average (1, 5, 15 min): ${os
      .loadavg()
      .map(l => l.toFixed(1))
      .join(', ')} on ${os.cpus().length} cores`,
  );
  console.log(
    `  backend RSS: now ${mb(process.memoryUsage().rss)}, peak seen ${mb(
      peakRss,
    )}`,
  );
  await knex.destroy();
  process.exit(0);
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
