import { LoggerService } from '@backstage/backend-plugin-api';
import { ScheduledTask } from '../shared/capability';
import { PipelineStore } from './PipelineStore';

/**
 * One sweep for crashed, late and stale pipelines. It catches and logs its
 * own errors: a failed sweep must never take the backend down, and the next
 * one simply tries again.
 */
export async function sweepPipelines(
  store: PipelineStore,
  logger: LoggerService,
): Promise<void> {
  try {
    const result = await store.sweep();
    for (const id of result.crashed) {
      logger.warn(
        `Pipeline run ${id} stopped sending heartbeats; marked CRASHED`,
      );
    }
    if (result.late.length > 0) {
      logger.info(`Pipeline runs late: ${result.late.join(', ')}`);
    }
    for (const name of result.becameStale) {
      logger.warn(`Pipeline ${name} missed its SLA; its data is stale`);
    }
    for (const name of result.becameFresh) {
      logger.info(`Pipeline ${name} completed within its SLA again`);
    }
  } catch (error) {
    logger.error(`Pipeline sweep failed: ${(error as Error).message}`);
  }
}

/** The sweep, once across all backend replicas (`scope: 'global'`). */
export function pipelineSweepTask(options: {
  logger: LoggerService;
  store: PipelineStore;
  intervalMs: number;
}): ScheduledTask {
  const { logger, store, intervalMs } = options;
  return {
    id: 'mlops-pipelines-sweep',
    scope: 'global',
    frequency: { milliseconds: intervalMs },
    timeout: { minutes: 5 },
    initialDelay: { seconds: 15 },
    fn: () => sweepPipelines(store, logger),
  };
}
