import { createTriageRouter, TriageRouterOptions } from './router';

export { TriageService } from './TriageService';
export type { HealthSummarizer, TriageSignalSource } from './TriageService';
export type { TriageObjectFactsSource } from './context';
export { createTriageRouter } from './router';
export type { TriageRouterOptions } from './router';

/**
 * Triage: for an unhealthy entity, the likely causes and the playbook
 * entries for them, from health and (when installed) incidents' signals.
 */
export function createTriage(options: TriageRouterOptions) {
  return { router: createTriageRouter(options) };
}
