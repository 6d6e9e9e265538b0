import { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';
import { HumanDuration } from '@backstage/types';

export interface Config {
  mlops?: {
    sources?: {
      /**
       * Airflow instances whose DAG runs the portal shows as pipeline runs.
       * Entities pick a DAG with `airflow.apache.org/dag-id` and an instance
       * with `backstage-mlops.dev/airflow-instance` (default: the first).
       */
      airflow?: Array<{
        /** The instance's name, unique among the Airflow instances. */
        name: string;
        /** e.g. `https://airflow.internal`; the only origin called. */
        baseUrl: string;
        /**
         * 2 (default) for Airflow 3's `/api/v2` with a JWT from
         * `POST /auth/token`; 1 for Airflow 2's `/api/v1` with basic auth.
         */
        apiVersion?: 1 | 2;
        /** Signs in (v2: for a JWT; v1: basic auth). */
        username?: string;
        /** @visibility secret */
        password?: string;
        /**
         * A ready-made Airflow 3 access token instead of a username and
         * password.
         * @visibility secret
         */
        token?: string;
        /** Items per page of the batch listings (1 to 1000, default 100). */
        pageSize?: number;
        /** How far back the first sync of a DAG reads (default 7 days). */
        initialLookback?: HumanDuration | string;
        /** Failed tasks whose log tail one sync reads (default 20). */
        maxLogReads?: number;
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
