/**
 * What `GET /api/mlops/sources` says of one configured source instance (an
 * MLflow server, Airflow, Prefect, Prometheus). Never holds a secret: errors
 * are masked before they are stored.
 *
 * @public
 */
export interface MlopsSourceStatus {
  /** The source type, the key under `mlops.sources`, e.g. `mlflow`. */
  type: string;
  /** The instance's configured name. */
  name: string;
  baseUrl: string;
  /** What the installed module does with the instance. */
  offers: Array<'sync' | 'monitoring' | 'webhook'>;
  state: 'never_synced' | 'syncing' | 'ok' | 'failing' | 'circuit_open';
  /** ISO 8601 times. */
  lastSyncAt?: string;
  lastSuccessAt?: string;
  lastDurationMs?: number;
  /** Milliseconds since the last success, when the answer was made. */
  lagMs?: number;
  /** What the last successful sync wrote, skipped or refused, by kind. */
  lastCounts: Record<string, number>;
  /** Objects the store holds from this instance, by kind. */
  mirrored: Record<string, number>;
  lastError?: string;
  lastErrorAt?: string;
  consecutiveFailures: number;
  /** Set while the circuit refuses calls after repeated failures. */
  circuitOpenUntil?: string;
}

/**
 * Answer of `GET /api/mlops/sources`.
 *
 * @public
 */
export interface MlopsSourcesResponse {
  items: MlopsSourceStatus[];
}
