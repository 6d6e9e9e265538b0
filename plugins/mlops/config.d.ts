export interface Config {
  mlops?: {
    /**
     * Health thresholds the cards explain next to a status. The backend
     * applies the same values (see the backend plugin's configuration).
     * @visibility frontend
     */
    thresholds?: {
      /** @visibility frontend */
      latencyP95Ms?: number;
      /** @visibility frontend */
      errorRate?: number;
      /** @visibility frontend */
      accuracyDrop?: number;
    };
  };
}
