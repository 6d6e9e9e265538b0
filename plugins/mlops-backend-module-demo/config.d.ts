export interface Config {
  mlops?: {
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
