/* eslint-disable no-console */
/*
 * 10,000 store objects → one full catalog mutation, end to end through the
 * real pieces: the MLOps store on SQLite (or PostgreSQL), the real
 * GET /objects route over HTTP with Production lookups through the registry
 * (when the registry store is present), the provider's catalog query for
 * declared entities, entity building, and the mutation handed to the catalog.
 * The catalog's own database write of the mutation is not part of it.
 *
 * Run through run.sh.
 */
import { Entity } from '@backstage/catalog-model';
import express from 'express';
import knexFactory, { Knex } from 'knex';
import { AddressInfo } from 'net';
import { migrateMlopsDatabase } from '../../plugins/mlops-backend/src/database/migrations';
import {
  MlopsObjectService,
  MlopsObjectStore,
  ProductionVersionSource,
  createObjectsRouter,
} from '../../plugins/mlops-backend/src/objects';
import { ObjectChangeNotifier } from '../../plugins/mlops-backend/src/shared/ObjectChangeNotifier';
import { DeclaredEntityIndex } from '../../plugins/catalog-backend-module-mlops/src/provider/DeclaredEntityIndex';
import { MlopsEntityProvider } from '../../plugins/catalog-backend-module-mlops/src/provider/MlopsEntityProvider';
import { MlopsObjectsClient } from '../../plugins/catalog-backend-module-mlops/src/provider/MlopsObjectsClient';
import { objectToEntity } from '../../plugins/catalog-backend-module-mlops/src/provider/objectToEntity';
import { printPeakRssAtExit } from '../lib/memory';

const TOTAL = Number(process.env.CATALOG_BENCH_OBJECTS ?? 10_000);
const RUNS = Number(process.argv[2] ?? 5);
const DECLARED = 100;

const silentLogger: any = {
  info() {},
  warn() {},
  error: (m: string) => console.error(m),
  debug() {},
  child() {
    return silentLogger;
  },
};

async function openDatabase(): Promise<{
  db: Knex;
  close: () => Promise<void>;
}> {
  const pg = process.env.CATALOG_BENCH_PG;
  if (pg) {
    const admin = knexFactory({ client: 'pg', connection: pg });
    const name = `catalog_bench_${Date.now()}`;
    await admin.raw('create database ??', [name]);
    const db = knexFactory({
      client: 'pg',
      connection: `${pg.replace(/\/$/, '')}/${name}`,
    });
    return {
      db,
      close: async () => {
        await db.destroy();
        await admin.raw('drop database ??', [name]);
        await admin.destroy();
      },
    };
  }
  const db = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: ':memory:' },
    useNullAsDefault: true,
  });
  return { db, close: () => db.destroy() };
}

async function fill(db: Knex) {
  const now = new Date();
  const models = Math.floor(TOTAL / 3);
  const pipelines = Math.floor(TOTAL / 3);
  const experiments = TOTAL - models - pipelines;
  const owner = (i: number) => `group:default/team-${i % 40}`;
  await db.batchInsert(
    'mlops_experiments',
    Array.from({ length: experiments }, (_, i) => ({
      name: `exp-${i}`,
      owner: owner(i),
      description: `Experiment ${i}`,
      tags: JSON.stringify({ domain: `d${i % 7}`, 'mlflow.note': 'x' }),
      created_at: now,
      updated_at: now,
    })),
    500,
  );
  await db.batchInsert(
    'mlops_pipelines',
    Array.from({ length: pipelines }, (_, i) => ({
      name: `model-${i}-training`,
      owner: owner(i),
      description: `Trains model-${i}`,
      orchestrator: i % 2 ? 'prefect' : 'airflow',
      schedule: '0 2 * * *',
      stages: '["ingest","train","evaluate"]',
      experiment_name: `exp-${i}`,
      created_at: now,
      updated_at: now,
    })),
    500,
  );
  await db.batchInsert(
    'mlops_registered_models',
    Array.from({ length: models }, (_, i) => ({
      name: `model-${i}`,
      owner: owner(i),
      description: `Model ${i}`,
      tags: JSON.stringify({ tabular: 'true' }),
      pipeline_name: `model-${i}-training`,
      experiment_name: `exp-${i}`,
      serving_url: `https://serving.example.com/model-${i}`,
      created_at: now,
      updated_at: now,
    })),
    500,
  );
  return { models, pipelines, experiments };
}

function loadRegistry(db: Knex): ProductionVersionSource | undefined {
  if (process.env.CATALOG_BENCH_NO_REGISTRY) {
    return undefined;
  }
  try {
    // The registry store is another capability's; use it when it exists.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const {
      RegistryStore,
    } = require('../../plugins/mlops-backend/src/registry/RegistryStore');
    return new RegistryStore(db);
  } catch {
    return undefined;
  }
}

function median(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function main() {
  // The MLOps routes and the catalog provider run in this process.
  printPeakRssAtExit();
  const { db, close } = await openDatabase();
  await migrateMlopsDatabase(db);
  const counts = await fill(db);
  const registry = loadRegistry(db);

  const objects = new MlopsObjectService({
    store: new MlopsObjectStore(db),
    notifier: new ObjectChangeNotifier({ logger: silentLogger }),
    appBaseUrl: 'http://localhost:3000',
    registry,
  });
  const app = express();
  app.use(
    '/api/mlops',
    createObjectsRouter({
      httpAuth: {
        credentials: async () => ({ principal: { type: 'service' } }),
      } as any,
      objects,
    }),
  );
  const server = app.listen(0);
  const port = (server.address() as AddressInfo).port;
  const baseUrl = `http://localhost:${port}/api/mlops`;

  // The catalog already holds the previous mirror plus a few declared
  // entities: the provider's query returns all of them.
  const storeObjects = await objects.listObjects();
  const catalogEntities: Entity[] = storeObjects.map(o =>
    objectToEntity(o, {
      mlopsBaseUrl: baseUrl,
      defaultOwner: 'group:default/unknown',
      representativeOf: () => undefined,
    }),
  );
  for (let i = 0; i < DECLARED; i++) {
    catalogEntities.push({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name: `declared-${i}`,
        namespace: 'default',
        annotations: { 'backstage-mlops.dev/model': `model-${i}` },
      },
      spec: { type: 'ml-model', lifecycle: 'production', owner: 'x' },
    });
  }
  const catalog: any = {
    getEntities: async () => ({
      // A real catalog answers over HTTP with JSON.
      items: JSON.parse(JSON.stringify(catalogEntities)),
    }),
  };
  const auth: any = {
    getOwnServiceCredentials: async () => ({ principal: { type: 'service' } }),
    getPluginRequestToken: async () => ({ token: 'bench' }),
  };
  const phases: Record<string, number> = {};
  const timed =
    <T>(phase: string, fn: () => Promise<T>) =>
    async () => {
      const t0 = process.hrtime.bigint();
      try {
        return await fn();
      } finally {
        phases[phase] = Number(process.hrtime.bigint() - t0) / 1e6;
      }
    };
  const client = new MlopsObjectsClient({
    discovery: { getBaseUrl: async () => baseUrl } as any,
    auth,
  });
  const listOverHttp = client.listObjects.bind(client);
  client.listObjects = timed('GET /objects', listOverHttp);
  const query = catalog.getEntities;
  catalog.getEntities = (...args: unknown[]) =>
    timed('catalog query', () => query(...args))();
  const provider = new MlopsEntityProvider({
    objects: client,
    declared: new DeclaredEntityIndex({ catalog, auth }),
    logger: silentLogger,
  });
  let emitted = 0;
  let payloadBytes = 0;
  await provider.connect({
    applyMutation: async mutation => {
      if (mutation.type === 'full') {
        emitted = mutation.entities.length;
        // The catalog stores each entity as JSON; count that work too.
        payloadBytes = mutation.entities.reduce(
          (n, d) => n + JSON.stringify(d.entity).length,
          0,
        );
      }
    },
    refresh: async () => {},
  });

  console.log(
    `store: ${counts.models} models, ${counts.pipelines} pipelines, ${
      counts.experiments
    } experiments on ${
      process.env.CATALOG_BENCH_PG ? 'PostgreSQL' : 'SQLite'
    }; registry lookups: ${
      registry ? 'RegistryStore.productionVersion per model' : 'none'
    }; ${DECLARED} objects declared in the catalog`,
  );
  const times: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const t0 = process.hrtime.bigint();
    await provider.refresh();
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    times.push(ms);
    console.log(
      `run ${run + 1}: ${ms.toFixed(0)} ms, ${emitted} entities, ${(
        payloadBytes / 1e6
      ).toFixed(1)} MB of entity JSON (in parallel: ${Object.entries(phases)
        .map(([k, v]) => `${k} ${v.toFixed(0)} ms`)
        .join(', ')})`,
    );
  }
  console.log(
    `FULL_MUTATION_MEDIAN_MS ${median(times).toFixed(0)} (target < 5000) rss ${(
      process.memoryUsage().rss / 1e6
    ).toFixed(0)} MB`,
  );
  server.close();
  await close();
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
