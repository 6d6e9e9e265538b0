import { LoggerService } from '@backstage/backend-plugin-api';
import { ScheduledTask } from '../shared/capability';
import { MonitoringStore } from './MonitoringStore';

/**
 * Deletes monitoring rows past their retention every hour (minute rollups
 * after 25 hours, event ids after two days, reservoirs after eight days,
 * hourly rollups after 90 days), once across all replicas, so the store's
 * size depends on the number of models and not on traffic over time.
 */
export function monitoringRetentionTask(options: {
  logger: LoggerService;
  store: MonitoringStore;
}): ScheduledTask {
  const { logger, store } = options;
  return {
    id: 'mlops-monitoring-retention',
    scope: 'global',
    frequency: { hours: 1 },
    timeout: { minutes: 10 },
    initialDelay: { minutes: 5 },
    fn: async () => {
      try {
        const deleted = await store.prune();
        logger.debug(`MLOps monitoring retention deleted ${deleted} rows`);
      } catch (error) {
        // The next run retries; a failed cleanup must not stop the backend.
        logger.error(`MLOps monitoring retention failed: ${error}`);
      }
    },
  };
}
