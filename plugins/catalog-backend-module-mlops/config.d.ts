export interface Config {
  catalog?: {
    providers?: {
      /** The MLOps entity provider, which mirrors store objects into the catalog. */
      mlops?: {
        /** How often to run a full refresh. */
        schedule?: {
          frequency: { minutes?: number; hours?: number; seconds?: number };
          timeout: { minutes?: number; hours?: number; seconds?: number };
        };
      };
    };
  };
}
