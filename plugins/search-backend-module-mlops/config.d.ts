import { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';

export interface Config {
  search?: {
    collators?: {
      /** The MLOps collator (`@backstage-mlops/plugin-search-backend-module-mlops`). */
      mlops?: {
        /**
         * How often the index of models, pipelines, experiments and the
         * triage guide is rebuilt. Default every 10 minutes, first 30 s
         * after start.
         */
        schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
        /**
         * Where the app mounts the MLOps page, for links to triage guide
         * entries. Default `/mlops`.
         */
        mlopsPagePath?: string;
      };
    };
  };
}
