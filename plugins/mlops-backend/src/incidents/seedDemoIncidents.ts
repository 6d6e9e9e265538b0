import { LoggerService } from '@backstage/backend-plugin-api';
import { IncidentService } from './IncidentService';

/**
 * Runs one detector pass over the freshly seeded demo data, so that the
 * demo's incidents (the latency spike on market-master, the OOMKilled run of
 * ticket-classifier-training, the failed and rolled back deployment of
 * fraud-detection) are opened by the real detectors from the real sources,
 * not written by hand. It must run after every other seeder.
 */
export async function seedDemoIncidents(options: {
  incidents: IncidentService;
  logger: LoggerService;
}): Promise<void> {
  const { incidents, logger } = options;
  const { evaluated, opened } = await incidents.evaluateAll();
  logger.info(
    `Seeded MLOps demo incidents: the detectors evaluated ${evaluated} objects and opened ${opened} incidents`,
  );
}
