import {
  DetectorSymptom,
  HealthEvidence,
} from '@backstage-mlops/plugin-mlops-common';

const SYMPTOM_TITLES: Record<DetectorSymptom, string> = {
  accuracy_degraded: 'Accuracy degraded',
  drift_detected: 'Data drift',
  data_quality_low: 'Data quality low',
  latency_high: 'High latency',
  error_rate_high: 'High error rate',
  no_traffic: 'No traffic',
  deployment_failed: 'Deployment failed',
  deployment_stuck: 'Deployment stuck',
  pipeline_failed: 'Pipeline failed',
  pipeline_late: 'Pipeline late',
  pipeline_stale: 'Pipeline output stale',
  source_unreachable: 'Source unreachable',
};

/** A short human title for a detector symptom. */
export function symptomTitle(symptom: DetectorSymptom): string {
  return SYMPTOM_TITLES[symptom] ?? symptom.replace(/_/g, ' ');
}

/** A timestamp in the reader's locale, short. */
export function formatTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? iso
    : date.toLocaleString(undefined, {
        dateStyle: 'medium',
        timeStyle: 'short',
      });
}

function formatValue(key: string, value: number | string | boolean | null) {
  if (value === null) {
    return '–';
  }
  if (typeof value !== 'number') {
    return String(value);
  }
  if (/rate|accuracy|share|drop/i.test(key) && value <= 1) {
    return `${Math.round(value * 1000) / 10}%`;
  }
  if (/ms$/i.test(key)) {
    return `${Math.round(value)} ms`;
  }
  return String(Math.round(value * 1000) / 1000);
}

/**
 * The evidence of a reason or incident in one line, e.g.
 * "latencyP95Ms 812 ms · count 4210 · threshold 500 · window 15 min".
 */
export function describeEvidence(evidence?: HealthEvidence): string {
  if (!evidence) {
    return '';
  }
  const parts = Object.entries(evidence.values).map(
    ([key, value]) => `${key} ${formatValue(key, value)}`,
  );
  if (evidence.threshold !== undefined) {
    parts.push(`threshold ${evidence.threshold}`);
  }
  if (evidence.windowMinutes !== undefined) {
    parts.push(`window ${evidence.windowMinutes} min`);
  }
  return parts.join(' · ');
}
