/* eslint-disable no-console */
/*
 * Health and incidents at fleet size, on SQLite (file-backed, WAL) and
 * PostgreSQL:
 *
 * - one full detector pass over 1,000 models and 1,000 pipelines (first pass
 *   opens the incidents, the next ones refresh them), with in-memory sources
 *   so the figures measure the detectors, the incident store and the checks;
 * - the health summary (what GET .../summary returns after the catalog
 *   lookup) and the entity incident list, for random models, after 48
 *   passes of checks: p50 / p95 / max.
 *
 *   node -r <backstage nodeTransform> bench/health/bench.ts sqlite|postgres [requests=300]
 */
import { LoggerService } from '@backstage/backend-plugin-api';
import { HealthService } from '../../plugins/mlops-backend/src/health/HealthService';
import { DEFAULT_THRESHOLDS } from '../../plugins/mlops-backend/src/incidents/detectors/thresholds';
import { IncidentService } from '../../plugins/mlops-backend/src/incidents/IncidentService';
import { IncidentStore } from '../../plugins/mlops-backend/src/incidents/IncidentStore';
import { migrateForIncidents } from '../../plugins/mlops-backend/src/incidents/__testUtils__/migrate';
import {
  MemoryDeployments,
  MemoryMonitoring,
  MemoryPipelines,
} from '../../plugins/mlops-backend/src/incidents/__testUtils__/memorySources';
import { MlopsObjectStore } from '../../plugins/mlops-backend/src/objects/MlopsObjectStore';
import { openDatabase, percentile } from '../lib';

const MODELS = 1000;
const PASSES = 48;

const quietLogger: LoggerService = {
  error: () => {},
  warn: console.warn,
  info: () => {},
  debug: () => {},
  child: () => quietLogger,
};

async function main() {
  const [kind = 'sqlite', requestsArg = '300'] = process.argv.slice(2);
  const requests = Number(requestsArg);
  const knex = await openDatabase(kind, 'health');
  await migrateForIncidents(knex);
  const objects = new MlopsObjectStore(knex);
  const models = Array.from({ length: MODELS }, (_, i) => `model-${i}`);
  for (const [i, name] of models.entries()) {
    await objects.upsert('pipeline', { name: `${name}-training` });
    await objects.upsert('model', { name, pipelineName: `${name}-training` });
    if (i % 250 === 0) process.stdout.write('.');
  }
  console.log();

  const monitoring = new MemoryMonitoring();
  const deployments = new MemoryDeployments();
  const pipelines = new MemoryPipelines();
  const now = Date.now();
  models.forEach((name, i) => {
    // One model in ten is slow, one in twenty fails its training.
    monitoring.set(name, { latencyP95Ms: i % 10 === 0 ? 900 : 150 });
    deployments.latest.set(name, [
      { id: `d-${i}`, environment: 'production', version: 3, status: 'succeeded', updatedAt: new Date(now).toISOString() },
    ]);
    pipelines.runs.set(`${name}-training`, [
      i % 20 === 0
        ? { id: `r-${i}`, state: 'FAILED', failureReason: 'OOMKilled (exit code 137)' }
        : { id: `r-${i}`, state: 'COMPLETED' },
    ]);
    pipelines.lastSuccess.set(`${name}-training`, new Date(now).toISOString());
  });

  let clock = now;
  const store = new IncidentStore(knex);
  const incidents = new IncidentService({
    store,
    logger: quietLogger,
    sources: { monitoring, deployments, pipelines },
    thresholds: DEFAULT_THRESHOLDS,
    now: () => new Date(clock),
  });
  const passTimes: number[] = [];
  for (let pass = 0; pass < PASSES; pass++) {
    const start = performance.now();
    const { opened } = await incidents.evaluateAll();
    passTimes.push(performance.now() - start);
    if (pass === 0) {
      console.log(`${kind}: first pass over ${MODELS * 2} objects opened ${opened} incidents in ${passTimes[0].toFixed(0)} ms`);
    }
    clock += 5 * 60_000;
  }
  const steady = [...passTimes.slice(1)].sort((a, b) => a - b);
  console.log(`${kind}: steady passes (${PASSES - 1}): median ${percentile(steady, 0.5).toFixed(0)} ms, max ${steady[steady.length - 1].toFixed(0)} ms`);

  const health = new HealthService(objects, store);
  const timings = { summary: [] as number[], incidents: [] as number[] };
  for (let r = 0; r < requests; r++) {
    const name = models[Math.floor(Math.random() * MODELS)];
    const resolved = {
      entity: { apiVersion: 'backstage.io/v1alpha1', kind: 'Component', metadata: { name, namespace: 'default' } },
      entityRef: `component:default/${name}`,
      links: [
        { kind: 'model' as const, name },
        { kind: 'pipeline' as const, name: `${name}-training` },
      ],
    };
    let start = performance.now();
    await health.summarize(resolved);
    timings.summary.push(performance.now() - start);
    start = performance.now();
    await incidents.incidentsOf([
      { kind: 'model', name },
      { kind: 'pipeline', name: `${name}-training` },
    ]);
    timings.incidents.push(performance.now() - start);
  }
  for (const [route, list] of Object.entries(timings)) {
    const sorted = list.sort((a, b) => a - b);
    console.log(
      `${kind}: ${route} (${requests} requests): p50 ${percentile(sorted, 0.5).toFixed(1)} ms, p95 ${percentile(sorted, 0.95).toFixed(1)} ms, max ${sorted[sorted.length - 1].toFixed(1)} ms`,
    );
  }
  const [{ open }] = await knex('mlops_incidents')
    .whereNot('status', 'resolved')
    .count({ open: '*' });
  console.log(`${kind}: ${open} unresolved incidents in the store`);
  const [{ n }] = await knex('mlops_health_checks').count({ n: '*' });
  console.log(`${kind}: ${n} checks stored after ${PASSES} passes`);
  await knex.destroy();
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
