import { HealthStatus } from '@backstage-mlops/plugin-mlops-common';
import { StatusLabel, StatusTone } from '../StatusLabel';

/** How each health status reads wherever it is shown. */
export const HEALTH_STATUS_LABELS: Record<HealthStatus, string> = {
  healthy: 'Healthy',
  degraded: 'Degraded',
  unhealthy: 'Unhealthy',
  unknown: 'Unknown',
};

const HEALTH_TONES: Record<HealthStatus, StatusTone> = {
  healthy: 'ok',
  degraded: 'warning',
  unhealthy: 'error',
  unknown: 'aborted',
};

/**
 * An entity's or a model's health with Backstage's status icon, the same on
 * the health card, the team card and the fleet table.
 */
export function HealthStatusLabel(props: { status: HealthStatus }) {
  return (
    <StatusLabel tone={HEALTH_TONES[props.status]}>
      {HEALTH_STATUS_LABELS[props.status]}
    </StatusLabel>
  );
}
