import type {
  MlopsSourceEntity,
  MlopsSourceHttpClient,
  MlopsSourcePipelineRun,
  MlopsSourceSyncContext,
} from '@backstage-mlops/plugin-mlops-node';
import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';

/**
 * A plain HTTP client with the contract of the backend's source client
 * (JSON to one base URL, errors with `status`, 0 for timeouts and network
 * errors) but no retries or circuit: the module's own behaviour is under
 * test here. The plugin-level tests go through the backend's real client.
 */
export function plainHttpClient(
  baseUrl: string,
  timeoutMs = 2_000,
): MlopsSourceHttpClient & { calls: number } {
  const client = {
    calls: 0,
    async json<T>(request: Parameters<MlopsSourceHttpClient['json']>[0]) {
      client.calls++;
      const url = new URL(baseUrl + request.path);
      for (const [key, value] of Object.entries(request.query ?? {})) {
        if (value !== undefined) url.searchParams.set(key, String(value));
      }
      let response: Response;
      try {
        response = await fetch(url, {
          method: request.method ?? 'GET',
          headers: {
            ...(request.body !== undefined
              ? { 'content-type': 'application/json' }
              : {}),
            ...request.headers,
          },
          body:
            request.body !== undefined
              ? JSON.stringify(request.body)
              : undefined,
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        throw Object.assign(new Error(`${request.path}: ${error}`), {
          name: 'MlopsSourceHttpError',
          status: 0,
        });
      }
      if (!response.ok) {
        throw Object.assign(
          new Error(`${request.path} answered ${response.status}`),
          { name: 'MlopsSourceHttpError', status: response.status },
        );
      }
      return (await response.json()) as T;
    },
  };
  return client;
}

/** A sync context over in-memory cursors and sinks. */
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
