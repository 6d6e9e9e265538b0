/*
 * What the benches share: a fresh SQLite or PostgreSQL
 * database, the MLOps backend over it with model entities in a mock
 * catalog, timed HTTP requests and percentiles.
 */
import { BackendFeature } from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { Entity } from '@backstage/catalog-model';
import fs from 'fs';
import http from 'http';
import knexFactory, { Knex } from 'knex';
import os from 'os';
import path from 'path';
import { mlopsPlugin } from '../../plugins/mlops-backend/src/plugin';
import { printPeakRssAtExit } from './memory';

export { peakRssMib, printPeakRssAtExit, RSS_GOAL_MIB } from './memory';

const PG = process.env.BENCH_PG ?? 'postgresql://postgres@127.0.0.1:5432';

/**
 * A fresh database for the bench named `bench`: a SQLite file (WAL) in a
 * new temporary directory, or a PostgreSQL database named after the bench
 * and this process, dropped first if it is left from an earlier run.
 */
export async function openDatabase(kind: string, bench: string): Promise<Knex> {
  if (kind === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `mlops-${bench}-`));
    const knex = knexFactory({
      client: 'better-sqlite3',
      connection: { filename: path.join(dir, 'mlops.sqlite') },
      useNullAsDefault: true,
    });
    await knex.raw('pragma journal_mode = wal');
    return knex;
  }
  const admin = knexFactory({ client: 'pg', connection: PG });
  const name = `mlops_${bench}_bench_${process.pid}`;
  await admin.raw('drop database if exists ??', [name]);
  await admin.raw('create database ??', [name]);
  await admin.destroy();
  return knexFactory({ client: 'pg', connection: `${PG}/${name}` });
}

/** Components bench-model-0 … bench-model-(count - 1), each linked to the model of its name. */
export function modelEntities(count: number): Entity[] {
  return Array.from({ length: count }, (_, i) => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: `bench-model-${i}`,
      namespace: 'default',
      annotations: { 'backstage-mlops.dev/model': `bench-model-${i}` },
    },
    spec: { type: 'ml-model', lifecycle: 'production', owner: 'bench' },
  }));
}

/**
 * Starts the MLOps backend on `knex` with `entities` in the catalog and
 * resolves to its port. The default mock credentials (a user) are used for
 * every request; `features` replace other services (a permission policy).
 */
export async function startBackend(
  knex: Knex,
  entities: Entity[],
  features: BackendFeature[] = [],
): Promise<number> {
  printPeakRssAtExit();
  const { server } = await startTestBackend({
    features: [
      mlopsPlugin,
      mockServices.database.factory({ knex }),
      mockServices.rootConfig.factory({ data: {} }),
      catalogServiceMock.factory({ entities }),
      ...features,
    ],
  });
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

/**
 * One HTTP request to the backend on 127.0.0.1, timed from the call to the
 * end of the response body, in milliseconds; the body is parsed as JSON
 * once the time is taken.
 */
export function request(
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
          try {
            resolve({
              ms,
              status: res.statusCode ?? 0,
              json: text ? JSON.parse(text) : undefined,
            });
          } catch (error) {
            reject(error);
          }
        });
      },
    );
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

/**
 * The q-quantile (0 < q <= 1) of ascending `sorted` by nearest rank: the
 * smallest value that at least q of the values are at or below.
 */
export function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}
