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
  // A system the portal mirrors the object from (an MLflow server, Airflow,
  // Prefect) stopped answering: what the cards show may be out of date.
  'source_unreachable',
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
  /** The numbers behind the reason, when a detector measured them. */
  evidence?: HealthEvidence;
  /** The open incident that tracks this reason, if one is open. */
  incidentId?: string;
}

/**
 * The measurements that made a detector raise a symptom.
 *
 * @public
 */
export interface HealthEvidence {
  /** The observed values, e.g. `{ latencyP95Ms: 812, count: 4210 }`. */
  values: Record<string, number | string | boolean | null>;
  /** The threshold the main value was compared with. */
  threshold?: number;
  /** The observation window in minutes, for windowed statistics. */
  windowMinutes?: number;
  /** Path under the MLOps API (`/api/mlops`) where the data can be read. */
  link?: string;
}

/**
 * A model's windowed prediction statistics at one evaluation.
 *
 * @public
 */
export interface ModelKeyMetricsPoint {
  at: string;
  count: number;
  errorRate: number | null;
  latencyP95Ms: number | null;
  accuracy: number | null;
}

/**
 * The key prediction metrics the health card shows for a linked model, as
 * the detectors last observed them, with the recent evaluations for charts.
 *
 * @public
 */
export interface ModelKeyMetrics extends ModelKeyMetricsPoint {
  model: string;
  windowMinutes: number;
  baselineAccuracy: number | null;
  /** Oldest first. */
  series: ModelKeyMetricsPoint[];
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
  /** When the detectors last evaluated the entity's objects, if ever. */
  evaluatedAt?: string;
  /** Key metrics per linked model, when prediction monitoring is available. */
  metrics?: ModelKeyMetrics[];
}

/**
 * Severity of an incident: critical incidents make an entity unhealthy,
 * warnings make it degraded.
 *
 * @public
 */
export type IncidentSeverity = 'critical' | 'warning';

/**
 * Lifecycle of an incident. Acknowledged incidents are still open.
 *
 * @public
 */
export type IncidentStatus = 'open' | 'acknowledged' | 'resolved';

/**
 * One entry of an incident's timeline.
 *
 * @public
 */
export interface IncidentEvent {
  type:
    | 'opened'
    | 'evidence_updated'
    | 'symptom_cleared'
    | 'symptom_returned'
    | 'acknowledged'
    | 'retrain_requested'
    | 'resolved';
  at: string;
  /** Who acted (a user or service reference); absent for the detectors. */
  actor?: string;
  message: string;
  evidence?: HealthEvidence;
}

/**
 * An incident: a symptom on one MLOps object, open until it is resolved by
 * hand or stays clear for the configured time.
 *
 * @public
 */
export interface MlopsIncident {
  id: string;
  /** The MLOps object, e.g. `{ kind: 'model', name: 'market-master' }`. */
  object: { kind: 'model' | 'pipeline'; name: string };
  symptom: DetectorSymptom;
  severity: IncidentSeverity;
  status: IncidentStatus;
  /** The latest detector message. */
  message: string;
  evidence?: HealthEvidence;
  openedAt: string;
  updatedAt: string;
  /** When the symptom was last seen clear, while it stays clear. */
  clearSince?: string;
  acknowledgedAt?: string;
  acknowledgedBy?: string;
  resolvedAt?: string;
  /** Who resolved it; absent when it resolved automatically. */
  resolvedBy?: string;
  /** Oldest first. */
  timeline: IncidentEvent[];
}

/**
 * Response of `GET /entities/:kind/:namespace/:name/incidents`: open
 * incidents first, then recently resolved ones.
 *
 * @public
 */
export interface EntityIncidentsResponse {
  entityRef: string;
  items: MlopsIncident[];
}
