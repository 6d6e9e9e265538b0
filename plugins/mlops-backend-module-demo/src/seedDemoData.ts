import { LoggerService } from '@backstage/backend-plugin-api';
import fs from 'fs/promises';
import { Knex } from 'knex';
import { z } from 'zod';
import type { MlopsObjectStore } from '@backstage-mlops/plugin-mlops-backend/src/objects/MlopsObjectStore';
import { seedDemoDeployments } from './seedDemoDeployments';
import { seedDemoPipelines } from './seedDemoPipelines';
import type { IncidentService } from '@backstage-mlops/plugin-mlops-backend/src/incidents/IncidentService';
import { seedDemoIncidents } from './seedDemoIncidents';
import type { MonitoringStore } from '@backstage-mlops/plugin-mlops-backend/src/monitoring/MonitoringStore';
import { seedDemoMonitoring } from './seedDemoMonitoring';
import type { RegistryStore } from '@backstage-mlops/plugin-mlops-backend/src/registry/RegistryStore';
import { seedDemoRegistry } from './seedDemoRegistry';
import { DemoDriftSources, seedDemoDrift } from './seedDemoDrift';
import type { TrackingStore } from '@backstage-mlops/plugin-mlops-backend/src/tracking';
import { seedDemoTracking } from './seedDemoTracking';

const namedObject = z.object({
  name: z.string().min(1),
  owner: z.string().optional(),
  description: z.string().optional(),
});

const demoDataSchema = z.object({
  experiments: z.array(namedObject).default([]),
  pipelines: z
    .array(
      namedObject.extend({
        orchestrator: z.enum(['prefect', 'airflow']).optional(),
        schedule: z.string().optional(),
        stages: z.array(z.string()).optional(),
        experimentName: z.string().optional(),
      }),
    )
    .default([]),
  models: z
    .array(
      namedObject.extend({
        pipelineName: z.string().optional(),
        experimentName: z.string().optional(),
      }),
    )
    .default([]),
});

/** The content of a demo data seed file. */
export type DemoData = z.infer<typeof demoDataSchema>;

/** Reads and validates a demo data seed file. */
export async function readDemoData(file: string): Promise<DemoData> {
  const text = await fs.readFile(file, 'utf8');
  const result = demoDataSchema.safeParse(JSON.parse(text));
  if (!result.success) {
    // A broken seed file stops the demo portal at start with what is wrong.
    const problems = result.error.issues
      .map(i =>
        i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message,
      )
      .join('; ');
    throw new Error(`Invalid demo data in ${file}: ${problems}`);
  }
  return result.data;
}

/**
 * Fills an empty store with the demo organisation's objects. A store that
 * already holds models is left alone, so a restart never overwrites what a
 * user changed.
 */
export async function seedDemoData(options: {
  data: DemoData;
  objects: MlopsObjectStore;
  logger: LoggerService;
  /** A week of deployments with a failed and rolled-back one (deployments capability). */
  deployments?: { db: Knex };
  /** A week of pipeline runs with a failed OOMKilled run (pipelines capability). */
  pipelines?: { db: Knex };
  /** Baselines and a week of drift reports (drift capability). */
  drift?: DemoDriftSources;
  /** Runs the detectors over everything seeded (incidents capability). */
  incidents?: IncidentService;
  /** Prediction traffic for the demo models (monitoring capability). */
  monitoring?: MonitoringStore;
  /** Versions, stages, aliases and history (registry capability). */
  registry?: RegistryStore;
  /** Runs with params and metric histories (tracking capability). */
  tracking?: TrackingStore;
}): Promise<void> {
  const { data, objects, logger } = options;
  if ((await objects.count('model')) > 0) {
    logger.info('MLOps store already has models; demo data not seeded');
    return;
  }
  for (const experiment of data.experiments) {
    await objects.upsert('experiment', experiment);
  }
  for (const pipeline of data.pipelines) {
    await objects.upsert('pipeline', pipeline);
  }
  for (const model of data.models) {
    await objects.upsert('model', model);
  }
  if (options.tracking) {
    await seedDemoTracking({
      tracking: options.tracking,
      experiments: data.experiments.map(e => e.name),
      logger,
    });
  }
  if (options.registry) {
    await seedDemoRegistry({
      registry: options.registry,
      tracking: options.tracking,
      models: data.models.map(m => m.name),
      logger,
    });
  }
  if (options.drift) {
    await seedDemoDrift({
      ...options.drift,
      models: data.models.map(m => m.name),
      logger,
    });
  }
  if (options.monitoring) {
    await seedDemoMonitoring({
      store: options.monitoring,
      models: data.models.map(m => m.name),
      logger,
    });
  }
  if (options.deployments) {
    await seedDemoDeployments({ db: options.deployments.db, logger });
  }
  if (options.pipelines) {
    await seedDemoPipelines({ db: options.pipelines.db, logger });
  }
  logger.info(
    `Seeded MLOps demo data: ${data.models.length} models, ${data.pipelines.length} pipelines, ${data.experiments.length} experiments`,
  );
  // Keep last: the detectors read what every seeder above wrote.
  if (options.incidents) {
    await seedDemoIncidents({
      incidents: options.incidents,
      logger,
      deploymentsDb: options.deployments?.db,
    });
  }
}
