export interface Config {
  /** Configuration of the MLOps plugins. */
  mlops?: {
    /**
     * Health thresholds used by the detectors when an entity has no
     * annotation overriding them.
     */
    thresholds?: {
      /** p95 latency above which a model is unhealthy, in milliseconds. Default 500. */
      latencyP95Ms?: number;
      /** Error rate (0..1) above which a model is unhealthy. Default 0.05. */
      errorRate?: number;
      /** Relative accuracy drop against the baseline that counts as degraded. Default 0.05. */
      accuracyDrop?: number;
    };
    demo?: {
      /**
       * A JSON file (path relative to the backend's working directory) with
       * the demo organisation's models, pipelines and experiments. When set,
       * the backend fills an empty store from it on start.
       */
      seedFile?: string;
    };
  };
}
