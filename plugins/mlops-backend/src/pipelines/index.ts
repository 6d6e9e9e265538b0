import {
  HttpAuthService,
  LoggerService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { Knex } from 'knex';
import { readDurationMs } from '../shared/durations';
import { EntityResolver } from '../shared/EntityResolver';
import { PipelineStore } from './PipelineStore';
import { schedulePipelineSweep } from './PipelineSweeper';
import { createPipelinesRouter } from './router';
import { HealthChangeSignal } from '../shared/HealthChangeSignal';
import { MlopsObjectReadAccess } from '../permissions/MlopsObjectReadAccess';

export { PipelineStore } from './PipelineStore';
export type { ObservedPipelineRun } from './PipelineStore';
export { sweepPipelines } from './PipelineSweeper';
export { seedDemoPipelines } from './seedDemoPipelines';
export type { PipelineRun, PipelineRunState, PipelineStatus } from './types';

const MINUTE = 60_000;

/**
 * Builds the pipelines capability from config: the store with its timeouts,
 * the routes, and (when a scheduler is given) the sweep for crashed, late
 * and stale pipelines.
 */
export async function setupPipelines(options: {
  config: Config;
  logger: LoggerService;
  httpAuth: HttpAuthService;
  db: Knex;
  entities: EntityResolver;
  scheduler?: SchedulerService;
  healthChanges?: HealthChangeSignal;
  readAccess: MlopsObjectReadAccess;
}) {
  const { config, logger, httpAuth, db, entities, scheduler } = options;
  const store = new PipelineStore(db, {
    heartbeatTimeoutMs: readDurationMs(
      config,
      'mlops.pipelines.heartbeatTimeout',
      10 * MINUTE,
    ),
    lateAfterMs: readDurationMs(
      config,
      'mlops.pipelines.lateAfter',
      15 * MINUTE,
    ),
    defaultSlaMs: config.has('mlops.pipelines.defaultSla')
      ? readDurationMs(config, 'mlops.pipelines.defaultSla', 0)
      : undefined,
  });
  if (scheduler) {
    await schedulePipelineSweep({
      scheduler,
      logger,
      store,
      intervalMs: readDurationMs(
        config,
        'mlops.pipelines.sweepInterval',
        MINUTE,
      ),
    });
  }
  return {
    store,
    router: createPipelinesRouter({
      httpAuth,
      store,
      entities,
      healthChanges: options.healthChanges,
      readAccess: options.readAccess,
    }),
  };
}
