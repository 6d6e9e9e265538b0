/* eslint-disable no-console */
/*
 * Latency of GET /entities/:kind/:namespace/:name/triage and GET /fleet
 * through the real plugin with 1,000 registered models, each declared by a
 * catalog entity, a quarter of them with two open incidents (so triage has
 * problems to match and commands to fill).
 *
 *   node -r <backstage nodeTransform> bench/triage/bench.ts sqlite|postgres [requests=200]
 */
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import http from 'http';
import { mlopsPlugin } from '../../plugins/mlops-backend/src/plugin';
import { IncidentStore } from '../../plugins/mlops-backend/src/incidents/IncidentStore';
import { openDatabase, percentile } from '../lib';

const MODELS = 1000;

const modelName = (i: number) => `model-${String(i).padStart(4, '0')}`;

function entityOf(i: number): Entity {
  const name = modelName(i);
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      namespace: 'default',
      annotations: {
        'backstage-mlops.dev/model': name,
        'backstage-mlops.dev/serving-url': `http://${name}.ml.svc:8080`,
        'backstage.io/kubernetes-namespace': 'ml',
        'backstage.io/kubernetes-label-selector': `app=${name}`,
      },
    },
    spec: {
      type: 'ml-model',
      lifecycle: 'production',
      owner: `team-${i % 20}`,
    },
  };
}

function get(port: number, url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    http
      .get(
        {
          port,
          path: url,
          headers: { Authorization: mockCredentials.user.header() },
        },
        res => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode !== 200) {
              reject(new Error(`${url} answered ${res.statusCode}`));
              return;
            }
            resolve(Number(process.hrtime.bigint() - started) / 1e6);
          });
        },
      )
      .on('error', reject);
  });
}

async function measure(
  label: string,
  n: number,
  url: (i: number) => string,
  port: number,
) {
  // The first request is cold: nothing cached (the fleet reuses rows for 30 s).
  const cold = await get(port, url(0));
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    times.push(await get(port, url(i)));
  }
  times.sort((a, b) => a - b);
  console.log(
    `${label}: first=${cold.toFixed(1)} ms, then n=${n} p50=${percentile(
      times,
      0.5,
    ).toFixed(1)} ms p95=${percentile(times, 0.95).toFixed(1)} ms max=${times[
      times.length - 1
    ].toFixed(1)} ms`,
  );
}

async function main() {
  const [kind = 'sqlite', requestsArg = '200'] = process.argv.slice(2);
  const requests = Number(requestsArg);
  const knex = await openDatabase(kind, 'triage');
  const { server } = await startTestBackend({
    features: [
      mlopsPlugin,
      mockServices.database.factory({ knex }),
      catalogServiceMock.factory({
        entities: Array.from({ length: MODELS }, (_, i) => entityOf(i)),
      }),
    ],
  });
  const port = (server.address() as { port: number }).port;

  const now = new Date();
  for (let i = 0; i < MODELS; i += 100) {
    await knex('mlops_registered_models').insert(
      Array.from({ length: 100 }, (_, j) => ({
        name: modelName(i + j),
        owner: `group:default/team-${(i + j) % 20}`,
        created_at: now,
        updated_at: now,
      })),
    );
  }
  const incidents = new IncidentStore(knex);
  for (let i = 0; i < MODELS; i += 4) {
    const object = { kind: 'model' as const, name: modelName(i) };
    await incidents.reportSymptom(
      object,
      {
        symptom: 'error_rate_high',
        severity: 'critical',
        message: 'Error rate 9% is above 5%',
        evidence: {} as any,
      },
      now,
    );
    await incidents.reportSymptom(
      object,
      {
        symptom: 'latency_high',
        severity: 'warning',
        message: 'p95 latency 812 ms is above 500 ms',
        evidence: {} as any,
      },
      now,
    );
  }

  console.log(
    `${kind}: ${MODELS} models, ${MODELS / 4} with two open incidents`,
  );
  await measure(
    'triage, entity with incidents',
    requests,
    i =>
      `/api/mlops/entities/component/default/${modelName(
        (i * 4) % MODELS,
      )}/triage`,
    port,
  );
  await measure(
    'triage, healthy entity',
    requests,
    i =>
      `/api/mlops/entities/component/default/${modelName(
        (i * 4 + 1) % MODELS,
      )}/triage`,
    port,
  );
  await measure(
    'fleet, all 1,000 models',
    Math.max(5, Math.floor(requests / 40)),
    () => '/api/mlops/fleet',
    port,
  );
  await measure(
    'fleet, one owner (50 models)',
    Math.max(10, Math.floor(requests / 10)),
    () => '/api/mlops/fleet?owner=team-3',
    port,
  );
  await knex.destroy();
  process.exit(0);
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
