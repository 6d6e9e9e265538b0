import { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';
import { HumanDuration } from '@backstage/types';

export interface Config {
  mlops?: {
    sources?: {
      /**
       * Prefect 3 servers (or Prefect Cloud workspaces) whose flow runs the
       * portal shows as pipeline runs. Entities pick a deployment with
       * `prefect.io/deployment` or a flow with `prefect.io/flow-name`, and an
       * instance with `backstage-mlops.dev/prefect-instance` (default: the
       * first).
       */
      prefect?: Array<{
        /** The instance's name, unique among the Prefect instances. */
        name: string;
        /**
         * The API root, `/api` included, e.g. `https://prefect.internal/api`
         * or a Cloud workspace's `https://api.prefect.cloud/api/accounts/<id>/workspaces/<id>`.
         */
        baseUrl: string;
        /**
         * Sent as a bearer token.
         * @visibility secret
         */
        apiKey?: string;
        /** Items per page (1 to 200, default 200). */
        pageSize?: number;
        /** How far back the first sync reads (default 7 days). */
        initialLookback?: HumanDuration | string;
        /** How often to sync (default every 5 minutes, timeout 4). */
        schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
        /** Per-request timeout (default 30 seconds). */
        requestTimeout?: HumanDuration | string;
        /** Most requests per second to this instance (default 10). */
        requestsPerSecond?: number;
      }>;
    };
  };
}
