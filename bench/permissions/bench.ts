/* eslint-disable no-console */
/*
 * What narrowing a list by a conditional `mlops.object.read` decision costs:
 * two backends over one database, one whose policy allows every read and one
 * whose policy lets the user read what three of 50 teams own, each route
 * requested from both in turn so the machine's noise falls on both alike.
 *
 * 1,000 models and 1,000 experiments (owners spread over 50 teams), 5 runs
 * per experiment; routes: GET /models, GET /experiments, POST /runs/search.
 * The permission decision itself is answered in process: this measures the
 * query, not the round trip to the permission backend.
 *
 *   node -r <backstage nodeTransform> bench/permissions/bench.ts sqlite|postgres [requests=200]
 */
import http from 'http';
import { Knex } from 'knex';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { mlopsObjectReadPermission } from '../../plugins/mlops-common/src';
import {
  createMlopsObjectConditionalDecision,
  mlopsObjectConditions,
} from '../../plugins/mlops-node/src';
import { permissionsDecidedBy } from '../../plugins/mlops-backend/src/__testUtils__/permissions';
import {
  modelEntities,
  openDatabase,
  percentile,
  request,
  startBackend,
} from '../lib';

const OBJECTS = 1000;
const TEAMS = 50;
const RUNS_PER_EXPERIMENT = 5;
const teamOf = (i: number) => `group:default/team-${i % TEAMS}`;
const READABLE_TEAMS = [teamOf(0), teamOf(1), teamOf(2)];

async function fill(knex: Knex) {
  const now = new Date();
  for (let start = 0; start < OBJECTS; start += 100) {
    const batch = Array.from({ length: 100 }, (_, j) => start + j);
    await knex('mlops_registered_models').insert(
      batch.map(i => ({
        name: `bench-model-${i}`,
        owner: teamOf(i),
        latest_version: 0,
        created_at: now,
        updated_at: now,
      })),
    );
    await knex('mlops_experiments').insert(
      batch.map(i => ({
        name: `bench-experiment-${i}`,
        owner: teamOf(i),
        lifecycle_stage: 'active',
        created_at: now,
        updated_at: now,
      })),
    );
  }
  const experiments: Array<{ id: number }> = await knex(
    'mlops_experiments',
  ).select('id');
  const runs = experiments.flatMap(({ id }) =>
    Array.from({ length: RUNS_PER_EXPERIMENT }, (_, r) => ({
      id: `${id}x${r}`.padEnd(32, '0'),
      experiment_id: id,
      name: `run-${r}`,
      status: 'FINISHED',
      start_time: now.getTime() - r * 1000,
      deleted: false,
    })),
  );
  for (let start = 0; start < runs.length; start += 500) {
    await knex('mlops_runs').insert(runs.slice(start, start + 500));
  }
}

const ROUTES: Array<{
  name: string;
  method: string;
  url: string;
  body?: unknown;
  count: (json: any) => number;
}> = [
  {
    name: 'GET /models',
    method: 'GET',
    url: '/api/mlops/models',
    count: j => j.items.length,
  },
  {
    name: 'GET /experiments',
    method: 'GET',
    url: '/api/mlops/experiments',
    count: j => j.experiments.length,
  },
  {
    name: 'POST /runs/search (page of 100)',
    method: 'POST',
    url: '/api/mlops/runs/search',
    body: { pageSize: 100 },
    count: j => j.runs.length,
  },
];

async function main() {
  const kind = process.argv[2] ?? 'sqlite';
  const requests = Number(process.argv[3] ?? 200);
  const knex = await openDatabase(kind, 'permissions');
  const entities = modelEntities(0);
  const open = await startBackend(knex, entities);
  const narrowed = await startBackend(knex, entities, [
    permissionsDecidedBy(permission =>
      permission.name === mlopsObjectReadPermission.name
        ? createMlopsObjectConditionalDecision(
            mlopsObjectReadPermission,
            mlopsObjectConditions.isMlopsObjectOwner({
              claims: READABLE_TEAMS,
            }),
          )
        : { result: AuthorizeResult.ALLOW },
    ),
  ]);
  await fill(knex);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

  console.log(
    `${kind}: ${OBJECTS} models, ${OBJECTS} experiments, ${
      OBJECTS * RUNS_PER_EXPERIMENT
    } runs; ${requests} requests per route and policy, alternating`,
  );
  console.log(
    'route                            policy       items   p50 ms   p95 ms',
  );
  for (const route of ROUTES) {
    const times: Record<'open' | 'narrowed', number[]> = {
      open: [],
      narrowed: [],
    };
    const items: Record<'open' | 'narrowed', number> = { open: 0, narrowed: 0 };
    for (let i = 0; i < requests + 10; i++) {
      for (const [policy, port] of [
        ['open', open],
        ['narrowed', narrowed],
      ] as const) {
        const response = await request(
          port,
          agent,
          route.method,
          route.url,
          route.body,
        );
        if (response.status !== 200) {
          throw new Error(`${route.name} answered ${response.status}`);
        }
        items[policy] = route.count(response.json);
        // The first requests warm the caches and the JIT.
        if (i >= 10) times[policy].push(response.ms);
      }
    }
    const rows: string[] = [];
    const p50: Record<string, number> = {};
    for (const policy of ['open', 'narrowed'] as const) {
      const sorted = times[policy].sort((a, b) => a - b);
      p50[policy] = percentile(sorted, 0.5);
      rows.push(
        `${route.name.padEnd(32)} ${policy.padEnd(10)} ${String(
          items[policy],
        ).padStart(7)} ${percentile(sorted, 0.5)
          .toFixed(2)
          .padStart(8)} ${percentile(sorted, 0.95).toFixed(2).padStart(8)}`,
      );
    }
    console.log(rows.join('\n'));
    console.log(
      `${''.padEnd(32)} narrowed/open p50: ${(p50.narrowed / p50.open).toFixed(
        2,
      )}`,
    );
  }
  agent.destroy();
  await knex.destroy();
  process.exit(0);
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
