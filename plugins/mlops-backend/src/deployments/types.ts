import type {
  MlopsDeployment,
  MlopsDeploymentStatus,
} from '@backstage-mlops/plugin-mlops-common';

/** The statuses a deployment is stored with. */
export const STORED_DEPLOYMENT_STATUSES = [
  'pending',
  'in_progress',
  'succeeded',
  'failed',
  'rolled_back',
] as const;

/** A status as stored; `stuck` is never stored, it is derived on read. */
export type StoredDeploymentStatus =
  (typeof STORED_DEPLOYMENT_STATUSES)[number];

/** A status as reported to callers (the wire type shared with the frontend). */
export type DeploymentStatus = MlopsDeploymentStatus;

/** The statuses of a deployment that is still in flight. */
export const ACTIVE_DEPLOYMENT_STATUSES: readonly StoredDeploymentStatus[] = [
  'pending',
  'in_progress',
];

/**
 * The legal moves between stored statuses. Reporting `in_progress` again
 * while in progress is a progress update (a new message), not a move.
 */
export const DEPLOYMENT_TRANSITIONS: Record<
  StoredDeploymentStatus,
  readonly StoredDeploymentStatus[]
> = {
  pending: ['in_progress', 'failed'],
  in_progress: ['in_progress', 'succeeded', 'failed'],
  succeeded: ['rolled_back'],
  failed: ['rolled_back'],
  rolled_back: [],
};

/** A deployment as the API returns it. */
export type Deployment = MlopsDeployment;
