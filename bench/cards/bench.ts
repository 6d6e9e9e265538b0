/* eslint-disable no-console */
/*
 * p95 latency of the entity card routes (summary and metrics) with 1,000
 * models and 10,080,000 prediction events behind them, on SQLite and
 * PostgreSQL.
 *
 *   node -r <backstage nodeTransform> bench/cards/bench.ts sqlite|postgres [requests=300]
 *
 * The rollups are generated in SQL rather than ingested over HTTP (that
 * would take minutes per database and measures bench/ingest's subject, not
 * this one). They are exactly what ingest would have written for the same
 * traffic: per model, 60 predictions an hour for 7 days in the production
 * environment — one a minute — as hourly rows for the whole week plus the
 * quarter-hour rows (last 25 hours) and minute rows (last 3 hours) that
 * retention keeps, with latency spread over four histogram buckets and half
 * of the events labelled.
 */
import http from 'http';
import { Knex } from 'knex';
import { LATENCY_COLUMNS } from '../../plugins/mlops-backend/src/monitoring/histogram';
import {
  modelEntities,
  openDatabase,
  percentile,
  request,
  startBackend,
} from '../lib';

const MODELS = 1000;
const HOURS = 168;
const PER_HOUR = 60;
const MINUTE_ROWS = 3 * 60;
const QUARTER_ROWS = 25 * 4;

// The four buckets the latency of the generated traffic falls in
// (~11 ms, ~23 ms, ~45 ms, ~90 ms) and how many of 60 events each gets.
const SPREAD: Array<[string, number]> = [
  ['h22', 30],
  ['h26', 20],
  ['h30', 8],
  ['h34', 2],
];

async function generate(knex: Knex, kind: string) {
  const nowMinute = Math.floor(Date.now() / 60_000);
  const lastHour = nowMinute - (nowMinute % 60);
  const series = (n: number) =>
    kind === 'sqlite'
      ? `(with recursive s(v) as (select 0 union all select v + 1 from s where v < ${
          n - 1
        }) select v from s)`
      : `(select generate_series(0, ${n - 1}) as v)`;
  const concat = (a: string, b: string) => `${a} || ${b}`;
  const histogram = (
    scale: number,
    minuteExpr?: string,
    spread: Array<[string, number]> = SPREAD,
  ) =>
    LATENCY_COLUMNS.map(c => {
      if (minuteExpr) {
        // One event a minute, in one of the four buckets by minute.
        const index = SPREAD.findIndex(([col]) => col === c);
        return index < 0
          ? `0 as "${c}"`
          : `case when (${minuteExpr}) % 4 = ${index} then 1 else 0 end as "${c}"`;
      }
      const share = spread.find(([col]) => col === c)?.[1] ?? 0;
      return `${share * scale} as "${c}"`;
    }).join(', ');
  const started = Date.now();
  // Hourly rows: the whole week.
  await knex.raw(`
    insert into mlops_prediction_rollups
    select ${concat(
      "'bench-model-'",
      kind === 'sqlite' ? 'm.v' : 'm.v::text',
    )} as model,
      'production' as environment, 60 as resolution,
      ${lastHour} - h.v * 60 as bucket_start,
      ${PER_HOUR} as count, 1 as errors, ${PER_HOUR * 25.5} as latency_sum,
      30 as labelled, 27 as correct, ${PER_HOUR} as confidence_count,
      ${PER_HOUR * 0.8} as confidence_sum, ${histogram(1)}
    from ${series(MODELS)} m, ${series(HOURS)} h`);
  // Quarter-hour rows: 15 events each.
  const lastQuarter = nowMinute - (nowMinute % 15);
  await knex.raw(`
    insert into mlops_prediction_rollups
    select ${concat(
      "'bench-model-'",
      kind === 'sqlite' ? 'm.v' : 'm.v::text',
    )} as model,
      'production' as environment, 15 as resolution,
      ${lastQuarter} - q.v * 15 as bucket_start,
      15 as count, 0 as errors, ${15 * 25.5} as latency_sum,
      8 as labelled, 7 as correct, 15 as confidence_count,
      ${15 * 0.8} as confidence_sum, ${histogram(1, undefined, [
    ['h22', 8],
    ['h26', 5],
    ['h30', 2],
  ])}
    from ${series(MODELS)} m, ${series(QUARTER_ROWS)} q`);
  // Minute rows: what retention keeps.
  await knex.raw(`
    insert into mlops_prediction_rollups
    select ${concat(
      "'bench-model-'",
      kind === 'sqlite' ? 'm.v' : 'm.v::text',
    )} as model,
      'production' as environment, 1 as resolution,
      ${nowMinute} - x.v as bucket_start,
      1 as count, case when x.v % 60 = 0 then 1 else 0 end as errors, 25.5 as latency_sum,
      x.v % 2 as labelled, case when x.v % 20 = 0 then 0 else x.v % 2 end as correct,
      1 as confidence_count, 0.8 as confidence_sum, ${histogram(0, 'x.v')}
    from ${series(MODELS)} m, ${series(MINUTE_ROWS)} x`);
  if (kind !== 'sqlite') {
    await knex.raw('analyze mlops_prediction_rollups');
  }
  const [{ n }] = await knex('mlops_prediction_rollups').count({ n: '*' });
  const [{ events }] = await knex('mlops_prediction_rollups')
    .where({ resolution: 60 })
    .sum({ events: 'count' });
  console.log(
    `generated ${n} rollup rows for ${Number(events)} events in ${
      (Date.now() - started) / 1000
    } s`,
  );
}

async function get(port: number, agent: http.Agent, urlPath: string) {
  const { ms, status } = await request(port, agent, 'GET', urlPath);
  if (status !== 200) {
    throw new Error(`${urlPath}: HTTP ${status}`);
  }
  return ms;
}

function summarize(label: string, times: number[]) {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => percentile(sorted, q);
  console.log(
    `${label.padEnd(22)} p50 ${at(0.5).toFixed(1)} ms  p95 ${at(0.95).toFixed(
      1,
    )} ms  p99 ${at(0.99).toFixed(1)} ms  (n=${sorted.length})`,
  );
}

async function main() {
  const kind = process.argv[2] ?? 'sqlite';
  const requests = Number(process.argv[3] ?? 300);
  const knex = await openDatabase(kind, 'cards');
  const entities = modelEntities(MODELS);
  const port = await startBackend(knex, entities);
  const now = new Date();
  for (let i = 0; i < MODELS; i += 200) {
    await knex('mlops_registered_models').insert(
      entities.slice(i, i + 200).map(e => ({
        name: e.metadata.name,
        created_at: now,
        updated_at: now,
      })),
    );
  }
  await generate(knex, kind);

  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const routes: Array<[string, (model: string) => string]> = [
    ['summary', m => `/api/mlops/entities/component/default/${m}/summary`],
    [
      'metrics window=1h',
      m => `/api/mlops/entities/component/default/${m}/metrics?window=1h`,
    ],
    [
      'metrics window=24h',
      m => `/api/mlops/entities/component/default/${m}/metrics?window=24h`,
    ],
    [
      'metrics window=7d',
      m => `/api/mlops/entities/component/default/${m}/metrics?window=7d`,
    ],
  ];
  console.log(
    `== ${kind}: ${requests} requests per route, one client, random models ==`,
  );
  for (const [label, url] of routes) {
    for (let i = 0; i < 20; i++) {
      await get(port, agent, url(`bench-model-${i}`)); // warm-up
    }
    const times: number[] = [];
    for (let i = 0; i < requests; i++) {
      const model = `bench-model-${Math.floor(Math.random() * MODELS)}`;
      times.push(await get(port, agent, url(model)));
    }
    summarize(label, times);
  }
  agent.destroy();
  process.exit(0);
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
