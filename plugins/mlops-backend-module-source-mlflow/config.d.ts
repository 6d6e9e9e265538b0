import { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';

export interface Config {
  mlops?: {
    sources?: {
      /**
       * MLflow tracking servers the portal mirrors experiments, runs and the
       * model registry from. Entities pick one with
       * `backstage-mlops.dev/mlflow-instance` (default: the first).
       */
      mlflow?: Array<{
        /** The instance's name, unique among the MLflow instances. */
        name: string;
        /** Where the server answers, e.g. `http://mlflow.internal:5000`. The only URL called. */
        baseUrl: string;
        /**
         * A bearer token (MLflow's `MLFLOW_TRACKING_TOKEN`).
         * @visibility secret
         */
        token?: string;
        /** MLflow basic auth user (with `password`). */
        username?: string;
        /**
         * MLflow basic auth password.
         * @visibility secret
         */
        password?: string;
        /** How often to sync; default every 5 minutes with a 4 minute timeout. */
        schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
        /**
         * The secret of the MLflow webhook that calls
         * `POST /api/mlops/sources/mlflow/<name>/webhook`; without it webhooks
         * are refused.
         * @visibility secret
         */
        webhookSecret?: string;
        /** Per request; default 30 seconds. */
        requestTimeout?: { seconds?: number; minutes?: number } | string;
        /** Requests per second to this instance; default 50. */
        requestsPerSecond?: number;
      }>;
    };
  };
}
