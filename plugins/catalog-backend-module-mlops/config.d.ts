import { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';

export interface Config {
  catalog?: {
    providers?: {
      /** The MLOps entity provider, which mirrors store objects into the catalog. */
      mlops?: {
        /**
         * How often to run a full refresh. Changes made through the MLOps API
         * reach the catalog within seconds through events regardless. Default:
         * every 30 minutes.
         */
        schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
        /** Owner of store objects registered without one. Default `group:default/unknown`. */
        defaultOwner?: string;
      };
    };
  };
}
