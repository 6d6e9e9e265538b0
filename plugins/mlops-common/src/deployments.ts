/**
 * Status of a deployment. `stuck` is a deployment in progress for longer
 * than the backend's `mlops.deployments.stuckAfter`.
 *
 * @public
 */
export type MlopsDeploymentStatus =
  | 'pending'
  | 'in_progress'
  | 'succeeded'
  | 'failed'
  | 'rolled_back'
  | 'stuck';

/**
 * A deployment of a model version to an environment.
 *
 * @public
 */
export interface MlopsDeployment {
  id: string;
  model: string;
  version: number;
  environment: string;
  target: string;
  status: MlopsDeploymentStatus;
  message?: string;
  requestedBy?: string;
  /** The deployment this one rolled back. */
  rollbackOf?: string;
  /** Why the rollback was asked for. */
  reason?: string;
  createdAt: string;
  updatedAt: string;
  startedAt?: string;
  finishedAt?: string;
}

/**
 * The latest deployment of a model in one environment.
 *
 * @public
 */
export interface MlopsEnvironmentDeployment {
  id: string;
  environment: string;
  version: number;
  status: MlopsDeploymentStatus;
  message?: string;
  updatedAt: string;
}

/**
 * Deployments of the models an entity links to
 * (`GET /entities/:kind/:namespace/:name/deployments`).
 *
 * @public
 */
export interface EntityDeploymentsResponse {
  entityRef: string;
  models: Array<{
    model: string;
    /** False when the model is not registered in the MLOps store. */
    known: boolean;
    current: MlopsEnvironmentDeployment[];
    /** Newest first. */
    history: MlopsDeployment[];
  }>;
}
