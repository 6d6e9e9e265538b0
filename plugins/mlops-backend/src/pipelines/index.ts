import { HttpAuthService, LoggerService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { Knex } from 'knex';
import { MlopsObjectReadAccess } from '../permissions/MlopsObjectReadAccess';
import { readDurationMs } from '../shared/durations';
import { EntityResolver } from '../shared/EntityResolver';
import { HealthChangeSignal } from '../shared/HealthChangeSignal';
import { PipelineStore } from './PipelineStore';
import { pipelineSweepTask } from './PipelineSweeper';
import { withRetrainWebhook } from './RetrainWebhook';
import { createPipelinesRouter } from './router';

export { PipelineStore } from './PipelineStore';
export type { ObservedPipelineRun } from './PipelineStore';
export { sweepPipelines } from './PipelineSweeper';
export type { PipelineRun, PipelineRunState, PipelineStatus } from './types';

const MINUTE = 60_000;

/**
 * Pipelines from config: the store with its timeouts, the routes, and the
 * sweep for crashed, late and stale pipelines.
 */
export function createPipelines(options: {
  config: Config;
  logger: LoggerService;
  httpAuth: HttpAuthService;
  db: Knex;
  entities: EntityResolver;
  healthChanges?: HealthChangeSignal;
  readAccess: MlopsObjectReadAccess;
}) {
  const { config, logger, httpAuth, db, entities } = options;
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
  return {
    service: {
      store,
      /**
       * What the incident detectors read: the store, whose retrain requests
       * also reach the orchestrator when an operator configured its webhook.
       */
      detectorSource: withRetrainWebhook(store, {
        url: config.getOptionalString('mlops.pipelines.retrainWebhookUrl'),
        logger,
      }),
    },
    router: createPipelinesRouter({
      httpAuth,
      store,
      entities,
      healthChanges: options.healthChanges,
      readAccess: options.readAccess,
    }),
    scheduledTasks: [
      pipelineSweepTask({
        logger,
        store,
        intervalMs: readDurationMs(
          config,
          'mlops.pipelines.sweepInterval',
          MINUTE,
        ),
      }),
    ],
  };
}
