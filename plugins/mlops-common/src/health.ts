/**
 * The symptoms that the backend's detectors can raise for an entity. Each one
 * is answered by at least one triage knowledge base entry.
 *
 * @public
 */
export const DETECTOR_SYMPTOMS = [
  'accuracy_degraded',
  'drift_detected',
  'data_quality_low',
  'latency_high',
  'error_rate_high',
  'no_traffic',
  'deployment_failed',
  'deployment_stuck',
  'pipeline_failed',
  'pipeline_late',
  'pipeline_stale',
] as const;

/**
 * A symptom raised by a detector.
 *
 * @public
 */
export type DetectorSymptom = (typeof DETECTOR_SYMPTOMS)[number];

/**
 * Overall health of an entity, worst first.
 *
 * @public
 */
export type HealthStatus = 'unhealthy' | 'degraded' | 'healthy' | 'unknown';

/**
 * One reason behind an entity's health.
 *
 * @public
 */
export interface HealthReason {
  symptom: DetectorSymptom;
  severity: 'warning' | 'critical';
  /** A sentence an engineer can read, with the numbers that triggered it. */
  message: string;
  /** The MLOps object the reason is about, e.g. `model:fraud-detection`. */
  subject?: string;
  observedAt: string;
}

/**
 * What the health card shows for an entity.
 *
 * @public
 */
export interface EntityHealthSummary {
  entityRef: string;
  status: HealthStatus;
  reasons: HealthReason[];
  /** The MLOps objects the entity's annotations point at. */
  links: Array<{ kind: 'model' | 'pipeline' | 'experiment'; name: string; known: boolean }>;
  checkedAt: string;
}
