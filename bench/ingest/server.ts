/* eslint-disable no-console */
/*
 * Starts the real MLOps backend plugin (startTestBackend wiring: the same
 * plugin, router, store and migrations as production, mock auth that treats
 * callers as a user) on a loopback port, against a file-backed SQLite
 * database or a PostgreSQL database, and registers the benchmark model.
 *
 *   node -r <backstage nodeTransform> bench/ingest/server.ts sqlite|postgres
 *
 * Prints "READY <port>" when it accepts requests; on SIGTERM prints its peak
 * resident memory and exits.
 */
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import fs from 'fs';
import knexFactory, { Knex } from 'knex';
import os from 'os';
import path from 'path';
import { mlopsPlugin } from '../../plugins/mlops-backend/src/plugin';

const PG = process.env.BENCH_PG ?? 'postgresql://postgres@127.0.0.1:5432';

async function openDatabase(kind: string): Promise<Knex> {
  if (kind === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-ingest-'));
    const knex = knexFactory({
      client: 'better-sqlite3',
      connection: { filename: path.join(dir, 'mlops.sqlite') },
      useNullAsDefault: true,
    });
    // What an operator running the embedded database would set: WAL lets
    // readers run beside the writer, synchronous=NORMAL is durable in WAL.
    await knex.raw('pragma journal_mode = wal');
    await knex.raw('pragma synchronous = normal');
    return knex;
  }
  const admin = knexFactory({ client: 'pg', connection: PG });
  const name = `mlops_ingest_bench_${process.pid}`;
  await admin.raw('drop database if exists ??', [name]);
  await admin.raw('create database ??', [name]);
  await admin.destroy();
  return knexFactory({
    client: 'pg',
    connection: `${PG}/${name}`,
    pool: { min: 2, max: 10 },
  });
}

async function main() {
  const kind = process.argv[2] ?? 'sqlite';
  const models = Number(process.env.BENCH_MODELS ?? 1);
  const knex = await openDatabase(kind);
  const { server } = await startTestBackend({
    features: [
      mlopsPlugin,
      mockServices.database.factory({ knex }),
      mockServices.rootConfig.factory({ data: {} }),
      catalogServiceMock.factory({ entities: [] }),
    ],
  });
  const now = new Date();
  await knex('mlops_registered_models').insert(
    Array.from({ length: models }, (_, i) => ({
      name: `bench-model-${i}`,
      created_at: now,
      updated_at: now,
    })),
  );
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const cpuAtStart = process.cpuUsage();
  console.log(`READY ${port}`);
  process.on('SIGTERM', async () => {
    const status = fs.readFileSync('/proc/self/status', 'utf8');
    const hwm = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
    const cpu = process.cpuUsage(cpuAtStart);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    console.log(`SERVER_PEAK_RSS_MB ${Math.round(Number(hwm) / 1024)}`);
    const counted = await Promise.race([
      knex('mlops_prediction_rollups')
        .where({ resolution: 1 })
        .sum({ n: 'count' })
        .then(([row]) => Number(row.n)),
      new Promise<undefined>(resolve => setTimeout(resolve, 3000)),
    ]);
    if (counted) {
      // CPU per event does not depend on what else the machine runs, so it
      // shows what one core of this process can do even on a busy machine
      // (the database server's own CPU is not included for PostgreSQL).
      console.log(
        `SERVER_CPU ${Math.round(cpuMs)} ms for ${counted} events: ${Math.round(
          counted / (cpuMs / 1000),
        )} events per CPU-second of the backend process`,
      );
    }
    process.exit(0);
  });
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
