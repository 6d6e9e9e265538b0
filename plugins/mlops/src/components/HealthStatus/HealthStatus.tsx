import {
  StatusAborted,
  StatusError,
  StatusOK,
  StatusWarning,
} from '@backstage/core-components';
import { HealthStatus } from '@backstage-mlops/plugin-mlops-common';

/** How each health status reads wherever it is shown. */
export const HEALTH_STATUS_LABELS: Record<HealthStatus, string> = {
  healthy: 'Healthy',
  degraded: 'Degraded',
  unhealthy: 'Unhealthy',
  unknown: 'Unknown',
};

/**
 * An entity's or a model's health with Backstage's status icon, the same on
 * the health card, the team card and the fleet table.
 */
export function HealthStatusLabel(props: { status: HealthStatus }) {
  const label = HEALTH_STATUS_LABELS[props.status];
  switch (props.status) {
    case 'healthy':
      return <StatusOK>{label}</StatusOK>;
    case 'degraded':
      return <StatusWarning>{label}</StatusWarning>;
    case 'unhealthy':
      return <StatusError>{label}</StatusError>;
    default:
      return <StatusAborted>{label}</StatusAborted>;
  }
}
