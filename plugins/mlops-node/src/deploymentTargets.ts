import { createExtensionPoint } from '@backstage/backend-plugin-api';

/**
 * A deployment as the MLOps backend hands it to a deployment target.
 *
 * @public
 */
export interface MlopsDeploymentRequest {
  /** The deployment's id; CD systems report back with it. */
  id: string;
  /** Registered model name. */
  model: string;
  /** Model version being deployed. */
  version: number;
  /** Environment name, e.g. `staging` or `production`. */
  environment: string;
  /** Who asked for the deployment (a user or service entity ref). */
  requestedBy?: string;
  /** Set when this deployment rolls back another one. */
  rollbackOf?: string;
  /** Why a rollback was asked for. */
  reason?: string;
  /** When the deployment was recorded (ISO 8601). */
  createdAt: string;
}

/**
 * The target part of a deploy request: which target, and the parameters it
 * accepts. Targets must treat every parameter as untrusted input.
 *
 * @public
 */
export interface MlopsDeploymentTargetParams {
  /** The target's {@link MlopsDeploymentTarget.type}. */
  type: string;
  /** A URL the caller chose; only meaningful for targets that accept one. */
  url?: string;
}

/**
 * What a target reports after it was handed a deployment. Leaving `status`
 * out keeps the deployment `pending` until the CD system reports.
 *
 * @public
 */
export interface MlopsDeploymentTargetResult {
  status?: 'in_progress' | 'succeeded' | 'failed';
  /** Shown to users next to the status; must not contain secrets. */
  message?: string;
}

/**
 * A place deployments are sent to: a CD system, a webhook, a cluster.
 *
 * @public
 */
export interface MlopsDeploymentTarget {
  /** The name callers pick the target by, e.g. `record` or `webhook`. */
  readonly type: string;
  /**
   * Checks the request's target parameters before anything is stored. Throw
   * an `InputError` from `@backstage/errors` to refuse the request with a 400.
   */
  validate?(params: MlopsDeploymentTargetParams): void | Promise<void>;
  /**
   * Hands a freshly recorded deployment over. Throwing marks the deployment
   * `failed` with a generic message; the error itself is only logged.
   */
  deploy(
    deployment: MlopsDeploymentRequest,
    params: MlopsDeploymentTargetParams,
  ): Promise<MlopsDeploymentTargetResult | void>;
}

/**
 * Lets backend modules add deployment targets to the MLOps backend plugin.
 *
 * @public
 */
export interface MlopsDeploymentTargetsExtensionPoint {
  /** Adds targets; a type that is already taken is refused at start-up. */
  addDeploymentTarget(...targets: MlopsDeploymentTarget[]): void;
}

/**
 * Extension point for deployment targets of the MLOps backend plugin.
 *
 * @example
 * ```ts
 * createBackendModule({
 *   pluginId: 'mlops',
 *   moduleId: 'argo-cd-target',
 *   register(env) {
 *     env.registerInit({
 *       deps: { targets: mlopsDeploymentTargetsExtensionPoint },
 *       async init({ targets }) {
 *         targets.addDeploymentTarget(new ArgoCdTarget());
 *       },
 *     });
 *   },
 * });
 * ```
 *
 * @public
 */
export const mlopsDeploymentTargetsExtensionPoint =
  createExtensionPoint<MlopsDeploymentTargetsExtensionPoint>({
    id: 'mlops.deployment-targets',
  });
