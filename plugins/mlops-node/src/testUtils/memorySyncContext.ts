import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import type {
  MlopsSourceEntity,
  MlopsSourceHttpClient,
  MlopsSourcePipelineRun,
  MlopsSourceSyncContext,
} from '@backstage-mlops/plugin-mlops-node';

/**
 * A sync context over in-memory cursors and sinks, for testing a pipeline
 * source's sync without the backend. Cursors are committed as soon as they
 * are set (the backend commits them when the sync resolves); the tracking
 * and registry sinks throw, since pipeline sources do not use them.
 *
 * @public
 */
export function memorySyncContext(options: {
  name?: string;
  baseUrl: string;
  http: MlopsSourceHttpClient;
  entities: MlopsSourceEntity[];
  cursors?: Map<string, string>;
  runs?: Map<string, MlopsSourcePipelineRun>;
  signal?: AbortSignal;
}): MlopsSourceSyncContext & {
  cursorValues: Map<string, string>;
  stored: Map<string, MlopsSourcePipelineRun>;
} {
  const cursorValues = options.cursors ?? new Map<string, string>();
  const stored = options.runs ?? new Map<string, MlopsSourcePipelineRun>();
  const pending = new Map<string, string>();
  const logger = mockServices.logger.mock();
  const unused = async () => {
    throw new Error('not used by this source');
  };
  return {
    cursorValues,
    stored,
    instance: {
      type: 'test',
      name: options.name ?? 'prod',
      baseUrl: options.baseUrl,
      config: new ConfigReader({}),
      logger,
    },
    http: options.http,
    cursors: {
      async get(key) {
        return pending.get(key) ?? cursorValues.get(key);
      },
      async set(key, value) {
        pending.set(key, value);
        // Committed at once here; the backend commits when the sync resolves.
        cursorValues.set(key, value);
      },
    },
    tracking: { upsertExperiments: unused, upsertRuns: unused },
    registry: { upsertModels: unused, upsertVersions: unused },
    pipelines: {
      async upsertRuns(runs) {
        for (const run of runs) {
          stored.set(`${run.pipeline}/${run.externalId}`, run);
        }
      },
    },
    entities: {
      async withAnnotation(annotation) {
        return options.entities.filter(e => annotation in e.annotations);
      },
    },
    signal: options.signal ?? new AbortController().signal,
    logger,
  };
}
