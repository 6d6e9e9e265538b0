import {
  LoggerService,
  SchedulerServiceTaskScheduleDefinition,
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { ScheduledTask } from '../shared/capability';
import { IncidentService } from './IncidentService';

/** The health check schedule when `mlops.incidents.schedule` is not set. */
export const DEFAULT_HEALTH_SCHEDULE: SchedulerServiceTaskScheduleDefinition = {
  frequency: { minutes: 5 },
  timeout: { minutes: 4 },
  initialDelay: { seconds: 30 },
};

/**
 * Runs the detectors over every model and pipeline on the configured
 * schedule. The task is global, so with several replicas on one database
 * only one of them evaluates per interval; the unique index on open
 * incidents still protects the writes that `requestEvaluation` makes on the
 * other replicas meanwhile.
 */
export function healthCheckTask(options: {
  config: Config;
  logger: LoggerService;
  incidents: IncidentService;
}): ScheduledTask {
  const { config, logger, incidents } = options;
  const schedule = config.has('mlops.incidents.schedule')
    ? readSchedulerServiceTaskScheduleDefinitionFromConfig(
        config.getConfig('mlops.incidents.schedule'),
      )
    : DEFAULT_HEALTH_SCHEDULE;
  return {
    id: 'mlops-health-checks',
    scope: 'global',
    ...schedule,
    fn: async () => {
      try {
        const { evaluated, opened } = await incidents.evaluateAll();
        logger.debug(
          `MLOps health checks evaluated ${evaluated} objects, opened ${opened} incidents`,
        );
      } catch (error) {
        // A failed pass must never take the backend down; the next one retries.
        logger.error(`MLOps health checks failed: ${error}`);
      }
    },
  };
}
