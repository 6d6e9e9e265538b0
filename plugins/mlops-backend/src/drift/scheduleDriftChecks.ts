import {
  LoggerService,
  SchedulerService,
  SchedulerServiceTaskFunction,
  SchedulerServiceTaskScheduleDefinition,
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { ScheduledTask } from '../shared/capability';
import { DriftService } from './DriftService';

/** Id of the scheduled drift check task. */
export const DRIFT_CHECK_TASK_ID = 'mlops-drift-checks';

/**
 * Hourly by default, matching the default 60-minute window, so consecutive
 * checks look at consecutive windows.
 */
export const DEFAULT_DRIFT_SCHEDULE: SchedulerServiceTaskScheduleDefinition = {
  frequency: { minutes: 60 },
  timeout: { minutes: 15 },
  initialDelay: { minutes: 2 },
};

/**
 * The task body: one round of checks. It catches and logs its own errors so
 * a broken round never disturbs the scheduler or the backend.
 */
export function createDriftCheckTask(
  drift: Pick<DriftService, 'runScheduledChecks'>,
  logger: LoggerService,
): SchedulerServiceTaskFunction {
  return async () => {
    try {
      const { checked, skipped, failed } = await drift.runScheduledChecks();
      logger.info(
        `Drift checks: ${checked.length} checked, ${skipped.length} skipped, ${failed.length} failed`,
      );
    } catch (error) {
      logger.error(`Drift checks failed: ${error}`);
    }
  };
}

/**
 * The drift checks, once across all backend replicas (`scope: 'global'`),
 * at the interval of `mlops.drift.schedule`.
 */
export function driftCheckTask(options: {
  config: Config;
  logger: LoggerService;
  drift: Pick<DriftService, 'runScheduledChecks'>;
}): ScheduledTask {
  const { config, logger, drift } = options;
  const schedule = config.has('mlops.drift.schedule')
    ? readSchedulerServiceTaskScheduleDefinitionFromConfig(
        config.getConfig('mlops.drift.schedule'),
      )
    : DEFAULT_DRIFT_SCHEDULE;
  return {
    id: DRIFT_CHECK_TASK_ID,
    ...schedule,
    // After the spread: a schedule read from config carries scope undefined.
    scope: 'global',
    fn: createDriftCheckTask(drift, logger),
  };
}

/** Schedules {@link driftCheckTask} on a scheduler. */
export async function scheduleDriftChecks(
  options: Parameters<typeof driftCheckTask>[0] & {
    scheduler: SchedulerService;
  },
): Promise<void> {
  await options.scheduler.scheduleTask(driftCheckTask(options));
}
