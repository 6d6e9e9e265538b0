export { HEALTH_STATUS_LABELS, HealthStatusLabel } from './HealthStatus';
