import type { DetectorSymptom } from '../health';
import type { FailureClass } from './failures';

/**
 * The areas the triage knowledge base is organised by. Incident scenarios
 * are kept apart because they cut across areas and carry an ordered
 * investigation.
 *
 * @public
 */
export const TRIAGE_CATEGORIES = [
  'training',
  'experiment-tracking',
  'data-versioning',
  'serving',
  'pipelines',
  'kubernetes',
  'deployment',
  'monitoring',
  'drift',
  'security',
  'cost-performance',
  'general',
  'incident-scenario',
] as const;

/**
 * One area of the triage knowledge base.
 *
 * @public
 */
export type TriageCategory = (typeof TRIAGE_CATEGORIES)[number];

/**
 * Human titles for the triage categories, for headings and filters.
 *
 * @public
 */
export const TRIAGE_CATEGORY_TITLES: Readonly<Record<TriageCategory, string>> =
  {
    training: 'Training and experiments',
    'experiment-tracking': 'Experiment tracking, registry and artifacts',
    'data-versioning': 'Data, data quality and versioning',
    serving: 'API and model serving',
    pipelines: 'Pipelines and orchestrators',
    kubernetes: 'Kubernetes',
    deployment: 'Model deployment and rollout',
    monitoring: 'Monitoring and alerts',
    drift: 'Drift detection',
    security: 'Security and compliance',
    'cost-performance': 'Cost and performance',
    general: 'General debugging',
    'incident-scenario': 'Incident scenarios',
  };

/**
 * The shell or query language a triage command is written in. Commands
 * without one are plain shell commands.
 *
 * @public
 */
export type TriageShell = 'bash' | 'python' | 'sql' | 'promql';

/**
 * One step of a triage: a command to run and why.
 *
 * Commands may contain placeholders such as `{{namespace}}`; see
 * {@link TRIAGE_PLACEHOLDERS} and {@link fillTriageCommand}.
 *
 * @public
 */
export interface TriageCommand {
  /** What the step tells you, in a sentence. */
  description: string;
  command: string;
  shell?: TriageShell;
}

/**
 * One entry of the triage knowledge base: a problem an engineer can observe,
 * how to confirm it, what usually causes it, and how to fix and prevent it.
 *
 * @public
 */
export interface TriageEntry {
  /** Unique kebab-case id, stable across releases so links keep working. */
  id: string;
  title: string;
  category: TriageCategory;
  /** One or two sentences. */
  summary: string;
  /** What an engineer observes. */
  symptoms: string[];
  /** Ordered steps; run them top to bottom. */
  triage: TriageCommand[];
  likelyCauses: string[];
  fix: string[];
  /** How to tell the fix worked. */
  verify: string[];
  prevent: string[];
  /** Ids of other entries worth reading next. */
  related: string[];
  /** Detector symptoms this entry helps explain. */
  answersSymptoms: DetectorSymptom[];
  /** Classified failure reasons this entry helps explain. */
  answersFailureClasses: FailureClass[];
  /** For incident scenarios: the ordered investigation steps. */
  investigation?: string[];
}
