import type { DetectorSymptom, HealthStatus } from '../health';
import type { FailureClass } from './failures';
import type { TriagePlaceholder } from './placeholders';
import type { TriageSearchResult } from './search';
import type { TriageEntry, TriageShell } from './types';

/**
 * Something wrong with an entity right now, as the triage route saw it.
 *
 * @public
 */
export interface TriageProblem {
  /**
   * Where the problem was seen: a health reason, an open incident, or the
   * latest failure reason of a run or deployment.
   */
  source: 'health' | 'incident' | 'failure';
  symptom?: DetectorSymptom;
  /** Failure classes recognised in a failure reason; empty when none was. */
  failureClasses: FailureClass[];
  /** What happened, in the words of whoever reported it. */
  message: string;
  severity?: 'warning' | 'critical';
}

/**
 * A triage step with the entity's values filled in.
 *
 * @public
 */
export interface FilledTriageStep {
  description: string;
  /** The command to run; unknown values appear as `<name>`. */
  command: string;
  shell?: TriageShell;
  /** Placeholders that had no value for this entity. */
  missing: TriagePlaceholder[];
}

/**
 * A knowledge base entry that matches an entity's current problems.
 *
 * @public
 */
export interface EntityTriageMatch {
  entry: TriageEntry;
  /** Higher is better; results are sorted by it. */
  score: number;
  /** Why the entry matched, one sentence per problem it answers. */
  evidence: string[];
  /** The entry's triage steps, filled from the entity's context. */
  steps: FilledTriageStep[];
}

/**
 * The answer of `GET /entities/:kind/:namespace/:name/triage`.
 *
 * @public
 */
export interface EntityTriage {
  entityRef: string;
  status: HealthStatus;
  problems: TriageProblem[];
  matches: EntityTriageMatch[];
  /** The placeholder values known for this entity. */
  context: Partial<Record<TriagePlaceholder, string>>;
}

/**
 * The answer of `GET /triage/entries`.
 *
 * @public
 */
export interface TriageEntryList {
  items: TriageSearchResult[];
  total: number;
}
