/** The kinds of object whose health the incident detectors judge. */
export type EvaluatedKind = 'model' | 'pipeline';

/** Something that re-evaluates an object's health soon (the IncidentService). */
export interface HealthEvaluator {
  requestEvaluation(kind: EvaluatedKind, name: string): void;
}

/**
 * Lets a write route say "this object's health may have changed" (a
 * prediction batch, a finished pipeline run, a deployment status) without
 * depending on the incident service, which is built after the stores it
 * reads. The plugin connects the service once it exists; until then, and in
 * a backend wired without incidents, the signal is dropped and the scheduled
 * pass catches up.
 */
export class HealthChangeSignal {
  private evaluator?: HealthEvaluator;

  connect(evaluator: HealthEvaluator): void {
    this.evaluator = evaluator;
  }

  changed(kind: EvaluatedKind, name: string): void {
    this.evaluator?.requestEvaluation(kind, name);
  }
}
