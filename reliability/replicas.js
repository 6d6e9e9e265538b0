/*
 * Two replicas on one PostgreSQL: both backends start at the same moment on
 * the same database prefix, then migrations, the scheduled drift check,
 * incident creation and reads are checked for races.
 */
const fs = require('fs');
const lib = require('./lib');
const { MODELS } = require('./workload');

const DRIFT_SECONDS = Number(process.env.MLOPS_RELIABILITY_DRIFT_SECONDS ?? 15);
// Fail (instead of warn) when a Backstage core plugin cannot start beside
// the other replica on an empty database.
const STRICT = process.env.MLOPS_RELIABILITY_STRICT_COLD_START === '1';
const OBSERVE_MS = Number(process.env.MLOPS_RELIABILITY_OBSERVE ?? 75) * 1000;
const MIGRATION_FILES = fs
  .readdirSync(`${lib.ROOT}/plugins/mlops-backend/migrations`)
  .filter(f => f.endsWith('.js')).length;

function events(tag, model, count, status, seq) {
  const now = Date.now();
  return Array.from({ length: count }, (_, i) => ({
    id: `${tag}-${model}-${seq}-${i}`,
    timestamp: now - i * 10,
    environment: `rel-${tag}`,
    modelVersion: 1,
    latencyMs: 20 + (i % 30),
    status,
    prediction: i % 2,
    label: i % 2,
    confidence: 0.8,
    features:
      model === 'fraud-detection'
        ? {
            amount: 20 + (i % 200),
            merchant_category: ['grocery', 'travel', 'online'][i % 3],
            card_present: i % 3 !== 0,
          }
        : model === 'ticket-classifier'
        ? { length_chars: 100 + (i % 300), channel: i % 2 ? 'email' : 'chat' }
        : {
            returns_1d: ((i % 20) - 10) / 1000,
            volume_z: ((i % 40) - 20) / 10,
          },
  }));
}

async function openIncidents(pg, model, symptom) {
  const { rows } = await pg.query(
    `select id, status from mlops_incidents
      where object_kind = 'model' and object_name = $1 and symptom = $2 and resolved_at is null`,
    [model, symptom],
  );
  return rows;
}

// `checkedAt` is the moment a summary was computed, different on every read.
const stable = body =>
  JSON.stringify(body, (key, value) =>
    key === 'checkedAt' ? undefined : value,
  );

/** Reads a route on both replicas; equal if B matches A read before or after it. */
async function sameOnBoth(clients, route) {
  let last;
  for (let attempt = 0; attempt < 3; attempt++) {
    const a1 = await clients[0].get(route);
    const b = await clients[1].get(route);
    const a2 = await clients[0].get(route);
    const bs = stable(b.body);
    if (b.ok && a1.ok && (bs === stable(a1.body) || bs === stable(a2.body)))
      return { same: true };
    last = firstDifference(
      JSON.parse(stable(a1.body) ?? 'null'),
      JSON.parse(bs ?? 'null'),
    );
    await lib.sleep(1000);
  }
  return { same: false, difference: last };
}

function firstDifference(a, b, at = '') {
  if (JSON.stringify(a) === JSON.stringify(b)) return undefined;
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const d = firstDifference(a[key], b[key], `${at}.${key}`);
      if (d) return d;
    }
  }
  return `${at}: ${JSON.stringify(a)?.slice(0, 80)} vs ${JSON.stringify(
    b,
  )?.slice(0, 80)}`;
}

async function twoReplicas({ ports }) {
  const part = 'replicas';
  const tag = lib.runTag('relr');
  const prefix = `${tag}_`;
  const lines = [];
  const problems = [];
  const extra = {
    mlops: {
      drift: {
        // Every unit is given: config files merge, and app-config.yaml's
        // minutes would otherwise add to these seconds.
        schedule: {
          frequency: { hours: 0, minutes: 0, seconds: DRIFT_SECONDS },
          timeout: { hours: 0, minutes: 0, seconds: 60 },
          initialDelay: { hours: 0, minutes: 0, seconds: 5 },
        },
        minWindowRows: 20,
      },
      incidents: {
        schedule: {
          frequency: { hours: 0, minutes: 0, seconds: 10 },
          timeout: { hours: 0, minutes: 0, seconds: 30 },
          initialDelay: { hours: 0, minutes: 0, seconds: 5 },
        },
      },
    },
  };
  const start = i =>
    lib.startBackend({
      name: `replica-${i + 1}`,
      port: ports[i],
      database: { kind: 'pg', prefix },
      extra,
    });
  const backends = ports.map((_, i) => start(i));
  try {
    lib.log(
      part,
      `two backends on :${ports.join(
        ' and :',
      )}, database prefix ${prefix}, started together`,
    );
    const clients = [];
    const coldStart = await Promise.allSettled(backends.map(b => lib.ready(b)));
    for (const [i, outcome] of coldStart.entries()) {
      if (outcome.status === 'fulfilled') {
        clients[i] = outcome.value;
        lines.push(`replica ${i + 1}: started cleanly`);
        continue;
      }
      const failed = outcome.reason.failedPlugins;
      if (!failed) throw outcome.reason;
      lines.push(
        `replica ${i + 1}: startup failed in plugin(s) ${failed.join(', ')}`,
      );
      for (const [plugin, cause] of Object.entries(
        outcome.reason.failureCauses ?? {},
      )) {
        // eslint-disable-next-line no-control-regex
        const plain = cause.replace(/\u001b\[[0-9;]*m/g, '');
        lines.push(`  ${plugin}: ${plain.slice(0, 220)}`);
      }
      // A plugin's start also fails when a core service it uses (auth's
      // key store, scheduler) loses the race on *its* tables; only a
      // failure of the MLOps plugin's own code counts against it.
      const own = failed.filter(
        plugin =>
          plugin === 'mlops' &&
          !/Failed to instantiate service 'core\./.test(
            outcome.reason.failureCauses?.[plugin] ?? '',
          ),
      );
      if (own.length) {
        problems.push(
          `replica ${
            i + 1
          }: the mlops plugin failed to start beside the other replica: ${outcome.reason.failureCauses.mlops.slice(
            0,
            300,
          )}`,
        );
      } else if (STRICT) {
        problems.push(
          `replica ${
            i + 1
          }: Backstage core plugin(s) or services (${failed.join(
            ', ',
          )}) raced on their migrations`,
        );
      } else {
        lines.push(
          `  WARN known upstream race of knex migrations in Backstage core plugins and services on an empty database (backstage/backstage#26546, backstage/charts#300); restarting replica ${
            i + 1
          } as an orchestrator would`,
        );
      }
      // As an orchestrator would: the failed process goes, a new one
      // starts after a pause, a few times.
      await lib.stopBackend(backends[i]);
      for (let attempt = 2; !clients[i]; attempt++) {
        await lib.sleep(5000);
        backends[i] = start(i);
        try {
          clients[i] = await lib.ready(backends[i]);
          lines.push(`replica ${i + 1}: started on attempt ${attempt}`);
        } catch (error) {
          const causes = Object.entries(error.failureCauses ?? {}).map(
            ([plugin, cause]) => `${plugin}: ${cause.slice(0, 160)}`,
          );
          lines.push(
            `replica ${i + 1}: attempt ${attempt} failed (${
              causes.join('; ') || error.message
            })`,
          );
          await lib.stopBackend(backends[i]);
          if (attempt >= 4) throw error;
        }
      }
    }
    await lib.withPg(`${prefix}mlops`, async pg => {
      const { rows } = await pg.query(
        'select name, count(*)::int as n from knex_migrations group by name',
      );
      const twice = rows.filter(r => r.n > 1);
      lines.push(
        `knex_migrations: ${rows.length} migrations recorded (${MIGRATION_FILES} files), ${twice.length} recorded twice`,
      );
      if (rows.length !== MIGRATION_FILES || twice.length)
        problems.push('migrations not run exactly once');
      const { rows: counts } = await pg.query(
        `select (select count(*) from mlops_registered_models)::int as models,
                (select count(*) from mlops_experiments)::int as experiments,
                (select count(*) from mlops_pipelines)::int as pipelines`,
      );
      lines.push(`demo seed: ${JSON.stringify(counts[0])}`);
      if (
        counts[0].models !== 3 ||
        counts[0].experiments !== 3 ||
        counts[0].pipelines !== 3
      ) {
        problems.push(
          `demo data seeded more than once: ${JSON.stringify(counts[0])}`,
        );
      }
    });
    for (const b of backends) {
      const text = fs.readFileSync(b.logPath, 'utf8').slice(b.logOffset);
      const bad = text
        .split('\n')
        .filter(
          l =>
            /\bmlops\b/.test(l) &&
            /migrat|lock/i.test(l) &&
            /error|fail/i.test(l),
        );
      if (bad.length)
        problems.push(
          `${b.logPath}: ${
            bad.length
          } migration or lock errors, e.g. ${bad[0].slice(0, 300)}`,
        );
    }

    // Feature samples for the scheduled drift checks, through both replicas.
    for (const [i, model] of MODELS.entries()) {
      const r = await clients[i % 2].post(
        `/api/mlops/models/${model}/predictions`,
        {
          events: events(tag, model, 300, 'ok', 'w'),
        },
      );
      if (!r.ok) problems.push(`ingest for ${model} answered ${r.status}`);
    }

    // A symptom: a burst of errors on a model with no open error incident,
    // sent through both replicas at once so both evaluate it.
    const symptom = 'error_rate_high';
    const observeFrom = new Date();
    let target;
    await lib.withPg(`${prefix}mlops`, async pg => {
      for (const model of MODELS) {
        if ((await openIncidents(pg, model, symptom)).length === 0) {
          target = model;
          break;
        }
      }
    });
    if (!target)
      throw new Error(`every model already has an open ${symptom} incident`);
    const bursts = await Promise.all(
      clients.map((c, i) =>
        c.post(`/api/mlops/models/${target}/predictions`, {
          events: events(tag, target, 200, 'error', `e${i}`),
        }),
      ),
    );
    if (bursts.some(r => !r.ok))
      problems.push(`error bursts answered ${bursts.map(r => r.status)}`);
    lines.push(
      `sent 2 × 200 error predictions for ${target} through both replicas at once`,
    );

    lib.log(
      part,
      `observing schedulers for ${
        OBSERVE_MS / 1000
      } s (drift every ${DRIFT_SECONDS} s, health every 10 s)`,
    );
    await lib.sleep(OBSERVE_MS);

    await lib.withPg(`${prefix}mlops`, async pg => {
      const open = await openIncidents(pg, target, symptom);
      lines.push(`open ${symptom} incidents for ${target}: ${open.length}`);
      if (open.length !== 1)
        problems.push(
          `expected exactly one open ${symptom} incident for ${target}, found ${open.length}`,
        );
      const { rows: dupes } = await pg.query(
        `select object_kind, object_name, symptom, count(*)::int as n from mlops_incidents
          where resolved_at is null group by 1, 2, 3 having count(*) > 1`,
      );
      if (dupes.length)
        problems.push(`duplicated open incidents: ${JSON.stringify(dupes)}`);

      const { rows: reports } = await pg.query(
        `select model_name, created_at from mlops_drift_reports
          where source = 'schedule' and created_at >= $1 order by model_name, created_at`,
        [observeFrom],
      );
      const byModel = new Map();
      for (const r of reports) {
        if (!byModel.has(r.model_name)) byModel.set(r.model_name, []);
        byModel.get(r.model_name).push(new Date(r.created_at).getTime());
      }
      const maxRounds = Math.ceil(OBSERVE_MS / (DRIFT_SECONDS * 1000)) + 1;
      if (byModel.size === 0)
        problems.push('no scheduled drift report was stored while observing');
      for (const [model, times] of byModel) {
        const gaps = times.slice(1).map((t, i) => (t - times[i]) / 1000);
        const minGap = gaps.length ? Math.min(...gaps) : undefined;
        lines.push(
          `scheduled drift reports for ${model}: ${times.length} in ${
            OBSERVE_MS / 1000
          } s (at most ${maxRounds} rounds fit), smallest gap ${
            minGap?.toFixed(1) ?? '-'
          } s`,
        );
        if (times.length > maxRounds)
          problems.push(
            `${model}: ${times.length} scheduled reports, more than ${maxRounds} intervals`,
          );
        if (minGap !== undefined && minGap < DRIFT_SECONDS / 2) {
          problems.push(
            `${model}: two scheduled reports ${minGap.toFixed(
              1,
            )} s apart (interval ${DRIFT_SECONDS} s)`,
          );
        }
      }
    });
    const rounds = backends.map(
      b =>
        (
          fs
            .readFileSync(b.logPath, 'utf8')
            .slice(b.logOffset)
            .match(/Drift checks: \d+ checked/g) ?? []
        ).length,
    );
    lines.push(`drift rounds logged per replica: ${rounds.join(' + ')}`);

    const routes = [
      '/api/mlops/models',
      `/api/mlops/entities/component/default/${target}/incidents`,
      `/api/mlops/entities/component/default/${target}/metrics?window=24h&environment=rel-${tag}`,
      '/api/mlops/entities/component/default/fraud-detection/drift',
      '/api/mlops/entities/component/default/fraud-detection/summary',
    ];
    for (const route of routes) {
      const { same, difference } = await sameOnBoth(clients, route);
      if (!same)
        problems.push(`replicas answer ${route} differently (${difference})`);
    }
    lines.push(`${routes.length} read routes compared across the replicas`);
    const viaApi = await Promise.all(
      clients.map(async c => {
        const r = await c.get(
          `/api/mlops/entities/component/default/${target}/incidents`,
        );
        return (r.body?.items ?? []).filter(
          i => i.symptom === symptom && i.status !== 'resolved',
        ).length;
      }),
    );
    lines.push(
      `open ${symptom} incidents of ${target} as each replica lists them: ${viaApi.join(
        ', ',
      )}`,
    );
    if (viaApi.some(n => n !== 1))
      problems.push('a replica does not list exactly one open incident');
    return lib.verdict(lines, problems);
  } finally {
    await Promise.all(backends.map(b => lib.stopBackend(b)));
    await lib.dropPgDatabases(prefix);
  }
}

module.exports = { twoReplicas };
