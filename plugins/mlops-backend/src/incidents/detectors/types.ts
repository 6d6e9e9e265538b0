import {
  DetectorSymptom,
  HealthEvidence,
  IncidentSeverity,
  ModelKeyMetricsPoint,
} from '@backstage-mlops/plugin-mlops-common';

/** The kinds of MLOps object the detectors evaluate. */
export type EvaluatedKind = 'model' | 'pipeline';

/** A symptom a detector found on one object, with what it measured. */
export interface Finding {
  symptom: DetectorSymptom;
  severity: IncidentSeverity;
  /** A sentence with the numbers, e.g. "p95 latency 812 ms is above 500 ms". */
  message: string;
  evidence: HealthEvidence;
}

/**
 * What one detector pass learned about one object. `judged` lists the
 * symptoms that could be decided either way: a symptom that was judged and
 * not found is clear; one that was not judged (its source is missing, failed
 * or had no data) leaves any open incident as it is.
 */
export interface ObjectEvaluation {
  kind: EvaluatedKind;
  name: string;
  checkedAt: Date;
  judged: DetectorSymptom[];
  findings: Finding[];
  /** Windowed prediction stats, for models with monitoring. */
  metrics?: ModelKeyMetricsPoint & {
    windowMinutes: number;
    baselineAccuracy: number | null;
  };
}

/**
 * The severity of each symptom. Symptoms that mean users get wrong or no
 * answers right now are critical; the others are warnings that make an
 * entity degraded.
 */
export const SYMPTOM_SEVERITY: Record<DetectorSymptom, IncidentSeverity> = {
  latency_high: 'critical',
  error_rate_high: 'critical',
  deployment_failed: 'critical',
  pipeline_failed: 'critical',
  accuracy_degraded: 'warning',
  drift_detected: 'warning',
  data_quality_low: 'warning',
  no_traffic: 'warning',
  deployment_stuck: 'warning',
  pipeline_late: 'warning',
  pipeline_stale: 'warning',
  // The object itself may be fine; what the portal knows of it is ageing.
  source_unreachable: 'warning',
};
