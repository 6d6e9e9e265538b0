import type { TriageCategory, TriageEntry } from './types';
import { TRAINING_ENTRIES } from './entries/training';
import { EXPERIMENT_TRACKING_ENTRIES } from './entries/experimentTracking';
import { DATA_VERSIONING_ENTRIES } from './entries/dataVersioning';
import { SERVING_ENTRIES } from './entries/serving';
import { PIPELINE_ENTRIES } from './entries/pipelines';
import { KUBERNETES_ENTRIES } from './entries/kubernetes';
import { DEPLOYMENT_ENTRIES } from './entries/deployment';
import { MONITORING_ENTRIES } from './entries/monitoring';
import { DRIFT_ENTRIES } from './entries/drift';
import { SECURITY_ENTRIES } from './entries/security';
import { COST_PERFORMANCE_ENTRIES } from './entries/costPerformance';
import { GENERAL_ENTRIES } from './entries/general';
import { INCIDENT_ENTRIES } from './entries/incidents';

/**
 * Every entry of the triage knowledge base, grouped by category in the order
 * of `TRIAGE_CATEGORIES`. The order is stable and used as the
 * tie-breaker by search and matching.
 *
 * @public
 */
export const TRIAGE_ENTRIES: readonly TriageEntry[] = [
  ...TRAINING_ENTRIES,
  ...EXPERIMENT_TRACKING_ENTRIES,
  ...DATA_VERSIONING_ENTRIES,
  ...SERVING_ENTRIES,
  ...PIPELINE_ENTRIES,
  ...KUBERNETES_ENTRIES,
  ...DEPLOYMENT_ENTRIES,
  ...MONITORING_ENTRIES,
  ...DRIFT_ENTRIES,
  ...SECURITY_ENTRIES,
  ...COST_PERFORMANCE_ENTRIES,
  ...GENERAL_ENTRIES,
  ...INCIDENT_ENTRIES,
];

const ENTRY_BY_ID: ReadonlyMap<string, TriageEntry> = new Map(
  TRIAGE_ENTRIES.map(e => [e.id, e]),
);

/**
 * Looks up a knowledge base entry by id.
 *
 * @public
 */
export function getTriageEntry(id: string): TriageEntry | undefined {
  return ENTRY_BY_ID.get(id);
}

/**
 * The entries of one category, in knowledge base order.
 *
 * @public
 */
export function getTriageEntriesByCategory(
  category: TriageCategory,
): TriageEntry[] {
  return TRIAGE_ENTRIES.filter(e => e.category === category);
}
