import { LoggerService } from '@backstage/backend-plugin-api';
import type { PipelineSource } from '../incidents';
import { redactUrl } from '../shared/redactUrl';

/**
 * Tells an orchestrator that a pipeline should retrain: when a model's drift
 * or accuracy incident opens, the incident service requests a run of its
 * training pipeline, and this decorator also POSTs
 * `{ pipeline, runId, reason }` to the URL an operator configured
 * (`mlops.pipelines.retrainWebhookUrl`). The URL comes from config only,
 * never from a request. The requested run is recorded whether or not the
 * orchestrator answers; a failed call is logged with the URL's origin only,
 * since webhook paths often carry tokens.
 */
export function withRetrainWebhook(
  pipelines: PipelineSource,
  options: { url?: string; logger: LoggerService; timeoutMs?: number },
): PipelineSource {
  const { url, logger } = options;
  if (!url) {
    return pipelines;
  }
  const origin = redactUrl(url);
  return {
    latestRuns: (pipeline, limit) => pipelines.latestRuns(pipeline, limit),
    lastSuccessAt: pipeline => pipelines.lastSuccessAt(pipeline),
    async requestRun(pipeline, reason) {
      const run = await pipelines.requestRun(pipeline, reason);
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ pipeline, runId: run.id, reason }),
          redirect: 'manual',
          signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
        });
        if (response.status < 200 || response.status >= 300) {
          logger.warn(
            `Retrain webhook at ${origin} answered HTTP ${response.status} for pipeline ${pipeline}`,
          );
        }
      } catch (error) {
        logger.warn(
          `Retrain webhook at ${origin} could not be reached for pipeline ${pipeline}: ${
            (error as Error).name
          }`,
        );
      }
      return run;
    },
  };
}
