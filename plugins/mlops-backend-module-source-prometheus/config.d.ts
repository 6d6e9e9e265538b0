import { HumanDuration } from '@backstage/types';

export interface Config {
  mlops?: {
    sources?: {
      /**
       * Prometheus servers the portal asks, at read time, for the serving
       * latency, error rate and throughput of entities with a
       * `backstage-mlops.dev/prometheus-selector` (or explicit query)
       * annotation; `backstage-mlops.dev/prometheus-instance` picks an
       * instance (default: the first).
       */
      prometheus?: Array<{
        /** The instance's name, unique among the Prometheus instances. */
        name: string;
        /** e.g. `http://prometheus:9090`; the only origin called. */
        baseUrl: string;
        /**
         * The request duration histogram the default queries read (without
         * `_bucket`/`_count`). Default `http_server_request_duration_seconds`.
         */
        latencyHistogram?: string;
        /** The unit of the histogram's buckets: `seconds` (default) or `milliseconds`. */
        latencyUnit?: 'seconds' | 'milliseconds';
        /**
         * The label matchers that make a request an error, added to the
         * entity's selector. Default `http_response_status_code=~"5.."`.
         */
        errorSelector?: string;
        /** How long an answer is reused (default 30 seconds). */
        cacheTtl?: HumanDuration | string;
        /**
         * A bearer token for a Prometheus behind auth.
         * @visibility secret
         */
        token?: string;
        /** Basic auth instead of a token. */
        username?: string;
        /** @visibility secret */
        password?: string;
        /** Per-request timeout (default 30 seconds). */
        requestTimeout?: HumanDuration | string;
        /** Most requests per second to this instance (default 10). */
        requestsPerSecond?: number;
      }>;
    };
  };
}
